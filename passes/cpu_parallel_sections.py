"""`cpu-parallel-sections`: sections that each hold enough serial work run on threads of their
own (docs/targets.md, "Sections").

IR in: lowered IR (after checkpoint-lower) holding forks (passes/sections.py).
IR out: each fork becomes

    <estimates>
    scf.if %concurrent {
      scf.parallel (%s) = (%c0) to (%cN) step (%c1) {                  {qd.sections}
        scf.index_switch %s
        case 0 { <section 0, its tasks as scf.for nests>; scf.yield }
        case 1 { ... }
        default { scf.yield }
        scf.reduce
      }
    } else {
      <section 0> <section 1> ...                         (each task decides for itself)
    } {qd.parallel_sections = min-trip}

or only one branch when the decision is known at compile time. convert-scf-to-openmp makes the
first branch an OpenMP team with one section per thread (static schedule); in it a task runs
on its section's thread. With one OpenMP thread the team runs the sections in order, as the
other branch would, less each task's (one-thread) fork.

The decision reuses cpu-parallel-threshold's cost model (one iteration in simple ops; a task's
work is trip x cost; the threshold is min-trip x 4, the work of min-trip iterations of
`c[i] = a[i] + b[i]`). A section's *serial work* is what runs on one thread whichever way
the sections run: its serial statements, its one-iteration tasks and its tasks below the
threshold. Sections run concurrently when

    at least two sections hold serial work >= threshold, and no task of any section is large
    enough to go parallel by itself.

Then running them at the same time loses at most one fork (a few microseconds against at
least the threshold's work in each of two sections): the work a thread would do alone anyway
spreads over the threads, and no task gives up a team of its own (a section of large
parallel tasks is faster with every thread on each task, in order). Bounds the estimate
needs that are computed inside the fork are cloned before it when they read no memory
(memref.dim, arithmetic); a bound read from memory counts as one iteration.
Invariant: no fork is left; every section runs exactly once on either branch.

Option: `min-trip` (default: cpu-parallel-threshold's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import (
    DenseArrayBase,
    IndexType,
    IntegerAttr,
    ModuleOp,
    UnitAttr,
    i1,
    i64,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.traits import get_effects

from qdmlir.passes import sections
from qdmlir.passes.cpu_parallel_threshold import (
    DEFAULT_MIN_TRIP,
    REFERENCE_BODY_COST,
    _Work,  # the cost model itself, shared rather than copied
)
from qdmlir.passes.guards import guard_key
from qdmlir.passes.parallel_to_for import parallel_to_for_nest

GUARD_ATTR = "qd.parallel_sections"

Value = int | SSAValue  # an index known now, or computed at run time
Flag = bool | SSAValue  # an i1 known now, or computed at run time


class _ForkWork(_Work):
    """The cost model for an estimate made before a fork: a bound the fork computes is cloned
    before it when its computation reads no memory; else its loop counts as one iteration."""

    def __init__(self, fork: Operation):
        super().__init__()
        self.fork = fork
        self.hoisted: dict[SSAValue, SSAValue | None] = {}

    def hoist(self, value: SSAValue) -> SSAValue | None:
        """`value`, or a clone of its computation placed before the fork; None if that reads
        memory or depends on a block argument inside the fork."""
        owner = value.owner
        if not isinstance(owner, Operation):
            return None if self.fork.is_ancestor(owner.parent_op()) else value
        known = _cast_constant(owner)
        if known is not None:  # the frontend's bounds: index casts of i32 constants
            if value not in self.hoisted:
                self.hoisted[value] = self.const(known)
            return self.hoisted[value]
        if not self.fork.is_ancestor(owner):
            return value
        if value not in self.hoisted:
            self.hoisted[value] = None
            operands = [self.hoist(operand) for operand in owner.operands]
            if get_effects(owner) == set() and not owner.regions and None not in operands:
                clone = owner.clone(value_mapper=dict(zip(owner.operands, operands)))
                self.ops.append(clone)
                self.hoisted[value] = clone.results[list(owner.results).index(value)]
        return self.hoisted[value]

    def trip_of(self, dims: Sequence[tuple[SSAValue, SSAValue, SSAValue]]) -> Value | None:
        """The iterations of a loop nest of these (lb, ub, step), None if not known before."""
        trip: Value = 1
        for bounds in dims:
            hoisted = [self.hoist(v) for v in bounds]
            if None in hoisted:
                return None
            trip = self.mul(trip, self.trip(*hoisted))
        return trip

    def _trip_of_bounds(self, bounds: list[tuple], outer: Operation) -> Value:
        trip = self.trip_of(bounds)
        return 1 if trip is None else trip

    # i1 arithmetic, folded where it is known now ----------------------------------------

    def at_least(self, value: Value, bound: int) -> Flag:
        if isinstance(value, int):
            return value >= bound
        op = arith.CmpiOp(value, self.const(bound), "sge")
        self.ops.append(op)
        return op.result

    def both(self, a: Flag, b: Flag) -> Flag:
        if isinstance(a, bool) or isinstance(b, bool):
            known, other = (a, b) if isinstance(a, bool) else (b, a)
            return other if known else False
        op = arith.AndIOp(a, b)
        self.ops.append(op)
        return op.result

    def either(self, a: Flag, b: Flag) -> Flag:
        if isinstance(a, bool) or isinstance(b, bool):
            known, other = (a, b) if isinstance(a, bool) else (b, a)
            return True if known else other
        op = arith.OrIOp(a, b)
        self.ops.append(op)
        return op.result

    def negate(self, a: Flag) -> Flag:
        if isinstance(a, bool):
            return not a
        true = arith.ConstantOp(IntegerAttr(1, i1))
        op = arith.XOrIOp(a, true.result)
        self.ops.extend([true, op])
        return op.result

    def unless(self, flag: Flag, value: Value) -> Value:
        """`flag ? 0 : value`."""
        if isinstance(flag, bool):
            return 0 if flag else value
        op = arith.SelectOp(
            flag, self.const(0), self.const(value) if isinstance(value, int) else value
        )
        self.ops.append(op)
        return op.result

    def count(self, flags: list[Flag]) -> Value:
        total: Value = 0
        for flag in flags:
            if isinstance(flag, bool):
                total = self.add(total, int(flag))
                continue
            one_or_zero = arith.SelectOp(flag, self.const(1), self.const(0))
            self.ops.append(one_or_zero)
            total = self.add(total, one_or_zero.result)
        return total


def _cast_constant(op: Operation) -> int | None:
    """The value of `arith.index_cast` of an integer constant, known now."""
    if not isinstance(op, arith.IndexCastOp):
        return None
    source = op.input.owner
    if isinstance(source, arith.ConstantOp) and isinstance(source.value, IntegerAttr):
        return source.value.value.data
    return None


def _dims(loop: scf.ForOp | scf.ParallelOp) -> list[tuple[SSAValue, SSAValue, SSAValue]]:
    if isinstance(loop, scf.ForOp):
        return [(loop.lb, loop.ub, loop.step)]
    return list(zip(loop.lowerBound, loop.upperBound, loop.step))


@dataclass
class _Estimate:
    """The estimate of one fork: serial work per section, and whether any task is large."""

    work: _ForkWork
    threshold: int
    large_task: Flag = False

    def serial_work(self, block: Block) -> Value:
        total: Value = 0
        for op in block.ops:
            if isinstance(op, scf.ParallelOp):
                total = self.work.add(total, self.task(op))
            elif isinstance(op, scf.IfOp) and guard_key(op) is not None:
                total = self.work.add(total, self.serial_work(op.true_region.block))
            else:
                total = self.work.add(total, self.work.of_op(op, self.work.fork))
        return total

    def task(self, task: scf.ParallelOp) -> Value:
        """A task's serial work: all of it, unless it is large enough to go parallel."""
        trip = self.work.trip_of(_dims(task))
        cost = self.work.of_block(task.body.block, self.work.fork)
        if trip is None:  # a bound read from memory: one iteration's worth, never large
            return cost
        total = self.work.mul(trip, cost)
        large = self.work.at_least(trip, 2)
        if large is not False:  # one iteration is serial work however large
            large = self.work.both(large, self.work.at_least(total, self.threshold))
        self.large_task = self.work.either(self.large_task, large)
        return self.work.unless(large, total)


