"""`gpu-coarsen-tasks`: each GPU thread runs several iterations of a large task, interleaved.

A task that gives every thread one iteration keeps one memory access in flight per thread
(an iteration's load must return before its store), which leaves a memory-bound pass at two
thirds of the device's copy bandwidth; `factor` iterations per thread with their operations
interleaved (all loads first, then the arithmetic, then the stores) keep `factor` in flight
(docs/targets.md, CUDA: measured on an H200). The interleaving is legal because the iterations
of a task are independent: no iteration reads what another one writes, except through atomics,
whose order is unspecified anyway (docs/kernel-language.md, tasks).

    scf.parallel (%i) = (%lb) to (%ub) step (%s) {
      <guard ops>; scf.if %run { BODY(%i) } {qd.guard_slot = 3}; scf.reduce }
  ->
    %n = max(ceildiv(ub - lb, s), 0); %T = ceildiv(%n, factor)
    scf.parallel (%t) = (%c0) to (%T) step (%c1) {
      <guard ops>; scf.if %run {
        %e_k = %t + k * %T; %i_k = %lb + %e_k * %s               (k = 0 .. factor - 1)
        scf.if (%e_{factor-1} < %n) { BODY(%i_0) .. BODY(%i_{factor-1}), op by op }
        else { scf.if (%e_k < %n) { BODY(%i_k) } for each k }
      } {qd.guard_slot = 3}; scf.reduce }

Threads that own consecutive `%t` touch consecutive elements for every `k`, so accesses stay
coalesced. Only one-dimensional tasks without reductions whose trip count is not a small
constant are rewritten (a serial task, one iteration, is left alone); a body that uses the
index before its guard is left alone too.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from qdmlir.passes.guards import GUARD_SLOT
from qdmlir.passes.kernel_ir import constant_int

SMALL_CONSTANT_TRIP = 1 << 16
"""A task with a constant trip count below this keeps one iteration per thread: it has too
few iterations for the grid to stay busy when each thread takes several."""


def _guard_of(task: scf.ParallelOp) -> scf.IfOp | None:
    """The task's slot guard, if the body is `<ops not using the index>; guard; reduce`."""
    ops = list(task.body.block.ops)
    if len(ops) < 2 or not isinstance(ops[-1], scf.ReduceOp):
        return None
    guard = ops[-2]
    if not isinstance(guard, scf.IfOp) or GUARD_SLOT not in guard.attributes or guard.results:
        return None
    (index,) = task.body.block.args
    if any(use.operation.parent_op() is task for use in index.uses):  # used before the guard
        return None
    return guard


def coarsenable(task: scf.ParallelOp) -> scf.IfOp | None:
    """The guard of a task this pass rewrites, else None."""
    if len(task.lowerBound) != 1 or task.initVals or task.body.block.args[0].type != IndexType():
        return None
    if isinstance(task.parent_op(), scf.ParallelOp):  # a loop nested in a task
        return None
    step = constant_int(task.step[0])
    if step is None or step <= 0:
        return None
    low, high = constant_int(task.lowerBound[0]), constant_int(task.upperBound[0])
    if low is not None and high is not None and high - low < SMALL_CONSTANT_TRIP * step:
        return None
    return _guard_of(task)


@dataclass
class _Builder:
    """Appends index arithmetic to a list of ops."""

    ops: list[Operation]

    def add(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0]

    def const(self, value: int) -> SSAValue:
        return self.add(arith.ConstantOp(IntegerAttr(value, IndexType())))


def coarsen(task: scf.ParallelOp, guard: scf.IfOp, factor: int) -> None:
    """Rewrite `task` in place as the module docstring shows."""
    rewriter = Rewriter()
    (lb,), (ub,), (step,) = task.lowerBound, task.upperBound, task.step
    outer = _Builder([])
    zero, one = outer.const(0), outer.const(1)
    span = outer.add(arith.SubiOp(ub, lb))
    trips = outer.add(arith.MaxSIOp(outer.add(arith.CeilDivSIOp(span, step)), zero))
    threads = outer.add(arith.CeilDivUIOp(trips, outer.const(factor)))
    for op in outer.ops:
        op.location = task.location
    rewriter.insert_op(outer.ops, InsertPoint.before(task))

    (index,) = task.body.block.args
    body = guard.true_region.block
    inner = _Builder([])
    thread = index  # the block argument now counts threads, not iterations
    thread.name_hint = "thread"
    positions, indices = [], []
    for k in range(factor):
        offset = inner.add(arith.MuliOp(threads, inner.const(k))) if k else None
        position = inner.add(arith.AddiOp(thread, offset)) if offset is not None else thread
        positions.append(position)
        indices.append(inner.add(arith.AddiOp(lb, inner.add(arith.MuliOp(position, step)))))
    all_inside = inner.add(arith.CmpiOp(positions[-1], trips, "slt"))
    units = [op for op in body.ops if not isinstance(op, scf.YieldOp)]
    fast = Block([*_interleaved(units, index, indices), scf.YieldOp()])
    slow = Block()
    for k in range(factor):
        inside = arith.CmpiOp(positions[k], trips, "slt")
        copy = Block([*_copies(units, index, indices[k]), scf.YieldOp()])
        slow.add_ops([inside, scf.IfOp(inside.result, [], Region(copy))])
    slow.add_op(scf.YieldOp())
    branch = scf.IfOp(all_inside, [], Region(fast), Region(slow))
    for op in [*inner.ops, branch]:
        op.location = guard.location
    for op in units:
        op.detach()
        op.erase(safe_erase=False)
    body.insert_ops_before([*inner.ops, branch], body.last_op)
    # the new iteration space: threads 0 .. T-1, step 1
    task.operands = [zero, threads, one, *task.operands[3:]]


def _copies(units: list[Operation], index: SSAValue, value: SSAValue) -> list[Operation]:
    """`units` cloned with `index` replaced by `value`."""
    mapping = {index: value}
    return [op.clone(value_mapper=mapping) for op in units]


def _interleaved(units: list[Operation], index: SSAValue, values: list[SSAValue]):
    """One copy of `units` per value of the index, emitted op by op across the copies: each
    copy's ops stay in their order, so each copy computes what it computed alone."""
    mappings = [{index: value} for value in values]
    for op in units:
        for mapping in mappings:
            yield op.clone(value_mapper=mapping)


@dataclass(frozen=True)
class GpuCoarsenTasksPass(ModulePass):
    """Give each GPU thread `factor` iterations of every large one-dimensional task.

    Options:
      factor: iterations per thread (default 4; 1 leaves every task as it is).

    IR in: lowered IR for a gpu target (`checkpoint-lower{target=gpu}`): slot guards inside
    the tasks.
    IR out: the same, with each large 1-d task over `ceildiv(trip, factor)` threads whose
    guarded body runs the iterations `t + k * T` interleaved (see the module docstring).
    Invariant: every iteration of every task runs exactly once, under the same guard.
    """

    name = "gpu-coarsen-tasks"

    factor: int = 4

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.factor < 1:
            from qdmlir.passes.diagnostics import fail_at

            raise fail_at(self.name, None, f"factor must be >= 1, got {self.factor}")
        if self.factor == 1:
            return
        tasks = [t for t in op.walk() if isinstance(t, scf.ParallelOp)]
        for task in tasks:
            guard = coarsenable(task)
            if guard is not None:
                coarsen(task, guard, self.factor)
