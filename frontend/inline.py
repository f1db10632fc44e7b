"""`@qd.func` calls, inlined at the call site (Quadrants inlines them too).

The callee is lowered by a fresh StatementLowering over its own source and globals, in a scope
that cannot see the caller's variables. Scalars are passed by value, ndarrays by reference.
A body whose only `return` is its last statement needs no flags; any other `return` sets the
RETURNED flag and the statements after it are guarded.
"""

from __future__ import annotations

import ast
import inspect
from typing import TYPE_CHECKING

from qdmlir.frontend.emitter import Scalar
from qdmlir.frontend.errors import GlobalArrayError, LocatedError, QuadrantsTypeError
from qdmlir.frontend.matrices import MatrixValue, filled
from qdmlir.frontend.matrix_lowering import as_matrix, is_matrix, is_sequence
from qdmlir.frontend.promotion import BOOL
from qdmlir.frontend.scope import RETURN_VALUE, RETURNED, Binding, Const, KernelVar, Scope
from qdmlir.frontend.source import function_source
from qdmlir.runtime.dtypes import DType
from qdmlir.runtime.matrix_types import MatrixType

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.statements import StatementLowering


def inline_call(
    caller: StatementLowering, qd_func, node: ast.Call, instance: Binding | None = None
) -> Binding:
    """Lower `qd_func(...)` at `node`; `instance` is the object a method call is bound to,
    the function's first parameter."""
    from qdmlir.frontend.statements import StatementLowering

    unit = caller.unit
    chain = [f.__name__ for f in unit.call_stack]
    if qd_func in unit.call_stack:
        cycle = " -> ".join([*chain[chain.index(qd_func.__name__) :], qd_func.__name__])
        raise caller.error(
            node,
            f"recursion in qd.func is not supported ({cycle})",
            "rewrite the recursion as a loop",
        )
    if len(unit.call_stack) > 64:
        raise caller.error(node, "qd.func calls nest more than 64 deep")
    source = function_source(qd_func.fn, kind="qd.func")
    args = _bind_arguments(caller, qd_func, source, node, instance)
    callee = StatementLowering(unit, source, caller.em, Scope(function_root=True))
    for name, value in args.items():
        callee.scope.bind(name, value)
    body = list(source.tree.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # docstring
    returns = [n for n in ast.walk(source.tree) if isinstance(n, ast.Return)]
    unit.call_stack.append(qd_func)
    try:
        if not returns:
            if source.tree.returns is not None:
                raise callee.error(
                    source.tree.returns,
                    "Function has a return type but does not have a return statement",
                    f"end '{source.name}' with `return value`, or remove the annotation",
                )
            callee.stmts(body)
            return Const(None)
        if body and returns == [body[-1]]:  # the common shape: one return, at the end
            callee.stmts(body[:-1])
            last = body[-1]
            if last.value is None:
                return Const(None)
            value = callee.expr(last.value)
            dtype = _scalar_return_type(callee, source)
            if dtype is None or is_matrix(value):
                return value
            return callee.em.cast(callee.as_scalar(value, last.value), dtype)  # `-> qd.i32`
        return_type = _annotated_return(callee, source)
        callee.scope.bind(RETURNED, callee.em.constant(False, BOOL))
        callee.scope.bind(RETURN_VALUE, _zero(callee, return_type))
        _check_returns_in_loops(callee, source, return_type)
        callee.stmts(body)
        value = callee.scope.lookup(RETURN_VALUE)
        return value if isinstance(value, (Scalar, MatrixValue)) else Const(None)
    finally:
        unit.call_stack.pop()


def _bind_arguments(
    caller: StatementLowering, qd_func, source, node: ast.Call, instance: Binding | None
) -> dict[str, Binding]:
    signature = inspect.signature(qd_func.fn)
    names = list(signature.parameters)[1 if instance is not None else 0 :]
    try:
        positional = [
            _argument_value(caller, arg, names[k] if k < len(names) else None)
            for k, arg in enumerate(node.args)
        ]
        if instance is not None:
            positional.insert(0, instance)
        keywords = {kw.arg: _argument_value(caller, kw.value, kw.arg) for kw in node.keywords}
        if any(name is None for name in keywords):
            raise TypeError("**kwargs are not supported")
        bound = signature.bind(*positional, **keywords)
    except TypeError as error:
        if isinstance(error, LocatedError):  # an argument's own error (a QuadrantsTypeError)
            raise
        raise caller.error(node, f"bad call to qd.func '{qd_func.__name__}': {error}") from None
    given = set(bound.arguments)
    bound.apply_defaults()
    for name in bound.arguments.keys() - given:
        bound.arguments[name] = Const(bound.arguments[name])  # a default: a Python value
    result = {}
    for name, value in bound.arguments.items():
        parameter = signature.parameters[name]
        annotation = parameter.annotation
        if isinstance(annotation, str):
            annotation = eval(annotation, qd_func.fn.__globals__)  # noqa: S307 - user annotation
        if isinstance(annotation, MatrixType) and (is_matrix(value) or is_sequence(value)):
            # `w: qd.math.vec3`: the argument in the annotated type (a host qd.Vector too)
            result[name] = as_matrix(caller, value, node, annotation.dtype)
            continue
        if isinstance(value, Const) and not isinstance(value.value, (int, float, bool)):
            result[name] = value
            continue
        if isinstance(value, Const):
            value = caller.as_scalar(value, node)
        annotation = _python_default(caller, Const(annotation)).value  # `int`: the default
        if isinstance(annotation, DType) and isinstance(value, Scalar):
            value = caller.em.cast(value, annotation)
        result[name] = value
    return result


def _argument_value(caller: StatementLowering, node: ast.expr, parameter: str | None) -> Binding:
    try:
        value = caller.expr(node)
    except GlobalArrayError:
        if parameter is None:
            raise
        raise caller.error(
            node,
            f"Expected ndarray in the kernel argument for argument {parameter}, got the global "
            f"array `{ast.unparse(node)}`: arrays reach a kernel only as its arguments",
            f"add a qd.types.ndarray() parameter to the kernel and pass it on to '{parameter}'",
            QuadrantsTypeError,
        ) from None
    if isinstance(value, KernelVar):
        return caller.em.load(value.array, [])
    return value


def _zero(callee: StatementLowering, return_type):
    """The return value before any `return`: zero in the annotated type (never read)."""
    if return_type is None:
        from qdmlir.frontend.statements import Undefined

        return Undefined()
    if isinstance(return_type, MatrixType):
        return filled(callee.em, callee.em.constant(0, return_type.dtype), return_type.shape)
    return callee.em.constant(0, return_type)


def _scalar_return_type(callee: StatementLowering, source) -> DType | None:
    """The `-> qd.i32` (or `-> int` / `-> float`: the defaults) a returned scalar converts to;
    None for no annotation or one of another kind (a vector type, a struct type)."""
    returns = source.tree.returns
    if returns is None:
        return None
    try:
        annotation = _python_default(callee, callee.expr(returns))
    except LocatedError:  # `-> tuple[...]` and the like: nothing to convert to here
        return None
    return (
        annotation.value
        if isinstance(annotation, Const) and isinstance(annotation.value, DType)
        else None
    )


def _python_default(callee: StatementLowering, annotation: Binding) -> Binding:
    """`int` / `float` as an annotation: the default int / float type."""
    if isinstance(annotation, Const) and annotation.value in (int, float):
        defaults = callee.unit.defaults
        return Const(defaults.ip if annotation.value is int else defaults.fp)
    return annotation


def _annotated_return(callee: StatementLowering, source) -> DType | MatrixType | None:
    returns = source.tree.returns
    if returns is None:
        return None
    annotation = _python_default(callee, callee.expr(returns))
    if isinstance(annotation, Const) and isinstance(annotation.value, DType):
        return annotation.value
    if isinstance(annotation, Const) and isinstance(annotation.value, MatrixType):
        return annotation.value
    raise callee.error(
        returns,
        f"return annotation `{ast.unparse(returns)}` is not a qd type",
        "annotate with a scalar type such as qd.f32, or leave it out",
    )


def _check_returns_in_loops(callee: StatementLowering, source, return_type) -> None:
    if return_type is not None:
        return
    for loop in ast.walk(source.tree):
        if isinstance(loop, (ast.For, ast.While)):
            inner = next((n for n in ast.walk(loop) if isinstance(n, ast.Return)), None)
            if inner is not None:
                raise callee.error(
                    inner,
                    "a `return` inside a loop needs the qd.func's return type",
                    f"annotate it: def {source.name}(...) -> qd.f32:",
                )
