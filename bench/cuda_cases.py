"""The CUDA cases of docs/performance.md, written once in the Quadrants language, run by either:

    QD_BENCH_IMPL=qdmlir    python bench/cuda_cases.py     # import qdmlir as qd (the default)
    QD_BENCH_IMPL=quadrants python bench/cuda_cases.py     # import quadrants as qd

One process runs every case on qd.cuda and prints one JSON line per case, {"impl", "case",
"value", "unit"}, then one for the device-to-device copy ceiling (torch or CuPy, whichever the
machine has). Every kernel runs once before anything is timed, and every timed run checks its
results, so a do-while that exits early or kernels that never ran fail loudly (exit status 1)
instead of printing a number. bench/cuda_bench.py runs this per implementation, alternating,
and compares. qdmlir's kernels come prebuilt from the artifact cache (QD_CACHE_DIR): the GPU
machine has no compiler; `tests/gpu/gpu_suite.py build` compiles this module's kernels.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path

IMPL = os.environ.get("QD_BENCH_IMPL", "qdmlir")
if IMPL == "qdmlir":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "gpu"))
    import qdmlir_path  # noqa: F401 - this tree's qdmlir, installed or not

qd = importlib.import_module(IMPL)
sys.path.insert(0, str(Path(__file__).resolve().parent))
import section_kernels  # noqa: E402 - bench/, which a module loaded by path does not have

N_BIG = int(os.environ.get("QD_BENCH_N_BIG", 100_000_000))
F32 = qd.types.ndarray(qd.f32, 1)
FLAG = qd.types.ndarray(qd.i32, 0)


class BenchError(RuntimeError):
    """A case's result is wrong: the number it would print means nothing."""


def check(ok: bool, what: str) -> None:
    if not ok:
        raise BenchError(what)


@qd.kernel(graph=True, checkpoints=True)
def spin(x: F32, steps: FLAG, flag: FLAG):
    while qd.graph.do_while(steps):
        with qd.checkpoint(1, yield_on=flag):
            for i in range(x.shape[0]):
                x[i] += 1.0
        for _ in range(1):
            steps[()] -= 1


@qd.kernel(graph=True, checkpoints=True)
def tiny3(x: F32, flag: FLAG):
    for i in range(x.shape[0]):
        x[i] += 1.0
    with qd.checkpoint(1, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] *= 0.5
    for i in range(x.shape[0]):
        x[i] -= 0.25


@qd.kernel(graph=True, checkpoints=True)
def overflowing(x: F32, trigger: FLAG, flag: FLAG):
    with qd.checkpoint(7, yield_on=flag):
        for _ in range(1):
            if trigger[()] != 0:
                flag[()] = 1
    for i in range(x.shape[0]):
        x[i] = x[i] + 1.0


@qd.kernel(graph=True)
def three_passes(a: F32, b: F32):
    # a keeps its values and b ends at 1 whatever a holds, however many calls run
    for i in range(a.shape[0]):
        b[i] = a[i] * 2.0
    for i in range(a.shape[0]):
        a[i] = b[i] * 0.5
    for i in range(a.shape[0]):
        b[i] = a[i] - b[i] * 0.5 + 1.0


