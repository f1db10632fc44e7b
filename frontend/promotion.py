"""Type rules of the kernel language: literal types and binary-operation promotion.

They follow Quadrants (and Taichi before it): a Python literal takes the default type
(`i32` for ints, `f32` for floats, changed by `qd.init(default_ip=..., default_fp=...)`);
mixing an integer with a float gives the float; two floats give the wider; two integers give
the wider, and at equal width the unsigned one; `/` always divides in floating point.
"""

from __future__ import annotations

from dataclasses import dataclass

from qdmlir.runtime import dtypes
from qdmlir.runtime.dtypes import DType

# A comparison or logical result before it meets arithmetic. It is stored as i1 and turns into
# the default int (0 or 1) when used as a number, as Quadrants' comparisons do.
BOOL = "bool"


@dataclass(frozen=True)
class Defaults:
    """The types literals get, `int()` and `float()` convert to, and `/` computes in."""

    ip: DType = dtypes.i32
    fp: DType = dtypes.f32


def literal_type(value: object, defaults: Defaults) -> DType:
    """The type a Python number gets when it meets kernel values."""
    if isinstance(value, bool):
        return defaults.ip
    if isinstance(value, int):
        return defaults.ip
    return defaults.fp


def promote(a: DType, b: DType) -> DType:
    """The common type of a binary arithmetic operation on `a` and `b`."""
    if a is b:
        return a
    if a.is_float and b.is_float:
        return a if a.bits >= b.bits else b
    if a.is_float:
        return a
    if b.is_float:
        return b
    if a.bits != b.bits:
        return a if a.bits > b.bits else b
    return b if a.signed else a  # same width: the unsigned one wins


def true_division_type(a: DType, b: DType, defaults: Defaults) -> DType:
    """`/` is a float division: in the wider float operand type, else the default float."""
    common = promote(a, b)
    if common.is_float:
        return common
    return defaults.fp


def is_integral(t: DType) -> bool:
    return not t.is_float
