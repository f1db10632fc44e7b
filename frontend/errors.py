"""Compile-time errors of the kernel language: each names kernel, file:line and fix (docs/semantics.md).

The classes live in runtime/errors.py (the launch path raises some of them too, and must not
import the compiler); this module re-exports them for the frontend. A message reads:

    QuadrantsSyntaxError in kernel 'step' at model.py:14:9
        14 |     with qd.checkpoint(1):
           |          ^^^^^^^^^^^^^^^^
    qd.checkpoint(cp_id, yield_on=flag) is missing required argument `yield_on`
    fix: name the 0-d i32 ndarray parameter that signals the yield: ...
"""

from __future__ import annotations

from qdmlir.runtime.errors import (
    LocatedError,
    QuadrantsCompilationError,
    QuadrantsIndexError,
    QuadrantsNameError,
    QuadrantsRuntimeError,
    QuadrantsStaticAssertionError,
    QuadrantsSyntaxError,
    QuadrantsTypeError,
    SourceSpan,
)

__all__ = [
    "GlobalArrayError",
    "LocatedError",
    "QuadrantsCompilationError",
    "QuadrantsIndexError",
    "QuadrantsNameError",
    "QuadrantsRuntimeError",
    "QuadrantsStaticAssertionError",
    "QuadrantsSyntaxError",
    "QuadrantsTypeError",
    "SourceSpan",
    "unsupported",
]


class GlobalArrayError(QuadrantsTypeError):
    """A kernel reads an ndarray from a global or closure name (arrays reach kernels only as
    arguments); a qd.func call site that passes one says so in Quadrants' words instead."""


def unsupported(construct: str, fix: str | None = None) -> tuple[str, str]:
    """(reason, fix) for a Python construct the kernel language does not have."""
    return (
        f"{construct} is not supported inside a qdmlir kernel",
        fix or "rewrite it with the supported constructs (see docs/kernel-language.md)",
    )
