"""The qd scalar data types (`qd.i32`, `qd.f32`, ...): name, numpy dtype, MLIR type, bits.

The frontend exposes these objects as `qd.i32` etc.; the manifest and the launcher refer to them
by name. MLIR integers are signless, so `u8` is `i8` there and the object remembers the sign
(docs/architecture.md §1).
"""

from __future__ import annotations

import numpy as np


class DType:
    """One qd scalar type; immutable, compared by identity (one object per name)."""

    __slots__ = ("name", "np_dtype", "mlir", "signed", "is_float", "bits", "min", "max")

    def __init__(self, name: str, np_type: type, mlir: str, signed: bool, is_float: bool):
        np_dtype = np.dtype(np_type)
        info = np.finfo(np_dtype) if is_float else np.iinfo(np_dtype)
        values = {
            "name": name,
            "np_dtype": np_dtype,
            "mlir": mlir,
            "signed": signed,
            "is_float": is_float,
            "bits": np_dtype.itemsize * 8,
            # plain Python numbers, for range checks on scalar arguments and host writes
            "min": float(info.min) if is_float else int(info.min),
            "max": float(info.max) if is_float else int(info.max),
        }
        for field, value in values.items():
            object.__setattr__(self, field, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"qd.{self.name} is immutable")

    def __repr__(self) -> str:
        return self.name

    def __call__(self, *args, **kwargs):
        raise TypeError(
            f"Quadrants data types cannot be called outside Quadrants kernels: qd.{self.name}(...) "
            f"makes a typed constant inside a kernel; on the host use qd.cast(value, qd.{self.name})"
        )

    def __reduce__(self):
        # unpickle to the one shared object, so identity comparisons keep working
        return (from_name, (self.name,))

    @property
    def itemsize(self) -> int:
        return self.bits // 8

    @property
    def is_integer(self) -> bool:
        return not self.is_float


i8 = DType("i8", np.int8, "i8", True, False)
i16 = DType("i16", np.int16, "i16", True, False)
i32 = DType("i32", np.int32, "i32", True, False)
i64 = DType("i64", np.int64, "i64", True, False)
u8 = DType("u8", np.uint8, "i8", False, False)
u16 = DType("u16", np.uint16, "i16", False, False)
u32 = DType("u32", np.uint32, "i32", False, False)
u64 = DType("u64", np.uint64, "i64", False, False)
f16 = DType("f16", np.float16, "f16", True, True)
f32 = DType("f32", np.float32, "f32", True, True)
f64 = DType("f64", np.float64, "f64", True, True)

ALL: tuple[DType, ...] = (i8, i16, i32, i64, u8, u16, u32, u64, f16, f32, f64)
_BY_NAME = {t.name: t for t in ALL}
_BY_NUMPY = {t.np_dtype: t for t in ALL}


def from_name(name: str) -> DType:
    """`"f32"` -> `qd.f32`; a KeyError that lists the known names otherwise."""
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise KeyError(f"unknown qd dtype {name!r}; known: {', '.join(_BY_NAME)}") from None


def from_numpy(dtype) -> DType:
    """`np.float32` / `np.dtype('float32')` -> `qd.f32`; KeyError for types qd has no name for."""
    try:
        return _BY_NUMPY[np.dtype(dtype)]
    except (KeyError, TypeError):
        raise KeyError(
            f"numpy dtype {dtype!r} has no qd equivalent; known: "
            + ", ".join(str(t.np_dtype) for t in ALL)
        ) from None


_DEFAULTS = {"int": i32, "float": f32}
"""What Python's `int` / `float` mean as an element type now: qd.init(default_ip=...,
default_fp=...) sets them (frontend/config.py), as Quadrants' `qd.types.vector(3, float)` does."""


class _DefaultUnsigned:
    """Quadrants' default unsigned type (`qd.math.uvec3`'s entries): the unsigned type as wide
    as the default int."""

    def __repr__(self) -> str:
        return "default unsigned"


DEFAULT_UNSIGNED = _DefaultUnsigned()


def set_defaults(ip: DType, fp: DType) -> None:
    _DEFAULTS["int"], _DEFAULTS["float"] = ip, fp


def default_of(kind: str) -> DType:
    """The current default `int` or `float` type."""
    return _DEFAULTS[kind]


def resolve(value) -> DType:
    """Like as_dtype, but Python's `int` / `float` are the current defaults (Quadrants'
    rule for vector and matrix element types), not i32 / f32."""
    if value is int or value is float:
        return _DEFAULTS[value.__name__]
    if value is DEFAULT_UNSIGNED:
        return u64 if _DEFAULTS["int"].bits == 64 else u32
    return as_dtype(value)


def as_dtype(value) -> DType:
    """Any spelling of a dtype -> the DType: a DType, its name, a numpy dtype, or Python's
    `int` / `float` (Quadrants' defaults, `i32` / `f32`)."""
    if isinstance(value, DType):
        return value
    if value is int:
        return i32
    if value is float:
        return f32
    if isinstance(value, str):
        return from_name(value)
    return from_numpy(value)
