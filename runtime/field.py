"""`qd.field(dtype, shape, offset=...)`: a dense field, Quadrants' host API over an ndarray.

A field is storage plus an index offset. The storage is whatever `qd.ndarray` makes for the
current arch (runtime/ndarray.py on the CPU, device memory on CUDA / ROCm), so a kernel that
reaches a field as a global, a `self` member or a `qd.template()` argument gets that storage as
an ordinary ndarray argument at every launch (docs/kernel-language.md, "Fields"): writing new
contents never recompiles. The offset shifts every index, on the host and in kernels. A field of
vectors or matrices (`qd.Vector.field(3, qd.f32, n)`, `qd.field(qd.math.vec3, n)`) stores them
as an ndarray of them: `f[i]` is a qd.Vector viewing the element, `to_numpy()` is `(n, 3)`.

Errors keep Quadrants' classes and phrases (test_field.py matches them): an index count that
does not match is an AssertionError "Slicing is not supported on qd.field", a slice or float
index a TypeError "Detected illegal element of type ...". Unlike Quadrants, which reads 0 and
drops writes outside the field, a host index out of range is an IndexError.
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

from . import dtypes
from .matrix_types import element_type_string
from .ndarray import ndarray


class Field:
    """A dense field; create it with `qd.field(dtype, shape, offset=None)`. `dtype` is a scalar
    type or a vector / matrix type (runtime/matrix_types.py)."""

    __slots__ = ("_storage", "_offset", "_name", "__weakref__")

    def __init__(self, dtype, shape: tuple[int, ...], offset=None, name: str = ""):
        # an empty offset and no offset index the same way; None keeps the common case cheap
        self._offset = offset if offset and any(offset) else None
        self._storage = ndarray(dtype, shape)
        self._name = name

    # what Quadrants' fields answer ----------------------------------------------------------

    @property
    def dtype(self) -> dtypes.DType:
        return self._storage.dtype

    @property
    def shape(self) -> tuple[int, ...]:
        return self._storage.shape

    @property
    def ndim(self) -> int:
        return len(self._storage.shape)

    @property
    def element_shape(self) -> tuple[int, ...]:
        """`()` for scalars, `(n,)` for vectors, `(n, m)` for matrices."""
        return self._storage.element_shape

    @property
    def n(self) -> int:
        """Entries of a vector, rows of a matrix (Quadrants' name)."""
        return self._element_shape()[0]

    @property
    def m(self) -> int:
        """Columns of a matrix; 1 for a vector."""
        shape = self._element_shape()
        return shape[1] if len(shape) == 2 else 1

    def _element_shape(self) -> tuple[int, ...]:
        if not self.element_shape:
            raise AttributeError(f"a field of {self.dtype.name} scalars has no n or m")
        return self.element_shape

    @property
    def offset(self) -> tuple[int, ...]:
        """The index of the first element along each axis (zeros without an offset)."""
        return self._offset or (0,) * self.ndim

    def __repr__(self) -> str:
        name = f" {self._name!r}" if self._name else ""
        where = "" if self._offset is None else f" offset {list(self._offset)}"
        element = element_type_string(self.element_shape, self.dtype)
        return f"<qd.field{name} {element}{list(self.shape)}{where}>"

    def __iter__(self):
        raise NotImplementedError(
            "Struct for is only available in Quadrants scope: `for i in field` loops over a "
            "field inside a @qd.kernel; on the host, loop over range(field.shape[0]) or "
            "field.to_numpy()"
        )

    # host access ---------------------------------------------------------------------------

    def __getitem__(self, key):
        return self._storage[self._index(key)]

    def __setitem__(self, key, value):
        self._storage[self._index(key)] = value

    def fill(self, value) -> None:
        """Set every element to `value`, converted to the field's dtype as a kernel would
        (a float into an integer field truncates, as in Quadrants); a vector or matrix field
        also takes one value per entry."""
        if self.element_shape and not isinstance(value, numbers.Real):
            self._storage.fill(value)
            return
        if not isinstance(value, numbers.Real):
            raise TypeError(f"cannot fill a qd.{self.dtype.name} field with {value!r}")
        self._storage.fill(self.dtype.np_dtype.type(value).item())

    def from_numpy(self, arr) -> None:
        """Copy `arr` (the field's shape, then the element's; converted to its dtype) into the
        field."""
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"{np.ndarray} expected, but {type(arr)} provided")
        full = self.shape + self.element_shape
        if arr.shape != full:
            raise ValueError(f"Mismatch shape: {full} expected, but {arr.shape} provided")
        self._storage.from_numpy(arr)

    def to_numpy(self, dtype=None, keep_dims: bool = False) -> np.ndarray:
        """A copy of the contents, the element's axes last; element [0, ...] is the one at the
        field's offset. `keep_dims` keeps a vector's second axis of 1, as Quadrants does."""
        out = self._storage.to_numpy(dtype)
        if keep_dims and len(self.element_shape) == 1:
            out = out[..., np.newaxis]
        return out

    def copy_from(self, other: Field) -> None:
        """Copy every element of another field of the same shape, converting its dtype."""
        if not isinstance(other, Field):
            raise TypeError(
                f"copy_from expects a qd.field, got {type(other).__name__}; "
                "copy a numpy array in with from_numpy"
            )
        if other.shape != self.shape:
            raise ValueError(
                f"copy_from shape mismatch: destination {self.shape} vs source {other.shape}"
            )
        self._storage.from_numpy(other.to_numpy())

    def _index(self, key) -> tuple[int, ...]:
        """`key` as storage indices: one integer per axis (`f[None]` or `f[()]` for 0-d),
        minus the offset, inside the field."""
        if key is None:
            key = ()
        elif not isinstance(key, tuple):
            key = (key,)
        for part in key:
            if not isinstance(part, numbers.Integral):
                raise TypeError(
                    f"Detected illegal element of type: {type(part)}. Please be aware that "
                    "slicing a qd.field is not supported so far."
                )
        shape = self.shape
        if len(key) != len(shape):
            raise AssertionError(
                f"Slicing is not supported on qd.field: a {len(shape)}-d field is indexed with "
                f"{len(shape)} integers (f[None] for a 0-d field), got {len(key)}"
            )
        offset = self.offset
        local = tuple(operator.index(i) - o for i, o in zip(key, offset))
        for axis, (i, n, o) in enumerate(zip(local, shape, offset)):
            if not 0 <= i < n:
                raise IndexError(
                    f"index {i + o} is out of bounds for axis {axis} of a qd.field with "
                    f"indices {o}..{o + n - 1}"
                )
        return local


def field_shape(shape) -> tuple[int, ...]:
    """`shape` as a tuple of ints (an int is a 1-d shape); TypeError for anything else. Zero
    or negative sizes are the caller's to report (Quadrants raises QuadrantsRuntimeError)."""
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        return tuple(operator.index(n) for n in shape)
    except TypeError:
        raise TypeError(
            f"qd.field shape must be an int or a tuple of ints, got {shape!r}"
        ) from None


def field_offset(offset, ndim: int) -> tuple[int, ...] | None:
    """`offset` as one int per axis (an int for a 1-d field), or None."""
    if offset is None:
        return None
    if isinstance(offset, numbers.Integral):
        offset = (offset,)
    try:
        offset = tuple(operator.index(o) for o in offset)
    except TypeError:
        raise TypeError(
            f"qd.field offset must be an int or a tuple of ints, got {offset!r}"
        ) from None
    if len(offset) != ndim:
        raise ValueError(
            f"qd.field offset {offset} has {len(offset)} entries for a {ndim}-d field; give "
            "one per axis"
        )
    return offset
