"""The one boundary from xDSL to upstream MLIR (docs/architecture.md §4).

Lowered IR crosses as generic text with locations; upstream parses and verifies it, and every
pass after that (`run_upstream`: the generic clean-ups, the targets' lowerings) runs in MLIR's
C++ pass manager.
"""

from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute
from xdsl.printer import Printer

if TYPE_CHECKING:  # mlir is imported lazily: the runtime path never loads it
    import mlir.ir


class HandoffError(Exception):
    """The module cannot cross: a checkpoint op is left, or upstream MLIR rejects the text."""


def to_upstream_text(module: ModuleOp) -> str:
    """The generic text, with locations, that `to_upstream` hands over."""
    for op in module.walk():
        if op.name.startswith("checkpoint."):
            raise HandoffError(
                f"{op.name} at {op.location} cannot cross to upstream MLIR: run the default "
                "pipeline (checkpoint-lower removes every checkpoint op) first"
            )
    text = StringIO()
    _HandoffPrinter(stream=text, print_generic_format=True, print_debuginfo=True).print_op(module)
    return text.getvalue()


class _HandoffPrinter(Printer):
    """xDSL's printer, printing each distinct attribute once.

    A kernel's module repeats a few types (index, memref<?xf32>) and locations thousands of
    times, and printing an attribute walks its parameters in Python each time: caching the
    text of each one (attributes are immutable values) took a 200-task hand-off from 0.37 to
    0.23 s. The text is the same as Printer's.
    """

    _attribute_text: dict[Attribute, str] | None = None

    def print_string(self, text: str, *, indent: int | None = None) -> None:
        if "\n" in text:
            super().print_string(text, indent=indent)
        else:  # Printer's own path for a line's piece, without print()'s overhead
            self._current_column += len(text)
            self.stream.write(text)

    def print_attribute(self, attribute: Attribute) -> None:
        if self._attribute_text is None:
            self._attribute_text = {}
        text = self._attribute_text.get(attribute)
        if text is None:
            stream, column = self.stream, self._current_column
            self.stream = StringIO()
            try:
                super().print_attribute(attribute)
                text = self.stream.getvalue()
            finally:
                self.stream, self._current_column = stream, column
            if "\n" in text:  # indented for this position: written as it is, never reused
                self.stream.write(text)
                self._current_column = len(text) - text.rindex("\n") - 1
                return
            self._attribute_text[attribute] = text
        self.print_string(text)


def to_upstream(module: ModuleOp) -> mlir.ir.Module:
    """Print `module` generically, parse it in a fresh upstream context and verify it.

    Raises HandoffError naming the first offending op, or carrying MLIR's diagnostics.
    """
    import mlir.ir

    text = to_upstream_text(module)
    # a fresh context with unregistered ops refused: an op upstream cannot lower must not cross
    context = mlir.ir.Context()
    try:
        with context:
            upstream = mlir.ir.Module.parse(text)
            upstream.operation.verify()
    except mlir.ir.MLIRError as error:
        details = "\n".join(f"  {d.location}: {d.message}" for d in error.error_diagnostics)
        raise HandoffError(
            f"upstream MLIR rejects the handed-off module: {error.message}\n{details}"
        ) from None
    return upstream


def run_upstream(upstream: mlir.ir.Module, pipeline: str) -> None:
    """Run upstream passes (`canonicalize,cse`, or a `builtin.module(...)` pipeline) in place.

    Raises HandoffError carrying MLIR's diagnostics if a pass fails.
    """
    import mlir.ir
    import mlir.passmanager

    if not pipeline.startswith("builtin.module("):
        pipeline = f"builtin.module({pipeline})"
    try:
        with upstream.context:
            mlir.passmanager.PassManager.parse(pipeline).run(upstream.operation)
    except mlir.ir.MLIRError as error:
        details = "\n".join(f"  {d.location}: {d.message}" for d in error.error_diagnostics)
        raise HandoffError(
            f"upstream pipeline {pipeline} failed: {error.message}\n{details}"
        ) from None
