"""Sections on the GPU targets, without a GPU (docs/architecture.md §7): the launch plan's
`parallel` instruction, the CUDA graph's branches and join (over fake_cuda_driver.py, which
records each node's edges), the direct path's streams and events, and HIP running them in
order. tests/gpu/ runs the same kernels on a device."""

import gpu_backends
import numpy as np
import pytest
from fake_cuda_driver import FakeDriver
from gpu_test_kernels import FORKED_ARGS, FORKED_LOOP_ARGS, forked, forked_loop

import qdmlir as qd
from qdmlir.frontend.compiler import Compilation
from qdmlir.runtime import cuda_driver
from qdmlir.runtime.artifact import ArgSpec
from qdmlir.runtime.cuda import CudaLauncher
from qdmlir.runtime.cuda_ndarray import DeviceNdarray


def plan_shape(plan: dict, body: list) -> list:
    """The plan's control structure with launches by kernel name (host arithmetic dropped)."""
    shape = []
    for inst in body:
        if inst["op"] == "launch":
            shape.append(plan["kernels"][inst["kernel"]]["name"])
        elif inst["op"] == "parallel":
            shape.append(("parallel", [plan_shape(plan, s) for s in inst["sections"]]))
        elif inst["op"] == "if":
            shape.append(("if", plan_shape(plan, inst["then"]), plan_shape(plan, inst["else"])))
        elif inst["op"] == "do_while":
            shape.append(("do_while", plan_shape(plan, inst["body"])))
    return shape


@pytest.mark.parametrize("target, arch", [("cuda", "sm_90"), ("cuda", "sm_80"), ("rocm", "gfx90a")])
def test_the_plan_holds_each_section_in_order_and_the_sections_side_by_side(target, arch):
    compilation = Compilation.for_kernel(forked, FORKED_ARGS, target=target, arch=arch)
    build = compilation.cuda_build() if target == "cuda" else compilation.rocm_build()
    main = build.plan["functions"]["forked"]["body"]
    assert plan_shape(build.plan, main) == [
        "forked_k0",
        ("parallel", [["forked_k1", "forked_k2"], ["forked_k3", "forked_k4"]]),
        "forked_k5",  # the checkpoint's task, after the join
        "forked_k6",  # its flag check
    ]
    (fork,) = [inst for inst in main if inst["op"] == "parallel"]
    assert {inst["op"] for s in fork["sections"] for inst in s} <= {
        "const",
        "arith",
        "dim",
        "launch",
    }


def test_a_fork_in_a_do_while_is_in_the_loop_body_and_its_loop_kernel():
    build = Compilation.for_kernel(
        forked_loop, FORKED_LOOP_ARGS, target="cuda", arch="sm_90"
    ).cuda_build()
    (guard,) = plan_shape(build.plan, build.plan["functions"]["forked_loop"]["body"])
    assert guard == (
        "if",
        [
            (
                "do_while",
                [
                    ("parallel", [["forked_loop_k0"], ["forked_loop_k1"]]),
                    "forked_loop_k2",
                ],
            )
        ],
        [],
    )
    # the single-block loop kernel (passes/gpu_device_loops.py) runs both sections in turn
    assert "forked_loop__qd_loop0" in build.kernel_names()


# -- the CUDA runtime over the fake driver -------------------------------------------------------


@pytest.fixture
def fake(monkeypatch):
    driver = FakeDriver()
    cuda_driver.use_driver(driver)
    yield driver
    cuda_driver.use_driver(None)


def forked_launcher(tmp_path_factory):
    launcher = CudaLauncher(
        gpu_backends.artifact(tmp_path_factory, "cuda", forked, FORKED_ARGS, "sm_90")
    )
    args = (DeviceNdarray(qd.f32, (64,)), DeviceNdarray(qd.f32, (64,)), DeviceNdarray(qd.i32, ()))
    return launcher, args


def test_a_graph_branches_each_section_from_the_fork_and_joins_them(
    fake, tmp_path_factory, monkeypatch
):
    monkeypatch.setenv("QD_CUDA_GRAPH", "1")
    launcher, args = forked_launcher(tmp_path_factory)
    launcher.launch(args, 0)
    ((graph, _),) = [value for value in launcher._graphs.values()]
    kernels = {node[1].name: node for node in graph.nodes if node[0] == "kernel"}
    (join,) = [node for node in graph.nodes if node[0] == "empty"]

    def after(node):
        return graph.dependencies(node)

    k = [kernels[f"forked_k{i}"] for i in range(7)]
    assert after(k[1]) == [k[0]] and after(k[3]) == [k[0]]  # both branches fork from k0
    assert after(k[2]) == [k[1]] and after(k[4]) == [k[3]]  # each keeps its order
    assert after(join) == [k[2], k[4]]  # the join waits for both branches
    assert after(k[5]) == [join] and after(k[6]) == [k[5]]
    between = {(graph.index(a), graph.index(b)) for a in k[1:3] for b in k[3:5]}
    assert not between & set(graph.edges)  # no edge between the sections, either way
    assert not {(b, a) for a, b in between} & set(graph.edges)


