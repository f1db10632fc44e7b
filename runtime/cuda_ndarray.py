"""`qd.ndarray` under `qd.init(arch=qd.cuda)`: a zero-initialised, C-contiguous device array.

The same surface as the CPU `Ndarray` (runtime/ndarray.py); host access copies: `a[()]` reads
one element back (after the queued kernels), `a[i] = v` writes one. It exports
`__cuda_array_interface__`, so `cupy.asarray(a)` / `torch.as_tensor(a, device="cuda")` view
it without a copy; the launcher takes its pointer from `_words` (pointer, then the sizes). An
ndarray of vectors or matrices keeps their entries as its last axes, as on the CPU; `a[i]`
reads the element back as a qd.Vector (a copy: write a whole element with `a[i] = v`).
HIP's `qd.ndarray` (runtime/hip.py) is this class over the HIP device (`_current_device`).
"""

from __future__ import annotations

import ctypes

import numpy as np

from . import dtypes
from .cuda_driver import current_device
from .matrix import Matrix, Vector
from .matrix_types import element_type_string
from .ndarray import Ndarray, _check_shape


class DeviceNdarray:
    """A qd ndarray in GPU memory; create it with `qd.ndarray(dtype, shape)` on qd.cuda."""

    __slots__ = (
        "_device", "_pointer", "_words", "_dtype", "_shape", "_element_shape", "_nbytes",
        "__weakref__",
    )  # fmt: skip
    _arch = "cuda"  # for messages: the qd arch whose device memory this is

    def __init__(self, dtype, shape, element_shape: tuple = ()):
        self._dtype = dtypes.as_dtype(dtype)
        self._shape = _check_shape(shape)
        self._element_shape = tuple(element_shape)
        count = int(np.prod(self._shape + self._element_shape, dtype=np.int64))
        self._nbytes = count * self._dtype.itemsize
        self._device = self._current_device()
        self._pointer = self._device.alloc(self._nbytes)
        self._device.memset(self._pointer, 0, 1, self._nbytes)
        self._words = (self._pointer, *self._shape)

    def __del__(self):
        pointer = getattr(self, "_pointer", None)
        if pointer:
            try:
                self._device.free(pointer)
            except Exception:  # noqa: BLE001 - interpreter shutdown: the driver may be gone
                pass

    dtype = Ndarray.dtype
    shape = Ndarray.shape
    ndim = Ndarray.ndim
    element_shape = Ndarray.element_shape
    element_type = Ndarray.element_type
    _checked_element = Ndarray._checked_element
    __len__ = Ndarray.__len__
    _index = Ndarray._index
    _checked_value = Ndarray._checked_value

    @staticmethod
    def _current_device():
        return current_device()

    def __repr__(self) -> str:
        element = element_type_string(self._element_shape, self.dtype)
        return f"<qd.ndarray {element}{list(self.shape)} on {self._arch}>"

    @property
    def _full_shape(self) -> tuple:
        return self._shape + self._element_shape

    @property
    def __cuda_array_interface__(self) -> dict:
        return {
            "shape": self._full_shape,
            "typestr": self._dtype.np_dtype.str,
            "strides": None,
            "data": (self._pointer, False),
            "version": 3,
            "stream": None,
        }

    # host access: one element through a small host buffer ----------------------------------

    def _offset(self, key) -> int:
        key = self._index(key)
        flat = (
            int(np.ravel_multi_index(tuple(i % n for i, n in zip(key, self._shape)), self._shape))
            if key
            else 0
        )
        entries = int(np.prod(self._element_shape, dtype=np.int64))
        return self._pointer + flat * entries * self._dtype.itemsize

    def __getitem__(self, key):
        item = np.empty(self._element_shape, self._dtype.np_dtype)
        self._device.to_host(item.ctypes.data, self._offset(key), item.nbytes)
        if self._element_shape:
            return Vector(item) if item.ndim == 1 else Matrix(item)
        return item.item()

    def __setitem__(self, key, value):
        checked = (
            self._checked_element(value) if self._element_shape else self._checked_value(value)
        )
        item = np.empty(self._element_shape, self._dtype.np_dtype)
        item[...] = checked
        self._device.to_device(self._offset(key), item.ctypes.data, item.nbytes)

    def fill(self, value) -> None:
        """Set every element to `value` (a device memset where the pattern allows); a vector
        or matrix ndarray also takes one value per element entry."""
        if self._element_shape and not np.isscalar(value):
            self.from_numpy(np.broadcast_to(self._checked_element(value), self._full_shape))
            return
        item = np.array(self._checked_value(value), dtype=self._dtype.np_dtype)
        size = item.nbytes
        if size in (1, 2, 4):
            pattern = int(item.view({1: np.uint8, 2: np.uint16, 4: np.uint32}[size]))
            self._device.memset(self._pointer, pattern, size, self._nbytes // size)
        else:
            self.from_numpy(np.full(self._full_shape, item, self._dtype.np_dtype))

    def from_numpy(self, arr) -> None:
        """Copy `arr` (same shape; converted to this dtype) to the device."""
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"{np.ndarray} expected, but {type(arr)} provided")
        if arr.shape != self._full_shape:
            raise ValueError(
                f"Mismatch shape: {self._full_shape} expected, but {arr.shape} provided"
            )
        host = np.ascontiguousarray(arr, dtype=self._dtype.np_dtype)
        self._device.to_device(self._pointer, host.ctypes.data, self._nbytes)

    def to_numpy(self, dtype=None, *, copy=True) -> np.ndarray:
        """A host copy of the contents (after the queued kernels); `copy=False` cannot be a
        view of device memory, so it raises."""
        if copy is False:
            raise ValueError(
                f"to_numpy(copy=False): a {self._arch} ndarray has no host view; "
                "use copy=True, or cupy.asarray(a) for a zero-copy device view"
            )
        out = np.empty(self._full_shape, self._dtype.np_dtype)
        self._device.to_host(out.ctypes.data, self._pointer, self._nbytes)
        return out if dtype is None else out.astype(dtype)

    def copy_from(self, other) -> None:
        """Copy all elements of another qd.ndarray of the same shape (device or host)."""
        if isinstance(other, Ndarray):
            self.from_numpy(other.to_numpy(copy=False))
            return
        if not isinstance(other, DeviceNdarray):
            raise TypeError(f"copy_from expects a qd.ndarray, got {type(other).__name__}")
        if other._full_shape != self._full_shape:
            raise ValueError(
                f"copy_from shape mismatch: destination {self._full_shape} vs source "
                f"{other._full_shape}"
            )
        if other.dtype is not self.dtype:
            self.from_numpy(other.to_numpy())
            return
        self._device.copy(self._pointer, other._pointer, self._nbytes)

    def __deepcopy__(self, memo=None) -> DeviceNdarray:
        copy = type(self)(self.dtype, self.shape, self._element_shape)
        copy.copy_from(self)
        return copy

    def __array__(self, dtype=None, copy=None):
        return self.to_numpy(dtype)


def host_address(buffer) -> int:
    """The address of a writable host buffer (for tests and the fake driver)."""
    return ctypes.addressof(ctypes.c_char.from_buffer(buffer))
