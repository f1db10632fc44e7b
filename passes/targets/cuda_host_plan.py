"""The host launch plan of a GPU kernel: the host function after outlining, as JSON data.

docs/architecture.md §7. After `gpu-kernel-outlining` a lowered kernel function holds only
host code: glue (`arith`, `memref.dim`, `vector.extract` of a vector parameter's entries),
state and flag accesses (`memref.load/store`), `gpu.launch_func`, the `scf.if` / `scf.while` of
do-while loops and the nested `scf.execute_region`s of a fork of sections (passes/sections.py).
`extract_plan` turns it
into instructions over numbered registers (arguments first) that `runtime/cuda_plan.py`
interprets with the CUDA driver API or HIP, or turns into a CUDA graph. The plan format is
CUDA's; the ROCm target writes the same one. Anything else is a build error naming the op and
its source location.
"""

from __future__ import annotations

import re

from mlir import ir

from qdmlir.passes import gpu_device_loops, sections
from qdmlir.passes.gpu_condition_kernels import COND_KERNEL_ATTR, UNAVAILABLE_ATTR

CMPI_PREDICATES = ("eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge")
CMPF_PREDICATES = (
    "false",
    "oeq",
    "ogt",
    "oge",
    "olt",
    "ole",
    "one",
    "ord",
    "ueq",
    "ugt",
    "uge",
    "ult",
    "ule",
    "une",
    "uno",
    "true",
)
ARITH_OPS = frozenset(
    "addi subi muli divsi divui remsi remui ceildivsi ceildivui floordivsi andi ori xori shli "
    "shrsi shrui maxsi minsi maxui minui cmpi select index_cast index_castui extsi extui trunci "
    "addf subf mulf divf negf maximumf minimumf maxnumf minnumf cmpf sitofp uitofp fptosi "
    "fptoui extf truncf bitcast".split()
)
"""Host arith ops the runtime evaluates (runtime/cuda_plan.py has the semantics)."""


class HostPlanError(RuntimeError):
    """The host part of a kernel uses an op the GPU runtimes cannot run on the host."""


def param_kind(type_text: str) -> dict:
    """How one launch operand is passed: a memref descriptor of a rank, or a scalar."""
    if type_text.startswith("memref<"):
        return {"kind": "memref", "rank": memref_rank(type_text), "type": type_text}
    return {"kind": "scalar", "type": "i64" if type_text == "index" else type_text}


def memref_rank(type_text: str) -> int:
    """The rank of `memref<?x4xindex, ...>`: the sizes before the element type. Counting
    every "x" would count the one in `index`."""
    sizes = re.match(r"(?:(?:\?|\d+)x)*", type_text[len("memref<") :]).group()
    return sizes.count("x")


