"""Measure the CPU grain-size rule: OpenMP fork/join cost vs per-element cost (docs/targets.md).

Builds `c[i] = a[i] + b[i]` (f32, the cheapest body) and the math-heavy kernel of
tests/python/cpu_kernels/math.mlir twice, every task parallel and every task serial, and times
one launch of each over n elements, with the pool warm (back-to-back calls) and cold (after
sleeping past libomp's 200 ms spin time).
Run: .venv/bin/python bench/cpu_threshold.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))
from cpu_build_helpers import apply_threshold, kernel_text  # noqa: E402

from qdmlir.passes.targets.cpu import build_cpu_library  # noqa: E402
from qdmlir.runtime.artifact import ArgSpec  # noqa: E402
from qdmlir.runtime.cpu import CpuLauncher  # noqa: E402

ADD = """
func.func @add(%a: memref<?xf32>, %b: memref<?xf32>, %c: memref<?xf32>, %qd_state: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  "scf.parallel"(%c0, %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
  ^bb0(%i: index):
    %x = memref.load %a[%i] : memref<?xf32>
    %y = memref.load %b[%i] : memref<?xf32>
    %z = arith.addf %x, %y : f32
    memref.store %z, %c[%i] : memref<?xf32>
    scf.reduce
  }) : (index, index, index) -> ()
  func.return
}
"""
ARGS = [ArgSpec(name, "ndarray", "f32", 1) for name in "abc"]


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measure(name: str, text: str, specs: list[ArgSpec], make_args) -> None:
    out = Path(tempfile.mkdtemp())
    parallel = CpuLauncher(build_cpu_library(text, name, specs, out / "p"), specs)
    serial = CpuLauncher(
        build_cpu_library(apply_threshold(text, 2**62), name, specs, out / "s"), specs
    )
    print(f"{name}: {'n':>9} {'serial us':>10} {'omp warm us':>12} {'omp cold us':>12}")
    for n in [16, 1024, 4096, 16384, 32768, 65536, 262144, 1048576]:
        args = make_args(n)
        t_serial = best_of(lambda args=args: serial.launch(args), 200)
        t_warm = best_of(lambda args=args: parallel.launch(args), 200)
        cold = []
        for _ in range(5):
            time.sleep(0.3)  # past KMP_BLOCKTIME: the worker has gone to sleep
            cold.append(best_of(lambda args=args: parallel.launch(args), 1))
        print(
            f"{name}: {n:>9} {t_serial * 1e6:>10.2f} {t_warm * 1e6:>12.2f} {min(cold) * 1e6:>12.2f}"
        )


def main() -> None:
    measure("add", ADD, ARGS, lambda n: tuple(np.ones(n, np.float32) for _ in range(3)))
    math_args = [
        ArgSpec("x", "ndarray", "f32", 1),
        ArgSpec("y", "ndarray", "f64", 1),
        ArgSpec("out32", "ndarray", "f32", 1),
        ArgSpec("out64", "ndarray", "f64", 1),
        ArgSpec("p", "scalar", "i32"),
    ]
    measure(
        "mathk",
        kernel_text("mathk"),
        math_args,
        lambda n: (np.ones(n, np.float32), np.ones(n), np.ones(n, np.float32), np.ones(n), 3),
    )


if __name__ == "__main__":
    main()
