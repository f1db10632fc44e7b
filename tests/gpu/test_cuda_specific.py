"""CUDA-only behaviour: device ndarrays, zero-copy tensors, graph replay, device-side loops."""

import numpy as np
import pytest

import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def bump(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    for i in range(x.shape[0]):
        x[i] += 1.0
    with qd.checkpoint(1, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] *= 2.0


@qd.kernel(graph=True, checkpoints=True)
def countdown(
    x: qd.types.ndarray(qd.i32, 1),
    steps: qd.types.ndarray(qd.i32, 0),
    flag: qd.types.ndarray(qd.i32, 0),
):
    while qd.graph_do_while(steps):
        with qd.checkpoint(5, yield_on=flag):
            for i in range(x.shape[0]):
                x[i] += 1
                if x[i] == 3:
                    flag[()] = 1
        for _ in range(1):
            steps[()] -= 1


def test_device_ndarray_round_trip():
    a = qd.ndarray(qd.f32, (1000,))
    a.from_numpy(np.arange(1000, dtype=np.float32))
    flag = qd.ndarray(qd.i32, ())
    assert bump(a, flag) == qd.GraphStatus(False, None)
    np.testing.assert_array_equal(a.to_numpy(), (np.arange(1000, dtype=np.float32) + 1) * 2)
    assert a[999] == 2000.0


def test_steady_calls_replay_a_graph():
    a, flag = qd.ndarray(qd.f32, (256,)), qd.ndarray(qd.i32, ())
    for _ in range(4):
        bump(a, flag)
    launcher = bump._only.run.launcher
    assert launcher._graphs, launcher.graph_disabled
    assert a[0] == 30.0  # ((((0+1)*2+1)*2+1)*2+1)*2


def test_a_yield_inside_the_device_loop_stops_it_and_resumes():
    x, steps, flag = qd.ndarray(qd.i32, (4,)), qd.ndarray(qd.i32, ()), qd.ndarray(qd.i32, ())
    steps[()] = 10
    status = countdown(x, steps, flag)
    assert status == qd.GraphStatus(True, 5) and x.to_numpy().tolist() == [3] * 4
    assert steps[()] == 8  # the yielding iteration did not count down
    flag[()] = 0
    status = countdown.resume(x, steps, flag, from_checkpoint=5)
    assert not status.yielded and steps[()] == 0 and x[0] == 3 + 8


@pytest.mark.parametrize("library", ["torch", "cupy"])
def test_cuda_tensors_pass_without_a_copy(library):
    module = pytest.importorskip(library, reason=f"{library} is not installed here")
    if library == "torch":
        x = module.zeros(512, dtype=module.float32, device="cuda")
    else:
        x = module.zeros(512, dtype=module.float32)
    flag = qd.ndarray(qd.i32, ())
    bump(x, flag)
    module.cuda.synchronize() if library == "torch" else module.cuda.Device().synchronize()
    assert float(x.sum()) == 512 * 2.0
