"""Operators and math functions of the kernel language, with Python's semantics.

`//` floors and `%` takes the sign of the divisor (as in Python and Quadrants), `/` divides in
floating point, comparisons give bools, and math functions on integers compute in the default
float type.
"""

from __future__ import annotations

from xdsl.dialects import arith, math

from qdmlir.frontend.emitter import Emitter, Scalar
from qdmlir.frontend.promotion import BOOL, true_division_type
from qdmlir.runtime.dtypes import DType

_INT_BINARY = {
    "+": arith.AddiOp, "-": arith.SubiOp, "*": arith.MuliOp,
    "&": arith.AndIOp, "|": arith.OrIOp, "^": arith.XOrIOp,
}  # fmt: skip
_FLOAT_BINARY = {"+": arith.AddfOp, "-": arith.SubfOp, "*": arith.MulfOp}

_SIGNED_PREDICATES = {"<": "slt", "<=": "sle", ">": "sgt", ">=": "sge", "==": "eq", "!=": "ne"}
_UNSIGNED_PREDICATES = {"<": "ult", "<=": "ule", ">": "ugt", ">=": "uge", "==": "eq", "!=": "ne"}
# ordered comparisons, except != which is true for NaN as in Python
_FLOAT_PREDICATES = {"<": "olt", "<=": "ole", ">": "ogt", ">=": "oge", "==": "oeq", "!=": "une"}


class OperatorError(TypeError):
    """An operator applied to types it does not support; the caller adds the location."""


def binary(em: Emitter, op: str, a: Scalar, b: Scalar) -> Scalar:
    """`a <op> b` for + - * / // % ** & | ^ << >>."""
    if op == "/":
        dtype = true_division_type(em.numeric(a.dtype), em.numeric(b.dtype), em.defaults)
        a, b = em.cast(a, dtype), em.cast(b, dtype)
        return Scalar(em.value(arith.DivfOp(a.ssa, b.ssa)), dtype)
    if op == "**":
        return power(em, a, b)
    if op in ("<<", ">>", ">>>"):
        return _shift(em, op, a, b)
    dtype = em.common_type(a.dtype, b.dtype)
    dtype = em.numeric(dtype) if op not in ("&", "|", "^") else dtype
    a, b = em.cast(a, dtype), em.cast(b, dtype)
    if dtype == BOOL:  # & | ^ on two bools stay bools
        return Scalar(em.value(_INT_BINARY[op](a.ssa, b.ssa)), BOOL)
    if dtype.is_float:
        if op in _FLOAT_BINARY:
            return Scalar(em.value(_FLOAT_BINARY[op](a.ssa, b.ssa)), dtype)
        if op == "//":
            quotient = em.value(arith.DivfOp(a.ssa, b.ssa))
            return Scalar(em.value(math.FloorOp(quotient)), dtype)
        if op == "%":
            return _float_mod(em, a, b)
        raise OperatorError(f"operator {op} needs integer operands, got {dtype.name}")
    if op in _INT_BINARY:
        return Scalar(em.value(_INT_BINARY[op](a.ssa, b.ssa)), dtype)
    if op == "//":
        div = arith.FloorDivSIOp if dtype.signed else arith.DivUIOp
        return em.checked_division(a, b, op, lambda d: Scalar(em.value(div(a.ssa, d.ssa)), dtype))
    if op == "%":
        return em.checked_division(
            a,
            b,
            op,
            lambda d: (
                _int_mod(em, a, d)
                if dtype.signed
                else Scalar(em.value(arith.RemUIOp(a.ssa, d.ssa)), dtype)
            ),
        )
    raise OperatorError(f"unknown operator {op}")


