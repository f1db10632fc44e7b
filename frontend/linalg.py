"""Linear algebra on unrolled vectors and matrices: `@`, dot, cross, norms, determinant, inverse.

docs/kernel-language.md "Vectors and matrices". Each function builds the closed form out of
scalar operations at compile time (a 3x3 determinant is its 12 products), with the kernel
language's type rules for every step, as Quadrants' own formulas do.
"""

from __future__ import annotations

from functools import reduce

from qdmlir.frontend import arithmetic
from qdmlir.frontend.emitter import Emitter, Scalar
from qdmlir.frontend.matrices import MatrixValue, ShapeError, of_entries
from qdmlir.frontend.promotion import BOOL

MAX_CLOSED_FORM = 4
"""determinant() and inverse() use cofactor expansion up to 4x4, as Quadrants does."""


def _sum(em: Emitter, terms: list[Scalar]) -> Scalar:
    return reduce(lambda a, b: arithmetic.binary(em, "+", a, b), terms)


def _mul(em: Emitter, a: Scalar, b: Scalar) -> Scalar:
    return arithmetic.binary(em, "*", a, b)


def _need_vector(value: MatrixValue, what: str) -> None:
    if value.ndim != 1:
        raise ShapeError(f"{what} needs vectors, got {value.describe()}")


def _need_square(value: MatrixValue) -> int:
    if value.ndim != 2 or value.n != value.m:
        raise ShapeError(f"expected a square matrix, got shape {value.shape}")
    return value.n


def matmul(em: Emitter, a: MatrixValue, b: MatrixValue) -> Scalar | MatrixValue:
    """Quadrants' `@`: vector @ vector is the dot product, matrix @ vector a vector, vector @
    matrix the product with the matrix's transpose, matrix @ matrix the matrix product."""
    if a.ndim == 1 and b.ndim == 1:
        return dot(em, a, b)
    if a.ndim == 1:
        a, b = transpose(em, b), a
    inner = a.m
    if inner != b.n:
        raise ShapeError(f"dimension mismatch in @: {a.describe()} and {b.describe()}")
    if b.ndim == 1:
        rows = [_sum(em, [_mul(em, a.at(i, k), b.at(k)) for k in range(inner)]) for i in range(a.n)]
        return of_entries(em, rows, (a.n,))
    entries = [
        _sum(em, [_mul(em, a.at(i, k), b.at(k, j)) for k in range(inner)])
        for i in range(a.n)
        for j in range(b.m)
    ]
    return of_entries(em, entries, (a.n, b.m))


def dot(em: Emitter, a: MatrixValue, b: MatrixValue) -> Scalar:
    _need_vector(a, "dot()")
    _need_vector(b, "dot()")
    if a.shape != b.shape:
        raise ShapeError(f"dot() of {a.describe()} and {b.describe()}")
    return _sum(em, [_mul(em, x, y) for x, y in zip(a.entries, b.entries)])


def cross(em: Emitter, a: MatrixValue, b: MatrixValue) -> Scalar | MatrixValue:
    """The 3-d cross product, or for 2-d vectors the scalar a.x * b.y - a.y * b.x."""
    _need_vector(a, "cross()")
    _need_vector(b, "cross()")
    if a.shape != b.shape or a.n not in (2, 3):
        raise ShapeError(
            f"cross() needs two 2-d or two 3-d vectors, got {a.describe()} and {b.describe()}"
        )

    def term(i: int, j: int) -> Scalar:
        return arithmetic.binary(em, "-", _mul(em, a.at(i), b.at(j)), _mul(em, a.at(j), b.at(i)))

    if a.n == 2:
        return term(0, 1)
    return of_entries(em, [term(1, 2), term(2, 0), term(0, 1)], (3,))


def outer_product(em: Emitter, a: MatrixValue, b: MatrixValue) -> MatrixValue:
    _need_vector(a, "outer_product()")
    _need_vector(b, "outer_product()")
    entries = [_mul(em, x, y) for x in a.entries for y in b.entries]
    return of_entries(em, entries, (a.n, b.n))


def transpose(em: Emitter, a: MatrixValue) -> MatrixValue:
    if a.ndim == 1:
        from qdmlir.runtime.matrix import TRANSPOSE_OF_VECTOR

        raise ShapeError(TRANSPOSE_OF_VECTOR)
    return MatrixValue(tuple(a.at(i, j) for j in range(a.m) for i in range(a.n)), (a.m, a.n))


