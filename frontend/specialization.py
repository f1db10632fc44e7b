"""One compiled signature of a kernel: its artifact, launcher and status table.

Finding a specialisation must not import the compiler when the artifact is cached: the key is
computed from the source with the standard library (frontend/cache_key.py), and only a miss
imports `compiler.py`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qdmlir.frontend import config
from qdmlir.frontend.cache_key import cache_key, cuda_arch, rocm_arch
from qdmlir.frontend.source import (
    FLAT_GRAPH_SPELLINGS,
    checkpoint_labels,
    deprecated_graph_spellings,
    function_source,
)
from qdmlir.runtime import abi
from qdmlir.runtime.artifact import ArgSpec, Manifest
from qdmlir.runtime.cache import default_cache
from qdmlir.runtime.launch import make_call, make_run
from qdmlir.runtime.status import COMPLETED, GraphStatus


@dataclass
class Specialization:
    """Launches one signature: `run(args, resume_point)` returns what the kernel call returns
    (runtime/launch.py makes it; for a steady CPU call it is the launcher's own function)."""

    kernel_name: str
    run: Callable[[tuple, int], object]
    slots_by_label: dict[int, int]
    labels: list  # the label objects, in slot order, for error messages
    # the kernel's whole steady call, where the launcher generates one (runtime/launch.py)
    call: Callable[..., object] | None = None

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


def build_specialization(kernel, args: list[ArgSpec], layout=None):
    """Load the cached artifact for this signature, compiling it first on a miss. `layout`
    (frontend/flatten.py): how the call's compound arguments were taken apart; the artifact
    takes its argument leaves, and its constants are compiled in."""
    warn_deprecated_spellings(kernel)
    return _build(kernel, args, layout)


def warn_deprecated_spellings(kernel) -> None:
    """One DeprecationWarning per kernel compile (each new specialisation, cached or not, as
    Quadrants warns each time it compiles) naming the `qd.graph.*` spelling of every flat
    `qd.graph_*` name the kernel uses. It is issued at the first flat use in the kernel's
    source, so Python's default filters show it for a kernel defined in `__main__`."""
    source = function_source(kernel.fn)
    uses = deprecated_graph_spellings(source)
    if not uses:
        return
    flat = {canonical: name for name, canonical in FLAT_GRAPH_SPELLINGS.items()}
    parts = []
    for canonical, lines in uses.items():
        where = ", ".join(str(line) for line in lines)
        parts.append(
            f"qd.{flat[canonical]}() (line{'s' if len(lines) > 1 else ''} {where}): use "
            f"qd.graph.{canonical}() instead"
        )
    message = (
        f"kernel '{kernel.__name__}' uses deprecated spellings that will be removed in a "
        f"future release: {'; '.join(parts)}"
    )
    fn = kernel.fn
    warnings.warn_explicit(
        message,
        DeprecationWarning,
        source.file,
        min(line for lines in uses.values() for line in lines),
        module=fn.__module__,
        registry=fn.__globals__.setdefault("__warningregistry__", {}),
        module_globals=fn.__globals__,
    )


def _build(kernel, args: list[ArgSpec], layout) -> Specialization:
    cfg = config.current()
    if cfg.arch.target not in ("cpu", "cuda", "amdgpu"):
        raise RuntimeError(
            f"qdmlir cannot launch kernels on {cfg.arch!r} from this process yet; "
            "use qd.init(arch=qd.cpu), qd.cuda or qd.amdgpu (other GPU "
            "artifacts: qd-compile --target ...)"
        )
    if cfg.arch.target != "cpu" and abi.find(args, abi.RESULT) is not None:
        raise RuntimeError(
            f"kernel '{kernel.__name__}' returns a value: qdmlir returns kernel "
            f"values on qd.cpu only; on {cfg.arch!r} write the result into a 0-d "
            "ndarray parameter instead"
        )
    key = cache_key(kernel, args, cfg, layout=None if layout is None else layout.cache_text())
    cache = default_cache()
    directory = cache.lookup(key)

    def compile_into(folder: Path) -> None:
        _compile_into(kernel, args, cfg, folder, layout)

    built = directory is None
    if built:
        directory = cache.store(key, compile_into)
    if cfg.arch.target in ("cuda", "amdgpu"):
        launcher = load_launcher(directory)
        return specialization_for(kernel, launcher, Manifest.read(directory), layout)
    return _load(kernel, directory, key, cache, compile_into, layout, built)


def _compile_into(kernel, args: list[ArgSpec], cfg: config.Config, folder: Path, layout) -> None:
    try:
        from qdmlir.frontend.compiler import Compilation
    except ImportError as err:  # a GPU machine with prebuilt artifacts and no compiler
        raise RuntimeError(
            f"kernel '{kernel.__name__}' has no artifact in the cache ({default_cache().root}) "
            f"for this signature and target, and the compiler cannot load here ({err}); build "
            "the artifacts where qdmlir's compiler is installed (python tests/gpu/gpu_suite.py build) "
            "and point QD_CACHE_DIR at them"
        ) from None
    arch = None
    if cfg.arch.target == "cuda":
        arch = cuda_arch()
    elif cfg.arch.target == "amdgpu":
        arch = rocm_arch()
    Compilation.for_kernel(kernel, args, cfg, arch=arch, layout=layout).write_artifact(folder)


def load_launcher(directory: Path):
    """The launcher of a published GPU artifact, by its manifest's target (CPU: _load)."""
    manifest = Manifest.read(directory)
    if manifest.target == "amdgpu":
        from qdmlir.runtime.hip import HipLauncher

        return HipLauncher(directory, manifest)
    from qdmlir.runtime.cuda import CudaLauncher

    return CudaLauncher(directory, manifest)


def _load(
    kernel, directory: Path, key: str, cache, compile_into, layout, built: bool
) -> Specialization:
    """The CPU launcher of `directory`, `built` by this call or found in the cache. A found
    library that does not load (built for another machine's CPU, a runtime library gone) is
    rebuilt once; one built here that does not load means its folder cannot map executables
    (a noexec mount): the entry moves to the cache's private root (runtime/cache.py)."""
    from qdmlir.runtime.cache import noexec_mount
    from qdmlir.runtime.cpu import ArtifactLoadError, CpuLauncher

    while True:
        try:
            launcher = CpuLauncher.from_artifact(directory)
            break
        except ArtifactLoadError as error:
            # what dlopen says when the pages of a library cannot be mapped executable
            unmappable = noexec_mount(directory) or "failed to map segment" in str(error)
            if not built and not unmappable:
                cache.invalidate(key)
                directory, built = cache.store(key, compile_into), True
                continue
            if not unmappable:
                raise
            reason = (
                "it is on a filesystem mounted noexec, where kernel libraries cannot be loaded"
                if noexec_mount(directory)
                else f"kernel libraries there cannot be mapped executable ({error})"
            )
            if not cache.fall_back(reason) and directory.parent == cache.root:
                raise  # the private root cannot load it either
            directory = cache.adopt(key, directory)
    return specialization_for(kernel, launcher, Manifest.read(directory), layout)


def specialization_for(kernel, launcher, manifest: Manifest, layout=None) -> Specialization:
    """The status table and label lookup of a manifest's slots, around any launcher. With a
    `layout`, the steady call takes compound arguments apart (runtime/launch.py Extraction)."""
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
    run = make_run(launcher, manifest, statuses)
    if layout is None:
        call = make_call(launcher, manifest, statuses, _general_call)
    else:
        from qdmlir.frontend.kernel import _bound_general_call

        fallback = _bound_general_call if layout.bound else _general_call
        call = make_call(launcher, manifest, statuses, fallback, layout.extraction())
    return Specialization(kernel.__name__, run, slots_by_label, labels, call)


def _general_call(kernel, *args, **kwargs):
    """The call path that binds keyword arguments (the generated `__call__` hands them here)."""
    return kernel._launch(args, kwargs, None)
