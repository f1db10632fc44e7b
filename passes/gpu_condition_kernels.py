"""gpu-condition-kernels: device kernels that set CUDA graph conditionals (docs/architecture.md §7).

IR in: lowered IR for a gpu target (`checkpoint-lower{target=gpu}`), whose host code still
decides two things from device memory: a do-while's entry guard (`scf.if` over state loads)
and its loop condition (`scf.condition` over `cond[]` and `yielded_at`). IR out: for each such
condition one extra function

    func.func @k__qd_cond0(<k's arguments>, %handle: i64) attributes {qd.condition_kernel} {
      scf.parallel (%i) = (%c0) to (%c1) step (%c1) {
        <the condition's ops, cloned>
        func.call @cudaGraphSetConditional(%handle, extui(%cond))
      }
    }

and the `scf.if` / `scf.while` it belongs to gets `qd.cond_kernel = "k__qd_cond0"`. The CUDA
target outlines these like any task; its graph builder launches one right before the IF/WHILE
node whose handle it sets, so a do-while runs, and a yield exits it, without the host.
Invariant: the kernel functions are unchanged apart from that attribute. A condition that does
not read memory needs no kernel (the host knows it); one whose ops cannot be cloned onto the
device gets `qd.cond_kernel_unavailable = "<why>"` instead, and the runtime keeps the host loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp, StringAttr, UnitAttr, i32, i64
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import MemoryEffectKind, get_effects

from qdmlir.passes.kernel_ir import LOWERED

SET_CONDITIONAL = "cudaGraphSetConditional"
"""The driver-provided device builtin (gpu-feasibility.md Q3): (handle: u64, value: u32)."""
COND_KERNEL_ATTR = "qd.cond_kernel"
UNAVAILABLE_ATTR = "qd.cond_kernel_unavailable"
CONDITION_FUNCTION_ATTR = "qd.condition_kernel"


class SliceError(Exception):
    """The condition's ops cannot be recomputed on the device; the message says why."""


def condition_slice(value: SSAValue, func_op: func.FuncOp, block: Block) -> list[Operation]:
    """The ops computing `value` from `func_op`'s arguments, in order. Loads must sit in
    `block` (a load hoisted out of a loop would read once on the host, every time here)."""
    seen: dict[Operation, None] = {}
    args = set(func_op.body.block.args)

    def visit(v: SSAValue) -> None:
        if isinstance(v, BlockArgument):
            if v not in args:
                raise SliceError(f"it uses a block argument of {v.owner.parent_op().name}")
            return
        op = v.owner
        if op in seen:
            return
        effects = get_effects(op)
        if effects is None or any(e.kind != MemoryEffectKind.READ for e in effects):
            raise SliceError(f"it is computed by {op.name}, which is not a pure op or a load")
        if isinstance(op, memref.LoadOp):
            if op.memref not in args:
                raise SliceError("it loads from a memref that is not a kernel argument")
            if op.parent_block() is not block:
                raise SliceError("it reuses a load from outside the condition's block")
        for operand in op.operands:
            visit(operand)
        seen[op] = None

    visit(value)
    return sorted(seen, key=_position_key)


def _position_key(op: Operation) -> tuple:
    """Program order of ops from nested blocks: the index path from the function down."""
    path = []
    while op is not None and not isinstance(op, func.FuncOp):
        block = op.parent_block()
        path.append(block.get_operation_index(op) if block else 0)
        op = op.parent_op()
    return tuple(reversed(path))


def _reads_memory(ops: list[Operation]) -> bool:
    return any(isinstance(op, memref.LoadOp) for op in ops)


def condition_function(
    name: str, kernel: func.FuncOp, ops: list[Operation], cond: SSAValue
) -> func.FuncOp:
    """`@name(<kernel's arguments>, %handle: i64)`: one device thread recomputes `cond` from
    `ops` and sets the conditional handle to it."""
    arg_types = [*kernel.function_type.inputs.data, i64]
    block = Block(arg_types=arg_types)
    mapping: dict[SSAValue, SSAValue] = dict(zip(kernel.body.block.args, block.args))
    zero = arith.ConstantOp(IntegerAttr(0, IndexType()))
    one = arith.ConstantOp(IntegerAttr(1, IndexType()))
    body = Block(arg_types=[IndexType()])
    for op in ops:
        body.add_op(op.clone(value_mapper=mapping))
    value = arith.ExtUIOp(mapping[cond], i32)
    body.add_ops([value, func.CallOp(SET_CONDITIONAL, [block.args[-1], value], []), scf.ReduceOp()])
    block.add_ops([zero, one, scf.ParallelOp([zero], [one], [one], Region(body)), func.ReturnOp()])
    function = func.FuncOp(name, (arg_types, []), Region(block))
    function.attributes[CONDITION_FUNCTION_ATTR] = UnitAttr()
    return function


def host_conditions(kernel: func.FuncOp) -> list[tuple[Operation, SSAValue, Block]]:
    """(owner, i1 condition, the block it is computed in) for every host `scf.if` and host
    `scf.while` (its `scf.condition`), outside any task, in program order."""
    found = []

    def walk(block: Block) -> None:
        for op in block.ops:
            if isinstance(op, scf.ParallelOp):
                continue  # device code: its conditions are the kernel's own business
            if isinstance(op, scf.IfOp):
                found.append((op, op.cond, block))
            if isinstance(op, scf.WhileOp):
                terminator = op.before_region.block.last_op
                if isinstance(terminator, scf.ConditionOp):
                    found.append((op, terminator.condition, op.before_region.block))
            for region in op.regions:
                for inner in region.blocks:
                    walk(inner)

    walk(kernel.body.block)
    return found


@dataclass(frozen=True)
class GpuConditionKernelsPass(ModulePass):
    """Add a `cudaGraphSetConditional` kernel per memory-dependent host condition of every
    lowered kernel function. No options.

    IR in: lowered IR for a gpu target, whose do-while entry guards and loop conditions read
    device memory on the host.
    IR out: one `@k__qd_condN` function per such condition (its ops cloned into a
    one-iteration `scf.parallel` that sets the graph handle), named by `qd.cond_kernel` on the
    `scf.if` / `scf.while` it belongs to (the module docstring shows the IR).
    Invariant: the kernel functions are unchanged apart from that attribute.
    """

    name = "gpu-condition-kernels"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        kernels = [
            f
            for f in op.ops
            if isinstance(f, func.FuncOp) and LOWERED in f.attributes and not f.is_declaration
        ]
        added = []
        for kernel in kernels:
            for owner, cond, block in host_conditions(kernel):
                if COND_KERNEL_ATTR in owner.attributes or UNAVAILABLE_ATTR in owner.attributes:
                    continue  # idempotent
                try:
                    ops = condition_slice(cond, kernel, block)
                except SliceError as why:
                    owner.attributes[UNAVAILABLE_ATTR] = StringAttr(str(why))
                    continue
                if not _reads_memory(ops):
                    continue
                name = f"{kernel.sym_name.data}__qd_cond{len(added)}"
                added.append(condition_function(name, kernel, ops, cond))
                owner.attributes[COND_KERNEL_ATTR] = StringAttr(name)
        if added and not any(
            isinstance(f, func.FuncOp) and f.sym_name.data == SET_CONDITIONAL for f in op.ops
        ):
            added.append(func.FuncOp.external(SET_CONDITIONAL, [i64, i32], []))
        op.body.block.add_ops(added)
