"""What CUDA and HIP share (runtime/gpu_device.py, gpu_launcher.py, cuda_direct.py), run on both.

Each test runs once over the fake CUDA driver and once over the fake libamdhip64
(tests/python/gpu_backends.py): launch order, grids and packed descriptors, the launch state,
the host do-while loop and resume, device ndarrays, zero-copy arguments ordered after their
stream, argument and driver errors, and the device rules themselves (bind once per thread,
no zero-byte allocation, events released). No GPU needed.
"""

import struct
import threading

import numpy as np
import pytest
from gpu_backends import (
    HAVE_ROCM_TOOLS,
    artifact,
    install,
    loop_arrays,
    uninstall,
    use_loop_chip,
)
from gpu_test_kernels import LOOP_ARGS, THREE_ARGS, looped, three

import qdmlir as qd
from qdmlir.runtime.gpu_device import PINNED_BYTES, GpuDevice


@pytest.fixture(params=["cuda", "hip"])
def backend(request, monkeypatch):
    monkeypatch.setenv("QD_CUDA_GRAPH", "0")  # the direct run both backends share
    yield install(request.param)
    uninstall(request.param)


def three_launcher(backend, tmp_path_factory):
    folder = artifact(tmp_path_factory, backend.name, three, THREE_ARGS, backend.arch)
    return backend.launcher(folder)


def loop_launcher(backend, tmp_path_factory):
    use_loop_chip(backend)
    folder = artifact(tmp_path_factory, backend.name, looped, LOOP_ARGS, backend.loop_arch)
    return backend.launcher(folder)


def launcher_of(kernel):
    """The launcher of a kernel's one specialisation (its run function carries it)."""
    return kernel._only.run.launcher


def decrement(cell):
    """A reference for the serial `steps -= 1` task."""
    return lambda f, launch: f._memset(
        4, cell._pointer, (f.read(cell._pointer, "i") - 1) & 0xFFFFFFFF, 1
    )


def test_tasks_launch_in_order_with_grids_and_packed_descriptors(backend, tmp_path_factory):
    launcher = three_launcher(backend, tmp_path_factory)
    x, flag = backend.array(qd.f32, (10_000,)), backend.array(qd.i32, ())
    assert launcher.launch((x, flag), 0) == -1
    launches = backend.fake.launches
    assert [launch.name for launch in launches] == ["three_k0", "three_k1", "three_k2", "three_k3"]
    # 4 iterations a thread (gpu-coarsen-tasks): ceil(10000 / 4 / 256) blocks of 256; the
    # flag check is one thread
    assert [launch.grid for launch in launches] == [(10, 1, 1), (10, 1, 1), (1, 1, 1), (10, 1, 1)]
    assert {launch.block for launch in launches} == {(256, 1, 1)}
    first = launches[0]
    words = [first.u64(i) for i in range(len(first.params))]
    at = words.index(x._pointer)
    assert words[at : at + 5] == [x._pointer, x._pointer, 0, 10_000, 1]  # memref<?xf32> descriptor
    assert launcher.state.pointer in words  # every task reads the state itself


def test_a_yield_is_read_from_the_state_once_at_the_end(backend, tmp_path_factory):
    launcher = three_launcher(backend, tmp_path_factory)
    x, flag = backend.array(qd.f32, (8,)), backend.array(qd.i32, ())
    # the flag-check kernel (k2) of slot 1 yields: it writes yielded_at = 1
    state = launcher.state.pointer
    backend.fake.kernels["three_k2"] = lambda f, launch: f._memset(4, state + 4, 1, 1)
    calls = backend.fake.calls
    calls.clear()
    assert launcher.launch((x, flag), 0) == 1
    read = backend.call["memcpy_DtoH"]
    assert calls.count(read) == 1
    assert calls.index(read) > max(i for i, c in enumerate(calls) if c == backend.launch_call)


def test_the_launch_state_is_written_before_the_tasks(backend, tmp_path_factory):
    launcher = three_launcher(backend, tmp_path_factory)
    x, flag = backend.array(qd.f32, (8,)), backend.array(qd.i32, ())
    seen = []
    state = launcher.state.pointer
    backend.fake.kernels["three_k0"] = lambda f, launch: seen.append(
        (f.read(state, "i"), f.read(state + 4, "i"))
    )
    launcher.launch((x, flag), 1)
    assert seen == [(1, -1)]


