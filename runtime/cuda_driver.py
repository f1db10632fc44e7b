"""The CUDA driver API as the runtime uses it: `cuda.bindings.driver`, or a stand-in for tests.

docs/architecture.md §7. Every call goes through `call(name, *args)`, which raises CudaError
naming the call and the driver's error; `use_driver(module)` swaps the module (tests install
a fake one that works over host memory). `CudaDevice` is the GpuDevice (gpu_device.py) of one
GPU: its primary context, one blocking stream and the pinned scratch buffer.
"""

from __future__ import annotations

import ctypes

from .gpu_device import COPY_KINDS, PINNED_BYTES, GpuDevice, ProcessDevice

_OVERRIDE = None


class CudaError(RuntimeError):
    """A driver call failed; the message names the call and the driver's error code."""


def driver():
    """The driver module: the override if one is installed, else `cuda.bindings.driver`."""
    if _OVERRIDE is not None:
        return _OVERRIDE
    try:
        from cuda.bindings import driver as module
    except ImportError as err:
        raise CudaError(
            "qd.cuda needs the CUDA driver bindings: pip install cuda-bindings (and an NVIDIA "
            f"driver); importing cuda.bindings.driver failed: {err}"
        ) from None
    return module


def use_driver(module) -> None:
    """Install `module` as the driver (None: the real one) and forget the current device."""
    global _OVERRIDE
    _OVERRIDE = module
    _PROCESS_DEVICE.forget()


def call(name: str, *args):
    """`driver().<name>(*args)`, its error checked; returns the results after the status
    (None, one value, or a tuple)."""
    result = getattr(driver(), name)(*args)
    status, values = (result[0], result[1:]) if isinstance(result, tuple) else (result, ())
    if int(status) != 0:
        fail(name, status)
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def fail(name: str, status) -> None:
    """Raise the CudaError of the call `name` that returned `status`."""
    raise CudaError(f"{name} failed: {error_text(status)}")


def error_text(status) -> str:
    drv = driver()
    try:
        name = drv.cuGetErrorName(status)[1]
        text = drv.cuGetErrorString(status)[1]
        name = name.decode() if isinstance(name, bytes) else str(name)
        text = text.decode() if isinstance(text, bytes) else str(text)
        return f"{name} ({text})"
    except Exception:  # noqa: BLE001 - the code itself is still worth reporting
        return f"CUresult {int(status)}"


def device_count() -> int:
    """How many CUDA devices the driver sees; 0 without bindings, driver or device. Without
    libcuda.so.1, cuda-bindings raises a plain RuntimeError ("Failed to dlopen"): CudaError
    is one too, so that also reads as no device (qd.init then falls back to the CPU)."""
    try:
        call("cuInit", 0)
        return int(call("cuDeviceGetCount"))
    except (RuntimeError, OSError):
        return 0


def arch_of_capability(major: int, minor: int) -> str:
    """The chip name of a compute capability: (9, 0) -> "sm_90"."""
    return f"sm_{major}{minor}"


class CudaDevice(GpuDevice):
    """One GPU's primary context, the runtime's stream and a pinned scratch buffer."""

    kind = "CUDA"
    qd_arch = "qd.cuda"
    CALLS = {
        "bind": "cuCtxSetCurrent",
        "malloc": "cuMemAlloc",
        "free": "cuMemFree",
        **{f"memcpy_{kind}": f"cuMemcpy{kind}Async" for kind in COPY_KINDS},
        **{f"memset_{size}": f"cuMemsetD{8 * size}Async" for size in (1, 2, 4)},
        "sync": "cuStreamSynchronize",
        "function": "cuModuleGetFunction",
        "event_create": "cuEventCreate",
        "event_record": "cuEventRecord",
        "stream_wait_event": "cuStreamWaitEvent",
        "event_destroy": "cuEventDestroy",
    }

    def __init__(self, ordinal: int = 0):
        super().__init__()
        drv = driver()
        call("cuInit", 0)
        count = call("cuDeviceGetCount")
        if not count:
            raise CudaError("qd.cuda: the driver sees no CUDA device")
        self.device = call("cuDeviceGet", ordinal)
        self.context = self.binding = call("cuDevicePrimaryCtxRetain", self.device)
        self.make_current()
        attribute = drv.CUdevice_attribute
        self.capability = tuple(
            call("cuDeviceGetAttribute", which, self.device)
            for which in (
                attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
            )
        )
        self.arch = arch_of_capability(*self.capability)
        self.stream = call("cuStreamCreate", 0)  # CU_STREAM_DEFAULT: blocking (gpu_device.py)
        self.pinned = int(call("cuMemHostAlloc", PINNED_BYTES, 0))
        self.version = call("cuDriverGetVersion")

    def _call(self, operation: str, *args):
        return call(self.CALLS[operation], *args)

    def load_module(self, image: bytes):
        self.make_current()
        return call("cuModuleLoadData", image)

    def new_stream(self):
        return call("cuStreamCreate", 0)  # CU_STREAM_DEFAULT, as the runtime's own

    def launch(self, function, grid, block, pointers: ctypes.Array, stream=None) -> None:
        stream = self.stream if stream is None else stream
        call("cuLaunchKernel", function, *grid, *block, 0, stream, ctypes.addressof(pointers), 0)


_PROCESS_DEVICE = ProcessDevice(CudaDevice)


def current_device() -> CudaDevice:
    """The process's device (GPU 0), created on first use, bound to the calling thread."""
    return _PROCESS_DEVICE.get()
