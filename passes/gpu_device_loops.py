"""`gpu-device-loops`: a do-while whose tasks are small runs whole in one single-block kernel.

A do-while on a GPU is a host loop (sm_80, ROCm: a device sync per iteration) or a CUDA graph
WHILE node (sm_90: still ~5 us per iteration of the node itself, measured on an H200), one
kernel node per task. When every task in the loop has few iterations, as in a solver's
inner iteration over a handful of elements, one block of BLOCK threads can run the whole loop:
each task becomes a block-strided loop followed by a barrier, each one-thread task (a serial
statement, a flag check) runs on thread 0 followed by a barrier, and the loop's condition,
read after a barrier by every thread, is the same everywhere (docs/targets.md, device loops).

    scf.if %entry { scf.while : () -> () { BODY; scf.condition(%c) } do { scf.yield } }
        {qd.guard_slot = 4}
  + (a new function)
    func.func @k__qd_loop0(<k's arguments>) attributes {qd.device_loop} {
      scf.parallel (%tid) = (%c0) to (%cBLOCK) step (%c1) {          // one block
        <the glue the loop uses, cloned>
        scf.if %entry { scf.while { gpu.barrier; BODY'; scf.condition(%c) } do { scf.yield } }
        scf.reduce
      }
    }
  where in BODY' a task `scf.parallel (%i) = (%lb) to (%ub) step (%s) {T}` is
  `scf.for %i = %lb + %tid * %s to %ub step %s * BLOCK {T}; gpu.barrier`, a one-iteration task
  or a host store runs under `scf.if (%tid == 0)` followed by `gpu.barrier`, and the host's
  loads and arithmetic run on every thread.

The host `scf.if` gets `qd.loop_kernel = "k__qd_loop0"`; the runtime launches that kernel
instead of the loop when every launch inside the loop needs at most LOOP_KERNEL_BLOCKS blocks
for its arguments (runtime/gpu_launcher.py), else it runs the loop as before. A loop the
function cannot hold (a task with reductions or of several dimensions, a kernel variable, a
value computed by a task) gets `qd.loop_kernel_unavailable = "<why>"` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp, StringAttr, UnitAttr
from xdsl.dialects.gpu import BarrierOp
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import MemoryEffectKind, get_effects

from qdmlir.passes import sections
from qdmlir.passes.kernel_ir import LOWERED, constant_int

BLOCK = 256
"""Threads of the loop kernel: one block, the tile size of every other GPU task
(passes/targets/gpu_kernels.py), so the task mapping makes exactly one block of it."""
LOOP_KERNEL_ATTR = "qd.loop_kernel"
UNAVAILABLE_ATTR = "qd.loop_kernel_unavailable"
LOOP_FUNCTION_ATTR = "qd.device_loop"


class Unavailable(Exception):
    """The loop cannot run as one block; the message says why (it stays a host loop)."""


def host_loops(kernel: func.FuncOp) -> list[scf.IfOp]:
    """The outermost do-whiles of a lowered kernel: their entry guards, `scf.if` holding only
    an `scf.while`, outside any task."""
    found = []

    def walk(block: Block) -> None:
        for op in block.ops:
            if isinstance(op, scf.ParallelOp):
                continue
            if isinstance(op, scf.IfOp) and _is_loop_guard(op):
                found.append(op)
                continue  # a nested loop runs inside its outer loop's kernel
            for region in op.regions:
                for inner in region.blocks:
                    walk(inner)

    walk(kernel.body.block)
    return found


def _is_loop_guard(op: scf.IfOp) -> bool:
    ops = list(op.true_region.block.ops)
    return len(ops) == 2 and isinstance(ops[0], scf.WhileOp) and not op.results


def _outside_values(guard: scf.IfOp) -> list[SSAValue]:
    """Values the guard and its loop use that are defined before it, in first-use order."""
    inside: set[Operation] = set(guard.walk())
    found: dict[SSAValue, None] = {}
    for op in guard.walk():
        for operand in op.operands:
            owner = operand.owner
            defined_inside = (
                owner.parent_op() in inside if isinstance(owner, Block) else owner in inside
            )
            if not defined_inside:
                found.setdefault(operand)
    return list(found)


def _prologue(
    values: list[SSAValue], kernel: func.FuncOp, mapping: dict[SSAValue, SSAValue]
) -> list[Operation]:
    """Clones of the pure ops and loads that compute `values` from the kernel's arguments."""
    args = set(kernel.body.block.args)
    ordered: dict[Operation, None] = {}

    def visit(value: SSAValue) -> None:
        if value in args or value in mapping:
            return
        if isinstance(value, BlockArgument):
            raise Unavailable(f"the loop uses a block argument of {value.owner.parent_op().name}")
        op = value.owner
        if op in ordered:
            return
        if isinstance(op, memref.AllocaOp):
            raise Unavailable("the loop uses a kernel variable (a top-level assignment)")
        effects = get_effects(op)
        if effects is None or any(e.kind != MemoryEffectKind.READ for e in effects):
            raise Unavailable(f"the loop uses a value computed by {op.name} before it")
        for operand in op.operands:
            visit(operand)
        ordered[op] = None

    for value in values:
        visit(value)
    return [op.clone(value_mapper=mapping) for op in ordered]


