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
gpu = cuda
vulkan = Arch("vulkan", None)
metal = Arch("metal", None)

_ARCHES = {
    "cpu": cpu,
    "x64": cpu,
    "arm64": cpu,
    "cuda": cuda,
    "amdgpu": amdgpu,
    "gpu": cuda,
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
    """Start qdmlir on `arch` (default `qd.cpu`). Quadrants options that do not apply to qdmlir
    (log_level, offline_cache, ...) are accepted and ignored."""
    global _current
    if isinstance(arch, str):
        if arch not in _ARCHES:
            raise ValueError(
                f"qd.init(arch={arch!r}): unknown arch; use one of "
                f"{', '.join(_ARCHES)} (or qd.cpu, qd.cuda, qd.amdgpu)"
            )
        arch = _ARCHES[arch]
    chosen = cpu if arch is None else arch
    if not isinstance(chosen, Arch):
        raise ValueError(f"qd.init(arch={arch!r}): expected qd.cpu, qd.cuda or qd.amdgpu")
    if chosen.target is None:
        raise RuntimeError(
            f"qd.init(arch=qd.{chosen.name}): qdmlir has no {chosen.name} "
            "target; use qd.cpu, qd.cuda or qd.amdgpu"
        )
    chosen = _available_or_cpu(chosen)
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


def _available_or_cpu(arch: Arch) -> Arch:
    """Quadrants runs on the CPU when the GPU asked for is not there; so does qdmlir, with a
    warning that says why (set QD_STRICT_ARCH=1 to make it an error instead)."""
    if arch.target == "cuda":
        from qdmlir.runtime.cuda_driver import device_count

        needed = "CUDA device (cuda-bindings, an NVIDIA driver and a GPU are needed)"
    elif arch.target == "amdgpu":
        from qdmlir.runtime.hip_runtime import device_count

        needed = "AMD GPU (ROCm's libamdhip64, the amdgpu driver and a GPU are needed)"
    else:
        return arch
    if device_count():
        return arch
    message = f"qd.init(arch=qd.{arch.name}): no usable {needed}"
    if os.environ.get("QD_STRICT_ARCH") == "1":
        raise RuntimeError(message)
    warnings.warn(message + "; falling back to qd.cpu", RuntimeWarning, stacklevel=3)
    return cpu


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
