"""One compiled signature of a kernel: its artifact, launcher and status table.

Finding a specialisation must not import the compiler when the artifact is cached: the key is
computed from the source with the standard library, and only a miss imports `compiler.py`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qdmlir.frontend import config
from qdmlir.frontend.bounds import DEBUG_PARAMETER, CheckedLauncher
from qdmlir.frontend.printing import PRINT_PARAMETER, PrintingLauncher
from qdmlir.frontend.source import checkpoint_labels, dependency_digest, function_source
from qdmlir.runtime.artifact import ArgSpec, Manifest
from qdmlir.runtime.cache import default_cache
from qdmlir.runtime.status import COMPLETED, GraphStatus

COMPILER_VERSION = "qdmlir-0.1.0"


@dataclass
class Specialization:
    """Launches one signature; `run(args, resume_point)` returns what the kernel call returns."""

    kernel_name: str
    launcher: object
    statuses: list  # index yielded_at + 1 -> what a launch returns
    slots_by_label: dict[int, int]
    labels: list  # the label objects, in slot order, for error messages

    def run(self, args: tuple, resume_point: int):
        return self.statuses[self.launcher.launch(args, resume_point) + 1]

    def slot_of(self, label) -> int:
        """The slot `kernel.resume(from_checkpoint=label)` starts at (docs/semantics.md rule 6)."""
        slot = self.slots_by_label.get(label)  # an IntEnum member hashes as its int
        if slot is None:
            if not self.slots_by_label:
                raise RuntimeError(
                    f"from_checkpoint={label!r} does not match any qd.checkpoint(cp_id=...) in "
                    f"kernel '{self.kernel_name}': it has no explicit checkpoints to resume from"
                )
            available = ", ".join(repr(label) for label in self.labels)
            raise RuntimeError(
                f"from_checkpoint={label!r} does not match any qd.checkpoint(cp_id=...) in "
                f"kernel '{self.kernel_name}'; available labels: {available}"
            )
        return slot


RESULT_PARAMETER = "qd_result"
"""The hidden last argument of a kernel that returns a value: a 0-d ndarray the kernel's
`return` writes, so the value crosses the ordinary argument ABI on every target."""


class ResultSpecialization(Specialization):
    """A plain kernel with `-> qd.f32` and the like: each launch returns the written value."""

    result_dtype = None

    def run(self, args: tuple, resume_point: int):
        cell = np.zeros((), self.result_dtype.np_dtype)
        self.launcher.launch((*args, cell), resume_point)
        return cell.item()


def cache_key(
    kernel, args: list[ArgSpec], cfg: config.Config, constants: dict | None = None
) -> str:
    """Kernel source, called qd.funcs, resolved globals, signature (qd.template() constants
    included), compiler, target and the machine code is built for (host CPU, or GPU chip)."""
    source = function_source(kernel.fn)
    digest = hashlib.sha256()
    for part in (
        COMPILER_VERSION,
        compiler_digest(),
        cfg.arch.target,
        target_signature(cfg),
        f"ip={cfg.defaults.ip.name} fp={cfg.defaults.fp.name} debug={cfg.debug}",
        f"graph={kernel.graph} checkpoints={kernel.checkpoints}",
        dependency_digest(source),
        # debug builds carry file:line per bounds check: the same source elsewhere differs
        f"{source.file}:{source.first_line}" if cfg.debug else "",
        repr([(a.name, a.kind, a.dtype, a.ndim) for a in args]),
        repr(
            sorted(
                (name, type(value).__qualname__, repr(value))
                for name, value in (constants or {}).items()
            )
        ),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def target_signature(cfg: config.Config) -> str:
    """What the artifact is built for: the host CPU (-mcpu=native), or the GPU chip, so a
    GPU machine computes the same key as the machine that built its artifacts."""
    if cfg.arch.target == "cuda":
        return cuda_arch()
    if cfg.arch.target == "amdgpu":
        return rocm_arch()
    from qdmlir.runtime.cpu import host_signature

    return host_signature()


def cuda_arch() -> str:
    """The chip to build CUDA kernels for: $QD_CUDA_ARCH (a machine without a GPU building
    artifacts for one), else the current device's (sm_90 on an H100)."""
    override = os.environ.get("QD_CUDA_ARCH")
    if override:
        return override.strip().lower()
    from qdmlir.runtime.cuda_driver import current_device

    return current_device().arch


def rocm_arch() -> str:
    """The chip to build ROCm kernels for: $QD_ROCM_ARCH (a machine without a GPU building
    artifacts for one), else the current device's (gfx90a on an MI210/MI250)."""
    override = os.environ.get("QD_ROCM_ARCH")
    if override:
        return override.strip().lower()
    from qdmlir.runtime.hip_runtime import current_device

    return current_device().arch


_COMPILER_DIGEST: str | None = None


def compiler_digest() -> str:
    """A digest of the compiler's own sources: a changed compiler never reuses old artifacts."""
    global _COMPILER_DIGEST
    if _COMPILER_DIGEST is None:
        digest = hashlib.sha256()
        # find_spec locates the packages without running them: passes/ imports xDSL, which a
        # GPU machine running prebuilt artifacts does not have
        for package in ("qdmlir.frontend", "qdmlir.dialects", "qdmlir.passes"):
            root = Path(importlib.util.find_spec(package).origin).parent
            for path in sorted(root.rglob("*.py")):
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
        _COMPILER_DIGEST = digest.hexdigest()
    return _COMPILER_DIGEST


