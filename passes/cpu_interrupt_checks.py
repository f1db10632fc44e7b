"""`cpu-interrupt-checks`: loops that can run long stop at Ctrl-C (docs/targets.md, CPU).

IR in: lowered IR (after checkpoint-lower) for the CPU.
IR out: a kernel with loops that can run long takes one more argument, `%qd_interrupt:
memref<i32>`, just before the launch state (which stays last), and gets the unit attribute
`qd.interruptible`; the runtime's SIGINT handler sets that word (runtime/interrupts.py). Where
the word is found non-zero, the loop ends and `yielded_at` becomes INTERRUPTED (-2), so every
later guard, which runs only while `yielded_at == -1`, skips: the launch ends with the arrays as
the tasks before it left them, and the launcher raises KeyboardInterrupt.

    scf.while ... { ...; scf.condition(%go) }
      -> scf.while ... { ...; %i = func.call @qd_interrupt_pending(%qd_interrupt)
                         scf.condition(%go && %i == 0) }
         %j = func.call @qd_interrupt_pending(%qd_interrupt)
         scf.if (%j != 0) { yielded_at = -2 }

Which loops: every `scf.while` (a do-while, a `while` statement, a `for` with break/continue:
they may never end), one load per iteration; and every `scf.for` in serial code (outside any
task of more than one iteration) whose trip count is not a small constant: it is strip-mined
into an `scf.while {qd.strip_mined}` over chunks of CHUNK iterations around the unchanged
`scf.for`, so the check costs one load per chunk and the inner loop still vectorises. Loops inside parallel
tasks other than `scf.while` are left alone: their trip counts are bounded by the arrays.

`@qd_interrupt_pending` is declared here and defined by the CPU target's entry code
(passes/targets/cpu_entry.py) as a volatile load, so LLVM never hoists it out of a loop.
Invariant: every `scf.while` of a `qd.interruptible` function tests the word in its condition.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    FunctionType,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    UnitAttr,
    i32,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from qdmlir.passes import guards
from qdmlir.runtime import abi

INTERRUPTIBLE = abi.INTERRUPTIBLE_ATTR
PENDING = "qd_interrupt_pending"
FLAG_TYPE = MemRefType(i32, [])
STRIP_MINED = "qd.strip_mined"
"""Marks a strip-mined `scf.while`, so cost models (cpu-parallel-threshold's `_Work`) count the
original loop's trip instead of one pass over a chunk."""
CHUNK = 1024
"""Iterations of a serial `scf.for` between two checks: ~1 us of the cheapest body, and
each inner loop checks on its own, so a stop never waits long."""


def _constant(value: SSAValue) -> int | None:
    """An integer known before the loop runs: a constant, through index casts (the frontend
    casts its i32 bounds)."""
    owner = value.owner
    while isinstance(owner, arith.IndexCastOp):
        owner = owner.input.owner
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return owner.value.value.data
    return None


def _trip(low: SSAValue, high: SSAValue, step: SSAValue) -> int | None:
    values = [_constant(v) for v in (low, high, step)]
    if None in values or values[2] <= 0:
        return None
    return max(0, -(-(values[1] - values[0]) // values[2]))


def _one_iteration(op: scf.ParallelOp) -> bool:
    """A task of at most one iteration (`for _ in range(1)`, a serialized loop): serial code."""
    return all(
        (trip := _trip(*bounds)) is not None and trip <= 1
        for bounds in zip(op.lowerBound, op.upperBound, op.step)
    )


def _in_serial_code(op: Operation) -> bool:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, func.FuncOp):
        if isinstance(parent, scf.ParallelOp) and not _one_iteration(parent):
            return False
        parent = parent.parent_op()
    return True


def _loops(function: func.FuncOp) -> tuple[list[scf.WhileOp], list[scf.ForOp]]:
    whiles, fors = [], []
    for op in function.walk():
        if isinstance(op, scf.WhileOp):
            whiles.append(op)
        elif isinstance(op, scf.ForOp) and _in_serial_code(op):
            trip = _trip(op.lb, op.ub, op.step)
            if trip is None or trip > CHUNK:
                fors.append(op)
    return whiles, fors


@dataclass
class _Checks:
    """Builds the check `pending = qd_interrupt_pending(flag); if pending: yielded_at = -2`."""

    flag: SSAValue
    state: SSAValue

    def go_on(self) -> tuple[list[Operation], SSAValue]:
        """In a loop's condition: the check's ops, and an i1, true while the flag is clear.
        One volatile load, a compare and an `and` per iteration, no branch."""
        call = func.CallOp(PENDING, [self.flag], [i32])
        zero = guards.constant(0, i32)
        clear = arith.CmpiOp(call.res[0], zero, "eq")
        clear.result.name_hint = "not_interrupted"
        return [call, zero, clear], clear.result

    def mark(self) -> list[Operation]:
        """After a loop: `if flag != 0: yielded_at = INTERRUPTED`, so nothing after it runs.
        Read once per loop, not per iteration; a Ctrl-C just after the loop's last check stops
        the launch here as well, and the launcher raises either way."""
        call = func.CallOp(PENDING, [self.flag], [i32])
        zero = guards.constant(0, i32)
        pending = arith.CmpiOp(call.res[0], zero, "ne")
        minus_two = guards.constant(abi.INTERRUPTED, i32)
        position = guards.constant(abi.YIELDED_AT, IndexType())
        store = memref.StoreOp.get(minus_two, self.state, [position])
        mark = scf.IfOp(pending, [], Region(Block([minus_two, position, store, scf.YieldOp()])))
        return [call, zero, pending, mark]

    def add_to_while(self, op: scf.WhileOp) -> None:
        condition = op.before_region.block.last_op
        assert isinstance(condition, scf.ConditionOp)
        ops, clear = self.go_on()
        both = arith.AndIOp(condition.condition, clear)
        Rewriter.insert_op([*ops, both], InsertPoint.before(condition))
        condition.operands[0] = both.result
        Rewriter.insert_op(self.mark(), InsertPoint.after(op))

    def strip_mine(self, op: scf.ForOp) -> None:
        """`scf.for %i = lb to ub step s` -> a while over chunk starts, checked per chunk,
        around the same `scf.for` (its body moved, not copied) over the chunk."""
        index = op.lb.type
        carried = [v.type for v in op.iter_args]
        per_chunk = guards.constant(CHUNK, index)
        chunk = arith.MuliOp(op.step, per_chunk)
        before = Block(arg_types=[index, *carried])
        ops, clear = self.go_on()
        more = arith.CmpiOp(before.args[0], op.ub, "slt")
        go = arith.AndIOp(more, clear)
        before.add_ops([*ops, more, go, scf.ConditionOp(go, *before.args)])
        after = Block(arg_types=[index, *carried])
        start = after.args[0]
        unclamped = arith.AddiOp(start, chunk)
        end = arith.MinSIOp(unclamped, op.ub)
        inner = scf.ForOp(start, end, op.step, list(after.args[1:]), op.detach_region(op.body))
        after.add_ops([unclamped, end, inner, scf.YieldOp(end, *inner.results)])
        loop = scf.WhileOp([op.lb, *op.iter_args], [index, *carried], Region(before), Region(after))
        loop.attributes[STRIP_MINED] = UnitAttr()
        Rewriter.insert_op([per_chunk, chunk], InsertPoint.before(op))
        Rewriter.insert_op(self.mark(), InsertPoint.after(op))
        Rewriter.replace_op(op, loop, list(loop.results[1:]))


def _add_flag_argument(function: func.FuncOp, state: SSAValue) -> SSAValue:
    """`%qd_interrupt: memref<i32>` just before the launch state (passes find the state last)."""
    block = function.body.block
    flag = block.insert_arg(FLAG_TYPE, len(block.args) - 1)
    flag.name_hint = abi.INTERRUPT_NAME
    inputs = [arg.type for arg in block.args]
    function.function_type = FunctionType.from_lists(inputs, function.function_type.outputs.data)
    function.attributes[INTERRUPTIBLE] = UnitAttr()
    return flag


def _declare_pending(module: ModuleOp) -> None:
    for op in module.ops:
        if isinstance(op, func.FuncOp) and op.sym_name.data == PENDING:
            return
    declaration = func.FuncOp.external(PENDING, [FLAG_TYPE], [i32])
    declaration.sym_visibility = StringAttr("private")
    module.body.block.add_op(declaration)


@dataclass(frozen=True)
class CpuInterruptChecksPass(ModulePass):
    """Make long-running loops of lowered CPU kernels stop at Ctrl-C.

    IR in: lowered IR (`qd.lowered` functions, the launch state last).
    IR out: functions with `scf.while` loops or long serial `scf.for` loops take the interrupt
    word before the state and check it (module docstring); others are unchanged.
    No options; idempotent: a `qd.interruptible` function is left as it is."""

    name = "cpu-interrupt-checks"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            state = guards.state_argument(function)
            if state is None or INTERRUPTIBLE in function.attributes:
                continue
            whiles, fors = _loops(function)
            if not whiles and not fors:
                continue
            checks = _Checks(_add_flag_argument(function, state), state)
            for loop in whiles:
                checks.add_to_while(loop)
            # innermost first: an outer loop's body moves with the inner loops already done
            for loop in reversed(fors):
                checks.strip_mine(loop)
            _declare_pending(op)
