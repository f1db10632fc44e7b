"""Vector and matrix element types: `qd.types.vector(n, dtype)`, `qd.types.matrix(n, m, dtype)`.

docs/kernel-language.md, "Vectors and matrices". A type names a shape, `(n,)` or `(n, m)`, and
a scalar element type; either may be left open (`qd.types.vector()`) in an ndarray annotation,
which then takes them from the argument. Python's `int` / `float` as the element type mean the
default types of the moment they are used (`qd.init(default_fp=qd.f64)`), as in Quadrants.
Standard library and numpy only: ndarrays and the launcher use these too.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import dtypes


class MatrixType:
    """An `n x m` matrix of scalars; `qd.types.matrix(3, 3, qd.f32)`. Calling it builds a value
    (`mat2([[1, 2], [3, 4]])`, `mat2(1)`, `mat2(v1, v2)`): a host qd.Matrix outside kernels."""

    ndim = 2

    def __init__(self, n: int | None, m: int | None, dtype=None):
        for name, size in (("n", n), ("m", m)):
            if size is not None and (not isinstance(size, int) or not 1 <= size <= 64):
                raise ValueError(f"{self._kind()}({name}={size!r}): sizes are ints in 1..64")
        self.n, self.m = n, m
        if dtype is not None and dtype not in (int, float, dtypes.DEFAULT_UNSIGNED):
            try:
                dtype = dtypes.as_dtype(dtype)
            except (KeyError, TypeError) as error:
                raise TypeError(
                    f"{self._kind()}: {error.args[0] if error.args else error}"
                ) from None
        self._dtype = dtype

    @classmethod
    def _kind(cls) -> str:
        return "qd.types.matrix"

    @property
    def dtype(self) -> dtypes.DType | None:
        """The element type (int / float resolved to the defaults now), None if left open."""
        return None if self._dtype is None else dtypes.resolve(self._dtype)

    @property
    def shape(self) -> tuple:
        return (self.n, self.m)

    def get_shape(self) -> tuple:
        return self.shape

    @property
    def is_open(self) -> bool:
        return self._dtype is None or None in self.shape

    def element_shape(self) -> tuple:
        return self.shape

    def matches(self, shape: tuple, dtype: dtypes.DType) -> bool:
        """Whether an element of `shape` and `dtype` is of this type (open parts match all)."""
        if len(shape) != len(self.shape):
            return False
        if any(want is not None and want != got for want, got in zip(self.shape, shape)):
            return False
        return self._dtype is None or self.dtype is dtype

    def to_string(self) -> str:
        """Quadrants' spelling, which its error messages (and tests) quote."""
        return f"MatrixType[{self.n},{self.m}, {_name(self.dtype)}]"

    __repr__ = to_string

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and (other.shape, other._dtype) == (
            self.shape,
            self._dtype,
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.shape, str(self._dtype)))

    def __call__(self, *args):
        from .matrix import Matrix

        return Matrix(_fill(self, _entries(self, args)), self.dtype)

    def ndarray(self, shape, needs_grad: bool = False):
        from qdmlir.frontend.fields import ndarray

        return ndarray(self, shape, needs_grad=needs_grad)

    def field(self, shape=None, order=None, name="", offset=None, **options):
        """`vec3.field(shape=n)`: a field of this type (qd.field's checks)."""
        from qdmlir.frontend.fields import field

        return field(self, shape, order, name, offset, **options)


class VectorType(MatrixType):
    """A vector of `n` scalars; `qd.types.vector(3, qd.f32)`, `qd.math.vec3`."""

    ndim = 1

    def __init__(self, n: int | None, dtype=None):
        super().__init__(n, None, dtype)

    @classmethod
    def _kind(cls) -> str:
        return "qd.types.vector"

    @property
    def shape(self) -> tuple:
        return (self.n,)

    def to_string(self) -> str:
        return f"VectorType[{self.n}, {_name(self.dtype)}]"

    __repr__ = to_string

    def __call__(self, *args):
        from .matrix import Vector

        return Vector(_fill(self, _entries(self, args)), self.dtype)


def vector(n: int | None = None, dtype=None) -> VectorType:
    """`qd.types.vector(n, dtype)`: the type of n-vectors of `dtype`."""
    return VectorType(n, dtype)


def matrix(n: int | None = None, m: int | None = None, dtype=None) -> MatrixType:
    """`qd.types.matrix(n, m, dtype)`: the type of n x m matrices of `dtype`."""
    return MatrixType(n, m, dtype)


def tensor_string(shape: tuple, dtype) -> str:
    """`[Tensor (3) i32]`: Quadrants' name for a vector or matrix value, quoted in errors."""
    return f"[Tensor ({', '.join(map(str, shape))}) {_name(dtype)}]"


def element_type_string(shape: tuple, dtype) -> str:
    """The element type of an ndarray as Quadrants prints it: `f32`, `[Tensor (3) i32]`."""
    return _name(dtype) if not shape else tensor_string(shape, dtype)


def _name(dtype) -> str:
    return "" if dtype is None else getattr(dtype, "name", str(dtype))


def _entries(kind: MatrixType, args: tuple) -> list:
    """The scalars of `vec3(1, 2, 3)`, `vec3([1, 2, 3])`, `vec4(v.xyz, 1.0)`, `mat2(v1, v2)`
    flattened in row-major order; one scalar fills the whole value (`vec3(1)`)."""
    from .matrix import Matrix

    if not args:
        raise TypeError(f"{kind.to_string()}(): give an initial value, e.g. a number or a list")
    if len(args) == 1 and isinstance(args[0], (numbers.Number, np.generic)):
        return [args[0]]
    if len(args) == 1:
        args = args[0]
        if isinstance(args, Matrix):
            return args.to_numpy().ravel().tolist()
    flat = []
    for item in args:
        if isinstance(item, Matrix):
            flat += item.to_numpy().ravel().tolist()
        elif isinstance(item, (list, tuple, np.ndarray)):
            flat += np.asarray(item).ravel().tolist()
        else:
            flat.append(item)
    return flat


def _fill(kind: MatrixType, flat: list) -> list:
    """The entries in the type's shape (nested lists for a matrix), each a Python number of
    the element kind."""
    if None in kind.shape:
        raise TypeError(f"{kind.to_string()} has an open shape and cannot build a value")
    count = int(np.prod(kind.shape))
    if len(flat) == 1:
        flat = flat * count
    if len(flat) != count:
        raise ValueError(f"{kind.to_string()} takes {count} entries, got {len(flat)}")
    dtype = kind.dtype
    convert = int if dtype is not None and not dtype.is_float else float
    flat = [convert(x) for x in flat]
    if kind.ndim == 1:
        return flat
    return [flat[i * kind.m : (i + 1) * kind.m] for i in range(kind.n)]


class TensorType:
    """The element type of a vector or matrix ndarray as Quadrants reports it:
    `a.element_type.shape() == [3]`, `a.element_type.element_type() == qd.f32`."""

    def __init__(self, shape: tuple, dtype: dtypes.DType):
        self._shape, self._dtype = tuple(shape), dtype

    def shape(self) -> list:
        return list(self._shape)

    def element_type(self) -> dtypes.DType:
        return self._dtype

    def __repr__(self) -> str:
        return tensor_string(self._shape, self._dtype)
