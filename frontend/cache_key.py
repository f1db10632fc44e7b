"""The cache key of a kernel specialisation: everything that can change its compiled code.

Computed on every first call, cached artifacts included, so it needs the standard library only:
the kernel's source and the globals it reads (frontend/source.py), the signature and compiled-in
constants, the compiler's own sources, the target and the machine the code is built for.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

from qdmlir.frontend import config
from qdmlir.frontend.source import dependency_digest, function_source
from qdmlir.runtime.artifact import ArgSpec

COMPILER_VERSION = "qdmlir-0.1.0"


def cache_key(kernel, args: list[ArgSpec], cfg: config.Config, layout: str | None = None) -> str:
    """Kernel source, called qd.funcs, resolved globals, signature, compiler, target and the
    machine code is built for (host CPU, or GPU chip). `layout`: how compound arguments were
    taken apart, with the compiled-in constants (frontend/flatten.py `Layout.cache_text`)."""
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
        repr([(a.name, a.kind, a.dtype, a.ndim, a.layout, a.element_shape) for a in args]),
        layout or "",
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