def build_specialization(kernel, args: list[ArgSpec], constants: dict | None = None):
    """Load the cached artifact for this signature, compiling it first on a miss.
    `constants`: the qd.template() arguments compiled in, which calls then leave out."""
    specialization = _build(kernel, args, constants or {})
    if not constants:
        return specialization
    kept = tuple(i for i, p in enumerate(kernel._parameters) if p.name not in constants)
    return WithoutConstants(specialization, kept)


@dataclass
class WithoutConstants:
    """A specialisation of a kernel with qd.template() constants: they are compiled in, so a
    launch passes only the other arguments."""

    inner: Specialization
    kept: tuple[int, ...]  # positions of the arguments the artifact takes

    def run(self, args: tuple, resume_point: int):
        return self.inner.run(tuple(args[i] for i in self.kept), resume_point)

    def slot_of(self, label) -> int:
        return self.inner.slot_of(label)


def _build(kernel, args: list[ArgSpec], constants: dict) -> Specialization:
    cfg = config.current()
    if cfg.arch.target not in ("cpu", "cuda", "amdgpu"):
        raise RuntimeError(
            f"qdmlir cannot launch kernels on {cfg.arch!r} from this process yet; "
            "use qd.init(arch=qd.cpu), qd.cuda or qd.amdgpu (other GPU "
            "artifacts: qd-compile --target ...)"
        )
    if cfg.arch.target != "cpu" and any(a.name == RESULT_PARAMETER for a in args):
        raise RuntimeError(
            f"kernel '{kernel.__name__}' returns a value: qdmlir returns kernel "
            f"values on qd.cpu only; on {cfg.arch!r} write the result into a 0-d "
            "ndarray parameter instead"
        )
    key = cache_key(kernel, args, cfg, constants)
    cache = default_cache()
    directory = cache.lookup(key)

    def compile_into(folder: Path) -> None:
        _compile_into(kernel, args, cfg, folder, constants)

    if directory is None:
        directory = cache.store(key, compile_into)
    if cfg.arch.target in ("cuda", "amdgpu"):
        return specialization_for(kernel, load_launcher(directory), Manifest.read(directory))
    return _load(kernel, directory, key, cache, compile_into)


def _compile_into(
    kernel, args: list[ArgSpec], cfg: config.Config, folder: Path, constants: dict
) -> None:
    try:
        from qdmlir.frontend.compiler import Compilation
    except ImportError as err:  # a GPU machine with prebuilt artifacts and no compiler
        raise RuntimeError(
            f"kernel '{kernel.__name__}' has no artifact in the cache ({default_cache().root}) "
            f"for this signature and target, and the compiler cannot load here ({err}); build "
            "the artifacts where qdmlir's compiler is installed (tests/gpu/build_artifacts.py) "
            "and point QD_CACHE_DIR at them"
        ) from None
    arch = None
    if cfg.arch.target == "cuda":
        arch = cuda_arch()
    elif cfg.arch.target == "amdgpu":
        arch = rocm_arch()
    Compilation.for_kernel(kernel, args, cfg, arch=arch, constants=constants).write_artifact(folder)


def load_launcher(directory: Path):
    """The launcher of a published GPU artifact, by its manifest's target (CPU: _load)."""
    manifest = Manifest.read(directory)
    if manifest.target == "amdgpu":
        from qdmlir.runtime.hip import HipLauncher

        return HipLauncher(directory, manifest)
    from qdmlir.runtime.cuda import CudaLauncher

    return CudaLauncher(directory, manifest)


def _load(kernel, directory: Path, key: str, cache, compile_into) -> Specialization:
    from qdmlir.runtime.cpu import ArtifactLoadError, CpuLauncher

    try:
        launcher = CpuLauncher.from_artifact(directory)
    except ArtifactLoadError:
        # a library that passed its checksum but does not load (built for another machine's
        # CPU, a runtime library gone): rebuild it once
        cache.invalidate(key)
        directory = cache.store(key, compile_into)
        launcher = CpuLauncher.from_artifact(directory)
    return specialization_for(kernel, launcher, Manifest.read(directory))


def specialization_for(kernel, launcher, manifest: Manifest) -> Specialization:
    """The status table and label lookup of a manifest's slots, around any launcher."""
    objects = checkpoint_labels(function_source(kernel.fn))
    slots_by_label: dict[int, int] = {}
    labels = []
    statuses: list = [None if not kernel.checkpoints else COMPLETED]
    for slot, spec in enumerate(manifest.slots):
        label = None
        if spec.label is not None:
            label = objects.get(spec.label, spec.label)
            slots_by_label[spec.label] = slot
            labels.append(label)
        statuses.append(GraphStatus(True, label) if kernel.checkpoints else None)
    if any(a.name == PRINT_PARAMETER for a in manifest.args):  # innermost: its buffer is last
        launcher = PrintingLauncher(launcher, manifest.print_sites)
    if any(a.name == DEBUG_PARAMETER for a in manifest.args):
        launcher = CheckedLauncher(launcher, manifest.debug_sites, kernel.__name__)
    result = next((a for a in manifest.args if a.name == RESULT_PARAMETER), None)
    if result is None:
        return Specialization(kernel.__name__, launcher, statuses, slots_by_label, labels)
    specialization = ResultSpecialization(
        kernel.__name__, launcher, statuses, slots_by_label, labels
    )
    specialization.result_dtype = result.qd_dtype
    return specialization
