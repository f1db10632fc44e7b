"""A stand-in for `cuda.bindings.driver` over host memory, for testing the CUDA runtime in CI.

Implements the calls runtime/cuda*.py makes, with the same return convention ((CUresult,
*values)). Device memory is host memory, streams run at once, and every launch is recorded
with its kernel name, grid, block, stream and parameters, decoded with the `.param` list of
the PTX entry (so a wrong parameter count is an error, as on a real driver). `kernels[name]`
may hold a Python reference `fn(fake, launch)` that "executes" a kernel; a condition kernel's
reference calls `fake.set_conditional(handle, value)`. Streams and events are names
(`stream0`, `event3`), their records and waits logged in `ordering`. Graphs are recorded as
node lists with the edges each node was added with, and executed in that order, conditional
nodes included.
"""

from __future__ import annotations

import ctypes
import enum
import re
import struct
from dataclasses import dataclass, field
from types import SimpleNamespace


class CUresult(enum.IntEnum):
    CUDA_SUCCESS = 0
    CUDA_ERROR_INVALID_VALUE = 1
    CUDA_ERROR_INVALID_IMAGE = 200
    CUDA_ERROR_NOT_FOUND = 500
    CUDA_ERROR_LAUNCH_FAILED = 719


class CUdevice_attribute(enum.IntEnum):
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76


class CUgraphNodeType(enum.IntEnum):
    CU_GRAPH_NODE_TYPE_KERNEL = 0
    CU_GRAPH_NODE_TYPE_CONDITIONAL = 13


class CUgraphConditionalNodeType(enum.IntEnum):
    CU_GRAPH_COND_TYPE_IF = 0
    CU_GRAPH_COND_TYPE_WHILE = 1


OK = CUresult.CUDA_SUCCESS
PTX_SIZES = {
    "u64": 8,
    "b64": 8,
    "s64": 8,
    "f64": 8,
    "u32": 4,
    "b32": 4,
    "s32": 4,
    "f32": 4,
    "u16": 2,
    "b16": 2,
    "u8": 1,
    "b8": 1,
    "s8": 1,
}


@dataclass
class Launch:
    name: str
    grid: tuple
    block: tuple
    params: list  # raw bytes of each parameter
    stream: object = None  # the stream it was queued on (None: a graph node)

    def u64(self, i: int) -> int:
        return struct.unpack("<q", self.params[i])[0]

    def i32(self, i: int) -> int:
        return struct.unpack("<i", self.params[i][:4])[0]


@dataclass
class FakeGraph:
    nodes: list = field(default_factory=list)
    destroyed: bool = False  # as an executable (instantiating a graph returns the graph)
    edges: list = field(default_factory=list)  # (index of the dependency, index of the node)

    def add(self, node, deps) -> None:
        """Append `node`, depending on `deps`: nodes of this graph, each at most once (the
        real driver refuses a node of another graph or a repeated dependency)."""
        indices = [self.index(dep) for dep in deps]
        assert len(set(indices)) == len(indices), f"repeated dependency in {deps}"
        self.nodes.append(node)
        self.edges += [(i, len(self.nodes) - 1) for i in indices]

    def index(self, node) -> int:
        for i, mine in enumerate(self.nodes):
            if mine is node:
                return i
        raise AssertionError(f"{node} is not a node of this graph")

    def dependencies(self, node) -> list:
        """The nodes `node` was added after, in the order given."""
        target = self.index(node)
        return [self.nodes[i] for i, j in self.edges if j == target]


class CUDA_KERNEL_NODE_PARAMS(SimpleNamespace):
    pass


class CUDA_MEMSET_NODE_PARAMS(SimpleNamespace):
    pass


class CUgraphNodeParams:
    def __init__(self):
        self.type = None
        self.conditional = SimpleNamespace(handle=None, type=None, size=0, ctx=None, phGraph_out=[])


