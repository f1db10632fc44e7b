"""Quadrants' exception classes, and the ones qdmlir adds, in one standard-library module.

Programs written for Quadrants catch its classes (`qd.QuadrantsTypeError`, ...), and programs
written for qdmlir catch the Python classes qdmlir raised before it had them (`TypeError`,
`ValueError`, `SyntaxError`), so each class here derives from both: Quadrants' hierarchy as
Quadrants 1.3.3 defines it, plus the builtin qdmlir raised for the same mistake. Both the
compiler (located compile errors) and the launch path (argument checks, assertions) raise
them, so they live on the runtime side, which imports neither xDSL nor MLIR.

One exception to "both": `QuadrantsNameError` cannot also be a `SyntaxError` (CPython refuses a
class with both as bases: their instance layouts differ), so it is Quadrants' class only,
located like the others; `except qd.QuadrantsCompilationError` catches it with the rest.
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
    """Quadrants' base class of compile-time errors: every located compile error below derives
    from it, so `except qd.QuadrantsCompilationError` written for Quadrants catches them all."""


class LocatedError(Exception):
    """The message of a compile error: kernel, file:line, the source line with a caret, what is
    wrong and how to fix it (after Triton's CompilationError):

        QuadrantsTypeError in kernel 'step' at model.py:14:9
            14 |         b[0] = 3000000000
               |                ^^^^^^^^^^
        Integer literal 3000000000 exceeded the range of default_ip: i32, ...
        fix: ...

    Attributes: `kernel` (name), `span` (SourceSpan or None), `reason`, `fix`.
    """

    title = "QuadrantsSyntaxError"  # the head of the message: the Quadrants class it is

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
        if span is not None and isinstance(self, SyntaxError):
            # SyntaxError's own fields, so tracebacks and IDEs point at the user's line
            self.filename = span.file
            self.lineno = span.line
            self.offset = span.col + 1
            self.text = span.text

    def _render(self) -> str:
        if not self.kernel and self.span is None:  # raised on the host: the reason says it all
            return self.reason + (f"\nfix: {self.fix}" if self.fix else "")
        head = self.title
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


class QuadrantsSyntaxError(LocatedError, QuadrantsCompilationError, SyntaxError):
    """A kernel does not follow the rules of the kernel language (and qdmlir's base class of
    located compile errors: the classes below derive from it, so `except
    qd.QuadrantsSyntaxError` keeps catching every compile error it caught before them)."""


class QuadrantsTypeError(QuadrantsSyntaxError, TypeError):
    """A value of the wrong type in a kernel: an integer literal out of its type's range, a
    float index, an array used as a number, an operator on operands it does not take."""

    title = "QuadrantsTypeError"


class QuadrantsIndexError(QuadrantsSyntaxError, IndexError):
    """An ndarray indexed with the wrong number of indices, or `x.shape[k]` past its rank."""

    title = "QuadrantsIndexError"


class QuadrantsNameError(LocatedError, QuadrantsCompilationError, NameError):
    """A name a kernel reads is defined nowhere (see the module docstring: not a SyntaxError)."""

    title = "QuadrantsNameError"


class QuadrantsStaticAssertionError(QuadrantsSyntaxError, AssertionError):
    """`qd.static_assert(cond, msg)` failed: an AssertionError, as in Quadrants, that also says
    which kernel and line."""


class KernelArgumentError(QuadrantsSyntaxError, TypeError):
    """A kernel call whose arguments do not bind to its parameters (too few, too many, an
    unknown or repeated keyword): Quadrants' QuadrantsSyntaxError, qdmlir's former TypeError.
    The message is the reason alone: it names the kernel, and no source line is to blame."""

    def _render(self) -> str:
        return self.reason + (f"\nfix: {self.fix}" if self.fix else "")


class QuadrantsRuntimeError(RuntimeError):
    """Quadrants' base class of errors raised while a kernel is called or runs."""


class QuadrantsAssertionError(QuadrantsRuntimeError, AssertionError):
    """An `assert` in a kernel failed (compiled with qd.init(debug=True) only)."""


class QuadrantsRuntimeTypeError(QuadrantsRuntimeError, TypeError):
    """A kernel argument of the wrong kind: a list or None for an ndarray, a string or a float
    for an integer parameter."""


class InvalidShapeError(QuadrantsRuntimeError, ValueError):
    """A shape qd.ndarray cannot take (a size below 1, past 2**31 - 1, or not an int):
    Quadrants raises QuadrantsRuntimeError, qdmlir raised ValueError, so this is both."""


class ArrayArgumentError(ValueError, TypeError):
    """An ndarray argument whose dtype or rank is not the parameter's: Quadrants raises
    ValueError for these; qdmlir raised TypeError for some of them, so this is both."""


class OutOfBoundsError(QuadrantsAssertionError, IndexError):
    """qd.init(debug=True) caught an ndarray access outside its shape: Quadrants raises
    QuadrantsAssertionError for it, qdmlir raised IndexError, so this is both."""
