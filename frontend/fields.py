"""`qd.field(...)` and `qd.ndarray(...)` as the program calls them: arguments checked here, with
Quadrants' error classes, before the runtime allocates (runtime/field.py, runtime/ndarray.py).

Here, not in the runtime, because the checks need the frontend: `int` / `float` mean the
`qd.init` defaults, and autodiff is refused as a located `QuadrantsSyntaxError`
(frontend/unsupported.py). The element type may be a vector or matrix type
(`qd.math.vec3`, `qd.types.matrix(2, 2, qd.f32)`): an ndarray or field of those.
"""

from __future__ import annotations

from typing import Any

from qdmlir.frontend import config
from qdmlir.frontend.errors import QuadrantsRuntimeError
from qdmlir.frontend.unsupported import refuse_autodiff, refuse_snodes
from qdmlir.runtime import dtypes
from qdmlir.runtime import ndarray as _ndarray
from qdmlir.runtime.field import Field, field_offset, field_shape
from qdmlir.runtime.matrix_types import MatrixType
from qdmlir.runtime.struct_field import StructField


def field(
    dtype: Any,
    shape: Any = None,
    order: str | None = None,
    name: str = "",
    offset: Any = None,
    needs_grad: bool = False,
    needs_dual: bool = False,
) -> Field:
    """`qd.field(qd.f32, shape=(n, m), offset=(-1, 0))`: a zero-initialised dense field.
    `order` (the axis order of its memory) is accepted and changes nothing: a dense field is
    row-major, and kernels index it the same either way."""
    if needs_grad or needs_dual:
        raise refuse_autodiff(f"qd.field({'needs_grad' if needs_grad else 'needs_dual'}=True)")
    element = _element_type(dtype, f"qd.field({dtype!r}, {shape!r})")
    if shape is None:
        raise refuse_snodes("qd.field() without a shape (placing it in an SNode tree later)")
    dims = field_shape(shape)
    if not all(n > 0 for n in dims):
        raise QuadrantsRuntimeError(
            f"Every dimension of a Quadrants field should be positive, got shape {dims}"
        )
    return Field(element, dims, field_offset(offset, len(dims)), name)


def struct_field(
    struct_type: Any,
    shape: Any = None,
    order: str | None = None,
    name: str = "",
    offset: Any = None,
    needs_grad: bool = False,
    needs_dual: bool = False,
) -> StructField:
    """`Ray.field(shape=n)`, `qd.Struct.field({"a": qd.f32}, shape=n)`: one field per member
    (a struct field per struct member), each checked as qd.field checks it
    (runtime/struct_field.py)."""
    from qdmlir.runtime.struct_types import StructType

    members = {}
    for member, kind in struct_type.members.items():
        label = f"{name}.{member}" if name else member
        if isinstance(kind, StructType):
            members[member] = struct_field(
                kind, shape, order, label, offset, needs_grad, needs_dual
            )
        else:
            members[member] = field(kind, shape, order, label, offset, needs_grad, needs_dual)
    if not members:
        raise TypeError(f"a field of {struct_type.name} structs needs at least one member")
    return StructField(struct_type, members)


def ndarray(dtype: Any, shape: Any, needs_grad: bool = False) -> Any:
    """`qd.ndarray(qd.f32, (16, 8))`: a zero-initialised ndarray (Quadrants' signature), in
    device memory after `qd.init(arch=qd.cuda)`."""
    if needs_grad:
        raise refuse_autodiff("qd.ndarray(needs_grad=True)")
    return _ndarray.ndarray(_element_type(dtype, f"qd.ndarray({dtype!r}, {shape!r})"), shape)


def _element_type(dtype: Any, call: str) -> dtypes.DType | MatrixType:
    """A scalar element type (`int` / `float` are the qd.init defaults, as in Quadrants), or a
    vector / matrix type with its size and dtype given."""
    if isinstance(dtype, MatrixType):
        if dtype.is_open:
            raise TypeError(
                f"{call}: {dtype.to_string()} leaves its size or dtype open; give both, e.g. "
                "qd.types.vector(3, qd.f32)"
            )
        return dtype
    refused = getattr(dtype, "qd_unsupported", None)
    if refused is not None:
        raise refused()
    defaults = config.current().defaults
    if dtype is int:
        return defaults.ip
    if dtype is float:
        return defaults.fp
    try:
        return dtypes.as_dtype(dtype)
    except (KeyError, TypeError) as error:
        reason = error.args[0] if error.args else error
        raise TypeError(f"{call}: {reason}; pass a qd type such as qd.f32") from None
