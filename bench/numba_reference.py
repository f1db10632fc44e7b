"""numba ceilings for bench/cpu_runtime.py (docs/performance.md): run with a Python that has numba,
e.g. /tmp/qd-venv/bin/python bench/numba_reference.py [path/to/qd_graph3.so].

Imports nothing from qdmlir. Given the graph3 library that `bench/cpu_runtime.py bandwidth`
builds (it prints the path), the bandwidth runs alternate numba and qdmlir call by call, so
both see the same machine load; the library is called through ctypes with hand-packed words
(architecture.md §5), which costs nothing next to a millisecond launch.
"""

import ctypes
import statistics
import sys
import time
import timeit

import numpy as np
from numba import njit, prange


@njit(cache=False)
def graph3_tiny(x, flag, s):
    """The tiny 3-task kernel, serial (what qdmlir runs below the threshold)."""
    for i in range(x.shape[0]):
        x[i] += 1
    for i in range(x.shape[0]):
        x[i] *= s
    if flag[()] != 0:
        return 1
    for i in range(x.shape[0]):
        x[i] = np.sqrt(x[i])
    return -1


@njit(parallel=True, fastmath=False)
def graph3_parallel(x, flag, s):
    for i in prange(x.shape[0]):
        x[i] += 1
    for i in prange(x.shape[0]):
        x[i] *= s
    if flag[()] != 0:
        return 1
    for i in prange(x.shape[0]):
        x[i] = np.sqrt(x[i])
    return -1


def graph3_library(path, x, flag, s):
    """A zero-argument callable launching the qdmlir graph3 library on (x, flag, s)."""
    entry = ctypes.CDLL(path).qd_entry
    entry.restype = None
    words = (ctypes.c_int64 * 6)()
    state = ctypes.addressof(words) + 8 * 5
    words[0], words[1], words[2], words[4] = x.ctypes.data, x.shape[0], flag.ctypes.data, state
    ctypes.c_float.from_address(ctypes.addressof(words) + 8 * 3).value = s

    def launch():
        words[5] = -(2**32)  # resume_point 0, yielded_at -1
        entry(words)

    return launch


def main():
    x, flag = np.ones(16, np.float32), np.zeros((), np.int32)
    s = np.float32(1.0)
    graph3_tiny(x, flag, s)
    number = 200_000
    runs = timeit.repeat(lambda: graph3_tiny(x, flag, s), number=number, repeat=7)
    print(
        f"numba steady call, tiny 3-task kernel: min {min(runs) / number * 1e6:.3f} us, "
        f"median {statistics.median(runs) / number * 1e6:.3f} us"
    )
    n = 10_000_000
    big = np.ones(n, np.float32)
    runs = {"numba parallel": lambda: graph3_parallel(big, flag, s)}
    if len(sys.argv) > 1:
        runs["qdmlir (same process)"] = graph3_library(sys.argv[1], big, flag, 1.0)
    times = {name: [] for name in runs}
    for round_ in range(40):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            if round_ >= 3:  # warm-up
                times[name].append(time.perf_counter() - start)
    gb = 3 * 2 * 4 * n / 1e9
    for name, ts in times.items():
        print(
            f"{name} 3-pass over {n} f32: best {min(ts) * 1e3:.2f} ms = {gb / min(ts):.1f} GB/s, "
            f"median {statistics.median(ts) * 1e3:.2f} ms = {gb / statistics.median(ts):.1f} GB/s"
        )


if __name__ == "__main__":
    main()
