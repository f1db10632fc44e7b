"""Argument packers for the CPU launcher: one validated argument -> its words (architecture.md §5).

Each packer writes its argument's words into a per-thread buffer and returns a token; the
launcher skips packing while the next call's argument yields the same token (by identity).
Errors name the argument by position and name and say how to fix the call.
"""

from __future__ import annotations

import ctypes
import math
import numbers
import weakref

import numpy as np

from .abi import WordLayout
from .artifact import ArgSpec
from .errors import ArrayArgumentError, QuadrantsRuntimeTypeError
from .matrix import Matrix
from .matrix_types import MatrixType, VectorType, element_type_string
from .ndarray import Ndarray

# A token no argument ever has: positions holding a numpy array are re-packed on every call,
# since a numpy array's shape, strides and dtype can be reassigned in place.
REPACK = object()


class Words:
    """One thread's word buffer in an abi.WordLayout: the argument words, the state pointer,
    then the state itself."""

    __slots__ = ("buffer", "address", "f32", "f64", "tokens", "arrays")

    def __init__(self, layout: WordLayout, arg_count: int):
        size = layout.size
        self.buffer = (ctypes.c_int64 * size)()
        self.address = ctypes.addressof(self.buffer)
        self.buffer[layout.state_pointer] = self.address + 8 * layout.state
        # float views of the same memory: a float scalar is written without struct packing
        self.f64 = (ctypes.c_double * size).from_buffer(self.buffer)
        self.f32 = (ctypes.c_float * (2 * size)).from_buffer(self.buffer)
        self.tokens = [REPACK] * arg_count
        # per position: (weakref, shape, strides, dtype) of the numpy array packed last
        self.arrays: list[tuple | None] = [None] * arg_count


def describe(value) -> str:
    """`numpy.ndarray float64 (3, 4)`, `qd.ndarray f32[3]`, `str 'x'`: for error messages."""
    if isinstance(value, np.ndarray):
        return f"numpy.ndarray {value.dtype} with shape {value.shape}"
    if isinstance(value, Ndarray):
        return repr(value)
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '...' if len(text) > 40 else text}"


def make_packer(kernel: str, position: int, spec: ArgSpec, word: int, max_extent: int):
    """The packer of argument `position`, whose words start at index `word`; an ndarray axis
    longer than `max_extent` (the kernel's default int, manifest.py) is refused."""
    where = f"kernel {kernel!r} argument {position} ({spec.name!r})"
    if spec.kind == "ndarray":
        return _ndarray_packer(where, position, spec, word, max_extent)
    if spec.kind == "matrix":
        return _matrix_packer(where, spec, word)
    if spec.qd_dtype.is_float:
        return _float_packer(where, spec, word)
    return _int_packer(where, spec, word)


class NotContiguous(ValueError):
    """A non-C-contiguous array for an argument compiled for C-contiguous ones. The kernel
    catches it and launches the specialisation for that layout (frontend/kernel.py); it
    reaches a user only through a launcher built by hand for a contiguous argument."""

    def __init__(self, where: str, strides: tuple):
        self.where, self.strides = where, strides
        super().__init__(
            f"{where}: this launcher was built for a C-contiguous array and got strides "
            f"{strides}; launch through the kernel (which compiles the strided variant) "
            "or pass np.ascontiguousarray(x)"
        )


def _ndarray_packer(where: str, position: int, spec: ArgSpec, word: int, max_extent: int):
    dtype, ndim, element, strided = spec.qd_dtype, spec.ndim, spec.element_shape, spec.strided
    end = word + 1 + ndim
    wanted = (
        f"a {ndim}-d {element_type_string(element, dtype)} ndarray (qd.ndarray, numpy.ndarray "
        "or a DLPack tensor)"
    )

    def pack(words: Words, value):
        if isinstance(value, Ndarray):
            if value._element_shape != element:
                raise element_mismatch(where, spec, value._element_shape, value._dtype)
            if len(value._shape) != ndim:  # as Quadrants: a ValueError
                raise ndim_mismatch(where, spec.name, ndim, value._shape)
            if value._dtype is not dtype:  # as Quadrants: a TypeError, in its words
                raise element_mismatch(where, spec, (), value._dtype, value)
            if value._arr.size > max_extent:  # qd.ndarray's axes fit i32; a narrower default not
                _check_extents(where, value._shape, max_extent)
            words.arrays[position] = None  # the buffer no longer holds that array's words
            if strided:
                _write_strided(words, word, ndim, value._arr)
                return REPACK
            words.buffer[word:end] = value._words
            return value._words
        if not isinstance(value, np.ndarray):
            value = _from_dlpack(where, value, wanted, dtype)
        seen = words.arrays[position]
        # the same array as last time, unchanged in place: its words are still in the buffer
        if (
            seen is not None
            and seen[0]() is value
            and seen[1:] == (value.shape, value.strides, value.dtype)
        ):
            return REPACK
        _check_numpy(where, value, spec, strided, element)
        size = value.size
        if size > max_extent or not size:  # only then can an axis be too long
            _check_extents(where, value.shape[:ndim], max_extent)
        if strided:
            _write_strided(words, word, ndim, value)
        else:
            words.buffer[word] = _data_pointer(value)
            words.buffer[word + 1 : end] = value.shape[:ndim]
        words.arrays[position] = (weakref.ref(value), value.shape, value.strides, value.dtype)
        return REPACK

    return pack


