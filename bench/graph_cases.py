"""The docs/performance.md cases, written once in the Quadrants language, run by either one:

    python bench/graph_cases.py qdmlir <case>      # import qdmlir as qd
    python bench/graph_cases.py quadrants <case>   # import quadrants as qd

Each run prints one JSON line: {"impl", "case", "value", "unit"}. Times are the median of
several timed batches after warm-up, so compile time never counts. bench/run.py runs this in
fresh processes, alternating implementations, and compares.
"""

from __future__ import annotations

import importlib
import json
import sys

import section_kernels
from timing import per_call

IMPL, CASE = sys.argv[1], sys.argv[2]
qd = importlib.import_module(IMPL)
qd.init(arch=qd.cpu)

F32 = qd.types.ndarray(qd.f32, 1)
FLAG = qd.types.ndarray(qd.i32, 0)


def scalar(value: int):
    cell = qd.ndarray(qd.i32, ())
    cell[()] = value
    return cell


# -- tiny 3-task checkpointed kernel, steady call ------------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def tiny(x: F32, y: F32, z: F32, flag: FLAG):
    with qd.checkpoint(0, yield_on=flag):
        for i in range(x.shape[0]):
            y[i] = x[i] * 2.0
    with qd.checkpoint(1, yield_on=flag):
        for i in range(x.shape[0]):
            z[i] = y[i] + 1.0
    with qd.checkpoint(2, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] = z[i] * 0.5


def case_tiny() -> tuple[float, str]:
    x, y, z = (qd.ndarray(qd.f32, (16,)) for _ in range(3))
    flag = scalar(0)
    return per_call(lambda: tiny(x, y, z, flag), 2000) * 1e6, "us/call"


# -- the same, as a @qd.data_oriented method reading its members ----------------------------


@qd.data_oriented
class TinySim:
    def __init__(self):
        self.x, self.y, self.z = (qd.ndarray(qd.f32, (16,)) for _ in range(3))
        self.flag = scalar(0)

    @qd.kernel(graph=True, checkpoints=True)
    def step(self):
        with qd.checkpoint(0, yield_on=self.flag):
            for i in range(self.x.shape[0]):
                self.y[i] = self.x[i] * 2.0
        with qd.checkpoint(1, yield_on=self.flag):
            for i in range(self.x.shape[0]):
                self.z[i] = self.y[i] + 1.0
        with qd.checkpoint(2, yield_on=self.flag):
            for i in range(self.x.shape[0]):
                self.x[i] = self.z[i] * 0.5


def case_tiny_method() -> tuple[float, str]:
    sim = TinySim()
    return per_call(lambda: sim.step(), 2000) * 1e6, "us/call"


# -- do-while with a tiny body, per iteration ------------------------------------------------


@qd.kernel(graph=True)
def countdown(x: F32, counter: FLAG):
    while qd.graph.do_while(counter):
        for i in range(x.shape[0]):
            x[i] = x[i] + 1.0
        for _ in range(1):
            counter[()] = counter[()] - 1


def case_dowhile() -> tuple[float, str]:
    x = qd.ndarray(qd.f32, (16,))
    counter = scalar(0)
    iterations = 2000

    def launch():
        counter[()] = iterations
        countdown(x, counter)

    return per_call(launch, 5, batches=7) / iterations * 1e6, "us/iteration"


# -- yield + resume cycle ----------------------------------------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def overflowing(x: F32, trigger: FLAG, flag: FLAG):
    with qd.checkpoint(7, yield_on=flag):
        for _ in range(1):
            if trigger[()] != 0:
                flag[()] = 1
    for i in range(x.shape[0]):
        x[i] = x[i] + 1.0


def case_resume() -> tuple[float, str]:
    x = qd.ndarray(qd.f32, (16,))
    trigger, flag = scalar(0), scalar(0)

    def cycle():
        trigger[()] = 1
        status = overflowing(x, trigger, flag)
        assert status.yielded
        flag[()] = 0
        trigger[()] = 0
        overflowing.resume(x, trigger, flag, from_checkpoint=status.checkpoint)

    return per_call(cycle, 500) * 1e6, "us/cycle"


