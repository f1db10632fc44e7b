"""Calls that build or take vectors and matrices in kernels: constructors, methods, and the
element-wise form of every scalar math function.

docs/kernel-language.md "Vectors and matrices". `qd.Vector([...])`, `qd.Matrix([[...]])`,
`qd.math.vec3(...)`, `qd.types.matrix(2, 2, qd.f32)(...)` and `qd.Matrix.zero/one/unit/
identity/diag/rows/cols` build values; `v.norm()`, `m.inverse()`, ... are methods of a value;
`qd.sqrt(v)`, `qd.max(a, b)`, `qd.select(c, a, b)`, `qd.math.clamp(v, 0, 1)` apply the scalar
function to each entry, broadcasting scalar arguments.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qdmlir.frontend import arithmetic, linalg
from qdmlir.frontend.matrices import (
    MatrixValue,
    ShapeError,
    StructValue,
    cast,
    filled,
    indices_of,
    of_entries,
)
from qdmlir.frontend.matrix_lowering import as_matrix, is_matrix, is_sequence
from qdmlir.frontend.scope import Binding, Const
from qdmlir.runtime import dtypes
from qdmlir.runtime.matrix import Matrix, Vector
from qdmlir.runtime.matrix_types import MatrixType, VectorType

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.statements import StatementLowering

Handler = Callable[..., Binding]


@dataclass(frozen=True)
class MatrixMethod:
    """`v.norm` before its call: the value, the method's name and the receiver's node (a
    mutating method such as `fill` rebinds the variable it names)."""

    receiver: MatrixValue
    name: str
    node: ast.expr


METHODS = frozenset(
    "norm norm_sqr norm_inv normalized dot cross outer_product transpose trace determinant "
    "inverse sum max min any all fill cast frobenius_inner".split()
)


# -- constructors --------------------------------------------------------------------------------


def _arguments(lowering, node: ast.Call, names: tuple[str, ...], required: int) -> list:
    """Positional and keyword arguments by name, evaluated; missing optional ones are None."""
    values: dict[str, Binding] = {}
    if len(node.args) > len(names):
        raise lowering.error(
            node, f"{ast.unparse(node.func)}() takes at most {len(names)} arguments"
        )
    for name, arg in zip(names, node.args):
        values[name] = lowering.expr(arg)
    for keyword in node.keywords:
        key = {"dtype": "dt"}.get(keyword.arg, keyword.arg)
        if key not in names or key in values:
            raise lowering.error(
                keyword, f"{ast.unparse(node.func)}() got an unexpected argument {keyword.arg!r}"
            )
        values[key] = lowering.expr(keyword.value)
    missing = [n for n in names[:required] if n not in values]
    if missing:
        raise lowering.error(node, f"{ast.unparse(node.func)}() needs {', '.join(missing)}")
    return [values.get(name) for name in names]


def _dtype(lowering, value: Binding | None, node: ast.AST):
    if value is None:
        return None
    if isinstance(value, Const) and (value.value in (int, float) or _is_dtype(value.value)):
        return dtypes.resolve(value.value)
    raise lowering.error(node, f"`{ast.unparse(node)}` is not a qd type", "e.g. qd.f32")


def _is_dtype(value) -> bool:
    return isinstance(value, dtypes.DType)


def _static_int(lowering, value: Binding, node: ast.AST, what: str) -> int:
    if (
        isinstance(value, Const)
        and isinstance(value.value, int)
        and not isinstance(value.value, bool)
    ):
        return value.value
    raise lowering.error(node, f"{what} must be a compile-time int, got `{ast.unparse(node)}`")


def _matrix_class(lowering: StatementLowering, node: ast.Call) -> Binding:
    """`qd.Matrix(arr, dt=None)` and `qd.Vector(arr, dt=None)`."""
    arr, dt = _arguments(lowering, node, ("arr", "dt"), 1)
    value = as_matrix(
        lowering, arr, node.args[0] if node.args else node, _dtype(lowering, dt, node)
    )
    return value


def _vector_class(lowering: StatementLowering, node: ast.Call) -> Binding:
    value = _matrix_class(lowering, node)
    if value.ndim != 1:
        raise lowering.error(
            node, f"qd.Vector() takes a flat list, got a matrix {value.describe()}"
        )
    return value


def typed_value(lowering: StatementLowering, node: ast.Call, kind: MatrixType) -> MatrixValue:
    """`vec3(1, 2, 3)`, `vec3(x)`, `vec4(v.xyz, 1.0)`, `mat2([[1, 2], [3, 4]])`, `mat3(v1, v2,
    v3)`: the entries, flattened in order, in the type's shape and element type."""
    if kind.is_open:
        raise lowering.error(
            node, f"{kind.to_string()} has an open size or dtype: it cannot build a value"
        )
    if node.keywords or not node.args:
        raise lowering.error(
            node, f"{kind.to_string()}(...) takes the entries as positional arguments"
        )
    em = lowering.em
    flat = []
    for arg in node.args:
        value = lowering.expr(arg)
        if is_matrix(value) or is_sequence(value):
            flat += list(as_matrix(lowering, value, arg).entries)
        else:
            flat.append(lowering.as_scalar(value, arg) if not isinstance(value, Const) else value)
    count = len(kind.shape) == 1 and kind.n or kind.n * kind.m
    if len(flat) == 1:
        flat = flat * count
    if len(flat) != count:
        raise lowering.error(node, f"{kind.to_string()} takes {count} entries, got {len(flat)}")
    dtype = kind.dtype
    entries = [
        em.constant(v.value, dtype) if isinstance(v, Const) else em.cast(v, dtype) for v in flat
    ]
    return MatrixValue(tuple(entries), kind.shape)


