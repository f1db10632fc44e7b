"""The CUDA target: lowered IR (docs/architecture.md §3, gpu guards) -> PTX, cubin and a host plan.

DESIGN §3 (`qd.cuda`): one GPU kernel per task, guards inside each kernel. The steps:
1. (xDSL, sm_90+) `gpu-condition-kernels` adds the kernels that set CUDA graph conditionals;
2. the hand-off; `MAP_TASKS_PIPELINE` maps every `scf.parallel` to a `gpu.launch`, checked
   (convert-parallel-loops-to-gpu leaves a loop it cannot map without a word);
3. `OUTLINE_PIPELINE` outlines each launch into its own kernel;
4. the host functions become the launch plan (cuda_host_plan.py) and are dropped; the kernels
   move into one `gpu.module`, named `<kernel>_k<i>` in launch order;
5. `device_pipeline(arch)` lowers that module to NVVM and PTX; `ptxas` makes the cubin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mlir import ir, passmanager

from qdmlir.passes.targets.cuda_arch import CudaArch, parse_arch
from qdmlir.passes.targets.cuda_host_plan import HostPlanError, extract_function

# no-min-max-bounds: the inner (thread) loop of each tile gets the constant bound 256 and an
# in-bounds check, so convert-parallel-loops-to-gpu needs no canonicalize first; canonicalize
# would fold every one-iteration task (a serial statement, a flag check) into host code.
MAP_TASKS_PIPELINE = (
    "builtin.module(func.func("
    "scf-parallel-loop-tiling{parallel-loop-tile-sizes=256 no-min-max-bounds=true},"
    "gpu-map-parallel-loops,"
    "convert-parallel-loops-to-gpu))"
)
OUTLINE_PIPELINE = "builtin.module(gpu-kernel-outlining,lower-affine,canonicalize,cse)"
DEVICE_MODULE = "qd_device"
PLAN_FORMAT = 1


def device_pipeline(arch: CudaArch) -> str:
    """gpu.module -> NVVM -> PTX text (format=isa; ptxas runs separately for the cubin)."""
    return (
        "builtin.module(gpu-lower-to-nvvm-pipeline{"
        f"cubin-chip={arch.chip} cubin-features={arch.ptx_feature} cubin-format=isa opt-level=3"
        "})"
    )


class CudaBuildError(RuntimeError):
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
        work = module.operation.clone()
        _run(MAP_TASKS_PIPELINE, work, kernel_name, "mapping tasks to GPU launches")
        check_all_tasks_mapped(work, kernel_name)
        _run(OUTLINE_PIPELINE, work, kernel_name, "outlining GPU kernels")
        plan = build_plan(work, kernel_name, arch)
        _drop_host_functions(work)
        merge_device_modules(work, plan)
        _run(device_pipeline(arch), work, kernel_name, "lowering kernels to NVVM/PTX")
        ptx = _ptx_of(work, kernel_name)
    return CudaBuild(kernel_name, arch, ptx, plan)


def _run(pipeline: str, op: ir.Operation, kernel_name: str, step: str) -> None:
    try:
        passmanager.PassManager.parse(pipeline).run(op)
    except ir.MLIRError as err:
        raise CudaBuildError(f"kernel {kernel_name}: {step} failed:\n{err}") from None


def _host_functions(module: ir.Operation) -> list[ir.Operation]:
    return [op.operation for op in module.regions[0].blocks[0].operations
            if op.operation.name == "func.func" and len(op.operation.regions[0].blocks)]


def check_all_tasks_mapped(module: ir.Operation, kernel_name: str) -> None:
    """convert-parallel-loops-to-gpu leaves a loop it cannot map as it was; a task left on the
    host would run on the CPU over device pointers, so refuse it here, with its location."""
    left = []

    def walk(op: ir.Operation, in_launch: bool) -> None:
        if op.name == "scf.parallel" and not in_launch:
            left.append(op)
        for region in op.regions:
            for block in region.blocks:
                for inner in block.operations:
                    walk(inner.operation, in_launch or op.name == "gpu.launch")

    for function in _host_functions(module):
        walk(function, False)
    if left:
        where = ", ".join(str(op.location) for op in left)
        raise CudaBuildError(
            f"kernel {kernel_name}: {len(left)} task(s) could not be mapped to GPU threads by "
            f"convert-parallel-loops-to-gpu (at {where}); a task with reductions (loop-carried "
            "values) or bounds computed inside the loop cannot be mapped: accumulate with "
            "qd.atomic_add and compute loop bounds before the loop"
        )


def build_plan(module: ir.Operation, kernel_name: str, arch: CudaArch) -> dict:
    """The JSON plan: kernels (name, parameters), one entry per host function."""
    kernels: dict[tuple[str, str], int] = {}
    names: list[str] = []
    functions = {}
    params: dict[int, list[dict]] = {}
    for function in _host_functions(module):
        fname = ir.StringAttr(function.attributes["sym_name"]).value
        for symbol in _launched_symbols(function):
            if symbol not in kernels:
                kernels[symbol] = len(names)
                count = sum(1 for n in names if n.startswith(fname + "_k"))
                names.append(f"{fname}_k{count}" if fname == kernel_name else fname)
        try:
            functions[fname], launch_params = extract_function(function, kernels)
        except HostPlanError as err:
            raise CudaBuildError(f"kernel {kernel_name}: {err}") from None
        params.update(launch_params)
    if kernel_name not in functions:
        raise CudaBuildError(f"kernel {kernel_name}: the module has no func.func @{kernel_name}")
    return {
        "format": PLAN_FORMAT, "kernel": kernel_name, "arch": arch.chip,
        "device_loop": arch.device_loop,
        "kernels": [{"name": n, "symbol": list(s), "params": params.get(i, [])}
                    for (s, i), n in zip(sorted(kernels.items(), key=lambda kv: kv[1]), names)],
        "functions": functions,
    }


def _launched_symbols(function: ir.Operation) -> list[tuple[str, str]]:
    found = []

    def walk(op: ir.Operation) -> None:
        if op.name == "gpu.launch_func":
            value = ir.SymbolRefAttr(op.attributes["kernel"]).value
            found.append((value[0], value[-1]))
        for region in op.regions:
            for block in region.blocks:
                for inner in block.operations:
                    walk(inner.operation)

    walk(function)
    return found


def _drop_host_functions(module: ir.Operation) -> None:
    for op in list(module.regions[0].blocks[0].operations):
        if op.operation.name == "func.func":
            op.operation.erase()


def merge_device_modules(module: ir.Operation, plan: dict) -> None:
    """Move every outlined kernel into one gpu.module and give it its plan name, so one PTX
    file holds one `.entry` per task."""
    body = module.regions[0].blocks[0]
    gpu_modules = [op.operation for op in body.operations if op.operation.name == "gpu.module"]
    target = gpu_modules[0]
    target.attributes["sym_name"] = ir.StringAttr.get(DEVICE_MODULE)
    target_block = target.regions[0].blocks[0]
    declared: set[str] = set()
    renames = {tuple(k["symbol"]): k["name"] for k in plan["kernels"]}
    for gpu_module in gpu_modules:
        module_name = ir.StringAttr(gpu_module.attributes["sym_name"]).value
        if gpu_module is target:
            module_name = plan["kernels"][0]["symbol"][0] if plan["kernels"] else module_name
        for op in list(gpu_module.regions[0].blocks[0].operations):
            op = op.operation
            symbol = ir.StringAttr(op.attributes["sym_name"]).value
            if op.name == "gpu.func":
                op.attributes["sym_name"] = ir.StringAttr.get(renames[(module_name, symbol)])
            elif symbol in declared:  # a declaration every condition kernel's module copied
                op.erase()
                continue
            else:
                declared.add(symbol)
            if gpu_module is not target:
                op.move_after(list(target_block.operations)[-1].operation)
        if gpu_module is not target:
            gpu_module.erase()


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
        raise CudaBuildError(f"kernel {kernel_name}: ptxas failed (exit {result.returncode}):\n"
                             f"{result.stderr.strip()}\ncommand: {' '.join(command)}")
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
        files["cubin"] = assemble_cubin(build.ptx, build.arch, folder / f"{stem}.cubin",
                                        build.kernel).name
    build.plan["files"] = files
    (folder / "plan.json").write_text(json.dumps(build.plan, indent=1, sort_keys=True) + "\n")
    return files
