"""The HIP runtime path against a fake libamdhip64 (tests/python/fake_hip.py): no AMD GPU needed.

Checks what a run on an AMD GPU depends on besides the kernels themselves: the ctypes calls
(the fake enforces the C signatures), launch order and grids, parameter packing against the
code object's argument sizes, the launch state, the host do-while loop, status reading,
device ndarrays and error messages. The artifacts are real ROCm builds; where llvm-19 is
missing they carry no code object, and the tests load the kernels' LLVM IR into the fake
instead (it reads their signatures; a real HIP would not), saying so. Nothing here has run on
AMD hardware.
"""

import json
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest
from fake_hip import FakeHip
from gpu_test_kernels import LOOP_ARGS, THREE_ARGS, looped, three

import qdmlir as qd
from qdmlir.frontend.compiler import Compilation
from qdmlir.passes.targets import rocm_toolchain
from qdmlir.passes.targets.rocm import write_rocm_files
from qdmlir.runtime import hip_runtime
from qdmlir.runtime.artifact import Manifest
from qdmlir.runtime.hip import HipLauncher, HipLoadError, HipNdarray
from qdmlir.runtime.hip_runtime import SIGNATURES, HipDevice, HipError

HAVE_TOOLS = all(rocm_toolchain.find_tools().values())


_BUILT = {}


def artifact(tmp_path_factory, kernel, args, arch="gfx90a"):
    """A ROCm artifact: the real one where llvm-19 is installed, else the same build with the
    kernels' LLVM IR where the code object would be (the fake reads either)."""
    key = (kernel.__name__, arch)
    if key not in _BUILT:
        folder = tmp_path_factory.mktemp(f"{kernel.__name__}_{arch}")
        compilation = Compilation.for_kernel(kernel, args, target="rocm", arch=arch)
        if HAVE_TOOLS:
            compilation.write_artifact(folder)
        else:
            print("llvm-19/lld-19 are not installed: the fake HIP loads the kernels' LLVM IR")
            build = compilation.rocm_build()
            files = write_rocm_files(build, folder, hsaco=False)
            plan = json.loads((folder / "plan.json").read_text())
            plan["files"]["hsaco"] = files["llvm_ir"]
            (folder / "plan.json").write_text(json.dumps(plan))
            Manifest(
                kernel=kernel.__name__,
                target="amdgpu",
                library=files["llvm_ir"],
                args=args,
                slots=compilation.slots,
                entry=kernel.__name__,
                arch=arch,
                plan="plan.json",
            ).write(folder)
        _BUILT[key] = folder
    return _BUILT[key]


@pytest.fixture
def fake():
    library = FakeHip()
    hip_runtime.use_library(library)
    yield library
    hip_runtime.use_library(None)


def test_tasks_launch_in_order_with_grids_and_packed_descriptors(fake, tmp_path_factory):
    launcher = HipLauncher(artifact(tmp_path_factory, three, THREE_ARGS))
    x, flag = HipNdarray(qd.f32, (1000,)), HipNdarray(qd.i32, ())
    assert launcher.launch((x, flag), 0) == -1
    assert [launch.name for launch in fake.launches] == [
        "three_k0",
        "three_k1",
        "three_k2",
        "three_k3",
    ]
    assert [launch.grid for launch in fake.launches] == [(4, 1, 1), (4, 1, 1), (1, 1, 1), (4, 1, 1)]
    assert {launch.block for launch in fake.launches} == {(256, 1, 1)}
    first = fake.launches[0]
    words = [first.u64(i) for i in range(len(first.params))]
    at = words.index(x._pointer)
    assert words[at : at + 5] == [x._pointer, x._pointer, 0, 1000, 1]  # memref<?xf32> descriptor
    assert launcher.state.pointer in words  # every task reads the state itself
    assert "hipModuleLaunchKernel" in fake.calls and "hipStreamSynchronize" in fake.calls


def test_a_yield_is_read_from_the_state_once_at_the_end(fake, tmp_path_factory):
    launcher = HipLauncher(artifact(tmp_path_factory, three, THREE_ARGS))
    x, flag = HipNdarray(qd.f32, (8,)), HipNdarray(qd.i32, ())
    # the flag-check kernel (k2) of slot 1 yields: it writes yielded_at = 1
    fake.kernels["three_k2"] = lambda f, launch: f._memset(4, launcher.state.pointer + 4, 1, 1)
    fake.calls.clear()
    assert launcher.launch((x, flag), 0) == 1
    assert fake.calls.count("hipMemcpyDtoHAsync") == 1
    assert fake.calls.index("hipMemcpyDtoHAsync") > max(
        i for i, c in enumerate(fake.calls) if c == "hipModuleLaunchKernel"
    )


