"""The canonical checkpoint host loop: a graph kernel yields when its buffer is full, the host
grows the buffer, and the kernel resumes where it stopped.

    make demo                         # run it
    .venv/bin/python docs/examples/demo.py --ir    # also print the IR at each stage
"""

import sys
from enum import IntEnum

import numpy as np

import qdmlir as qd


class Stage(IntEnum):
    EMIT = 0


@qd.kernel(graph=True, checkpoints=True)
def simulate(
    particles: qd.types.ndarray(qd.f32, 1),
    count: qd.types.ndarray(qd.i32, 0),
    overflow: qd.types.ndarray(qd.i32, 0),
    steps: qd.types.ndarray(qd.i32, 0),
):
    """Each step emits 3 particles at x = 0, then moves every particle by +1."""
    while qd.graph.do_while(steps):
        with qd.checkpoint(Stage.EMIT, yield_on=overflow):
            for _ in range(1):
                if count[()] + 3 > particles.shape[0]:
                    overflow[()] = 1  # no room: ask the host for a bigger buffer
                else:
                    for k in range(3):
                        particles[count[()] + k] = 0.0
                    count[()] += 3
        for i in range(particles.shape[0]):
            if i < count[()]:
                particles[i] += 1.0
        steps[()] -= 1


def main() -> None:
    qd.init(arch=qd.cpu)
    particles = qd.ndarray(qd.f32, (4,))
    count, overflow, steps = (qd.ndarray(qd.i32, ()) for _ in range(3))
    steps[()] = 5

    status = simulate(particles, count, overflow, steps)
    print(f"launch -> {status}, {count[()]} particles, {steps[()]} steps left")
    while status.yielded:
        data = np.zeros(2 * particles.shape[0], np.float32)
        data[: particles.shape[0]] = particles.to_numpy()
        particles = qd.ndarray(qd.f32, data.shape)
        particles.from_numpy(data)
        print(f"host: {status.checkpoint!r} overflowed, buffer grown to {particles.shape[0]}")
        overflow[()] = 0  # the framework never clears the flag: the host does
        status = simulate.resume(
            particles, count, overflow, steps, from_checkpoint=status.checkpoint
        )
        print(f"resume -> {status}, {count[()]} particles, {steps[()]} steps left")

    positions = particles.to_numpy()[: count[()]]
    print("positions:", positions)
    expected = np.repeat(np.arange(5, 0, -1, dtype=np.float32), 3)
    assert np.array_equal(positions, expected), "the resumed run must match an unbroken one"
    print("ok: every step ran exactly once across the yields and resumes")

    if "--ir" in sys.argv:
        print_ir_stages()


def print_ir_stages() -> None:
    from qdmlir.frontend.compiler import Compilation
    from qdmlir.runtime.artifact import ArgSpec

    args = [ArgSpec("particles", "ndarray", "f32", 1)] + [
        ArgSpec(name, "ndarray", "i32", 0) for name in ("count", "overflow", "steps")
    ]
    compilation = Compilation.for_kernel(simulate, args)
    print("\n// ===== kernel IR (frontend) =====")
    print(compilation.kernel_ir())
    print("\n// ===== lowered IR (default pipeline) =====")
    print(compilation.lowered_ir())
    print("\n// ===== upstream MLIR (after the hand-off) =====")
    print(compilation.upstream_ir())


if __name__ == "__main__":
    main()
