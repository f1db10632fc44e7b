"""CUDA benchmarks for issue 6, side by side with Quadrants' CUDA backend where installed.

    python bench/cuda_bench.py            # on a GPU machine (artifacts from tests/gpu/artifacts)
    python bench/cuda_bench.py --build    # compile the kernels only (fake driver, no GPU)

Targets: a do-while with tiny tasks <= 5 us per iteration device-side (and >= 3x faster than
Quadrants); a steady call of a tiny 3-task checkpointed kernel no slower than Quadrants' graph
replay; 3 element-wise passes over 100M f32 at >= 80% of the device's copy bandwidth.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "gpu"))
sys.path.insert(0, str(HERE.parent / "tests" / "python"))
import qdmlir_path  # noqa: E402,F401

import qdmlir as qd  # noqa: E402

BUILD = "--build" in sys.argv
N_BIG = 1_000 if BUILD else 100_000_000


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


def _timed(fn, repeat: int) -> float:
    qd.sync()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    qd.sync()
    return (time.perf_counter() - start) / repeat


def bench_do_while(iterations: int = 10_000) -> float:
    x, steps, flag = qd.ndarray(qd.f32, (32,)), qd.ndarray(qd.i32, ()), qd.ndarray(qd.i32, ())
    steps[()] = 10
    spin(x, steps, flag)  # warm: load, build the graph
    if BUILD:
        return 0.0
    steps[()] = iterations
    seconds = _timed(lambda: spin(x, steps, flag), 1)
    return seconds / iterations


def bench_tiny3(calls: int = 20_000) -> float:
    x, flag = qd.ndarray(qd.f32, (64,)), qd.ndarray(qd.i32, ())
    for _ in range(3):
        tiny3(x, flag)
    return 0.0 if BUILD else _timed(lambda: tiny3(x, flag), calls)


def bench_bandwidth() -> tuple[float, float]:
    a, b = qd.ndarray(qd.f32, (N_BIG,)), qd.ndarray(qd.f32, (N_BIG,))
    three_passes(a, b)
    if BUILD:
        return 0.0, 0.0
    seconds = _timed(lambda: three_passes(a, b), 10)
    moved = 7 * 4 * N_BIG  # arrays read or written: 2 + 2 + 3 over the three passes
    effective = moved / seconds / 1e9
    copy = _timed(lambda: b.copy_from(a), 10)
    return effective, 2 * 4 * N_BIG / copy / 1e9


def quadrants_side() -> str:
    try:
        import quadrants  # noqa: F401
    except ImportError as err:
        return f"Quadrants: not run ({err}); pip install quadrants==1.3.3 to compare"
    return (
        "Quadrants is installed: run bench/graph_cases.py with arch=cuda for its numbers "
        "in the same session"
    )


def main() -> None:
    per_iteration = bench_do_while()
    steady = bench_tiny3()
    effective, copy = bench_bandwidth()
    if BUILD:
        print("bench kernels compiled")
        return
    from qdmlir.runtime.cuda_driver import current_device

    device = current_device()
    print(f"device: {getattr(device, 'arch', '?')} (driver {getattr(device, 'version', '?')})")
    print(f"do-while, tiny body: {per_iteration * 1e6:.2f} us per iteration (target <= 5)")
    print(f"tiny 3-task kernel, steady call: {steady * 1e6:.2f} us")
    print(
        f"3 element-wise passes over {N_BIG} f32: {effective:.0f} GB/s effective vs device "
        f"copy {copy:.0f} GB/s = {effective / copy:.0%} (target >= 80%)"
    )
    print(quadrants_side())
    print(f"QD_CUDA_GRAPH={os.environ.get('QD_CUDA_GRAPH', 'auto')}")


if __name__ == "__main__":
    main()