def timed(fn, repeat: int, batches: int = 5) -> float:
    """Median over `batches` of the mean seconds per call, each batch ending in a device sync."""
    fn()
    qd.sync()
    samples = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        qd.sync()
        samples.append((time.perf_counter() - start) / repeat)
    return sorted(samples)[len(samples) // 2]


def scalar(value: int):
    cell = qd.ndarray(qd.i32, ())
    cell[()] = value
    return cell


def case_dowhile() -> tuple[float, str]:
    """A do-while whose body is a 32-element task and a one-thread decrement, per iteration."""
    x, steps, flag = qd.ndarray(qd.f32, (32,)), scalar(0), scalar(0)
    iterations = 10_000

    def run():
        steps[()] = iterations
        spin(x, steps, flag)

    seconds = timed(run, 1, batches=3)
    check(steps[()] == 0, f"the do-while exited early: steps = {steps[()]}, not 0")
    check(x[0] == 4 * iterations, f"the do-while body ran {x[0]} times, not {4 * iterations}")
    return seconds / iterations * 1e6, "us/iteration"


def case_tiny() -> tuple[float, str]:
    """The steady call of a checkpointed 3-task kernel on 64 elements (a graph replay)."""
    x, flag = qd.ndarray(qd.f32, (64,)), scalar(0)
    seconds = timed(lambda: tiny3(x, flag), 2000)
    # x -> (x + 1) / 2 - 1/4 converges to 1/2 from any start
    check(abs(x[0] - 0.5) < 1e-3, f"tiny3: x[0] = {x[0]}, expected 0.5")
    return seconds * 1e6, "us/call"


def case_resume() -> tuple[float, str]:
    """Two host flag writes, a launch that yields, a status read and the resume."""
    x, trigger, flag = qd.ndarray(qd.f32, (16,)), scalar(0), scalar(0)

    def cycle():
        trigger[()] = 1
        status = overflowing(x, trigger, flag)
        check(status.yielded, f"overflowing did not yield: {status}")
        flag[()] = 0
        trigger[()] = 0
        overflowing.resume(x, trigger, flag, from_checkpoint=status.checkpoint)

    seconds = timed(cycle, 300)
    check(x[0] == x[15] and x[0] >= 300, f"overflowing: x[0] = {x[0]} after the cycles")
    return seconds * 1e6, "us/cycle"


def case_bandwidth() -> tuple[float, str]:
    """Three element-wise passes over N_BIG f32: 7 arrays read or written in all."""
    a, b = qd.ndarray(qd.f32, (N_BIG,)), qd.ndarray(qd.f32, (N_BIG,))
    seconds = timed(lambda: three_passes(a, b), 5)
    check(b[0] == 1.0 and b[N_BIG - 1] == 1.0, f"three_passes: b = {b[0]}, {b[N_BIG - 1]}")
    return 7 * 4 * N_BIG / seconds / 1e9, "GB/s"


def case_copy() -> tuple[float, str]:
    """The ceiling: a device-to-device copy of N_BIG f32 by the machine's own library."""
    try:
        import torch

        a, b = torch.ones(N_BIG, device="cuda"), torch.empty(N_BIG, device="cuda")

        def copy():
            b.copy_(a)

        sync = torch.cuda.synchronize
    except ImportError:
        import cupy

        a, b = cupy.ones(N_BIG, cupy.float32), cupy.empty(N_BIG, cupy.float32)

        def copy():
            cupy.copyto(b, a)

        sync = cupy.cuda.runtime.deviceSynchronize
    copy()
    sync()
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(10):
            copy()
        sync()
        samples.append((time.perf_counter() - start) / 10)
    return 2 * 4 * N_BIG / sorted(samples)[2] / 1e9, "GB/s"


STEPS = 200_000  # per section: one dependent chain, so one GPU thread runs it (a few ms)


two_sections, two_in_order = section_kernels.make(qd)


def _chains_case(kernel) -> tuple[float, str]:
    """Two 1-thread chains of STEPS dependent steps over 256-element ramps, per call."""
    import numpy as np

    ramp = np.arange(256, dtype=np.float64)
    a, b, out = qd.ndarray(qd.f32, (256,)), qd.ndarray(qd.f32, (256,)), qd.ndarray(qd.f32, (2,))
    a.from_numpy((ramp * 1e-3).astype(np.float32))
    b.from_numpy((ramp * 2e-3).astype(np.float32))
    seconds = timed(lambda: kernel(a, b, out, STEPS), 3)
    # each chain tends to 1000 x its ramp's mean (0.1275, 0.255): 126.7 and 253.4 after these
    # steps in f32 on the host, within 1% of that
    for k, expected in ((0, 127.5 * 1e-3 * 1000), (1, 127.5 * 2e-3 * 1000)):
        check(abs(out[k] / expected - 1) < 0.05, f"{kernel.__name__}: out[{k}] = {out[k]}")
    return seconds * 1e6, "us/call"


def case_sections() -> tuple[float, str]:
    return _chains_case(two_sections)


def case_sections_in_order() -> tuple[float, str]:
    return _chains_case(two_in_order)


CASES = {
    "dowhile": case_dowhile,
    "tiny": case_tiny,
    "resume": case_resume,
    "bandwidth": case_bandwidth,
    "sections": case_sections,
    "sections_in_order": case_sections_in_order,
    "copy": case_copy,
}


def main(argv: list[str]) -> int:
    if IMPL == "quadrants":
        qd.init(arch=qd.cuda, offline_cache=False)
    else:
        os.environ.setdefault("QD_STRICT_ARCH", "1")  # a CPU fallback would time the wrong thing
        qd.init(arch=qd.cuda)
    names = argv or list(CASES)
    for name in names:
        try:
            value, unit = CASES[name]()
        except BenchError as err:
            print(json.dumps({"impl": IMPL, "case": name, "error": str(err)}), flush=True)
            return 1
        print(json.dumps({"impl": IMPL, "case": name, "value": value, "unit": unit}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