def test_the_launch_state_is_written_before_the_tasks(fake, tmp_path_factory):
    launcher = HipLauncher(artifact(tmp_path_factory, three, THREE_ARGS))
    x, flag = HipNdarray(qd.f32, (8,)), HipNdarray(qd.i32, ())
    seen = []
    fake.kernels["three_k0"] = lambda f, launch: seen.append(
        (f.read(launcher.state.pointer, "i"), f.read(launcher.state.pointer + 4, "i"))
    )
    launcher.launch((x, flag), 1)
    assert seen == [(1, -1)]


def test_a_do_while_runs_the_host_loop(fake, tmp_path_factory):
    launcher = HipLauncher(artifact(tmp_path_factory, looped, LOOP_ARGS))
    x, steps, flag = HipNdarray(qd.f32, (8,)), HipNdarray(qd.i32, ()), HipNdarray(qd.i32, ())
    steps[()] = 4
    fake.kernels["looped_k2"] = lambda f, launch: f._memset(  # the serial `steps -= 1`
        4, steps._pointer, (f.read(steps._pointer, "i") - 1) & 0xFFFFFFFF, 1
    )
    fake.calls.clear()
    assert launcher.launch((x, steps, flag), 0) == -1
    assert steps[()] == 0
    assert [launch.name for launch in fake.launches].count("looped_k0") == 4
    assert not any("cond" in launch.name for launch in fake.launches)
    # per iteration the host reads the condition and yielded_at: two small copies
    assert fake.calls.count("hipMemcpyDtoHAsync") == 2 * 4 + 1  # + the steps[()] read above


def test_a_yield_ends_the_loop_and_a_resume_resets_resume_point_after_one_pass(
    fake, tmp_path_factory
):
    launcher = HipLauncher(artifact(tmp_path_factory, looped, LOOP_ARGS))
    x, steps, flag = HipNdarray(qd.f32, (8,)), HipNdarray(qd.i32, ()), HipNdarray(qd.i32, ())
    steps[()] = 3
    # the flag check (k1) of slot 0 yields in the first iteration
    fake.kernels["looped_k1"] = lambda f, launch: f._memset(4, launcher.state.pointer + 4, 0, 1)
    assert launcher.launch((x, steps, flag), 0) == 0
    # one iteration: k2 is still enqueued (its own guard skips it), then the loop ends
    assert [launch.name for launch in fake.launches] == ["looped_k0", "looped_k1", "looped_k2"]
    del fake.kernels["looped_k1"]
    steps[()] = 2
    fake.kernels["looped_k2"] = lambda f, launch: f._memset(
        4, steps._pointer, (f.read(steps._pointer, "i") - 1) & 0xFFFFFFFF, 1
    )
    seen = []
    fake.kernels["looped_k0"] = lambda f, launch: seen.append(
        (f.read(launcher.state.pointer, "i"), f.read(launcher.state.pointer + 4, "i"))
    )
    assert launcher.launch((x, steps, flag), 1) == -1
    assert seen == [(1, -1), (0, -1)]  # docs/semantics.md rule 3: only the first pass is partial


def test_device_ndarray_round_trips_through_hip(fake):
    a = HipNdarray(qd.f32, (2, 3))
    assert a.to_numpy().tolist() == [[0.0] * 3] * 2
    a.from_numpy(np.arange(6, dtype=np.float64).reshape(2, 3))
    a[1, 2] = 9.5
    assert a[1, 2] == 9.5 and a[0, 1] == 1.0 and a[-1, 0] == 3.0
    b = HipNdarray(qd.f32, (2, 3))
    b.copy_from(a)
    b.fill(2.0)
    assert a.to_numpy()[1].tolist() == [3.0, 4.0, 9.5] and b.to_numpy().sum() == 12.0
    assert a.__cuda_array_interface__["data"] == (a._pointer, False)
    assert repr(a) == "<qd.ndarray f32[2, 3] on amdgpu>"
    assert "hipMemsetD32Async" in fake.calls and "hipMemcpyDtoDAsync" in fake.calls


