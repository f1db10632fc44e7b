"""The CUDA driver API as the runtime uses it: `cuda.bindings.driver`, or a stand-in for tests.

docs/architecture.md §7. Every call goes through `call(name, *args)`, which raises CudaError
naming the call and the driver's error; `use_driver(module)` swaps the module (tests install
a fake one that works over host memory). `CudaDevice` owns the primary context of one GPU,
one blocking stream (so work on the legacy default stream, where torch and CuPy queue by
default, orders with ours) and a small pinned buffer for reading the launch state.
"""

from __future__ import annotations

import ctypes
import threading

_OVERRIDE = None
_DEVICE: CudaDevice | None = None
_LOCK = threading.Lock()
PINNED_BYTES = 64


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
    global _OVERRIDE, _DEVICE
    _OVERRIDE = module
    _DEVICE = None


def call(name: str, *args):
    """`driver().<name>(*args)`, its error checked; returns the results after the status
    (None, one value, or a tuple)."""
    result = getattr(driver(), name)(*args)
    status, values = (result[0], result[1:]) if isinstance(result, tuple) else (result, ())
    if int(status) != 0:
        raise CudaError(f"{name} failed: {error_text(status)}")
    if not values:
        return None
    return values[0] if len(values) == 1 else values


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
    """How many CUDA devices the driver sees; 0 without bindings, driver or device."""
    try:
        call("cuInit", 0)
        return int(call("cuDeviceGetCount"))
    except CudaError:
        return 0


def arch_of_capability(major: int, minor: int) -> str:
    """The chip name of a compute capability: (9, 0) -> "sm_90"."""
    return f"sm_{major}{minor}"


class CudaDevice:
    """One GPU's primary context, the runtime's stream and a pinned scratch buffer."""

    kind = "CUDA"
    qd_arch = "qd.cuda"

    def __init__(self, ordinal: int = 0):
        drv = driver()
        call("cuInit", 0)
        count = call("cuDeviceGetCount")
        if not count:
            raise CudaError("qd.cuda: the driver sees no CUDA device")
        self.device = call("cuDeviceGet", ordinal)
        self.context = call("cuDevicePrimaryCtxRetain", self.device)
        self._local = threading.local()
        self.make_current()
        attribute = drv.CUdevice_attribute
        self.capability = (
            call(
                "cuDeviceGetAttribute",
                attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                self.device,
            ),
            call(
                "cuDeviceGetAttribute",
                attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                self.device,
            ),
        )
        self.stream = call("cuStreamCreate", 0)  # CU_STREAM_DEFAULT: blocking, see module doc
        self.pinned = int(call("cuMemHostAlloc", PINNED_BYTES, 0))
        self.version = call("cuDriverGetVersion")

    @property
    def arch(self) -> str:
        return arch_of_capability(*self.capability)

    def make_current(self) -> None:
        """Bind the context to the calling thread once (driver calls need it current)."""
        if not getattr(self._local, "bound", False):
            call("cuCtxSetCurrent", self.context)
            self._local.bound = True

    # memory ---------------------------------------------------------------------------------

    def alloc(self, nbytes: int) -> int:
        self.make_current()
        return int(call("cuMemAlloc", max(int(nbytes), 1)))

    def free(self, pointer: int) -> None:
        call("cuMemFree", pointer)

    def to_device(self, pointer: int, host_address: int, nbytes: int) -> None:
        """Copy host memory to the device, ordered after queued work; returns when done."""
        self.make_current()
        call("cuMemcpyHtoDAsync", pointer, host_address, nbytes, self.stream)
        call("cuStreamSynchronize", self.stream)

    def to_host(self, host_address: int, pointer: int, nbytes: int) -> None:
        """Copy device memory to the host after the queued work; returns when done."""
        self.make_current()
        call("cuMemcpyDtoHAsync", host_address, pointer, nbytes, self.stream)
        call("cuStreamSynchronize", self.stream)

    def read_words(self, pointer: int, nbytes: int) -> bytes:
        """`nbytes` (<= 64) of device memory through the pinned buffer."""
        self.to_host(self.pinned, pointer, nbytes)
        return ctypes.string_at(self.pinned, nbytes)

    def copy(self, destination: int, source: int, nbytes: int) -> None:
        self.make_current()
        call("cuMemcpyDtoDAsync", destination, source, nbytes, self.stream)
        call("cuStreamSynchronize", self.stream)

    def memset(
        self, pointer: int, pattern: int, item_size: int, count: int, sync: bool = True
    ) -> None:
        """Fill `count` items of 1, 2 or 4 bytes with `pattern` (an unsigned int)."""
        self.make_current()
        name = {1: "cuMemsetD8Async", 2: "cuMemsetD16Async", 4: "cuMemsetD32Async"}[item_size]
        call(name, pointer, pattern, count, self.stream)
        if sync:
            call("cuStreamSynchronize", self.stream)

    def synchronize(self) -> None:
        call("cuStreamSynchronize", self.stream)

    # kernels --------------------------------------------------------------------------------

    def function(self, module, name: str):
        return call("cuModuleGetFunction", module, name.encode())

    def launch(self, function, grid, block, pointers: ctypes.Array) -> None:
        """Enqueue one kernel; `pointers` is the void* array of runtime/cuda_plan.pack_params."""
        call(
            "cuLaunchKernel", function, *grid, *block, 0, self.stream, ctypes.addressof(pointers), 0
        )

    def wait_for_stream(self, stream) -> None:
        """Order our stream after another one (a CAI v3 producer's) with an event."""
        event = call("cuEventCreate", 2)  # CU_EVENT_DISABLE_TIMING
        call("cuEventRecord", event, stream)
        call("cuStreamWaitEvent", self.stream, event, 0)
        call("cuEventDestroy", event)


def current_device() -> CudaDevice:
    """The process's device (GPU 0), created on first use."""
    global _DEVICE
    if _DEVICE is None:
        with _LOCK:
            if _DEVICE is None:
                _DEVICE = CudaDevice(0)
    _DEVICE.make_current()
    return _DEVICE