def _write_strided(words: Words, word: int, ndim: int, value: np.ndarray) -> None:
    """A strided argument's words: the first element's address, the sizes of the `ndim`
    outer axes, then a stride per axis, the element's included, in elements (numpy's are in
    bytes; _check_numpy made sure they divide)."""
    itemsize = value.itemsize
    words.buffer[word] = value.ctypes.data if value.size else 0
    words.buffer[word + 1 : word + 1 + ndim] = value.shape[:ndim]
    after = word + 1 + ndim
    words.buffer[after : after + value.ndim] = [s // itemsize for s in value.strides]


def _from_dlpack(where: str, value, wanted: str, dtype) -> np.ndarray:
    """A DLPack tensor (torch, JAX, CuPy, ... on the host) as a numpy view of its memory: no
    copy, so the kernel writes into the tensor itself."""
    if not hasattr(value, "__dlpack__"):
        raise QuadrantsRuntimeTypeError(
            f"{where}: expected {wanted}, got {describe(value)}; "
            f"create one with qd.ndarray(qd.{dtype.name}, shape) or np.zeros(shape, np.{dtype.np_dtype})"
        )
    try:
        device = tuple(value.__dlpack_device__())
    except Exception:  # noqa: BLE001 - a producer without a device: let from_dlpack decide
        device = None
    if device is not None and device[0] not in (1, 3):  # kDLCPU, kDLCUDAHost
        raise QuadrantsRuntimeTypeError(
            f"{where}: the DLPack tensor {describe(value)} is on device {device}, not in host "
            "memory, which the CPU target reads; move it to the host first (torch: x.cpu())"
        )
    try:
        return np.from_dlpack(value)
    except (TypeError, ValueError, BufferError, RuntimeError) as error:
        raise QuadrantsRuntimeTypeError(
            f"{where}: the DLPack tensor {describe(value)} cannot be read without a copy: {error}"
        ) from None


def ndim_mismatch(where: str, name: str, ndim: int, shape: tuple) -> ArrayArgumentError:
    """An ndarray with the wrong number of axes, in Quadrants' words (a ValueError)."""
    return ArrayArgumentError(
        f"{where}: Invalid value for argument {name} - required ndim={ndim}, but {len(shape)}d "
        f"ndarray with shape {tuple(shape)} is provided; pass a {ndim}-d array, or annotate the "
        f"parameter with ndim={len(shape)}"
    )


def element_mismatch(where: str, spec: ArgSpec, shape: tuple, dtype, value=None) -> Exception:
    """An ndarray whose elements are not the parameter's, in Quadrants' words: a ValueError
    when a vector or matrix was required, a TypeError when a scalar was."""
    given = element_type_string(shape, dtype)
    if not spec.element_shape:
        got = "" if value is None else f" ({describe(value)})"
        return TypeError(
            f"{where}: Expect element type {spec.dtype} for argument {spec.name}, but get "
            f"{given}{got}; pass an ndarray of qd.{spec.dtype}"
        )
    kind = VectorType if len(spec.element_shape) == 1 else MatrixType
    required = kind(*spec.element_shape, spec.dtype).to_string()
    return ValueError(
        f"{where}: Invalid value for argument {spec.name} - required element type: {required}, "
        f"but {given} is provided"
    )


def _check_numpy(
    where: str, value: np.ndarray, spec: ArgSpec, strided: bool, element: tuple = ()
) -> None:
    dtype, ndim = spec.qd_dtype, spec.ndim
    if value.ndim != ndim + len(element) or value.shape[ndim:] != element:
        if element:
            raise ArrayArgumentError(
                f"{where}: expected an array of shape (..., {', '.join(map(str, element))}) "
                f"with {ndim} axes before the element's (a {ndim}-d ndarray of "
                f"{element_type_string(element, dtype)}), got {describe(value)}"
            )
        raise ndim_mismatch(where, spec.name, ndim, value.shape)
    if value.dtype != dtype.np_dtype:
        raise ArrayArgumentError(
            f"{where}: expected dtype {dtype.np_dtype} (qd.{dtype.name}), got {describe(value)}; "
            f"convert it with x.astype(np.{dtype.np_dtype})"
        )
    flags = value.flags
    if not flags.writeable:
        raise ValueError(f"{where}: the array is read-only; pass a writable copy, np.array(x)")
    if not flags.aligned or any(s % value.itemsize for s in value.strides):
        raise ValueError(
            f"{where}: the array is not aligned to its elements (strides {value.strides}); "
            "pass a copy, np.array(x)"
        )
    if not strided and not flags.c_contiguous:
        raise NotContiguous(where, value.strides)


def _check_extents(where: str, shape: tuple, max_extent: int) -> None:
    """Refuse an axis the kernel's `x.shape[k]` cannot hold (docs/kernel-language.md): it
    would wrap, and loops over it would run the wrong number of times. Arrays with more
    elements than that in all are fine: element offsets are computed in 64 bits."""
    for axis, extent in enumerate(shape):
        if extent > max_extent:
            parts = next(
                (k for k in range(-(-extent // max_extent), 1024) if extent % k == 0), None
            )
            split = f"x.reshape({parts}, -1) for a 1-d x, " if parts else ""
            raise ValueError(
                f"{where}: axis {axis} has {extent} elements, more than the kernel's default "
                f"int holds ({max_extent}), the type of x.shape[{axis}] and of loop indices "
                f"over it; split it into more axes ({split}arrays this large in total are "
                f"fine when each axis fits), or qd.init(default_ip=qd.i64)"
            )


def _data_pointer(value: np.ndarray) -> int:
    if value.size == 0:
        return 0
    # 4x cheaper than value.ctypes.data; needs a writable buffer, checked above
    return ctypes.addressof(ctypes.c_char.from_buffer(value))


def _int_packer(where: str, spec: ArgSpec, word: int):
    dtype = spec.qd_dtype
    low, high = dtype.min, dtype.max
    wrap = 2**64 if dtype.bits == 64 and not dtype.signed else 0

    def pack(words: Words, value):
        if type(value) is not int:
            if isinstance(value, (float, np.floating)) or not isinstance(value, numbers.Integral):
                raise QuadrantsRuntimeTypeError(
                    f"{where}: expected an integer for qd.{dtype.name}, got {describe(value)}"
                    + ("; convert it with int(...)" if isinstance(value, numbers.Real) else "")
                )
            value = int(value)
        if not low <= value <= high:
            raise OverflowError(
                f"{where}: {value} is out of range for qd.{dtype.name} [{low}, {high}]"
            )
        # the word is a signed int64; the kernel reads the low bytes (two's complement)
        words.buffer[word] = value - wrap if value > 2**63 - 1 else value
        return value

    return pack


def _float_packer(where: str, spec: ArgSpec, word: int):
    dtype = spec.qd_dtype
    limit = dtype.max

    def pack(words: Words, value):
        if type(value) is not float:
            if not isinstance(value, numbers.Real):
                raise QuadrantsRuntimeTypeError(
                    f"{where}: expected a real number for qd.{dtype.name}, got {describe(value)}"
                )
            value = float(value)
        if not -limit <= value <= limit and math.isfinite(value):
            raise OverflowError(
                f"{where}: {value} is out of range for qd.{dtype.name} (max {limit})"
            )
        if dtype.bits == 64:
            words.f64[word] = value
        elif dtype.bits == 32:
            words.f32[2 * word] = value
        else:  # f16: its bit pattern in the low 2 bytes
            words.buffer[word] = int(np.array(value, np.float16).view(np.uint16))
        return value

    return pack


def _matrix_packer(where: str, spec: ArgSpec, word: int):
    """A vector or matrix by value: one word per entry, row-major, each written as a scalar of
    the element type is (range-checked the same way)."""
    dtype, shape = spec.qd_dtype, spec.element_shape
    scalar = ArgSpec(spec.name, "scalar", spec.dtype)
    entries = [
        (_float_packer if dtype.is_float else _int_packer)(where, scalar, word + k)
        for k in range(spec.entries)
    ]

    def pack(words: Words, value):
        array = value.entries if isinstance(value, Matrix) else value
        try:
            array = np.asarray(array)
        except (TypeError, ValueError):
            array = None
        if array is None or array.shape != shape:
            raise TypeError(
                f"{where}: expected a {element_type_string(shape, dtype)} value (a qd.Vector / "
                f"qd.Matrix or a nested list of that shape), got {describe(value)}"
            )
        for pack_entry, item in zip(entries, array.ravel().tolist()):
            pack_entry(words, item)
        return REPACK

    return pack