class Tensor:
    """What ROCm builds of torch and CuPy show: __cuda_array_interface__ only."""

    def __init__(self, pointer, shape, typestr="<f4", stream=None):
        self.__cuda_array_interface__ = {
            "data": (pointer, False),
            "shape": shape,
            "typestr": typestr,
            "strides": None,
            "version": 3,
            "stream": stream,
        }


def test_array_interface_arguments_pass_zero_copy_after_their_stream(fake, tmp_path_factory):
    launcher = HipLauncher(artifact(tmp_path_factory, three, THREE_ARGS))
    storage = HipNdarray(qd.f32, (300,))
    launcher.launch((Tensor(storage._pointer, (300,), stream=0x7777), HipNdarray(qd.i32, ())), 0)
    assert struct.pack("<q", storage._pointer) in fake.launches[0].params
    assert fake.calls.index("hipStreamWaitEvent") < fake.calls.index("hipModuleLaunchKernel")


def test_bad_arguments_name_the_argument_and_the_fix(fake, tmp_path_factory):
    launcher = HipLauncher(artifact(tmp_path_factory, three, THREE_ARGS))
    with pytest.raises(
        TypeError,
        match=r"kernel 'three' argument 0 \('x'\): expected a 1-d f32 "
        r"HIP array \(qd.ndarray on qd.amdgpu.*a numpy array is host memory",
    ):
        launcher.launch((np.zeros(4, np.float32), HipNdarray(qd.i32, ())), 0)


def test_a_hip_error_names_the_call(fake, tmp_path_factory):
    launcher = HipLauncher(artifact(tmp_path_factory, three, THREE_ARGS))
    fake.fail["hipModuleLaunchKernel"] = 719
    with pytest.raises(HipError, match="hipModuleLaunchKernel failed: hipErrorLaunchFailure"):
        launcher.launch((HipNdarray(qd.f32, (4,)), HipNdarray(qd.i32, ())), 0)


def test_a_code_object_for_another_chip_says_which(tmp_path_factory):
    if not HAVE_TOOLS:
        pytest.skip("llvm-19/lld-19 are not installed: no code object carries a chip to refuse")
    folder = artifact(tmp_path_factory, three, THREE_ARGS, "gfx90a")
    hip_runtime.use_library(FakeHip(arch="gfx942"))
    try:
        with pytest.raises(
            HipLoadError,
            match=r"built for gfx90a\) on this gfx942 device: "
            r"hipModuleLoadData failed: hipErrorNoBinaryForGpu"
            r".*QD_ROCM_ARCH=gfx942",
        ):
            HipLauncher(folder)
    finally:
        hip_runtime.use_library(None)


def test_an_artifact_without_a_code_object_says_how_to_get_one(fake, tmp_path):
    build = Compilation.for_kernel(three, THREE_ARGS, target="rocm").rocm_build()
    files = write_rocm_files(build, tmp_path, hsaco=False)
    Manifest(
        kernel="three",
        target="amdgpu",
        library=files["llvm_ir"],
        args=THREE_ARGS,
        arch="gfx90a",
        plan="plan.json",
    ).write(tmp_path)
    with pytest.raises(
        HipLoadError,
        match=r"has no code object .*sudo apt-get install llvm-19 "
        "lld-19",
    ):
        HipLauncher(tmp_path)


def test_the_device_reads_its_chip_from_either_properties_call():
    for library, call in (
        (FakeHip("gfx942"), "hipGetDevicePropertiesR0600"),
        (FakeHip("gfx90a", rocm6=False), "hipGetDeviceProperties"),
    ):
        hip_runtime.use_library(library)
        try:
            device = HipDevice()
            assert device.arch == library.arch and call in library.calls
        finally:
            hip_runtime.use_library(None)


def test_the_fake_refuses_what_ctypes_would():
    library = FakeHip()
    with pytest.raises(TypeError, match="hipMalloc argument 1"):
        library.hipMalloc(None, 1.5)
    with pytest.raises(TypeError, match="takes 4 arguments"):
        library.hipMemsetD32Async(0, 0, 1)
    with pytest.raises(TypeError, match="hipModuleGetFunction argument 2"):
        library.hipModuleGetFunction(None, 0, "a str, not bytes")


