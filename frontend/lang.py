"""The names kernels are written with: `qd.checkpoint`, `qd.ndrange`, `qd.sqrt`, `qd.types`, ...

Inside a kernel the compiler recognises these objects by identity (whatever name the user
imported them under) and lowers them; see `frontend/calls.py`. Outside a kernel each one
does the obvious thing in Python, so host code and tests can call them too.
"""

from __future__ import annotations

import builtins
import functools
import itertools
import math as _pymath
import numbers
from types import SimpleNamespace
from typing import Any

import numpy as np

from qdmlir.runtime.matrix import Matrix, Vector

# -- graph structure -----------------------------------------------------------------------


class checkpoint:  # noqa: N801 - the public name is Quadrants'
    """`with qd.checkpoint(cp_id, yield_on=flag):` marks a checkpoint in a graph kernel.

    Compiled only inside `@qd.kernel(graph=True, checkpoints=True)`; anywhere else in Python it
    is a context manager that does nothing.
    """

    def __init__(self, cp_id: Any = None, yield_on: Any = None):
        self.cp_id = cp_id
        self.yield_on = yield_on

    def __enter__(self) -> checkpoint:
        return self

    def __exit__(self, *exc: object) -> bool:
        return False


def graph_do_while(condition: Any) -> bool:
    """`while qd.graph_do_while(cond):` loops on the device while `cond[()] != 0`.

    Outside a kernel it reads the 0-d array, so a host loop written the same way also works.
    """
    return bool(condition[()])


graph = SimpleNamespace(do_while=graph_do_while)


# -- loops and compile-time evaluation ------------------------------------------------------


def ndrange(*dims: Any):
    """Iterate over a multi-dimensional range: each dim is `n` or `(begin, end)`."""
    ranges = []
    for dim in dims:
        if isinstance(dim, (tuple, list)):
            ranges.append(range(*dim))
        else:
            ranges.append(range(dim))
    return itertools.product(*ranges)


def static(value: Any, *more: Any) -> Any:
    """Evaluate at compile time: `if qd.static(FLAG):`, `for i in qd.static(range(3)):`."""
    return (value, *more) if more else value


def static_assert(cond: Any, msg: str | None = None) -> None:
    """Fail the kernel's compilation when a compile-time condition is false."""
    assert cond, msg


def static_print(*args: Any, **kwargs: Any) -> None:
    """Print while the kernel compiles (run-time values show as their type)."""
    print(*args, **kwargs)


def loop_config(
    *,
    block_dim: int | None = None,
    serialize: bool = False,
    parallelize: int | None = None,
    bit_vectorize: bool = False,
    name: str | None = None,
) -> None:
    """Directives for the next top-level loop of a kernel (frontend/loop_config.py)."""
    raise _host_only("qd.loop_config")


def grouped(value: Any) -> Any:
    """Quadrants' `qd.grouped`: iterate with the index as one tuple."""
    return value


# -- scalar operations (lowered inside kernels; plain Python outside) ----------------------


def cast(value: Any, dtype: Any) -> Any:
    """Convert a scalar to `dtype` as a kernel would (`qd.cast(x, qd.i32)`): floats truncate
    toward zero, integers wrap to the type's width, bools count as 0 / 1. On the host it
    returns the converted Python number."""
    from qdmlir.runtime import dtypes

    if isinstance(value, Matrix):
        return value.cast(dtype)
    target = dtypes.as_dtype(dtype)
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, numbers.Real):
        raise TypeError(f"qd.cast() converts numbers, got {type(value).__name__} {value!r}")
    if target.is_float:
        return float(target.np_dtype.type(value))
    if isinstance(value, float) or not isinstance(value, numbers.Integral):
        if not _pymath.isfinite(value):
            raise ValueError(f"qd.cast({value!r}, qd.{target.name}): not a finite number")
        value = _pymath.trunc(value)
    bits = target.bits
    value = int(value) & ((1 << bits) - 1)
    signed_overflow = target.signed and value >= 1 << (bits - 1)
    return value - (1 << bits) if signed_overflow else value


def atomic_add(target: Any, value: Any) -> Any:
    """Atomically add `value` to a global element inside a kernel; returns the old value."""
    raise _host_only("qd.atomic_add")


def atomic_sub(target: Any, value: Any) -> Any:
    """Atomically subtract `value` from a global element; returns the old value."""
    raise _host_only("qd.atomic_sub")


def atomic_min(target: Any, value: Any) -> Any:
    """Atomically take the minimum with `value`; returns the old value."""
    raise _host_only("qd.atomic_min")


def atomic_max(target: Any, value: Any) -> Any:
    """Atomically take the maximum with `value`; returns the old value."""
    raise _host_only("qd.atomic_max")


def atomic_and(target: Any, value: Any) -> Any:
    """Atomic bitwise and; returns the old value."""
    raise _host_only("qd.atomic_and")


def atomic_or(target: Any, value: Any) -> Any:
    """Atomic bitwise or; returns the old value."""
    raise _host_only("qd.atomic_or")


def atomic_xor(target: Any, value: Any) -> Any:
    """Atomic bitwise xor; returns the old value."""
    raise _host_only("qd.atomic_xor")


