"""The CUDA runtime against a fake driver (tests/python/fake_cuda_driver.py): no GPU needed.

Checks what a GPU run depends on besides the kernels themselves: launch order and grids,
parameter packing against the PTX's `.param` lists, the launch state, when a CUDA graph is
built and replayed, the WHILE-node structure of a device-side do-while, the host fallback loop,
status reading, device ndarrays and error messages.
"""

import struct

import numpy as np
import pytest
from fake_cuda_driver import FakeDriver
from gpu_test_kernels import LOOP_ARGS, THREE_ARGS, looped, three

import qdmlir as qd
from qdmlir.frontend.compiler import Compilation
from qdmlir.runtime import cuda_driver
from qdmlir.runtime.cuda import CudaLauncher, CudaLoadError, graph_policy
from qdmlir.runtime.cuda_driver import CudaError
from qdmlir.runtime.cuda_ndarray import DeviceNdarray

_BUILT = {}


def artifact(tmp_path_factory, kernel, args, arch):
    key = (kernel.__name__, arch)
    if key not in _BUILT:
        folder = tmp_path_factory.mktemp(f"{kernel.__name__}_{arch}")
        Compilation.for_kernel(kernel, args, target="cuda", arch=arch).write_artifact(folder)
        _BUILT[key] = folder
    return _BUILT[key]


@pytest.fixture
def fake(monkeypatch):
    driver = FakeDriver()
    cuda_driver.use_driver(driver)
    monkeypatch.setenv("QD_CUDA_GRAPH", "auto")
    yield driver
    cuda_driver.use_driver(None)


def test_tasks_launch_in_order_with_grids_and_packed_descriptors(fake, tmp_path_factory):
    launcher = CudaLauncher(artifact(tmp_path_factory, three, THREE_ARGS, "sm_90"))
    x, flag = DeviceNdarray(qd.f32, (1000,)), DeviceNdarray(qd.i32, ())
    assert launcher.launch((x, flag), 0) == -1
    assert [launch.name for launch in fake.launches] == [
        "three_k0",
        "three_k1",
        "three_k2",
        "three_k3",
    ]
    grids = [launch.grid for launch in fake.launches]
    assert grids == [(4, 1, 1), (4, 1, 1), (1, 1, 1), (4, 1, 1)]  # ceil(1000 / 256); the flag check
    first = fake.launches[0]
    words = [first.u64(i) for i in range(len(first.params))]
    at = words.index(x._pointer)
    assert words[at : at + 5] == [x._pointer, x._pointer, 0, 1000, 1]  # memref<?xf32> descriptor
    assert launcher.state.pointer in words  # every task reads the state itself


def test_a_yield_is_read_from_the_state_once_at_the_end(fake, tmp_path_factory):
    launcher = CudaLauncher(artifact(tmp_path_factory, three, THREE_ARGS, "sm_90"))
    x, flag = DeviceNdarray(qd.f32, (8,)), DeviceNdarray(qd.i32, ())
    # the flag-check kernel (k2) of slot 1 yields: it writes yielded_at = 1
    fake.kernels["three_k2"] = lambda f, launch: f._memset(4, launcher.state.pointer + 4, 1, 1)
    fake.calls.clear()
    assert launcher.launch((x, flag), 0) == 1
    assert fake.calls.count("cuMemcpyDtoHAsync") == 1
    assert fake.calls.index("cuMemcpyDtoHAsync") > max(
        i for i, c in enumerate(fake.calls) if c == "cuLaunchKernel"
    )


def test_the_launch_state_is_written_before_the_tasks(fake, tmp_path_factory):
    launcher = CudaLauncher(artifact(tmp_path_factory, three, THREE_ARGS, "sm_90"))
    x, flag = DeviceNdarray(qd.f32, (8,)), DeviceNdarray(qd.i32, ())
    seen = []
    fake.kernels["three_k0"] = lambda f, launch: seen.append(
        (f.read(launcher.state.pointer, "i"), f.read(launcher.state.pointer + 4, "i"))
    )
    launcher.launch((x, flag), 1)
    assert seen == [(1, -1)]


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
    x, steps, flag = (
        DeviceNdarray(qd.f32, (8,)),
        DeviceNdarray(qd.i32, ()),
        DeviceNdarray(qd.i32, ()),
    )
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


def test_sm80_do_while_runs_the_host_loop(fake, tmp_path_factory):
    fake.capability = (8, 0)
    cuda_driver.use_driver(fake)
    launcher = CudaLauncher(artifact(tmp_path_factory, looped, LOOP_ARGS, "sm_80"))
    x, steps, flag = (
        DeviceNdarray(qd.f32, (8,)),
        DeviceNdarray(qd.i32, ()),
        DeviceNdarray(qd.i32, ()),
    )
    steps[()] = 4
    _loop_references(fake, launcher, steps)
    fake.calls.clear()
    assert launcher.launch((x, steps, flag), 0) == -1
    assert launcher.graph_disabled and "no condition kernel" in launcher.graph_disabled
    assert steps[()] == 0
    assert [launch.name for launch in fake.launches].count("looped_k0") == 4
    # per iteration the host reads the condition and yielded_at: two small copies
    assert fake.calls.count("cuMemcpyDtoHAsync") == 2 * 4 + 1  # + the steps[()] read above


