"""`checkpoint-lower`: checkpoint ops to guards over the launch state (docs/architecture.md §3).

The IR the guards are made of lives in `passes/guards.py`; this file decides where they go.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import scf
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, ModuleOp, UnitAttr
from xdsl.dialects.func import FuncOp
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

from qdmlir.dialects.checkpoint import DoWhileOp, ParallelOp, RegionOp, SerialOp
from qdmlir.passes import guards, sections
from qdmlir.passes.diagnostics import DiagnosticCollector, fail_at
from qdmlir.passes.kernel_ir import (
    LOWERED,
    at_loop_level,
    enclosing_func,
    functions,
    in_sequence,
    is_kernel,
    is_top_level_task,
    regions_in_order,
    used_results,
)
from qdmlir.passes.slot_table import record_slot_table
from qdmlir.runtime import abi

TARGETS = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu", "rocm": "gpu", "amdgpu": "gpu"}
"""Accepted `target=` values and the guard placement each one gets."""


def _state(op: Operation) -> SSAValue:
    func = enclosing_func(op)
    state = None if func is None else guards.state_argument(func)
    assert state is not None, "checkpoint-lower adds the state argument before rewriting"
    return state


def _take_body(block: Block, keep_terminator: bool = False) -> list[Operation]:
    """Detach a block's ops (all but its terminator if asked) to move them into a guard."""
    ops = list(block.ops)[:-1] if keep_terminator else list(block.ops)
    for op in ops:
        op.detach()
    return ops


@dataclass
class LowerRegionToGuards(RewritePattern):
    """Each task of a region runs under its own slot guard; glue stays in order, unguarded.

        checkpoint.region slot 1 label 7 yield_on 0 "flag" { %c = ...; scf.parallel {T} }
    cpu:
        %c = ...; <slot 1 test>; scf.if %run { scf.parallel {T}; <flag check> } {qd.guard_slot = 1}
    gpu:
        %c = ...; scf.parallel { <slot 1 test>; scf.if %run {T} }
        scf.parallel (one iteration) { <slot 1 test>; scf.if %run { <flag check> } }
    """

    target: str

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: RegionOp, rewriter: PatternRewriter) -> None:
        if not in_sequence(op):  # misplaced: left for the final check to report
            return
        state, slot = _state(op), op.slot_index
        flag = op.flag_argument()
        for item in list(op.block.ops):
            lowered = self._lower_item(item, state, slot, flag, rewriter)
            rewriter.insert(lowered, InsertPoint.before(op))
        rewriter.erase(op)

    def _lower_item(self, item, state, slot, flag, rewriter) -> list[Operation]:
        """The detached ops that replace one op of the region body."""
        device = self.target == "gpu"
        if isinstance(item, SerialOp):
            body = _take_body(item.block)
            rewriter.erase(item)
            return self._guarded(state, slot, flag, body, device)
        if isinstance(item, scf.ParallelOp) and device:
            self._guard_inside(item, state, slot, rewriter)
            item.detach()
            return [item, *(self._guarded(state, slot, flag, [], device) if flag else [])]
        item.detach()
        if isinstance(item, scf.ParallelOp):
            return self._guarded(state, slot, flag, [item])
        return [item]  # glue writes nothing: it may run for a skipped slot

    @staticmethod
    def _guarded(state, slot, flag, body, device: bool = False) -> list[Operation]:
        """`scf.if (slot test) { body; flag check }`, in a one-iteration kernel on a device."""
        if flag is not None:
            body = [*body, *guards.flag_check(state, flag, slot)]
        ops = guards.slot_guard(state, slot, body)
        return guards.one_iteration(ops) if device else ops

    @staticmethod
    def _guard_inside(task: scf.ParallelOp, state, slot, rewriter: PatternRewriter) -> None:
        # the device kernel tests the state itself: the host never waits on it
        block = task.body.block
        guarded = guards.slot_guard(state, slot, _take_body(block, keep_terminator=True))
        rewriter.insert(guarded, InsertPoint.before(block.last_op))


