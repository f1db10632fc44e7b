"""Serial loops inside tasks and serial code: `for ... in range(...)`, `qd.static` unrolling,
`while`.

A loop without break/continue/return is an `scf.for` whose `iter_args` are the outer variables
it reassigns. With any of them it becomes an `scf.while` that also carries the flags; its
condition stops on `break` or `return`, and the rest of an iteration after a `continue` is
skipped by the statement lowering's guards.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdsl.dialects import arith, scf
from xdsl.ir import Block

from qdmlir.frontend import arithmetic, lang, struct_fields
from qdmlir.frontend.emitter import INDEX, Scalar, mlir_type
from qdmlir.frontend.matrices import carried_types, flatten
from qdmlir.frontend.promotion import BOOL
from qdmlir.frontend.scope import BREAK, CONTINUE, RETURNED, Const, assigned_names
from qdmlir.frontend.statements import named

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.statements import StatementLowering


@dataclass
class RangeSpec:
    """`range(start, stop, step)` with a compile-time step, as typed scalars."""

    start: Scalar
    stop: Scalar
    step: int


def range_spec(lowering: StatementLowering, call: ast.expr) -> RangeSpec | None:
    """The range of `for x in range(...)`, or None if `call` is not a range."""
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "range"
        and lowering.scope.lookup("range") is None
    ):
        return None
    call = lowering.spread_call(call)
    if call.keywords or not 1 <= len(call.args) <= 3:
        raise lowering.error(call, "range() takes 1 to 3 positional arguments")
    args = [lowering.expr(arg) for arg in call.args]
    step = 1
    if len(args) == 3:
        if not isinstance(args[2], Const) or not isinstance(args[2].value, int):
            raise lowering.error(
                call.args[2],
                "a range step must be a compile-time integer",
                "use a literal or a module-level constant",
            )
        step = int(args[2].value)
        if step == 0:
            raise lowering.error(call.args[2], "range() step must not be zero")
    if len(args) == 1:
        args = [Const(0), args[0]]
    scalars = [
        lowering.as_scalar(arg, node)
        for arg, node in zip(
            args[:2], call.args[-2:] if len(call.args) > 1 else [call, call.args[0]]
        )
    ]
    common = lowering.em.common_type(scalars[0].dtype, scalars[1].dtype)
    common = lowering.em.numeric(common)
    if common.is_float:
        raise lowering.error(call, "range() bounds must be integers", "convert them: int(x)")
    start, stop = (lowering.em.cast(s, common) for s in scalars)
    return RangeSpec(start, stop, step)


def trip_bounds(em, spec: RangeSpec) -> tuple:
    """Index lower/upper bound and step of the normalised iteration space, and a function that
    turns the induction value into the Python loop variable."""
    if spec.step > 0:
        lb, ub = em.to_index(spec.start), em.to_index(spec.stop)
        step = em.index_constant(spec.step)
        return lb, ub, step, lambda iv: em.from_index(iv, spec.start.dtype)
    # negative step: count k = 0 .. trip and map to start + k * step
    distance = arithmetic.binary(em, "-", spec.start, spec.stop)
    width = em.constant(-spec.step - 1, spec.start.dtype)
    trip = arithmetic.binary(
        em,
        "//",
        arithmetic.binary(em, "+", distance, width),
        em.constant(-spec.step, spec.start.dtype),
    )
    lb = em.index_constant(0)
    ub = em.value(arith.MaxSIOp(em.to_index(trip), lb))
    step = em.index_constant(1)

    def variable(iv):
        k = em.from_index(iv, spec.start.dtype)
        offset = arithmetic.binary(em, "*", k, em.constant(spec.step, spec.start.dtype))
        return arithmetic.binary(em, "+", spec.start, offset)

    return lb, ub, step, variable


def lower_serial_for(lowering: StatementLowering, node: ast.For) -> None:
    if lowering.calls(node.iter, lang.static):
        _unroll_static(lowering, node)
        return
    lb, ub, step, bind = _serial_iteration(lowering, node)
    if {BREAK, CONTINUE, RETURNED} & set(assigned_names(node.body)):
        _lower_for_as_while(lowering, node, lb, ub, step, bind)
        return
    em = lowering.em
    carried = lowering.carried(node.body)
    inits = [lowering.scope.lookup(name) for name in carried]
    body = em.new_block([INDEX, *(t for v in inits for t in carried_types(v))])
    with lowering.nested(body) as scope:
        lowering.bind_results(carried, inits, list(body.args[1:]), scope)
        bind(body.args[0])
        lowering.stmts(node.body)
        yielded = [
            v for n, i in zip(carried, inits) for v in lowering.carried_value(scope, n, i, node)
        ]
        em.emit(scf.YieldOp(*yielded))
    lowering.located(node)
    op = em.emit(scf.ForOp(lb, ub, step, [s.ssa for v in inits for s in flatten(v)], body))
    lowering.bind_results(carried, inits, list(op.results))


def _serial_iteration(lowering: StatementLowering, node: ast.For) -> tuple:
    """Index bounds and step of a serial loop, and a function that binds its loop variables
    from the induction value: `range(...)` directly, `qd.ndrange(...)` flattened."""
    spec = range_spec(lowering, node.iter)
    if spec is not None:
        if not isinstance(node.target, ast.Name):
            raise lowering.error(node.target, "a range() loop has one loop variable")
        lb, ub, step, variable = trip_bounds(lowering.em, spec)
        name = node.target.id
        return lb, ub, step, lambda iv: lowering.scope.bind(name, named(variable(iv), name))
    dims = ndrange_dims(lowering, node.iter)
    if dims is None:
        raise lowering.error(
            node.iter,
            f"cannot loop over `{ast.unparse(node.iter)}` in a kernel",
            "loop over range(...), qd.ndrange(...), or an ndarray or field",
        )
    return _flattened(lowering, node, dims)


def _flattened(lowering: StatementLowering, node: ast.For, dims: list[RangeSpec]) -> tuple:
    """`for i, j in qd.ndrange(...)` as one serial loop over the product of the extents, row
    major, as Quadrants runs it (so `break` leaves the whole nest); each index is recovered
    with an unsigned divide and remainder of the flat index by strides known before the loop."""
    em = lowering.em
    zero = em.index_constant(0)
    starts = [em.to_index(d.start) for d in dims]
    extents = [
        em.value(arith.MaxSIOp(em.value(arith.SubiOp(em.to_index(d.stop), start)), zero))
        for d, start in zip(dims, starts)
    ]
    strides, stride = [], None  # stride k: the product of the extents after k (None: 1)
    for extent in reversed(extents):
        strides.insert(0, stride)
        stride = extent if stride is None else em.value(arith.MuliOp(stride, extent))
    total = stride

    def bind(flat):
        indices = []
        for k, (dim, start, extent, stride) in enumerate(zip(dims, starts, extents, strides)):
            index = flat if stride is None else em.value(arith.DivUIOp(flat, stride))
            if k > 0:
                index = em.value(arith.RemUIOp(index, extent))
            indices.append(em.from_index(em.value(arith.AddiOp(start, index)), dim.start.dtype))
        lowering.bind_loop_target(node.target, grouped_index(lowering, node.iter, indices))

    return zero, total, em.index_constant(1), bind


def _lower_for_as_while(lowering: StatementLowering, node: ast.For, lb, ub, step, bind) -> None:
    """A loop with break/continue/return: scf.while over (index, carried..., break)."""
    em = lowering.em

    def condition(iv_value):
        return Scalar(em.value(arith.CmpiOp(iv_value, ub, "slt")), BOOL)

    def step_body(iv_value):
        bind(iv_value)
        lowering.stmts(node.body)
        return em.value(arith.AddiOp(iv_value, step))

    _structured_while(lowering, node, lb, condition, step_body)


def lower_while(lowering: StatementLowering, node: ast.While) -> None:
    test = node.test

    def condition(_):
        return lowering.em.truth(lowering.scalar(test))

    def step_body(_):
        lowering.stmts(node.body)
        return None

    _structured_while(lowering, node, None, condition, step_body)


def _structured_while(lowering: StatementLowering, node, counter, condition, step_body) -> None:
    """scf.while carrying an optional counter, the outer variables, and break/return flags."""
    em = lowering.em
    carried = [n for n in lowering.carried(node.body) if n not in (BREAK, CONTINUE)]
    inits = [lowering.scope.lookup(name) for name in carried]
    has_break = BREAK in assigned_names(node.body)
    lowering.located(node)
    false = em.constant(False, BOOL)
    carried_width = sum(len(flatten(v)) for v in inits)
    state_types = [INDEX] if counter is not None else []
    state_types += [t for v in inits for t in carried_types(v)]
    state_types += [mlir_type(BOOL)] if has_break else []
    init_values = [counter] if counter is not None else []
    init_values += [s.ssa for v in inits for s in flatten(v)]
    init_values += [false.ssa] if has_break else []

    def bind_state(block: Block):
        args = list(block.args)
        iv = args.pop(0) if counter is not None else None
        lowering.bind_results(carried, inits, args[:carried_width])
        if has_break:
            lowering.scope.bind(BREAK, Scalar(args[carried_width], BOOL))
        return iv

    before = em.new_block(state_types)
    with lowering.nested(before) as scope:
        iv = bind_state(before)
        go = condition(iv)
        for flag in (BREAK, RETURNED):
            value = scope.lookup(flag)
            if isinstance(value, Scalar):
                stop = em.value(arith.XOrIOp(value.ssa, em.constant(True, BOOL).ssa))
                go = Scalar(em.value(arith.AndIOp(go.ssa, stop)), BOOL)
        em.emit(scf.ConditionOp(go.ssa, *before.args))

    after = em.new_block(state_types)
    with lowering.nested(after) as scope:
        iv = bind_state(after)
        if CONTINUE in assigned_names(node.body):
            scope.bind(CONTINUE, em.constant(False, BOOL))
        next_iv = step_body(iv)
        yielded = [next_iv] if counter is not None else []
        yielded += [
            v for n, i in zip(carried, inits) for v in lowering.carried_value(scope, n, i, node)
        ]
        yielded += [scope.lookup(BREAK).ssa] if has_break else []
        em.emit(scf.YieldOp(*yielded))

    lowering.located(node)
    op = em.emit(scf.WhileOp(init_values, state_types, [before], [after]))
    results = list(op.results)[1 if counter is not None else 0 :]
    lowering.bind_results(carried, inits, results)


def static_items(lowering: StatementLowering, call: ast.Call) -> list:
    """The compile-time values `for x in qd.static(...)` iterates over."""
    values = lowering.expr(call.args[0]) if len(call.args) == 1 and not call.keywords else None
    if values is None or not isinstance(values, Const):
        raise lowering.error(
            call,
            "qd.static() in a for loop needs a compile-time iterable",
            "e.g. qd.static(range(3)) or qd.static((1, 2, 4))",
        )
    try:
        return list(values.value)
    except TypeError:
        raise lowering.error(call, f"`{ast.unparse(call.args[0])}` is not iterable") from None


def _unroll_static(lowering: StatementLowering, node: ast.For) -> None:
    """`for i in qd.static(range(3)):` repeats the body with `i` a compile-time constant."""
    outer = lowering.scope
    for item in static_items(lowering, node.iter):
        with lowering.nested(lowering.em.block) as inner:
            bind_static_target(lowering, node.target, item)
            lowering.stmts(node.body)
        # reassigned outer variables keep their new values; names new to the body stay local
        for name, value in inner.names.items():
            if outer.lookup(name) is not None:
                outer.bind(name, value)


def bind_static_target(lowering: StatementLowering, target: ast.expr, item) -> None:
    if isinstance(target, ast.Name):
        lowering.scope.bind(target.id, Const(item))
    elif isinstance(target, (ast.Tuple, ast.List)):
        for sub, value in zip(target.elts, item):
            bind_static_target(lowering, sub, value)


# -- qd.ndrange ------------------------------------------------------------------------------


def ndrange_dims(lowering: StatementLowering, node: ast.expr) -> list[RangeSpec] | None:
    """The dimensions of `qd.ndrange(...)`, `qd.grouped(qd.ndrange(...))`, `qd.grouped(x)` or
    `x` itself (every index of the ndarray or field `x`: Quadrants' struct-for), else None."""
    if isinstance(node, (ast.Name, ast.Attribute)) and _dotted_name(node):
        if _is_array(lowering, node):
            return _array_dims(lowering, node)
        return None
    if lowering.calls(node, lang.grouped):
        if len(node.args) != 1 or node.keywords:
            raise lowering.error(
                node, "qd.grouped() takes one argument: an ndarray or a qd.ndrange(...)"
            )
        node = node.args[0]
        if not lowering.calls(node, lang.ndrange):
            return _array_dims(lowering, node)
    if not lowering.calls(node, lang.ndrange):
        if _is_array(lowering, node):  # `for i, j in x`: every index of the ndarray x
            return _array_dims(lowering, node)
        return None
    node = lowering.spread_call(node)  # qd.ndrange(*x.shape)
    if node.keywords or not node.args:
        raise lowering.error(node, "qd.ndrange() takes one or more dimensions")
    dims = []
    for dim in node.args:
        value = lowering.expr(dim)
        bounds = value.value if isinstance(value, Const) else value
        if isinstance(bounds, tuple):
            if len(bounds) != 2:
                raise lowering.error(dim, "an ndrange dimension is n or (begin, end)")
            start, stop = (b if not isinstance(value, Const) else Const(b) for b in bounds)
        else:
            start, stop = Const(0), value
        start, stop = lowering.as_scalar(start, dim), lowering.as_scalar(stop, dim)
        common = lowering.em.numeric(lowering.em.common_type(start.dtype, stop.dtype))
        if common.is_float:
            raise lowering.error(dim, "qd.ndrange() bounds must be integers")
        dims.append(RangeSpec(lowering.em.cast(start, common), lowering.em.cast(stop, common), 1))
    return dims


def _is_array(lowering: StatementLowering, node: ast.expr) -> bool:
    from qdmlir.frontend.emitter import Array

    if not isinstance(node, (ast.Name, ast.Attribute)):
        return False
    value = lowering.expr(node)
    return isinstance(value, Array) or struct_fields.is_struct_field(value)


def grouped_index(lowering: StatementLowering, node: ast.expr, indices: list):
    """The loop variable of `for I in qd.grouped(...)`: a vector of the indices, as in Quadrants
    (`x[I]`, `I[0]`, `I + 1` all work); other loops give the indices themselves."""
    if lowering.calls(node, lang.grouped):
        from qdmlir.frontend.matrices import MatrixValue

        return MatrixValue(tuple(indices), (len(indices),))
    return tuple(indices) if len(indices) > 1 else indices[0]


def _array_dims(lowering: StatementLowering, node: ast.expr) -> list[RangeSpec]:
    from qdmlir.frontend.emitter import Array

    array = lowering.expr(node)
    if struct_fields.is_struct_field(array):  # every index of its members
        array = struct_fields.reference(lowering, array)
    if not isinstance(array, Array) or array.ndim == 0:
        raise lowering.error(
            node,
            f"qd.grouped() needs an ndarray of ndim >= 1 or a "
            f"qd.ndrange(...), not `{ast.unparse(node)}`",
        )
    em = lowering.em
    ip = lowering.unit.defaults.ip
    offset = array.offset or (0,) * array.ndim  # a field's indices start at its offset
    dims = []
    for axis, first in enumerate(offset):
        size = em.from_index(em.dim(array, axis), ip)
        start = em.constant(first, ip)
        stop = arithmetic.binary(em, "+", size, start) if first else size
        dims.append(RangeSpec(start, stop, 1))
    return dims


def _dotted_name(node: ast.expr) -> bool:
    """`x` or `self.x.y`: a name a struct-for can loop over (no call, no subscript)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)
