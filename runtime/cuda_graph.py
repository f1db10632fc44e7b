"""A CUDA graph from a plan: every launch a kernel node, each do-while a WHILE conditional node.

docs/architecture.md §7. The plan is walked once with the call's arguments: host-only values
(shapes, scalars, constants) are computed, anything read from device memory is UNKNOWN. A
condition the host cannot know becomes a conditional node whose handle a condition kernel
(gpu-condition-kernels) sets on the device; `if (entry guard) { do-while }` becomes one
WHILE node: the entry kernel sets the handle before it, the loop-condition kernel at the end
of each iteration, so the loop and a yield out of it never wait for the host. The sections of
a fork are branches: each starts from the node before the fork, none depends on another, and
an empty node joins them. Anything the
graph cannot express raises GraphUnsupported with the reason; the launcher then stays direct
(and so it does when the driver refuses to build or instantiate it). Checked against the real
cuda-bindings over a stand-in driver (tests/stubcuda/); see tests/gpu/ for the device run.
"""

from __future__ import annotations

import ctypes
import struct

from .cuda_driver import call, driver
from .cuda_plan import (
    ITEM_SIZE,
    SCALAR_FORMATS,
    Buf,
    evaluate,
    extract,
    loop_kernel_for,
    pack_params,
)

UNKNOWN = object()
CU_GRAPH_COND_ASSIGN_DEFAULT = 1


class GraphUnsupported(Exception):
    """This plan (or these arguments) cannot become a graph; the message says why."""


