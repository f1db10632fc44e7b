"""The HIP launcher and `qd.ndarray` under `qd.init(arch=qd.amdgpu)`. UNTESTED ON HARDWARE.

docs/targets.md (ROCm). A ROCm artifact is a code object (`qd_<kernel>.hsaco`, one kernel per
task), `plan.json` in the CUDA plan format, and the manifest. `HipLauncher` loads the code
object with hipModuleLoadData and runs the plan with the shared direct interpreter
(gpu_launcher.py, cuda_direct.py): each task one hipModuleLaunchKernel on the runtime's
stream, each do-while a host loop reading its condition (HIP graphs are not used), and
`yielded_at` read once at the end for a kernel that can yield. Device ndarrays are CUDA's
DeviceNdarray over the HIP device.
"""

from __future__ import annotations

from .cuda_ndarray import DeviceNdarray
from .gpu_launcher import PlanLauncher
from .hip_runtime import HipError, current_device

MAX_WORK_ITEMS = (1 << 32) - 1  # an HSA dispatch packet's grid size per dimension is a uint32


class HipLoadError(RuntimeError):
    """The artifact cannot be loaded on this device (wrong chip, no code object, bad image)."""


class HipLauncher(PlanLauncher):
    """Launches one compiled kernel specialisation on an AMD GPU through HIP."""

    target = "amdgpu"
    load_error = HipLoadError

    def default_device(self):
        return current_device()

    def _load_module(self):
        """The code object; HIP refuses one built for another chip (hipErrorNoBinaryForGpu),
        so the message says which chip each side has and how to rebuild."""
        name = self.plan["files"].get("hsaco")
        if not name:
            raise HipLoadError(
                f"{self.directory}: the artifact of kernel {self.kernel!r} has no code object "
                "(built where llvm-19/lld-19 were missing); install them (sudo apt-get install "
                "llvm-19 lld-19) and rebuild it"
            )
        try:
            return self.device.load_module((self.directory / name).read_bytes())
        except (HipError, OSError) as err:
            raise HipLoadError(
                f"{self.directory}: cannot load kernel {self.kernel!r} (built for "
                f"{self.plan['arch']}) on this {self.device.arch} device: {err}; set "
                f"QD_ROCM_ARCH={self.device.arch} where it is compiled"
            ) from None

    def check_grid(self, grid, name: str, block=None) -> None:
        block = block or (1, 1, 1)
        for axis, (blocks, threads) in enumerate(zip(grid, block)):
            if blocks * threads > MAX_WORK_ITEMS:
                raise HipError(
                    f"kernel {self.kernel!r} ({name}): {blocks} x {threads} threads "
                    f"in dimension {'xyz'[axis]} exceed HIP's {MAX_WORK_ITEMS}"
                )


class HipNdarray(DeviceNdarray):
    """A qd ndarray in AMD GPU memory; create it with `qd.ndarray(dtype, shape)` on
    qd.amdgpu. It exports `__cuda_array_interface__`, as ROCm builds of torch and CuPy do."""

    __slots__ = ()
    _arch = "amdgpu"

    @staticmethod
    def _current_device():
        return current_device()
