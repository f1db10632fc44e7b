"""The scalar functions of `qd.math` that are compositions of simpler operations, and
Quadrants' C-style `qd.raw_div` / `qd.raw_mod`.

Each handler takes the lowering and the call node and returns a Scalar; they register
themselves in calls.INTRINSICS through `HANDLERS`.
"""

from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING

from xdsl.dialects import arith
from xdsl.dialects import math as math_dialect

from qdmlir.frontend import arithmetic, lang
from qdmlir.frontend.emitter import Scalar
from qdmlir.frontend.promotion import BOOL

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.statements import StatementLowering


def _args(lowering: StatementLowering, node: ast.Call, count: int, name: str) -> list[Scalar]:
    if node.keywords or len(node.args) != count:
        raise lowering.error(node, f"{name}() takes {count} positional argument(s)")
    return [lowering.scalar(arg) for arg in node.args]


def _as_float(lowering: StatementLowering, x: Scalar) -> Scalar:
    dtype = lowering.em.numeric(x.dtype)
    return lowering.em.cast(x, dtype if dtype.is_float else lowering.unit.defaults.fp)


def _float_constant(lowering: StatementLowering, value: float, like: Scalar) -> Scalar:
    return lowering.em.constant(value, like.dtype)


def _scale(factor: float, name: str):
    def lower(lowering: StatementLowering, node):
        (x,) = _args(lowering, node, 1, name)
        x = _as_float(lowering, x)
        return arithmetic.binary(lowering.em, "*", x, _float_constant(lowering, factor, x))

    return lower


def _fract(lowering: StatementLowering, node):
    (x,) = _args(lowering, node, 1, "qd.math.fract")
    x = _as_float(lowering, x)
    floor = Scalar(lowering.em.value(math_dialect.FloorOp(x.ssa)), x.dtype)
    return arithmetic.binary(lowering.em, "-", x, floor)


def _isnan(lowering: StatementLowering, node):
    (x,) = _args(lowering, node, 1, "qd.math.isnan")
    x = _as_float(lowering, x)
    return Scalar(lowering.em.value(arith.CmpfOp(x.ssa, x.ssa, "uno")), BOOL)


def _isinf(lowering: StatementLowering, node):
    (x,) = _args(lowering, node, 1, "qd.math.isinf")
    x = _as_float(lowering, x)
    magnitude = arithmetic.absolute(lowering.em, x)
    infinity = _float_constant(lowering, math.inf, x)
    return Scalar(lowering.em.value(arith.CmpfOp(magnitude.ssa, infinity.ssa, "oeq")), BOOL)


def _log2(lowering: StatementLowering, node):
    (x,) = _args(lowering, node, 1, "qd.math.log2")
    x = _as_float(lowering, x)
    return Scalar(lowering.em.value(math_dialect.Log2Op(x.ssa)), x.dtype)


def _sign(lowering: StatementLowering, node):
    """-1, 0 or 1 in x's float type (the default float for integers, as in Quadrants)."""
    (x,) = _args(lowering, node, 1, "qd.math.sign")
    em = lowering.em
    x = _as_float(lowering, x)
    zero = _float_constant(lowering, 0.0, x)
    positive = em.cast(arithmetic.compare(em, ">", x, zero), x.dtype)
    negative = em.cast(arithmetic.compare(em, "<", x, zero), x.dtype)
    return arithmetic.binary(em, "-", positive, negative)


def _mod(lowering: StatementLowering, node):
    """GLSL's mod: x - y * floor(x / y), in floating point."""
    x, y = (_as_float(lowering, v) for v in _args(lowering, node, 2, "qd.math.mod"))
    return arithmetic.binary(lowering.em, "%", x, y)


def _mix(lowering: StatementLowering, node):
    x, y, a = _args(lowering, node, 3, "qd.math.mix")
    em = lowering.em
    one = em.constant(1.0, _as_float(lowering, a).dtype)
    keep = arithmetic.binary(em, "-", one, a)
    return arithmetic.binary(
        em, "+", arithmetic.binary(em, "*", x, keep), arithmetic.binary(em, "*", y, a)
    )


def _step(lowering: StatementLowering, node):
    edge, x = _args(lowering, node, 2, "qd.math.step")
    em = lowering.em
    below = arithmetic.compare(em, "<", x, edge)
    dtype = _as_float(lowering, x).dtype
    return em.select(below, em.constant(0.0, dtype), em.constant(1.0, dtype))


def _smoothstep(lowering: StatementLowering, node):
    edge0, edge1, x = _args(lowering, node, 3, "qd.math.smoothstep")
    em = lowering.em
    x = _as_float(lowering, x)
    t = arithmetic.binary(
        em, "/", arithmetic.binary(em, "-", x, edge0), arithmetic.binary(em, "-", edge1, edge0)
    )
    t = arithmetic.minmax(
        em,
        "min",
        arithmetic.minmax(em, "max", t, em.constant(0.0, t.dtype)),
        em.constant(1.0, t.dtype),
    )
    three_minus = arithmetic.binary(
        em, "-", em.constant(3.0, t.dtype), arithmetic.binary(em, "*", em.constant(2.0, t.dtype), t)
    )
    return arithmetic.binary(em, "*", arithmetic.binary(em, "*", t, t), three_minus)


def _raw(op: str):
    """C semantics: integer division truncates and the remainder has the dividend's sign."""

    def lower(lowering: StatementLowering, node):
        a, b = _args(lowering, node, 2, f"qd.raw_{op}")
        em = lowering.em
        dtype = em.numeric(em.common_type(a.dtype, b.dtype))
        a, b = em.cast(a, dtype), em.cast(b, dtype)
        if dtype.is_float:
            cls = arith.DivfOp if op == "div" else arith.RemFOp
            return Scalar(em.value(cls(a.ssa, b.ssa)), dtype)
        if op == "div":
            cls = arith.DivSIOp if dtype.signed else arith.DivUIOp
        else:
            cls = arith.RemSIOp if dtype.signed else arith.RemUIOp
        # integer division must not trap (see Emitter.checked_division)
        return em.checked_division(
            a, b, f"raw_{op}", lambda d: Scalar(em.value(cls(a.ssa, d.ssa)), dtype)
        )

    return lower


HANDLERS = {
    lang.degrees: _scale(180.0 / math.pi, "qd.math.degrees"),
    lang.radians: _scale(math.pi / 180.0, "qd.math.radians"),
    lang.fract: _fract, lang.isnan: _isnan, lang.isinf: _isinf, lang.log2: _log2,
    lang.sign: _sign, lang.mod: _mod, lang.mix: _mix, lang.step: _step,
    lang.smoothstep: _smoothstep, lang.raw_div: _raw("div"), lang.raw_mod: _raw("mod"),
}  # fmt: skip
