"""What the CUDA and HIP devices share: thread binding, copies, memsets, pinned reads, ordering.

docs/architecture.md §7. `GpuDevice` is the device interface the launchers use (gpu_launcher.py,
cuda_direct.py, cuda_ndarray.py). A backend (CudaDevice in cuda_driver.py over the CUDA driver
API, HipDevice in hip_runtime.py over libamdhip64) names its call for each operation, sets
`stream`, `pinned` and `arch`, and loads modules and launches its own way; the rules (bind once
per thread, never allocate 0 bytes, wait after a copy, read small values through pinned memory,
order after another stream with an event) are written once here, so what the fake-driver tests
prove of one backend holds for the other. `ProcessDevice` holds a backend's device per process.
"""

from __future__ import annotations

import ctypes
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable

PINNED_BYTES = 64  # the pinned scratch buffer: launch state and do-while conditions
COPY_KINDS = ("HtoD", "DtoH", "DtoD")


class GpuDevice(ABC):
    """One GPU as the launchers see it: one blocking stream and a small pinned buffer.

    The stream is a blocking one (not the legacy default stream, but ordered with it), so work
    that torch or CuPy queue on the default stream orders with ours without an event. A backend
    names its call for each operation in CALLS and runs them with `_call`."""

    kind = ""  # "CUDA" / "HIP": names the memory in messages
    qd_arch = ""  # "qd.cuda" / "qd.amdgpu": the qd.init arch whose arrays live here
    CALLS: dict[str, str] = {}  # operation -> the backend's call (see OPERATIONS)
    OPERATIONS = (
        "bind",  # (the device's `binding`): make it current on this thread
        "malloc",  # (nbytes) -> address
        "free",  # (address)
        "memcpy_HtoD",  # (destination, source, nbytes, stream), also DtoH and DtoD
        "memcpy_DtoH",
        "memcpy_DtoD",
        "memset_1",  # (address, pattern, count, stream) for items of 1, 2 and 4 bytes
        "memset_2",
        "memset_4",
        "sync",  # (stream)
        "function",  # (module, name as bytes) -> the kernel
        "event_create",  # (flags) -> event
        "event_record",  # (event, stream)
        "stream_wait_event",  # (stream, event, flags)
        "event_destroy",  # (event)
    )
    EVENT_DISABLE_TIMING = 0x2  # the same flag value in CUDA and HIP

    arch = ""  # the chip: "sm_90", "gfx90a"
    binding = None  # what "bind" takes: CUDA's context, HIP's device ordinal
    stream = None
    pinned = 0  # address of PINNED_BYTES of page-locked host memory

    def __init__(self) -> None:
        self._local = threading.local()
        # the pinned buffer is one per device, the launches that read through it are locked
        # per launcher: two threads launching two kernels must not read through it at once
        self.pinned_lock = threading.Lock()
        self._section_streams: list = []
        self._streams_lock = threading.Lock()

    @abstractmethod
    def _call(self, operation: str, *args):
        """Run the backend's call for `operation`; returns what it produces (a handle, an
        address) or None, and raises the backend's error naming the call."""

    @abstractmethod
    def load_module(self, image: bytes):
        """Load a code object (PTX, cubin, hsaco) into the device's context."""

    @abstractmethod
    def launch(self, function, grid, block, pointers: ctypes.Array, stream=None) -> None:
        """Queue one kernel on `stream` (default: the runtime's); `pointers` is the void* array
        of runtime/cuda_plan.pack_params."""

    def make_current(self) -> None:
        """Bind the device to the calling thread once: CUDA's context and HIP's current device
        are per thread, and a call on a thread without them fails or lands elsewhere."""
        if not getattr(self._local, "bound", False):
            self._call("bind", self.binding)
            self._local.bound = True

    # memory ---------------------------------------------------------------------------------

    def alloc(self, nbytes: int) -> int:
        """`nbytes` of device memory; a 0-d or empty array still gets one byte, as the drivers
        refuse a zero-byte allocation."""
        self.make_current()
        return int(self._call("malloc", max(int(nbytes), 1)))

    def free(self, pointer: int) -> None:
        self._call("free", pointer)

    def to_device(self, pointer: int, host_address: int, nbytes: int) -> None:
        """Copy host memory to the device, ordered after queued work; returns when done."""
        self._copy_and_wait("HtoD", pointer, host_address, nbytes)

    def to_host(self, host_address: int, pointer: int, nbytes: int) -> None:
        """Copy device memory to the host after the queued work; returns when done."""
        self._copy_and_wait("DtoH", host_address, pointer, nbytes)

    def copy(self, destination: int, source: int, nbytes: int) -> None:
        self._copy_and_wait("DtoD", destination, source, nbytes)

    def _copy_and_wait(self, kind: str, destination: int, source: int, nbytes: int) -> None:
        # the host buffer of an asynchronous copy must outlive it: wait before returning
        self.make_current()
        self._call("memcpy_" + kind, destination, source, nbytes, self.stream)
        self.synchronize()

    def read_words(self, pointer: int, nbytes: int) -> bytes:
        """`nbytes` (<= PINNED_BYTES) of device memory, after the queued work, through the
        pinned buffer (a pageable destination would be staged by the driver)."""
        if nbytes > PINNED_BYTES:
            raise ValueError(f"read_words reads at most {PINNED_BYTES} bytes, not {nbytes}")
        with self.pinned_lock:
            self.to_host(self.pinned, pointer, nbytes)
            return ctypes.string_at(self.pinned, nbytes)

    def memset(
        self, pointer: int, pattern: int, item_size: int, count: int, sync: bool = True
    ) -> None:
        """Fill `count` items of 1, 2 or 4 bytes with `pattern` (an unsigned int); `sync=False`
        leaves it queued, ordered before later work on the stream."""
        if item_size not in (1, 2, 4):
            raise ValueError(f"memset fills items of 1, 2 or 4 bytes, not {item_size}")
        self.make_current()
        self._call(f"memset_{item_size}", pointer, pattern, count, self.stream)
        if sync:
            self.synchronize()

    def synchronize(self) -> None:
        """Wait for everything queued on the stream."""
        self._call("sync", self.stream)

    # kernels and ordering -------------------------------------------------------------------

    def function(self, module, name: str):
        """The kernel `name` of a loaded module."""
        return self._call("function", module, name.encode())

    def new_stream(self):
        """Another stream like the runtime's, for a section of a fork; None where a backend
        runs sections in order on its one stream (HIP)."""
        return None

    def section_streams(self, count: int) -> list | None:
        """`count` streams besides the runtime's for the sections of a fork, created on first
        use and kept for the device's life; None if the backend has none (`new_stream`)."""
        with self._streams_lock:
            while len(self._section_streams) < count:
                stream = self.new_stream()
                if stream is None:
                    return None
                self._section_streams.append(stream)
            return self._section_streams[:count]

    def fork(self, streams: list) -> None:
        """Order each of `streams` after the work queued so far on the runtime's stream."""
        self._order(self.stream, streams)

    def join(self, streams: list) -> None:
        """Order the runtime's stream after the work queued so far on each of `streams`."""
        for stream in streams:
            self._order(stream, [self.stream])

    def _order(self, before, after: list) -> None:
        """One event recorded on `before`, waited for by every stream of `after`."""
        event = self._call("event_create", self.EVENT_DISABLE_TIMING)
        try:
            self._call("event_record", event, before)
            for stream in after:
                self._call("stream_wait_event", stream, event, 0)
        finally:
            self._call("event_destroy", event)  # released once it has completed

    def wait_for_stream(self, stream) -> None:
        """Order our stream after the work queued so far on `stream` (a CAI v3 producer's)."""
        self.make_current()
        self._order(stream, [self.stream])


class ProcessDevice:
    """A backend's device for the whole process (GPU 0), created on first use."""

    def __init__(self, create: Callable[[int], GpuDevice]):
        self._create = create
        self._device: GpuDevice | None = None
        self._lock = threading.Lock()

    def get(self) -> GpuDevice:
        """The device, bound to the calling thread."""
        device = self._device
        if device is None:
            with self._lock:
                if self._device is None:
                    self._device = self._create(0)
                device = self._device
        device.make_current()
        return device

    def forget(self) -> None:
        """Drop the device (a driver swapped under test): the next `get` creates it anew."""
        self._device = None