def _host_only(name: str) -> RuntimeError:
    return RuntimeError(f"{name} can only be used inside a qdmlir kernel or qd.func")


def sqrt(x: Any) -> float:
    return _pymath.sqrt(x)


def rsqrt(x: Any) -> float:
    return 1.0 / _pymath.sqrt(x)


def sin(x: Any) -> float:
    return _pymath.sin(x)


def cos(x: Any) -> float:
    return _pymath.cos(x)


def tan(x: Any) -> float:
    return _pymath.tan(x)


def tanh(x: Any) -> float:
    return _pymath.tanh(x)


def asin(x: Any) -> float:
    return _pymath.asin(x)


def acos(x: Any) -> float:
    return _pymath.acos(x)


def atan2(y: Any, x: Any) -> float:
    return _pymath.atan2(y, x)


def exp(x: Any) -> float:
    return _pymath.exp(x)


def log(x: Any) -> float:
    return _pymath.log(x)


def floor(x: Any) -> Any:
    return _pymath.floor(x)


def ceil(x: Any) -> Any:
    return _pymath.ceil(x)


def round(x: Any) -> Any:  # noqa: A001 - Quadrants' name
    return builtins.round(x)


def abs(x: Any) -> Any:  # noqa: A001 - Quadrants' name
    return builtins.abs(x)


def min(*xs: Any) -> Any:  # noqa: A001 - Quadrants' name
    return builtins.min(*xs)


def max(*xs: Any) -> Any:  # noqa: A001 - Quadrants' name
    return builtins.max(*xs)


def pow(x: Any, y: Any) -> Any:  # noqa: A001 - Quadrants' name
    return x**y


def clamp(x: Any, low: Any, high: Any) -> Any:
    return builtins.min(builtins.max(x, low), high)


def degrees(x: Any) -> float:
    return _pymath.degrees(x)


def radians(x: Any) -> float:
    return _pymath.radians(x)


def fract(x: Any) -> float:
    return x - _pymath.floor(x)


def isnan(x: Any) -> bool:
    return _pymath.isnan(x)


def isinf(x: Any) -> bool:
    return _pymath.isinf(x)


def log2(x: Any) -> float:
    return _pymath.log2(x)


def sign(x: Any) -> float:
    return float((x > 0) - (x < 0))


def mod(x: Any, y: Any) -> float:
    """GLSL's mod: x - y * floor(x / y)."""
    return x - y * _pymath.floor(x / y)


def mix(x: Any, y: Any, a: Any) -> Any:
    return x * (1 - a) + y * a


def step(edge: Any, x: Any) -> float:
    return 0.0 if x < edge else 1.0


def smoothstep(edge0: Any, edge1: Any, x: Any) -> float:
    t = builtins.min(builtins.max((x - edge0) / (edge1 - edge0), 0.0), 1.0)
    return t * t * (3 - 2 * t)


def raw_div(a: Any, b: Any) -> Any:
    """C division: integers truncate towards zero."""
    if isinstance(a, int) and isinstance(b, int):
        return builtins.abs(a) // builtins.abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
    return a / b


def raw_mod(a: Any, b: Any) -> Any:
    """C remainder: the result has the dividend's sign."""
    return (
        _pymath.fmod(a, b)
        if isinstance(a, float) or isinstance(b, float)
        else (a - raw_div(a, b) * b)
    )


def atomic_mul(target: Any, value: Any) -> Any:
    """Atomically multiply a global element by `value`; returns the old value."""
    raise _host_only("qd.atomic_mul")


def select(cond: Any, a: Any, b: Any) -> Any:
    """`a if cond else b`, evaluating both sides (branch-free inside kernels)."""
    return a if cond else b


# -- host vectors and matrices: each function above, entry by entry -----------------------------


def _on_entries(np_fn):
    """Make a scalar host function also take qd.Vector / qd.Matrix values (Quadrants' Python
    scope does the same), computing with numpy's `np_fn`; kernels lower these by identity
    (frontend/matrix_calls.py), so the wrapper is what `qd.sqrt` is everywhere."""

    def wrap(fn):
        @functools.wraps(fn)
        def apply(*args):
            if any(isinstance(a, Matrix) for a in args):
                out = np.asarray(np_fn(*(a.entries if isinstance(a, Matrix) else a for a in args)))
                return Vector(out) if out.ndim == 1 else Matrix(out)
            return fn(*args)

        return apply

    return wrap


def _smoothstep_np(edge0, edge1, x):
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


for _name, _np_fn in {
    "sqrt": np.sqrt, "rsqrt": lambda x: 1.0 / np.sqrt(x), "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "tanh": np.tanh, "asin": np.arcsin, "acos": np.arccos,
    "atan2": np.arctan2, "exp": np.exp, "log": np.log, "floor": np.floor, "ceil": np.ceil,
    "round": np.round, "abs": np.abs, "min": lambda *xs: functools.reduce(np.minimum, xs),
    "max": lambda *xs: functools.reduce(np.maximum, xs),
    "clamp": lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi), "degrees": np.degrees,
    "radians": np.radians, "fract": lambda x: x - np.floor(x), "isnan": np.isnan,
    "isinf": np.isinf, "log2": np.log2, "sign": np.sign,
    "mod": lambda x, y: x - y * np.floor(x / y), "mix": lambda x, y, a: x * (1 - a) + y * a,
    "step": lambda e, x: np.where(x < e, 0.0, 1.0), "smoothstep": _smoothstep_np,
    "select": lambda c, a, b: np.where(np.asarray(c) != 0, a, b),
}.items():  # fmt: skip
    globals()[_name] = _on_entries(_np_fn)(globals()[_name])


