"""qdmlir: Quadrants-style checkpointed graph kernels, compiled through MLIR.

`import qdmlir as qd` gives the Quadrants surface; this module holds only the public names. The
top-level folders frontend/, dialects/, passes/, runtime/ and tools/ are its subpackages.
Importing it loads neither xDSL nor MLIR: the compiler is imported on the first cache miss.
"""

from types import SimpleNamespace as _Namespace

from qdmlir.frontend.config import amdgpu, arm64, cpu, cuda, gpu, init, metal, reset, vulkan, x64
from qdmlir.frontend.config import current as _current_cfg
from qdmlir.frontend.errors import QuadrantsCompilationError, QuadrantsSyntaxError
from qdmlir.frontend.kernel import Kernel, func, kernel
from qdmlir.frontend.lang import (
    NdarrayType,
    abs,
    acos,
    asin,
    atan2,
    atomic_add,
    atomic_and,
    atomic_max,
    atomic_min,
    atomic_mul,
    atomic_or,
    atomic_sub,
    atomic_xor,
    cast,
    ceil,
    checkpoint,
    cos,
    exp,
    floor,
    graph,
    graph_do_while,
    grouped,
    log,
    loop_config,
    math,
    max,
    min,
    ndrange,
    pow,
    raw_div,
    raw_mod,
    round,
    rsqrt,
    select,
    sin,
    sqrt,
    static,
    static_assert,
    static_print,
    tan,
    tanh,
    template,
)
from qdmlir.runtime.dtypes import f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64
from qdmlir.runtime.ndarray import Ndarray, ndarray
from qdmlir.runtime.status import GraphStatus

__version__ = "0.1.0"

types = _Namespace(
    ndarray=NdarrayType, NDArray=NdarrayType, template=template,
    i8=i8, i16=i16, i32=i32, i64=i64, u8=u8, u16=u16, u32=u32, u64=u64, f16=f16, f32=f32, f64=f64,
)  # fmt: skip

# `qd.lang.impl.current_cfg().arch` (also .debug, .default_fp, .default_ip): what qd.init chose
lang = _Namespace(impl=_Namespace(current_cfg=_current_cfg))

# Quadrants' aliases for the default types
int32, int64, float32, float64, uint8, uint32 = i32, i64, f32, f64, u8, u32


def sync() -> None:
    """Wait for the device to finish; CPU launches are synchronous, so this returns at once."""
    from qdmlir.frontend.config import current

    if current().arch.target == "cuda":
        from qdmlir.runtime.cuda_driver import current_device

        current_device().synchronize()
    elif current().arch.target == "amdgpu":
        from qdmlir.runtime.hip_runtime import current_device

        current_device().synchronize()


def reset_cache() -> None:
    """Forget compiled kernels in this process (the on-disk cache stays)."""
    from qdmlir.frontend.kernel import forget_compiled_kernels

    forget_compiled_kernels()
