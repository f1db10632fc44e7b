"""The two GPU backends as the shared device tests see them: CUDA over fake_cuda_driver.py, HIP
over fake_hip.py. Both fakes record `calls`, `launches` and run `kernels[name]` references over
host memory, so one test body checks the logic of runtime/gpu_device.py and gpu_launcher.py
for both. `artifact()` builds the real artifacts once per session (ROCm without llvm-19:
the kernels' LLVM IR stands where the code object would be; the fake reads either)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fake_cuda_driver import FakeDriver
from fake_hip import FakeHip

import qdmlir as qd
from qdmlir.frontend.compiler import Compilation
from qdmlir.passes.targets import rocm_toolchain
from qdmlir.passes.targets.rocm import write_rocm_files
from qdmlir.runtime import cuda_driver, hip_runtime
from qdmlir.runtime.artifact import Manifest
from qdmlir.runtime.cuda import CudaLauncher
from qdmlir.runtime.cuda_driver import CudaDevice, CudaError
from qdmlir.runtime.cuda_ndarray import DeviceNdarray
from qdmlir.runtime.hip import HipLauncher, HipNdarray
from qdmlir.runtime.hip_runtime import HipDevice, HipError

HAVE_ROCM_TOOLS = all(rocm_toolchain.find_tools().values())
_BUILT: dict = {}


@dataclass
class Backend:
    """One backend with its fake installed; `call[operation]` is its call's name."""

    name: str  # "cuda" / "hip"
    fake: object
    launcher: type
    array: type
    device: type
    error: type
    launch_call: str
    launch_failure: object  # the fake's status for a failed launch, and its name
    launch_failure_name: str
    arch: str  # the chip the fake reports and artifacts are built for
    loop_arch: str  # the chip whose plan runs a do-while as a host loop

    @property
    def call(self) -> dict:
        return self.device.CALLS


def install(name: str) -> Backend:
    """Install a fresh fake for `name` and describe the backend; `uninstall(name)` after."""
    if name == "cuda":
        fake = FakeDriver()
        cuda_driver.use_driver(fake)
        failure = fake.CUresult.CUDA_ERROR_LAUNCH_FAILED
        return Backend(
            "cuda", fake, CudaLauncher, DeviceNdarray, CudaDevice, CudaError,
            "cuLaunchKernel", failure, failure.name, "sm_90", "sm_80",
        )  # fmt: skip
    fake = FakeHip()
    hip_runtime.use_library(fake)
    return Backend(
        "hip", fake, HipLauncher, HipNdarray, HipDevice, HipError,
        "hipModuleLaunchKernel", 719, "hipErrorLaunchFailure", "gfx90a", "gfx90a",
    )  # fmt: skip


def uninstall(name: str) -> None:
    if name == "cuda":
        cuda_driver.use_driver(None)
    else:
        hip_runtime.use_library(None)


def use_loop_chip(backend: Backend) -> None:
    """Make the fake device the chip whose plans loop on the host (a fresh device object):
    an sm_80 has no conditional graph nodes; HIP always loops on the host."""
    if backend.name == "cuda":
        backend.fake.capability = (8, 0)
        cuda_driver.use_driver(backend.fake)


def loop_arrays(array: type, size: int = 8192):
    """x, steps and flag of gpu_test_kernels.looped, as `array`s (a device ndarray class). By
    default x is large enough for the loop to stay a host loop or a WHILE node (its task needs
    more than cuda_plan.LOOP_KERNEL_BLOCKS blocks); a small one runs as the loop kernel."""
    return array(qd.f32, (size,)), array(qd.i32, ()), array(qd.i32, ())


def artifact(tmp_path_factory, backend: str, kernel, args, arch: str):
    """The artifact of `kernel` for a backend and chip, built once per session."""
    key = (backend, kernel.__name__, arch)
    if key not in _BUILT:
        folder = tmp_path_factory.mktemp(f"{kernel.__name__}_{arch}")
        if backend == "cuda":
            Compilation.for_kernel(kernel, args, target="cuda", arch=arch).write_artifact(folder)
        else:
            _rocm_artifact(folder, kernel, args, arch)
        _BUILT[key] = folder
    return _BUILT[key]


def _rocm_artifact(folder, kernel, args, arch: str) -> None:
    compilation = Compilation.for_kernel(kernel, args, target="rocm", arch=arch)
    if HAVE_ROCM_TOOLS:
        compilation.write_artifact(folder)
        return
    print("llvm-19/lld-19 are not installed: the fake HIP loads the kernels' LLVM IR")
    files = write_rocm_files(compilation.rocm_build(), folder, hsaco=False)
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
