"""The launch-state IR of docs/architecture.md §3: state loads, guards and flag checks, and
which ops may write the state (`state_writes`, for the clean-ups after the lowering).

Each builder returns a list of detached ops, in order, for the caller to insert with its
rewriter; the op that produces the value a caller needs comes last.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import (
    IndexType,
    IntegerAttr,
    MemRefType,
    UnitAttr,
    i1,
    i32,
    i64,
)
from xdsl.dialects.func import FuncOp
from xdsl.ir import Attribute, Block, BlockArgument, Operation, Region, SSAValue

from qdmlir.passes.kernel_ir import LOWERED
from qdmlir.runtime.abi import NOT_YIELDED, RESUME_POINT, STATE_WORDS, YIELDED_AT

STATE_TYPE = MemRefType(i32, [STATE_WORDS])
"""The launch state argument (runtime/abi.py): `[RESUME_POINT]`, `[YIELDED_AT]`."""

GUARD_SLOT = "qd.guard_slot"
GUARD_SERIAL = "qd.guard_serial"


def state_argument(func: FuncOp) -> BlockArgument | None:
    """The launch state of a lowered function: its last argument, a `memref<2xi32>`."""
    if LOWERED not in func.attributes or not func.args:
        return None
    last = func.args[-1]
    return last if last.type == STATE_TYPE else None


ANY_WORD = None
"""In a write set: the op may write every word of the state."""

WordKey = int | SSAValue


def state_word(value: SSAValue) -> WordKey:
    """A state index as a constant where it is one (so two `arith.constant 1` compare equal)."""
    owner = value.owner
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return owner.value.value.data
    return value


def state_writes(func: FuncOp, state: SSAValue) -> dict[Operation, set[WordKey | None]]:
    """The words of `state` each op may write, itself or through ops nested in it.

    Read off the state's uses, not a walk of the function: a store at a constant index writes
    that word; any other use but a load may write any word (`ANY_WORD`). Every ancestor of the
    user up to `func` inherits its writes, so a guard holding a flag check writes word 1.
    """
    writes: dict[Operation, set[WordKey | None]] = {}
    for use in state.uses:
        user = use.operation
        if isinstance(user, memref.LoadOp):
            continue
        if isinstance(user, memref.StoreOp) and user.memref == state:
            word = state_word(user.indices[0])
            word = word if isinstance(word, int) else ANY_WORD
        else:
            word = ANY_WORD
        op: Operation | None = user
        while op is not None and op is not func:
            writes.setdefault(op, set()).add(word)
            op = op.parent_op()
    return writes


def guard_key(op: Operation) -> Attribute | None:
    """What a guard tests, as its discardable attribute: a slot, or unit for a serial guard."""
    if not isinstance(op, scf.IfOp):
        return None
    return op.attributes.get(GUARD_SLOT, op.attributes.get(GUARD_SERIAL))


def constant(value: int, type: Attribute) -> arith.ConstantOp:
    return arith.ConstantOp(IntegerAttr(value, type))


def load_state(state: SSAValue, index: int) -> list[Operation]:
    """`%resume_point = memref.load %qd_state[%c0]` (or `%yielded_at` for index 1)."""
    position = constant(index, IndexType())
    load = memref.LoadOp.get(state, [position])
    load.res.name_hint = "resume_point" if index == RESUME_POINT else "yielded_at"
    return [position, load]


def not_yielded(state: SSAValue) -> list[Operation]:
    """`yielded_at == -1`, as an i1."""
    ops = load_state(state, YIELDED_AT)
    minus_one = constant(NOT_YIELDED, i32)
    test = arith.CmpiOp(ops[-1], minus_one, "eq")
    return [*ops, minus_one, test]


def slot_condition(state: SSAValue, slot: int) -> list[Operation]:
    """`resume_point <= slot && yielded_at == -1`: semantics.md rule 1 for a checkpoint slot."""
    resume = load_state(state, RESUME_POINT)
    slot_value = constant(slot, i32)
    reached = arith.CmpiOp(resume[-1], slot_value, "sle")
    none = not_yielded(state)
    run = arith.AndIOp(reached, none[-1])
    run.result.name_hint = "run"
    return [*resume, slot_value, reached, *none, run]


def guard(
    condition: Sequence[Operation], body: Sequence[Operation], key: tuple[str, Attribute]
) -> list[Operation]:
    """`condition; scf.if %cond { body } {key}` (body ops must be detached)."""
    if_op = scf.IfOp(
        condition[-1].results[0],
        [],
        Region(Block([*body, scf.YieldOp()])),
        attr_dict=dict([key]),
    )
    return [*condition, if_op]


def slot_guard(state: SSAValue, slot: int, body: Sequence[Operation]) -> list[Operation]:
    return guard(slot_condition(state, slot), body, (GUARD_SLOT, IntegerAttr(slot, i64)))


def serial_guard(state: SSAValue, body: Sequence[Operation]) -> list[Operation]:
    return guard(not_yielded(state), body, (GUARD_SERIAL, UnitAttr()))


def flag_check(state: SSAValue, flag: SSAValue, slot: int) -> list[Operation]:
    """`if flag[] != 0: yielded_at = slot`, for inside a slot guard (yielded_at is -1 there,
    so the first yielder wins without a second test: docs/semantics.md rule 2)."""
    value = memref.LoadOp.get(flag, [])
    zero = constant(0, i32)
    raised = arith.CmpiOp(value, zero, "ne")
    slot_value = constant(slot, i32)
    position = constant(YIELDED_AT, IndexType())
    store = memref.StoreOp.get(slot_value, state, [position])
    set_yielded = scf.IfOp(raised, [], Region(Block([slot_value, position, store, scf.YieldOp()])))
    return [value, zero, raised, set_yielded]


def resume_reset(state: SSAValue) -> list[Operation]:
    """`resume_point = 0`: later iterations of a do-while run in full (docs/semantics.md rule 3)."""
    zero = constant(0, i32)
    position = constant(RESUME_POINT, IndexType())
    return [zero, position, memref.StoreOp.get(zero, state, [position])]


def loop_condition(state: SSAValue, cond: SSAValue) -> list[Operation]:
    """`scf.condition(cond[] != 0 && yielded_at == -1)`: a yield also ends the loop."""
    value = memref.LoadOp.get(cond, [])
    zero = constant(0, i32)
    again = arith.CmpiOp(value, zero, "ne")
    none = not_yielded(state)
    go_on = arith.AndIOp(again, none[-1])
    assert go_on.result.type == i1
    return [value, zero, again, *none, go_on, scf.ConditionOp(go_on)]


def one_iteration(body: Sequence[Operation]) -> list[Operation]:
    """`scf.parallel (%i) = (%c0) to (%c1) step (%c1) { body }`: a single-thread device task."""
    lower = constant(0, IndexType())
    upper = constant(1, IndexType())
    block = Block([*body, scf.ReduceOp()], arg_types=[IndexType()])
    return [lower, upper, scf.ParallelOp([lower], [upper], [upper], Region(block))]
