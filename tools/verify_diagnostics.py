"""`--verify-diagnostics` as mlir-opt does it: every error must be expected, every expectation met.

A test annotates the line an error is about:

    // expected-error@+1 {{label 7 is used twice}}
    checkpoint.region label 7 { }

`{{...}}` is a substring of the message. The line is the comment's own, or `@+N` / `@-N` lines
away, `@above` / `@below` the neighbouring line, or `@unknown` for an error without a location.
An error nobody expected, and an expectation no error met, both fail the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from xdsl.dialects.builtin import FileLineColLoc, ModuleOp
from xdsl.ir import Operation
from xdsl.utils.exceptions import DiagnosticException, ParseError

from qdmlir.passes.diagnostics import PassDiagnostics

_EXPECTATION = re.compile(
    r"//\s*expected-(?P<severity>error|warning|remark|note)"
    r"(?:@(?P<where>[+-]\d+|above|below|unknown))?\s*\{\{(?P<text>.*?)\}\}"
)


@dataclass(frozen=True)
class Diagnostic:
    """An error the tool produced, at an absolute line of the input file (None: unknown)."""

    file: str
    line: int | None
    column: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Expectation:
    """An `expected-<severity>` annotation: the line it names and the text to find."""

    line: int | None
    severity: str
    text: str
    written_at: int


def parse_expectations(text: str, line_offset: int) -> list[Expectation]:
    """Every annotation of a chunk; lines are absolute (chunk offset added)."""
    expectations = []
    for index, source_line in enumerate(text.splitlines()):
        here = index + 1 + line_offset
        for match in _EXPECTATION.finditer(source_line):
            where = match["where"]
            if where is None:
                line = here
            elif where == "unknown":
                line = None
            elif where == "above":
                line = here - 1
            elif where == "below":
                line = here + 1
            else:
                line = here + int(where)
            expectations.append(Expectation(line, match["severity"], match["text"], here))
    return expectations


def verify_expectations(
    expectations: list[Expectation], diagnostics: list[Diagnostic], file: str
) -> list[str]:
    """Match diagnostics to expectations; return one failure line per mismatch."""
    pending = list(expectations)
    failures = []
    for diagnostic in diagnostics:
        match = next(
            (
                e
                for e in pending
                if e.line == diagnostic.line
                and e.severity == diagnostic.severity
                and e.text in diagnostic.message
            ),
            None,
        )
        if match is None:
            failures.append(_unexpected(diagnostic))
        else:
            pending.remove(match)
    for expectation in pending:
        failures.append(
            f"{file}:{expectation.written_at}: error: expected {expectation.severity} "
            f'"{expectation.text}" was not produced'
            + ("" if expectation.line is None else f" (at line {expectation.line})")
        )
    return failures


def _unexpected(diagnostic: Diagnostic) -> str:
    where = (
        f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}"
        if diagnostic.line
        else (diagnostic.file)
    )
    return f"{where}: error: unexpected {diagnostic.severity}: {diagnostic.message}"


def diagnostics_from_exception(
    error: Exception, module: ModuleOp | None, line_offset: int, file: str
) -> list[Diagnostic]:
    """The located diagnostics an exception from parsing, a pass or the verifier stands for."""
    if isinstance(error, ParseError):
        loc = error.span.get_location()
        return [Diagnostic(file, loc.line + line_offset, loc.col, error.msg)]
    if isinstance(error, PassDiagnostics):
        return [_at_op(file, d.op, d.message) for d in error.diagnostics]
    if isinstance(error, DiagnosticException) and module is not None:
        failing = _first_failing_op(module)
        if failing is not None:
            return [_at_op(file, failing[0], failing[1])]
    return [Diagnostic(file, None, None, _first_line(error))]


def _at_op(file: str, op: Operation | None, message: str) -> Diagnostic:
    loc = op.location if op is not None else None
    if isinstance(loc, FileLineColLoc):
        return Diagnostic(loc.filename.data, loc.line.data, loc.column.data, message)
    return Diagnostic(file, None, None, message)


def _post_order(op: Operation) -> Iterator[Operation]:
    for region in op.regions:
        for block in region.blocks:
            for child in block.ops:
                yield from _post_order(child)
    yield op


def _first_failing_op(module: ModuleOp) -> tuple[Operation, str] | None:
    """Re-run the verifier op by op, innermost first (xDSL's order), to find the culprit."""
    for op in _post_order(module):
        try:
            op.verify(verify_nested_ops=False)
        except DiagnosticException as error:
            return op, _first_line(error)
        except (KeyError, AttributeError, IndexError, TypeError):
            continue  # a verifier that trips over its parent's missing property: see the parent
    return None


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
