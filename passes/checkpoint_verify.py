"""`checkpoint-verify`: the kernel-level rules of docs/semantics.md that no op verifier can see.

Every problem is reported at the op it is about, then the pass fails (docs/architecture.md §1).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.dialects.scf import ParallelOp
from xdsl.ir import Block, BlockArgument
from xdsl.passes import ModulePass

from qdmlir.dialects import checkpoint
from qdmlir.dialects.checkpoint import DoWhileOp, RegionOp, SerialOp
from qdmlir.passes.diagnostics import DiagnosticCollector
from qdmlir.passes.kernel_ir import (
    at_loop_level,
    functions,
    in_sequence,
    is_glue,
    is_kernel,
    regions_in_order,
    used_results,
)

_TOP_LEVEL = "the kernel top level or directly in a checkpoint.do_while body"
_IN_SEQUENCE = f"{_TOP_LEVEL} or a checkpoint.parallel section"
_SERIAL_PARENTS = (FuncOp, DoWhileOp, RegionOp, checkpoint.ParallelOp)


def _where(region: RegionOp, position: int) -> str:
    slot = region.slot_index
    return f"slot {slot}" if slot is not None else f"checkpoint #{position} in source order"


def check_labels(func: FuncOp, errors: DiagnosticCollector) -> None:
    """Labels are unique by value within a kernel (docs/semantics.md)."""
    first: dict[int, tuple[RegionOp, int]] = {}
    for position, region in enumerate(regions_in_order(func)):
        label = region.label_value
        if label is None:
            continue
        if label in first:
            other, other_position = first[label]
            errors.error(
                region,
                f"label {label} is already used by another checkpoint "
                f"({_where(other, other_position)}); this one is {_where(region, position)}: "
                "give each checkpoint of a kernel its own label",
            )
        else:
            first[label] = (region, position)


def check_slots(func: FuncOp, errors: DiagnosticCollector) -> None:
    """Slots, once any is present, are 0, 1, 2, ... in source order."""
    regions = regions_in_order(func)
    if all(region.slot is None for region in regions):
        return
    for position, region in enumerate(regions):
        if region.slot_index == position:
            continue
        has = "no slot" if region.slot is None else f"slot {region.slot_index}"
        errors.error(
            region,
            f"checkpoint.region has {has} but is checkpoint #{position} in source order of "
            f"@{func.sym_name.data}: slots must be dense and in source order; "
            "run checkpoint-number",
        )


def check_placement(func: FuncOp, errors: DiagnosticCollector) -> None:
    """Checkpoint ops sit where docs/semantics.md allows them, at any depth."""
    for op in func.walk():
        if isinstance(op, RegionOp):
            if any(isinstance(a, RegionOp) for a in _ancestors(op)):
                errors.error(
                    op,
                    "checkpoint.region cannot be nested inside another checkpoint.region: "
                    "checkpoints do not nest; move it out of the enclosing checkpoint",
                )
            elif not in_sequence(op):
                errors.error(op, f"checkpoint.region must be at {_IN_SEQUENCE}, {_not_in(op)}")
        elif isinstance(op, DoWhileOp):
            if not at_loop_level(op):
                errors.error(op, f"checkpoint.do_while must be at {_TOP_LEVEL}, {_not_in(op)}")
            check_condition(func, op, errors)
        elif isinstance(op, checkpoint.ParallelOp) and not at_loop_level(op):
            errors.error(op, f"checkpoint.parallel must be at {_TOP_LEVEL}, {_not_in(op)}")
        elif isinstance(op, SerialOp) and not isinstance(op.parent_op(), _SERIAL_PARENTS):
            errors.error(
                op,
                f"checkpoint.serial must be at {_IN_SEQUENCE} or in a checkpoint.region, "
                f"{_not_in(op)}",
            )


def check_condition(func: FuncOp, op: DoWhileOp, errors: DiagnosticCollector) -> None:
    """A do-while loops on a kernel argument: the host must be able to set it."""
    cond = op.cond
    if not (isinstance(cond, BlockArgument) and cond.block is func.body.block):
        errors.error(
            op,
            "checkpoint.do_while condition does not resolve to an ndarray kernel parameter: "
            f"it must be an argument of @{func.sym_name.data}, not a value computed in it",
        )


def check_ops(block: Block, errors: DiagnosticCollector, numbered: bool, in_region: bool) -> None:
    """Only tasks, checkpoint ops and pure glue in a sequence or a region body (§1)."""
    for op in block.ops:
        if isinstance(op, ParallelOp):
            check_task(op, errors, numbered and not in_region)
        elif isinstance(op, RegionOp | DoWhileOp):
            if not in_region:  # a misplaced one was reported by check_placement
                check_ops(op.block, errors, numbered, isinstance(op, RegionOp))
        elif isinstance(op, checkpoint.ParallelOp):
            if not in_region:  # each section is a sequence of its own
                for section in op.blocks:
                    check_ops(section, errors, numbered, in_region=False)
        elif isinstance(op, SerialOp) or is_glue(op):
            continue
        elif isinstance(op, ReturnOp) and isinstance(op.parent_op(), FuncOp):
            continue
        elif in_region:
            errors.error(
                op,
                f"{op.name} is not allowed in a checkpoint.region body, which holds tasks "
                "(scf.parallel, checkpoint.serial) and pure glue ops: wrap it in "
                "checkpoint.serial",
            )
        else:
            errors.error(
                op,
                f"{op.name} is not allowed at {_IN_SEQUENCE}, which holds tasks "
                "(scf.parallel), checkpoint ops and pure glue ops: wrap it in checkpoint.serial",
            )


def check_task(task: ParallelOp, errors: DiagnosticCollector, unnumbered: bool) -> None:
    if used_results(task):
        errors.error(
            task,
            "the results of a task (scf.parallel) cannot be used after it (a resume may skip "
            "it): store them to a memref inside the task",
        )
    if unnumbered:
        errors.error(
            task,
            "scf.parallel at the kernel top level is not in a numbered checkpoint.region "
            "while the other checkpoints are: run checkpoint-number",
        )


def _ancestors(op):
    parent = op.parent_op()
    while parent is not None:
        yield parent
        parent = parent.parent_op()


def _not_in(op) -> str:
    return f"not in {op.parent_op().name}"


@dataclass(frozen=True)
class CheckpointVerifyPass(ModulePass):
    """Check the kernel-level checkpoint rules; change nothing.

    IR in: kernel IR or numbered IR (docs/architecture.md §1, §2).
    IR out: the same IR, or a failure with one located error per offending op.
    Invariant: after it, `checkpoint-lower` can rely on labels being unique, checkpoint ops sitting only where §1 allows them, and slots
    (where present) being dense and in source order.
    """

    name = "checkpoint-verify"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        errors = DiagnosticCollector(self.name)
        for func in filter(is_kernel, functions(op)):
            numbered = any(r.slot is not None for r in regions_in_order(func))
            check_placement(func, errors)
            check_ops(func.body.block, errors, numbered, in_region=False)
            check_labels(func, errors)
            check_slots(func, errors)
        errors.raise_if_any()