def _one_iteration(task: scf.ParallelOp) -> bool:
    low, high = (constant_int(v) for v in (task.lowerBound[0], task.upperBound[0]))
    step = constant_int(task.step[0])
    return None not in (low, high, step) and 0 < high - low <= step


@dataclass
class _OneBlock:
    """Rewrites the cloned loop so one block of BLOCK threads runs it (module docstring)."""

    tid: SSAValue
    is_first: SSAValue  # tid == 0

    def block(self, block: Block) -> None:
        ops = list(block.ops)
        for op in ops:
            op.detach()
        block.add_ops([new for op in ops for new in self.op(op)])

    def op(self, op: Operation) -> list[Operation]:
        if isinstance(op, (scf.YieldOp, scf.ConditionOp)):
            return [op]
        if isinstance(op, scf.ParallelOp):
            return self.task(op)
        if sections.is_fork(op):  # one block runs the sections in turn: they have no order
            inlined = []
            for body in sections.section_bodies(op):
                for inner in list(body.ops)[:-1]:  # all but the section's scf.yield
                    inner.detach()
                    inlined += self.op(inner)
            return inlined
        if isinstance(op, memref.StoreOp):  # a host store: the state's resume_point reset
            return self.on_first_thread([op])
        if isinstance(op, scf.WhileOp):
            # no thread writes what the last condition read before every thread has read it
            self.block(op.before_region.block)
            op.before_region.block.insert_op_before(BarrierOp(), op.before_region.block.first_op)
            self.block(op.after_region.block)
        elif isinstance(op, scf.IfOp):
            for region in op.regions:
                for inner in region.blocks:
                    self.block(inner)
        elif not _reads_only(op):
            raise Unavailable(f"the loop runs {op.name} on the host")
        return [op]

    def task(self, task: scf.ParallelOp) -> list[Operation]:
        if len(task.lowerBound) != 1 or task.initVals:
            raise Unavailable("the loop holds a task of several dimensions or with reductions")
        (lb,), (ub,), (step,) = task.lowerBound, task.upperBound, task.step
        body = task.body.block
        reduce = body.last_op
        reduce.detach()
        reduce.erase()
        if _one_iteration(task):
            body.args[0].replace_all_uses_with(lb)
            ops = list(body.ops)
            for op in ops:
                op.detach()
            return self.on_first_thread(ops)
        body.add_op(scf.YieldOp())
        offset = arith.MuliOp(self.tid, step)
        start = arith.AddiOp(lb, offset.result)
        threads = arith.ConstantOp(IntegerAttr(BLOCK, IndexType()))
        stride = arith.MuliOp(step, threads.result)
        loop = scf.ForOp(start.result, ub, stride.result, [], task.detach_region(task.body))
        made = [offset, start, threads, stride, loop, BarrierOp()]
        for op in made:
            op.location = task.location
        return made

    def on_first_thread(self, ops: list[Operation]) -> list[Operation]:
        """`scf.if (tid == 0) { ops }; gpu.barrier`: what one thread does, seen by all after."""
        guarded = scf.IfOp(self.is_first, [], Region(Block([*ops, scf.YieldOp()])))
        barrier = BarrierOp()
        if ops:
            guarded.location = barrier.location = ops[0].location
        return [guarded, barrier]


