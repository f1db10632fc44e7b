"""`cpu-parallel-threshold`: run small tasks on the calling thread (DESIGN §3-§4, docs/targets.md).

IR in: upstream-only IR (after checkpoint-lower) holding `scf.parallel` tasks.
IR out: each outermost `scf.parallel` becomes

    scf.if (work >= min-trip) {qd.parallel_threshold = N} { the scf.parallel } else { scf.for nest }

where `work` is the loop's trip count times the trip counts of the loops nested in its body whose
bounds are known before it (siblings add, nests multiply; others count 1): the number of
innermost iterations. A constant `work` is decided here, leaving one branch. Nested
`scf.parallel` become `scf.for` in both branches: OpenMP runs them serially anyway, after a fork.
Invariant: every `scf.parallel` left is outermost and sits in a marked `scf.if` or has constant
work >= min-trip. Both branches compute the same thing, so the rule only affects speed.

Option: `min-trip` (default 32768): below it a fork/join of the 2-core OpenMP pool
(3-60 us here) costs more than the work saves, at ~0.3-1 ns per element-wise iteration.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from qdmlir.passes.parallel_to_for import parallel_to_for_nest, serialize_nested_parallels

DEFAULT_MIN_TRIP = 32768
GUARD_ATTR = "qd.parallel_threshold"


class _Work:
    """Builds `work` as index arithmetic, folding what is constant; ops go to `self.ops`."""

    def __init__(self):
        self.ops: list[Operation] = []

    def const(self, value: int) -> SSAValue:
        op = arith.ConstantOp(IntegerAttr(value, IndexType()))
        self.ops.append(op)
        return op.result

    def _binary(self, op_type, lhs: int | SSAValue, rhs: int | SSAValue) -> SSAValue:
        lhs = self.const(lhs) if isinstance(lhs, int) else lhs
        rhs = self.const(rhs) if isinstance(rhs, int) else rhs
        op = op_type(lhs, rhs)
        self.ops.append(op)
        return op.result

    def mul(self, a: int | SSAValue, b: int | SSAValue) -> int | SSAValue:
        if isinstance(a, int) and isinstance(b, int):
            return a * b
        if a == 1 or b == 1:
            return b if a == 1 else a
        return self._binary(arith.MuliOp, a, b)

    def add(self, a: int | SSAValue, b: int | SSAValue) -> int | SSAValue:
        if isinstance(a, int) and isinstance(b, int):
            return a + b
        if a == 0 or b == 0:
            return b if a == 0 else a
        return self._binary(arith.AddiOp, a, b)

    def trip(self, lb: SSAValue, ub: SSAValue, step: SSAValue) -> int | SSAValue:
        """ceil((ub - lb) / step). A negative count is harmless: both branches then do nothing."""
        lo, hi, st = _constant(lb), _constant(ub), _constant(step)
        if lo is not None and hi is not None and st is not None:
            return max(0, -((lo - hi) // st))
        span = ub if lo == 0 else self._binary(arith.SubiOp, ub, lb)
        return span if st == 1 else self._binary(arith.CeilDivSIOp, span, step)

    def of_block(self, block: Block, outer: Operation) -> int | SSAValue:
        """Innermost iterations of one pass over `block`; loops whose bounds are computed
        inside `outer` count 1, as if their bodies ran once."""
        total: int | SSAValue = 0
        for op in block.ops:
            if isinstance(op, (scf.ForOp, scf.ParallelOp)):
                inner = self.of_block(op.body.block, outer)
                total = self.add(total, self.mul(self._loop_trip(op, outer), inner))
        return 1 if isinstance(total, int) and total < 1 else total

    def _loop_trip(self, op: scf.ForOp | scf.ParallelOp, outer: Operation) -> int | SSAValue:
        if isinstance(op, scf.ForOp):
            bounds = [(op.lb, op.ub, op.step)]
        else:
            bounds = list(zip(op.lowerBound, op.upperBound, op.step))
        if any(_defined_inside(v, outer) for dim in bounds for v in dim):
            return 1
        trip: int | SSAValue = 1
        for lb, ub, step in bounds:
            trip = self.mul(trip, self.trip(lb, ub, step))
        return trip


def _constant(value: SSAValue) -> int | None:
    op = value.owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        return op.value.value.data
    return None


def _defined_inside(value: SSAValue, op: Operation) -> bool:
    owner = value.owner
    owner_op = owner if isinstance(owner, Operation) else owner.parent_op()
    return owner_op is not None and op.is_ancestor(owner_op)


def _is_nested(op: Operation) -> bool:
    parent = op.parent_op()
    while parent is not None:
        if isinstance(parent, scf.ParallelOp):
            return True
        parent = parent.parent_op()
    return False


@dataclass
class GuardParallelByWork(RewritePattern):
    """Outermost scf.parallel -> scf.if (work >= min_trip) { parallel } else { for nest }."""

    min_trip: int

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: scf.ParallelOp, rewriter: PatternRewriter) -> None:
        parent = op.parent_op()
        if _is_nested(op) or (isinstance(parent, scf.IfOp) and GUARD_ATTR in parent.attributes):
            return
        serialize_nested_parallels(op, rewriter)
        work = _Work()
        total = work.mul(self._trip(op, work), work.of_block(op.body.block, op))
        if isinstance(total, int):
            if total < self.min_trip:
                rewriter.replace(op, *parallel_to_for_nest(op))
            return  # large constant work: stays parallel, unguarded
        cond = arith.CmpiOp(total, work.const(self.min_trip), "sge")
        parallel = op.clone()
        serial_ops, serial_results = parallel_to_for_nest(op.clone())
        guard = scf.IfOp(
            cond,
            [r.type for r in op.results],
            Region(Block([parallel, scf.YieldOp(*parallel.results)])),
            Region(Block([*serial_ops, scf.YieldOp(*serial_results)])),
            attr_dict={GUARD_ATTR: IntegerAttr(self.min_trip, 64)},
        )
        rewriter.replace(op, [*work.ops, cond, guard], guard.results)

    @staticmethod
    def _trip(op: scf.ParallelOp, work: _Work) -> int | SSAValue:
        trip: int | SSAValue = 1
        for lb, ub, step in zip(op.lowerBound, op.upperBound, op.step):
            trip = work.mul(trip, work.trip(lb, ub, step))
        return trip


@dataclass(frozen=True)
class CpuParallelThresholdPass(ModulePass):
    """Route every outermost scf.parallel with less than `min-trip` innermost iterations to a
    serial scf.for copy at run time; see the module docstring."""

    name = "cpu-parallel-threshold"

    min_trip: int = DEFAULT_MIN_TRIP

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([GuardParallelByWork(self.min_trip)]),
            apply_recursively=False,
        ).rewrite_module(op)
