"""The ROCm target: lowered IR (docs/architecture.md §3, gpu guards) -> amdgcn IR, hsaco, plan.

docs/targets.md (`qd.amdgpu`): one GPU kernel per task, guards inside each kernel. The steps:
1. the hand-off, then the steps every GPU target shares (gpu_kernels.py): each task its own
   kernel, the host functions turned into the launch plan (CUDA's format), one `gpu.module`;
2. `device_pipeline(arch)` lowers that module through ROCDL (`convert-gpu-to-rocdl`, HIP
   runtime conventions: kernels get the `amdgpu_kernel` calling convention), with the small
   rewrites of rocm_rewrites.py after it;
3. the bundled LLVM has no AMDGPU back end, so `gpu-module-to-binary` cannot run
   (gpu-feasibility.md Q4): the gpu.module's body moves into a `builtin.module` with the
   amdgcn-amd-amdhsa triple and the module's data layout and is translated in-process;
4. llvm_ir_downgrade.py rewrites what LLVM 19 cannot read; rocm_toolchain.py runs Debian's
   opt-19 / llc-19 / ld.lld-19 to a code object (hsaco) with one kernel descriptor per task.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from mlir import ir
from mlir.dialects import llvm as llvm_dialect

from qdmlir.passes.targets import gpu_kernels, rocm_rewrites
from qdmlir.passes.targets.llvm_ir_downgrade import downgrade_to_llvm19
from qdmlir.passes.targets.rocm_arch import TRIPLE, RocmArch, parse_arch
from qdmlir.passes.targets.rocm_toolchain import RocmBuildError, build_hsaco


def device_pipeline(arch: RocmArch) -> str:
    """gpu.module -> ROCDL / LLVM dialect. arith-expand: ceildiv and floordiv, which the LLVM
    conversion inside convert-gpu-to-rocdl does not lower."""
    return (
        f"builtin.module(rocdl-attach-target{{chip={arch.chip} O=3}},gpu.module("
        "arith-expand,expand-strided-metadata,convert-scf-to-cf,"
        f"convert-gpu-to-rocdl{{chipset={arch.chip} runtime=HIP}},"
        "canonicalize,cse,reconcile-unrealized-casts))"
    )


@dataclass
class RocmBuild:
    """What the ROCm target produced for one kernel: LLVM IR that LLVM 19 reads, the plan."""

    kernel: str
    arch: RocmArch
    llvm_ir: str
    plan: dict

    def kernel_names(self) -> list[str]:
        return [k["name"] for k in self.plan["kernels"]]


def compile_rocm(module: ir.Module, kernel_name: str, arch: str | RocmArch) -> RocmBuild:
    """Upstream module (after the hand-off) -> LLVM IR and plan. The caller's module is
    unchanged."""
    arch = arch if isinstance(arch, RocmArch) else parse_arch(arch)
    with module.context, ir.Location.unknown():
        work, plan = gpu_kernels.outline_tasks(
            module, kernel_name, arch.chip, arch.device_loop, "ROCm", RocmBuildError
        )
        gpu_kernels.run_pipeline(
            device_pipeline(arch), work, kernel_name, "lowering kernels to ROCDL", RocmBuildError
        )
        rocm_rewrites.expand_float_atomic_minmax(work)
        rocm_rewrites.move_allocas_to_private(work)
        rocm_rewrites.ocml_calls_to_intrinsics(work)
        text = translate_device_module(work, kernel_name)
    return RocmBuild(kernel_name, arch, downgrade_to_llvm19(text), plan)


def translate_device_module(module: ir.Operation, kernel_name: str) -> str:
    """The gpu.module's functions as an amdgcn-amd-amdhsa LLVM IR module (LLVM 22 syntax)."""
    body = module.regions[0].blocks[0]
    gpu_modules = [op.operation for op in body.operations if op.operation.name == "gpu.module"]
    if len(gpu_modules) != 1:
        raise RocmBuildError(
            f"kernel {kernel_name}: expected one gpu.module after outlining, "
            f"found {len(gpu_modules)}"
        )
    source = gpu_modules[0]
    device = ir.Module.create()
    device.operation.attributes["llvm.target_triple"] = ir.StringAttr.get(TRIPLE)
    device.operation.attributes["llvm.data_layout"] = source.attributes["llvm.data_layout"]
    for op in list(source.regions[0].blocks[0].operations):
        device.body.append(op.operation)
    try:
        return str(llvm_dialect.translate_module_to_llvmir(device.operation))
    except Exception as err:  # noqa: BLE001 - the bindings raise plain errors with diagnostics
        raise RocmBuildError(
            f"kernel {kernel_name}: translating the kernels to LLVM IR failed:\n{err}"
        ) from None


# -- what LLVM 19's AMDGPU back end cannot link or select ------------------------------------------

# intrinsics LLVM 22 emits for math ops that LLVM 19's AMDGPU back end turns into libcalls,
# which do not exist on the GPU ("no libcall available for ftanh")
NO_LLVM19_LOWERING = ("tanh", "sinh", "cosh", "tan", "asin", "acos", "atan", "atan2")


def unsupported_calls(llvm_ir: str) -> list[str]:
    """Functions the kernels call that the code object cannot provide: ROCm device-library
    functions (`__ocml_sin_f32`, ...) that qdmlir does not link, and intrinsics LLVM 19 cannot
    lower for AMDGPU. Sorted, without duplicates."""
    found = set()
    for name in re.findall(r"^declare [^@]*@([\w.$]+)\(", llvm_ir, re.M):
        if not name.startswith("llvm."):
            found.add(name)
        elif name.split(".")[1] in NO_LLVM19_LOWERING:
            found.add(name)
    return sorted(found)


def check_linkable(build: RocmBuild) -> None:
    """RocmBuildError naming every call the hsaco could not resolve, and what works instead."""
    calls = unsupported_calls(build.llvm_ir)
    if calls:
        raise RocmBuildError(
            f"kernel {build.kernel}: the kernels call {', '.join(calls)}, which the ROCm target "
            "cannot put in a code object (qdmlir does not link ROCm's device libraries, where "
            "__ocml_* functions live, and LLVM 19 lowers no llvm.* intrinsic of these for "
            "AMDGPU); on --target rocm use math that maps to GPU instructions (sqrt, floor, "
            "ceil, abs, min, max, fma; exp and log on f32) or write the function out; "
            "--emit llvm-ir still shows the IR"
        )


# -- artifact --------------------------------------------------------------------------------------


def artifact_stem(kernel: str) -> str:
    return f"qd_{kernel}" if kernel.isidentifier() else "qd_kernel"


def write_rocm_files(build: RocmBuild, folder: Path, hsaco: bool = True) -> dict[str, str | None]:
    """Write `qd_<kernel>.ll` (the LLVM 19 input), the code object `qd_<kernel>.hsaco` (unless
    `hsaco` is False) and `plan.json` into `folder`; returns the plan's file table. Without
    the hsaco nothing can run: HIP loads code objects only."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = artifact_stem(build.kernel)
    source = folder / f"{stem}.ll"
    source.write_text(build.llvm_ir)
    files: dict[str, str | None] = {"llvm_ir": source.name, "hsaco": None}
    if hsaco:
        check_linkable(build)
        files["hsaco"] = build_hsaco(
            build.llvm_ir, build.arch.chip, folder / f"{stem}.hsaco", build.kernel
        ).name
    build.plan["files"] = files
    (folder / "plan.json").write_text(json.dumps(build.plan, indent=1, sort_keys=True) + "\n")
    return files
