"""One compiled signature of a kernel: its artifact, launcher and status table.

Finding a specialisation must not import the compiler when the artifact is cached: the key is
computed from the source with the standard library, and only a miss imports `compiler.py`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from qdmlir.frontend import config
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
        """The slot `kernel.resume(from_checkpoint=label)` starts at (DESIGN §1 rule 6)."""
        slot = self.slots_by_label.get(int(label))
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


def cache_key(kernel, args: list[ArgSpec], cfg: config.Config) -> str:
    """Kernel source, called qd.funcs, resolved globals, signature, compiler, target and host
    CPU."""
    from qdmlir.runtime.cpu import host_signature

    source = function_source(kernel.fn)
    digest = hashlib.sha256()
    for part in (
        COMPILER_VERSION,
        compiler_digest(),
        cfg.arch.target,
        host_signature(),  # CPU code is built for this machine's CPU (-mcpu=native)
        f"ip={cfg.defaults.ip.name} fp={cfg.defaults.fp.name} debug={cfg.debug}",
        f"graph={kernel.graph} checkpoints={kernel.checkpoints}",
        dependency_digest(source),
        repr([(a.name, a.kind, a.dtype, a.ndim) for a in args]),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


_COMPILER_DIGEST: str | None = None


def compiler_digest() -> str:
    """A digest of the compiler's own sources: a changed compiler never reuses old artifacts."""
    global _COMPILER_DIGEST
    if _COMPILER_DIGEST is None:
        import qdmlir.dialects
        import qdmlir.frontend
        import qdmlir.passes

        digest = hashlib.sha256()
        for package in (qdmlir.frontend, qdmlir.dialects, qdmlir.passes):
            root = Path(package.__file__).parent
            for path in sorted(root.rglob("*.py")):
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
        _COMPILER_DIGEST = digest.hexdigest()
    return _COMPILER_DIGEST


def build_specialization(kernel, args: list[ArgSpec]) -> Specialization:
    """Load the cached artifact for this signature, compiling it first on a miss."""
    cfg = config.current()
    if cfg.arch.target != "cpu":
        raise RuntimeError(f"qdmlir cannot launch kernels on {cfg.arch!r} from this process yet; "
                           "use qd.init(arch=qd.cpu) (GPU artifacts: qd-compile --target ...)")
    key = cache_key(kernel, args, cfg)
    cache = default_cache()
    directory = cache.lookup(key)
    if directory is None:
        directory = cache.store(key, lambda folder: _compile_into(kernel, args, cfg, folder))
    return _load(kernel, args, directory, key, cache)


def _compile_into(kernel, args: list[ArgSpec], cfg: config.Config, folder: Path) -> None:
    from qdmlir.frontend.compiler import Compilation

    Compilation.for_kernel(kernel, args, cfg).write_artifact(folder)


def _load(kernel, args: list[ArgSpec], directory: Path, key: str, cache) -> Specialization:
    from qdmlir.runtime.cpu import ArtifactLoadError, CpuLauncher

    try:
        launcher = CpuLauncher.from_artifact(directory)
    except ArtifactLoadError:
        # a library that passed its checksum but does not load (built for another machine's
        # CPU, a runtime library gone): rebuild it once
        cache.invalidate(key)
        cfg = config.current()
        directory = cache.store(key, lambda folder: _compile_into(kernel, args, cfg, folder))
        launcher = CpuLauncher.from_artifact(directory)
    manifest = Manifest.read(directory)
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
    return Specialization(kernel.__name__, launcher, statuses, slots_by_label, labels)
