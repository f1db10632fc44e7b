"""Scalar semantics of the reference interpreter (reference_interpreter.py): values, Quadrants'
promotion and literal typing, and every operator, one rounding or wrap per operation.

`i32` values are Python ints wrapped to 32 bits, `f32` values numpy float32 scalars, `bool` a
comparison result (the default int in arithmetic). Integer `//` and `%` by zero give 0, as
compiled code without debug mode does. What the compiled code leaves undefined raises
`Unsupported` instead of returning a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

I32, F32, BOOL = "i32", "f32", "bool"


class Unsupported(Exception):
    """The program leaves the interpreter's subset or does something the compiled code leaves
    undefined; either way it is not a valid differential test case."""


def wrap32(value: int) -> int:
    return ((value + 2**31) % 2**32) - 2**31


@dataclass(frozen=True)
class Val:
    """A typed runtime scalar."""

    dtype: str
    value: Any


@dataclass(frozen=True)
class Const:
    """An untyped Python value from the source (a literal, a global, a module, a function)."""

    value: Any


def numeric(dtype: str) -> str:
    return I32 if dtype == BOOL else dtype


def common_type(a: str, b: str) -> str:
    if a == BOOL and b == BOOL:
        return BOOL
    return F32 if F32 in (a, b) else I32


def make(dtype: str, value) -> Val:
    if dtype == I32:
        return Val(I32, wrap32(int(value)))
    if dtype == F32:
        return Val(F32, np.float32(value))
    return Val(BOOL, bool(value))


def cast(x: Val, to: str) -> Val:
    if x.dtype == to:
        return x
    if to == BOOL:
        return truth(x)
    if x.dtype == BOOL:
        return make(to, 1 if x.value else 0)
    if to == F32:
        return Val(F32, np.float32(x.value))  # sitofp: round to nearest, as numpy does
    value = float(x.value)  # f32 -> i32: fptosi truncates; out of range it is undefined
    if value != value or not -(2.0**31) <= value < 2.0**31:
        raise Unsupported(f"converting {value} to i32 is undefined")
    return Val(I32, int(value))


def truth(x: Val) -> Val:
    return x if x.dtype == BOOL else Val(BOOL, bool(x.value != 0))


def literal(value, other: str | None) -> Val:
    """A Python number meeting a value of type `other` (None: on its own)."""
    if isinstance(value, bool):
        return Val(BOOL, value)
    if not isinstance(value, (int, float)):
        raise Unsupported(f"{value!r} is not a number")
    own = I32 if isinstance(value, int) else F32
    if isinstance(value, int) and not -(2**31) <= value < 2**31:
        raise Unsupported(f"the literal {value} does not fit i32 (it would be i64)")
    if other is None:
        return make(own, value)
    return make(common_type(own, other), value)


def binary(op: str, a: Val, b: Val) -> Val:
    with np.errstate(all="ignore"):
        if op == "/":
            return Val(F32, np.float32(cast(a, F32).value) / np.float32(cast(b, F32).value))
        if op in ("<<", ">>"):
            dtype = numeric(a.dtype)
            if dtype == F32 or numeric(b.dtype) == F32:
                raise Unsupported(f"{op} on floats")
            x, s = cast(a, I32).value, cast(b, I32).value
            if not 0 <= s < 32:
                raise Unsupported(f"shift by {s} is undefined")
            return make(I32, x << s if op == "<<" else x >> s)
        dtype = common_type(a.dtype, b.dtype)
        if op not in ("&", "|", "^"):
            dtype = numeric(dtype)
        a, b = cast(a, dtype), cast(b, dtype)
        if dtype == BOOL:
            x, y = a.value, b.value
            return Val(BOOL, {"&": x and y, "|": x or y, "^": x != y}[op])
        if dtype == F32:
            return Val(F32, _float_binary(op, a.value, b.value))
        return Val(I32, _int_binary(op, a.value, b.value))


def _float_binary(op: str, x, y):
    if op == "+":
        return np.float32(x + y)
    if op == "-":
        return np.float32(x - y)
    if op == "*":
        return np.float32(x * y)
    if op == "//":
        return np.floor(np.float32(x / y))
    if op == "%":
        return np.float32(x - np.float32(np.floor(np.float32(x / y)) * y))
    raise Unsupported(f"operator {op} on f32")


def _int_binary(op: str, x: int, y: int) -> int:
    if op in ("//", "%"):
        if y == 0:  # compiled without debug: 0, never a trap (docs/kernel-language.md)
            return 0
        return wrap32(x // y if op == "//" else x % y)  # INT_MIN // -1 wraps to INT_MIN
    table = {"+": x + y, "-": x - y, "*": x * y, "&": x & y, "|": x | y, "^": x ^ y}
    return wrap32(table[op])


def compare(op: str, a: Val, b: Val) -> Val:
    dtype = numeric(common_type(a.dtype, b.dtype))
    x, y = cast(a, dtype).value, cast(b, dtype).value
    result = {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y, "!=": x != y}
    return Val(BOOL, bool(result[op]))


def negate(a: Val) -> Val:
    a = cast(a, numeric(a.dtype))
    return Val(F32, np.float32(-a.value)) if a.dtype == F32 else make(I32, -a.value)