def _filled(value: int) -> Handler:
    def lower(lowering: StatementLowering, node: ast.Call) -> Binding:
        dt, n, m = _arguments(lowering, node, ("dt", "n", "m"), 2)
        shape = (_static_int(lowering, n, node, "n"),)
        if m is not None:
            shape += (_static_int(lowering, m, node, "m"),)
        dtype = _dtype(lowering, dt, node)
        return filled(lowering.em, lowering.em.constant(value, dtype), shape)

    return lower


def _unit(lowering: StatementLowering, node: ast.Call) -> Binding:
    n, i, dt = _arguments(lowering, node, ("n", "i", "dt"), 2)
    n, i = _static_int(lowering, n, node, "n"), _static_int(lowering, i, node, "i")
    dtype = _dtype(lowering, dt, node) or lowering.unit.defaults.ip
    return MatrixValue(tuple(lowering.em.constant(int(k == i), dtype) for k in range(n)), (n,))


def _identity(lowering: StatementLowering, node: ast.Call) -> Binding:
    dt, n = _arguments(lowering, node, ("dt", "n"), 2)
    return _eye(lowering, _dtype(lowering, dt, node), _static_int(lowering, n, node, "n"))


def _eye(lowering, dtype, n: int) -> MatrixValue:
    entries = [lowering.em.constant(int(i == j), dtype) for i in range(n) for j in range(n)]
    return MatrixValue(tuple(entries), (n, n))


def _math_eye(lowering: StatementLowering, node: ast.Call) -> Binding:
    (n,) = _arguments(lowering, node, ("n",), 1)
    return _eye(lowering, lowering.unit.defaults.fp, _static_int(lowering, n, node, "n"))


def _diag(lowering: StatementLowering, node: ast.Call) -> Binding:
    dim, val = _arguments(lowering, node, ("dim", "val"), 2)
    n = _static_int(lowering, dim, node, "dim")
    em = lowering.em
    value = lowering.as_scalar(val, node) if not isinstance(val, Const) else None
    dtype = (
        value.dtype if value is not None else as_matrix(lowering, Const([val.value]), node).dtype
    )
    diagonal = value if value is not None else em.constant(val.value, dtype)
    zero = em.constant(0, dtype)
    return MatrixValue(
        tuple(diagonal if i == j else zero for i in range(n) for j in range(n)), (n, n)
    )


