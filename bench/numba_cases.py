"""The docs/performance.md cases hand-written in numba: the native ceiling to measure against.

    python bench/numba_cases.py <case>

Prints one JSON line like bench/graph_cases.py. Small loops are serial `@njit` (what a
hand-written native program would do); the bandwidth case uses `prange`, in place.
"""

from __future__ import annotations

import json
import sys

import numba
import numpy as np
from timing import per_call


@numba.njit(cache=True)
def tiny(x, y, z, flag):
    for i in range(x.shape[0]):
        y[i] = x[i] * 2.0
    if flag[()] != 0:
        return 0
    for i in range(x.shape[0]):
        z[i] = y[i] + 1.0
    if flag[()] != 0:
        return 1
    for i in range(x.shape[0]):
        x[i] = z[i] * 0.5
    if flag[()] != 0:
        return 2
    return -1


def case_tiny():
    x, y, z = (np.zeros(16, np.float32) for _ in range(3))
    flag = np.zeros((), np.int32)
    return per_call(lambda: tiny(x, y, z, flag), 2000) * 1e6, "us/call"


@numba.njit(cache=True)
def countdown(x, counter):
    while True:
        for i in range(x.shape[0]):
            x[i] = x[i] + 1.0
        counter[()] = counter[()] - 1
        if counter[()] == 0:
            break


def case_dowhile():
    x = np.zeros(16, np.float32)
    counter = np.zeros((), np.int32)
    iterations = 2000

    def launch():
        counter[()] = iterations
        countdown(x, counter)

    return per_call(launch, 5, batches=7) / iterations * 1e6, "us/iteration"


@numba.njit(cache=True)
def overflowing(x, trigger, flag, resume_point):
    if resume_point <= 0:
        if trigger[()] != 0:
            flag[()] = 1
        if flag[()] != 0:
            return 0
    for i in range(x.shape[0]):
        x[i] = x[i] + 1.0
    return -1


def case_resume():
    x = np.zeros(16, np.float32)
    trigger, flag = np.zeros((), np.int32), np.zeros((), np.int32)

    def cycle():
        trigger[()] = 1
        at = overflowing(x, trigger, flag, 0)
        flag[()] = 0
        trigger[()] = 0
        overflowing(x, trigger, flag, at)

    return per_call(cycle, 500) * 1e6, "us/cycle"


@numba.njit(parallel=True, cache=True)
def three_passes(x):
    for i in numba.prange(x.shape[0]):
        x[i] = x[i] * 0.5 + 1.0
    for i in numba.prange(x.shape[0]):
        x[i] = x[i] * 2.0 - 1.0
    for i in numba.prange(x.shape[0]):
        x[i] = x[i] + 0.25


def case_bandwidth():
    n = 10_000_000
    x = np.zeros(n, np.float32)
    seconds = per_call(lambda: three_passes(x), 5, batches=9)
    return 3 * 2 * 4 * n / seconds / 1e9, "GB/s"


@numba.njit(parallel=True, cache=True)
def particles(x, v, dt):
    for i in numba.prange(x.shape[0]):
        vx, vy, vz = v[i, 0], v[i, 1] - dt * np.float32(9.8), v[i, 2]
        px, py, pz = x[i, 0] + dt * vx, x[i, 1] + dt * vy, x[i, 2] + dt * vz
        if py < 0.0:
            py = -py
            vy = np.float32(-0.5) * vy
        x[i, 0], x[i, 1], x[i, 2] = px, py, pz
        v[i, 0], v[i, 1], v[i, 2] = vx, vy, vz


def case_particles():
    n = 10_000_000
    x = np.random.default_rng(0).random((n, 3), np.float32)
    v = np.zeros((n, 3), np.float32)
    dt = np.float32(1e-4)
    seconds = per_call(lambda: particles(x, v, dt), 5, batches=9)
    return 2 * 2 * 3 * 4 * n / seconds / 1e9, "GB/s"


STEPS = 5_000_000  # bench/graph_cases.py's


@numba.njit(cache=True)
def _chain(a, steps):
    v = np.float32(0.0)
    for j in range(steps):
        v = v * np.float32(0.999) + a[j % a.shape[0]]
    return v


@numba.njit(parallel=True, cache=True)
def two_sections(a, b, out, steps):
    for section in numba.prange(2):  # one thread per section
        out[section] = _chain(a if section == 0 else b, steps)


@numba.njit(cache=True)
def two_in_order(a, b, out, steps):
    out[0] = _chain(a, steps)
    out[1] = _chain(b, steps)


def _sections_case(kernel):
    a = (np.arange(1024) * 0.001).astype(np.float32)
    b = (np.arange(1024) * 0.002).astype(np.float32)
    out = np.zeros(2, np.float32)
    return per_call(lambda: kernel(a, b, out, STEPS), 3, batches=7) * 1e3, "ms/call"


def case_sections():
    return _sections_case(two_sections)


def case_sections_in_order():
    return _sections_case(two_in_order)


CASES = {
    "tiny": case_tiny,
    "tiny_method": case_tiny,  # numba has no objects: the same function is the ceiling
    "dowhile": case_dowhile,
    "resume": case_resume,
    "bandwidth": case_bandwidth,
    "particles": case_particles,
    "sections": case_sections,
    "sections_in_order": case_sections_in_order,
}

if __name__ == "__main__":
    value, unit = CASES[sys.argv[1]]()
    print(json.dumps({"impl": "numba", "case": sys.argv[1], "value": value, "unit": unit}))
