"""CPU target numbers: build time, steady-call overhead, 3-pass element-wise bandwidth.

Run: .venv/bin/python bench/cpu_runtime.py; compare with bench/numba_reference.py, run with a
Python that has numba, in the same window (docs/performance.md: report ratios, the box is shared).
Kernels are the hand-written lowered ones of tests/python/cpu_kernels/.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))
from cpu_build_helpers import ARGS, kernel_text  # noqa: E402

from qdmlir.passes.cpu_parallel_threshold import DEFAULT_MIN_TRIP  # noqa: E402
from qdmlir.passes.targets import cpu  # noqa: E402
from qdmlir.runtime import dtypes  # noqa: E402
from qdmlir.runtime.cpu import CpuLauncher  # noqa: E402
from qdmlir.runtime.ndarray import ndarray  # noqa: E402


def build_times(out: Path) -> None:
    """Per kernel: in-process lowering + translation, then the three tools (ms)."""
    print("build time per kernel (ms): lower+translate / opt / llc / cc / total")
    for name in ARGS:
        text = kernel_text(name)
        spans = []
        start = time.perf_counter()
        llvm_ir = cpu.lower_to_llvm_ir(text, name, ARGS[name])
        spans.append(time.perf_counter())
        bitcode = cpu._run_tool("opt", [*cpu.OPT_FLAGS, "-o", "-", "-"], llvm_ir.encode(), name)
        spans.append(time.perf_counter())
        obj = out / f"{name}.o"
        cpu._run_tool("llc", [*cpu.LLC_FLAGS, "-filetype=obj", "-o", str(obj), "-"], bitcode, name)
        spans.append(time.perf_counter())
        cpu._link(obj, out / f"qd_{name}.so", name, "__kmpc_" in llvm_ir)
        spans.append(time.perf_counter())
        parts = [(b - a) * 1e3 for a, b in zip([start, *spans], spans)]
        print(f"  {name:10s} " + " / ".join(f"{p:5.1f}" for p in parts) + f" / {sum(parts):6.1f}")


def steady_call(out: Path) -> None:
    """graph3 (3 args: x, flag, s) on 16 elements: every task runs serially, ~no work."""
    text = kernel_text("graph3", DEFAULT_MIN_TRIP)
    library = cpu.build_cpu_library(text, "graph3", ARGS["graph3"], out / "graph3")
    launcher = CpuLauncher(library, ARGS["graph3"], kernel="graph3")
    x, flag = ndarray(dtypes.f32, 16), ndarray(dtypes.i32, ())
    qd_args = (x, flag, 1.0)
    np_args = (np.ones(16, np.float32), np.zeros((), np.int32), 1.0)
    launch = launcher.launch
    raw = launcher._entry
    words = launcher._local.words if hasattr(launcher._local, "words") else None
    launch(qd_args, 0)
    words = launcher._local.words.buffer

    def per_call(stmt, number=100_000):
        runs = timeit.repeat(stmt, globals=locals() | globals(), number=number, repeat=7)
        return min(runs) / number * 1e6, statistics.median(runs) / number * 1e6

    env = {"launch": launch, "qd_args": qd_args, "np_args": np_args, "raw": raw, "words": words}
    print("steady call, graph3 (3 args, 16 elements, 3 serial tasks), us per call, min / median:")
    for label, stmt, number in [
        ("ctypes qd_entry(words) alone", "raw(words)", 200_000),
        ("launch, qd.ndarray args", "launch(qd_args, 0)", 200_000),
        ("launch, numpy args", "launch(np_args, 0)", 50_000),
    ]:
        runs = timeit.repeat(stmt, globals=env, number=number, repeat=7)
        print(
            f"  {label:32s} {min(runs) / number * 1e6:6.3f} / {statistics.median(runs) / number * 1e6:6.3f}"
        )


def bandwidth(out: Path, n: int = 10_000_000) -> None:
    """graph3 over n f32: three in-place passes (x += 1; x *= s; x = sqrt(x)), each reading and
    writing x: 3 * 2 * 4 * n bytes per launch."""
    text = kernel_text("graph3", DEFAULT_MIN_TRIP)
    library = cpu.build_cpu_library(text, "graph3", ARGS["graph3"], out / "graph3bw")
    launcher = CpuLauncher(library, ARGS["graph3"], kernel="graph3")
    x, flag = ndarray(dtypes.f32, n), ndarray(dtypes.i32, ())
    x.fill(1.0)
    args = (x, flag, 1.0)
    for _ in range(3):
        launcher.launch(args, 0)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        launcher.launch(args, 0)
        times.append(time.perf_counter() - start)
    gb = 3 * 2 * 4 * n / 1e9
    print(f"library: {library}")
    print(
        f"3-pass element-wise over {n} f32: best {min(times) * 1e3:.2f} ms = {gb / min(times):.1f} GB/s, "
        f"median {statistics.median(times) * 1e3:.2f} ms = {gb / statistics.median(times):.1f} GB/s"
    )


def main() -> None:
    out = Path(tempfile.mkdtemp())
    which = sys.argv[1:] or ["build", "call", "bandwidth"]
    if "build" in which:
        build_times(out)
    if "call" in which:
        steady_call(out)
    if "bandwidth" in which:
        bandwidth(out)


if __name__ == "__main__":
    main()