def test_a_do_while_without_condition_kernels_runs_the_host_loop(backend, tmp_path_factory):
    launcher = loop_launcher(backend, tmp_path_factory)
    x, steps, flag = loop_arrays(backend.array)
    steps[()] = 4
    backend.fake.kernels["looped_k2"] = decrement(steps)
    backend.fake.calls.clear()
    assert launcher.launch((x, steps, flag), 0) == -1
    assert steps[()] == 0
    assert [launch.name for launch in backend.fake.launches].count("looped_k0") == 4
    assert not any("cond" in launch.name for launch in backend.fake.launches)
    # per iteration the host reads the condition and yielded_at: two small copies
    assert backend.fake.calls.count(backend.call["memcpy_DtoH"]) == 2 * 4 + 1  # + steps[()]


def test_a_yield_ends_the_loop_and_a_resume_resets_resume_point_after_one_pass(
    backend, tmp_path_factory
):
    launcher = loop_launcher(backend, tmp_path_factory)
    x, steps, flag = loop_arrays(backend.array)
    steps[()] = 3
    fake, state = backend.fake, launcher.state.pointer
    # the flag check (k1) of slot 0 yields in the first iteration
    fake.kernels["looped_k1"] = lambda f, launch: f._memset(4, state + 4, 0, 1)
    assert launcher.launch((x, steps, flag), 0) == 0
    # one iteration: k2 is still enqueued (its own guard skips it), then the loop ends
    assert [launch.name for launch in fake.launches] == ["looped_k0", "looped_k1", "looped_k2"]
    del fake.kernels["looped_k1"]
    steps[()] = 2
    fake.kernels["looped_k2"] = decrement(steps)
    seen = []
    fake.kernels["looped_k0"] = lambda f, launch: seen.append(
        (f.read(state, "i"), f.read(state + 4, "i"))
    )
    assert launcher.launch((x, steps, flag), 1) == -1
    assert seen == [(1, -1), (0, -1)]  # docs/semantics.md rule 3: only the first pass is partial


def test_device_ndarray_round_trips_through_the_device(backend):
    a = backend.array(qd.f32, (2, 3))
    assert a.to_numpy().tolist() == [[0.0] * 3] * 2
    a.from_numpy(np.arange(6, dtype=np.float64).reshape(2, 3))
    a[1, 2] = 9.5
    assert a[1, 2] == 9.5 and a[0, 1] == 1.0 and a[-1, 0] == 3.0
    b = backend.array(qd.f32, (2, 3))
    b.copy_from(a)
    b.fill(2.0)
    assert a.to_numpy()[1].tolist() == [3.0, 4.0, 9.5] and b.to_numpy().sum() == 12.0
    assert a.__cuda_array_interface__["data"] == (a._pointer, False)
    arch = "cuda" if backend.name == "cuda" else "amdgpu"
    assert repr(a) == f"<qd.ndarray f32[2, 3] on {arch}>"
    assert {backend.call["memset_4"], backend.call["memcpy_DtoD"]} <= set(backend.fake.calls)
    with pytest.raises(IndexError, match="out of bounds"):
        a[2, 0]


class Tensor:
    """What torch and CuPy (CUDA and ROCm builds) show: __cuda_array_interface__ only."""

    def __init__(self, pointer, shape, typestr="<f4", strides=None, stream=None):
        self.__cuda_array_interface__ = {
            "data": (pointer, False),
            "shape": shape,
            "typestr": typestr,
            "strides": strides,
            "version": 3,
            "stream": stream,
        }


def test_array_interface_arguments_pass_zero_copy_after_their_stream(backend, tmp_path_factory):
    launcher = three_launcher(backend, tmp_path_factory)
    storage = backend.array(qd.f32, (300,))
    tensor = Tensor(storage._pointer, (300,), stream=0x7777)
    launcher.launch((tensor, backend.array(qd.i32, ())), 0)
    assert struct.pack("<q", storage._pointer) in backend.fake.launches[0].params
    calls = backend.fake.calls
    assert calls.index(backend.call["stream_wait_event"]) < calls.index(backend.launch_call)
    assert calls.count(backend.call["event_create"]) == calls.count(backend.call["event_destroy"])


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros(4, np.float32), r"\(qd.ndarray on qd\.\w+, .*a numpy array is host memory"),
        (Tensor(1 << 20, (4,), "<f8"), "expected a 1-d f32 array, got typestr <f8"),
        (Tensor(1 << 20, (4, 2), strides=(4, 16)), "expected a 1-d f32 array"),
        (Tensor(1 << 20, (4,), strides=(8,)), "not C-contiguous"),
    ],
)
def test_bad_arguments_name_the_argument_and_the_fix(backend, tmp_path_factory, bad, message):
    launcher = three_launcher(backend, tmp_path_factory)
    with pytest.raises((TypeError, ValueError), match=message) as info:
        launcher.launch((bad, backend.array(qd.i32, ())), 0)
    assert "kernel 'three' argument 0 ('x')" in str(info.value)
    if isinstance(bad, np.ndarray):
        assert f"{backend.device.kind} array" in str(info.value)