class FakeDriver:
    """One fake GPU: `memory`, `calls` (names in order), `launches`, `graphs_launched`."""

    CUresult = CUresult
    CUdevice_attribute = CUdevice_attribute
    CUgraphNodeType = CUgraphNodeType
    CUgraphConditionalNodeType = CUgraphConditionalNodeType
    CUDA_KERNEL_NODE_PARAMS = CUDA_KERNEL_NODE_PARAMS
    CUDA_MEMSET_NODE_PARAMS = CUDA_MEMSET_NODE_PARAMS
    CUgraphNodeParams = CUgraphNodeParams

    def __init__(self, capability=(9, 0)):
        self.capability = capability
        self.buffers: dict[int, ctypes.Array] = {}
        self.calls: list[str] = []
        self.launches: list[Launch] = []
        self.kernels: dict = {}  # name -> reference fn(fake, launch)
        self.modules: list[bytes] = []
        self.conditionals: dict[int, int] = {}
        self.handle_graphs: dict[int, FakeGraph] = {}  # handle -> the graph it was made for
        self.graphs_launched = 0
        self.rejected_cubins = 0
        self.fail: dict[str, CUresult] = {}  # call name -> error to return once
        self.streams = 0
        self.events = 0
        self.ordering: list[tuple] = []  # ("record", event, stream) / ("wait", stream, event)

    def __getattribute__(self, name):
        if name.startswith("cu") and not name.startswith("cuGetError"):
            calls = object.__getattribute__(self, "calls")
            calls.append(name)
            fail = object.__getattribute__(self, "fail")
            if name in fail:
                error = fail.pop(name)
                return lambda *a, **k: (error,) if name in ("cuInit",) else (error, None)
        return object.__getattribute__(self, name)

    # errors, device, context, stream --------------------------------------------------------

    def cuGetErrorName(self, status):
        return OK, CUresult(status).name.encode()

    def cuGetErrorString(self, status):
        return OK, b"fake driver error"

    def cuInit(self, flags):
        return (OK,)

    def cuDeviceGetCount(self):
        return OK, 1

    def cuDeviceGet(self, ordinal):
        return OK, ordinal

    def cuDevicePrimaryCtxRetain(self, device):
        return OK, "ctx0"

    def cuCtxSetCurrent(self, ctx):
        return (OK,)

    def cuDeviceGetAttribute(self, attribute, device):
        major = attribute == CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
        return OK, self.capability[0 if major else 1]

    def cuDriverGetVersion(self):
        return OK, 13000

    def cuStreamCreate(self, flags):
        self.streams += 1
        return OK, f"stream{self.streams - 1}"

    def cuStreamSynchronize(self, stream):
        return (OK,)

    def cuEventCreate(self, flags):
        self.events += 1
        return OK, f"event{self.events - 1}"

    def cuEventRecord(self, event, stream):
        self.ordering.append(("record", event, stream))
        return (OK,)

    def cuStreamWaitEvent(self, stream, event, flags):
        self.ordering.append(("wait", stream, event))
        return (OK,)

    def cuEventDestroy(self, event):
        return (OK,)

    # memory ---------------------------------------------------------------------------------

    def _alloc(self, nbytes):
        buffer = (ctypes.c_char * nbytes)()
        address = ctypes.addressof(buffer)
        self.buffers[address] = buffer
        return address

    def cuMemAlloc(self, nbytes):
        return OK, self._alloc(nbytes)

    def cuMemHostAlloc(self, nbytes, flags):
        return OK, self._alloc(nbytes)

    def cuMemFree(self, pointer):
        self.buffers.pop(int(pointer), None)
        return (OK,)

    def _copy(self, destination, source, nbytes, stream=None):
        ctypes.memmove(int(destination), int(source), nbytes)
        return (OK,)

    cuMemcpyHtoDAsync = cuMemcpyDtoHAsync = cuMemcpyDtoDAsync = _copy

    def _memset(self, size, pointer, value, count, stream=None):
        data = value.to_bytes(size, "little") * count
        ctypes.memmove(int(pointer), data, len(data))
        return (OK,)

    def cuMemsetD8Async(self, pointer, value, count, stream):
        return self._memset(1, pointer, value, count)

    def cuMemsetD16Async(self, pointer, value, count, stream):
        return self._memset(2, pointer, value, count)

    def cuMemsetD32Async(self, pointer, value, count, stream):
        return self._memset(4, pointer, value, count)

    def read(self, address: int, fmt: str):
        return struct.unpack("<" + fmt, ctypes.string_at(address, struct.calcsize(fmt)))[0]

    # modules and launches -------------------------------------------------------------------

    def cuModuleLoadData(self, image):
        # the fake reads PTX only: a cubin is refused like one newer than the driver, so the
        # launcher's fallback to the PTX runs too
        if image.startswith(b"\x7fELF"):
            self.rejected_cubins += 1
            return CUresult.CUDA_ERROR_INVALID_IMAGE, None
        if b".entry" not in image:
            return CUresult.CUDA_ERROR_INVALID_IMAGE, None
        self.modules.append(image)
        return OK, len(self.modules) - 1

    def cuModuleGetFunction(self, module, name):
        name = name.decode()
        text = self.modules[module]
        match = re.search(rf"\.entry {re.escape(name)}\((.*?)\)", text.decode(), re.S)
        if match is None:
            return CUresult.CUDA_ERROR_NOT_FOUND, None
        sizes = [PTX_SIZES[t] for t in re.findall(r"\.param \.(\w+)", match.group(1))]
        return OK, SimpleNamespace(name=name, sizes=sizes)

    def _decode(self, function, pointers_address):
        sizes = function.sizes
        pointers = (ctypes.c_void_p * len(sizes)).from_address(
            ctypes.addressof(pointers_address)
            if isinstance(pointers_address, ctypes.Array)
            else int(pointers_address)
        )
        return [
            ctypes.string_at(p, 8 if size == 8 else size).ljust(8, b"\0")
            for p, size in zip(pointers, sizes)
        ]

    def _run(self, function, grid, block, params, stream=None):
        decoded = self._decode(function, params)
        launch = Launch(function.name, tuple(grid), tuple(block), decoded, stream)
        self.launches.append(launch)
        reference = self.kernels.get(function.name)
        if reference is not None:
            reference(self, launch)

    def cuLaunchKernel(self, f, gx, gy, gz, bx, by, bz, shared, stream, params, extra):
        if 0 in (gx, gy, gz):
            return (CUresult.CUDA_ERROR_INVALID_VALUE,)
        self._run(f, (gx, gy, gz), (bx, by, bz), params, stream)
        return (OK,)

    # graphs ---------------------------------------------------------------------------------

    def cuGraphCreate(self, flags):
        return OK, FakeGraph()

    def cuGraphDestroy(self, graph):
        return (OK,)

    def cuGraphExecDestroy(self, executable):
        executable.destroyed = True
        return (OK,)

    def cuGraphAddKernelNode(self, graph, deps, count, params):
        node = (
            "kernel",
            params.func,
            (params.gridDimX, params.gridDimY, params.gridDimZ),
            (params.blockDimX, params.blockDimY, params.blockDimZ),
            self._decode(params.func, params.kernelParams),
        )
        graph.add(node, deps[:count])
        return OK, node

    def cuGraphAddMemsetNode(self, graph, deps, count, params, ctx):
        node = ("memset", params.dst, params.value, params.elementSize, params.width)
        graph.add(node, deps[:count])
        return OK, node

    def cuGraphAddEmptyNode(self, graph, deps, count):
        node = ("empty",)
        graph.add(node, deps[:count])
        return OK, node

    def cuGraphConditionalHandleCreate(self, graph, ctx, default, flags):
        handle = len(self.conditionals) + 1
        self.conditionals[handle] = default
        self.handle_graphs[handle] = graph
        return OK, handle

    def cuGraphAddNode(self, graph, deps, edge_data, count, params):
        body = FakeGraph()
        params.conditional.phGraph_out = [body]
        kind = CUgraphConditionalNodeType(params.conditional.type).name.rsplit("_", 1)[1]
        node = ("conditional", kind, params.conditional.handle, body)
        graph.add(node, deps[:count])
        return OK, node

    cuGraphAddNode.__doc__ = (
        "cuGraphAddNode(hGraph, dependencies, dependencyData, numDependencies, nodeParams)"
    )

    def cuGraphInstantiate(self, graph, flags):
        return OK, graph

    def cuGraphLaunch(self, executable, stream):
        if executable.destroyed:  # a real driver may crash instead
            return (CUresult.CUDA_ERROR_INVALID_VALUE,)
        self.graphs_launched += 1
        self._execute(executable)
        return (OK,)

    def _execute(self, graph, limit=10_000):
        for node in graph.nodes:  # insertion order: a topological order of the edges
            if node[0] == "empty":
                continue
            if node[0] == "memset":
                self._memset(node[3], node[1], node[2], node[4])
            elif node[0] == "kernel":
                launch = Launch(node[1].name, node[2], node[3], node[4])
                self.launches.append(launch)
                if node[1].name in self.kernels:
                    self.kernels[node[1].name](self, launch)
            elif node[1] == "IF":
                if self.conditionals[node[2]]:
                    self._execute(node[3])
            else:
                for _ in range(limit):
                    if not self.conditionals[node[2]]:
                        break
                    self._execute(node[3])

    def set_conditional(self, handle: int, value: int) -> None:
        self.conditionals[handle] = value
