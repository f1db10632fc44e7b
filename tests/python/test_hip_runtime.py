"""The HIP runtime path against a fake libamdhip64 (tests/python/fake_hip.py): no AMD GPU needed.

What only HIP has: the ctypes signatures (the fake enforces them), reading the chip from the
device properties, code objects for another chip or none, HIP's grid limits, qd.init with
and without a GPU or the toolchain, the real library where installed. What HIP shares with
CUDA (launch order and packing, the launch state, the host do-while loop and resume, device
ndarrays, zero-copy arguments, argument and driver errors, the device rules) runs on both
backends in test_gpu_device.py. The artifacts are real ROCm builds; where llvm-19 is missing
they carry the kernels' LLVM IR instead, saying so. Nothing here has run on AMD hardware.
"""

import shutil
import subprocess
import sys

import gpu_backends
import pytest
from fake_hip import FakeHip
from gpu_test_kernels import THREE_ARGS, three

import qdmlir as qd
from qdmlir.frontend.compiler import Compilation
from qdmlir.passes.targets import rocm_toolchain
from qdmlir.passes.targets.rocm import write_rocm_files
from qdmlir.runtime import hip_runtime
from qdmlir.runtime.artifact import Manifest
from qdmlir.runtime.gpu_device import GpuDevice
from qdmlir.runtime.hip import HipLauncher, HipLoadError
from qdmlir.runtime.hip_runtime import SIGNATURES, HipDevice, HipError

HAVE_TOOLS = gpu_backends.HAVE_ROCM_TOOLS


def artifact(tmp_path_factory, kernel, args, arch="gfx90a"):
    return gpu_backends.artifact(tmp_path_factory, "hip", kernel, args, arch)


@pytest.fixture
def fake():
    library = FakeHip()
    hip_runtime.use_library(library)
    yield library
    hip_runtime.use_library(None)


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
    used = set(re.findall(r'"(hip[A-Z]\w+)"', source)) | set(HipDevice.CALLS.values())
    assert used <= set(SIGNATURES), used - set(SIGNATURES)
    assert set(HipDevice.CALLS) == set(GpuDevice.OPERATIONS)