def decide(fork: Operation, bodies: list[Block], min_trip: int) -> tuple[list[Operation], Flag]:
    """(the estimate's ops, to go before the fork; whether the sections run at the same time:
    an i1 among those ops, or a bool known now)."""
    threshold = min_trip * REFERENCE_BODY_COST
    estimate = _Estimate(_ForkWork(fork), threshold)
    work = estimate.work
    enough = [work.at_least(estimate.serial_work(body), threshold) for body in bodies]
    # with one OpenMP thread the team runs the sections in order on it: no test needed
    decision = work.both(work.at_least(work.count(enough), 2), work.negate(estimate.large_task))
    return work.ops, decision


def dispatch(fork: scf.ExecuteRegionOp) -> list[Operation]:
    """`scf.parallel` over the section index, each case a copy of one section whose tasks
    are scf.for nests: a section's thread runs its tasks itself."""
    cases = []
    for section in fork.region.block.ops:
        if isinstance(section, scf.ExecuteRegionOp):
            case = section.region.clone()
            for task in [t for t in case.walk(reverse=True) if isinstance(t, scf.ParallelOp)]:
                Rewriter.replace_op(task, *parallel_to_for_nest(task))
            cases.append(case)
    zero, count, one = (arith.ConstantOp(IntegerAttr(n, IndexType())) for n in (0, len(cases), 1))
    index = Block(arg_types=[IndexType()])
    switch = scf.IndexSwitchOp(
        index.args[0],
        DenseArrayBase.from_list(i64, list(range(len(cases)))),
        Region(Block([scf.YieldOp()])),
        cases,
        [],
    )
    index.add_ops([switch, scf.ReduceOp()])
    loop = scf.ParallelOp([zero.result], [count.result], [one.result], Region(index))
    loop.attributes[sections.DISPATCH] = UnitAttr()
    return [zero, count, one, loop]