def test_a_driver_error_names_the_call(backend, tmp_path_factory):
    launcher = three_launcher(backend, tmp_path_factory)
    backend.fake.fail[backend.launch_call] = backend.launch_failure
    with pytest.raises(
        backend.error, match=f"{backend.launch_call} failed: {backend.launch_failure_name}"
    ):
        launcher.launch((backend.array(qd.f32, (4,)), backend.array(qd.i32, ())), 0)


def test_the_device_binds_once_per_thread(backend):
    device = backend.array(qd.i32, ())._device
    bind = backend.call["bind"]
    before = backend.fake.calls.count(bind)
    device.alloc(4)
    device.synchronize()
    assert backend.fake.calls.count(bind) == before  # this thread is bound already
    worker = threading.Thread(target=lambda: [device.alloc(4), device.alloc(4)])
    worker.start()
    worker.join()
    assert backend.fake.calls.count(bind) == before + 1  # a new thread binds once


def test_zero_bytes_allocate_one_and_small_reads_and_fills_are_checked(backend):
    device = backend.array(qd.i32, ())._device
    pointer = device.alloc(0)  # the drivers refuse a zero-byte allocation
    assert len(backend.fake.buffers[pointer]) == 1
    with pytest.raises(ValueError, match=f"at most {PINNED_BYTES} bytes"):
        device.read_words(pointer, PINNED_BYTES + 1)
    with pytest.raises(ValueError, match="1, 2 or 4 bytes, not 8"):
        device.memset(pointer, 0, 8, 1)


def test_an_event_is_released_when_ordering_fails(backend):
    device = backend.array(qd.i32, ())._device
    record = backend.call["event_record"]
    backend.fake.fail[record] = backend.launch_failure
    with pytest.raises(backend.error, match=f"{record} failed"):
        device.wait_for_stream(0x7777)
    assert backend.fake.calls[-1] == backend.call["event_destroy"]


def test_every_operation_names_a_call_the_backend_has(backend):
    assert set(backend.call) == set(GpuDevice.OPERATIONS)
    missing = [
        name for name in backend.call.values() if not callable(getattr(backend.fake, name, None))
    ]
    assert not missing, missing


