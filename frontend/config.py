"""`qd.init(...)` and the architecture names (`qd.cpu`, `qd.cuda`, ...).

The configuration is process-wide, as in Quadrants; kernels read it when they compile, and the
parts that change generated code (target, default types, debug) are part of the cache key.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, replace

from qdmlir.frontend.promotion import Defaults
from qdmlir.runtime import dtypes


class Arch:
    """A target architecture; `qd.cpu` and `qd.x64` are the same one."""

    def __init__(self, name: str, target: str | None):
        self.name = name
        self.target = target  # the compiler target, or None where qdmlir has none

    def __repr__(self) -> str:
        return f"qd.{self.name}"


cpu = Arch("cpu", "cpu")
x64 = cpu
arm64 = cpu
cuda = Arch("cuda", "cuda")
amdgpu = Arch("amdgpu", "amdgpu")
vulkan = Arch("vulkan", None)
metal = Arch("metal", None)
# Quadrants' `qd.gpu`: the first of these the machine can run, else the CPU (with a warning)
gpu = [cuda, metal, vulkan, amdgpu]

_ARCHES = {
    "cpu": cpu,
    "x64": cpu,
    "arm64": cpu,
    "cuda": cuda,
    "amdgpu": amdgpu,
    "gpu": gpu,
    "vulkan": vulkan,
    "metal": metal,
}


@dataclass(frozen=True)
class Config:
    arch: Arch = cpu
    defaults: Defaults = Defaults()
    debug: bool = False
    initialized: bool = False

    # Quadrants' names, read as `qd.lang.impl.current_cfg().default_fp` by programs and tests
    @property
    def default_fp(self) -> dtypes.DType:
        return self.defaults.fp

    @property
    def default_ip(self) -> dtypes.DType:
        return self.defaults.ip


_current = Config()


def current() -> Config:
    """The configuration in force; Quadrants spells it `qd.lang.impl.current_cfg()`."""
    return _current


def init(arch=None, *, default_ip=None, default_fp=None, debug: bool = False, **options) -> None:
    """Start qdmlir on `arch` (default `qd.cpu`; a list such as `qd.gpu` takes the first that
    runs here). Quadrants options that do not apply to qdmlir (log_level, offline_cache, ...)
    are accepted and ignored; `enable_fallback=False` makes an arch that cannot run an error."""
    global _current
    strict = os.environ.get("QD_STRICT_ARCH") == "1" or not options.get("enable_fallback", True)
    chosen = _choose_arch(arch, strict)
    defaults = Defaults(
        ip=_default_type("default_ip", default_ip, dtypes.i32, want_float=False),
        fp=_default_type("default_fp", default_fp, dtypes.f32, want_float=True),
    )
    _current = replace(
        _current, arch=chosen, defaults=defaults, debug=bool(debug), initialized=True
    )
    _use_arrays_of(chosen)
    dtypes.set_defaults(defaults.ip, defaults.fp)
    from qdmlir.frontend import kernel

    kernel.forget_compiled_kernels()  # a new configuration compiles kernels afresh


def _default_type(option: str, value, default: dtypes.DType, want_float: bool) -> dtypes.DType:
    """`qd.init(default_ip=qd.i64)`: an integer type for default_ip, a float one for default_fp."""
    if value is None:
        return default
    kind, article = ("float", "a") if want_float else ("integer", "an")
    try:
        dtype = dtypes.as_dtype(value)
    except (KeyError, TypeError) as error:
        raise ValueError(
            f"qd.init({option}={value!r}): {error.args[0] if error.args else error}"
            f"; pass {article} {kind} type such as qd.{default.name}"
        ) from None
    if dtype.is_float != want_float:
        raise ValueError(
            f"qd.init({option}=qd.{dtype.name}): {option} must be {article} "
            f"{kind} type, such as qd.{default.name}"
        )
    return dtype


def _choose_arch(arch, strict: bool) -> Arch:
    """The first of the archs asked for (one, or a list such as `qd.gpu`) that qdmlir can run
    here. Quadrants runs on the CPU when none can; so does qdmlir, with one warning that says
    why for each (`QD_STRICT_ARCH=1` or `qd.init(enable_fallback=False)`: an error instead)."""
    if arch is None:
        return cpu
    candidates = list(arch) if isinstance(arch, (list, tuple)) else [arch]
    for index, candidate in enumerate(candidates):
        if isinstance(candidate, str):
            if candidate not in _ARCHES:
                raise ValueError(
                    f"qd.init(arch={candidate!r}): unknown arch; use one of "
                    f"{', '.join(_ARCHES)} (or qd.cpu, qd.cuda or qd.amdgpu)"
                )
            found = _ARCHES[candidate]
            candidates[index : index + 1] = found if isinstance(found, list) else [found]
    for candidate in candidates:
        if not isinstance(candidate, Arch):
            raise ValueError(f"qd.init(arch={arch!r}): expected qd.cpu, qd.cuda or qd.amdgpu")
    reasons = []
    for candidate in candidates:
        missing = _unavailable(candidate)
        if missing is None:
            return candidate
        reasons.append(missing)
    message = f"qd.init(arch={arch!r}): {'; '.join(reasons)}"
    if strict:
        raise RuntimeError(message)
    warnings.warn(message + "; falling back to qd.cpu", RuntimeWarning, stacklevel=3)
    return cpu


def _unavailable(arch: Arch) -> str | None:
    """Why qdmlir cannot run kernels on `arch` here, None if it can."""
    if arch.target is None:
        return f"qdmlir has no {arch.name} target (it builds for qd.cpu, qd.cuda and qd.amdgpu)"
    if arch.target == "cuda":
        from qdmlir.runtime.cuda_driver import device_count

        needed = "CUDA device (cuda-bindings, an NVIDIA driver and a GPU are needed)"
    elif arch.target == "amdgpu":
        from qdmlir.runtime.hip_runtime import device_count

        needed = "AMD GPU (ROCm's libamdhip64, the amdgpu driver and a GPU are needed)"
    else:
        return None
    return None if device_count() else f"no usable {needed}"


def _use_arrays_of(arch: Arch) -> None:
    """`qd.ndarray` allocates in device memory on qd.cuda (runtime/cuda_ndarray.py) and
    qd.amdgpu (runtime/hip.py)."""
    from qdmlir.runtime import ndarray

    if arch.target == "cuda":
        from qdmlir.runtime.cuda_ndarray import DeviceNdarray

        ndarray.use_array_class(DeviceNdarray)
    elif arch.target == "amdgpu":
        from qdmlir.runtime.hip import HipNdarray

        ndarray.use_array_class(HipNdarray)
    else:
        ndarray.use_array_class(None)


def reset() -> None:
    """Back to the state before `qd.init` (Quadrants' `qd.reset`)."""
    global _current
    _current = Config()
    _use_arrays_of(cpu)
    dtypes.set_defaults(_current.defaults.ip, _current.defaults.fp)
    from qdmlir.frontend import kernel

    kernel.forget_compiled_kernels()
