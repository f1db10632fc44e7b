"""A task body as a function of its own, called by the serial and the parallel branch.

A helper of `cpu-parallel-threshold` (not a pass). Compiling every task inside the kernel
function, twice (parallel and serial copy), made LLVM's work grow faster than the task count
(one huge function) and doubled it; a task function is compiled once, LLVM's cost per task
stays flat, and the functions can be compiled in parallel (passes/targets/cpu.py):

    func.func private @k.task3(%a: memref<?xf32>, ..., %lb: index, %ub: index)
        attributes {passthrough = ["noinline"]} {
      scf.for %i = %lb to %ub step %c1 { <task body> }
    }
    func.func private @k.task3.parallel(memref<?xf32>, ..., index, index, index)
        attributes {qd.parallel_for = @k.task3}
    scf.if (work >= threshold) {
      func.call @k.task3.parallel(%a, ..., %lb0, %ub0, %step)
    } else {
      func.call @k.task3(%a, ..., %lb0, %ub0)
    }

The parallel branch calls a declaration that the CPU target defines after the lowering to the
LLVM dialect (passes/targets/cpu_parallel.py): it packs the arguments into one struct and
forks once, through a helper shared by all tasks, so each OpenMP thread runs the task function
on one contiguous chunk, as a static schedule does. An `scf.parallel` per task instead gave
every task an OpenMP-outlined function of its own (a work-sharing loop around the call), which
cost LLVM more than the task itself.
"""

from __future__ import annotations

from xdsl.dialects import arith, func, scf
from xdsl.dialects.builtin import ArrayAttr, IndexType, StringAttr, SymbolRefAttr
from xdsl.ir import Block, Operation, Region, SSAValue

PARALLEL_FOR_ATTR = "qd.parallel_for"
"""On `@<task>.parallel`, the declaration the parallel branch calls: the task function it runs
on one chunk per OpenMP thread (passes/targets/cpu_parallel.py defines its body)."""


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


def parallel_launcher(function: func.FuncOp) -> func.FuncOp:
    """`func.func private @<task>.parallel(captures..., lb, ub, step)`, a declaration marked
    `qd.parallel_for = @<task>`: the CPU target defines it after the lowering to LLVM."""
    inputs = [*function.function_type.inputs.data, IndexType()]
    name = f"{function.sym_name.data}.parallel"
    launcher = func.FuncOp.external(name, inputs, [])
    launcher.attributes[PARALLEL_FOR_ATTR] = SymbolRefAttr(function.sym_name.data)
    return launcher


def parallel_call(launcher: func.FuncOp, captures: list[SSAValue], task: scf.ParallelOp):
    """`call @<task>.parallel(captures, lb, ub, step)`: the task's range on all threads."""
    args = [*captures, task.lowerBound[0], task.upperBound[0], task.step[0]]
    return [func.CallOp(launcher.sym_name.data, args, [])]
