"""What the GPU targets share: every task its own kernel, guards inside, the host part a plan.

docs/targets.md (`qd.cuda`, `qd.amdgpu`): one GPU kernel per task, guards inside each kernel. From the
hand-off on, CUDA and ROCm run the same steps up to the device lowering:
1. `MAP_TASKS_PIPELINE` maps every `scf.parallel` to a `gpu.launch`, checked
   (convert-parallel-loops-to-gpu leaves a loop it cannot map without a word);
2. `OUTLINE_PIPELINE` outlines each launch into its own kernel;
3. the host functions become the launch plan (cuda_host_plan.py) and are dropped; the kernels
   move into one `gpu.module`, named `<kernel>_k<i>` in launch order.
The target then lowers that module (cuda.py: NVVM and PTX; rocm.py: ROCDL and LLVM IR).
"""

from __future__ import annotations

from mlir import ir, passmanager

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


class GpuBuildError(RuntimeError):
    """Building a GPU artifact failed; the message names the kernel, the step and its log."""


def outline_tasks(
    module: ir.Module,
    kernel_name: str,
    chip: str,
    device_loop: bool,
    target: str,
    error: type[GpuBuildError] = GpuBuildError,
) -> tuple[ir.Operation, dict]:
    """Upstream module (after the hand-off) -> (a copy holding one `gpu.module` with a kernel
    per task, the launch plan). `target` ("CUDA", "ROCm") and `error` name the target in
    messages. The caller's module is unchanged; call inside its context."""
    work = module.operation.clone()
    run_pipeline(MAP_TASKS_PIPELINE, work, kernel_name, "mapping tasks to GPU launches", error)
    check_all_tasks_mapped(work, kernel_name, error)
    run_pipeline(OUTLINE_PIPELINE, work, kernel_name, "outlining GPU kernels", error)
    plan = build_plan(work, kernel_name, chip, device_loop, target, error)
    drop_host_functions(work)
    merge_device_modules(work, plan)
    return work, plan


def run_pipeline(
    pipeline: str,
    op: ir.Operation,
    kernel_name: str,
    step: str,
    error: type[GpuBuildError] = GpuBuildError,
) -> None:
    try:
        passmanager.PassManager.parse(pipeline).run(op)
    except ir.MLIRError as err:
        raise error(f"kernel {kernel_name}: {step} failed:\n{err}") from None


def host_functions(module: ir.Operation) -> list[ir.Operation]:
    return [
        op.operation
        for op in module.regions[0].blocks[0].operations
        if op.operation.name == "func.func" and len(op.operation.regions[0].blocks)
    ]


def check_all_tasks_mapped(
    module: ir.Operation, kernel_name: str, error: type[GpuBuildError] = GpuBuildError
) -> None:
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

    for function in host_functions(module):
        walk(function, False)
    if left:
        where = ", ".join(str(op.location) for op in left)
        raise error(
            f"kernel {kernel_name}: {len(left)} task(s) could not be mapped to GPU threads by "
            f"convert-parallel-loops-to-gpu (at {where}); a task with reductions (loop-carried "
            "values) or bounds computed inside the loop cannot be mapped: accumulate with "
            "qd.atomic_add and compute loop bounds before the loop"
        )


def build_plan(
    module: ir.Operation,
    kernel_name: str,
    chip: str,
    device_loop: bool,
    target: str = "GPU",
    error: type[GpuBuildError] = GpuBuildError,
) -> dict:
    """The JSON plan: kernels (name, parameters), one entry per host function."""
    kernels: dict[tuple[str, str], int] = {}
    names: list[str] = []
    functions = {}
    params: dict[int, list[dict]] = {}
    for function in host_functions(module):
        fname = ir.StringAttr(function.attributes["sym_name"]).value
        for symbol in _launched_symbols(function):
            if symbol not in kernels:
                kernels[symbol] = len(names)
                count = sum(1 for n in names if n.startswith(fname + "_k"))
                names.append(f"{fname}_k{count}" if fname == kernel_name else fname)
        try:
            functions[fname], launch_params = extract_function(function, kernels, target)
        except HostPlanError as err:
            raise error(f"kernel {kernel_name}: {err}") from None
        params.update(launch_params)
    if kernel_name not in functions:
        raise error(f"kernel {kernel_name}: the module has no func.func @{kernel_name}")
    return {
        "format": PLAN_FORMAT,
        "kernel": kernel_name,
        "arch": chip,
        "device_loop": device_loop,
        "kernels": [
            {"name": n, "symbol": list(s), "params": params.get(i, [])}
            for (s, i), n in zip(sorted(kernels.items(), key=lambda kv: kv[1]), names)
        ],
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


def drop_host_functions(module: ir.Operation) -> None:
    for op in list(module.regions[0].blocks[0].operations):
        if op.operation.name == "func.func":
            op.operation.erase()


def merge_device_modules(module: ir.Operation, plan: dict) -> None:
    """Move every outlined kernel into one gpu.module and give it its plan name, so one device
    binary holds one entry point per task."""
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
