"""CUDA benchmarks (docs/performance.md), side by side with Quadrants' CUDA backend where installed.

    python bench/cuda_bench.py                  # a GPU machine (artifacts: tests/gpu/artifacts)
    python bench/cuda_bench.py --host-overhead  # the host cost of a steady call (any driver)

Targets: a do-while with tiny tasks <= 5 us per iteration device-side (and >= 3x faster than
Quadrants); a steady call of a tiny 3-task checkpointed kernel no slower than Quadrants' graph
replay; 3 element-wise passes over 100M f32 at >= 80% of the device's copy bandwidth. Every
kernel is loaded before anything is timed, and every timed run checks its results, so a
do-while that exits early or kernels that never ran fail loudly instead of printing a number.

--host-overhead times the steady call of the tiny 3-task kernel (a CUDA graph replayed, the
launch state read back) from Python: over the stand-in driver (tests/stubcuda, LD_LIBRARY_PATH)
nothing runs on a device, so the figure is the runtime's own Python cost (`make cuda-overhead`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "gpu"))
import qdmlir_path  # noqa: E402,F401 - this tree's qdmlir, installed or not

import qdmlir as qd  # noqa: E402

N_BIG = 100_000_000


class BenchError(RuntimeError):
    """A benchmark's result is wrong: the number it would print means nothing."""


@qd.kernel(graph=True, checkpoints=True)
def spin(
    x: qd.types.ndarray(qd.f32, 1),
    steps: qd.types.ndarray(qd.i32, 0),
    flag: qd.types.ndarray(qd.i32, 0),
):
    while qd.graph_do_while(steps):
        with qd.checkpoint(1, yield_on=flag):
            for i in range(x.shape[0]):
                x[i] += 1.0
        for _ in range(1):
            steps[()] -= 1


