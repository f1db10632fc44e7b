"""The CUDA runtime against a fake driver (tests/python/fake_cuda_driver.py): no GPU needed.

What only CUDA has: when a CUDA graph is built and replayed, the WHILE-node structure of a
device-side do-while, the fallback to direct launches, loading a cubin or its PTX, qd.init.
What CUDA shares with HIP (launch order and packing, the launch state, the host loop, device
ndarrays, argument errors) is in test_gpu_device.py, run on both.
"""

import sys
import threading

import gpu_backends
import numpy as np
import pytest
from fake_cuda_driver import FakeDriver
from gpu_test_kernels import LOOP_ARGS, THREE_ARGS, looped, three

import qdmlir as qd
from qdmlir.runtime import cuda_driver
from qdmlir.runtime.artifact import ArgSpec
from qdmlir.runtime.cuda import GRAPH_CACHE_SIZE, CudaLauncher, CudaLoadError, graph_policy
from qdmlir.runtime.cuda_driver import CudaError
from qdmlir.runtime.cuda_ndarray import DeviceNdarray

I32_0D = qd.types.ndarray(qd.i32, 0)


def artifact(tmp_path_factory, kernel, args, arch):
    return gpu_backends.artifact(tmp_path_factory, "cuda", kernel, args, arch)


@pytest.fixture
def fake(monkeypatch):
    driver = FakeDriver()
    cuda_driver.use_driver(driver)
    monkeypatch.setenv("QD_CUDA_GRAPH", "auto")
    yield driver
    cuda_driver.use_driver(None)


def test_a_steady_call_replays_a_graph(fake, tmp_path_factory):
    launcher = CudaLauncher(artifact(tmp_path_factory, three, THREE_ARGS, "sm_90"))
    x, flag = DeviceNdarray(qd.f32, (8,)), DeviceNdarray(qd.i32, ())
    launcher.launch((x, flag), 0)
    assert "cuGraphCreate" not in fake.calls  # first sight: direct launches
    launcher.launch((x, flag), 0)
    launcher.launch((x, flag), 0)
    assert fake.calls.count("cuGraphCreate") == 1 and fake.graphs_launched == 2
    other = DeviceNdarray(qd.f32, (16,))
    launcher.launch((other, flag), 0)
    assert fake.graphs_launched == 2  # new arguments: direct again
    assert [launch.name for launch in fake.launches[-4:]] == [
        "three_k0",
        "three_k1",
        "three_k2",
        "three_k3",
    ]


def steady(fake, tmp_path_factory):
    """A launcher of `three` past its first two calls: its graph is recorded for replay."""
    launcher = CudaLauncher(artifact(tmp_path_factory, three, THREE_ARGS, "sm_90"))
    x, flag = DeviceNdarray(qd.f32, (8,)), DeviceNdarray(qd.i32, ())
    for _ in range(2):
        launcher.launch((x, flag), 0)
    assert launcher._replay is not None
    fake.calls.clear()
    return launcher, x, flag


def test_a_steady_call_is_three_driver_calls(fake, tmp_path_factory):
    launcher, x, flag = steady(fake, tmp_path_factory)
    state = launcher.state.pointer
    fake.kernels["three_k2"] = lambda f, launch: f._memset(4, state + 4, 1, 1)  # slot 1 yields
    assert launcher.launch((x, flag), 0) == 1
    assert fake.calls == ["cuGraphLaunch", "cuMemcpyDtoHAsync", "cuStreamSynchronize"]
    del fake.kernels["three_k2"]
    assert launcher.launch((x, flag), 0) == -1  # the graph resets the state on every replay
    run = launcher.returning(["done", "yielded at 0", "yielded at 1"])
    assert run((x, flag), 0) == "done" and run.launcher is launcher


