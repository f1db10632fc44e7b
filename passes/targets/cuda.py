"""The CUDA target: lowered IR (docs/architecture.md §3, gpu guards) -> PTX, cubin and a host plan.

docs/targets.md (`qd.cuda`): one GPU kernel per task, guards inside each kernel. The steps:
1. (xDSL, sm_90+) `gpu-condition-kernels` adds the kernels that set CUDA graph conditionals;
2. the hand-off, then the steps every GPU target shares (gpu_kernels.py): each task mapped to
   a `gpu.launch` and outlined into its own kernel, the host functions turned into the launch
   plan, the kernels moved into one `gpu.module` named `<kernel>_k<i>` in launch order;
3. `device_pipeline(arch)` lowers that module to NVVM and PTX; `ptxas` makes the cubin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mlir import ir

from qdmlir.passes.targets import gpu_kernels
from qdmlir.passes.targets.cuda_arch import CudaArch, parse_arch
from qdmlir.passes.targets.gpu_kernels import GpuBuildError


def device_pipeline(arch: CudaArch) -> str:
    """gpu.module -> NVVM -> PTX text (format=isa; ptxas runs separately for the cubin)."""
    return (
        "builtin.module(gpu-lower-to-nvvm-pipeline{"
        f"cubin-chip={arch.chip} cubin-features={arch.ptx_feature} cubin-format=isa opt-level=3"
        "})"
    )


class CudaBuildError(GpuBuildError):
    """Building a CUDA artifact failed; the message names the step and carries its log."""


@dataclass
class CudaBuild:
    """What the CUDA target produced for one kernel: PTX text, the host plan, the arch."""

    kernel: str
    arch: CudaArch
    ptx: str
    plan: dict

    def kernel_names(self) -> list[str]:
        return [k["name"] for k in self.plan["kernels"]]


def compile_cuda(module: ir.Module, kernel_name: str, arch: str | CudaArch) -> CudaBuild:
    """Upstream module (after the hand-off) -> PTX and plan. The caller's module is unchanged."""
    arch = arch if isinstance(arch, CudaArch) else parse_arch(arch)
    with module.context, ir.Location.unknown():
        work, plan = gpu_kernels.outline_tasks(
            module, kernel_name, arch.chip, arch.device_loop, "CUDA", CudaBuildError
        )
        gpu_kernels.run_pipeline(
            device_pipeline(arch), work, kernel_name, "lowering kernels to NVVM/PTX", CudaBuildError
        )
        ptx = _ptx_of(work, kernel_name)
    return CudaBuild(kernel_name, arch, ptx, plan)


def check_all_tasks_mapped(module: ir.Operation, kernel_name: str) -> None:
    """gpu_kernels.check_all_tasks_mapped, failing with CudaBuildError."""
    gpu_kernels.check_all_tasks_mapped(module, kernel_name, CudaBuildError)


def _ptx_of(module: ir.Operation, kernel_name: str) -> str:
    from mlir.dialects import gpu

    for op in module.regions[0].blocks[0].operations:
        if op.operation.name == "gpu.binary":
            obj = gpu.ObjectAttr(op.operation.attributes["objects"][0])
            return obj.object.decode()
    raise CudaBuildError(f"kernel {kernel_name}: gpu-module-to-binary produced no gpu.binary")


# -- cubin and artifact --------------------------------------------------------------------------


def ptxas_path() -> str | None:
    """`ptxas` from $QD_PTXAS, PATH, or $CUDA_HOME/bin; None where there is none."""
    override = os.environ.get("QD_PTXAS")
    if override:
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            raise CudaBuildError(
                f"QD_PTXAS={override} is not an executable file: point it at "
                "the CUDA toolkit's ptxas, or unset it to search PATH"
            )
        return override
    found = shutil.which("ptxas")
    if found:
        return found
    home = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_ROOT") or "/usr/local/cuda"
    candidate = Path(home) / "bin" / "ptxas"
    return str(candidate) if candidate.exists() else None


def assemble_cubin(ptx: str, arch: CudaArch, out: Path, kernel_name: str) -> Path:
    """`ptxas -arch=<chip> -O3` the PTX into `out`; CudaBuildError with ptxas's log."""
    ptxas = ptxas_path()
    if ptxas is None:
        raise CudaBuildError(
            f"kernel {kernel_name}: ptxas not found, so no cubin: install the CUDA toolkit "
            "(ptxas on PATH, or set QD_PTXAS / CUDA_HOME); --emit ptx works without it"
        )
    source = out.with_suffix(".ptx")
    if not source.exists() or source.read_text() != ptx:
        source = out.with_name(out.stem + ".ptxas-input.ptx")
        source.write_text(ptx)
    command = [ptxas, f"-arch={arch.chip}", "-O3", str(source), "-o", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if source.name.endswith(".ptxas-input.ptx"):
        source.unlink(missing_ok=True)
    if result.returncode != 0:
        raise CudaBuildError(
            f"kernel {kernel_name}: ptxas failed (exit {result.returncode}):\n"
            f"{result.stderr.strip()}\ncommand: {' '.join(command)}"
        )
    return out


def write_cuda_files(build: CudaBuild, folder: Path, cubin: bool = True) -> dict[str, str]:
    """Write `qd_<kernel>.ptx`, the cubin (where ptxas is) and `plan.json` into `folder`;
    returns the plan's file table. Without ptxas the artifact carries PTX only (the driver
    JIT-compiles it at load time)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"qd_{build.kernel}" if build.kernel.isidentifier() else "qd_kernel"
    ptx = folder / f"{stem}.ptx"
    ptx.write_text(build.ptx)
    files = {"ptx": ptx.name, "cubin": None}
    if cubin and ptxas_path() is not None:
        files["cubin"] = assemble_cubin(
            build.ptx, build.arch, folder / f"{stem}.cubin", build.kernel
        ).name
    build.plan["files"] = files
    (folder / "plan.json").write_text(json.dumps(build.plan, indent=1, sort_keys=True) + "\n")
    return files
