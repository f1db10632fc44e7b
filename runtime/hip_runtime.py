"""The HIP runtime library (libamdhip64.so) through ctypes, as the ROCm runtime path uses it.

docs/targets.md (ROCm). UNTESTED ON HARDWARE: no AMD GPU was available; the calls are checked
against a fake library (tests/python/fake_hip.py, which enforces SIGNATURES through ctypes'
own argument conversion) and, where ROCm's library is installed, for existence and argument
handling without a GPU. Every call goes through `call(name, *args)`, which raises HipError
naming the call and HIP's error; `use_library(obj)` swaps the library (tests install the
fake). `HipDevice` is the GpuDevice (gpu_device.py) of one AMD GPU: the logic the CUDA
device's tests prove is the same code here, and only the calls differ.
"""

from __future__ import annotations

import ctypes
import os
import re
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_ubyte, c_uint, c_ushort, c_void_p

from .gpu_device import COPY_KINDS, PINNED_BYTES, GpuDevice, ProcessDevice

_OVERRIDE = None
_LIBRARY = None
PROPS_BYTES = 16384  # more than any hipDeviceProp_t layout (R0000: ~0.8 KB, R0600: ~1.5 KB)
LIBRARY_NAMES = (
    "libamdhip64.so",
    "libamdhip64.so.6",
    "libamdhip64.so.5",
    "/opt/rocm/lib/libamdhip64.so",
)

OUT = POINTER(c_void_p)  # a handle or pointer the call writes
SIGNATURES: dict[str, tuple] = {
    # name: (restype, argtypes), from ROCm's hip_runtime_api.h; hipError_t is an int
    "hipInit": (c_int, [c_uint]),
    "hipGetDeviceCount": (c_int, [POINTER(c_int)]),
    "hipSetDevice": (c_int, [c_int]),
    "hipGetDeviceProperties": (c_int, [c_void_p, c_int]),
    "hipGetDevicePropertiesR0600": (c_int, [c_void_p, c_int]),  # ROCm 6+
    "hipDriverGetVersion": (c_int, [POINTER(c_int)]),
    "hipGetErrorName": (c_char_p, [c_int]),
    "hipGetErrorString": (c_char_p, [c_int]),
    "hipStreamCreate": (c_int, [OUT]),
    "hipStreamSynchronize": (c_int, [c_void_p]),
    "hipStreamWaitEvent": (c_int, [c_void_p, c_void_p, c_uint]),
    "hipEventCreateWithFlags": (c_int, [OUT, c_uint]),
    "hipEventRecord": (c_int, [c_void_p, c_void_p]),
    "hipEventDestroy": (c_int, [c_void_p]),
    "hipMalloc": (c_int, [OUT, c_size_t]),
    "hipFree": (c_int, [c_void_p]),
    "hipHostMalloc": (c_int, [OUT, c_size_t, c_uint]),
    "hipMemcpyHtoDAsync": (c_int, [c_void_p, c_void_p, c_size_t, c_void_p]),
    "hipMemcpyDtoHAsync": (c_int, [c_void_p, c_void_p, c_size_t, c_void_p]),
    "hipMemcpyDtoDAsync": (c_int, [c_void_p, c_void_p, c_size_t, c_void_p]),
    "hipMemsetD8Async": (c_int, [c_void_p, c_ubyte, c_size_t, c_void_p]),
    "hipMemsetD16Async": (c_int, [c_void_p, c_ushort, c_size_t, c_void_p]),
    "hipMemsetD32Async": (c_int, [c_void_p, c_int, c_size_t, c_void_p]),
    "hipModuleLoadData": (c_int, [OUT, c_void_p]),
    "hipModuleGetFunction": (c_int, [OUT, c_void_p, c_char_p]),
    "hipModuleLaunchKernel": (
        c_int,
        [
            c_void_p,
            c_uint,
            c_uint,
            c_uint,
            c_uint,
            c_uint,
            c_uint,
            c_uint,
            c_void_p,
            POINTER(c_void_p),
            POINTER(c_void_p),
        ],
    ),
}
OPTIONAL = ("hipGetDevicePropertiesR0600",)


class HipError(RuntimeError):
    """A HIP call failed; the message names the call and HIP's error."""


def library():
    """The HIP library: the override if one is installed, else libamdhip64 (loaded once)."""
    global _LIBRARY
    if _OVERRIDE is not None:
        return _OVERRIDE
    if _LIBRARY is None:
        _LIBRARY = load_library()
    return _LIBRARY


def load_library(names=None):
    """dlopen the first of $QD_HIP_LIBRARY / LIBRARY_NAMES that loads and bind SIGNATURES."""
    override = os.environ.get("QD_HIP_LIBRARY")
    names = names or ((override,) if override else LIBRARY_NAMES)
    errors = []
    for name in names:
        try:
            handle = ctypes.CDLL(name)
        except OSError as err:
            errors.append(str(err))
            continue
        bind(handle)
        return handle
    raise HipError(
        "qd.amdgpu needs the HIP runtime library libamdhip64.so from ROCm (on Debian/Ubuntu: "
        "sudo apt-get install libamdhip64-5, or ROCm's own packages); set QD_HIP_LIBRARY to its "
        f"path if it is elsewhere. Tried: {'; '.join(errors)}"
    )


