"""The CUDA launcher: load a PTX/cubin artifact with the driver API and run its host plan.

docs/architecture.md §7. `launch(args, resume_point) -> yielded_at` (gpu_launcher.py: the
arguments, the launch state, the direct run shared with HIP); here the plan runs either
directly (cuda_direct.py) or as a CUDA graph (cuda_graph.py), replayed while the same arguments
come back: a steady call is a generated function (make_launch) that checks the arguments are
the previous call's objects and relaunches its graph, as the CPU launcher re-packs nothing.
`yielded_at` is read once at the end, and only for a kernel that can yield; other launches
return without waiting.
"""

from __future__ import annotations

import ctypes
import os
import struct
import warnings
from collections import OrderedDict
from collections.abc import Callable

from .cuda_driver import CudaError, call, current_device, driver, fail
from .cuda_graph import GraphBuilder, GraphUnsupported
from .cuda_plan import Buf
from .gpu_launcher import YIELDED_AT_OFFSET, PlanLauncher

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
        # (argument tokens, resume_point, graph executable) of the last graph launched
        self._replay: tuple | None = None
        self.launch = make_launch(self, "launch", "args, resume_point=0", "", "yielded_at", {})

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

    def returning(self, table) -> Callable[[tuple, int], object]:
        """`run(args, resume_point) -> table[yielded_at + 1]`: the launch and the lookup of what
        the call returns in one generated function (runtime/launch.py uses it)."""
        result = "table[yielded_at + 1]"
        return make_launch(self, "run", "args, resume_point=0", "", result, {"table": table})

    def calling(self, table, fallback) -> Callable[..., object]:
        """`__call__(kernel, *args, **kwargs) -> table[yielded_at + 1]` for a fresh launch: the
        whole steady call of a kernel in one frame (the frontend installs it as the kernel's
        `__call__`, runtime/launch.py). Keyword arguments go to `fallback`, the general path."""
        prologue = (
            "if kwargs:\n        return fallback(kernel, *args, **kwargs)\n    resume_point = 0"
        )
        names = {"table": table, "fallback": fallback}
        return make_launch(
            self, "__call__", "kernel, *args, **kwargs", prologue, "table[yielded_at + 1]", names
        )

    def launch_arguments(self, args: tuple, resume_point: int) -> int:
        """A launch that is not the replay of the previous one: arguments checked and turned
        into plan values, a graph found, built or skipped, the replay recorded for next time."""
        values = self.values(args)
        tokens = replay_tokens(self.args, args)
        with self._lock:
            self.device.make_current()
            executable = self._graph_for(values, resume_point)
            if executable is None:
                return self.run_direct(values, resume_point)
            self._replay = None if tokens is None else (tokens, resume_point, executable)
            call("cuGraphLaunch", executable, self.device.stream)
            if not self.needs_status:
                return -1
            data = self.device.read_words(self.state.pointer + YIELDED_AT_OFFSET, 4)
            return struct.unpack("<i", data)[0]

    def _graph_for(self, values, resume_point):
        key = (
            tuple(v if not isinstance(v, Buf) else (v.pointer, v.shape) for v in values),
            resume_point,
        )
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
            if self._replay is not None and self._replay[2] is old_exec:
                self._replay = None
            call("cuGraphExecDestroy", old_exec)
            call("cuGraphDestroy", old_graph)
        return built[0]


def replay_tokens(specs, args: tuple) -> tuple | None:
    """What identifies these arguments on the next call: each qd.ndarray's `_words` (one
    tuple per array, never shared), each scalar object itself; None where an argument has no
    such identity (a torch or CuPy tensor: its pointer is read, and its stream waited for,
    on every call)."""
    if len(args) != len(specs):
        return None
    tokens = []
    for spec, value in zip(specs, args):
        if spec.kind == "matrix":
            return None  # a qd.Vector may change in place: its entries are read every call
        if spec.kind == "ndarray":
            words = getattr(value, "_words", None)
            if words is None:
                return None
            tokens.append(words)
        else:
            tokens.append(value)
    return tuple(tokens)


def make_launch(
    launcher: CudaLauncher, name: str, parameters: str, prologue: str, result: str, names: dict
):
    """Generate `name(parameters)` for one specialisation: the steady call's path. It runs
    `prologue`, then launches the tuple `args` from `resume_point`.

    When the arguments are the very objects of the last graph launch (`a<i>._words is
    tokens[i]` for an array, `a<i> is tokens[i]` for a scalar) and so is `resume_point`, the
    recorded CUDA graph is replayed at once: no argument conversion, no graph lookup, three
    driver calls (the launch; for a kernel that can yield, the 4-byte read of `yielded_at`
    and the wait for it). Anything else takes `launch_arguments`, which records the replay.
    The function returns `result`, an expression of `yielded_at` and `names`.
    """
    count = len(launcher.args)
    checks = [
        f"a{i}._words is tokens[{i}]" if spec.kind == "ndarray" else f"a{i} is tokens[{i}]"
        for i, spec in enumerate(launcher.args)
    ]
    unpack = f"{''.join(f'a{i}, ' for i in range(count))}= args" if count else "assert not args"
    read = "yielded_at = -1"
    if launcher.needs_status:
        read = """with pinned_lock:
                        status = drv.cuMemcpyDtoHAsync(pinned, yielded_address, 4, stream)[0]
                        if status:
                            fail("cuMemcpyDtoHAsync", status)
                        status = drv.cuStreamSynchronize(stream)[0]
                        if status:
                            fail("cuStreamSynchronize", status)
                        yielded_at = pinned_word.value"""
    source = f"""
def {name}({parameters}):
    {prologue or "pass"}
    replay = owner._replay
    if replay is not None:
        tokens = replay[0]
        try:
            {unpack}
            hit = {" and ".join([*checks, "resume_point == replay[1]"])}
        except (AttributeError, ValueError, AssertionError):
            hit = False
        if hit:
            with lock:
                if owner._replay is replay:  # not evicted since it was read
                    if not getattr(bound, "bound", False):
                        make_current()
                    status = drv.cuGraphLaunch(replay[2], stream)[0]
                    if status:
                        fail("cuGraphLaunch", status)
                    {read}
                    return {result}
    yielded_at = launch_arguments(args, resume_point)
    return {result}
"""
    device = launcher.device
    namespace = {
        "owner": launcher,
        "lock": launcher._lock,
        "bound": device._local,
        "make_current": device.make_current,
        "drv": driver(),
        "stream": device.stream,
        "fail": fail,
        "pinned_lock": device.pinned_lock,
        "pinned": device.pinned,
        "pinned_word": ctypes.c_int32.from_address(device.pinned),
        "yielded_address": launcher.state.pointer + YIELDED_AT_OFFSET,
        "launch_arguments": launcher.launch_arguments,
        **names,
    }
    exec(compile(source, f"<qd launch {launcher.kernel}>", "exec"), namespace)
    launch = namespace[name]
    launch.__doc__ = "Launch with `args` (a tuple); see runtime/cuda.py make_launch."
    launch.launcher = launcher  # kernel._only.run.launcher: the tests' and the bench's way in
    return launch
