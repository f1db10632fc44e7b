"""`checkpoint-merge-guards`: one guard for consecutive tasks of a slot (docs/architecture.md §3).

The lowering guards every task on its own; when nothing between two guards of the same slot
(or two serial guards) can change the launch state, the second test gives the first one's
answer, so its body can join the first guard.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import memref, scf
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint
from xdsl.traits import is_side_effect_free

from qdmlir.passes.guards import guard_key, state_argument
from qdmlir.passes.kernel_ir import enclosing_func


def may_write_state(op: Operation, state: SSAValue) -> bool:
    """Conservatively: any use of the state, at any depth, other than a load may write it."""
    return any(
        state in inner.operands and not isinstance(inner, memref.LoadOp) for inner in op.walk()
    )


def _movable(op: Operation, state: SSAValue) -> bool:
    """An op between two guards that may move above the first: it computes the second test.

    Pure ops qualify, and loads of the state (the first guard writes no state). A load of
    user memory does not: the first guard's tasks may write what it reads.
    """
    if op.regions:
        return False
    if isinstance(op, memref.LoadOp):
        return op.memref == state
    return is_side_effect_free(op)


def _plain(guard: scf.IfOp) -> bool:
    """A guard as the lowering makes it: no results, no else branch."""
    return not guard.output and not guard.false_region.blocks


class MergeAdjacentGuards(RewritePattern):
    """Merge the next guard with the same key into this one.

        scf.if %a { T1 } {qd.guard_slot = 1}          scf.if %a { T1; T2 } {qd.guard_slot = 1}
        %b = <slot 1 test>                       ->    %b = <slot 1 test>   (dead now)
        scf.if %b { T2 } {qd.guard_slot = 1}

    Only when T1 writes no state (e.g. it has no flag check), so `%b == %a`, and everything
    in between is movable: those ops move above the first guard, the second guard's body is
    appended to the first's, in order.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: scf.IfOp, rewriter: PatternRewriter) -> None:
        key = guard_key(op)
        func = enclosing_func(op)
        state = None if func is None else state_argument(func)
        if key is None or state is None or not _plain(op) or may_write_state(op, state):
            return
        between: list[Operation] = []
        second = op.next_op
        while second is not None and guard_key(second) is None:
            if not _movable(second, state):
                return
            between.append(second)
            second = second.next_op
        if second is None or guard_key(second) != key or not _plain(second):
            return
        for moved in between:
            moved.detach()
            rewriter.insert(moved, InsertPoint.before(op))
        body = list(second.true_region.block.ops)[:-1]  # all but its scf.yield
        for moved in body:
            moved.detach()
        rewriter.insert(body, InsertPoint.before(op.true_region.block.last_op))
        rewriter.erase(second)
        rewriter.notify_op_modified(op)


@dataclass(frozen=True)
class CheckpointMergeGuardsPass(ModulePass):
    """Merge consecutive guards that test the same thing.

    IR in: lowered IR (docs/architecture.md §3).
    IR out: the same, with runs of `scf.if` guards of one slot (or serial guards) in a block
    merged where the earlier bodies write no launch state; the tests left dead are for
    canonicalize to remove.
    Invariant: the order of tasks is kept, and a guard is never merged across a state write
    (a flag check, a do-while's reset), so first-wins and resume semantics are unchanged.
    """

    name = "checkpoint-merge-guards"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([MergeAdjacentGuards()], dce_enabled=False)
        ).rewrite_module(op)
