"""Calls inside kernels: `@qd.func` inlining, qd intrinsics, and the Python builtins kernels use.

The callee is resolved to a Python object first (so `qd.sqrt`, `from qdmlir import sqrt` and
`import qdmlir as ti; ti.sqrt` are the same), then looked up by identity.
"""

from __future__ import annotations

import ast
import builtins
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING

from qdmlir.frontend import arithmetic, lang, matrix_calls, struct_fields
from qdmlir.frontend.emitter import Array, Scalar
from qdmlir.frontend.errors import QuadrantsSyntaxError, QuadrantsTypeError
from qdmlir.frontend.promotion import BOOL
from qdmlir.frontend.scope import Binding, Const, KernelVar
from qdmlir.runtime.dtypes import DType
from qdmlir.runtime.matrix_types import MatrixType
from qdmlir.runtime.struct_types import Struct, StructType

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.statements import StatementLowering

Handler = Callable[..., Binding]


def lower_call(lowering: StatementLowering, node: ast.Call) -> Binding:
    from qdmlir.frontend.kernel import BoundFunc, BoundKernel, Kernel, QdFunc
    from qdmlir.frontend.unsupported import Unsupported

    callee = lowering.expr(node.func)
    node = lowering.spread_call(node)  # f(*x.shape), f(*t): one argument per item
    if isinstance(callee, matrix_calls.MatrixMethod):
        return matrix_calls.call_method(lowering, callee, node)
    if not isinstance(callee, Const):
        raise lowering.error(node.func, f"`{ast.unparse(node.func)}` is not callable in a kernel")
    fn = callee.value
    if isinstance(fn, QdFunc):
        from qdmlir.frontend.inline import inline_call

        return inline_call(lowering, fn, node)
    if isinstance(fn, BoundFunc):
        return _call_method(lowering, fn, node)
    if isinstance(fn, Unsupported):
        raise lowering.error(node, *fn.refusal_in_kernel())
    if isinstance(fn, BoundKernel):
        fn = fn.kernel
    if isinstance(fn, Kernel):
        raise lowering.error(
            node,
            f"kernel '{fn.__name__}' cannot be called from inside a kernel",
            "make the callee a @qd.func, or call the kernels one after another from Python",
        )
    if isinstance(fn, DType):
        return _convert(lowering, node, fn)
    if isinstance(fn, MatrixType):  # qd.math.vec3(...), qd.types.matrix(2, 2, qd.f32)(...)
        return matrix_calls.typed_value(lowering, node, fn)
    if isinstance(fn, StructType):  # a @qd.dataclass or qd.types.struct type
        return matrix_calls.struct_value(lowering, node, fn)
    if fn is Struct:
        return matrix_calls.struct_literal(lowering, node)
    handler = INTRINSICS.get(_identity(fn))
    if handler is None:
        name = ast.unparse(node.func)
        raise lowering.error(
            node,
            f"calling `{name}` is not supported inside a kernel",
            "call @qd.func functions, qd.* math and atomics, or the builtins int, float, abs, "
            "min, max, len",
        )
    return handler(lowering, node)


def _call_method(lowering: StatementLowering, method, node: ast.Call) -> Binding:
    """`self.helper(...)` (or `self.funcs[i]()`): the qd.func with its first parameter bound to
    the object, which must be one the kernel's arguments reach (frontend/flatten.py)."""
    from qdmlir.frontend.inline import inline_call

    members = lowering.unit.members
    instance = None if members is None else members.instance(method.instance)
    if instance is None:
        raise lowering.error(
            node,
            f"qd.func method '{method.__name__}' is bound to a "
            f"{type(method.instance).__name__} object the kernel does not take as an argument",
            "call methods of `self`, of its members, or of qd.template() arguments",
        )
    return inline_call(lowering, method.func, node, instance)


def _identity(fn: object) -> object:
    return id(fn)


