"""`checkpoint-number`: implicit checkpoints and dense slots (docs/architecture.md §2)."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.dialects.scf import ParallelOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from qdmlir.dialects.checkpoint import RegionOp
from qdmlir.passes.diagnostics import DiagnosticCollector
from qdmlir.passes.kernel_ir import (
    LOWERED,
    enclosing_func,
    functions,
    is_top_level_task,
    regions_in_order,
    used_results,
)


def _is_task_to_wrap(op) -> bool:
    """A top-level task of a function not lowered yet (a lowered gpu kernel's tasks are
    device kernels, not checkpoints)."""
    func = enclosing_func(op)
    return is_top_level_task(op) and func is not None and LOWERED not in func.attributes


class WrapTaskInRegion(RewritePattern):
    """A task outside any checkpoint becomes an implicit checkpoint of its own.

        scf.parallel ... {...}          checkpoint.region { scf.parallel ... {...} }

    Its bound computations stay where they are, before the region: they are pure.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ParallelOp, rewriter: PatternRewriter) -> None:
        if not _is_task_to_wrap(op):
            return
        region = RegionOp()
        region.location = op.location  # the implicit checkpoint is where its task is
        rewriter.insert(region, InsertPoint.before(op))
        op.detach()
        rewriter.insert(op, InsertPoint.at_end(region.block))


def assign_slots(func: FuncOp) -> None:
    """Slots 0, 1, 2, ... in source pre-order; an existing slot is overwritten."""
    for index, region in enumerate(regions_in_order(func)):
        if region.slot_index != index:
            region.slot = IntegerAttr(index, 64)


@dataclass(frozen=True)
class CheckpointNumberPass(ModulePass):
    """Number the checkpoints of every function.

    IR in: kernel IR (docs/architecture.md §1), with or without slots.
    IR out: numbered IR (§2): every `scf.parallel` at the function top level or directly in a
    `checkpoint.do_while` body sits in an unlabelled `checkpoint.region`, and the regions of
    each function have slots 0, 1, 2, ... in source pre-order.
    Invariant: idempotent; labels, yield_on and all other ops are left as they are; functions
    marked `qd.lowered` are not touched.
    """

    name = "checkpoint-number"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        errors = DiagnosticCollector(self.name)
        for task in op.walk():
            if _is_task_to_wrap(task) and used_results(task):
                errors.error(
                    task,
                    "the results of a task (scf.parallel) are used after it, so it cannot "
                    "become a checkpoint (a resume may skip it): store them to a memref "
                    "inside the task instead",
                )
        errors.raise_if_any()
        walker = PatternRewriteWalker(
            GreedyRewritePatternApplier([WrapTaskInRegion()], dce_enabled=False)
        )
        walker.rewrite_module(op)
        for func in functions(op):
            assign_slots(func)