def _rows(transposed: bool) -> Handler:
    def lower(lowering: StatementLowering, node: ast.Call) -> Binding:
        (rows,) = _arguments(lowering, node, ("rows",), 1)
        value = as_matrix(lowering, rows, node)
        if value.ndim != 2:
            raise lowering.error(node, "qd.Matrix.rows/cols take a list of vectors or lists")
        return linalg.transpose(lowering.em, value) if transposed else value

    return lower


# -- methods -------------------------------------------------------------------------------------


def call_method(lowering: StatementLowering, method: MatrixMethod, node: ast.Call) -> Binding:
    em, value, name = lowering.em, method.receiver, method.name
    args = [lowering.expr(a) for a in node.args]
    keywords = {k.arg: lowering.expr(k.value) for k in node.keywords}
    try:
        if name in ("dot", "cross", "outer_product", "frobenius_inner"):
            other = as_matrix(lowering, _only(lowering, node, args, keywords, "other"), node)
            if name == "frobenius_inner":
                if other.shape != value.shape:
                    raise ShapeError(
                        f"frobenius_inner() of {value.describe()} and {other.describe()}"
                    )
                return linalg.dot(em, _flat(value), _flat(other))
            return getattr(linalg, name)(em, value, other)
        if name in ("norm", "norm_inv", "normalized"):
            eps = _eps(lowering, node, args, keywords, value)
            if name == "normalized":
                return linalg.normalized(em, value, eps)
            return linalg.norm(em, value, eps, inverse=name == "norm_inv")
        if name == "cast":
            dtype = _dtype(lowering, _only(lowering, node, args, keywords, "dtype"), node)
            return cast(em, value, dtype)
        if name == "fill":
            return _fill(lowering, method, node, _only(lowering, node, args, keywords, "val"))
        if args or keywords:
            raise lowering.error(node, f"{name}() takes no arguments")
        if name in ("any", "all"):
            return linalg.truth(em, value, name)
        if name in ("max", "min"):
            return linalg.extreme(em, value, name)
        simple = {"sum": linalg.total, "norm_sqr": linalg.norm_sqr}
        if name in simple:
            return simple[name](em, value)
        return getattr(linalg, name)(em, value)
    except ShapeError as error:
        raise lowering.error(node, str(error)) from None


def _flat(value: MatrixValue) -> MatrixValue:
    return MatrixValue(value.entries, (len(value.entries),))


def _only(lowering, node: ast.Call, args: list, keywords: dict, name: str) -> Binding:
    if len(args) + len(keywords) != 1 or (keywords and name not in keywords):
        raise lowering.error(node, f"{ast.unparse(node.func)}() takes one argument, {name}")
    return args[0] if args else keywords[name]


def _eps(lowering, node: ast.Call, args: list, keywords: dict, value: MatrixValue):
    if not args and not keywords:
        return None
    eps = _only(lowering, node, args, keywords, "eps")
    if isinstance(eps, Const) and eps.value == 0:
        return None
    dtype = em_float(lowering, value)
    return (
        lowering.typed_literal(eps, node, dtype)
        if isinstance(eps, Const)
        else lowering.as_scalar(eps, node)
    )


def em_float(lowering, value: MatrixValue):
    dtype = lowering.em.numeric(value.dtype)
    return dtype if dtype.is_float else lowering.unit.defaults.fp


def _fill(lowering, method: MatrixMethod, node: ast.Call, item: Binding) -> Binding:
    """`m.fill(x)` sets every entry of the variable `m` (it names one: values are immutable)."""
    if not isinstance(method.node, ast.Name):
        raise lowering.error(node, "fill() needs a variable: write `m.fill(x)` with m a name")
    scalar = (
        lowering.as_scalar(item, node)
        if not isinstance(item, Const)
        else lowering.typed_literal(item, node, method.receiver.dtype)
    )
    value = filled(
        lowering.em, lowering.em.cast(scalar, method.receiver.dtype), method.receiver.shape
    )
    lowering.assign_name(method.node.id, value, method.node)
    return Const(None)


