"""Structure queries on kernel IR (docs/architecture.md §1, §2) shared by the checkpoint passes.

A kernel body is a *sequence* (the function's top level, a `checkpoint.do_while` body or a
section of a `checkpoint.parallel`) of tasks (`scf.parallel`), checkpoint ops and pure glue
ops; a `checkpoint.region` body holds tasks (`scf.parallel`, `checkpoint.serial`) and glue. Do-
while loops and forks sit at a *loop level* only: the top level or a do-while body.
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.dialects.scf import ParallelOp
from xdsl.ir import Operation, SSAValue
from xdsl.traits import MemoryEffectKind, get_effects

from qdmlir.dialects import checkpoint
from qdmlir.dialects.checkpoint import DoWhileOp, RegionOp, SerialOp

KERNEL = "qd.kernel"
"""Unit attribute the frontend puts on a kernel function."""
LOWERED = "qd.lowered"
"""Unit attribute checkpoint-lower puts on a function it lowered (docs/architecture.md §3)."""

_GLUE_EFFECTS = (MemoryEffectKind.READ, MemoryEffectKind.ALLOC)


def functions(module: ModuleOp) -> list[FuncOp]:
    """Every `func.func` with a body (declarations have nothing to number or lower)."""
    return [op for op in module.walk() if isinstance(op, FuncOp) and not op.is_declaration]


def is_kernel(func: FuncOp) -> bool:
    """A function the checkpoint passes own: marked `qd.kernel`, or holding checkpoint ops
    or top-level tasks, and not lowered yet."""
    if LOWERED in func.attributes:
        return False
    return KERNEL in func.attributes or any(
        isinstance(op, (RegionOp, DoWhileOp, SerialOp, checkpoint.ParallelOp))
        or is_top_level_task(op)
        for op in func.walk()
    )


def enclosing_func(op: Operation) -> FuncOp | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, FuncOp):
        parent = parent.parent_op()
    return parent


def in_sequence(op: Operation) -> bool:
    """True for an op directly at the function top level, in a do-while body or in a section."""
    return isinstance(op.parent_op(), (FuncOp, DoWhileOp, checkpoint.ParallelOp))


def at_loop_level(op: Operation) -> bool:
    """True for an op directly at the function top level or directly in a do-while body: where
    a do-while or a fork (`checkpoint.parallel`) may sit."""
    return isinstance(op.parent_op(), (FuncOp, DoWhileOp))


def is_top_level_task(op: Operation) -> bool:
    """An `scf.parallel` that is a task of its own, outside any checkpoint.region."""
    return isinstance(op, ParallelOp) and in_sequence(op)


def is_glue(op: Operation) -> bool:
    """A pure op that may sit between tasks: it writes no memory (reads and allocas are fine).

    Uses xDSL's effect traits, so `arith.*`, `math.*`, index casts, `memref.dim`,
    `memref.load` and `memref.alloca` qualify; an op with unknown effects does not.
    """
    if isinstance(op, (ParallelOp, RegionOp, DoWhileOp, SerialOp, checkpoint.ParallelOp)):
        return False
    effects = get_effects(op)
    return effects is not None and all(e.kind in _GLUE_EFFECTS for e in effects)


def regions_in_order(func: FuncOp) -> list[RegionOp]:
    """The function's checkpoint regions in source pre-order: slot order."""
    return [op for op in func.walk() if isinstance(op, RegionOp)]


def used_results(task: ParallelOp) -> bool:
    """A task's results cannot outlive a guard that may skip the task."""
    return any(result.uses for result in task.results)


def constant_int(value: SSAValue) -> int | None:
    """The integer a value is known to be at compile time, through index casts (the frontend
    types a `range(1)` bound as i32 and casts it); None if it is not a constant."""
    while isinstance(value.owner, arith.IndexCastOp):
        value = value.owner.input
    owner = value.owner
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return owner.value.value.data
    return None
