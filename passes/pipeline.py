"""The default pass pipeline, kernel IR to lowered IR, and the one way to run it
(docs/architecture.md §3-§4).

One flat list in run order, so `qd-opt -p "$(...)"`, `--print-ir-after-all` and the compiler
driver all see the same passes. Both tools run it as an xDSL `PassPipeline` whose one callback,
`PipelineObserver`, times the passes, dumps the IR and (when asked) verifies between passes.
The generic clean-ups (`UPSTREAM_CLEANUP`) run after the hand-off, in MLIR's C++ pass manager.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.printer import Printer

from qdmlir.passes import get_all_passes

_LOWER_TARGET = {"cpu": "cpu", "cuda": "gpu", "rocm": "gpu", "amdgpu": "gpu"}
"""Compiler target -> where checkpoint-lower puts the guards."""

UPSTREAM_CLEANUP = "canonicalize,cse"
"""Run by upstream MLIR right after the hand-off for the CPU (`upstream_cleanup`): it folds the
tests that merged guards left dead and shares the constants and comparisons each guard built.
qd-opt keeps xDSL's passes of the same names for lit tests of the xDSL side."""

VERIFY_PASSES_ENV = "QD_VERIFY_PASSES"
"""`QD_VERIFY_PASSES=1` verifies the IR after every pass of the compiler's pipeline too (the
compiler verifies the frontend's output and the hand-off only; qd-opt after every pass)."""


def default_pipeline_spec(target: str = "cpu") -> list[str]:
    """The default pipeline as pass specs, one per pass, in run order."""
    if target not in _LOWER_TARGET:
        known = ", ".join(_LOWER_TARGET)
        raise ValueError(f"unknown target '{target}' for the default pipeline (use {known})")
    cpu_only = []
    if target == "cpu":
        cpu_only = [
            # sections with enough serial work each run on threads of their own
            "cpu-parallel-sections",
            # small tasks run on the calling thread: waking the OpenMP team costs microseconds
            "cpu-parallel-threshold",
        ]
    # several iterations per GPU thread, interleaved: more memory accesses in flight
    gpu_only = []
    if _LOWER_TARGET[target] == "gpu":
        gpu_only = [
            "gpu-coarsen-tasks{factor=4}",
            # a do-while of small tasks runs whole in one single-block kernel
            "gpu-device-loops",
        ]
    return [
        "checkpoint-number",
        "checkpoint-verify",
        f"checkpoint-lower{{target={_LOWER_TARGET[target]}}}",  # records the slot table
        # Ctrl-C ends long loops; its state writes must be seen by the two clean-ups after it
        *(["cpu-interrupt-checks"] if target == "cpu" else []),
        "checkpoint-merge-guards",
        "checkpoint-reuse-state-loads",
        *cpu_only,
        *gpu_only,
    ]


def upstream_cleanup(target: str = "cpu") -> str:
    """The upstream passes the driver runs right after the hand-off, "" for none.

    GPU targets run them after gpu-kernel-outlining instead (passes/targets/gpu_kernels.py):
    before it, upstream canonicalize folds a one-iteration `scf.parallel`, the device kernel
    that holds a flag check, into host code.
    """
    return UPSTREAM_CLEANUP if _LOWER_TARGET.get(target) == "cpu" else ""


def default_pipeline(target: str = "cpu", observer: PipelineObserver | None = None) -> PassPipeline:
    """The passes of `default_pipeline_spec(target)` as one pipeline reporting to `observer`."""
    return build_pipeline(",".join(default_pipeline_spec(target)), observer)


def build_pipeline(spec: str, observer: PipelineObserver | None = None) -> PassPipeline:
    """`a,b{x=1}` -> a `PassPipeline` of registered passes with `observer` as its callback."""
    return PassPipeline.parse_spec(get_all_passes(), spec, observer)


def verify_passes_requested() -> bool:
    return os.environ.get(VERIFY_PASSES_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass
class PipelineObserver:
    """The callback between passes: per-pass times, IR dumps and optional verification.

    `verify_each`: verify the input before the first pass and the IR after every pass, as
    mlir-opt does (qd-opt, tests, QD_VERIFY_PASSES=1); the compiler otherwise verifies only
    where bugs enter: the frontend's output and the hand-off.
    `print_ir_after_all`: MLIR's `// -----// IR Dump After <pass> //----- //` to `stream`.
    """

    verify_each: bool = False
    print_ir_after_all: bool = False
    stream: IO[str] | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)
    _started: float = field(default=0.0, repr=False)

    def __call__(
        self, previous: ModulePass | None, module: ModuleOp, upcoming: ModulePass | None
    ) -> None:
        if previous is not None:
            self.timings.append((previous.name, time.perf_counter() - self._started))
        if self.verify_each:
            verify_top_down(module)
        if previous is not None and self.print_ir_after_all:
            stream = self.stream or sys.stderr
            stream.write(f"// -----// IR Dump After {previous.pipeline_pass_spec()} //----- //\n")
            Printer(stream=stream).print_op(module)
            stream.write("\n\n")
        self._started = time.perf_counter()


def verify_top_down(module: ModuleOp) -> None:
    """`module.verify()`, parents before children.

    xDSL's `verify()` checks an op's regions before the op itself, so a child's verifier can
    crash (KeyError, AttributeError) on a parent that lacks what its own verifier would have
    reported, e.g. func.return under a func.func without function_type. Checking each op on its
    own in pre-order first reports the parent's error instead; the full `verify()` after it
    adds the block and region structure checks.
    """
    for op in module.walk():
        op.verify(verify_nested_ops=False)
    module.verify()


def xdsl_context() -> Context:
    """A context with every dialect of `qdmlir.dialects.get_all_dialects()`, loaded lazily."""
    from qdmlir.dialects import get_all_dialects

    context = Context()
    for name, factory in get_all_dialects().items():
        context.register_dialect(name, factory)
    return context


def print_timing_report(timings: list[tuple[str, float]], total: float, stream: IO[str]) -> None:
    """mlir-opt's `--timing` report: wall time per entry and its share of `total`."""
    rule = "===" + "-" * 73 + "==="
    stream.write(f"{rule}\n{'... Execution time report ...':^79}\n{rule}\n")
    stream.write(f"  Total Execution Time: {total:.4f} seconds\n\n")
    stream.write("  ----Wall Time----  ----Name----\n")
    for name, seconds in timings:
        share = 100.0 * seconds / total if total else 0.0
        stream.write(f"  {seconds:8.4f} ({share:5.1f}%)  {name}\n")
    stream.write(f"  {total:8.4f} (100.0%)  Total\n")
