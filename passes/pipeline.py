"""The default pass pipeline, kernel IR to lowered IR (docs/architecture.md §1-§3).

One flat list in run order, so `qd-opt -p "$(...)"`, `--print-ir-after-all` and the compiler
driver all see the same passes.
"""

from __future__ import annotations

from xdsl.passes import ModulePass, PassPipeline

from qdmlir.passes import get_all_passes

_LOWER_TARGET = {"cpu": "cpu", "cuda": "gpu", "rocm": "gpu", "amdgpu": "gpu"}
"""Compiler target -> where checkpoint-lower puts the guards."""


def default_pipeline_spec(target: str = "cpu") -> list[str]:
    """The default pipeline as pass specs, one per pass, in run order."""
    if target not in _LOWER_TARGET:
        known = ", ".join(_LOWER_TARGET)
        raise ValueError(f"unknown target '{target}' for the default pipeline (use {known})")
    cpu_only = ["cpu-parallel-threshold"] if target == "cpu" else []
    return [
        "checkpoint-number",
        "checkpoint-verify",
        f"checkpoint-lower{{target={_LOWER_TARGET[target]}}}",
        "checkpoint-merge-guards",
        "checkpoint-reuse-state-loads",
        # small tasks run on the calling thread: waking the OpenMP team costs microseconds
        *cpu_only,
        "canonicalize",  # folds the tests merged guards left dead
        "cse",  # one constant / comparison where each guard built its own
    ]


def default_pipeline(target: str = "cpu") -> list[ModulePass]:
    """The passes of `default_pipeline_spec(target)`, ready to run in order."""
    spec = ",".join(default_pipeline_spec(target))
    return list(PassPipeline.parse_spec(get_all_passes(), spec).passes)
