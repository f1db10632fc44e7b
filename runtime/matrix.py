"""`qd.Vector` and `qd.Matrix` outside kernels: small numpy-backed values with Quadrants' methods.

docs/kernel-language.md, "Vectors and matrices". Inside a kernel the same names build unrolled
values (frontend/matrices.py); a host value a kernel reads is a compile-time constant there.
Arithmetic is element-wise with numpy's broadcasting of scalars, `@` is Quadrants' product
(vector @ vector is the dot product, vector @ matrix multiplies by the transpose), comparisons
give element-wise values and `bool(v)` is `v.all()`. Standard library and numpy only.
"""

from __future__ import annotations

import operator

import numpy as np

from qdmlir.frontend.errors import QuadrantsCompilationError

from . import dtypes
from .matrix_types import MatrixType, VectorType


class MatrixShapeError(QuadrantsCompilationError, ValueError):
    """A host vector or matrix of the wrong shape for an operation: Quadrants raises its
    compile-time class here too (`x.trace()` of a 3x2 matrix), and it is a ValueError."""


SWIZZLE_GROUPS = ("xyzw", "rgba", "stpq")
"""GLSL's component names: `v.x`, `v.xy`, `c.rgb`, `t.st` (up to 4 letters, one group each)."""


def swizzle_indices(name: str, n: int) -> tuple[int, ...] | None:
    """The component indices `name` picks from an n-vector (`"zx"` -> (2, 0)); None if `name`
    is no swizzle; ValueError naming the components if it uses ones the vector lacks."""
    if not 1 <= len(name) <= 4:
        return None
    for group in SWIZZLE_GROUPS:
        if set(name) <= set(group):
            indices = tuple(group.index(c) for c in name)
            if max(indices) >= n:
                raise ValueError(
                    f"vec{n} only has attributes={tuple(sorted(group[:n]))}, got={tuple(name)}"
                )
            return indices
    return None


