"""Serial equivalents of `scf.parallel`: a nest of `scf.for`, reductions carried as iter_args.

A helper of `cpu-parallel-threshold` (not a pass): upstream has no such rewrite, and
convert-scf-to-openmp would turn every scf.parallel it meets into an OpenMP loop.
"""

from __future__ import annotations

from xdsl.dialects import scf
from xdsl.dialects.builtin import IndexType
from xdsl.ir import Block, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter


def parallel_to_for_nest(op: scf.ParallelOp) -> tuple[list[Operation], list[SSAValue]]:
    """The ops replacing `op` (one outermost scf.for) and the values replacing its results.
    `op`'s body is moved, so `op` must be discarded (or be a clone) afterwards."""
    acc_types = [v.type for v in op.initVals]
    dims = list(zip(op.lowerBound, op.upperBound, op.step))
    blocks = [Block(arg_types=[IndexType(), *acc_types]) for _ in dims]
    inner = blocks[-1]
    body = op.body.block
    for old_iv, block in zip(body.args, blocks):
        old_iv.replace_all_uses_with(block.args[0])
    reduce = body.last_op
    assert isinstance(reduce, scf.ReduceOp)
    for body_op in list(body.ops)[:-1]:
        body_op.detach()
        inner.add_op(body_op)
    inner.add_op(scf.YieldOp(*_inline_reductions(reduce, list(inner.args[1:]), inner)))
    # wrap from the inside out: each outer loop passes its accumulators to the next one in
    loop = None
    for depth in range(len(dims) - 1, -1, -1):
        lb, ub, step = dims[depth]
        inits = list(op.initVals) if depth == 0 else list(blocks[depth - 1].args[1:])
        loop = scf.ForOp(lb, ub, step, inits, blocks[depth])
        if depth > 0:
            blocks[depth - 1].add_ops([loop, scf.YieldOp(*loop.results)])
    assert loop is not None
    return [loop], list(loop.results)


def _inline_reductions(reduce: scf.ReduceOp, accs: list[SSAValue], block: Block) -> list[SSAValue]:
    """Append each reduction region's combiner (acc, value) to `block`; return the new accs."""
    results = []
    for acc, value, region in zip(accs, reduce.args, reduce.reductions):
        combiner = region.block
        combiner.args[0].replace_all_uses_with(acc)
        combiner.args[1].replace_all_uses_with(value)
        ret = combiner.last_op
        assert isinstance(ret, scf.ReduceReturnOp)
        for combine_op in list(combiner.ops)[:-1]:
            combine_op.detach()
            block.add_op(combine_op)
        results.append(ret.result)
    return results


def serialize_nested_parallels(op: Operation, rewriter: PatternRewriter) -> None:
    """Turn every scf.parallel strictly inside `op` into an scf.for nest, innermost first."""
    nested = [inner for inner in op.walk(reverse=True) if isinstance(inner, scf.ParallelOp)]
    for inner in nested:
        if inner is not op:
            ops, results = parallel_to_for_nest(inner)
            rewriter.replace(inner, ops, results)
