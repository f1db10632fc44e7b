"""The lowered form of a fork/join (`checkpoint.parallel`), shared by the passes that make it,
read it and schedule it (docs/architecture.md §3).

`checkpoint-lower` turns a fork of two or more non-empty sections into nested
`scf.execute_region`s that upstream MLIR keeps as they are (`no_inline`: canonicalize would
inline them otherwise), so the grouping survives to the CPU scheduling pass
(`cpu-parallel-sections`) and through the GPU pipeline to the launch plan (`cuda_host_plan.py`):

    scf.execute_region {
      scf.execute_region { <section 0, lowered>; scf.yield } {no_inline, qd.section}
      scf.execute_region { <section 1, lowered>; scf.yield } {no_inline, qd.section}
      scf.yield
    } {no_inline, qd.fork}

The sections may run at the same time; everything after the outer op waits for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import scf
from xdsl.dialects.builtin import UnitAttr
from xdsl.ir import Block, Operation, Region

from qdmlir.dialects.scf_syntax import NO_INLINE  # upstream, scf.execute_region's property

FORK = "qd.fork"
SECTION = "qd.section"
DISPATCH = "qd.sections"  # cpu-parallel-sections' scf.parallel over the sections of a fork


def _region_op(ops: Sequence[Operation], marker: str) -> scf.ExecuteRegionOp:
    op = scf.ExecuteRegionOp([], Region(Block([*ops, scf.YieldOp()])))
    op.attributes[NO_INLINE] = UnitAttr()
    op.attributes[marker] = UnitAttr()
    return op


def fork(sections: Sequence[Sequence[Operation]]) -> scf.ExecuteRegionOp:
    """The fork of `sections` (detached ops, each list one section's body, in order)."""
    return _region_op([_region_op(ops, SECTION) for ops in sections], FORK)


def is_fork(op: Operation) -> bool:
    return isinstance(op, scf.ExecuteRegionOp) and FORK in op.attributes


def section_bodies(op: scf.ExecuteRegionOp) -> list[Block]:
    """The body block of each section of a fork, in order (their scf.yield included)."""
    return [
        section.region.block
        for section in op.region.block.ops
        if isinstance(section, scf.ExecuteRegionOp) and SECTION in section.attributes
    ]
