"""Compile-time errors of the kernel language: each names kernel, file:line and fix (docs/semantics.md).

`QuadrantsSyntaxError` is qdmlir's own class, exported under Quadrants' name so programs that
catch `qd.QuadrantsSyntaxError` keep working. Its message reads:

    QuadrantsSyntaxError in kernel 'step' at model.py:14:9
        14 |     with qd.checkpoint(1):
           |          ^^^^^^^^^^^^^^^^
    qd.checkpoint(cp_id, yield_on=flag) is missing required argument `yield_on`
    fix: name the 0-d i32 ndarray parameter that signals the yield: ...
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceSpan:
    """Where in the user's file a construct is: 1-based line, 0-based columns."""

    file: str
    line: int
    col: int
    end_col: int | None = None
    text: str | None = None  # the source line, when known

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col + 1}"

    def excerpt(self) -> str:
        """The source line with a caret under the construct (empty if the line is unknown)."""
        if not self.text:
            return ""
        line = self.text.rstrip("\n")
        width = max(1, (self.end_col or self.col + 1) - self.col)
        width = min(width, max(1, len(line) - self.col))
        gutter = f"{self.line:>6} | "
        caret = " " * (len(gutter) - 2) + "| " + " " * self.col + "^" * width
        return f"{gutter}{line}\n{caret}"


class QuadrantsCompilationError(Exception):
    """Quadrants' base class of compile-time errors. QuadrantsSyntaxError, qdmlir's located error
    for a kernel it cannot compile, derives from it, so `except qd.QuadrantsCompilationError`
    written for Quadrants catches qdmlir's compile errors too."""


class QuadrantsSyntaxError(QuadrantsCompilationError, SyntaxError):
    """A kernel does not follow the rules of the kernel language.

    Attributes: `kernel` (name), `span` (SourceSpan or None), `reason` (what is wrong),
    `fix` (how to write it instead). `str()` gives all of it, with a source excerpt.
    """

    def __init__(
        self,
        reason: str,
        *,
        kernel: str | None = None,
        span: SourceSpan | None = None,
        fix: str | None = None,
    ):
        self.kernel = kernel
        self.span = span
        self.reason = reason
        self.fix = fix
        super().__init__(self._render())
        # SyntaxError's own fields, so tracebacks and IDEs point at the user's line.
        if span is not None:
            self.filename = span.file
            self.lineno = span.line
            self.offset = span.col + 1
            self.text = span.text

    def _render(self) -> str:
        head = "QuadrantsSyntaxError"
        if self.kernel:
            head += f" in kernel '{self.kernel}'"
        if self.span is not None:
            head += f" at {self.span}"
        parts = [head]
        if self.span is not None and self.span.excerpt():
            parts.append(self.span.excerpt())
        parts.append(self.reason)
        if self.fix:
            parts.append(f"fix: {self.fix}")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.args[0] if self.args else self._render()


class QuadrantsRuntimeError(RuntimeError):
    """Quadrants' class for errors its runtime raises outside compilation, such as a field
    with a zero-sized axis; a RuntimeError, as there."""


class QuadrantsStaticAssertionError(QuadrantsSyntaxError, AssertionError):
    """`qd.static_assert(cond, msg)` failed: an AssertionError, as in Quadrants, that also
    says which kernel and line."""


def unsupported(construct: str, fix: str | None = None) -> tuple[str, str]:
    """(reason, fix) for a Python construct the kernel language does not have."""
    return (
        f"{construct} is not supported inside a qdmlir kernel",
        fix or "rewrite it with the supported constructs (see docs/kernel-language.md)",
    )