# `qd.math.*`: the same functions under the math namespace, plus constants.
math = SimpleNamespace(
    sqrt=sqrt,
    rsqrt=rsqrt,
    sin=sin,
    cos=cos,
    tan=tan,
    tanh=tanh,
    asin=asin,
    acos=acos,
    atan2=atan2,
    exp=exp,
    log=log,
    floor=floor,
    ceil=ceil,
    round=round,
    abs=abs,
    min=min,
    max=max,
    pow=pow,
    clamp=clamp,
    degrees=degrees,
    radians=radians,
    fract=fract,
    isnan=isnan,
    isinf=isinf,
    log2=log2,
    sign=sign,
    mod=mod,
    mix=mix,
    step=step,
    smoothstep=smoothstep,
    pi=_pymath.pi,
    e=_pymath.e,
    inf=_pymath.inf,
    nan=_pymath.nan,
)


# -- parameter annotations -------------------------------------------------------------------


BOUNDARIES = ("unsafe", "clamp")
"""`boundary=` of `qd.types.ndarray`: "unsafe" indexes as given; "clamp" clamps every index
into its axis first (Quadrants' names)."""


class NdarrayType:
    """`qd.types.ndarray(dtype=None, ndim=None, boundary="unsafe")`: an ndarray parameter. A
    dtype or ndim left out is taken from the first argument passed, and the kernel is compiled
    once per combination. `qd.types.NDArray` alone, unsubscripted, leaves both open.

    `dtype` is a scalar qd type today; it is the seam where vector and matrix element types
    will go (docs/kernel-language.md)."""

    def __init__(
        self,
        dtype: Any = None,
        ndim: int | None = None,
        boundary: str = "unsafe",
        **unsupported: Any,
    ):
        if unsupported:
            names = ", ".join(sorted(unsupported))
            raise TypeError(
                f"qd.types.ndarray() does not support {names} in qdmlir; give dtype, ndim and "
                "boundary only"
            )
        if ndim is not None and (not isinstance(ndim, int) or not 0 <= ndim <= 8):
            raise ValueError(f"qd.types.ndarray(ndim={ndim!r}): ndim must be an int in 0..8")
        if boundary not in BOUNDARIES:
            raise ValueError(
                f"qd.types.ndarray(boundary={boundary!r}): boundary must be one of {BOUNDARIES}"
            )
        self.dtype = dtype
        self.ndim = ndim
        self.boundary = boundary

    @classmethod
    def __class_getitem__(cls, args: Any) -> NdarrayType:
        return cls(*(args if isinstance(args, tuple) else (args,)))

    def __repr__(self) -> str:
        clamp = ", boundary='clamp'" if self.boundary == "clamp" else ""
        return f"qd.types.ndarray(dtype={self.dtype!r}, ndim={self.ndim!r}{clamp})"


class Template:
    """`qd.template()` / `qd.Template`: a parameter whose argument is part of the kernel's
    signature. A number, bool or IntEnum member is a compile-time constant inside the kernel
    (each new value compiles again, as in Quadrants); an ndarray is taken as
    `qd.types.ndarray()` takes it; a `qd.field`, a `@qd.data_oriented` object or a dataclass
    is taken apart into kernel arguments (frontend/flatten.py)."""

    def __repr__(self) -> str:
        return "qd.template()"


def template(*_: Any, **__: Any) -> Template:
    """Quadrants' `qd.template()` annotation (its optional arguments are ignored)."""
    return Template()


def data_oriented(
    cls: type | None = None, *, stable_members: bool = False, template_primitives: bool = True
):
    """`@qd.data_oriented`: a class whose `@qd.kernel` methods read `self.<member>`.

    Members a kernel uses are kernel arguments (ndarrays, fields) or compile-time constants
    (numbers, bools, enums; with `template_primitives=False`, run-time scalar arguments
    instead). `stable_members` is Quadrants' hint that ndarray members are never reassigned;
    qdmlir checks member identity on every call anyway, so it changes nothing."""
    if cls is None:
        return lambda c: data_oriented(
            c, stable_members=stable_members, template_primitives=template_primitives
        )
    cls._data_oriented = True  # Quadrants' marker, which programs may test too
    cls._qd_template_primitives = bool(template_primitives)
    return cls


def is_data_oriented(value: Any) -> bool:
    """An instance of a `@qd.data_oriented` class."""
    return not isinstance(value, type) and getattr(type(value), "_data_oriented", False) is True


types = SimpleNamespace(ndarray=NdarrayType, NDArray=NdarrayType, template=template)