def _shift(em: Emitter, op: str, a: Scalar, b: Scalar) -> Scalar:
    """Shifts keep the left operand's type, as in Quadrants; `>>>` (qd.bit_shr) shifts in
    zeros whatever the sign."""
    dtype = em.numeric(a.dtype)
    if dtype.is_float or em.numeric(b.dtype).is_float:
        raise OperatorError(f"operator {op} needs integer operands")
    a, b = em.cast(a, dtype), em.cast(b, dtype)
    if op == "<<":
        return Scalar(em.value(arith.ShLIOp(a.ssa, b.ssa)), dtype)
    shift = arith.ShRSIOp if dtype.signed and op == ">>" else arith.ShRUIOp
    return Scalar(em.value(shift(a.ssa, b.ssa)), dtype)


def _int_mod(em: Emitter, a: Scalar, b: Scalar) -> Scalar:
    """Python's signed modulo: the remainder takes the divisor's sign."""
    rem = em.value(arith.RemSIOp(a.ssa, b.ssa))
    zero = em.constant(0, a.dtype).ssa
    nonzero = em.value(arith.CmpiOp(rem, zero, "ne"))
    rem_negative = em.value(arith.CmpiOp(rem, zero, "slt"))
    b_negative = em.value(arith.CmpiOp(b.ssa, zero, "slt"))
    signs_differ = em.value(arith.XOrIOp(rem_negative, b_negative))
    fix = em.value(arith.AndIOp(nonzero, signs_differ))
    adjusted = em.value(arith.AddiOp(rem, b.ssa))
    return Scalar(em.value(arith.SelectOp(fix, adjusted, rem)), a.dtype)


def _float_mod(em: Emitter, a: Scalar, b: Scalar) -> Scalar:
    """Python's float modulo: a - floor(a / b) * b."""
    quotient = em.value(math.FloorOp(em.value(arith.DivfOp(a.ssa, b.ssa))))
    product = em.value(arith.MulfOp(quotient, b.ssa))
    return Scalar(em.value(arith.SubfOp(a.ssa, product)), a.dtype)


def power(em: Emitter, a: Scalar, b: Scalar, exponent: int | None = None) -> Scalar:
    """`a ** b`: with an integer base and exponent the result has the base's type (as in
    Quadrants); with a float on either side, the promoted float. A small constant integer
    exponent becomes multiplications."""
    base_type = em.numeric(a.dtype)
    if (
        exponent is not None
        and 0 <= exponent <= 16
        and (base_type.is_float or not em.numeric(b.dtype).is_float)
    ):
        return _power_by_squaring(em, em.cast(a, base_type), exponent)
    dtype = em.common_type(a.dtype, b.dtype)
    if not dtype.is_float:
        dtype = base_type
    if dtype.is_float:
        a = em.cast(a, dtype)
        if not em.numeric(b.dtype).is_float:
            b = em.cast(b, _i32())
            return Scalar(em.value(math.FPowIOp(a.ssa, b.ssa)), dtype)
        return Scalar(em.value(math.PowFOp(a.ssa, em.cast(b, dtype).ssa)), dtype)
    a, b = em.cast(a, dtype), em.cast(b, dtype)
    return Scalar(em.value(math.IPowIOp(a.ssa, b.ssa)), dtype)


def _power_by_squaring(em: Emitter, base: Scalar, exponent: int) -> Scalar:
    result = None
    square = base
    while exponent:
        if exponent & 1:
            result = square if result is None else binary(em, "*", result, square)
        exponent >>= 1
        if exponent:
            square = binary(em, "*", square, square)
    return result if result is not None else em.constant(1, base.dtype)


def compare(em: Emitter, op: str, a: Scalar, b: Scalar) -> Scalar:
    dtype = em.common_type(a.dtype, b.dtype)
    if dtype == BOOL:
        dtype = em.defaults.ip
    a, b = em.cast(a, dtype), em.cast(b, dtype)
    if dtype.is_float:
        return Scalar(em.value(arith.CmpfOp(a.ssa, b.ssa, _FLOAT_PREDICATES[op])), BOOL)
    table = _SIGNED_PREDICATES if dtype.signed else _UNSIGNED_PREDICATES
    return Scalar(em.value(arith.CmpiOp(a.ssa, b.ssa, table[op])), BOOL)


