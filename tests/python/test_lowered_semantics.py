"""Run lowered kernels and compare what ran with docs/semantics.md's launch rules.

Each task appends its tag to a log; the default pipeline (cpu or cuda) lowers the kernel, the
hand-off passes it to upstream MLIR, whose ExecutionEngine runs it on the host (scf.parallel
as a sequential loop). Each scenario sets resume_point / flag / loop counter and checks the
log, yielded_at and the counter after one launch.
"""

import ctypes
import itertools

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.parser import Parser

from qdmlir.dialects import get_all_dialects
from qdmlir.passes.handoff import to_upstream
from qdmlir.passes.pipeline import PipelineObserver, default_pipeline

_names = itertools.count()
_TO_LLVM = (
    "builtin.module(convert-scf-to-cf,expand-strided-metadata,finalize-memref-to-llvm,"
    "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,"
    "reconcile-unrealized-casts)"
)


def _mark(tag: int) -> str:
    """log[count++] = tag"""
    n = next(_names)
    return f"""
      %k{n} = memref.load %count[] : memref<i32>
      %ki{n} = arith.index_cast %k{n} : i32 to index
      %tag{n} = arith.constant {tag} : i32
      memref.store %tag{n}, %log[%ki{n}] : memref<16xi32>
      %one{n} = arith.constant 1 : i32
      %next{n} = arith.addi %k{n}, %one{n} : i32
      memref.store %next{n}, %count[] : memref<i32>"""


def _task(tag: int) -> str:
    """A one-iteration parallel loop that logs `tag`."""
    n = next(_names)
    return f"""
    "scf.parallel"(%c0, %c1, %c1) <{{operandSegmentSizes = array<i32: 1, 1, 1, 0>}}> ({{
    ^bb{n}(%i{n}: index):{_mark(tag)}
      scf.reduce
    }}) : (index, index, index) -> ()"""


def _decrement(counter: str) -> str:
    n = next(_names)
    return f"""
    checkpoint.serial {{
      %v{n} = memref.load %{counter}[] : memref<i32>
      %d{n} = arith.constant 1 : i32
      %w{n} = arith.subi %v{n}, %d{n} : i32
      memref.store %w{n}, %{counter}[] : memref<i32>
    }}"""


ARGS = "%log: memref<16xi32>, %count: memref<i32>, %flag: memref<i32>, %counter: memref<i32>"
HEAD = "%c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index"

# for; with qd.checkpoint(7, yield_on=flag): for; serial-task;  serial statement;  for
STRAIGHT = f"""func.func @k({ARGS}) attributes {{qd.kernel}} {{
  {HEAD}{_task(1)}
  checkpoint.region label 7 yield_on 2 "flag" {{{_task(2)}
    checkpoint.serial {{{_mark(3)}
    }}
  }}
  checkpoint.serial {{{_mark(4)}
  }}{_task(5)}
  func.return
}}"""

# while do_while(counter): for; counter -= 1; with checkpoint(5, yield_on=flag): serial-task
# then: for
LOOP = f"""func.func @k({ARGS}) attributes {{qd.kernel}} {{
  {HEAD}
  checkpoint.do_while %counter : memref<i32> {{{_task(1)}{_decrement("counter")}
    checkpoint.region label 5 yield_on 2 "flag" {{
      checkpoint.serial {{{_mark(2)}
      }}
    }}
  }}{_task(3)}
  func.return
}}"""

