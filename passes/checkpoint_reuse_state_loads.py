"""`checkpoint-reuse-state-loads`: read each launch-state word once per block while it holds.

The lowering loads `resume_point` / `yielded_at` afresh for every guard (docs/architecture.md
§3); between two guards nothing but a flag check or a do-while's reset writes the state, so the
other loads can reuse an earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import memref
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, SSAValue
from xdsl.passes import ModulePass

from qdmlir.passes.guards import ANY_WORD, WordKey, state_argument, state_word, state_writes
from qdmlir.passes.kernel_ir import functions


def reuse_loads_in_block(block: Block, state: SSAValue, writes: dict) -> None:
    """One forward scan: a load of word k is replaced by the last load of k in `block` if no
    op in between may write k."""
    available: dict[WordKey, memref.LoadOp] = {}
    for op in list(block.ops):
        if isinstance(op, memref.LoadOp) and op.memref == state:
            word = state_word(op.indices[0])
            earlier = available.get(word)
            if earlier is not None:
                op.res.replace_all_uses_with(earlier.res)
                op.detach()
                op.erase()
                continue
            available[word] = op
        written = writes.get(op)
        if written is None:
            continue
        if ANY_WORD in written:
            available.clear()
        else:
            for word in list(available):  # an SSA index may alias any constant one
                if word in written or not isinstance(word, int):
                    del available[word]


@dataclass(frozen=True)
class CheckpointReuseStateLoadsPass(ModulePass):
    """Reuse loads of the launch state within a block.

    IR in: lowered IR (docs/architecture.md §3).
    IR out: the same, where each `memref.load %qd_state[k]` that an earlier load of word k in
    its block dominates, with no possible write of word k in between, is replaced by it.
    Invariant: every remaining load reads the value the replaced one would have read.
    Cost: linear in the IR, one scan per block after one pass over the state's uses.

        %a = memref.load %qd_state[%c1]            %a = memref.load %qd_state[%c1]
        scf.if ... { <no write to qd_state[1]> }   scf.if ... { ... }
        %b = memref.load %qd_state[%c1_0]      ->  (uses of %b now use %a)
    """

    name = "checkpoint-reuse-state-loads"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for func in functions(op):
            state = state_argument(func)
            if state is None:
                continue
            writes = state_writes(func, state)
            blocks = [block for inner in func.walk() for r in inner.regions for block in r.blocks]
            for block in blocks:
                reuse_loads_in_block(block, state, writes)