@pytest.mark.parametrize(
    "change",
    ["another array", "another resume point", "a tensor", "too few arguments", "a numpy array"],
)
def test_anything_but_the_same_objects_takes_the_checked_path(fake, tmp_path_factory, change):
    launcher, x, flag = steady(fake, tmp_path_factory)
    if change == "another array":
        args, resume_point = (DeviceNdarray(qd.f32, (8,)), flag), 0
    elif change == "another resume point":
        args, resume_point = (x, flag), 1
    elif change == "a tensor":  # the same memory, but no identity to trust: its stream is waited
        args, resume_point = (Tensor(x._pointer, (8,), stream=0x77), flag), 0
    elif change == "too few arguments":
        with pytest.raises(TypeError, match=r"kernel 'three' takes 2 arguments \(x, flag\), got 1"):
            launcher.launch((x,), 0)
        return
    else:
        with pytest.raises(TypeError, match="a numpy array is host memory"):
            launcher.launch((np.zeros(8, np.float32), flag), 0)
        return
    launcher.launch(args, resume_point)
    assert fake.calls[:2] != ["cuGraphLaunch", "cuMemcpyDtoHAsync"]  # not the replay
    if change == "a tensor":
        assert "cuStreamWaitEvent" in fake.calls


class Tensor:
    """What torch and CuPy show: __cuda_array_interface__ only."""

    def __init__(self, pointer, shape, stream=None):
        self.__cuda_array_interface__ = {
            "data": (pointer, False), "shape": shape, "typestr": "<f4", "strides": None,
            "version": 3, "stream": stream,
        }  # fmt: skip


def test_an_evicted_graph_is_never_replayed(fake, tmp_path_factory):
    launcher, x, flag = steady(fake, tmp_path_factory)
    (first,) = [g[0] for g in launcher._graphs.values()]
    others = [DeviceNdarray(qd.f32, (8,)) for _ in range(GRAPH_CACHE_SIZE)]
    for other in others:  # as many new graphs as the cache holds: `first` goes
        for _ in range(2):
            launcher.launch((other, flag), 0)
    assert all(g[0] is not first for g in launcher._graphs.values())
    assert launcher._replay[2] is not first
    assert launcher.launch((x, flag), 0) == -1  # the fake refuses a destroyed executable
    assert "cuGraphCreate" in fake.calls[-20:]  # x's graph was built again


def test_a_failed_replay_names_the_call(fake, tmp_path_factory):
    launcher, x, flag = steady(fake, tmp_path_factory)
    fake.fail["cuGraphLaunch"] = fake.CUresult.CUDA_ERROR_LAUNCH_FAILED
    with pytest.raises(CudaError, match="cuGraphLaunch failed: CUDA_ERROR_LAUNCH_FAILED"):
        launcher.launch((x, flag), 0)


def test_two_kernels_replaying_in_two_threads_each_read_their_own_status(fake, tmp_path_factory):
    """Both read `yielded_at` through the device's one pinned buffer: one at a time."""
    folder = artifact(tmp_path_factory, three, THREE_ARGS, "sm_90")
    yielding, quiet = CudaLauncher(folder), CudaLauncher(folder)
    x, flag = DeviceNdarray(qd.f32, (8,)), DeviceNdarray(qd.i32, ())

    def yield_on_slot_1(f, launch):  # the flag check: yields when run by `yielding`
        state = yielding.state.pointer
        if state in [launch.u64(i) for i in range(len(launch.params))]:
            f._memset(4, state + 4, 1, 1)

    fake.kernels["three_k2"] = yield_on_slot_1
    results, CALLS = {yielding: [], quiet: []}, 1000

    def worker(launcher):
        for _ in range(CALLS):
            results[launcher].append(launcher.launch((x, flag), 0))

    threads = [threading.Thread(target=worker, args=(launcher,)) for launcher in results]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: between any two calls
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert results[yielding] == [1] * CALLS and results[quiet] == [-1] * CALLS
    assert fake.graphs_launched >= 2 * (CALLS - 2)  # replays, concurrently


@pytest.mark.parametrize(
    "loops, seen, mode, build",
    [
        (False, 1, "auto", False),
        (False, 2, "auto", True),
        (True, 1, "auto", True),
        (True, 5, "0", False),
        (False, 1, "1", True),
    ],
)
def test_graph_policy(loops, seen, mode, build):
    assert graph_policy(loops, seen, mode) is build


def _loop_references(fake, launcher, steps):
    """cond0: the entry guard (true); cond1: steps != 0; k2: the serial `steps -= 1`."""

    def decrement(f, launch):
        f._memset(4, steps._pointer, (f.read(steps._pointer, "i") - 1) & 0xFFFFFFFF, 1)

    def condition(f, launch):
        f.set_conditional(launch.u64(len(launch.params) - 1), int(f.read(steps._pointer, "i") != 0))

    fake.kernels["looped_k2"] = decrement
    fake.kernels["looped__qd_cond0"] = lambda f, launch: f.set_conditional(
        launch.u64(len(launch.params) - 1), 1
    )
    fake.kernels["looped__qd_cond1"] = condition