# (kernel, resume_point, flag, counter) -> (log, yielded_at, counter after)
# (the CPU pipeline's Ctrl-C checks read the interrupt word, clear here unless a scenario sets it)
SCENARIOS = {
    "fresh launch runs everything": (STRAIGHT, 0, 0, 0, [1, 2, 3, 4, 5], -1, 0),
    "first task of the checkpoint yields, nothing after runs": (STRAIGHT, 0, 1, 0, [1, 2], 1, 0),
    "resume at the checkpoint re-runs its tasks and the serial statement": (
        STRAIGHT,
        1,
        0,
        0,
        [2, 3, 4, 5],
        -1,
        0,
    ),
    "resume past a yielding checkpoint never reads its flag": (STRAIGHT, 2, 1, 0, [4, 5], -1, 0),
    "resume past every slot runs serial statements only": (STRAIGHT, 3, 0, 0, [4], -1, 0),
    "loop runs while the counter is non-zero": (LOOP, 0, 0, 3, [1, 2, 1, 2, 1, 2, 3], -1, 0),
    "a yield ends the loop and the launch": (LOOP, 0, 1, 3, [1, 2], 1, 2),
    "only the first iteration of a resume is partial": (LOOP, 1, 0, 2, [2, 1, 2, 3], -1, 0),
    "resume past the loop skips it": (LOOP, 2, 0, 0, [3], -1, 0),
}
# scenario -> (kernel, resume_point, flag, counter, interrupt word) -> (log, yielded_at, counter)
INTERRUPTED = {
    # Ctrl-C during the first iteration: the loop ends at its condition, nothing after it runs
    "an interrupt ends the loop and the launch": (LOOP, 0, 0, 3, 1, [1, 2], -2, 2),
    "an interrupt leaves a kernel without long loops alone": (
        STRAIGHT,
        0,
        0,
        0,
        1,
        [1, 2, 3, 4, 5],
        -1,
        0,
    ),
}


# What the CPU target's entry code defines (passes/targets/cpu_entry.py), minus the volatile
PENDING = """func.func private @qd_interrupt_pending(%word: memref<i32>) -> i32 {
  %v = memref.load %word[] : memref<i32>
  func.return %v : i32
}"""


def _lower(text: str, target: str):
    ctx = Context()
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    module = Parser(ctx, text).parse_module()
    default_pipeline(target, PipelineObserver(verify_each=True)).apply(ctx, module)
    # a GPU loop kernel (gpu-device-loops) is its threads' barriers: the CPU cannot run it as a
    # loop; the plan launches it instead of the host loop tested here (test_gpu_device.py)
    for function in list(module.ops):
        if "qd.device_loop" in function.attributes:
            module.body.block.erase_op(function)
    for op in list(module.ops):  # define the interrupt check the pipeline declared
        if getattr(op, "sym_name", None) and op.sym_name.data == "qd_interrupt_pending":
            op.detach()
            module.body.block.add_op(Parser(ctx, PENDING).parse_op())
    return to_upstream(module)


def _launch(text: str, target: str, resume_point: int, flag: int, counter: int, interrupt: int = 0):
    from mlir import execution_engine, ir, passmanager
    from mlir.runtime import get_ranked_memref_descriptor

    module = _lower(text, target)
    with module.context:
        module.body.operations[0].attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
        passmanager.PassManager.parse(_TO_LLVM).run(module.operation)
        engine = execution_engine.ExecutionEngine(module, opt_level=0)
        interruptible = "qd.interruptible" in module.body.operations[0].attributes
    log = np.zeros(16, np.int32)
    arrays = [
        log,
        np.zeros((), np.int32),
        np.array(flag, np.int32),
        np.array(counter, np.int32),
        *([np.array(interrupt, np.int32)] if interruptible else []),
        np.array([resume_point, -1], np.int32),
    ]
    engine.invoke(
        "k", *[ctypes.pointer(ctypes.pointer(get_ranked_memref_descriptor(a))) for a in arrays]
    )
    count = int(arrays[1])
    return list(log[:count]), int(arrays[-1][1]), int(arrays[3])


@pytest.mark.parametrize("target", ["cpu", "cuda"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_launch_follows_design_rules(scenario, target):
    kernel, resume_point, flag, counter, log, yielded_at, counter_after = SCENARIOS[scenario]
    assert _launch(kernel, target, resume_point, flag, counter) == (log, yielded_at, counter_after)


@pytest.mark.parametrize("scenario", sorted(INTERRUPTED))
def test_an_interrupt_stops_the_launch_on_the_cpu(scenario):
    kernel, resume_point, flag, counter, word, log, yielded_at, counter_after = INTERRUPTED[
        scenario
    ]
    result = _launch(kernel, "cpu", resume_point, flag, counter, word)
    assert result == (log, yielded_at, counter_after)