def test_qd_init_compiles_caches_and_launches(backend, monkeypatch, tmp_path):
    if backend.name == "hip" and not HAVE_ROCM_TOOLS:
        pytest.skip(
            "llvm-19/lld-19 are not installed: qd.init(arch=qd.amdgpu) cannot build the code object a kernel call needs"
        )
    monkeypatch.setenv("QD_CUDA_ARCH" if backend.name == "cuda" else "QD_ROCM_ARCH", backend.arch)
    monkeypatch.setenv("QD_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("QD_CACHE", "1")
    monkeypatch.setattr("qdmlir.runtime.cache._DEFAULT", None)
    fake = backend.fake
    qd.init(arch=qd.cuda if backend.name == "cuda" else qd.amdgpu)
    try:
        x, flag = qd.ndarray(qd.f32, (8,)), qd.ndarray(qd.i32, ())
        assert isinstance(x, backend.array)
        assert three(x, flag) == qd.GraphStatus(False, None)
        assert [launch.name for launch in fake.launches][:1] == ["three_k0"]
        state = launcher_of(three).state.pointer  # the one specialisation, now built
        fake.kernels["three_k2"] = lambda f, launch: f._memset(4, state + 4, 1, 1)
        assert three(x, flag) == qd.GraphStatus(True, 7)
        fake.launches.clear()
        assert three.resume(x, flag, from_checkpoint=7) == qd.GraphStatus(True, 7)
        assert fake.launches[0].name == "three_k0"  # every task launches; its guard skips it
        with pytest.raises(RuntimeError, match="available labels: 7"):
            three.resume(x, flag, from_checkpoint=8)
        qd.sync()
    finally:
        qd.init(arch=qd.cpu)
    assert isinstance(qd.ndarray(qd.f32, (2,)), qd.Ndarray)


def test_a_loop_of_small_tasks_runs_as_one_loop_kernel(backend, tmp_path_factory):
    """gpu-device-loops: a do-while whose launches all fit in a few blocks is one launch of its
    single-block loop kernel, not a host loop that waits on the device every iteration."""
    launcher = loop_launcher(backend, tmp_path_factory)
    x, steps, flag = loop_arrays(backend.array, size=8)
    steps[()] = 5
    backend.fake.kernels["looped__qd_loop0"] = lambda f, launch: f._memset(
        4, steps._pointer, 0, 1
    )  # what the kernel does on a device: the loop runs down to 0
    backend.fake.calls.clear()
    assert launcher.launch((x, steps, flag), 0) == -1
    assert [launch.name for launch in backend.fake.launches] == ["looped__qd_loop0"]
    assert [launch.grid for launch in backend.fake.launches] == [(1, 1, 1)]
    assert {launch.block for launch in backend.fake.launches} == {(256, 1, 1)}
    # the loop kernel may yield: yielded_at is read once from the device, after it
    assert backend.fake.calls.count(backend.call["memcpy_DtoH"]) == 1


def test_loop_kernels_can_be_turned_off(backend, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("QD_GPU_LOOP_KERNEL", "0")
    launcher = loop_launcher(backend, tmp_path_factory)
    x, steps, flag = loop_arrays(backend.array, size=8)
    steps[()] = 2
    backend.fake.kernels["looped_k2"] = decrement(steps)
    assert launcher.launch((x, steps, flag), 0) == -1
    names = [launch.name for launch in backend.fake.launches]
    assert "looped__qd_loop0" not in names and names.count("looped_k0") == 2


def test_whether_a_loop_fits_is_decided_from_the_launch_grids():
    from qdmlir.runtime.cuda_plan import LOOP_KERNEL_BLOCKS, loop_kernel_for

    def guard(blocks):
        body = [
            {"op": "const", "dst": 1, "type": "index", "value": blocks},
            {"op": "const", "dst": 2, "type": "index", "value": 1},
            {"op": "launch", "kernel": 0, "grid": [1, 2, 2], "block": [2, 2, 2], "args": []},
        ]
        return {"op": "if", "cond": 0, "then": [{"op": "do_while", "body": body, "cond": 3}],
                "else": [], "loop_kernel": "k__qd_loop0"}  # fmt: skip

    assert loop_kernel_for(guard(LOOP_KERNEL_BLOCKS), [True, None, None, None]) == "k__qd_loop0"
    assert loop_kernel_for(guard(LOOP_KERNEL_BLOCKS + 1), [True, None, None, None]) is None
    read = guard(1)
    read["then"][0]["body"][0] = {"op": "load", "dst": 1, "memref": 0, "indices": []}
    assert loop_kernel_for(read, [True, None, None, None]) is None  # a grid read from memory
    assert loop_kernel_for({**guard(1), "loop_kernel": None}, [True]) is None


def test_vector_arguments_pass_their_entries_and_full_descriptors(backend, tmp_path_factory):
    from gpu_test_kernels import PUSHED_ARGS, pushed

    folder = artifact(tmp_path_factory, backend.name, pushed, PUSHED_ARGS, backend.arch)
    launcher = backend.launcher(folder)
    x = backend.array(qd.f32, (100,), (3,))  # an ndarray of vec3: its entries are a last axis
    x[7] = qd.Vector([1.0, 2.0, 3.0])
    assert x[7].to_list() == [1.0, 2.0, 3.0] and x.to_numpy().shape == (100, 3)
    launcher.launch((x, qd.math.vec3(0.5, -1.0, 2.5)), 0)
    (launch,) = backend.fake.launches
    words = [launch.u64(i) for i in range(len(launch.params))]
    at = words.index(x._pointer)
    # memref<?x3xf32>: pointers, offset 0, sizes (100, 3), strides (3, 1)
    assert words[at : at + 7] == [x._pointer, x._pointer, 0, 100, 3, 3, 1]
    floats = [struct.unpack("<f", p[:4])[0] for p in launch.params[at + 7 : at + 10]]
    assert floats == [0.5, -1.0, 2.5]  # g's entries, taken apart by the host plan
    with pytest.raises(TypeError, match=r"expected a \[Tensor \(3\) f32\] value"):
        launcher.launch((x, [1.0, 2.0]), 0)
