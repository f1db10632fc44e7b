"""The compile driver's contract (frontend/compiler.py, passes/pipeline.py): one pipeline
object with one observer, verification where bugs enter (QD_VERIFY_PASSES=1 for every pass),
the slot table read from the IR, and `qd-compile --timing`."""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i32, i64
from xdsl.parser import Parser
from xdsl.passes import ModulePass, PassPipeline
from xdsl.utils.exceptions import DiagnosticException

from qdmlir.passes.pipeline import (
    PipelineObserver,
    default_pipeline,
    verify_passes_requested,
    xdsl_context,
)
from qdmlir.passes.slot_table import read_slot_table
from qdmlir.runtime.artifact import SlotSpec

BIN = Path(sys.executable).parent

KERNEL_FILE = """\
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def k(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    for i in range(x.shape[0]):
        x[i] = 1.0
    with qd.checkpoint(7, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] = 2.0
"""


@dataclass(frozen=True)
class BreakTypes(ModulePass):
    """A pass with a bug: it leaves an arith.constant whose value type is not its result's."""

    name = "break-types"

    def apply(self, ctx, op: ModuleOp) -> None:
        func = op.body.block.first_op
        bad = arith.ConstantOp(IntegerAttr(1, i64), i32)
        func.body.block.insert_op_before(bad, func.body.block.first_op)


def _module() -> ModuleOp:
    text = "func.func @f() {\n  func.return\n}"
    return Parser(xdsl_context(), text).parse_module()


def test_verify_each_catches_the_pass_that_broke_the_ir():
    pipeline = PassPipeline((BreakTypes(),), PipelineObserver(verify_each=True))
    with pytest.raises(DiagnosticException):
        pipeline.apply(xdsl_context(), _module())


def test_the_compiler_does_not_verify_between_passes_by_default():
    PassPipeline((BreakTypes(),), PipelineObserver()).apply(xdsl_context(), _module())


def test_qd_verify_passes_turns_verification_on(monkeypatch):
    monkeypatch.delenv("QD_VERIFY_PASSES", raising=False)
    assert not verify_passes_requested()
    monkeypatch.setenv("QD_VERIFY_PASSES", "1")
    assert verify_passes_requested()


def test_the_observer_times_and_dumps_every_pass(capsys):
    text = (
        "func.func @k(%n: index) attributes {qd.kernel} {\n"
        "  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n"
        '  "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({\n'
        "  ^bb0(%i: index):\n    scf.reduce\n  }) : (index, index, index) -> ()\n"
        "  func.return\n}"
    )
    module = Parser(xdsl_context(), text).parse_module()
    observer = PipelineObserver(verify_each=True, print_ir_after_all=True)
    pipeline = default_pipeline("cpu", observer)
    pipeline.apply(xdsl_context(), module)
    assert [name for name, _ in observer.timings] == [p.name for p in pipeline.passes]
    dumps = capsys.readouterr().err
    assert dumps.count("// -----// IR Dump After") == len(pipeline.passes)
    assert read_slot_table(module, "k", ["n"]) == [SlotSpec(None, None)]


def test_the_slot_table_travels_in_the_module(tmp_path):
    sys.path.insert(0, str(tmp_path))
    (tmp_path / "driver_kernels.py").write_text(KERNEL_FILE)
    try:
        import driver_kernels
    finally:
        sys.path.remove(str(tmp_path))
    from qdmlir.frontend.compiler import Compilation
    from qdmlir.tools.qd_compile import argument_specs

    kernel = driver_kernels.k
    compilation = Compilation.for_kernel(kernel, argument_specs(kernel, []))
    module = compilation.lowered_ir()
    assert compilation.slots == [SlotSpec(None, None), SlotSpec(7, "flag")]
    assert read_slot_table(module, "k", ["x", "flag"]) == compilation.slots
    sys.modules.pop("driver_kernels", None)


def test_qd_compile_timing_reports_every_stage(tmp_path):
    source = tmp_path / "kernels.py"
    source.write_text(KERNEL_FILE)
    result = subprocess.run(
        [str(BIN / "qd-compile"), str(source), "--kernel", "k", "--timing"]
        + ["--emit", "artifact", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={"PATH": f"{BIN}:/usr/bin:/bin", "QD_CACHE": "0", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    report = result.stderr
    for stage in (
        "frontend",
        "verify kernel IR",
        "pass checkpoint-number",
        "pass checkpoint-lower",
        "pass cpu-parallel-threshold",
        "hand-off to upstream MLIR",
        "upstream canonicalize,cse",
        "upstream lowering to the LLVM dialect",
        "LLVM",
        "link",
        "Total",
    ):
        assert stage in report, f"no '{stage}' in the timing report:\n{report}"
