"""The CUDA launcher: load a PTX/cubin artifact with the driver API and run its host plan.

docs/architecture.md §7. `launch(args, resume_point) -> yielded_at`: the arguments become plan
values (a device ndarray or any `__cuda_array_interface__` object: its pointer, no copy), the
launch state is written, and the plan runs either directly (cuda_direct.py) or as a CUDA graph
(cuda_graph.py), replayed while the same arguments come back. `yielded_at` is read once at the
end, and only for a kernel that can yield; other launches return without waiting.
"""

from __future__ import annotations

import numbers
import os
import struct
import threading
from collections import OrderedDict
from pathlib import Path

from .artifact import ArgSpec, Manifest
from .cuda_direct import DirectRun, yielded_at
from .cuda_driver import CudaError, call, current_device
from .cuda_graph import GraphBuilder, GraphUnsupported
from .cuda_plan import Buf, has_loop, read_plan

GRAPH_CACHE_SIZE = 4
MAX_GRID_YZ = 65535


class CudaLoadError(RuntimeError):
    """The artifact cannot be loaded on this device (wrong arch, bad image, missing file)."""


def graph_policy(loops: bool, seen: int, mode: str) -> bool:
    """Build a graph for these arguments? `mode` is $QD_CUDA_GRAPH: "0" never, "1" always,
    else auto: at once for a kernel with a do-while (the device loop saves a host round trip
    per iteration), otherwise from the second call with the same arguments (a steady call)."""
    if mode == "0":
        return False
    if mode == "1":
        return True
    return loops or seen >= 2


class CudaLauncher:
    """Launches one compiled kernel specialisation on the GPU."""

    def __init__(self, directory: str | os.PathLike, manifest: Manifest | None = None, device=None):
        self.directory = Path(directory)
        self.manifest = manifest or Manifest.read(directory)
        if self.manifest.target != "cuda":
            raise CudaLoadError(f"{directory}: a {self.manifest.target} artifact, not a cuda one")
        self.kernel = self.manifest.kernel
        self.args = [ArgSpec.coerce(a) for a in self.manifest.args]
        self.plan = read_plan(self.directory / self.manifest.plan)
        self.device = device or current_device()
        self.module = self._load_module()
        self.kernels = [dict(k, function=call("cuModuleGetFunction", self.module, k["name"].encode()))
                        for k in self.plan["kernels"]]
        self.needs_status = any(slot.yield_on for slot in self.manifest.slots)
        self.loops = has_loop(self.plan["functions"][self.kernel]["body"])
        self.state = Buf(self.device.alloc(8), (2,), "i32", is_state=True)
        self._scratch: dict[int, Buf] = {}
        self._graphs: OrderedDict = OrderedDict()
        self._seen: dict = {}
        self.graph_disabled: str | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_artifact(cls, directory) -> CudaLauncher:
        return cls(directory)

    def _load_module(self):
        """The cubin when it was built for this device's chip, else the PTX (driver JIT)."""
        files = self.plan["files"]
        cubin = files.get("cubin")
        errors = []
        if cubin and self.plan["arch"] == self.device.arch:
            try:
                return call("cuModuleLoadData", (self.directory / cubin).read_bytes())
            except (CudaError, OSError) as err:  # e.g. a cubin newer than the driver
                errors.append(f"cubin: {err}")
        try:
            ptx = (self.directory / files["ptx"]).read_bytes() + b"\0"
            return call("cuModuleLoadData", ptx)
        except (CudaError, OSError) as err:
            errors.append(f"ptx: {err}")
        raise CudaLoadError(f"{self.directory}: cannot load kernel {self.kernel!r} (built for "
                            f"{self.plan['arch']}) on this {self.device.arch} device: "
                            + "; ".join(errors))

    def scratch(self, reg: int, shape, elem: str) -> Buf:
        """Device memory for a host `memref.alloca` (a top-level kernel variable)."""
        if reg not in self._scratch:
            from .cuda_plan import ITEM_SIZE

            size = ITEM_SIZE[elem]
            for n in shape:
                size *= n
            self._scratch[reg] = Buf(self.device.alloc(size), tuple(shape), elem)
        return self._scratch[reg]

    def check_grid(self, grid, name: str) -> None:
        if grid[1] > MAX_GRID_YZ or grid[2] > MAX_GRID_YZ:
            raise CudaError(f"kernel {self.kernel!r} ({name}): grid {tuple(grid)} exceeds CUDA's "
                            f"{MAX_GRID_YZ} blocks in y/z; put the largest dimension first in "
                            "qd.ndrange")

    # launching ------------------------------------------------------------------------------

    def launch(self, args: tuple, resume_point: int = 0) -> int:
        """Run the kernel with `args`; returns yielded_at (the slot that yielded, or -1)."""
        values = self.values(args)
        key = (tuple(v if not isinstance(v, Buf) else (v.pointer, v.shape) for v in values),
               resume_point)
        with self._lock:
            self.device.make_current()
            executable = self._graph_for(key, values, resume_point)
            if executable is None:
                run = DirectRun(self, self.plan["functions"][self.kernel], values, self.state,
                                resume_point)
                self._write_state(resume_point)
                run.run()
                return yielded_at(run) if self.needs_status else -1
            call("cuGraphLaunch", executable, self.device.stream)
            if not self.needs_status:
                return -1
            data = self.device.read_words(self.state.pointer + 4, 4)
            return struct.unpack("<i", data)[0]

    def _write_state(self, resume_point: int) -> None:
        self.device.memset(self.state.pointer, resume_point & 0xFFFFFFFF, 4, 1, sync=False)
        self.device.memset(self.state.pointer + 4, 0xFFFFFFFF, 4, 1, sync=False)

    def _graph_for(self, key, values, resume_point):
        found = self._graphs.get(key)
        if found is not None:
            self._graphs.move_to_end(key)
            return found[0]
        if self.graph_disabled is not None:
            return None
        seen = self._seen[key] = self._seen.get(key, 0) + 1
        if len(self._seen) > 64:
            self._seen.clear()
        if not graph_policy(self.loops, seen, os.environ.get("QD_CUDA_GRAPH", "auto")):
            return None
        try:
            built = GraphBuilder(self, values, self.state, resume_point).build()
        except GraphUnsupported as why:
            self.graph_disabled = str(why)
            return None
        self._graphs[key] = built
        if len(self._graphs) > GRAPH_CACHE_SIZE:
            _, (old_exec, old_graph) = self._graphs.popitem(last=False)
            call("cuGraphExecDestroy", old_exec)
            call("cuGraphDestroy", old_graph)
        return built[0]

    # arguments ------------------------------------------------------------------------------

    def values(self, args: tuple) -> list:
        """Plan values of the call's arguments, then the state; errors name the argument."""
        if len(args) != len(self.args):
            names = ", ".join(a.name for a in self.args)
            raise TypeError(f"kernel {self.kernel!r} takes {len(self.args)} arguments ({names}), "
                            f"got {len(args)}")
        values = [self._value(i, spec, value) for i, (spec, value) in
                  enumerate(zip(self.args, args))]
        values.append(self.state)
        return values

    def _value(self, position: int, spec: ArgSpec, value):
        where = f"kernel {self.kernel!r} argument {position} ({spec.name!r})"
        dtype = spec.qd_dtype
        if spec.kind == "ndarray":
            return device_buffer(where, value, dtype, spec.ndim, self.device)
        if dtype.is_float:
            if not isinstance(value, numbers.Real):
                raise TypeError(f"{where}: expected a real number for qd.{dtype.name}, got "
                                f"{type(value).__name__}")
            return float(value)
        if not isinstance(value, numbers.Integral):
            raise TypeError(f"{where}: expected an integer for qd.{dtype.name}, got "
                            f"{type(value).__name__}")
        if not dtype.min <= int(value) <= dtype.max:
            raise OverflowError(f"{where}: {value} is out of range for qd.{dtype.name}")
        return int(value)