class Matrix:
    """A host vector (`qd.Vector([1, 2, 3])`, shape (n,)) or matrix (`qd.Matrix([[1, 2], [3,
    4]])`, shape (n, m)); `entries` is its numpy array, `dt` its element type if given."""

    __array_priority__ = 1000  # numpy defers to our operators: np.float32(2) * v is a Matrix

    def __init__(self, arr, dt=None):
        if isinstance(arr, Matrix):
            arr = arr.entries
        if not isinstance(arr, (list, tuple, np.ndarray)):
            raise TypeError("a qd.Matrix / qd.Vector is built from a list, a tuple or an array")
        if len(arr) and isinstance(arr[0], Matrix):
            arr = [row.to_list() for row in arr]  # rows given as vectors
        np_type = None if dt is None else dtypes.resolve(dt).np_dtype
        entries = np.array(arr, dtype=np_type)
        if entries.ndim not in (1, 2):
            raise ValueError(f"a qd.Matrix has 1 or 2 dimensions, got shape {entries.shape}")
        self.entries = entries

    # shape -----------------------------------------------------------------------------------

    @property
    def ndim(self) -> int:
        return self.entries.ndim

    @property
    def n(self) -> int:
        return self.entries.shape[0]

    @property
    def m(self) -> int:
        return self.entries.shape[1] if self.ndim == 2 else 1

    def get_shape(self) -> tuple:
        return self.entries.shape

    @property
    def dtype(self) -> dtypes.DType:
        return dtypes.from_numpy(self.entries.dtype)

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        return iter(self.entries.tolist())

    # entries ---------------------------------------------------------------------------------

    def _index(self, indices) -> tuple:
        if not isinstance(indices, tuple):
            indices = (indices,)
        if len(indices) != self.ndim:
            raise IndexError(f"Expected {self.ndim} indices, got {len(indices)}")
        return tuple(operator.index(i) for i in indices)

    def __getitem__(self, indices):
        return self.entries[self._index(indices)].item()

    def __setitem__(self, indices, value):
        self.entries[self._index(indices)] = value

    def __getattr__(self, name: str):
        if name.startswith("_") or name == "entries":
            raise AttributeError(name)
        try:
            picked = swizzle_indices(name, self.n) if self.ndim == 1 else None
        except ValueError as error:
            raise AttributeError(str(error)) from None
        if picked is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        if len(picked) == 1:
            return self.entries[picked[0]].item()
        return Vector(self.entries[list(picked)])

    def __setattr__(self, name: str, value) -> None:
        if name == "entries" or self.__dict__.get("entries") is None or self.ndim != 1:
            object.__setattr__(self, name, value)
            return
        picked = swizzle_indices(name, self.n)
        if picked is None:
            object.__setattr__(self, name, value)
            return
        values = [value] if len(picked) == 1 else list(value)
        if len(values) != len(picked):
            raise ValueError(f"value len does not match the swizzle pattern={name}")
        for index, item in zip(picked, values):
            self.entries[index] = item

    def to_numpy(self) -> np.ndarray:
        return self.entries.copy()

    def to_list(self) -> list:
        return self.entries.tolist()

    def __array__(self, dtype=None, copy=None):
        return self.entries if dtype is None else self.entries.astype(dtype)

    def cast(self, dtype) -> Matrix:
        return _like(self.entries.astype(dtypes.resolve(dtype).np_dtype))

    def fill(self, value) -> None:
        self.entries[...] = value

    def __repr__(self) -> str:
        return str(self.entries)

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return bool(np.all(self.entries))

    # operators -------------------------------------------------------------------------------

    def __matmul__(self, other):
        return matmul(self, _as_matrix(other))

    def __rmatmul__(self, other):
        return matmul(_as_matrix(other), self)

    def __neg__(self):
        return _like(-self.entries)

    def __pos__(self):
        return _like(+self.entries)

    def __invert__(self):
        return _like(~self.entries)

    def __abs__(self):
        return _like(np.abs(self.entries))

    # reductions and linear algebra -----------------------------------------------------------

    def sum(self):
        return self.entries.sum().item()

    def max(self):
        return self.entries.max().item()

    def min(self):
        return self.entries.min().item()

    def any(self) -> bool:
        return bool(np.any(self.entries))

    def all(self) -> bool:
        return bool(np.all(self.entries))

    def norm_sqr(self):
        return (self.entries * self.entries).sum().item()

    def norm(self, eps=0.0):
        return float(np.sqrt(self.norm_sqr() + eps))

    def norm_inv(self, eps=0.0):
        return float(1.0 / np.sqrt(self.norm_sqr() + eps))

    def normalized(self, eps=0.0):
        _need_vector(self, "normalized")
        return _like(self.entries / (self.norm() + eps))

    def frobenius_inner(self, other):
        return (self.entries * _as_matrix(other).entries).sum().item()

    def dot(self, other):
        other = _as_matrix(other)
        _need_vector(self, "dot")
        _need_vector(other, "dot")
        return (self.entries * other.entries).sum().item()

    def cross(self, other):
        other = _as_matrix(other)
        if self.ndim != 1 or self.get_shape() != other.get_shape() or self.n not in (2, 3):
            raise MatrixShapeError("cross() needs two vectors of size 2 or 3")
        if self.n == 2:
            a, b = self.entries, other.entries
            return (a[0] * b[1] - a[1] * b[0]).item()
        return Vector(np.cross(self.entries, other.entries))

    def outer_product(self, other):
        other = _as_matrix(other)
        _need_vector(self, "outer_product")
        _need_vector(other, "outer_product")
        return Matrix(np.outer(self.entries, other.entries))

    def transpose(self):
        if self.ndim == 1:
            raise MatrixShapeError(TRANSPOSE_OF_VECTOR)
        return Matrix(self.entries.T)

    def trace(self):
        _need_square(self)
        return np.trace(self.entries).item()

    def determinant(self):
        _need_square(self)
        return float(np.linalg.det(self.entries))

    def inverse(self):
        _need_square(self)
        return Matrix(np.linalg.inv(self.entries))

    # constructors ----------------------------------------------------------------------------

    @staticmethod
    def zero(dt, n, m=None):
        return _filled(dt, n, m, 0)

    @staticmethod
    def one(dt, n, m=None):
        return _filled(dt, n, m, 1)

    @staticmethod
    def unit(n, i, dt=None):
        entries = np.zeros(n, dtypes.resolve(int if dt is None else dt).np_dtype)
        entries[i] = 1
        return Vector(entries)

    @staticmethod
    def identity(dt, n):
        return Matrix(np.eye(n, dtype=dtypes.resolve(dt).np_dtype))

    @staticmethod
    def diag(dim, val):
        return Matrix(np.diag([val] * dim))

    @staticmethod
    def rows(rows):
        return Matrix([list(_as_matrix(r).to_list()) if isinstance(r, Matrix) else r for r in rows])

    @staticmethod
    def cols(cols):
        return Matrix.rows(cols).transpose()

    @classmethod
    def ndarray(cls, n, m, dtype, shape, needs_grad: bool = False):
        """`qd.Matrix.ndarray(n, m, dtype, shape)`: an ndarray of n x m matrices."""
        from qdmlir.frontend.fields import ndarray

        return ndarray(MatrixType(n, m, dtype), shape, needs_grad=needs_grad)

    @classmethod
    def field(cls, n, m, dtype, shape=None, order=None, name="", offset=None, **options):
        """`qd.Matrix.field(n, m, dtype, shape)`: a field of n x m matrices (qd.field's
        checks: qdmlir's program-facing entry, frontend/fields.py)."""
        from qdmlir.frontend.fields import field

        return field(MatrixType(n, m, dtype), shape, order, name, offset, **options)


