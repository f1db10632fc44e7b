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
    for _ in range(3):  # the first call also wakes the OpenMP team
        flags, seen = np.zeros(2, np.int32), np.zeros(2, np.int32)
        # ~0.05 s a section once the other is seen; long enough for a busy machine to
        # schedule the second thread before the first one's loop ends
        handshake(flags, seen, 50_000_000)
        assert list(flags) == [1, 1]
        assert seen.all(), f"a section never saw the other one start: {list(seen)}"


def test_with_one_openmp_thread_the_sections_run_in_order():
    import subprocess
    import sys

    code = (
        "import numpy as np, test_cpu_sections as t\n"
        "f, s = np.zeros(2, np.int32), np.zeros(2, np.int32)\n"
        "t.handshake(f, s, 1_000_000)\n"
        "print(f.tolist(), s.tolist())\n"
    )
    here = os.path.dirname(__file__)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": here},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    # the first section ran to its end before the second began: it never saw it
    assert done.stdout.strip() == "[1, 1] [0, 1]"
