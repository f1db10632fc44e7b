"""Sections on the CPU really run at the same time when each holds enough serial work
(passes/cpu_parallel_sections.py, docs/targets.md). Each of two sections announces itself
with an atomic, then watches for the other's announcement while it loops: only two threads
running at once both see the other; sections run in order would leave the first blind."""

import os

import numpy as np
import pytest

import qdmlir as qd


@qd.kernel(graph=True)
def handshake(flags: qd.types.ndarray(qd.i32, 1), seen: qd.types.ndarray(qd.i32, 1), n: qd.i32):
    with qd.graph.parallel_context():
        for me in qd.static(range(2)):
            with qd.graph.parallel():
                for _ in range(1):  # a serial task: one thread runs the loop below
                    qd.atomic_add(flags[me], 1)
                    for k in range(n):
                        if seen[me] == 0:
                            if qd.atomic_add(flags[1 - me], 0) != 0:
                                seen[me] = k + 1


@pytest.mark.skipif(
    (os.cpu_count() or 1) < 2 or os.environ.get("OMP_NUM_THREADS") == "1",
    reason="one CPU thread: the sections run in order by design",
)
def test_serial_sections_run_at_the_same_time():
    handshake(np.zeros(2, np.int32), np.zeros(2, np.int32), 1000)  # wakes the OpenMP team
    # Sections run in order can never both see the other; two threads do as soon as the
    # second one is scheduled while the first still loops. A machine busy with other work
    # may start it late, so each try gives it a longer window (~0.05, 0.2, 0.8 s).
    for n in (50_000_000, 200_000_000, 800_000_000):
        flags, seen = np.zeros(2, np.int32), np.zeros(2, np.int32)
        handshake(flags, seen, n)
        assert list(flags) == [1, 1]
        if seen.all():
            return
    pytest.fail(f"a section never saw the other one start: {list(seen)}")
