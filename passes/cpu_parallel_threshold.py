"""`cpu-parallel-threshold`: run small tasks on the calling thread (docs/targets.md).

IR in: upstream-only IR (after checkpoint-lower) holding `scf.parallel` tasks.
IR out: each outermost `scf.parallel` becomes

    scf.if (trip * cost >= min-trip * 4) { the scf.parallel } else { scf.for nest }
        {qd.parallel_threshold = min-trip}

where a one-dimensional task without reductions keeps one copy of its body: a private function
`@<kernel>.task<N>` over a sub-range, which the serial branch calls on the whole range and the
parallel branch, through the declaration `@<kernel>.task<N>.parallel`, on one chunk per OpenMP
thread (passes/task_outlining.py), so LLVM compiles each task once, in a function of its own.

`cost` estimates one iteration's work in simple ops (a load, an add: 1; a division 4; a
transcendental math op or a call 16; an inner loop its trip count times its body, when its
bounds are known before the task, else its body once). 4 is the cost of the reference
element-wise body `c[i] = a[i] + b[i]`, so `min-trip` is the trip count at which that body goes
parallel; a body k times costlier goes parallel at min-trip / k. A constant trip count is
decided here, leaving one branch. Nested `scf.parallel` become `scf.for` in both branches:
OpenMP runs them serially anyway, after a fork per outer iteration.
Invariant: every `scf.parallel` left is outermost, and sits in a marked `scf.if` or has constant
work >= the threshold. Both branches compute the same thing: the rule only affects speed.

Option: `min-trip` (default 65536). Measured on the 2-core box (docs/targets.md): a fork/join
costs 1-5 us with a quiet, warm pool but 70-190 us when the other core is busy or the pool is
asleep; the reference body costs 0.15-0.18 ns per iteration (11 us at 65536), a math-heavy
body ~68 ns (cost 197: parallel from 1331 iterations).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import arith, func, scf
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
from xdsl.rewriter import InsertPoint

from qdmlir.passes.cpu_interrupt_checks import STRIP_MINED
from qdmlir.passes.parallel_to_for import parallel_to_for_nest, serialize_nested_parallels
from qdmlir.passes.sections import DISPATCH
from qdmlir.passes.task_outlining import (
    can_outline,
    outline_task,
    parallel_call,
    parallel_launcher,
    serial_call,
)

DEFAULT_MIN_TRIP = 65536
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
        """Estimated cost of one pass over `block` (see the module docstring)."""
        total: int | SSAValue = 0
        for op in block.ops:
            total = self.add(total, self.of_op(op, outer))
        return total

    def of_op(self, op: Operation, outer: Operation) -> int | SSAValue:
        if isinstance(op, (scf.ForOp, scf.ParallelOp)):
            return self.mul(self._loop_trip(op, outer), self.of_block(op.body.block, outer))
        if isinstance(op, scf.WhileOp) and STRIP_MINED in op.attributes:
            return self._strip_mined(op, outer)
        if op.regions:  # scf.if, scf.while, ...: every region once, a safe over-estimate
            total: int | SSAValue = 0
            for region in op.regions:
                for block in region.blocks:
                    total = self.add(total, self.of_block(block, outer))
            return total
        return op_cost(op.name)

    def _strip_mined(self, op: scf.WhileOp, outer: Operation) -> int | SSAValue:
        """A serial loop cpu-interrupt-checks strip-mined costs what the loop did: the inner
        `scf.for %i = %start to min(%start + chunk, %ub) step %s` over the whole range
        [the while's first operand, %ub)."""
        inner = next(o for o in op.after_region.block.ops if isinstance(o, scf.ForOp))
        ub = inner.ub.owner.operands[1]  # min(start + chunk, ub)
        trip = self._trip_of_bounds([(op.arguments[0], ub, inner.step)], outer)
        return self.mul(trip, self.of_block(inner.body.block, outer))

    def _loop_trip(self, op: scf.ForOp | scf.ParallelOp, outer: Operation) -> int | SSAValue:
        if isinstance(op, scf.ForOp):
            return self._trip_of_bounds([(op.lb, op.ub, op.step)], outer)
        return self._trip_of_bounds(list(zip(op.lowerBound, op.upperBound, op.step)), outer)

    def _trip_of_bounds(self, bounds: list[tuple], outer: Operation) -> int | SSAValue:
        """Iterations of a loop nest of these (lb, ub, step); 1 when `outer` computes a bound."""
        if any(_defined_inside(v, outer) for dim in bounds for v in dim):
            return 1
        trip: int | SSAValue = 1
        for lb, ub, step in bounds:
            trip = self.mul(trip, self.trip(lb, ub, step))
        return trip


# The cost model: one op per iteration, in simple ops. Ops not named here cost 1.
REFERENCE_BODY_COST = 4  # memref.load, memref.load, arith.addf, memref.store
_FREE = (
    "arith.constant",
    "memref.dim",
    "scf.yield",
    "scf.reduce",
    "scf.reduce.return",
    "scf.condition",
)
_CHEAP_MATH = ("absf", "absi", "copysign", "fma", "floor", "ceil", "trunc", "round", "roundeven")
_DIVISIONS = ("arith.div", "arith.rem", "arith.ceildiv", "arith.floordiv")


def op_cost(name: str) -> int:
    """Estimated cost of one op of that name, in simple ops (a load, an add)."""
    if name in _FREE:
        return 0
    if name.startswith("math."):
        base = name[len("math.") :]
        return 1 if base in _CHEAP_MATH else 4 if base in ("sqrt", "rsqrt") else 16
    if name.startswith(_DIVISIONS):
        return 4
    if name in ("func.call", "func.call_indirect"):
        return 16
    if name in ("memref.atomic_rmw", "memref.generic_atomic_rmw"):
        return 8
    return 1


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
    """Outermost scf.parallel -> scf.if (trip * cost >= threshold) { parallel } else { for nest }."""

    min_trip: int
    tasks_outlined: dict[str, int] = field(default_factory=dict)  # kernel -> task functions

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: scf.ParallelOp, rewriter: PatternRewriter) -> None:
        parent = op.parent_op()
        if _is_nested(op) or (isinstance(parent, scf.IfOp) and GUARD_ATTR in parent.attributes):
            return
        if DISPATCH in op.attributes:  # sections cpu-parallel-sections runs on threads
            return
        serialize_nested_parallels(op, rewriter)
        work = _Work()
        trip = self._trip(op, work)
        cost = work.of_block(op.body.block, op)
        threshold = self.min_trip * REFERENCE_BODY_COST
        if isinstance(cost, int):
            # a constant body cost: compare the trip count alone, with a scaled threshold
            cost, threshold = 1, -(-threshold // max(cost, 1))
        total = work.mul(trip, cost)
        if isinstance(total, int):
            if total < threshold:
                rewriter.replace(op, *parallel_to_for_nest(op))
            return  # large constant work: stays parallel, unguarded
        cond = arith.CmpiOp(total, work.const(threshold), "sge")
        if can_outline(op):
            self._guard_outlined(op, [*work.ops, cond], rewriter)
            return
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

    def _guard_outlined(self, op: scf.ParallelOp, test: list[Operation], rewriter) -> None:
        """Both branches call one task function (passes/task_outlining.py)."""
        kernel = op.parent_op()
        while not isinstance(kernel, func.FuncOp):
            kernel = kernel.parent_op()
        self.tasks_outlined[kernel.sym_name.data] = count = self.tasks_outlined.get(
            kernel.sym_name.data, 0
        )
        self.tasks_outlined[kernel.sym_name.data] += 1
        name = f"{kernel.sym_name.data}.task{count}"
        function, captures = outline_task(op, name)
        launcher = parallel_launcher(function)
        rewriter.insert([function, launcher], InsertPoint.after(kernel))
        guard = scf.IfOp(
            test[-1].results[0],
            [],
            Region(Block([*parallel_call(launcher, captures, op), scf.YieldOp()])),
            Region(Block([*serial_call(function, captures, op), scf.YieldOp()])),
            attr_dict={GUARD_ATTR: IntegerAttr(self.min_trip, 64)},
        )
        rewriter.replace(op, [*test, guard], [])

    @staticmethod
    def _trip(op: scf.ParallelOp, work: _Work) -> int | SSAValue:
        trip: int | SSAValue = 1
        for lb, ub, step in zip(op.lowerBound, op.upperBound, op.step):
            trip = work.mul(trip, work.trip(lb, ub, step))
        return trip


@dataclass(frozen=True)
class CpuParallelThresholdPass(ModulePass):
    """Route every outermost scf.parallel whose estimated work is below that of `min-trip`
    iterations of `c[i] = a[i] + b[i]` to a serial scf.for copy.

    Options:
      min-trip: the trip count at which the reference body goes parallel (default 65536).

    IR in: upstream-only IR (after checkpoint-lower) holding `scf.parallel` tasks.
    IR out: each outermost `scf.parallel` inside `scf.if (work >= threshold)` with an
    `scf.for` nest in its else branch (or only one branch, for constant work); the module
    docstring has the cost model.
    Invariant: both branches compute the same thing; the rule only affects speed.
    """

    name = "cpu-parallel-threshold"

    min_trip: int = DEFAULT_MIN_TRIP

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            # no dead-code elimination: it asks every op of the module for its effects, and
            # upstream canonicalize removes dead ops after the hand-off anyway
            GreedyRewritePatternApplier([GuardParallelByWork(self.min_trip)], dce_enabled=False),
            apply_recursively=False,
        ).rewrite_module(op)