def test_sm90_do_while_is_one_graph_with_a_while_node(fake, tmp_path_factory):
    launcher = CudaLauncher(artifact(tmp_path_factory, looped, LOOP_ARGS, "sm_90"))
    x, steps, flag = gpu_backends.loop_arrays(DeviceNdarray)
    steps[()] = 3
    _loop_references(fake, launcher, steps)
    assert launcher.launch((x, steps, flag), 0) == -1
    assert launcher.graph_disabled is None and fake.graphs_launched == 1
    assert "cuLaunchKernel" not in fake.calls  # no host launch, no host loop
    assert steps[()] == 0
    assert [launch.name for launch in fake.launches].count("looped_k0") == 3
    (graph,) = [g for g in launcher._graphs.values()]
    root = graph[1].nodes
    assert [n[0] for n in root] == ["memset", "memset", "kernel", "conditional"]
    assert root[2][1].name == "looped__qd_cond0" and root[3][1] == "WHILE"
    body = root[3][3].nodes
    assert body[-1][1].name == "looped__qd_cond1" and body[-2][0] == "memset"


def test_sm80_has_no_condition_kernels_so_its_do_while_stays_direct(fake, tmp_path_factory):
    fake.capability = (8, 0)
    cuda_driver.use_driver(fake)
    launcher = CudaLauncher(artifact(tmp_path_factory, looped, LOOP_ARGS, "sm_80"))
    x, steps, flag = gpu_backends.loop_arrays(DeviceNdarray)
    steps[()] = 2
    _loop_references(fake, launcher, steps)
    assert launcher.launch((x, steps, flag), 0) == -1 and steps[()] == 0
    assert launcher.graph_disabled and "no condition kernel" in launcher.graph_disabled
    assert "cuGraphCreate" in fake.calls and fake.graphs_launched == 0  # tried, then direct


def test_an_unloadable_image_says_which_arch(fake, tmp_path_factory):
    folder = artifact(tmp_path_factory, three, THREE_ARGS, "sm_90")
    fake.fail["cuModuleLoadData"] = fake.CUresult.CUDA_ERROR_INVALID_IMAGE
    launcher = CudaLauncher(folder)  # the cubin fails, the PTX loads
    assert launcher.module == 0 or launcher.module is not None
    fake.capability = (8, 0)
    cuda_driver.use_driver(fake)  # a fresh device object: now an sm_80
    fake.fail["cuModuleLoadData"] = fake.CUresult.CUDA_ERROR_INVALID_IMAGE
    with pytest.raises(CudaLoadError, match=r"built for sm_90\) on this sm_80 device"):
        CudaLauncher(folder)


def test_every_driver_call_exists_in_the_real_bindings():
    """Where cuda-bindings is installed (it imports without a GPU), the fake's surface is real."""
    real = pytest.importorskip("cuda.bindings.driver", reason="cuda-bindings is not installed")
    used = [n for n in dir(FakeDriver) if n.startswith("cu") or n.startswith("CU")]
    missing = [n for n in used if not hasattr(real, n)]
    assert not missing, missing


def test_a_driver_that_refuses_the_graph_leaves_direct_launches_and_says_why(
    fake, tmp_path_factory
):
    launcher = CudaLauncher(artifact(tmp_path_factory, looped, LOOP_ARGS, "sm_90"))
    x, steps, flag = gpu_backends.loop_arrays(DeviceNdarray)
    steps[()] = 2
    _loop_references(fake, launcher, steps)
    fake.fail["cuGraphInstantiate"] = fake.CUresult.CUDA_ERROR_INVALID_VALUE
    with pytest.warns(
        RuntimeWarning, match="CUDA graphs are off for it .*cuGraphInstantiate failed"
    ):
        assert launcher.launch((x, steps, flag), 0) == -1
    assert steps[()] == 0  # the same call ran: direct launches, the host loop
    assert "the driver refused the graph" in launcher.graph_disabled
    assert fake.graphs_launched == 0 and fake.calls.count("cuGraphDestroy") == 1
    fake.calls.clear()
    steps[()] = 1
    launcher.launch((x, steps, flag), 0)
    assert "cuGraphCreate" not in fake.calls  # not tried again


