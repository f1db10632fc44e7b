"""`qd.ndarray(dtype, shape)` on the CPU: a zero-initialised, C-contiguous host array.

The Quadrants surface (`shape`, `dtype`, `fill`, `from_numpy`, `to_numpy`, `copy_from`, host
indexing `a[()]`, `a[i, j]`) over a numpy array it owns; host access is a plain memory access
(docs/performance.md). The launcher reads `_words` (data pointer, then sizes), computed once: the
buffer never moves or changes shape while the object lives.

An ndarray of vectors or matrices (`qd.ndarray(qd.math.vec3, n)`, `qd.Vector.ndarray(3, qd.f32,
n)`) keeps its elements' entries as the last axes of the numpy array: `shape` is `(n,)`,
`element_shape` `(3,)`, `to_numpy()` is `(n, 3)`, and `a[i]` is a qd.Vector that views the
element, so `a[i][j] = x` writes into the ndarray (docs/kernel-language.md).
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

from . import dtypes
from .errors import InvalidShapeError, QuadrantsIndexError
from .matrix import Matrix, Vector
from .matrix_types import MatrixType, TensorType, VectorType, element_type_string

_MAX_DIM = 2**31 - 1


class Ndarray:
    """A qd ndarray of scalars; create it with `qd.ndarray(dtype, shape)`."""

    __slots__ = ("_arr", "_words", "_dtype", "_shape", "_element_shape", "__weakref__")

    def __init__(self, dtype, shape, element_shape: tuple = ()):
        self._dtype = dtypes.as_dtype(dtype)
        self._shape = _check_shape(shape)
        self._element_shape = tuple(element_shape)
        self._arr = np.zeros(self._shape + self._element_shape, dtype=self._dtype.np_dtype)
        # the launcher's words for this argument: data pointer, then the sizes (architecture §5);
        # an element's own sizes are part of the kernel's type, not words
        self._words = (self._arr.ctypes.data, *self._shape)

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def element_shape(self) -> tuple:
        """`()` for scalars, `(n,)` for vectors, `(n, m)` for matrices."""
        return self._element_shape

    @property
    def element_type(self) -> TensorType | dtypes.DType:
        """Quadrants' element type: the dtype, or a tensor type with `.shape()` and
        `.element_type()` for vector and matrix elements."""
        return TensorType(self._element_shape, self._dtype) if self._element_shape else self._dtype

    def __repr__(self) -> str:
        element = element_type_string(self._element_shape, self.dtype)
        return f"<qd.ndarray {element}{list(self.shape)}>"

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d qd.ndarray; read it with a[()]")
        return self.shape[0]

    # host access -------------------------------------------------------------------------------

    def __getitem__(self, key):
        if self._element_shape:
            return _element_view(self._arr[self._index(key)])
        if (type(key) is tuple and len(key) == len(self._shape)) or (
            type(key) is int and len(self._shape) == 1
        ):
            return self._arr.item(key)  # the common case: numpy checks bounds itself
        return self._arr.item(self._index(key))

    def __setitem__(self, key, value):
        if self._element_shape:
            self._arr[self._index(key)] = self._checked_element(value)
            return
        if not (type(key) is tuple and len(key) == len(self._shape)):
            key = self._index(key)
        self._arr[key] = self._checked_value(value)

    def fill(self, value) -> None:
        """Set every element to `value` (range-checked for the dtype); a vector or matrix
        ndarray also takes one value per element entry (`a.fill(vec2(1, 2))`)."""
        if self._element_shape:
            self._arr[...] = self._checked_element(value)
            return
        self._arr.fill(self._checked_value(value))

    def from_numpy(self, arr) -> None:
        """Copy `arr` (same shape, the element's axes last; converted to this dtype) into the
        ndarray."""
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"{np.ndarray} expected, but {type(arr)} provided")
        if arr.shape != self._arr.shape:
            raise ValueError(
                f"Mismatch shape: {self._arr.shape} expected, but {arr.shape} provided"
            )
        np.copyto(self._arr, arr, casting="unsafe")

    def to_numpy(self, dtype=None, *, copy=True) -> np.ndarray:
        """A copy of the contents; `copy=False` (or None) returns a zero-copy view instead."""
        if copy is True:
            out = self._arr.copy()
            return out if dtype is None else out.astype(dtype)
        if dtype is not None and np.dtype(dtype) != self._arr.dtype:
            if copy is False:
                raise ValueError(
                    f"copy=False is incompatible with dtype conversion ({self._arr.dtype} -> {dtype})"
                )
            return self._arr.astype(dtype)
        return self._arr.view()

    def copy_from(self, other: Ndarray) -> None:
        """Copy all elements of another qd.ndarray of the same shape."""
        if not isinstance(other, Ndarray):
            raise TypeError(f"copy_from expects a qd.ndarray, got {type(other).__name__}")
        if other._arr.shape != self._arr.shape:
            raise ValueError(
                f"copy_from shape mismatch: destination {self._arr.shape} vs source "
                f"{other._arr.shape}"
            )
        np.copyto(self._arr, other._arr, casting="unsafe")

    def __deepcopy__(self, memo=None) -> Ndarray:
        copy = type(self)(self.dtype, self.shape, self._element_shape)
        copy._arr[...] = self._arr
        return copy

    def __reduce__(self):
        # the contents, not the slots: `_words` holds this process's data pointer
        return (_from_numpy, (self._dtype.name, self._arr))

    def __array__(self, dtype=None, copy=None):
        # np.asarray(a) works like a.to_numpy(copy=False)
        if copy:
            return self.to_numpy(dtype)
        return self._arr if dtype is None else self._arr.astype(dtype)

    # checks ------------------------------------------------------------------------------------

    def _index(self, key) -> tuple:
        if key is None:
            key = ()
        elif not isinstance(key, tuple):
            key = (key,)
        if len(key) != len(self.shape):  # Quadrants' class, an IndexError
            raise QuadrantsIndexError(
                f"{len(self.shape)}d ndarray indexed with {len(key)}d indices: {key}"
                + (" (use a[()] for a 0-d ndarray)" if not self.shape else "")
            )
        try:
            key = tuple(map(operator.index, key))
        except TypeError:
            raise IndexError(f"qd.ndarray indices must be integers, got {key!r}") from None
        for axis, (i, n) in enumerate(zip(key, self.shape)):
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
        return key

    def _checked_element(self, value) -> np.ndarray:
        """A vector or matrix element value (a qd.Vector / qd.Matrix, a nested list, or one
        number for every entry) as entries of the element's shape."""
        entries = value.entries if isinstance(value, Matrix) else np.asarray(value)
        if entries.shape not in ((), self._element_shape):
            raise ValueError(
                f"cannot store a value of shape {entries.shape} in a qd.ndarray of "
                f"{element_type_string(self._element_shape, self._dtype)}"
            )
        if not self._dtype.is_float and entries.dtype.kind == "f":
            raise TypeError(
                f"cannot store floats {entries.tolist()} in a qd.ndarray of "
                f"{element_type_string(self._element_shape, self._dtype)}; convert them first"
            )
        return entries

    def _checked_value(self, value):
        dtype = self._dtype
        if type(value) is int and dtype.min <= value <= dtype.max:
            return value  # the common case, before the ABC checks below
        if dtype.is_float:
            if not isinstance(value, numbers.Real):
                raise TypeError(
                    f"cannot store {type(value).__name__} {value!r} in a qd.{dtype} ndarray"
                )
            return value
        if isinstance(value, (float, np.floating)) or not isinstance(value, numbers.Integral):
            raise TypeError(
                f"cannot store {type(value).__name__} {value!r} in a qd.{dtype} ndarray; "
                "convert it with int(...) first"
            )
        if not dtype.min <= value <= dtype.max:
            raise OverflowError(
                f"{value} is out of range for qd.{dtype} [{dtype.min}, {dtype.max}]"
            )
        return value


def _from_numpy(dtype: str, contents: np.ndarray) -> Ndarray:
    """An unpickled Ndarray: a new buffer holding `contents`."""
    made = Ndarray(dtype, contents.shape)
    made._arr[...] = contents
    return made


def _check_shape(shape) -> tuple[int, ...]:
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        dims = tuple(operator.index(n) for n in shape)
    except TypeError:
        raise InvalidShapeError(f"{shape!r} is not a valid shape for ndarray: use ints") from None
    if not all(0 < n <= _MAX_DIM for n in dims):
        raise InvalidShapeError(
            f"{shape} is not a valid shape for ndarray: each size in [1, {_MAX_DIM}]"
        )
    return dims


class VectorNdarray(Ndarray):
    """An ndarray of vectors: `qd.Vector.ndarray(n, dtype, shape)`, `qd.ndarray(vec3, shape)`."""

    __slots__ = ()

    @property
    def n(self) -> int:
        return self._element_shape[0]


class MatrixNdarray(Ndarray):
    """An ndarray of matrices: `qd.Matrix.ndarray(n, m, dtype, shape)`."""

    __slots__ = ()

    @property
    def n(self) -> int:
        return self._element_shape[0]

    @property
    def m(self) -> int:
        return self._element_shape[1]


def _element_view(entries: np.ndarray) -> Matrix:
    """A qd.Vector / qd.Matrix whose entries are a view of the ndarray's memory."""
    value = object.__new__(Vector if entries.ndim == 1 else Matrix)
    object.__setattr__(value, "entries", entries)
    return value


_FACTORY = None  # the class qd.ndarray makes: None = Ndarray; qd.init(arch=qd.cuda) sets its own


def use_array_class(factory) -> None:
    """Make `qd.ndarray(...)` build `factory(dtype, shape)` (None: the host Ndarray)."""
    global _FACTORY
    _FACTORY = factory


def ndarray(dtype, shape, needs_grad=False):
    """`qd.ndarray(qd.f32, (16, 8))`: a zero-initialised ndarray (Quadrants' signature), in
    device memory after `qd.init(arch=qd.cuda)`. `dtype` may be a vector or matrix type
    (`qd.math.vec3`, `qd.types.matrix(2, 2, qd.f32)`): an ndarray of those."""
    if needs_grad:
        raise NotImplementedError("qd.ndarray(needs_grad=True): autodiff is not supported yet")
    if isinstance(dtype, MatrixType):
        return _compound_ndarray(dtype, shape)
    try:
        dtypes.as_dtype(dtype)
    except (KeyError, TypeError) as error:
        reason = error.args[0] if error.args else error
        raise TypeError(
            f"qd.ndarray({dtype!r}, {shape!r}): {reason}; pass a qd type such as qd.f32"
        ) from None
    return Ndarray(dtype, shape) if _FACTORY is None else _FACTORY(dtype, shape)


def _compound_ndarray(kind: MatrixType, shape):
    if kind.is_open:
        raise TypeError(
            f"qd.ndarray({kind.to_string()}, ...): give the element's sizes and dtype, e.g. "
            "qd.types.vector(3, qd.f32)"
        )
    cls = VectorNdarray if isinstance(kind, VectorType) else MatrixNdarray
    if _FACTORY is not None:
        return _FACTORY(kind.dtype, shape, kind.shape)
    return cls(kind.dtype, shape, kind.shape)