def negate(em: Emitter, a: Scalar) -> Scalar:
    dtype = em.numeric(a.dtype)
    a = em.cast(a, dtype)
    if dtype.is_float:
        return Scalar(em.value(arith.NegfOp(a.ssa)), dtype)
    zero = em.constant(0, dtype)
    return Scalar(em.value(arith.SubiOp(zero.ssa, a.ssa)), dtype)


def invert(em: Emitter, a: Scalar) -> Scalar:
    """`~a` on integers (bitwise not)."""
    dtype = em.numeric(a.dtype)
    if dtype.is_float:
        raise OperatorError(f"operator ~ needs an integer operand, got {dtype.name}")
    a = em.cast(a, dtype)
    ones = em.constant(-1, dtype)
    return Scalar(em.value(arith.XOrIOp(a.ssa, ones.ssa)), dtype)


def logical_not(em: Emitter, a: Scalar) -> Scalar:
    truth = em.truth(a)
    true = em.constant(True, BOOL)
    return Scalar(em.value(arith.XOrIOp(truth.ssa, true.ssa)), BOOL)


# -- math functions ------------------------------------------------------------------------

_UNARY_FLOAT = {
    "sqrt": math.SqrtOp, "rsqrt": math.RsqrtOp, "sin": math.SinOp, "cos": math.CosOp,
    "tan": math.TanOp, "tanh": math.TanhOp, "asin": math.AsinOp, "acos": math.AcosOp,
    "atan": math.AtanOp, "exp": math.ExpOp, "log": math.LogOp, "floor": math.FloorOp,
    "ceil": math.CeilOp, "round": math.RoundOp, "trunc": math.TruncOp,
}  # fmt: skip


def unary_math(em: Emitter, name: str, x: Scalar) -> Scalar:
    """`qd.<name>(x)`: computed in x's float type, or the default float for integers."""
    if name == "abs":
        return absolute(em, x)
    dtype = em.numeric(x.dtype)
    if not dtype.is_float:
        if name in ("floor", "ceil", "round", "trunc"):
            return em.cast(x, dtype)  # already integral
        dtype = em.defaults.fp
    x = em.cast(x, dtype)
    return Scalar(em.value(_UNARY_FLOAT[name](x.ssa)), dtype)


def absolute(em: Emitter, x: Scalar) -> Scalar:
    dtype = em.numeric(x.dtype)
    x = em.cast(x, dtype)
    if dtype.is_float:
        return Scalar(em.value(math.AbsFOp(x.ssa)), dtype)
    if not dtype.signed:
        return x
    return Scalar(em.value(math.AbsIOp(x.ssa)), dtype)


def atan2(em: Emitter, y: Scalar, x: Scalar) -> Scalar:
    dtype = em.common_type(em.numeric(y.dtype), em.numeric(x.dtype))
    if not dtype.is_float:
        dtype = em.defaults.fp
    y, x = em.cast(y, dtype), em.cast(x, dtype)
    return Scalar(em.value(math.Atan2Op(y.ssa, x.ssa)), dtype)


def minmax(em: Emitter, name: str, a: Scalar, b: Scalar) -> Scalar:
    dtype = em.numeric(em.common_type(a.dtype, b.dtype))
    a, b = em.cast(a, dtype), em.cast(b, dtype)
    if dtype.is_float:
        op = arith.MinnumfOp if name == "min" else arith.MaxnumfOp
    elif dtype.signed:
        op = arith.MinSIOp if name == "min" else arith.MaxSIOp
    else:
        op = arith.MinUIOp if name == "min" else arith.MaxUIOp
    return Scalar(em.value(op(a.ssa, b.ssa)), dtype)


def _i32() -> DType:
    from qdmlir.runtime.dtypes import i32

    return i32