def device_buffer(where: str, value, dtype, ndim: int, device) -> Buf:
    """A device ndarray, or a torch/CuPy array through `__cuda_array_interface__` (zero copy,
    C-contiguous, the kernel's dtype and rank); numpy arrays are host memory and refused."""
    words = getattr(value, "_words", None)
    if words is not None and hasattr(value, "__cuda_array_interface__"):
        if value.dtype is not dtype or len(value.shape) != ndim:
            raise TypeError(f"{where}: expected a {ndim}-d {dtype.name} ndarray, got {value!r}")
        return Buf(words[0], tuple(words[1:]), dtype.mlir)
    try:
        interface = value.__cuda_array_interface__
    except AttributeError:
        raise TypeError(
            f"{where}: expected a {ndim}-d {dtype.name} CUDA array (qd.ndarray on qd.cuda, or a "
            f"torch/CuPy tensor on the GPU), got {type(value).__name__}; a numpy array is host "
            "memory: copy it with a = qd.ndarray(...); a.from_numpy(x)"
        ) from None
    shape = tuple(interface["shape"])
    if interface["typestr"][1:] != dtype.np_dtype.str[1:] or len(shape) != ndim:
        raise TypeError(f"{where}: expected a {ndim}-d {dtype.name} array, got typestr "
                        f"{interface['typestr']} with shape {shape}")
    strides = interface.get("strides")
    if strides is not None and tuple(strides) != _contiguous(shape, dtype.itemsize):
        raise ValueError(f"{where}: the array is not C-contiguous (strides {strides}); pass "
                         "x.contiguous() (torch) or cupy.ascontiguousarray(x)")
    _wait_for_stream(interface.get("stream"), device)
    return Buf(int(interface["data"][0]), shape, dtype.mlir)


def _contiguous(shape, itemsize: int) -> tuple:
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def _wait_for_stream(stream, device) -> None:
    """Order our stream after the producer's (CAI v3): None and the legacy default stream (1)
    need nothing, since our stream is a blocking one."""
    if stream in (None, 0, 1):
        return
    event = call("cuEventCreate", 2)  # CU_EVENT_DISABLE_TIMING
    call("cuEventRecord", event, stream)
    call("cuStreamWaitEvent", device.stream, event, 0)
    call("cuEventDestroy", event)
