"""qdmlir: Quadrants-style checkpointed graph kernels, compiled through MLIR.

`import qdmlir as qd` gives the Quadrants surface; this module holds only the public names. The
top-level folders frontend/, dialects/, passes/, runtime/ and tools/ are its subpackages.
Importing it loads neither xDSL nor MLIR: the compiler is imported on the first cache miss.
"""

import operator as _operator
from types import SimpleNamespace as _Namespace

from qdmlir.frontend import unsupported as _unsupported
from qdmlir.frontend.config import amdgpu, arm64, cpu, cuda, gpu, init, metal, reset, vulkan, x64
from qdmlir.frontend.config import current as _current_cfg
from qdmlir.frontend.fields import field, ndarray
from qdmlir.frontend.kernel import Kernel, func, kernel, real_func
from qdmlir.frontend.lang import (
    NdarrayType,
    Template,
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
    bit_shr,
    cast,
    ceil,
    checkpoint,
    cos,
    data_oriented,
    exp,
    floor,
    graph,
    graph_do_while,
    graph_parallel,
    graph_parallel_context,
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
from qdmlir.frontend.mathlib import NAMES as _MATH_NAMES
from qdmlir.runtime.dtypes import f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64
from qdmlir.runtime.errors import (
    QuadrantsAssertionError,
    QuadrantsCompilationError,
    QuadrantsIndexError,
    QuadrantsNameError,
    QuadrantsRuntimeError,
    QuadrantsRuntimeTypeError,
    QuadrantsSyntaxError,
    QuadrantsTypeError,
)
from qdmlir.runtime.field import Field
from qdmlir.runtime.matrix import Matrix, Vector
from qdmlir.runtime.matrix_types import matrix as _matrix_type
from qdmlir.runtime.matrix_types import vector as _vector_type
from qdmlir.runtime.ndarray import MatrixNdarray, Ndarray, VectorNdarray
from qdmlir.runtime.status import GraphStatus
from qdmlir.runtime.struct_types import Struct, dataclass
from qdmlir.runtime.struct_types import struct as _struct_type

__version__ = "0.1.0"


def _dtype_test(name: str, test):
    def check(dtype) -> bool:
        from qdmlir.runtime.dtypes import as_dtype

        return test(as_dtype(dtype))

    check.__name__ = check.__qualname__ = name
    check.__doc__ = f"qd.types.{name}(dtype): a qd type (or int / float) is {name[3:]}."
    return check


types = _Namespace(
    ndarray=NdarrayType, NDArray=NdarrayType, template=template, Template=Template,
    vector=_vector_type, matrix=_matrix_type, struct=_struct_type,
    i8=i8, i16=i16, i32=i32, i64=i64, u8=u8, u16=u16, u32=u32, u64=u64, f16=f16, f32=f32, f64=f64,
    is_integral=_dtype_test("is_integral", lambda d: not d.is_float),
    is_real=_dtype_test("is_real", lambda d: d.is_float),
    is_signed=_dtype_test("is_signed", lambda d: d.is_float or d.signed),
)  # fmt: skip

# Quadrants names qdmlir does not implement: each refuses where it is used with a located
# QuadrantsSyntaxError (frontend/unsupported.py)
ad, root = _unsupported.ad, _unsupported.root
i, j, k, l, ij, ijk = (_unsupported.AXES[n] for n in ("i", "j", "k", "l", "ij", "ijk"))  # noqa: E741 - Quadrants names its axes so

# `qd.math.vec3`, `qd.math.normalize`, ...: the vector and matrix part of qd.math
for _name, _value in _MATH_NAMES.items():
    setattr(math, _name, _value)

# `qd.lang.ops.add(a, b)`: Quadrants' operator functions (kernels lower them as the operators)
_lang_ops = _Namespace(
    add=_operator.add, sub=_operator.sub, mul=_operator.mul, truediv=_operator.truediv,
    floordiv=_operator.floordiv, mod=_operator.mod, pow=_operator.pow, matmul=_operator.matmul,
    bit_and=_operator.and_, bit_or=_operator.or_, bit_xor=_operator.xor,
    bit_shl=_operator.lshift, bit_sar=_operator.rshift,
)  # fmt: skip

# `qd.lang.impl.current_cfg().arch` (also .debug, .default_fp, .default_ip): what qd.init chose
lang = _Namespace(impl=_Namespace(current_cfg=_current_cfg), ops=_lang_ops)

# Quadrants' long names of its types
int8, int16, int32, int64 = i8, i16, i32, i64
uint8, uint16, uint32, uint64 = u8, u16, u32, u64
float16, float32, float64 = f16, f32, f64


def __getattr__(name: str):
    """`qd.cfg`: the configuration qd.init chose (`qd.cfg.arch`, `.debug`, `.default_fp`,
    `.default_ip`), read at each use, as Quadrants' module attribute is."""
    if name == "cfg":
        return _current_cfg()
    raise AttributeError(f"module 'qdmlir' has no attribute {name!r}")


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