def _positional(
    lowering: StatementLowering, node: ast.Call, count: int | tuple[int, int], name: str
) -> list:
    low, high = (count, count) if isinstance(count, int) else count
    if node.keywords or not low <= len(node.args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise lowering.error(
            node, f"{name}() takes {expected} positional argument(s)", kind=QuadrantsTypeError
        )
    return list(node.args)


# -- conversions -------------------------------------------------------------------------


def _convert(lowering: StatementLowering, node: ast.Call, dtype: DType) -> Binding:
    """`qd.f32(x)`: a literal becomes a constant of that type (checked as Quadrants checks
    it); a run-time value is converted, as qd.cast does."""
    (arg,) = _positional(lowering, node, 1, dtype.name)
    value = lowering.expr(arg)
    number = _literal_number(value)
    if number is None:
        return lowering.em.cast(lowering.as_scalar(value, arg), dtype)
    if isinstance(number, float) and not dtype.is_float:
        raise lowering.error(
            node,
            f"qd.{dtype.name}({ast.unparse(arg)}): Floating-point literals must be annotated "
            "with a floating-point type. For type casting, use `qd.cast`",
            f"write qd.cast({ast.unparse(arg)}, qd.{dtype.name}) to truncate it",
            QuadrantsTypeError,
        )
    if isinstance(number, int) and not dtype.is_float and not dtype.min <= number <= dtype.max:
        raise lowering.error(
            node,
            f"Integer literal {number} exceeded the range of specified dtype: {dtype.name} "
            f"[{dtype.min}, {dtype.max}]",
            f"use a wider type, or qd.cast({ast.unparse(arg)}, qd.{dtype.name}) to wrap it",
            QuadrantsTypeError,
        )
    return lowering.em.constant(number, dtype)


def _literal_number(value: Binding) -> int | float | None:
    """The Python number a compile-time value is (an IntEnum member counts), else None."""
    if not isinstance(value, Const):
        return None
    number = value.value
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return None
    return float(number) if isinstance(number, float) else int(number)


def _cast(lowering: StatementLowering, node: ast.Call) -> Binding:
    args = _positional(lowering, node, 2, "qd.cast")
    dtype = lowering.expr(args[1])
    if isinstance(dtype, Const) and dtype.value in (int, float):  # Quadrants' default types
        dtype = Const(
            lowering.unit.defaults.ip if dtype.value is int else lowering.unit.defaults.fp
        )
    if not isinstance(dtype, Const) or not isinstance(dtype.value, DType):
        raise lowering.error(
            args[1],
            "qd.cast() needs a qd type (or int / float, the default types) as its second argument",
            "e.g. qd.cast(x, qd.f32)",
        )
    return lowering.em.cast(lowering.scalar(args[0]), dtype.value)


def _python_conversion(python_type: type, default: str) -> Handler:
    """`int(x)` / `float(x)`: Python's own on constants, else the default int / float type."""

    def lower(lowering: StatementLowering, node: ast.Call) -> Binding:
        (arg,) = _positional(lowering, node, 1, python_type.__name__)
        value = lowering.expr(arg)
        if isinstance(value, Const):
            return lowering.fold(node, python_type, value.value)
        dtype = getattr(lowering.unit.defaults, default)
        return lowering.em.cast(lowering.as_scalar(value, arg), dtype)

    return lower


def _range(lowering: StatementLowering, node: ast.Call) -> Binding:
    """`range(...)` outside a for loop header: a compile-time range, e.g. in qd.static()."""
    values = [lowering.expr(arg) for arg in node.args]
    if node.keywords or not all(isinstance(v, Const) for v in values):
        raise lowering.error(
            node,
            "range() with run-time bounds can only be iterated by a for loop",
            "write `for i in range(n):`",
        )
    return lowering.fold(node, range, *(v.value for v in values))


def _len(lowering: StatementLowering, node: ast.Call) -> Binding:
    (arg,) = _positional(lowering, node, 1, "len")
    value = lowering.expr(arg)
    if isinstance(value, Array) and value.ndim > 0:
        return lowering.em.from_index(lowering.em.dim(value, 0), lowering.unit.defaults.ip)
    if isinstance(value, matrix_calls.MatrixValue):
        return Const(value.n)  # rows of a matrix, entries of a vector, as in Quadrants
    if isinstance(value, (tuple, Const)):
        return Const(len(value.value if isinstance(value, Const) else value))
    raise lowering.error(node, f"len() of `{ast.unparse(arg)}` is not defined")


# -- math --------------------------------------------------------------------------------


def _unary_math(name: str) -> Handler:
    def lower(lowering: StatementLowering, node: ast.Call) -> Binding:
        (arg,) = _positional(lowering, node, 1, f"qd.{name}")
        value = lowering.expr(arg)
        if isinstance(value, Const):
            return lowering.fold(node, getattr(lang, name), value.value)
        return arithmetic.unary_math(lowering.em, name, lowering.as_scalar(value, arg))

    return lower


def _minmax(name: str) -> Handler:
    def lower(lowering: StatementLowering, node: ast.Call) -> Binding:
        if node.keywords or len(node.args) < 2:
            raise lowering.error(node, f"{name}() in a kernel takes two or more numbers")
        values = [lowering.expr(arg) for arg in node.args]
        if all(isinstance(v, Const) for v in values):
            return lowering.fold(node, getattr(builtins, name), *(v.value for v in values))
        result = lowering.as_scalar(values[0], node.args[0])
        for value, arg in zip(values[1:], node.args[1:]):
            result = arithmetic.minmax(lowering.em, name, result, lowering.as_scalar(value, arg))
        return result

    return lower


def _abs(lowering: StatementLowering, node: ast.Call) -> Binding:
    (arg,) = _positional(lowering, node, 1, "abs")
    value = lowering.expr(arg)
    if isinstance(value, Const):
        return lowering.fold(node, builtins.abs, value.value)
    return arithmetic.absolute(lowering.em, lowering.as_scalar(value, arg))


def _atan2(lowering: StatementLowering, node: ast.Call) -> Binding:
    y, x = _positional(lowering, node, 2, "qd.atan2")
    return arithmetic.atan2(lowering.em, lowering.scalar(y), lowering.scalar(x))


def _pow(lowering: StatementLowering, node: ast.Call) -> Binding:
    base, exponent = _positional(lowering, node, 2, "pow")
    binary = ast.BinOp(left=base, op=ast.Pow(), right=exponent)
    ast.copy_location(binary, node)
    return lowering.expr(binary)


def _select(lowering: StatementLowering, node: ast.Call) -> Binding:
    cond, a, b = _positional(lowering, node, 3, "qd.select")
    return lowering.em.select(lowering.scalar(cond), lowering.scalar(a), lowering.scalar(b))


def _static(lowering: StatementLowering, node: ast.Call) -> Binding:
    args = _positional(lowering, node, (1, 8), "qd.static")
    values = [lowering.expr(arg) for arg in args]
    for value, arg in zip(values, args):
        if not isinstance(value, Const):
            raise lowering.error(
                arg,
                f"qd.static() needs a compile-time value; "
                f"`{ast.unparse(arg)}` is only known at run time",
                "use module-level constants, literals or qd.static loop variables",
            )
    return values[0] if len(values) == 1 else Const(tuple(v.value for v in values))


def _static_assert(lowering: StatementLowering, node: ast.Call) -> Binding:
    from qdmlir.frontend.errors import QuadrantsStaticAssertionError

    keywords = {k.arg: k.value for k in node.keywords}
    if not 1 <= len(node.args) + len(keywords) <= 2 or set(keywords) - {"cond", "msg"}:
        raise lowering.error(
            node,
            "qd.static_assert() takes a condition and an optional message",
            'e.g. qd.static_assert(N % 4 == 0, "N must be a multiple of 4")',
        )
    args = list(node.args) + [keywords[k] for k in ("cond", "msg") if k in keywords]
    values = [lowering.expr(arg) for arg in args]
    if not isinstance(values[0], Const):
        raise lowering.error(
            args[0],
            f"qd.static_assert() needs a condition known at compile "
            f"time; `{ast.unparse(args[0])}` is only known at run time",
            "test run-time values with an if statement",
        )
    if not values[0].value:
        message = values[1].value if len(values) > 1 and isinstance(values[1], Const) else None
        raise QuadrantsStaticAssertionError(
            str(message)
            if message is not None
            else f"static assertion failed: {ast.unparse(args[0])}",
            kernel=lowering.unit.kernel_name,
            span=lowering.source.span(node),
        )
    return Const(None)


def _static_print(lowering: StatementLowering, node: ast.Call) -> Binding:
    """Print at compile time, as Quadrants does; a run-time value prints as its type."""
    values = [lowering.expr(arg) for arg in node.args]
    print(*(v.value if isinstance(v, Const) else _describe(v) for v in values))
    return Const(None)


def _describe(value: Binding) -> str:
    if isinstance(value, Array):
        return f"<ndarray {value.dtype.name}, ndim {value.ndim}>"
    dtype = getattr(value, "dtype", None)
    return f"<{dtype.name} value>" if dtype is not None else f"<{type(value).__name__}>"


def _print(lowering: StatementLowering, node: ast.Call) -> Binding:
    from qdmlir.frontend.print_lowering import lower_print

    return lower_print(lowering, node)


def _loop_config(lowering: StatementLowering, node: ast.Call) -> Binding:
    """Inside a task every loop is serial already: the arguments are only checked."""
    from qdmlir.frontend import loop_config

    loop_config.parse(lowering, node)
    return Const(None)


def _clamp(lowering: StatementLowering, node: ast.Call) -> Binding:
    x, low, high = _positional(lowering, node, 3, "qd.math.clamp")
    em = lowering.em
    value = arithmetic.minmax(em, "max", lowering.scalar(x), lowering.scalar(low))
    return arithmetic.minmax(em, "min", value, lowering.scalar(high))


# -- atomics -----------------------------------------------------------------------------


def _atomic(kind: str) -> Handler:
    def lower(lowering: StatementLowering, node: ast.Call) -> Binding:
        target, value_node = _positional(lowering, node, 2, f"qd.atomic_{kind}")
        target = struct_fields.members_first(lowering, target)  # x[i].a of a struct field
        em = lowering.em
        value = lowering.expr(value_node)
        place = matrix_calls.entry_place(lowering, target)
        if place is not None:  # qd.atomic_add(v[i][k], x): one entry of a vector element
            array, indices = place
        elif isinstance(target, ast.Subscript):
            array = lowering.expr(target.value)
            if not isinstance(array, Array):
                raise lowering.error(target, f"`{ast.unparse(target.value)}` is not an ndarray")
            indices = lowering.indices(array, target)
            if array.element_shape:  # a vector element: one atomic per entry, old values back
                return matrix_calls.atomic_entries(lowering, node, kind, array, indices, value)
        elif isinstance(target, ast.Name) and isinstance(
            lowering.scope.lookup(target.id), KernelVar
        ):
            array, indices = lowering.scope.lookup(target.id).array, []
        else:
            raise lowering.error(
                target,
                f"cannot use a non-writable target as the first operand of atomic_{kind}: "
                f"qd.atomic_{kind}() needs an ndarray element as its first argument",
                f"e.g. qd.atomic_{kind}(x[i], v)",
            )
        lowering.located(node)
        value = lowering.as_scalar(value, value_node)
        if kind == "sub":
            value = arithmetic.negate(em, em.cast(value, array.dtype))
            return em.atomic("add", array, indices, value)
        try:
            return em.atomic(kind, array, indices, value)
        except TypeError as error:
            raise lowering.error(node, str(error)) from None

    return lower


def _ndrange(lowering: StatementLowering, node: ast.Call) -> Binding:
    """`qd.ndrange(...)` outside a for loop's header: compile-time sizes give the index tuples
    (`for i, j in qd.static(qd.ndrange(2, 2))` unrolls over them)."""
    values = [lowering.expr(arg) for arg in node.args]
    if node.keywords or not all(isinstance(v, Const) for v in values):
        raise lowering.error(
            node,
            "qd.ndrange() with run-time sizes can only be iterated by a for loop",
            "for i, j in qd.ndrange(n, m): ...",
        )
    return lowering.fold(node, lambda *dims: tuple(lang.ndrange(*dims)), *(v.value for v in values))


PYTHON_OPERATORS = {
    operator.add: ast.Add(), operator.sub: ast.Sub(), operator.mul: ast.Mult(),
    operator.truediv: ast.Div(), operator.floordiv: ast.FloorDiv(), operator.mod: ast.Mod(),
    operator.pow: ast.Pow(), operator.matmul: ast.MatMult(), operator.and_: ast.BitAnd(),
    operator.or_: ast.BitOr(), operator.xor: ast.BitXor(), operator.lshift: ast.LShift(),
    operator.rshift: ast.RShift(),
}  # fmt: skip
"""Python's operator functions (`operator.add`, Quadrants' `qd.lang.ops.add`) called in a kernel
are their operators: programs pass them around as values (`ops(a, b)` with `ops = operator.add`)."""


def _operator(symbol: ast.operator) -> Handler:
    def lower(lowering: StatementLowering, node: ast.Call) -> Binding:
        left, right = _positional(lowering, node, 2, ast.unparse(node.func))
        binary = ast.copy_location(ast.BinOp(left=left, op=symbol, right=right), node)
        return lowering.expr(binary)

    return lower


def _bit_shr(lowering: StatementLowering, node: ast.Call) -> Binding:
    """`qd.bit_shr(a, n)`: a logical shift right, zeros in from the left whatever a's sign."""
    left, right = _positional(lowering, node, 2, "qd.bit_shr")
    a, n = lowering.scalar(left), lowering.scalar(right)
    lowering.located(node)
    try:
        return arithmetic.binary(lowering.em, ">>>", a, n)
    except arithmetic.OperatorError as error:
        raise lowering.error(node, f"qd.bit_shr(): {error}", kind=QuadrantsTypeError) from None


def _not_in_kernel(message: str, fix: str) -> Handler:
    def lower(lowering: StatementLowering, node: ast.Call) -> Binding:
        raise lowering.error(node, message, fix)

    return lower


def _build_table() -> dict[int, Handler]:
    table: dict[object, Handler] = {
        lang.cast: _cast, int: _python_conversion(int, "ip"),
        float: _python_conversion(float, "fp"), len: _len, range: _range,
        builtins.abs: _abs, lang.abs: _abs,
        builtins.min: _minmax("min"), lang.min: _minmax("min"),
        builtins.max: _minmax("max"), lang.max: _minmax("max"),
        builtins.pow: _pow, lang.pow: _pow, lang.atan2: _atan2, lang.select: _select,
        lang.static: _static, lang.clamp: _clamp, lang.static_assert: _static_assert,
        lang.static_print: _static_print, lang.loop_config: _loop_config, print: _print,
        lang.atomic_add: _atomic("add"), lang.atomic_sub: _atomic("sub"),
        lang.atomic_min: _atomic("min"), lang.atomic_max: _atomic("max"),
        lang.atomic_and: _atomic("and"), lang.atomic_or: _atomic("or"),
        lang.atomic_xor: _atomic("xor"),
        lang.atomic_mul: _not_in_kernel(
            "qd.atomic_mul() is not supported by qdmlir: CPUs have no atomic multiply, and the "
            "compare-and-swap loop it needs is not implemented",
            "accumulate logarithms with qd.atomic_add, or reduce per thread and combine"),
        lang.checkpoint: _not_in_kernel(
            "qd.checkpoint() must be used as `with qd.checkpoint(cp_id, yield_on=flag):`",
            "write it as a with statement at the kernel top level"),
        lang.graph_do_while: _not_in_kernel(
            "qd.graph_do_while() must be used as `while qd.graph_do_while(cond):` at the kernel "
            "top level", "write it as a while statement at the kernel top level"),
        lang.ndrange: _ndrange, lang.bit_shr: _bit_shr,
    }  # fmt: skip
    for fn, symbol in PYTHON_OPERATORS.items():
        table[fn] = _operator(symbol)
    for name in (
        "sqrt",
        "rsqrt",
        "sin",
        "cos",
        "tan",
        "tanh",
        "asin",
        "acos",
        "exp",
        "log",
        "floor",
        "ceil",
        "round",
    ):
        table[getattr(lang, name)] = _unary_math(name)
    from qdmlir.frontend.math_intrinsics import HANDLERS

    table.update(HANDLERS)
    # every scalar function also maps over vectors and matrices, entry by entry
    for fn in ELEMENTWISE + tuple(HANDLERS):
        table[fn] = matrix_calls.elementwise_call(table[fn])
    table.update(matrix_calls.constructors())
    table.update(matrix_calls.builtins_on_matrices())
    return {id(fn): handler for fn, handler in table.items()}


ELEMENTWISE = (
    lang.sqrt, lang.rsqrt, lang.sin, lang.cos, lang.tan, lang.tanh, lang.asin, lang.acos,
    lang.exp, lang.log, lang.floor, lang.ceil, lang.round, builtins.abs, lang.abs,
    builtins.min, lang.min, builtins.max, lang.max, lang.atan2, lang.select, lang.clamp,
    lang.cast,
)  # fmt: skip


INTRINSICS: dict[int, Handler] = _build_table()

__all__ = ["INTRINSICS", "QuadrantsSyntaxError", "Scalar", "BOOL", "lower_call"]
