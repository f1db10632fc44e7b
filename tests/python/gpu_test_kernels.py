"""The two kernels the GPU-target tests build (CUDA and ROCm, compile-only and fake-runtime):
`three`, three tasks with a checkpoint between them, and `looped`, a do-while around a
checkpointed task and a serial decrement. Their argument layouts are spelled out for
`Compilation.for_kernel`, which takes them without a call."""

import qdmlir as qd
from qdmlir.runtime.artifact import ArgSpec


@qd.kernel(graph=True, checkpoints=True)
def three(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    for i in range(x.shape[0]):
        x[i] = 1.0
    with qd.checkpoint(7, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] += 1.0
    for i in range(x.shape[0]):
        x[i] *= 2.0


@qd.kernel(graph=True, checkpoints=True)
def looped(
    x: qd.types.ndarray(qd.f32, 1),
    steps: qd.types.ndarray(qd.i32, 0),
    flag: qd.types.ndarray(qd.i32, 0),
):
    while qd.graph.do_while(steps):
        with qd.checkpoint(4, yield_on=flag):
            for i in range(x.shape[0]):
                x[i] += 1.0
        for _ in range(1):
            steps[()] -= 1


THREE_ARGS = [ArgSpec("x", "ndarray", "f32", 1), ArgSpec("flag", "ndarray", "i32", 0)]
LOOP_ARGS = [
    ArgSpec("x", "ndarray", "f32", 1),
    ArgSpec("steps", "ndarray", "i32", 0),
    ArgSpec("flag", "ndarray", "i32", 0),
]


@qd.kernel
def pushed(x: qd.types.ndarray(qd.math.vec3, 1), g: qd.math.vec3):
    for i in range(x.shape[0]):
        x[i] += g


PUSHED_ARGS = [
    ArgSpec("x", "ndarray", "f32", 1, (3,)),
    ArgSpec("g", "matrix", "f32", 0, (3,)),
]


@qd.kernel(graph=True, checkpoints=True)
def forked(
    x: qd.types.ndarray(qd.f32, 1),
    y: qd.types.ndarray(qd.f32, 1),
    flag: qd.types.ndarray(qd.i32, 0),
):
    for i in range(x.shape[0]):  # k0, before the fork
        x[i] = 1.0
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            for i in range(x.shape[0]):  # k1
                x[i] += 1.0
            for i in range(x.shape[0]):  # k2
                x[i] *= 2.0
        with qd.graph.parallel():
            y[0] = 5.0  # k3, a serial statement: one thread
            for i in range(y.shape[0]):  # k4
                y[i] += 1.0
    with qd.checkpoint(3, yield_on=flag):
        for i in range(x.shape[0]):  # k5, after the join; then k6, its flag check
            x[i] += y[i]


@qd.kernel(graph=True)
def forked_loop(
    x: qd.types.ndarray(qd.f32, 1), y: qd.types.ndarray(qd.f32, 1), c: qd.types.ndarray(qd.i32, 0)
):
    while qd.graph.do_while(c):
        with qd.graph.parallel_context():
            with qd.graph.parallel():
                for i in range(x.shape[0]):
                    x[i] += 1.0
            with qd.graph.parallel():
                for i in range(y.shape[0]):
                    y[i] += 2.0
        for _ in range(1):
            c[()] -= 1


FORKED_ARGS = [
    ArgSpec("x", "ndarray", "f32", 1),
    ArgSpec("y", "ndarray", "f32", 1),
    ArgSpec("flag", "ndarray", "i32", 0),
]
FORKED_LOOP_ARGS = [
    ArgSpec("x", "ndarray", "f32", 1),
    ArgSpec("y", "ndarray", "f32", 1),
    ArgSpec("c", "ndarray", "i32", 0),
]
