"""Parallel sections on a CUDA device (docs/semantics.md, "Parallel sections"): the results
after the join, a fork in a device loop, and two sections running at the same time: each
announces itself with an atomic and watches for the other, which only branches that the
device runs concurrently (graph branches, or streams on the direct path) both see."""

import numpy as np

import qdmlir as qd

F32 = qd.types.ndarray(qd.f32, 1)
I32 = qd.types.ndarray(qd.i32, 1)


@qd.kernel(graph=True)
def fork_then_sum(x: F32, y: F32, z: F32):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            for i in range(x.shape[0]):
                x[i] += 1.0
            for i in range(x.shape[0]):
                x[i] *= 2.0
        with qd.graph.parallel():
            y[0] = 10.0
            for i in range(y.shape[0]):
                y[i] += 1.0
    for i in range(z.shape[0]):
        z[i] = x[i] + y[i]


def test_the_work_after_the_join_sees_both_sections():
    n = 4096
    x, y, z = (qd.ndarray(qd.f32, (n,)) for _ in range(3))
    for _ in range(3):  # direct, then a graph from the second identical call
        x.from_numpy(np.zeros(n, np.float32))
        y.from_numpy(np.zeros(n, np.float32))
        fork_then_sum(x, y, z)
        want = np.full(n, 3.0, np.float32)
        want[0] = 13.0
        np.testing.assert_array_equal(z.to_numpy(), want)


@qd.kernel(graph=True)
def forks_in_a_loop(x: I32, y: I32, a: I32, c: qd.types.ndarray(qd.i32, 0)):
    while qd.graph.do_while(c):
        with qd.graph.parallel_context():
            with qd.graph.parallel():
                for i in range(x.shape[0]):
                    x[i] += 1
            with qd.graph.parallel():
                for i in range(y.shape[0]):
                    y[i] += 2
        with qd.graph.parallel_context():  # waits for the first fork's join
            with qd.graph.parallel():
                for i in range(a.shape[0]):
                    a[i] = x[i] * 10 + y[i]
            with qd.graph.parallel():
                pass
        for _ in range(1):
            c[()] -= 1


def test_back_to_back_forks_in_a_do_while_keep_their_joins():
    for n in (64, 100_000):  # a one-block loop kernel, then a WHILE node or host loop
        x, y, a = (qd.ndarray(qd.i32, (n,)) for _ in range(3))
        c = qd.ndarray(qd.i32, ())
        c.from_numpy(np.array(4, np.int32))
        forks_in_a_loop(x, y, a, c)
        assert c.to_numpy() == 0
        np.testing.assert_array_equal(a.to_numpy(), np.full(n, 48, np.int32))


@qd.kernel(graph=True)
def handshake(flags: I32, seen: I32, n: qd.i32):
    with qd.graph.parallel_context():
        for me in qd.static(range(2)):
            with qd.graph.parallel():
                for _ in range(1):
                    qd.atomic_add(flags[me], 1)
                    for k in range(n):
                        if seen[me] == 0:
                            if qd.atomic_add(flags[1 - me], 0) != 0:
                                seen[me] = k + 1


def test_two_sections_run_at_the_same_time():
    flags, seen = qd.ndarray(qd.i32, (2,)), qd.ndarray(qd.i32, (2,))
    for _ in range(3):  # direct, then graphs (QD_CUDA_GRAPH decides in the device run)
        flags.from_numpy(np.zeros(2, np.int32))
        seen.from_numpy(np.zeros(2, np.int32))
        handshake(flags, seen, 200_000)
        assert flags.to_numpy().tolist() == [1, 1]
        assert seen.to_numpy().all(), f"a section never saw the other start: {seen.to_numpy()}"