@dataclass
class LowerSerialToGuard(RewritePattern):
    """A serial statement runs unless a task yielded (docs/semantics.md rule 1).

        checkpoint.serial { S }   ->   <yielded_at == -1>; scf.if %none { S } {qd.guard_serial}

    On a gpu target the guard runs in a one-iteration `scf.parallel`. A serial task inside a
    region is the region's business (LowerRegionToGuards).
    """

    target: str

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: SerialOp, rewriter: PatternRewriter) -> None:
        if not in_sequence(op):
            return
        ops = guards.serial_guard(_state(op), _take_body(op.block))
        if self.target == "gpu":
            ops = guards.one_iteration(ops)
        rewriter.replace(op, ops, new_results=[])


@dataclass
class LowerDoWhileToWhile(RewritePattern):
    """A do-while becomes an `scf.while` whose before-region is the loop body.

        checkpoint.do_while %cond { B }   ->
        <slot L test>; scf.if %run {
          scf.while : () -> () { B; resume_point = 0; scf.condition(cond[] != 0 && ya == -1) }
          do { scf.yield }
        } {qd.guard_slot = L}

    L is the last slot in the loop: a resume past the loop skips it entirely, so its reset of
    `resume_point` cannot re-run the slots between the loop and the resume point. A loop
    without slots resets nothing and gets a serial guard instead.
    """

    last_slots: dict[DoWhileOp, int | None] = field(default_factory=dict)

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: DoWhileOp, rewriter: PatternRewriter) -> None:
        if not at_loop_level(op):
            return
        state, last = _state(op), self.last_slots.get(op)
        before = _take_body(op.block)
        if last is not None:
            before += guards.resume_reset(state)
        before += guards.loop_condition(state, op.cond)
        loop = scf.WhileOp([], [], Region(Block(before)), Region(Block([scf.YieldOp()])))
        if last is None:
            entry = guards.serial_guard(state, [loop])
        else:
            entry = guards.slot_guard(state, last, [loop])
        rewriter.replace(op, entry, new_results=[])