def test_launch_grids_beyond_hip_limits_are_refused(fake, tmp_path_factory):
    launcher = HipLauncher(artifact(tmp_path_factory, three, THREE_ARGS))
    with pytest.raises(HipError, match=r"in dimension x exceed HIP's 4294967295"):
        launcher.check_grid((1 << 24, 1, 1), "three_k0", (256, 1, 1))


@pytest.mark.skipif(
    not HAVE_TOOLS,
    reason="llvm-19/lld-19 are not installed: qd.init(arch="
    "qd.amdgpu) cannot build the code object a kernel call needs",
)
def test_qd_init_amdgpu_compiles_caches_and_launches(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("QD_ROCM_ARCH", "gfx90a")
    monkeypatch.setenv("QD_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("QD_CACHE", "1")
    monkeypatch.setattr("qdmlir.runtime.cache._DEFAULT", None)
    qd.init(arch=qd.amdgpu)
    try:
        x, flag = qd.ndarray(qd.f32, (8,)), qd.ndarray(qd.i32, ())
        assert isinstance(x, HipNdarray)
        assert three(x, flag) == qd.GraphStatus(False, None)
        assert [launch.name for launch in fake.launches][:1] == ["three_k0"]
        state = three._only.launcher.state.pointer  # the one specialisation, now built
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


def test_qd_init_amdgpu_without_a_gpu_falls_back_to_the_cpu_with_a_warning(monkeypatch):
    from qdmlir.frontend import config

    library = FakeHip()
    library.fail["hipGetDeviceCount"] = 100  # hipErrorNoDevice, as ROCm says without a GPU
    hip_runtime.use_library(library)
    try:
        with pytest.warns(RuntimeWarning, match="no usable AMD GPU.*falling back to qd.cpu"):
            qd.init(arch=qd.amdgpu)
        assert config.current().arch is qd.cpu
        library.fail["hipGetDeviceCount"] = 100
        monkeypatch.setenv("QD_STRICT_ARCH", "1")
        with pytest.raises(RuntimeError, match="no usable AMD GPU"):
            qd.init(arch=qd.amdgpu)
    finally:
        hip_runtime.use_library(None)
        qd.init(arch=qd.cpu)


def test_qd_init_amdgpu_without_the_toolchain_says_how_to_install_it(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("QD_ROCM_ARCH", "gfx90a")
    monkeypatch.setenv("QD_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr("qdmlir.runtime.cache._DEFAULT", None)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("QD_ROCM_LLVM_BIN", raising=False)
    monkeypatch.setattr(rocm_toolchain, "SEARCH_DIRS", [])
    qd.init(arch=qd.amdgpu)
    try:
        with pytest.raises(
            rocm_toolchain.RocmToolchainMissing, match="`sudo apt-get install llvm-19 lld-19`"
        ):
            three(qd.ndarray(qd.f32, (8,)), qd.ndarray(qd.i32, ()))
    finally:
        qd.init(arch=qd.cpu)


REAL = [
    lib
    for lib in hip_runtime.LIBRARY_NAMES[:3]
    if shutil.which("ldconfig")
    and lib.split("/")[-1]
    in subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
]


def test_every_call_exists_in_the_real_library_and_fails_cleanly_without_a_gpu():
    """Where ROCm's libamdhip64 is installed (it loads without a GPU), the bound names are real,
    and a device fails with HIP's own error, named, instead of crashing."""
    if not REAL:
        pytest.skip(
            "libamdhip64 is not installed (apt-get install libamdhip64-5): the "
            "signatures are checked against the fake only"
        )
    code = (
        "from qdmlir.runtime import hip_runtime as h\n"
        "lib = h.library()\n"
        "missing = [n for n in h.SIGNATURES if n not in h.OPTIONAL and not hasattr(lib, n)]\n"
        "assert not missing, missing\n"
        "try:\n"
        "    h.HipDevice()\n"
        "except h.HipError as e:\n"
        "    print('refused:', e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "refused: " in done.stdout and "failed: hipError" in done.stdout, done.stdout


def test_signatures_cover_every_call_the_runtime_makes():
    import inspect
    import re

    from qdmlir.runtime import hip as hip_module

    source = inspect.getsource(hip_runtime) + inspect.getsource(hip_module)
    used = set(re.findall(r'"(hip[A-Z]\w+)"', source))
    assert used <= set(SIGNATURES), used - set(SIGNATURES)