@qd.kernel(graph=True, checkpoints=True)
def tiny3(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    for i in range(x.shape[0]):
        x[i] += 1.0
    with qd.checkpoint(1, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] *= 0.5
    for i in range(x.shape[0]):
        x[i] -= 0.25


@qd.kernel(graph=True)
def three_passes(a: qd.types.ndarray(qd.f32, 1), b: qd.types.ndarray(qd.f32, 1)):
    for i in range(a.shape[0]):
        b[i] = a[i] * 2.0
    for i in range(a.shape[0]):
        a[i] = b[i] + 1.0
    for i in range(a.shape[0]):
        b[i] = a[i] - b[i]


def init_cuda() -> None:
    os.environ.setdefault("QD_STRICT_ARCH", "1")  # a CPU fallback would time the wrong thing
    qd.init(arch=qd.cuda)
    if qd.frontend.config.current().arch is not qd.cuda:
        raise BenchError("qd.init(arch=qd.cuda) fell back to the CPU: no CUDA device here")


def check(ok: bool, what: str) -> None:
    if not ok:
        raise BenchError(what)


def _timed(fn, repeat: int) -> float:
    qd.sync()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    qd.sync()
    return (time.perf_counter() - start) / repeat


class Arrays:
    """The bench's arrays; `warm()` loads every kernel once before anything is timed."""

    def __init__(self, n_big: int):
        self.x32, self.x64 = qd.ndarray(qd.f32, (32,)), qd.ndarray(qd.f32, (64,))
        self.steps, self.flag = qd.ndarray(qd.i32, ()), qd.ndarray(qd.i32, ())
        self.a, self.b = qd.ndarray(qd.f32, (n_big,)), qd.ndarray(qd.f32, (n_big,))

    def warm(self) -> None:
        """Every kernel once (a missing artifact fails here), then the first results checked."""
        self.steps[()] = 10
        spin(self.x32, self.steps, self.flag)
        for _ in range(3):
            tiny3(self.x64, self.flag)
        three_passes(self.a, self.b)
        check(self.steps[()] == 0, f"the do-while exited early: steps = {self.steps[()]}, not 0")


def bench_do_while(arrays: Arrays, iterations: int = 10_000) -> float:
    x, steps, flag = arrays.x32, arrays.steps, arrays.flag
    before = x[0]
    steps[()] = iterations
    seconds = _timed(lambda: spin(x, steps, flag), 1)
    check(steps[()] == 0, f"the do-while exited early: steps = {steps[()]} (expected 0)")
    check(
        x[0] == before + iterations,
        f"the do-while body ran {x[0] - before:.0f} times, not {iterations}",
    )
    return seconds / iterations


def bench_tiny3(arrays: Arrays, calls: int = 20_000) -> float:
    x, flag = arrays.x64, arrays.flag
    seconds = _timed(lambda: tiny3(x, flag), calls)
    # x -> (x + 1) / 2 - 1/4 converges to 1/2 from any start
    check(abs(x[0] - 0.5) < 1e-3, f"tiny3: x[0] = {x[0]} after {calls} calls, expected 0.5")
    return seconds


def bench_bandwidth(arrays: Arrays, n_big: int) -> tuple[float, float]:
    a, b = arrays.a, arrays.b
    seconds = _timed(lambda: three_passes(a, b), 10)
    check(b[0] == 1.0 and b[n_big - 1] == 1.0, f"three_passes: b = {b[0]}, {b[n_big - 1]}, not 1")
    moved = 7 * 4 * n_big  # arrays read or written: 2 + 2 + 3 over the three passes
    copy = _timed(lambda: b.copy_from(a), 10)
    return moved / seconds / 1e9, 2 * 4 * n_big / copy / 1e9


def host_overhead(calls: int, rounds: int) -> None:
    """Steady calls of tiny3 (graph replay); prints the median of `rounds` per-call means."""
    init_cuda()
    x, flag = qd.ndarray(qd.f32, (64,)), qd.ndarray(qd.i32, ())
    for _ in range(3):
        tiny3(x, flag)
    launcher = tiny3._only.run.launcher
    check(bool(launcher._graphs), f"tiny3 replays no graph: {launcher.graph_disabled}")
    per_call = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            tiny3(x, flag)
        per_call.append((time.perf_counter() - start) / calls)
    median = statistics.median(per_call)
    spread = f"{min(per_call) * 1e6:.2f}-{max(per_call) * 1e6:.2f}"
    device = launcher.device
    print(f"device: {device.arch} (driver {getattr(device, 'version', '?')})")
    print(
        f"bench: host overhead of a steady tiny 3-task call (graph replay): {median * 1e6:.2f} us "
        f"median of {rounds} x {calls} calls (range {spread} us; target <= 8)"
    )


def quadrants_side() -> str:
    try:
        import quadrants  # noqa: F401
    except ImportError as err:
        return f"Quadrants: not run ({err}); pip install quadrants==1.3.3 to compare"
    return (
        "Quadrants is installed: run bench/graph_cases.py with arch=cuda for its numbers "
        "in the same session"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host-overhead", action="store_true")
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n-big", type=int, default=N_BIG)
    args = parser.parse_args(argv)
    try:
        if args.host_overhead:
            host_overhead(args.calls, args.rounds)
            return 0
        init_cuda()
        arrays = Arrays(args.n_big)
        arrays.warm()
        per_iteration = bench_do_while(arrays)
        steady = bench_tiny3(arrays, args.calls)
        effective, copy = bench_bandwidth(arrays, args.n_big)
    except BenchError as err:
        print(f"bench: FAILED: {err}")
        return 1
    device = tiny3._only.run.launcher.device
    print(f"device: {device.arch} (driver {getattr(device, 'version', '?')})")
    print(f"do-while, tiny body: {per_iteration * 1e6:.2f} us per iteration (target <= 5)")
    print(f"tiny 3-task kernel, steady call: {steady * 1e6:.2f} us")
    print(
        f"3 element-wise passes over {args.n_big} f32: {effective:.0f} GB/s effective vs "
        f"device copy {copy:.0f} GB/s = {effective / copy:.0%} (target >= 80%)"
    )
    print(quadrants_side())
    print(f"bench: passed (QD_CUDA_GRAPH={os.environ.get('QD_CUDA_GRAPH', 'auto')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