def test_device_ndarray_round_trips_through_the_driver(fake):
    a = DeviceNdarray(qd.f32, (2, 3))
    assert a.to_numpy().tolist() == [[0.0] * 3] * 2
    a.from_numpy(np.arange(6, dtype=np.float64).reshape(2, 3))
    a[1, 2] = 9.5
    assert a[1, 2] == 9.5 and a[0, 1] == 1.0 and a[-1, 0] == 3.0
    b = DeviceNdarray(qd.f32, (2, 3))
    b.copy_from(a)
    b.fill(2.0)
    assert a.to_numpy()[1].tolist() == [3.0, 4.0, 9.5] and b.to_numpy().sum() == 12.0
    assert a.__cuda_array_interface__["data"] == (a._pointer, False)
    with pytest.raises(IndexError, match="out of bounds"):
        a[2, 0]


class Tensor:
    """What torch and CuPy show: __cuda_array_interface__ only."""

    def __init__(self, pointer, shape, typestr="<f4", strides=None, stream=None):
        self.__cuda_array_interface__ = {
            "data": (pointer, False),
            "shape": shape,
            "typestr": typestr,
            "strides": strides,
            "version": 3,
            "stream": stream,
        }


def test_cuda_array_interface_arguments_pass_zero_copy(fake, tmp_path_factory):
    launcher = CudaLauncher(artifact(tmp_path_factory, three, THREE_ARGS, "sm_90"))
    storage = DeviceNdarray(qd.f32, (300,))
    tensor = Tensor(storage._pointer, (300,), stream=12345)
    launcher.launch((tensor, DeviceNdarray(qd.i32, ())), 0)
    assert (
        fake.launches[0].u64(fake.launches[0].params.index(struct.pack("<q", storage._pointer)))
        == storage._pointer
    )
    assert "cuStreamWaitEvent" in fake.calls  # ordered after the producer's stream


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros(4, np.float32), "a numpy array is host memory"),
        (Tensor(1 << 20, (4,), "<f8"), "expected a 1-d f32 array, got typestr <f8"),
        (Tensor(1 << 20, (4, 2), strides=(4, 16)), "expected a 1-d f32 array"),
        (Tensor(1 << 20, (4,), strides=(8,)), "not C-contiguous"),
    ],
)
def test_bad_arguments_name_the_argument_and_the_fix(fake, tmp_path_factory, bad, message):
    launcher = CudaLauncher(artifact(tmp_path_factory, three, THREE_ARGS, "sm_90"))
    with pytest.raises((TypeError, ValueError), match=message) as info:
        launcher.launch((bad, DeviceNdarray(qd.i32, ())), 0)
    assert "kernel 'three' argument 0 ('x')" in str(info.value)


def test_a_driver_error_names_the_call(fake, tmp_path_factory):
    launcher = CudaLauncher(artifact(tmp_path_factory, three, THREE_ARGS, "sm_90"))
    fake.fail["cuLaunchKernel"] = fake.CUresult.CUDA_ERROR_LAUNCH_FAILED
    with pytest.raises(CudaError, match="cuLaunchKernel failed: CUDA_ERROR_LAUNCH_FAILED"):
        launcher.launch((DeviceNdarray(qd.f32, (4,)), DeviceNdarray(qd.i32, ())), 0)


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


def test_qd_init_cuda_compiles_caches_and_launches(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("QD_CUDA_ARCH", "sm_90")
    monkeypatch.setenv("QD_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("QD_CACHE", "1")
    monkeypatch.setattr("qdmlir.runtime.cache._DEFAULT", None)
    qd.init(arch=qd.cuda)
    try:
        x, flag = qd.ndarray(qd.f32, (8,)), qd.ndarray(qd.i32, ())
        assert isinstance(x, DeviceNdarray)
        assert three(x, flag) == qd.GraphStatus(False, None)
        assert [launch.name for launch in fake.launches][:1] == ["three_k0"]
        with pytest.raises(RuntimeError, match="available labels: 7"):
            three.resume(x, flag, from_checkpoint=8)
    finally:
        qd.init(arch=qd.cpu)
    assert isinstance(qd.ndarray(qd.f32, (2,)), qd.Ndarray)


def test_every_driver_call_exists_in_the_real_bindings():
    """Where cuda-bindings is installed (it imports without a GPU), the fake's surface is real."""
    real = pytest.importorskip("cuda.bindings.driver", reason="cuda-bindings is not installed")
    used = [n for n in dir(FakeDriver) if n.startswith("cu") or n.startswith("CU")]
    missing = [n for n in used if not hasattr(real, n)]
    assert not missing, missing