def bind(handle) -> None:
    """Set restype/argtypes of every function in SIGNATURES (optional ones where present)."""
    for name, (restype, argtypes) in SIGNATURES.items():
        function = getattr(handle, name, None)
        if function is None:
            if name in OPTIONAL:
                continue
            raise HipError(f"{handle._name} has no {name}: not a HIP runtime library")
        function.restype, function.argtypes = restype, argtypes


def use_library(obj) -> None:
    """Install `obj` as the HIP library (None: the real one) and forget the current device."""
    global _OVERRIDE
    _OVERRIDE = obj
    _PROCESS_DEVICE.forget()


def call(name: str, *args) -> None:
    """`library().<name>(*args)`, its status checked."""
    status = getattr(library(), name)(*args)
    if status != 0:
        raise HipError(f"{name} failed: {error_text(status)}")


def out(name: str, *args) -> int:
    """Call `name` with a fresh handle as its first argument; returns what it wrote."""
    value = c_void_p()
    call(name, ctypes.pointer(value), *args)
    return value.value or 0


def error_text(status: int) -> str:
    lib = library()
    try:
        name, text = lib.hipGetErrorName(status), lib.hipGetErrorString(status)
        return f"{name.decode()} ({text.decode()})"
    except Exception:  # noqa: BLE001 - the code itself is still worth reporting
        return f"hipError_t {int(status)}"


def device_count() -> int:
    """How many AMD GPUs HIP sees; 0 without the library, a driver or a device."""
    try:
        call("hipInit", 0)
        count = c_int(0)
        call("hipGetDeviceCount", ctypes.pointer(count))
        return count.value
    except (RuntimeError, OSError):  # HipError included: no library, driver or device
        return 0


def device_arch(ordinal: int) -> str:
    """The chip of a device ("gfx90a"), from `gcnArchName` in its properties. The struct's
    layout changes between ROCm releases, so the name is found by its form
    (`gfx90a:sramecc+:xnack-`) rather than at an offset; $QD_ROCM_ARCH overrides."""
    override = os.environ.get("QD_ROCM_ARCH")
    if override:
        return override.strip().lower()
    props = ctypes.create_string_buffer(PROPS_BYTES)
    lib = library()
    name = (
        "hipGetDevicePropertiesR0600"
        if getattr(lib, "hipGetDevicePropertiesR0600", None)
        else "hipGetDeviceProperties"
    )
    call(name, props, ordinal)
    match = re.search(rb"(?<![\w])gfx[0-9a-f]{3,4}(?=[:\0])", props.raw)
    if match is None:
        raise HipError(
            "cannot read the GPU's architecture (gcnArchName) from "
            f"{name}; set QD_ROCM_ARCH to it (rocminfo | grep gfx)"
        )
    return match.group().decode()


class HipDevice(GpuDevice):
    """One AMD GPU: the runtime's stream and a pinned scratch buffer (gpu_device.py)."""

    kind = "HIP"
    qd_arch = "qd.amdgpu"
    CALLS = {
        "bind": "hipSetDevice",
        "malloc": "hipMalloc",
        "free": "hipFree",
        **{f"memcpy_{kind}": f"hipMemcpy{kind}Async" for kind in COPY_KINDS},
        **{f"memset_{size}": f"hipMemsetD{8 * size}Async" for size in (1, 2, 4)},
        "sync": "hipStreamSynchronize",
        "function": "hipModuleGetFunction",
        "event_create": "hipEventCreateWithFlags",
        "event_record": "hipEventRecord",
        "stream_wait_event": "hipStreamWaitEvent",
        "event_destroy": "hipEventDestroy",
    }

    def __init__(self, ordinal: int = 0):
        super().__init__()
        call("hipInit", 0)
        count = c_int(0)
        try:
            call("hipGetDeviceCount", ctypes.pointer(count))
        except HipError as err:
            raise HipError(f"qd.amdgpu: HIP sees no AMD GPU ({err})") from None
        if count.value <= ordinal:
            raise HipError(f"qd.amdgpu: HIP sees {count.value} AMD GPU(s), so no device {ordinal}")
        self.ordinal = self.binding = ordinal
        self.make_current()
        self.arch = device_arch(ordinal)
        self.stream = out("hipStreamCreate")  # hipStreamDefault: blocking (gpu_device.py)
        self.pinned = out("hipHostMalloc", PINNED_BYTES, 0)

    def _call(self, operation: str, *args):
        name = self.CALLS[operation]
        if operation == "memset_4" and args[1] >= 1 << 31:
            args = (args[0], args[1] - (1 << 32), *args[2:])  # hipMemsetD32Async takes an int
        if SIGNATURES[name][1][0] is OUT:  # the handle or address the call writes
            return out(name, *args)
        return call(name, *args)

    def load_module(self, image: bytes) -> int:
        """A loaded code object (hsaco); HIP copies the image."""
        self.make_current()
        return out("hipModuleLoadData", ctypes.create_string_buffer(image, len(image)))

    def launch(self, function: int, grid, block, pointers: ctypes.Array, stream=None) -> None:
        """Enqueue one kernel: `pointers` holds one pointer per explicit kernel argument; HIP
        packs the kernarg segment from the code object's metadata (offsets, sizes) and adds
        the hidden arguments itself."""
        stream = self.stream if stream is None else stream
        call("hipModuleLaunchKernel", function, *grid, *block, 0, stream, pointers, None)


_PROCESS_DEVICE = ProcessDevice(HipDevice)


def current_device() -> HipDevice:
    """The process's device (GPU 0), created on first use, bound to the calling thread."""
    return _PROCESS_DEVICE.get()