# -- scalar functions applied to each entry ------------------------------------------------------


def elementwise_call(handler: Handler) -> Handler:
    """`handler` (a scalar intrinsic) for vector and matrix arguments too: evaluated once, the
    arguments are bound to hidden names, and the handler runs once per entry over them
    (scalar arguments broadcast). With scalars only, it runs once, unchanged."""

    def lower(lowering: StatementLowering, node: ast.Call) -> Binding:
        if node.keywords:
            return handler(lowering, node)
        values = [lowering.expr(arg) for arg in node.args]
        matrices = [
            as_matrix(lowering, v, a) if is_matrix(v) else None for v, a in zip(values, node.args)
        ]
        present = [m for m in matrices if m is not None]
        if not present:
            return _with_bound(lowering, node, values, handler)
        shape = present[0].shape
        if any(m.shape != shape for m in present):
            described = " and ".join(m.describe() for m in present)
            raise lowering.error(
                node, f"{ast.unparse(node.func)}(): the shapes differ: {described}"
            )
        entries = []
        for k in range(len(present[0].entries)):
            row = [m.entries[k] if m is not None else v for m, v in zip(matrices, values)]
            entries.append(_with_bound(lowering, node, row, handler))
        return of_entries(lowering.em, entries, shape)

    return lower


def _with_bound(lowering, node: ast.Call, values: list, handler: Handler) -> Binding:
    """Run `handler` on a copy of `node` whose arguments are hidden names bound to `values`
    in a scope of their own (the names cannot clash: they are not identifiers)."""
    names = [f"<argument {k}>" for k in range(len(values))]
    args = [ast.copy_location(ast.Name(id=n, ctx=ast.Load()), a) for n, a in zip(names, node.args)]
    call = ast.copy_location(ast.Call(func=node.func, args=args, keywords=[]), node)
    with lowering.nested(lowering.em.block) as scope:
        for name, value in zip(names, values):
            scope.bind(name, value)
        return handler(lowering, call)


def entry_place(lowering, node: ast.expr):
    """`(array, indices)` of `a[i][k]` / `a[i].y`, as assignments find it (None otherwise)."""
    from qdmlir.frontend.expressions import _is_lookup
    from qdmlir.frontend.matrix_lowering import entry_place as place

    return place(lowering, node) if _is_lookup(getattr(node, "value", node)) else None


def atomic_entries(lowering, node: ast.Call, kind: str, array, indices: list, value) -> MatrixValue:
    """`qd.atomic_add(a[i], v)` on a vector element: an atomic per entry (a scalar `v` for
    each), returning the vector of old values."""
    em = lowering.em
    shape = array.element_shape
    if is_matrix(value) or is_sequence(value):
        value = as_matrix(lowering, value, node)
        if value.shape != shape:
            raise lowering.error(node, f"qd.atomic_{kind}() of a {value.describe()} into {shape}")
    else:
        value = filled(em, lowering.as_scalar(value, node), shape)
    lowering.located(node)
    old = []
    for index, entry in zip(indices_of(shape), value.entries):
        where = indices + [em.index_constant(i) for i in index]
        if kind == "sub":
            entry = arithmetic.negate(em, em.cast(entry, array.dtype))
        try:
            old.append(em.atomic("add" if kind == "sub" else kind, array, where, entry))
        except TypeError as error:
            raise lowering.error(node, str(error)) from None
    return MatrixValue(tuple(old), shape)


def _all_or_any(name: str) -> Handler:
    """`all(v == w)` / `any(...)` on a vector or matrix: its all() / any()."""

    def lower(lowering: StatementLowering, node: ast.Call) -> Binding:
        if len(node.args) != 1 or node.keywords:
            raise lowering.error(node, f"{name}() in a kernel takes one vector or matrix")
        value = lowering.expr(node.args[0])
        if not is_matrix(value):
            raise lowering.error(node, f"{name}() in a kernel takes a vector or matrix")
        return linalg.truth(lowering.em, as_matrix(lowering, value, node), name)

    return lower