# -- three element-wise passes over 10M f32 ----------------------------------------------------

N_BIG = 10_000_000


@qd.kernel(graph=True)
def three_passes(x: F32):
    for i in range(x.shape[0]):
        x[i] = x[i] * 0.5 + 1.0
    for i in range(x.shape[0]):
        x[i] = x[i] * 2.0 - 1.0
    for i in range(x.shape[0]):
        x[i] = x[i] + 0.25


def case_bandwidth() -> tuple[float, str]:
    x = qd.ndarray(qd.f32, (N_BIG,))
    seconds = per_call(lambda: three_passes(x), 5, batches=9)
    moved = 3 * 2 * 4 * N_BIG  # three passes, each reads and writes every f32
    return moved / seconds / 1e9, "GB/s"


# -- a particle update over 10M vec3 f32 ------------------------------------------------------

VEC3 = qd.types.ndarray(dtype=qd.math.vec3, ndim=1)


@qd.kernel
def particles(x: VEC3, v: VEC3, dt: qd.f32):
    for i in range(x.shape[0]):
        vel = v[i] + dt * qd.math.vec3(0.0, -9.8, 0.0)
        pos = x[i] + dt * vel
        if pos.y < 0.0:  # bounce off the floor, losing half the speed
            pos.y = -pos.y
            vel.y = -0.5 * vel.y
        x[i] = pos
        v[i] = vel


def case_particles() -> tuple[float, str]:
    import numpy as np

    x, v = qd.ndarray(qd.math.vec3, (N_BIG,)), qd.ndarray(qd.math.vec3, (N_BIG,))
    x.from_numpy(np.random.default_rng(0).random((N_BIG, 3), np.float32))
    seconds = per_call(lambda: particles(x, v, 1e-4), 5, batches=9)
    moved = 2 * 2 * 3 * 4 * N_BIG  # x and v: each read and written, 3 f32 per element
    return moved / seconds / 1e9, "GB/s"


# -- two independent serial sections, and the same work without them ------------------------

STEPS = 5_000_000  # per section: a dependent chain, so one thread runs it (~15-30 ms here)


two_sections, two_in_order = section_kernels.make(qd)


def _sections_case(kernel) -> tuple[float, str]:
    a, b, out = qd.ndarray(qd.f32, (1024,)), qd.ndarray(qd.f32, (1024,)), qd.ndarray(qd.f32, (2,))
    a.from_numpy(_ramp(1024, 0.001))
    b.from_numpy(_ramp(1024, 0.002))
    return per_call(lambda: kernel(a, b, out, STEPS), 3, batches=7) * 1e3, "ms/call"


def _ramp(n: int, step: float):
    import numpy as np

    return (np.arange(n) * step).astype(np.float32)


def case_sections() -> tuple[float, str]:
    return _sections_case(two_sections)


def case_sections_in_order() -> tuple[float, str]:
    return _sections_case(two_in_order)


# -- first call in a fresh process (timed by bench/run.py around the whole process) ------------


def case_first_call() -> tuple[float, str]:
    x, y, z = (qd.ndarray(qd.f32, (16,)) for _ in range(3))
    tiny(x, y, z, scalar(0))
    return 0.0, "s"


CASES = {
    "tiny": case_tiny,
    "tiny_method": case_tiny_method,
    "dowhile": case_dowhile,
    "resume": case_resume,
    "bandwidth": case_bandwidth,
    "particles": case_particles,
    "sections": case_sections,
    "sections_in_order": case_sections_in_order,
    "first_call": case_first_call,
}

if __name__ == "__main__":
    value, unit = CASES[CASE]()
    print(json.dumps({"impl": IMPL, "case": CASE, "value": value, "unit": unit}))