class GraphBuilder:
    """Builds the graph of one (arguments, resume_point) for a launcher."""

    def __init__(self, launcher, values: list, state: Buf, resume_point: int):
        self.launcher = launcher
        self.device = launcher.device
        self.values = values
        self.state = state
        self.resume_point = resume_point
        self.root = call("cuGraphCreate", 0)
        self.keep = []  # parameter buffers: alive until the graph is instantiated

    def build(self):
        """The instantiated graph (a CUgraphExec) and its graph; GraphUnsupported if not."""
        try:
            tail = self._init_state()
            self.walk(
                self.launcher.plan["functions"][self.launcher.plan["kernel"]],
                self.values,
                self.root,
                tail,
            )
            executable = call("cuGraphInstantiate", self.root, 0)
        except Exception:
            call("cuGraphDestroy", self.root)
            raise
        return executable, self.root

    def _init_state(self) -> list:
        first = self.memset(self.root, [], self.state.pointer, self.resume_point & 0xFFFFFFFF, 4)
        return self.memset(self.root, first, self.state.pointer + 4, 0xFFFFFFFF, 4)

    # nodes ----------------------------------------------------------------------------------

    def memset(self, graph, deps: list, pointer: int, pattern: int, size: int) -> list:
        params = driver().CUDA_MEMSET_NODE_PARAMS()
        params.dst, params.pitch, params.value = pointer, 0, pattern
        params.elementSize, params.width, params.height = size, 1, 1
        node = call("cuGraphAddMemsetNode", graph, deps, len(deps), params, self.device.context)
        return [node]

    def kernel(self, graph, deps: list, index: int, grid, block, args) -> list:
        kernel = self.launcher.kernels[index]
        self.launcher.check_grid(grid, kernel["name"])
        storage, pointers = pack_params(kernel["params"], args)
        self.keep.append((storage, pointers))
        params = driver().CUDA_KERNEL_NODE_PARAMS()
        params.func = kernel["function"]
        params.gridDimX, params.gridDimY, params.gridDimZ = grid
        params.blockDimX, params.blockDimY, params.blockDimZ = block
        params.sharedMemBytes = 0
        params.kernelParams = ctypes.addressof(pointers)
        node = call("cuGraphAddKernelNode", graph, deps, len(deps), params)
        return [node]

    def empty(self, graph, deps: list) -> list:
        """A node that does nothing but wait for `deps`: the join of a fork's branches."""
        return [call("cuGraphAddEmptyNode", graph, deps, len(deps))]

    def conditional(self, graph, deps: list, kind: str, handle):
        """A conditional node of `kind` ("IF"/"WHILE"); returns ([node], body graph)."""
        drv = driver()
        params = drv.CUgraphNodeParams()
        params.type = drv.CUgraphNodeType.CU_GRAPH_NODE_TYPE_CONDITIONAL
        params.conditional.handle = handle
        params.conditional.type = getattr(
            drv.CUgraphConditionalNodeType, f"CU_GRAPH_COND_TYPE_{kind}"
        )
        params.conditional.size = 1
        params.conditional.ctx = self.device.context
        node = add_node(graph, deps, params)
        return [node], params.conditional.phGraph_out[0]

    def handle(self, graph):
        """A condition handle for a conditional node in `graph`: the driver ties a handle to
        the graph that will hold its node (a body graph for a loop nested in another)."""
        return call(
            "cuGraphConditionalHandleCreate",
            graph,
            self.device.context,
            0,
            CU_GRAPH_COND_ASSIGN_DEFAULT,
        )

    # the walk -------------------------------------------------------------------------------

    def walk(self, function: dict, values: list, graph, deps: list) -> list:
        regs = [UNKNOWN] * function["registers"]
        for reg, value in zip(function["args"], values):
            regs[reg] = value
        return self.block(function["body"], regs, graph, deps)

    def block(self, body: list[dict], regs: list, graph, deps: list) -> list:
        for inst in body:
            deps = getattr(self, "op_" + inst["op"])(inst, regs, graph, deps)
        return deps

    def op_const(self, inst, regs, graph, deps):
        regs[inst["dst"]] = inst["value"]
        return deps

    def op_arith(self, inst, regs, graph, deps):
        args = [regs[r] for r in inst["src"]]
        regs[inst["dst"]] = UNKNOWN if any(a is UNKNOWN for a in args) else evaluate(inst, args)
        return deps

    def op_dim(self, inst, regs, graph, deps):
        buf, axis = (regs[r] for r in inst["src"])
        regs[inst["dst"]] = buf.shape[axis]
        return deps

    def op_extract(self, inst, regs, graph, deps):
        regs[inst["dst"]] = extract(regs[inst["src"]], inst["position"])
        return deps

    def op_load(self, inst, regs, graph, deps):
        regs[inst["dst"]] = UNKNOWN  # device memory: only a condition kernel may read it
        return deps

    def op_alloca(self, inst, regs, graph, deps):
        regs[inst["dst"]] = self.launcher.scratch(inst["dst"], inst["shape"], inst["type"])
        return deps

    def op_store(self, inst, regs, graph, deps):
        value = regs[inst["value"]]
        indices = [regs[r] for r in inst["indices"]]
        size = ITEM_SIZE[inst["type"]]
        if value is UNKNOWN or UNKNOWN in indices or size not in (1, 2, 4):
            raise GraphUnsupported(f"a host store of {inst['type']} that depends on device data")
        bits = struct.pack("<" + SCALAR_FORMATS[inst["type"]], value)
        return self.memset(
            graph, deps, regs[inst["memref"]].address(indices), int.from_bytes(bits, "little"), size
        )

    def op_launch(self, inst, regs, graph, deps):
        grid = [regs[r] for r in inst["grid"]]
        block = [regs[r] for r in inst["block"]]
        args = [regs[r] for r in inst["args"]]
        if any(v is UNKNOWN for v in grid + block + args):
            raise GraphUnsupported("a launch whose grid or arguments are read from the device")
        if min(grid) <= 0:
            return deps
        return self.kernel(graph, deps, inst["kernel"], grid, block, args)

    def op_if(self, inst, regs, graph, deps):
        cond = regs[inst["cond"]]
        if cond is not UNKNOWN and not cond:
            return self.block(inst["else"], regs, graph, deps)
        loop = loop_kernel_for(inst, [None if v is UNKNOWN else v for v in regs])
        if loop is not None:  # the whole do-while in one node; the kernel tests the entry
            function = self.launcher.plan["functions"][loop]
            return self.walk(function, self.values, graph, deps)
        if cond is not UNKNOWN:
            return self.block(inst["then"], regs, graph, deps)
        if inst["cond_kernel"] is None:
            raise GraphUnsupported(_no_kernel_reason(inst))
        if inst["else"]:
            raise GraphUnsupported("a device-decided if with an else branch")
        handle = self.handle(graph)
        deps = self.set_condition(inst["cond_kernel"], handle, graph, deps)
        loop = inst["then"][0] if len(inst["then"]) == 1 else None
        if loop is not None and loop["op"] == "do_while":
            return self.fused_loop(loop, handle, regs, graph, deps)
        node, body = self.conditional(graph, deps, "IF", handle)
        self.block(inst["then"], regs, body, [])
        return node

    def fused_loop(self, loop, handle, regs, graph, deps):
        """`if (entry) { do { body } while (cond) }` = WHILE(handle = entry) { body; cond }."""
        if loop["cond_kernel"] is None:
            raise GraphUnsupported(_no_kernel_reason(loop))
        node, body = self.conditional(graph, deps, "WHILE", handle)
        tail = self.block(loop["body"], regs, body, [])
        self.set_condition(loop["cond_kernel"], handle, body, tail)
        return node

    def op_parallel(self, inst, regs, graph, deps):
        """Each section a branch from `deps`, with no edge between branches; an empty node
        after two or more (one is a plain chain, none adds nothing)."""
        tails = []
        for body in inst["sections"]:
            tail = self.block(body, regs, graph, deps)
            if tail is not deps:  # the section added nodes
                tails.append(tail)
        if len(tails) <= 1:
            return tails[0] if tails else deps
        return self.empty(graph, [node for tail in tails for node in tail])

    def op_do_while(self, inst, regs, graph, deps):
        raise GraphUnsupported("a do-while without a device entry guard")

    def set_condition(self, name: str, handle, graph, deps) -> list:
        function = self.launcher.plan["functions"][name]
        return self.walk(function, [*self.values, int(handle)], graph, deps)


def add_node(graph, deps: list, params):
    """cuGraphAddNode across cuda-bindings 12 (no edge data) and 13 (edge data argument)."""
    doc = driver().cuGraphAddNode.__doc__ or ""
    if "dependencyData" in doc.split("\n")[0]:
        return call("cuGraphAddNode", graph, deps, None, len(deps), params)
    return call("cuGraphAddNode", graph, deps, len(deps), params)


def _no_kernel_reason(inst: dict) -> str:
    why = inst.get("cond_kernel_unavailable")
    if why:
        return f"the loop condition cannot run on the device: {why}"
    return "the condition is read from the device and no condition kernel was built (sm_80?)"