class _Extractor:
    """Walks one host function; `kernels` maps (module, func) symbols to kernel indices."""

    def __init__(self, kernels: dict[tuple[str, str], int], function: str, target: str):
        self.kernels = kernels
        self.function = function
        self.target = target
        self.registers: dict[ir.Value, int] = {}
        self.launch_params: dict[int, list[dict]] = {}

    def reg(self, value: ir.Value) -> int:
        return self.registers[value]

    def define(self, value: ir.Value) -> int:
        self.registers[value] = len(self.registers)
        return self.registers[value]

    def fail(self, op: ir.Operation, why: str) -> HostPlanError:
        return HostPlanError(
            f"{self.target} target: {why} (host code of @{self.function}, at "
            f"{op.location}); keep it inside a task (a top-level for loop)"
        )

    def block(self, block: ir.Block) -> list[dict]:
        out = []
        for op in block.operations:
            op = op.operation
            if op.name in ("scf.yield", "func.return", "scf.condition"):
                continue
            out.append(self.op(op))
        return out

    def op(self, op: ir.Operation) -> dict:
        name = op.name
        if name == "arith.constant":
            return self.constant(op)
        if name.startswith("arith.") and name[6:] in ARITH_OPS:
            return self.arith(op)
        handler = {
            "memref.dim": self.dim,
            "memref.load": self.load,
            "memref.store": self.store,
            "memref.alloca": self.alloca,
            "vector.extract": self.extract,
            "gpu.launch_func": self.launch,
            "scf.if": self.if_,
            "scf.while": self.while_,
            "scf.execute_region": self.fork,
        }.get(name)
        if handler is None:
            raise self.fail(op, f"{name} cannot run on the host")
        return handler(op)

    def constant(self, op: ir.Operation) -> dict:
        attr = op.attributes["value"]
        type_text = str(op.results[0].type)
        # the bindings hand out the concrete class: an i1 constant (`true`) is a BoolAttr
        if isinstance(attr, ir.BoolAttr):
            value = int(attr.value)
        elif isinstance(attr, ir.IntegerAttr):
            value = attr.value
        elif isinstance(attr, ir.FloatAttr):
            value = attr.value
        else:
            raise self.fail(op, f"constant {attr} is neither an integer nor a float")
        return {"op": "const", "dst": self.define(op.results[0]), "value": value, "type": type_text}

    def arith(self, op: ir.Operation) -> dict:
        inst = {
            "op": "arith",
            "name": op.name[6:],
            "src": [self.reg(v) for v in op.operands],
            "type": str(op.results[0].type),
            "src_type": str(op.operands[0].type),
        }
        if op.name in ("arith.cmpi", "arith.cmpf"):
            table = CMPI_PREDICATES if op.name == "arith.cmpi" else CMPF_PREDICATES
            inst["pred"] = table[ir.IntegerAttr(op.attributes["predicate"]).value]
        inst["dst"] = self.define(op.results[0])
        return inst

    def dim(self, op: ir.Operation) -> dict:
        src = [self.reg(v) for v in op.operands]
        return {"op": "dim", "src": src, "dst": self.define(op.results[0])}

    def load(self, op: ir.Operation) -> dict:
        memref, *indices = (self.reg(v) for v in op.operands)
        return {
            "op": "load",
            "memref": memref,
            "indices": indices,
            "type": str(op.results[0].type),
            "dst": self.define(op.results[0]),
        }

    def store(self, op: ir.Operation) -> dict:
        value, memref, *indices = (self.reg(v) for v in op.operands)
        return {
            "op": "store",
            "value": value,
            "memref": memref,
            "indices": indices,
            "type": str(op.operands[0].type),
        }

    def extract(self, op: ir.Operation) -> dict:
        """An entry of a vector / matrix parameter (taken apart at the kernel entry)."""
        if len(op.operands) != 1:
            raise self.fail(op, "a vector.extract at a run-time position")
        position = [int(p) for p in ir.DenseI64ArrayAttr(op.attributes["static_position"])]
        return {
            "op": "extract",
            "src": self.reg(op.operands[0]),
            "position": position,
            "dst": self.define(op.results[0]),
        }

    def alloca(self, op: ir.Operation) -> dict:
        memref_type = ir.MemRefType(op.results[0].type)
        if not memref_type.has_static_shape or list(op.operands):
            raise self.fail(op, "a host memref.alloca needs a static shape")
        return {
            "op": "alloca",
            "shape": list(memref_type.shape),
            "type": str(memref_type.element_type),
            "dst": self.define(op.results[0]),
        }

    def launch(self, op: ir.Operation) -> dict:
        symbol = ir.SymbolRefAttr(op.attributes["kernel"]).value
        index = self.kernels[(symbol[0], symbol[-1])]
        operands = [self.reg(v) for v in op.operands]
        # operandSegmentSizes: async deps, grid x/y/z, block x/y/z, cluster x/y/z, dynamic
        # shared memory, kernel operands, async object; outlining makes none but grid, block
        # and operands
        segments = [int(n) for n in op.attributes["operandSegmentSizes"]]
        if segments[0] or any(segments[7:11]) or segments[12]:
            raise self.fail(op, "a launch with async tokens, clusters or shared memory")
        args = list(op.operands)[6:]
        self.launch_params[index] = [param_kind(str(v.type)) for v in args]
        return {
            "op": "launch",
            "kernel": index,
            "grid": operands[0:3],
            "block": operands[3:6],
            "args": operands[6:],
        }

    def if_(self, op: ir.Operation) -> dict:
        if len(op.results):
            raise self.fail(op, "a host scf.if that yields values")
        then = self.block(op.regions[0].blocks[0])
        other = self.block(op.regions[1].blocks[0]) if len(op.regions[1].blocks) else []
        return {
            "op": "if",
            "cond": self.reg(op.operands[0]),
            "then": then,
            "else": other,
            **self.cond_kernel(op),
            **self.loop_kernel(op),
        }

    def while_(self, op: ir.Operation) -> dict:
        before, after = op.regions[0].blocks[0], op.regions[1].blocks[0]
        if len(op.results) or len(before.arguments) or len(list(after.operations)) != 1:
            raise self.fail(op, "a host scf.while that is not a plain do-while")
        body = self.block(before)
        condition = list(before.operations)[-1]
        return {
            "op": "do_while",
            "body": body,
            "cond": self.reg(condition.operands[0]),
            **self.cond_kernel(op),
        }

    def loop_kernel(self, op: ir.Operation) -> dict:
        """Which gpu-device-loops function runs this do-while whole in one block, if any."""
        out = {}
        for key, attr in (
            ("loop_kernel", gpu_device_loops.LOOP_KERNEL_ATTR),
            ("loop_kernel_unavailable", gpu_device_loops.UNAVAILABLE_ATTR),
        ):
            if attr in op.attributes:
                out[key] = ir.StringAttr(op.attributes[attr]).value
        return out

    def fork(self, op: ir.Operation) -> dict:
        """`{"op": "parallel", "sections": [[...], ...]}`: bodies with no order between them,
        all done before the next instruction (the fork of passes/sections.py)."""
        if sections.FORK not in op.attributes or len(op.results):
            raise self.fail(op, "an scf.execute_region that is not a fork of sections")
        bodies = []
        for inner in op.regions[0].blocks[0].operations:
            inner = inner.operation
            if inner.name == "scf.yield":
                continue
            if inner.name != "scf.execute_region" or sections.SECTION not in inner.attributes:
                raise self.fail(inner, f"{inner.name} between the sections of a fork")
            bodies.append(self.block(inner.regions[0].blocks[0]))
        return {"op": "parallel", "sections": bodies}

    def cond_kernel(self, op: ir.Operation) -> dict:
        """Which gpu-condition-kernels function sets this condition on the device, if any."""
        out = {"cond_kernel": None, "cond_kernel_unavailable": None}
        if COND_KERNEL_ATTR in op.attributes:
            out["cond_kernel"] = ir.StringAttr(op.attributes[COND_KERNEL_ATTR]).value
        if UNAVAILABLE_ATTR in op.attributes:
            out["cond_kernel_unavailable"] = ir.StringAttr(op.attributes[UNAVAILABLE_ATTR]).value
        return out


def extract_function(
    function: ir.Operation, kernels: dict[tuple[str, str], int], target: str = "CUDA"
) -> tuple[dict, dict]:
    """(plan of one host function, kernel index -> parameter kinds of its launches); `target`
    names the target in errors."""
    name = ir.StringAttr(function.attributes["sym_name"]).value
    extractor = _Extractor(kernels, name, target)
    entry = function.regions[0].blocks[0]
    args = [extractor.define(a) for a in entry.arguments]
    types = [str(a.type) for a in entry.arguments]
    body = extractor.block(entry)
    return (
        {"args": args, "arg_types": types, "registers": len(extractor.registers), "body": body},
        extractor.launch_params,
    )