def test_direct_launches_put_each_section_on_its_stream_between_two_events(
    fake, tmp_path_factory, monkeypatch
):
    monkeypatch.setenv("QD_CUDA_GRAPH", "0")
    launcher, args = forked_launcher(tmp_path_factory)
    fake.launches.clear()
    fake.ordering.clear()
    launcher.launch(args, 0)
    main = launcher.device.stream
    streams = {launch.name: launch.stream for launch in fake.launches}
    first, second = streams["forked_k1"], streams["forked_k3"]
    assert streams["forked_k0"] == streams["forked_k5"] == streams["forked_k6"] == main
    assert streams["forked_k2"] == first and streams["forked_k4"] == second
    assert len({main, first, second}) == 3
    # one event forks both streams from the runtime's; one per section joins it back
    fork_record, *waits = fake.ordering[:3]
    assert fork_record[0] == "record" and fork_record[2] == main
    assert waits == [("wait", first, fork_record[1]), ("wait", second, fork_record[1])]
    (_, one, _), (_, two, _) = fake.ordering[3::2]
    assert fake.ordering[3:] == [
        ("record", one, first),
        ("wait", main, one),
        ("record", two, second),
        ("wait", main, two),
    ]
    # in time: the fork before the sections' launches, the joins before the next launch
    calls = [c for c in fake.calls if c in ("cuLaunchKernel", "cuEventRecord", "cuStreamWaitEvent")]
    assert calls == [
        "cuLaunchKernel",  # k0
        "cuEventRecord",
        "cuStreamWaitEvent",
        "cuStreamWaitEvent",
        *["cuLaunchKernel"] * 4,  # k1 k2 on the first stream, k3 k4 on the second
        *["cuEventRecord", "cuStreamWaitEvent"] * 2,
        "cuLaunchKernel",  # k5
        "cuLaunchKernel",  # k6
    ]
    # the streams are made once and kept
    created = fake.calls.count("cuStreamCreate")
    launcher.launch(args, 0)
    assert fake.calls.count("cuStreamCreate") == created


@qd.kernel(graph=True)
def bound_from_the_device(x: qd.types.ndarray(qd.f32, 1), n: qd.types.ndarray(qd.i32, 0)):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            for i in range(n[()]):  # the host reads n[()] from the device for the grid
                x[i] += 1.0
        with qd.graph.parallel():
            for i in range(x.shape[0]):
                x[i] *= 2.0


def test_a_section_the_host_must_read_device_memory_for_runs_in_order(
    fake, tmp_path_factory, monkeypatch
):
    monkeypatch.setenv("QD_CUDA_GRAPH", "0")
    args = [ArgSpec("x", "ndarray", "f32", 1), ArgSpec("n", "ndarray", "i32", 0)]
    launcher = CudaLauncher(
        gpu_backends.artifact(tmp_path_factory, "cuda", bound_from_the_device, args, "sm_90")
    )
    n = DeviceNdarray(qd.i32, ())
    n.from_numpy(np.array(4, np.int32))
    fake.launches.clear()
    launcher.launch((DeviceNdarray(qd.f32, (8,)), n), 0)
    assert {launch.stream for launch in fake.launches} == {launcher.device.stream}
    assert "cuEventRecord" not in fake.calls[fake.calls.index("cuMemcpyDtoHAsync") :]


def test_a_fork_in_a_device_loop_branches_inside_the_while_body(
    fake, tmp_path_factory, monkeypatch
):
    monkeypatch.setenv("QD_CUDA_GRAPH", "1")
    monkeypatch.setenv("QD_GPU_LOOP_KERNEL", "0")  # the WHILE node, not the one-block kernel
    launcher = CudaLauncher(
        gpu_backends.artifact(tmp_path_factory, "cuda", forked_loop, FORKED_LOOP_ARGS, "sm_90")
    )
    args = (DeviceNdarray(qd.f32, (64,)), DeviceNdarray(qd.f32, (64,)), DeviceNdarray(qd.i32, ()))
    launcher.launch(args, 0)
    ((graph, _),) = [value for value in launcher._graphs.values()]
    (loop,) = [node for node in graph.nodes if node[0] == "conditional"]
    body = loop[3]
    names = [node[1].name if node[0] == "kernel" else node[0] for node in body.nodes]
    assert names == ["forked_loop_k0", "forked_loop_k1", "empty", "forked_loop_k2"] + names[4:]
    k0, k1, join, k2 = body.nodes[:4]
    assert body.dependencies(k0) == [] and body.dependencies(k1) == []  # from the body's start
    assert body.dependencies(join) == [k0, k1] and body.dependencies(k2) == [join]


# -- HIP: the sections run in order on its one stream ------------------------------------------


def test_hip_runs_the_sections_in_order_on_its_stream(tmp_path_factory):
    backend = gpu_backends.install("hip")
    try:
        folder = gpu_backends.artifact(tmp_path_factory, "hip", forked, FORKED_ARGS, "gfx90a")
        launcher = backend.launcher(folder)
        args = tuple(backend.array(qd.f32, (64,)) for _ in range(2)) + (backend.array(qd.i32, ()),)
        backend.fake.launches.clear()
        launcher.launch(args, 0)
        names = [launch.name for launch in backend.fake.launches]
        assert names == [f"forked_k{i}" for i in range(7)]
        assert "hipStreamWaitEvent" not in backend.fake.calls
    finally:
        gpu_backends.uninstall("hip")
