"""The reference interpreter's vectors (reference_interpreter.py): f32 vec3 values, read the way
docs/kernel-language.md defines them, independently of frontend/matrices.py.

A `Vec` is a tuple of scalar `Val`s; every operation is the scalar operation on each entry
(a scalar operand is used for every entry), `@` and the reductions sum their products left to
right, ((a0 b0 + a1 b1) + a2 b2), with one f32 rounding per operation. A `VecArray` is a numpy
(n, 3) array seen as n vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from reference_scalars import F32, Const, Unsupported, Val, binary, cast, literal, negate

SWIZZLE = "xyzw"


@dataclass(frozen=True)
class Vec:
    entries: tuple[Val, ...]

    def replaced(self, position: int, value: Val) -> Vec:
        entries = list(self.entries)
        entries[position] = cast(value, entries[position].dtype)
        return Vec(tuple(entries))


@dataclass(frozen=True)
class Mat:
    rows: tuple[Vec, ...]


@dataclass(frozen=True)
class VecArray:
    """An ndarray of vec3: `array` is its (n, 3) numpy storage."""

    array: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape[:-1]


def make_vector(values: list, dtype: str | None = F32) -> Vec:
    """`qd.math.vec3(a, b, c)` (dtype f32), `qd.math.vec3(a)` (filled), `qd.Vector([...])`
    (dtype None: the entries' common type, all floats here)."""
    flat = []
    for value in values:
        flat += list(value.entries) if isinstance(value, Vec) else [value]
    if len(flat) == 1:
        flat *= 3
    if len(flat) != 3:
        raise Unsupported(f"a vector of {len(flat)} entries")
    scalars = [literal(v.value, None) if isinstance(v, Const) else v for v in flat]
    if dtype is None:
        if any(s.dtype != F32 for s in scalars):
            raise Unsupported("a qd.Vector of non-float entries")
        dtype = F32
    return Vec(tuple(cast(s, dtype) for s in scalars))


def make_matrix(rows) -> Mat:
    return Mat(tuple(make_vector(list(row), None) for row in rows))


def entrywise(op: str, a, b) -> Vec:
    """`a op b` with a vector on at least one side; a literal takes the entries' type."""
    count = len((a if isinstance(a, Vec) else b).entries)
    left = a.entries if isinstance(a, Vec) else (a,) * count
    right = b.entries if isinstance(b, Vec) else (b,) * count
    out = []
    for x, y in zip(left, right):
        if isinstance(x, Const):
            x = literal(x.value, y.dtype)
        if isinstance(y, Const):
            y = literal(y.value, x.dtype)
        out.append(binary(op, x, y))
    return Vec(tuple(out))


def matmul(m: Mat, v: Vec) -> Vec:
    return Vec(tuple(dot(row, v) for row in m.rows))


def dot(a: Vec, b: Vec) -> Val:
    total = None
    for x, y in zip(a.entries, b.entries):
        product = binary("*", x, y)
        total = product if total is None else binary("+", total, product)
    return total


def reduce_sum(a: Vec) -> Val:
    total = a.entries[0]
    for x in a.entries[1:]:
        total = binary("+", total, x)
    return total


def method(a: Vec, name: str, args: list):
    if name == "dot":
        return dot(a, args[0])
    if name == "sum":
        return reduce_sum(a)
    if name == "norm_sqr":
        return dot(a, a)
    raise Unsupported(f"the vector method {name}")


def swizzle(a: Vec, name: str):
    picked = [a.entries[SWIZZLE.index(c)] for c in name]
    return picked[0] if len(picked) == 1 else Vec(tuple(picked))


def neg(a: Vec) -> Vec:
    return Vec(tuple(negate(x) for x in a.entries))


def load(array: VecArray, index: tuple) -> Vec:
    return Vec(tuple(Val(F32, np.float32(x)) for x in array.array[index]))


def store(array: VecArray, index: tuple, value) -> None:
    entries = value.entries if isinstance(value, Vec) else (value,) * 3
    array.array[index] = [cast(e, F32).value for e in entries]


__all__ = ["Const", "Mat", "Vec", "VecArray"]