def _reads_only(op: Operation) -> bool:
    effects = get_effects(op)
    return effects is not None and all(e.kind == MemoryEffectKind.READ for e in effects)


def loop_function(name: str, kernel: func.FuncOp, guard: scf.IfOp) -> func.FuncOp:
    """`@name(<kernel's arguments>)`: the loop of `guard` run by one block (module docstring)."""
    arg_types = list(kernel.function_type.inputs.data)
    entry = Block(arg_types=arg_types)
    mapping: dict[SSAValue, SSAValue] = dict(zip(kernel.body.block.args, entry.args))
    for old, new in mapping.items():
        new.name_hint = old.name_hint
    zero = arith.ConstantOp(IntegerAttr(0, IndexType()))
    one = arith.ConstantOp(IntegerAttr(1, IndexType()))
    threads = arith.ConstantOp(IntegerAttr(BLOCK, IndexType()))
    body = Block(arg_types=[IndexType()])
    tid = body.args[0]
    tid.name_hint = "tid"
    is_first = arith.CmpiOp(tid, zero.result, "eq")
    prologue = _prologue(_outside_values(guard), kernel, mapping)
    loop = guard.clone(value_mapper=mapping)
    _OneBlock(tid, is_first.result).block(Block([loop]))  # rewrites `loop` inside a holder
    loop.detach()
    body.add_ops([is_first, *prologue, loop, scf.ReduceOp()])
    task = scf.ParallelOp([zero.result], [threads.result], [one.result], Region(body))
    entry.add_ops([zero, one, threads, task, func.ReturnOp()])
    for op in (zero, one, threads, is_first, task):
        op.location = guard.location
    function = func.FuncOp(name, (arg_types, []), Region(entry))
    function.attributes[LOOP_FUNCTION_ATTR] = UnitAttr()
    function.location = kernel.location
    return function


@dataclass(frozen=True)
class GpuDeviceLoopsPass(ModulePass):
    """Give every outermost do-while of a GPU kernel a single-block kernel that runs it whole.

    IR in: lowered IR for a gpu target (guards inside the tasks).
    IR out: the same, plus one `@<kernel>__qd_loopN` function per loop (attribute
    `qd.device_loop`) named by `qd.loop_kernel` on the loop's entry-guard `scf.if`, or
    `qd.loop_kernel_unavailable = "<why>"` there when the loop cannot run as one block.
    Invariant: the kernel functions are unchanged apart from those attributes; the runtime
    decides per launch which form runs (runtime/gpu_launcher.py).
    """

    name = "gpu-device-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        kernels = [
            f
            for f in op.ops
            if isinstance(f, func.FuncOp) and LOWERED in f.attributes and not f.is_declaration
        ]
        added = []
        for kernel in kernels:
            for guard in host_loops(kernel):
                if LOOP_KERNEL_ATTR in guard.attributes or UNAVAILABLE_ATTR in guard.attributes:
                    continue  # idempotent
                name = f"{kernel.sym_name.data}__qd_loop{len(added)}"
                try:
                    added.append(loop_function(name, kernel, guard))
                except Unavailable as why:
                    guard.attributes[UNAVAILABLE_ATTR] = StringAttr(str(why))
                    continue
                guard.attributes[LOOP_KERNEL_ATTR] = StringAttr(name)
        op.body.block.add_ops(added)