def constructors() -> dict[object, Handler]:
    """The calls that build vectors and matrices, by the function object called."""
    from qdmlir.frontend import mathlib

    return {
        mathlib.eye: _math_eye,
        Matrix: _matrix_class,
        Vector: _vector_class,
        Matrix.zero: _filled(0),
        Matrix.one: _filled(1),
        Matrix.unit: _unit,
        Matrix.identity: _identity,
        Matrix.diag: _diag,
        Matrix.rows: _rows(False),
        Matrix.cols: _rows(True),
    }


def builtins_on_matrices() -> dict[object, Handler]:
    import builtins

    return {builtins.all: _all_or_any("all"), builtins.any: _all_or_any("any")}


__all__ = ["METHODS", "MatrixMethod", "MatrixType", "VectorType", "call_method", "typed_value"]


# -- structs ---------------------------------------------------------------------------------------


def struct_value(lowering: StatementLowering, node: ast.Call, kind) -> StructValue:
    """`Ray(pos, dir, t=1.0)`: each member converted to its type; members not given are zero."""
    args = [lowering.expr(a) for a in node.args]
    keywords = {k.arg: lowering.expr(k.value) for k in node.keywords}
    try:
        given = kind.values(tuple(args), keywords)
    except TypeError as error:
        raise lowering.error(node, str(error)) from None
    return _struct_of(lowering, node, kind, given)


def _struct_of(lowering, node, kind, given: dict) -> StructValue:
    from qdmlir.runtime.struct_types import StructType

    em, members = lowering.em, []
    for name, member in kind.members.items():
        value = given.get(name)
        if isinstance(member, StructType):
            if value is None:
                value = _struct_of(lowering, node, member, {})
            elif not isinstance(value, StructValue):
                raise lowering.error(node, f"member {kind.name}.{name} is a {member.name} struct")
        elif isinstance(member, MatrixType):
            if value is None:
                value = filled(em, em.constant(0, member.dtype), member.shape)
            elif is_matrix(value) or is_sequence(value):
                value = as_matrix(lowering, value, node, member.dtype)
            else:  # one number fills a vector member, as the type's own call would
                value = filled(
                    em,
                    em.cast(_scalar(lowering, value, node, member.dtype), member.dtype),
                    member.shape,
                )
            if value.shape != member.shape:
                raise lowering.error(
                    node,
                    f"member {kind.name}.{name} is a {member.to_string()}, got {value.describe()}",
                )
        else:
            dtype = dtypes.resolve(member)
            value = (
                em.constant(0, dtype)
                if value is None
                else em.cast(_scalar(lowering, value, node, dtype), dtype)
            )
        members.append((name, value))
    return StructValue(tuple(members), kind.name)


def _scalar(lowering, value, node, dtype):
    if isinstance(value, Const) and isinstance(value.value, (int, float)):
        return lowering.em.constant(value.value, dtype)
    return lowering.as_scalar(value, node)


def struct_literal(lowering: StatementLowering, node: ast.Call) -> StructValue:
    """`qd.Struct(a=qd.Vector([0, 0, 0]), b=2)`: members of the types their values have."""
    if node.args:
        raise lowering.error(node, "qd.Struct() takes its members as keywords: qd.Struct(a=1)")
    members = []
    for keyword in node.keywords:
        value = lowering.expr(keyword.value)
        if is_matrix(value) or is_sequence(value):
            value = as_matrix(lowering, value, keyword.value)
        elif not isinstance(value, StructValue):
            value = lowering.as_scalar(value, keyword.value)
        members.append((keyword.arg, value))
    return StructValue(tuple(members))


def struct_member(lowering, node: ast.Attribute, value: StructValue):
    member = value.member(node.attr)
    if member is None:
        names = ", ".join(k for k, _ in value.members)
        raise lowering.error(
            node, f"{value.describe()} has no member '{node.attr}'", f"its members: {names}"
        )
    return member
