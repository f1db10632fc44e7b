"""Located errors for passes: which op, what is wrong, how to fix it (STYLE: errors).

A pass that rejects its input raises `PassDiagnostics` with one entry per offending op, so
`qd-opt --verify-diagnostics` can match every `expected-error` of a test, and the compiler
driver can point at the user's source line through the op's location.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects.builtin import FileLineColLoc
from xdsl.ir import Operation
from xdsl.utils.exceptions import PassFailedException


@dataclass(frozen=True)
class OpDiagnostic:
    """One error message attached to the op it is about."""

    op: Operation | None
    message: str

    @property
    def location(self) -> tuple[str, int, int] | None:
        """(file, line, column) of the op, or None when it has no file location."""
        loc = self.op.location if self.op is not None else None
        if isinstance(loc, FileLineColLoc):
            return loc.filename.data, loc.line.data, loc.column.data
        return None

    def __str__(self) -> str:
        where = self.location
        prefix = f"{where[0]}:{where[1]}:{where[2]}: " if where else ""
        return f"{prefix}error: {self.message}"


class PassDiagnostics(PassFailedException):
    """A pass failed; `diagnostics` lists every op it rejected, in IR order."""

    def __init__(self, pass_name: str, diagnostics: list[OpDiagnostic]):
        self.pass_name = pass_name
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


class DiagnosticCollector:
    """Collects the errors of one pass run, then raises them together.

    Passes report every problem they find (as MLIR passes emit several diagnostics before
    failing) instead of stopping at the first one:

        errors = DiagnosticCollector(self.name)
        errors.error(op, "label 7 is used twice")
        errors.raise_if_any()
    """

    def __init__(self, pass_name: str):
        self.pass_name = pass_name
        self.diagnostics: list[OpDiagnostic] = []

    def error(self, op: Operation | None, message: str) -> None:
        self.diagnostics.append(OpDiagnostic(op, f"{self.pass_name}: {message}"))

    def raise_if_any(self) -> None:
        if self.diagnostics:
            raise PassDiagnostics(self.pass_name, self.diagnostics)


def fail_at(pass_name: str, op: Operation | None, message: str) -> PassDiagnostics:
    """The exception for a single error at `op`; `raise fail_at(...)`."""
    return PassDiagnostics(pass_name, [OpDiagnostic(op, f"{pass_name}: {message}")])