class Vector(Matrix):
    """`qd.Vector([1, 2, 3])`: a host vector (a Matrix of shape (n,))."""

    def __init__(self, arr, dt=None):
        super().__init__(arr, dt)
        if self.ndim != 1:
            raise ValueError(f"a qd.Vector has one dimension, got shape {self.get_shape()}")

    @classmethod
    def ndarray(cls, n, dtype, shape, needs_grad: bool = False):
        """`qd.Vector.ndarray(n, dtype, shape)`: an ndarray of n-vectors."""
        from qdmlir.frontend.fields import ndarray

        return ndarray(VectorType(n, dtype), shape, needs_grad=needs_grad)

    @classmethod
    def field(cls, n, dtype, shape=None, order=None, name="", offset=None, **options):
        """`qd.Vector.field(n, dtype, shape)`: a field of n-vectors."""
        from qdmlir.frontend.fields import field

        return field(VectorType(n, dtype), shape, order, name, offset, **options)


TRANSPOSE_OF_VECTOR = (
    "`transpose()` cannot apply to a vector. If you want something like `a @ b.transpose()`, "
    "write `a.outer_product(b)` instead."
)


def matmul(a: Matrix, b: Matrix):
    """Quadrants' `@`: vector @ vector is the dot product; matrix @ vector a vector; vector @
    matrix multiplies by the transpose (b.T @ a); matrix @ matrix the matrix product."""
    x, y = a.entries, b.entries
    if x.ndim == 1 and y.ndim == 2:
        x, y = y.T, x
    if x.shape[-1] != y.shape[0]:
        raise MatrixShapeError(
            f"dimension mismatch in @: shapes {a.get_shape()} and {b.get_shape()}"
        )
    result = x @ y
    return result.item() if np.ndim(result) == 0 else _like(result)


def _as_matrix(value) -> Matrix:
    return value if isinstance(value, Matrix) else Matrix(np.asarray(value))


def _like(entries: np.ndarray):
    return Vector(entries) if entries.ndim == 1 else Matrix(entries)


def _filled(dt, n, m, value):
    shape = (n,) if m is None else (n, m)
    return _like(np.full(shape, value, dtypes.resolve(dt).np_dtype))


def _need_vector(value: Matrix, what: str) -> None:
    if value.ndim != 1:
        raise MatrixShapeError(
            f"{what}() needs a vector, got a matrix of shape {value.get_shape()}"
        )


def _need_square(value: Matrix) -> None:
    shape = value.get_shape()
    if len(shape) != 2 or shape[0] != shape[1]:
        raise MatrixShapeError(f"expected a square matrix, got shape {shape}")


def _binary(fn, reflected: bool = False):
    def method(self, other):
        if not isinstance(other, (Matrix, list, tuple, np.ndarray, int, float, np.generic)):
            return NotImplemented
        a, b = self.entries, other if np.isscalar(other) else _as_matrix(other).entries
        return _like(np.asarray(fn(b, a) if reflected else fn(a, b)))

    return method


for _name, _fn in {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow,
    "lshift": operator.lshift, "rshift": operator.rshift, "and": operator.and_,
    "or": operator.or_, "xor": operator.xor,
}.items():  # fmt: skip
    setattr(Matrix, f"__{_name}__", _binary(_fn))
    setattr(Matrix, f"__r{_name}__", _binary(_fn, reflected=True))
for _name, _fn in {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
    "gt": operator.gt, "ge": operator.ge,
}.items():  # fmt: skip
    setattr(Matrix, f"__{_name}__", _binary(_fn))

__all__ = ["Matrix", "Vector", "matmul", "swizzle_indices"]