def schedule_fork(fork: scf.ExecuteRegionOp, min_trip: int) -> None:
    """Replace `fork` by its estimate and the branch(es) its decision leaves (module doc)."""
    bodies = sections.section_bodies(fork)
    estimate, decision = decide(fork, bodies, min_trip)
    together = [] if decision is False else dispatch(fork)
    in_order = []
    if decision is not True:
        for body in bodies:
            in_order += [op for op in _detached(body) if not isinstance(op, scf.YieldOp)]
    if isinstance(decision, bool):
        replacement = together if decision else in_order
    else:
        guard = scf.IfOp(
            decision,
            [],
            Region(Block([*together, scf.YieldOp()])),
            Region(Block([*in_order, scf.YieldOp()])),
            attr_dict={GUARD_ATTR: IntegerAttr(min_trip, 64)},
        )
        replacement = [guard]
    for op in [*estimate, *replacement]:
        Rewriter.insert_op(op, InsertPoint.before(fork))
    Rewriter.erase_op(fork)


def _detached(block: Block) -> list[Operation]:
    ops = list(block.ops)
    for op in ops:
        op.detach()
    return ops


@dataclass(frozen=True)
class CpuParallelSectionsPass(ModulePass):
    """Run the sections of each fork at the same time when each of two or more holds enough
    serial work and no task of theirs would use a team by itself; else in order.

    Options:
      min-trip: the threshold's trip count of the reference body (cpu-parallel-threshold's).

    IR in: lowered IR for the CPU, holding forks (passes/sections.py).
    IR out: each fork an `scf.if` {qd.parallel_sections} between a `scf.parallel`
    {qd.sections} over its sections and the sections in order (or one of the two, decided
    now); the module docstring has the rule.
    Invariant: no fork is left; every section runs exactly once on either branch.
    """

    name = "cpu-parallel-sections"

    min_trip: int = DEFAULT_MIN_TRIP

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        forks = [fork for fork in op.walk() if sections.is_fork(fork)]
        for fork in forks:  # none nests in another
            schedule_fork(fork, self.min_trip)
