"""`checkpoint-reuse-state-loads`: read each launch-state word once per block while it holds.

The lowering loads `resume_point` / `yielded_at` afresh for every guard (docs/architecture.md
§3); between two guards nothing but a flag check or a do-while's reset writes the state, so the
other loads can reuse an earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from qdmlir.passes.guards import state_argument
from qdmlir.passes.kernel_ir import enclosing_func


def _index(value: SSAValue) -> int | SSAValue:
    """A state index as a constant where it is one (so two `arith.constant 1` compare equal)."""
    owner = value.owner
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return owner.value.value.data
    return value


def _may_write(op: Operation, state: SSAValue, index: int | SSAValue) -> bool:
    """Whether `op` (or an op nested in it) may write `state[index]`.

    A store to another constant index does not; any other non-load use of the state may.
    """
    for inner in op.walk():
        if state not in inner.operands or isinstance(inner, memref.LoadOp):
            continue
        if isinstance(inner, memref.StoreOp) and inner.memref == state:
            stored = _index(inner.indices[0])
            if isinstance(stored, int) and isinstance(index, int) and stored != index:
                continue
        return True
    return False


class ReuseEarlierStateLoad(RewritePattern):
    """Replace a state load by an earlier load of the same word in the same block.

        %a = memref.load %qd_state[%c1]            %a = memref.load %qd_state[%c1]
        scf.if ... { <no write to qd_state[1]> }   scf.if ... { ... }
        %b = memref.load %qd_state[%c1_0]      ->  (uses of %b now use %a)

    The search stops at the first op that may write that word.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: memref.LoadOp, rewriter: PatternRewriter) -> None:
        func = enclosing_func(op)
        state = None if func is None else state_argument(func)
        if state is None or op.memref != state:
            return
        index = _index(op.indices[0])
        earlier = op.prev_op
        while earlier is not None:
            if (
                isinstance(earlier, memref.LoadOp)
                and earlier.memref == state
                and _index(earlier.indices[0]) == index
            ):
                rewriter.replace(op, [], new_results=[earlier.res])
                return
            if _may_write(earlier, state, index):
                return
            earlier = earlier.prev_op


@dataclass(frozen=True)
class CheckpointReuseStateLoadsPass(ModulePass):
    """Reuse loads of the launch state within a block.

    IR in: lowered IR (docs/architecture.md §3).
    IR out: the same, where each `memref.load %qd_state[k]` that an earlier load of word k in
    its block dominates, with no possible write of word k in between, is replaced by it.
    Invariant: every remaining load reads the value the replaced one would have read.
    """

    name = "checkpoint-reuse-state-loads"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([ReuseEarlierStateLoad()], dce_enabled=False)
        ).rewrite_module(op)
