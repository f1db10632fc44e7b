"""The compiler driver: one kernel signature from Python source to an artifact.

`@qd.kernel` (on a cache miss) and `qd-compile` both use `Compilation`, so there is one driver:

    kernel IR ──default pipeline──▶ lowered IR ──hand-off──▶ upstream MLIR ──target──▶ artifact

Each stage is a method, so `qd-compile --emit <stage>` can stop anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from qdmlir.frontend import config
from qdmlir.frontend.graph_lowering import CompileUnit, KernelLowering
from qdmlir.frontend.source import function_source
from qdmlir.passes.timing import StageTimes
from qdmlir.runtime import abi
from qdmlir.runtime.artifact import ArgSpec, Manifest, SlotSpec


@dataclass
class Compilation:
    """One kernel specialisation on its way through the pipeline."""

    kernel: object  # a frontend.kernel.Kernel
    args: list[ArgSpec]
    cfg: config.Config
    target: str = "cpu"
    arch: str | None = None  # the GPU chip (cuda: sm_90, ...; rocm: gfx90a, ...); None: default
    print_ir_after_all: bool = False
    slots: list[SlotSpec] = field(default_factory=list)
    debug_sites: list[dict] = field(default_factory=list)  # qd.init(debug=True) checks
    # flatten.Layout: how the call was taken apart (compound arguments, qd.template() values)
    layout: object = None
    print_sites: list[dict] = field(default_factory=list)  # print() calls (print_lowering.py)
    timings: StageTimes = field(default_factory=StageTimes)  # qd-compile --timing

    @classmethod
    def for_kernel(
        cls, kernel, args: list[ArgSpec], cfg: config.Config | None = None, **options
    ) -> Compilation:
        cfg = cfg or config.current()
        return cls(
            kernel, list(args), cfg, target=options.pop("target", cfg.arch.target), **options
        )

    # -- stages ---------------------------------------------------------------------------------

    def kernel_ir(self) -> ModuleOp:
        """The frontend's output: func + scf + arith + memref + math + checkpoint, verified."""
        with self.timings.stage("frontend"):
            source = function_source(self.kernel.fn)
            unit = CompileUnit(
                self.kernel.__name__,
                self.cfg.defaults,
                self.kernel.graph,
                self.kernel.checkpoints,
                target=self.target,
            )
            # the print buffer is not the caller's: the lowering adds it again if the kernel prints
            arguments = [a for a in self.args if a.name != abi.PRINT.name]
            lowering = KernelLowering(unit, source, arguments, self.layout)
            function = lowering.lower()
            self.args = lowering.args
            self.debug_sites = lowering.em.sites
            self.print_sites = unit.prints.sites
            module = ModuleOp([function])
            module.location = function.location  # the kernel's `def`: every op has a location
        # the frontend is where malformed IR can enter; the passes keep it well-formed
        with self.timings.stage("verify kernel IR"):
            module.verify()
        return module

    def lowered_ir(self) -> ModuleOp:
        """After the default pipeline: no checkpoint op, the launch state an argument."""
        from qdmlir.passes.pipeline import (
            PipelineObserver,
            default_pipeline,
            verify_passes_requested,
            xdsl_context,
        )
        from qdmlir.passes.slot_table import read_slot_table

        module = self.kernel_ir()
        observer = PipelineObserver(
            verify_each=verify_passes_requested(), print_ir_after_all=self.print_ir_after_all
        )
        default_pipeline(self.target, observer).apply(xdsl_context(), module)
        for name, seconds in observer.timings:
            self.timings.add(f"pass {name}", seconds)
        self.slots = read_slot_table(module, self.kernel.__name__, [a.name for a in self.args])
        return module

    def upstream_ir(self):
        """The lowered IR as an upstream `mlir.ir.Module`, after upstream's clean-ups."""
        return self._hand_off(self.lowered_ir())

    def _hand_off(self, module: ModuleOp):
        """The hand-off (printed, parsed and verified by upstream), then the target's upstream
        clean-ups in MLIR's pass manager."""
        from qdmlir.passes.handoff import run_upstream, to_upstream
        from qdmlir.passes.pipeline import upstream_cleanup

        with self.timings.stage("hand-off to upstream MLIR"):
            upstream = to_upstream(module)
        cleanup = upstream_cleanup(self.target)
        if cleanup:
            with self.timings.stage(f"upstream {cleanup}"):
                run_upstream(upstream, cleanup)
        return upstream

    def write_artifact(self, folder: Path) -> Manifest:
        """Build the target's artifact into `folder` and write its manifest."""
        builders = {
            "cpu": self._write_cpu_artifact,
            "cuda": self._write_cuda_artifact,
            "rocm": self._write_rocm_artifact,
            "amdgpu": self._write_rocm_artifact,
        }
        if self.target not in builders:
            raise ValueError(
                f"no artifact builder for target {self.target!r} (targets: {', '.join(builders)})"
            )
        manifest = builders[self.target](Path(folder))
        manifest.write(folder)
        return manifest

    def _write_cpu_artifact(self, folder: Path) -> Manifest:
        from qdmlir.passes.targets.cpu import build_cpu_library

        upstream = self.upstream_ir()
        library = build_cpu_library(
            upstream, self.kernel.__name__, self.args, folder, timings=self.timings, consume=True
        )
        return Manifest(
            kernel=self.kernel.__name__,
            target="cpu",
            library=Path(library).name,
            args=self.args,
            slots=self.slots,
            compiler=_compiler_version(),
            debug_sites=self.debug_sites,
            print_sites=self.print_sites,
            max_extent=self.cfg.defaults.ip.max,  # x.shape[k] is the default int
        )

    def cuda_build(self):
        """Lowered IR -> PTX and host plan (passes/targets/cuda.py), for `self.arch`."""
        from qdmlir.passes.gpu_condition_kernels import GpuConditionKernelsPass
        from qdmlir.passes.pipeline import xdsl_context
        from qdmlir.passes.targets.cuda import compile_cuda
        from qdmlir.passes.targets.cuda_arch import parse_arch

        arch = parse_arch(self.arch)  # first: a bad arch must fail before LLVM can abort
        module = self.lowered_ir()
        if arch.device_loop:
            GpuConditionKernelsPass().apply(xdsl_context(), module)
        return compile_cuda(self._hand_off(module), self.kernel.__name__, arch)

    def _write_cuda_artifact(self, folder: Path) -> Manifest:
        from qdmlir.passes.targets.cuda import write_cuda_files

        build = self.cuda_build()
        files = write_cuda_files(build, folder)
        return Manifest(
            kernel=self.kernel.__name__,
            target="cuda",
            library=files["ptx"],
            args=self.args,
            slots=self.slots,
            compiler=_compiler_version(),
            entry=build.kernel,
            arch=build.arch.chip,
            plan="plan.json",
        )

    def rocm_build(self):
        """Lowered IR -> LLVM IR for amdgcn and host plan (passes/targets/rocm.py)."""
        from qdmlir.passes.targets.rocm import compile_rocm
        from qdmlir.passes.targets.rocm_arch import parse_arch

        arch = parse_arch(self.arch)  # first, before any pass or tool sees the chip
        return compile_rocm(self.upstream_ir(), self.kernel.__name__, arch)

    def _write_rocm_artifact(self, folder: Path) -> Manifest:
        from qdmlir.passes.targets.rocm import write_rocm_files
        from qdmlir.passes.targets.rocm_arch import parse_arch
        from qdmlir.passes.targets.rocm_toolchain import require_tools

        parse_arch(self.arch)
        require_tools()  # HIP loads code objects only: no artifact without LLVM 19's tools
        build = self.rocm_build()
        files = write_rocm_files(build, folder)
        return Manifest(
            kernel=self.kernel.__name__,
            target="amdgpu",
            library=files["hsaco"],
            args=self.args,
            slots=self.slots,
            compiler=_compiler_version(),
            entry=build.kernel,
            arch=build.arch.chip,
            plan="plan.json",
        )


def _compiler_version() -> str:
    from qdmlir.frontend.cache_key import COMPILER_VERSION

    return COMPILER_VERSION