class LowerParallelToFork(RewritePattern):
    """A fork/join of lowered sections becomes the fork of passes/sections.py; a fork with
    one non-empty section is just that section, and one with none is nothing.

        checkpoint.parallel section { A } section { B }   ->
        scf.execute_region no_inline {
          scf.execute_region no_inline { A; scf.yield } {qd.section}
          scf.execute_region no_inline { B; scf.yield } {qd.section}
          scf.yield
        } {qd.fork}

    The sections' tasks and serial statements were lowered first, in place (each keeps its
    slot guard, so a resume past the fork skips them); no section writes the launch state
    (nothing in one can yield), so the sections share it without a race.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ParallelOp, rewriter: PatternRewriter) -> None:
        if not at_loop_level(op):
            return
        bodies = [_take_body(block) for block in op.blocks]
        bodies = [body for body in bodies if body]
        if len(bodies) == 1:
            rewriter.replace(op, bodies[0], new_results=[])
        elif bodies:
            rewriter.replace(op, [sections.fork(bodies)], new_results=[])
        else:
            rewriter.erase(op)


def _last_slots(func: FuncOp) -> dict[DoWhileOp, int | None]:
    """The last slot inside each do-while loop (None for a loop without checkpoints)."""
    last: dict[DoWhileOp, int | None] = {}
    for loop in func.walk():
        if isinstance(loop, DoWhileOp):
            slots = [r.slot_index for r in loop.walk() if isinstance(r, RegionOp)]
            last[loop] = max(slots, default=None)
    return last


def check_lowerable(func: FuncOp, target: str, errors: DiagnosticCollector) -> None:
    """What the lowering relies on; checkpoint-number and checkpoint-verify establish it."""
    for op in func.walk():
        if isinstance(op, RegionOp) and op.slot is None:
            errors.error(op, "checkpoint.region has no slot: run checkpoint-number first")
        elif is_top_level_task(op):
            errors.error(
                op,
                "scf.parallel at the kernel top level is not in a numbered checkpoint.region: "
                "run checkpoint-number first",
            )
        elif isinstance(op, scf.ParallelOp) and isinstance(op.parent_op(), RegionOp):
            check_task(op, target, errors)


def check_task(task: scf.ParallelOp, target: str, errors: DiagnosticCollector) -> None:
    if used_results(task):
        errors.error(
            task,
            "the results of a task (scf.parallel) cannot be used after it (a guard may skip "
            "it): store them to a memref inside the task",
        )
    elif task.initVals and target == "gpu":
        errors.error(
            task,
            "a task with reductions (scf.parallel with init values) cannot take its guard "
            "inside on target=gpu: reduce with memref.atomic_rmw instead",
        )


def add_state_argument(func: FuncOp) -> None:
    """Append `%qd_state: memref<2xi32>` and mark the function `qd.lowered`."""
    state = func.body.block.insert_arg(guards.STATE_TYPE, len(func.args))
    state.name_hint = abi.STATE_NAME
    if func.arg_attrs is not None:
        func.arg_attrs = ArrayAttr([*func.arg_attrs.data, DictionaryAttr({})])
    func.update_function_type()
    func.attributes[LOWERED] = UnitAttr()


@dataclass(frozen=True)
class CheckpointLowerPass(ModulePass):
    """Lower checkpoint ops to `scf.if` guards and `scf.while` loops over the launch state.

    Options:
      target: `cpu` (guards in host code around each task) or `gpu` (guards inside each
        `scf.parallel`, flag checks and serial code as one-iteration `scf.parallel` ops);
        `cuda`, `rocm` and `amdgpu` mean `gpu`.

    IR in: numbered IR (docs/architecture.md §2), as checkpoint-verify accepts it.
    IR out: lowered IR (§3); a `checkpoint.parallel` becomes the fork of passes/sections.py
    (nested `scf.execute_region no_inline`, one per section). Every function marked `qd.kernel`
    or holding checkpoint ops gets a last argument `%qd_state: memref<2xi32>` and the unit
    attribute `qd.lowered`, kernels without checkpoints included (the runtime always passes
    the state).
    Invariant: no `checkpoint.*` op remains; guards carry `qd.guard_slot` / `qd.guard_serial`;
    nothing inside a fork writes the launch state; the module attribute `qd.slots` holds each
    lowered kernel's slot table (passes/slot_table.py).
    """

    name = "checkpoint-lower"

    target: str = "cpu"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.target not in TARGETS:
            raise fail_at(
                self.name,
                None,
                f"unknown target '{self.target}': use target=cpu or target=gpu "
                "(cuda, rocm and amdgpu mean gpu)",
            )
        target = TARGETS[self.target]
        kernels = [func for func in functions(op) if is_kernel(func)]
        errors = DiagnosticCollector(self.name)
        for stray in op.walk():
            # the guards read the launch state, an argument of the enclosing kernel function
            if (
                stray.name.startswith("checkpoint.")
                and enclosing_func(stray) is None
                and not (
                    stray.parent_op() is not None
                    and stray.parent_op().name.startswith("checkpoint.")
                )
            ):
                errors.error(
                    stray,
                    f"{stray.name} is not inside a func.func: checkpoint ops "
                    "belong in a kernel function",
                )
        for func in kernels:
            check_lowerable(func, target, errors)
        errors.raise_if_any()
        last_slots: dict[DoWhileOp, int | None] = {}
        for func in kernels:
            record_slot_table(op, func, regions_in_order(func))
            add_state_argument(func)
            last_slots.update(_last_slots(func))
        patterns = [
            LowerRegionToGuards(target),
            LowerSerialToGuard(target),
            LowerParallelToFork(),
            LowerDoWhileToWhile(last_slots),
        ]
        # innermost first: a do-while's body is lowered while it still sits in the do-while
        PatternRewriteWalker(
            GreedyRewritePatternApplier(patterns, dce_enabled=False), walk_regions_first=True
        ).rewrite_module(op)
        for left in op.walk():
            if left.name.startswith("checkpoint."):
                errors.error(
                    left,
                    f"{left.name} is left after lowering: it is not where "
                    "docs/architecture.md §1 allows it; run checkpoint-verify",
                )
        errors.raise_if_any()
