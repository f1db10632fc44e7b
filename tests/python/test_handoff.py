"""The hand-off (passes/handoff.py): what the default pipeline makes, upstream MLIR accepts.

Every positive chunk of the pass tests (tests/lit/passes/*.mlir, minus the `*-invalid` twins)
and every pipeline sample goes through the default pipeline for cpu and cuda, then through
`to_upstream`, which parses and verifies it with the MLIR 22 bindings.
"""

import subprocess
from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser

from qdmlir.dialects import get_all_dialects
from qdmlir.passes.handoff import HandoffError, to_upstream, to_upstream_text
from qdmlir.passes.pipeline import PipelineObserver, default_pipeline

LIT = Path(__file__).resolve().parents[1] / "lit"
SAMPLES = sorted(
    p
    for p in [*LIT.glob("passes/checkpoint-*.mlir"), *LIT.glob("pipeline/*.mlir")]
    if "invalid" not in p.name and "errors" not in p.name
)


def _context() -> Context:
    ctx = Context()
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    return ctx


def _chunks(path: Path) -> list[tuple[str, str]]:
    """(id, text) per `// -----` chunk, as qd-opt --split-input-file cuts them."""
    chunks, current = [], []
    for line in [*path.read_text().splitlines(), "// -----"]:
        if line.rstrip() == "// -----":
            chunks.append((f"{path.parent.name}/{path.name}#{len(chunks)}", "\n".join(current)))
            current = []
        else:
            current.append(line)
    return chunks


def _parse(text: str) -> ModuleOp:
    return Parser(_context(), text).parse_module()


def _without_stand_ins(module: ModuleOp) -> ModuleOp | None:
    """Drop xDSL's `"test.op"` task stand-ins (upstream has no such op); None if one has uses."""
    for op in list(module.walk()):
        if op.name.startswith("test."):
            if any(result.uses for result in op.results):
                return None
            op.detach()
            op.erase()
    return module


CASES = [case for path in SAMPLES for case in _chunks(path)]


@pytest.mark.parametrize("target", ["cpu", "cuda"])
@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_default_pipeline_output_verifies_upstream(case, target):
    module = _without_stand_ins(_parse(case[1]))
    if module is None:
        pytest.skip("a test.op stand-in whose result is used")
    default_pipeline(target, PipelineObserver(verify_each=True)).apply(_context(), module)
    upstream = to_upstream(module)
    import mlir.ir

    names: list[str] = []  # op names: a symbol such as @implicit_checkpoint.task0 may match

    def visit(op):
        names.append(op.name)
        return mlir.ir.WalkResult.ADVANCE

    upstream.operation.walk(visit)
    assert not [name for name in names if name.startswith("checkpoint.")]
    assert upstream.operation.verify()


@pytest.mark.parametrize("case", CASES[::4], ids=[case[0] for case in CASES[::4]])
def test_the_handoff_text_is_xdsls_generic_text(case):
    """The hand-off prints each attribute once (passes/handoff.py) with the same result."""
    from io import StringIO

    from xdsl.printer import Printer

    module = _without_stand_ins(_parse(case[1]))
    if module is None:
        pytest.skip("a test.op stand-in whose result is used")
    default_pipeline("cpu").apply(_context(), module)
    expected = StringIO()
    Printer(stream=expected, print_generic_format=True, print_debuginfo=True).print_op(module)
    assert to_upstream_text(module) == expected.getvalue()


def test_enough_samples_reach_upstream():
    assert len(SAMPLES) >= 20 and len(CASES) >= 60


KERNEL = """
func.func @k(%n: index, %flag: memref<i32>, %out: memref<i32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  checkpoint.region label 7 yield_on 1 "flag" {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      %v = arith.constant 1 : i32
      memref.store %v, %out[] : memref<i32>
      scf.reduce
    }
  }
  func.return
}
"""


def test_a_checkpoint_op_is_refused_before_printing():
    with pytest.raises(HandoffError, match=r"checkpoint\.region .*cannot cross to upstream MLIR"):
        to_upstream(_parse(KERNEL))
    with pytest.raises(HandoffError, match="run the default pipeline"):
        to_upstream_text(_parse(KERNEL))


def test_an_op_upstream_rejects_carries_mlir_diagnostics():
    module = _parse('func.func @f() {\n  "test.op"() : () -> ()\n  func.return\n}')
    with pytest.raises(HandoffError, match="upstream MLIR rejects") as error:
        to_upstream(module)
    assert "unregistered dialect" in str(error.value)


def test_upstream_verifier_failures_are_reported():
    # xDSL accepts an scf.parallel without bounds; upstream's verifier does not
    module = _parse(
        'func.func @f() {\n  "scf.parallel"() <{operandSegmentSizes = array<i32: 0, 0, 0, 0>}> ({\n'
        "    scf.reduce\n  }) : () -> ()\n  func.return\n}"
    )
    with pytest.raises(HandoffError, match="upstream MLIR rejects"):
        to_upstream(module)


def test_locations_cross_the_handoff():
    module = _parse(KERNEL)
    default_pipeline("cpu", PipelineObserver(verify_each=True)).apply(_context(), module)
    assert "loc(" in to_upstream_text(module)


def _mlir_opt() -> Path:
    import mlir

    tool = Path(list(mlir.__path__)[0]) / "bin" / "mlir-opt"
    if not tool.exists():
        pytest.skip("mlir-opt is not installed")
    return tool


@pytest.mark.parametrize("target", ["cpu", "cuda", "rocm"])
def test_mlir_opt_accepts_the_handed_off_text(target, tmp_path):
    module = _parse(KERNEL)
    default_pipeline(target, PipelineObserver(verify_each=True)).apply(_context(), module)
    to_upstream(module)
    handed_off = tmp_path / "kernel.mlir"
    handed_off.write_text(to_upstream_text(module))
    result = subprocess.run(
        [str(_mlir_opt()), str(handed_off), "--verify-roundtrip"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    # the CPU's parallel branch calls a launcher the target defines after lowering
    parallel = "qd.parallel_for" if target == "cpu" else "scf.parallel"
    assert "qd.lowered" in result.stdout and parallel in result.stdout
