"""Quadrants names qdmlir does not implement, as objects that refuse where they are used.

`qd.ad`, `qd.root` and the rest exist so that a
program using them stops with a `QuadrantsSyntaxError` that names the construct, the user's
file:line and what to write instead, rather than an `AttributeError` deep in an import. Calling
one, reading one of its attributes, or giving it as a dtype (to `qd.field`, `qd.ndarray`,
`qd.types.ndarray`) refuses; inside a kernel the lowering refuses it at its call
(frontend/calls.py).
"""

from __future__ import annotations

import linecache
import sys
from pathlib import Path

from qdmlir.frontend.errors import QuadrantsSyntaxError, SourceSpan

_ROOT = Path(__file__).resolve().parent.parent
# qdmlir's own code: frames there are skipped when looking for the user's line
_OWN = tuple(
    f"{_ROOT / folder}/" for folder in ("frontend", "runtime", "dialects", "passes", "qdmlir")
)


def caller_span() -> SourceSpan | None:
    """The file:line of the innermost frame outside qdmlir: the user's line that reached us."""
    frame = sys._getframe(1)
    while frame is not None and _inside_qdmlir(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None
    file, line = frame.f_code.co_filename, frame.f_lineno
    text = linecache.getline(file, line) or None
    col = len(text) - len(text.lstrip()) if text else 0
    return SourceSpan(file, line, col, None, text)


def _inside_qdmlir(file: str) -> bool:
    try:
        return str(Path(file).resolve()).startswith(_OWN)
    except OSError:
        return False


def refusal(construct: str, why: str, fix: str) -> QuadrantsSyntaxError:
    """`construct` is not supported: a QuadrantsSyntaxError at the user's line."""
    return QuadrantsSyntaxError(
        f"{construct} is not supported by qdmlir: {why}", span=caller_span(), fix=fix
    )


class Unsupported:
    """A Quadrants name qdmlir does not have. Calling it, reading a public attribute of it or
    using it as a dtype raises the refusal; dunder lookups (copy, pickle, repr) behave as for
    any object, so introspection never trips on it.

    A type constructor (`makes_types=True`: `qd.types.vector(3, qd.f32)`) returns an
    unsupported type instead of refusing, as module-level code builds types it may never use
    (test files put them in parametrize lists); the type refuses where it is used."""

    def __init__(self, construct: str, why: str, fix: str, makes_types: bool = False):
        self._construct = construct
        self._why = why
        self._fix = fix
        self._makes_types = makes_types

    def __repr__(self) -> str:
        return f"<{self._construct}: not supported by qdmlir>"

    def __call__(self, *args, **kwargs):
        if self._makes_types:
            shown = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
            return Unsupported(f"{self._construct}({shown})", self._why, self._fix)
        raise refusal(self._construct, self._why, self._fix)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        raise refusal(f"{self._construct}.{name}", self._why, self._fix)

    def qd_unsupported(self) -> QuadrantsSyntaxError:
        """The refusal, for the places that take a dtype (runtime/dtypes.py asks for it)."""
        return refusal(self._construct, self._why, self._fix)

    def refusal_in_kernel(self) -> tuple[str, str]:
        """(reason, fix) for the kernel lowering, which locates it at the call."""
        return f"{self._construct} is not supported by qdmlir: {self._why}", self._fix


_AUTODIFF = (
    "automatic differentiation is not implemented",
    "write the gradient kernel by hand, or run the program on Quadrants",
)
_SNODES = (
    "SNode trees (qd.root.dense/pointer/dynamic/bitmasked and place) are not implemented; "
    "qdmlir has dense fields only",
    "create the field with its shape instead: qd.field(qd.f32, shape=(n, m))",
)


ad = Unsupported("qd.ad", *_AUTODIFF)
root = Unsupported("qd.root", *_SNODES)
AXES = {name: Unsupported(f"qd.{name}", *_SNODES) for name in ("i", "j", "k", "l", "ij", "ijk")}


def refuse_autodiff(construct: str) -> QuadrantsSyntaxError:
    return refusal(construct, *_AUTODIFF)


def refuse_snodes(construct: str) -> QuadrantsSyntaxError:
    return refusal(construct, *_SNODES)
