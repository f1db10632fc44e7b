"""The CUDA launcher: load a PTX/cubin artifact with the driver API and run its host plan.

docs/architecture.md §7. `launch(args, resume_point) -> yielded_at` (gpu_launcher.py: the
arguments, the launch state, the direct run shared with HIP); here the plan runs either
directly (cuda_direct.py) or as a CUDA graph (cuda_graph.py), replayed while the same arguments
come back. `yielded_at` is read once at the end, and only for a kernel that can yield; other
launches return without waiting.
"""

from __future__ import annotations

import os
import struct
import warnings
from collections import OrderedDict

from .cuda_driver import CudaError, call, current_device
from .cuda_graph import GraphBuilder, GraphUnsupported
from .cuda_plan import Buf
from .gpu_launcher import PlanLauncher

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


class CudaLauncher(PlanLauncher):
    """Launches one compiled kernel specialisation on the GPU."""

    target = "cuda"
    load_error = CudaLoadError

    def __init__(self, directory, manifest=None, device=None):
        super().__init__(directory, manifest, device)
        self._graphs: OrderedDict = OrderedDict()
        self._seen: dict = {}
        self.graph_disabled: str | None = None

    def default_device(self):
        return current_device()

    def _load_module(self):
        """The cubin when it was built for this device's chip, else the PTX (driver JIT)."""
        files = self.plan["files"]
        cubin = files.get("cubin")
        errors = []
        if cubin and self.plan["arch"] == self.device.arch:
            try:
                return self.device.load_module((self.directory / cubin).read_bytes())
            except (CudaError, OSError) as err:  # e.g. a cubin newer than the driver
                errors.append(f"cubin: {err}")
        try:
            ptx = (self.directory / files["ptx"]).read_bytes() + b"\0"
            return self.device.load_module(ptx)
        except (CudaError, OSError) as err:
            errors.append(f"ptx: {err}")
        raise CudaLoadError(
            f"{self.directory}: cannot load kernel {self.kernel!r} (built for "
            f"{self.plan['arch']}) on this {self.device.arch} device: " + "; ".join(errors)
        )

    def check_grid(self, grid, name: str, block=None) -> None:
        if grid[1] > MAX_GRID_YZ or grid[2] > MAX_GRID_YZ:
            raise CudaError(
                f"kernel {self.kernel!r} ({name}): grid {tuple(grid)} exceeds CUDA's "
                f"{MAX_GRID_YZ} blocks in y/z; put the largest dimension first in "
                "qd.ndrange"
            )

    # launching ------------------------------------------------------------------------------

    def _launch(self, values: list, resume_point: int) -> int:
        key = (
            tuple(v if not isinstance(v, Buf) else (v.pointer, v.shape) for v in values),
            resume_point,
        )
        executable = self._graph_for(key, values, resume_point)
        if executable is None:
            return self.run_direct(values, resume_point)
        call("cuGraphLaunch", executable, self.device.stream)
        if not self.needs_status:
            return -1
        data = self.device.read_words(self.state.pointer + 4, 4)
        return struct.unpack("<i", data)[0]

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
        except CudaError as err:
            # a driver that refuses a node or the instantiation (an older driver, a condition
            # kernel whose cudaGraphSetConditional it cannot link) can still run the launches
            self.graph_disabled = f"the driver refused the graph: {err}"
            warnings.warn(
                f"kernel {self.kernel!r}: CUDA graphs are off for it ({self.graph_disabled}); "
                "it runs with direct launches (QD_CUDA_GRAPH=0 silences this)",
                RuntimeWarning,
                stacklevel=2,
            )
            return None
        self._graphs[key] = built
        if len(self._graphs) > GRAPH_CACHE_SIZE:
            _, (old_exec, old_graph) = self._graphs.popitem(last=False)
            call("cuGraphExecDestroy", old_exec)
            call("cuGraphDestroy", old_graph)
        return built[0]
