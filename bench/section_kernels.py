"""The kernels of the sections case, for whichever `qd` module runs it: two chains of
dependent steps, each in a one-iteration task (one thread runs it), as two sections of a
`qd.graph.parallel_context()` and as the same two tasks in order. bench/graph_cases.py times
them on the CPU, bench/cuda_cases.py on CUDA; only running the chains at once can help.

(No `from __future__ import annotations`: the kernels' annotations are values of `qd`.)
"""


def make(qd):
    """(two_sections, two_in_order) of this qd module (qdmlir or quadrants)."""
    f32 = qd.types.ndarray(qd.f32, 1)

    @qd.kernel(graph=True)
    def two_sections(a: f32, b: f32, out: f32, steps: qd.i32):
        with qd.graph.parallel_context():
            with qd.graph.parallel():
                for _ in range(1):
                    v = 0.0
                    for j in range(steps):
                        v = v * 0.999 + a[j % a.shape[0]]
                    out[0] = v
            with qd.graph.parallel():
                for _ in range(1):
                    v = 0.0
                    for j in range(steps):
                        v = v * 0.999 + b[j % b.shape[0]]
                    out[1] = v

    @qd.kernel(graph=True)
    def two_in_order(a: f32, b: f32, out: f32, steps: qd.i32):
        for _ in range(1):
            v = 0.0
            for j in range(steps):
                v = v * 0.999 + a[j % a.shape[0]]
            out[0] = v
        for _ in range(1):
            v = 0.0
            for j in range(steps):
                v = v * 0.999 + b[j % b.shape[0]]
            out[1] = v

    return two_sections, two_in_order
