"""LLVM IR -> object files for the CPU target: `opt -O3 | llc -O3`, split across the cores.

A kernel's tasks are functions of their own (passes/task_outlining.py), so LLVM's work is a sum
over functions. `llvm-split` cuts a module with enough of them into one part per core and one
more (round robin, locals made hidden so the parts link back together) and each part is
optimised and compiled by its own `opt | llc` process at the same time; a small kernel stays in one part,
which spares it the split's extra processes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

FUNCTIONS_PER_PART = 8
"""A part gets at least this many function definitions: below it a process start (tens of
milliseconds) costs more than the share of LLVM's work it takes over."""


def codegen_jobs(llvm_ir: str) -> int:
    """How many parts to compile `llvm_ir` in, all at once: one more than the cores (with two
    or more), each worth a process. The part holding the kernel function is the largest (at
    200 tasks 1.7 CPU-s against 1.25 with two parts); with one part more, the cores share
    the work instead of waiting for it (1.26, 0.84, 0.84)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    override = os.environ.get("QD_CODEGEN_JOBS")
    if override:
        cores = max(1, int(override))
    cores = cores or 1
    functions = llvm_ir.count("\ndefine ")
    return max(1, min(cores + 1 if cores > 1 else 1, functions // FUNCTIONS_PER_PART))


def compile_objects(
    llvm_ir: str,
    out: Path,
    stem: str,
    run_tool: Callable[[str, list[str], bytes], bytes],
    opt_flags: tuple[str, ...],
    llc_flags: tuple[str, ...],
) -> list[Path]:
    """Object files for `llvm_ir` in `out` (`<stem>.<k>.o`); `run_tool(tool, flags, stdin)`
    runs one LLVM tool and raises on failure."""
    jobs = codegen_jobs(llvm_ir)
    if jobs == 1:
        obj = out / f"{stem}.0.o"
        _opt_llc(llvm_ir.encode(), obj, run_tool, opt_flags, llc_flags)
        return [obj]
    with tempfile.TemporaryDirectory(prefix="qd-split-", dir=out) as scratch:
        whole = Path(scratch) / "module.ll"
        whole.write_text(llvm_ir)
        prefix = Path(scratch) / "part"
        run_tool("llvm-split", [f"-j={jobs}", "--round-robin", "-o", str(prefix), str(whole)], b"")
        parts = [Path(f"{prefix}{k}") for k in range(jobs)]
        objects = [out / f"{stem}.{k}.o" for k in range(jobs)]
        with ThreadPoolExecutor(max_workers=jobs) as pool:  # the threads wait on processes
            done = [
                pool.submit(_opt_llc, part.read_bytes(), obj, run_tool, opt_flags, llc_flags)
                for part, obj in zip(parts, objects)
            ]
            for future in done:
                future.result()
    return objects


def _opt_llc(module: bytes, obj: Path, run_tool, opt_flags, llc_flags) -> None:
    bitcode = run_tool("opt", [*opt_flags, "-o", "-", "-"], module)
    run_tool("llc", [*llc_flags, "-filetype=obj", "-o", str(obj), "-"], bitcode)