@qd.kernel(graph=True, checkpoints=True)
def nested(x: qd.types.ndarray(qd.i32, 1), outer: I32_0D, inner: I32_0D):
    while qd.graph.do_while(outer):
        while qd.graph.do_while(inner):
            for i in range(x.shape[0]):
                x[i] += 1
            for _ in range(1):
                inner[()] -= 1
        for _ in range(1):
            outer[()] -= 1


def test_a_condition_handle_belongs_to_the_graph_that_holds_its_node(fake, tmp_path_factory):
    args = [
        ArgSpec("x", "ndarray", "i32", 1),
        *(ArgSpec(n, "ndarray", "i32", 0) for n in ("outer", "inner")),
    ]
    launcher = CudaLauncher(artifact(tmp_path_factory, nested, args, "sm_90"))
    # x large enough for the loops to stay WHILE nodes (a small one runs as the loop kernel)
    cells = DeviceNdarray(qd.i32, (8192,)), DeviceNdarray(qd.i32, ()), DeviceNdarray(qd.i32, ())
    launcher.launch(cells, 0)
    (executable, root) = next(iter(launcher._graphs.values()))
    (outer,) = [node for node in root.nodes if node[0] == "conditional"]
    assert outer[1] == "WHILE" and fake.handle_graphs[outer[2]] is root
    (inner,) = [node for node in outer[3].nodes if node[0] == "conditional"]
    assert fake.handle_graphs[inner[2]] is outer[3]  # the outer loop's body, not the root


def test_a_steady_kernel_call_is_the_generated_function(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("QD_CUDA_ARCH", "sm_90")
    monkeypatch.setenv("QD_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr("qdmlir.runtime.cache._DEFAULT", None)
    qd.init(arch=qd.cuda)
    try:
        x, flag = qd.ndarray(qd.f32, (8,)), qd.ndarray(qd.i32, ())
        for _ in range(3):
            assert three(x, flag) == qd.GraphStatus(False, None)
        assert type(three).__call__.__code__.co_filename == "<qd launch three>"
        fake.calls.clear()
        assert three(x, flag) == qd.GraphStatus(False, None)
        assert fake.calls == ["cuGraphLaunch", "cuMemcpyDtoHAsync", "cuStreamSynchronize"]
        assert three(x=x, flag=flag) == qd.GraphStatus(False, None)  # keywords: general path
        with pytest.raises(TypeError, match="takes 2 argument"):
            three(x)
        state = three._only.run.launcher.state.pointer
        fake.kernels["three_k2"] = lambda f, launch: f._memset(4, state + 4, 1, 1)
        assert three(x, flag) == qd.GraphStatus(True, 7)
        assert three.resume(x, flag, from_checkpoint=7) == qd.GraphStatus(True, 7)
    finally:
        qd.init(arch=qd.cpu)


@pytest.mark.parametrize("arch", ["sm_90", "sm_80"])
def test_a_small_do_while_is_one_kernel_node_on_every_chip(fake, tmp_path_factory, arch):
    """The loop kernel needs no graph conditional: a loop of small tasks is one kernel node,
    so an sm_80 loop is a graph too, where a large one stays direct (no condition kernels)."""
    if arch == "sm_80":
        fake.capability = (8, 0)
        cuda_driver.use_driver(fake)
    launcher = CudaLauncher(artifact(tmp_path_factory, looped, LOOP_ARGS, arch))
    x, steps, flag = gpu_backends.loop_arrays(DeviceNdarray, size=8)
    steps[()] = 3
    fake.kernels["looped__qd_loop0"] = lambda f, launch: f._memset(4, steps._pointer, 0, 1)
    assert launcher.launch((x, steps, flag), 0) == -1 and steps[()] == 0
    assert launcher.graph_disabled is None and fake.graphs_launched == 1
    (graph,) = [g for g in launcher._graphs.values()]
    nodes = graph[1].nodes
    assert [n[0] for n in nodes] == ["memset", "memset", "kernel"]
    assert nodes[2][1].name == "looped__qd_loop0"
