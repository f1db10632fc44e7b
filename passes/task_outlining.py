"""A task body as a function of its own, called by the serial and the parallel branch.

A helper of `cpu-parallel-threshold` (not a pass). Compiling every task inside the kernel
function, twice (parallel and serial copy), made LLVM's work grow faster than the task count
(one huge function) and doubled it; a task function is compiled once, LLVM's cost per task
stays flat, and the functions can be compiled in parallel (passes/targets/cpu.py):

    func.func private @k.task3(%a: memref<?xf32>, ..., %lb: index, %ub: index)
        attributes {passthrough = ["noinline"]} {
      scf.for %i = %lb to %ub step %c1 { <task body> }
    }
    scf.if (work >= threshold) {
      scf.parallel (%t) = (0) to (omp_get_max_threads()) { call @k.task3(..., chunk t) }
    } else {
      call @k.task3(..., %lb0, %ub0)
    }

The parallel branch gives each OpenMP thread one contiguous chunk, as a static schedule does.
"""

from __future__ import annotations

from xdsl.dialects import arith, func, scf
from xdsl.dialects.builtin import ArrayAttr, IndexType, IntegerAttr, StringAttr, i32
from xdsl.ir import Block, Operation, Region, SSAValue

MAX_THREADS = "omp_get_max_threads"
"""libomp's thread count for the next parallel region: the number of chunks."""


def can_outline(task: scf.ParallelOp) -> bool:
    """One dimension and no reductions: the body then runs over any sub-range on its own."""
    return len(task.lowerBound) == 1 and not task.initVals and not task.results


def outline_task(task: scf.ParallelOp, name: str) -> tuple[func.FuncOp, list[SSAValue]]:
    """Move `task`'s body into `func.func private @name(captures..., %lb, %ub)` running it as
    an `scf.for` over [lb, ub); returns the function and the captured values to pass.
    Constants used in the body are cloned into the function, so LLVM still sees them."""
    body = task.body.block
    inside = {id(op) for op in task.walk()}
    captures: list[SSAValue] = []
    constants: dict[SSAValue, None] = {}
    for op in body.walk():
        for value in op.operands:
            owner = value.owner
            defining = owner if isinstance(owner, Operation) else owner.parent_op()
            if id(defining) in inside:
                continue
            target = constants if isinstance(owner, arith.ConstantOp) else captures
            if value not in target:
                if target is captures:
                    captures.append(value)
                else:
                    constants[value] = None
    step = task.step[0]
    if isinstance(step.owner, arith.ConstantOp):
        constants.setdefault(step, None)
    elif step not in captures:
        captures.append(step)
    entry = Block(arg_types=[*(v.type for v in captures), IndexType(), IndexType()])
    lb, ub = entry.args[-2], entry.args[-1]
    mapping: dict[SSAValue, SSAValue] = dict(zip(captures, entry.args))
    for value in constants:
        clone = value.owner.clone()
        entry.add_op(clone)
        mapping[value] = clone.result
    loop_body = Block(arg_types=[IndexType()])
    body.args[0].replace_all_uses_with(loop_body.args[0])
    for op in list(body.ops)[:-1]:  # all but the scf.reduce
        op.detach()
        loop_body.add_op(op)
    loop_body.add_op(scf.YieldOp())
    for op in loop_body.walk():
        if any(value in mapping for value in op.operands):
            op.operands = [mapping.get(value, value) for value in op.operands]
    entry.add_ops([scf.ForOp(lb, ub, mapping[step], [], loop_body), func.ReturnOp()])
    function = func.FuncOp(name, ([v.type for v in entry.args], []), Region(entry), "private")
    function.attributes["passthrough"] = ArrayAttr([StringAttr("noinline")])
    return function, captures


def serial_call(function: func.FuncOp, captures: list[SSAValue], task: scf.ParallelOp):
    """`call @task(captures, lb, ub)` over the task's whole range."""
    args = [*captures, task.lowerBound[0], task.upperBound[0]]
    return [func.CallOp(function.sym_name.data, args, [])]


def chunked_parallel(function: func.FuncOp, captures: list[SSAValue], task: scf.ParallelOp):
    """One chunk of the range per OpenMP thread, each a call of the task function."""
    lb, ub, step = task.lowerBound[0], task.upperBound[0], task.step[0]
    threads = func.CallOp(MAX_THREADS, [], [i32])
    count = arith.IndexCastOp(threads.res[0], IndexType())
    zero = arith.ConstantOp(IntegerAttr(0, IndexType()))
    one = arith.ConstantOp(IntegerAttr(1, IndexType()))
    span = arith.SubiOp(ub, lb)
    trip = arith.CeilDivSIOp(span, step)
    per_thread = arith.CeilDivSIOp(trip, count)
    length = arith.MuliOp(per_thread, step)
    chunk = Block(arg_types=[IndexType()])
    offset = arith.MuliOp(chunk.args[0], length)
    begin = arith.AddiOp(lb, offset)
    unclamped = arith.AddiOp(begin, length)
    end = arith.MinSIOp(unclamped, ub)
    call = func.CallOp(function.sym_name.data, [*captures, begin, end], [])
    chunk.add_ops([offset, begin, unclamped, end, call, scf.ReduceOp()])
    loop = scf.ParallelOp([zero], [count], [one], Region(chunk))
    return [threads, count, zero, one, span, trip, per_thread, length, loop]


def max_threads_declaration() -> func.FuncOp:
    return func.FuncOp.external(MAX_THREADS, [], [i32])