def trace(em: Emitter, a: MatrixValue) -> Scalar:
    n = _need_square(a)
    return _sum(em, [a.at(i, i) for i in range(n)])


def determinant(em: Emitter, a: MatrixValue) -> Scalar:
    n = _need_square(a)
    if n > MAX_CLOSED_FORM:
        raise ShapeError(f"determinant() supports matrices up to 4x4, got {a.describe()}")
    return _cofactor_det(em, [[a.at(i, j) for j in range(n)] for i in range(n)])


def _cofactor_det(em: Emitter, rows: list[list[Scalar]]) -> Scalar:
    """Laplace expansion along the first column, signs alternating down it."""
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) == 2:
        return arithmetic.binary(
            em, "-", _mul(em, rows[0][0], rows[1][1]), _mul(em, rows[1][0], rows[0][1])
        )
    total = None
    for i, row in enumerate(rows):
        minor = [r[1:] for k, r in enumerate(rows) if k != i]
        term = _mul(em, row[0], _cofactor_det(em, minor))
        if total is None:
            total = term
        else:
            total = arithmetic.binary(em, "-" if i % 2 else "+", total, term)
    return total


def inverse(em: Emitter, a: MatrixValue) -> MatrixValue:
    """The adjugate divided by the determinant (no pivoting: a singular matrix gives inf/nan,
    as Quadrants' closed form does)."""
    n = _need_square(a)
    if n > MAX_CLOSED_FORM:
        raise ShapeError(f"inverse() supports matrices up to 4x4, got {a.describe()}")
    rows = [[a.at(i, j) for j in range(n)] for i in range(n)]
    one = em.constant(1.0, _float_type(em, a))
    inv_det = arithmetic.binary(em, "/", one, _cofactor_det(em, rows))
    if n == 1:
        return of_entries(em, [inv_det], (1, 1))
    entries = []
    for i in range(n):
        for j in range(n):  # adjugate[i][j] = cofactor of entry (j, i)
            minor = [[x for c, x in enumerate(r) if c != i] for k, r in enumerate(rows) if k != j]
            cofactor = _cofactor_det(em, minor)
            if (i + j) % 2:
                cofactor = arithmetic.negate(em, cofactor)
            entries.append(_mul(em, inv_det, cofactor))
    return of_entries(em, entries, (n, n))


def _float_type(em: Emitter, a: MatrixValue):
    dtype = em.numeric(a.dtype)
    return dtype if dtype.is_float else em.defaults.fp


# -- reductions and norms ---------------------------------------------------------------------


def total(em: Emitter, a: MatrixValue) -> Scalar:
    return _sum(em, list(a.entries))


def extreme(em: Emitter, a: MatrixValue, name: str) -> Scalar:
    return reduce(lambda x, y: arithmetic.minmax(em, name, x, y), a.entries)


def truth(em: Emitter, a: MatrixValue, name: str) -> Scalar:
    """`a.any()` / `a.all()`: whether any / every entry is non-zero, as a bool."""
    from xdsl.dialects import arith

    op = arith.OrIOp if name == "any" else arith.AndIOp
    truths = [em.truth(e) for e in a.entries]
    return reduce(lambda x, y: Scalar(em.value(op(x.ssa, y.ssa)), BOOL), truths)


def norm_sqr(em: Emitter, a: MatrixValue) -> Scalar:
    return _sum(em, [_mul(em, x, x) for x in a.entries])


def norm(em: Emitter, a: MatrixValue, eps: Scalar | None = None, inverse: bool = False) -> Scalar:
    """sqrt(norm_sqr + eps), or its reciprocal (rsqrt) for norm_inv."""
    squared = norm_sqr(em, a)
    if eps is not None:
        squared = arithmetic.binary(em, "+", squared, eps)
    return arithmetic.unary_math(em, "rsqrt" if inverse else "sqrt", squared)


def normalized(em: Emitter, a: MatrixValue, eps: Scalar | None = None) -> MatrixValue:
    """a * (1 / (|a| + eps)): one division, then a product per entry."""
    _need_vector(a, "normalized()")
    length = norm(em, a)
    if eps is not None:
        length = arithmetic.binary(em, "+", length, eps)
    inv = arithmetic.binary(em, "/", em.constant(1.0, length.dtype), length)
    return of_entries(em, [_mul(em, inv, x) for x in a.entries], a.shape)
