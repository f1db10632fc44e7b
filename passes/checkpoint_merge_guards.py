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
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import is_side_effect_free

from qdmlir.passes.guards import guard_key, state_argument, state_writes
from qdmlir.passes.kernel_ir import functions


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


def merge_guards_in_block(block: Block, state: SSAValue, writes: dict) -> None:
    """One forward scan of `block`, merging each guard into the open guard before it.

        scf.if %a { T1 } {qd.guard_slot = 1}          scf.if %a { T1; T2 } {qd.guard_slot = 1}
        %b = <slot 1 test>                       ->    %b = <slot 1 test>   (dead now)
        scf.if %b { T2 } {qd.guard_slot = 1}

    A guard is open while its body writes no state (no flag check), so `%b == %a`, and the
    ops after it are movable: those move above it, the next guard of the same key has its body
    appended, in order. `writes` (state_writes) says which ops may write the state.
    """
    open_guard: scf.IfOp | None = None
    between: list[Operation] = []
    for op in list(block.ops):
        key = guard_key(op)
        if key is None:
            if open_guard is not None and _movable(op, state):
                between.append(op)
            else:
                open_guard, between = None, []
            continue
        if open_guard is not None and guard_key(open_guard) == key and _plain(op):
            _append_guard(open_guard, between, op)
            between = []
            if op in writes:  # the merged body now writes the state: the guard closes
                open_guard = None
            continue
        open_guard = op if _plain(op) and op not in writes else None
        between = []


def _append_guard(first: scf.IfOp, between: list[Operation], second: scf.IfOp) -> None:
    """Move `between` above `first`, `second`'s body to the end of `first`'s; erase `second`."""
    for moved in between:
        moved.detach()
        first.parent_block().insert_op_before(moved, first)
    target = first.true_region.block
    for moved in list(second.true_region.block.ops)[:-1]:  # all but its scf.yield
        moved.detach()
        target.insert_op_before(moved, target.last_op)
    second.detach()
    second.erase()


@dataclass(frozen=True)
class CheckpointMergeGuardsPass(ModulePass):
    """Merge consecutive guards that test the same thing.

    IR in: lowered IR (docs/architecture.md §3).
    IR out: the same, with runs of `scf.if` guards of one slot (or serial guards) in a block
    merged where the earlier bodies write no launch state; the tests left dead are for
    canonicalize to remove.
    Invariant: the order of tasks is kept, and a guard is never merged across a state write
    (a flag check, a do-while's reset), so first-wins and resume semantics are unchanged.
    Cost: linear in the IR, one scan per block after one pass over the state's uses.
    """

    name = "checkpoint-merge-guards"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for func in functions(op):
            state = state_argument(func)
            if state is None:
                continue
            writes = state_writes(func, state)
            blocks = [block for inner in func.walk() for r in inner.regions for block in r.blocks]
            for block in blocks:
                merge_guards_in_block(block, state, writes)
