"""The default pipeline (passes/pipeline.py): its order, its targets, and the lit tests that
spell it out in RUN lines (tests/lit/pipeline/) stay in step with it."""

import re
from pathlib import Path

import pytest

from qdmlir.passes.pipeline import (
    UPSTREAM_CLEANUP,
    default_pipeline,
    default_pipeline_spec,
    upstream_cleanup,
)

PIPELINE_TESTS = Path(__file__).resolve().parents[1] / "lit" / "pipeline"


def test_default_pipeline_runs_in_the_documented_order():
    assert [p.name for p in default_pipeline("cpu").passes] == [
        "checkpoint-number",
        "checkpoint-verify",
        "checkpoint-lower",
        "cpu-interrupt-checks",
        "checkpoint-merge-guards",
        "checkpoint-reuse-state-loads",
        "cpu-parallel-sections",
        "cpu-parallel-threshold",
    ]


def test_generic_cleanups_run_upstream_after_the_handoff_on_the_cpu_only():
    assert upstream_cleanup("cpu") == UPSTREAM_CLEANUP == "canonicalize,cse"
    # before gpu-kernel-outlining, canonicalize would fold a flag-check kernel into host code
    assert upstream_cleanup("cuda") == upstream_cleanup("rocm") == ""


def test_only_the_cpu_pipeline_splits_small_tasks_off_the_thread_pool():
    assert "cpu-parallel-threshold" not in [p.name for p in default_pipeline("cuda").passes]
    # a GPU's sections become branches of its launch plan instead (passes/targets/gpu_kernels.py)
    assert "cpu-parallel-sections" not in [p.name for p in default_pipeline("cuda").passes]


def test_only_the_cpu_pipeline_compiles_interrupt_checks():
    # device code has no Ctrl-C check (docs/targets.md, CUDA); the host loops are Python's
    for target in ("cuda", "rocm"):
        assert "cpu-interrupt-checks" not in [p.name for p in default_pipeline(target).passes]


@pytest.mark.parametrize(("target", "lower"), [("cpu", "cpu"), ("cuda", "gpu"), ("rocm", "gpu")])
def test_each_target_lowers_where_its_guards_belong(target, lower):
    passes = default_pipeline(target).passes
    (checkpoint_lower,) = [p for p in passes if p.name == "checkpoint-lower"]
    assert checkpoint_lower.target == lower


def test_unknown_target_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown target 'metal'.*cpu, cuda, rocm"):
        default_pipeline("metal")


def test_lit_pipeline_tests_spell_the_default_pipeline():
    # xDSL's canonicalize and cse stand in for the upstream clean-up in qd-opt RUN lines
    specs = {",".join(default_pipeline_spec(t)) for t in ("cpu", "cuda")}
    specs |= {f"{spec},{UPSTREAM_CLEANUP}" for spec in specs}
    seen = 0
    for path in PIPELINE_TESTS.glob("*.mlir"):
        for spec in re.findall(r"-p '([^']*)'", path.read_text()):
            assert spec in specs, f"{path.name}: -p '{spec}' is not a default pipeline"
            seen += 1
    assert seen >= 5
