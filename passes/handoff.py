"""The one boundary from xDSL to upstream MLIR (docs/architecture.md §4).

Lowered IR crosses as generic text with locations; upstream parses and verifies it, and every
pass after that (`run_upstream`: the generic clean-ups, the targets' lowerings) runs in MLIR's
C++ pass manager.
"""

from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

from xdsl.dialects.builtin import ModuleOp

from qdmlir.passes.handoff_printer import HandoffPrinter

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
    HandoffPrinter(stream=text, print_generic_format=True, print_debuginfo=True).print_op(module)
    return text.getvalue()


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
