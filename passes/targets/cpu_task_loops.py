"""Loop hints on the task functions of the CPU target: vectorise, do not interleave, do not
unroll the scalar remainder.

A task function (passes/task_outlining.py) is one `scf.for` over a sub-range of a parallel
loop, so its iterations carry no value from one to the next (a task with reductions is never
outlined). LLVM's defaults aim at loops that do: the vectoriser interleaves four vector
iterations to hide a dependence chain's latency, adds a second, narrower vector loop for the
remainder, and the unroller unrolls the scalar remainder by four. For independent iterations
the core overlaps them anyway, and the copies made LLVM's work per task about twice what the
loop needs (200 tasks: opt + llc 2.55 -> 1.27 CPU-s on the task functions); the vector loop
itself is the same, so a bandwidth-bound task runs at the same speed.

After the lowering to the LLVM dialect each task's loop is the back edge to the block that
its entry block branches to; `annotate_task_loops` gives that branch the loop annotation
below. A task function of another shape is left as it is: the hints only save compile time.
"""

from __future__ import annotations

from collections.abc import Iterable

from mlir import ir

TASK_LOOP_ANNOTATION = "#llvm.loop_annotation<interleave = #llvm.loop_interleave<count = 1>>"
"""llvm.loop.interleave.count 1. The scalar remainder keeps LLVM's runtime unrolling: it is
also the whole loop when the alias check fails (an array passed as two arguments, as in
`k(a, b, a)`), and unrolled it runs that case ~17% faster at 1M elements; without the
unrolling the task functions cost LLVM a further 30% less (docs/performance.md)."""


def annotate_task_loops(functions: Iterable[ir.Operation]) -> int:
    """Put TASK_LOOP_ANNOTATION on the loop of each task `llvm.func`; returns how many."""
    annotation = None
    count = 0
    for function in functions:
        latch = _task_loop_latch(function)
        if latch is None:
            continue
        if annotation is None:
            annotation = ir.Attribute.parse(TASK_LOOP_ANNOTATION)
        latch.attributes["loop_annotation"] = annotation
        count += 1
    return count


def _task_loop_latch(function: ir.Operation) -> ir.Operation | None:
    """The `llvm.br` back to the loop header: the header is the block the entry block
    branches to; the latch, the one other block ending in an unconditional branch to it."""
    blocks = list(function.regions[0].blocks) if function.regions else []
    if len(blocks) < 3:
        return None
    entry = _terminator(blocks[0])
    if entry.name != "llvm.br":
        return None
    header = entry.successors[0]
    latches = [
        term
        for block in blocks[1:]
        if (term := _terminator(block)).name == "llvm.br" and term.successors[0] == header
    ]
    return latches[0] if len(latches) == 1 else None


def _terminator(block: ir.Block) -> ir.Operation:
    operations = block.operations
    return operations[len(operations) - 1].operation
