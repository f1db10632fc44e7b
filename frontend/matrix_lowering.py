"""Vector and matrix expressions in kernels: conversions, operators, indexing, memory.

docs/kernel-language.md "Vectors and matrices". The expression and statement lowerings call
these where an operand is a vector or matrix (frontend/matrices.py holds the value type).
Quadrants' rules: operators work entry by entry and broadcast scalars; `@` is the matrix
product; a vector takes one index and a matrix two ("Expected 2 indices, got 1"); an ndarray
of vectors indexed with its own indices gives a vector, and `a[i][j]` (or `a[i].y`) reaches one
entry of it directly in memory.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

import numpy as np
from xdsl.dialects import arith

from qdmlir.frontend import arithmetic, linalg
from qdmlir.frontend.emitter import Array, Scalar
from qdmlir.frontend.errors import QuadrantsTypeError
from qdmlir.frontend.matrices import (
    MatrixValue,
    ShapeError,
    elementwise,
    filled,
    indices_of,
    linear_index,
    of_entries,
    read_at,
    write_at,
)
from qdmlir.frontend.promotion import BOOL
from qdmlir.frontend.scope import Const, KernelVar
from qdmlir.runtime.matrix import Matrix, swizzle_indices
from qdmlir.runtime.matrix_types import tensor_string

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.statements import StatementLowering


# -- conversions ---------------------------------------------------------------------------------


def is_matrix(value: Any) -> bool:
    """A vector / matrix value, or a host qd.Vector / qd.Matrix (a compile-time constant)."""
    return isinstance(value, MatrixValue) or (
        isinstance(value, Const) and isinstance(value.value, Matrix)
    )


def is_sequence(value: Any) -> bool:
    """A Python list or tuple of values: a vector or matrix literal where one is expected."""
    if isinstance(value, Const):
        return isinstance(value.value, (tuple, list)) and len(value.value) > 0
    return isinstance(value, tuple) and len(value) > 0


def as_matrix(lowering: StatementLowering, value: Any, node: ast.AST, dtype=None) -> MatrixValue:
    """`value` as a MatrixValue: itself, a host qd.Vector / qd.Matrix constant, or a (nested)
    list of numbers and run-time scalars (`[x, 2 * y, 0]`, `((1, 0), (0, 1))`), its entries
    converted to `dtype` or else to Quadrants' inferred type (ints: the default int, floats:
    the default float, run-time values their own, promoted together)."""
    if isinstance(value, MatrixValue):
        return (
            value if dtype is None else of_entries(lowering.em, value.entries, value.shape, dtype)
        )
    if isinstance(value, Const) and isinstance(value.value, Matrix):
        entries = value.value.entries
        return _from_items(lowering, node, entries.ravel().tolist(), entries.shape, dtype)
    items = value.value if isinstance(value, Const) else value
    if not isinstance(items, (tuple, list)) or not items:
        raise lowering.error(node, f"`{ast.unparse(node)}` is not a vector or a matrix")
    rows = [_items(row) for row in items]
    if all(r is not None for r in rows):  # a list of rows (lists or vectors): a matrix
        widths = {len(r) for r in rows}
        if len(widths) != 1:
            raise lowering.error(node, "the rows of a matrix literal must all have one length")
        flat = [x for r in rows for x in r]
        return _from_items(lowering, node, flat, (len(rows), widths.pop()), dtype)
    return _from_items(lowering, node, list(items), (len(items),), dtype)


def _items(row: Any) -> list | None:
    """The entries of one row of a matrix literal, or None if it is a single entry."""
    if isinstance(row, (tuple, list)):
        return list(row)
    if isinstance(row, Const) and isinstance(row.value, (tuple, list)):
        return [Const(x) for x in row.value]
    if isinstance(row, MatrixValue) and row.ndim == 1:
        return list(row.entries)
    if isinstance(row, Const) and isinstance(row.value, Matrix) and row.value.ndim == 1:
        return row.value.entries.tolist()
    return None


def _from_items(lowering, node, items: list, shape: tuple, dtype) -> MatrixValue:
    em = lowering.em
    values = [
        x if isinstance(x, (Scalar, Const)) else _scalar_item(lowering, x, node) for x in items
    ]
    if dtype is None:
        types = [_entry_type(lowering, v) for v in values]
        dtype = types[0]
        for t in types[1:]:
            dtype = em.common_type(dtype, t)
        dtype = em.numeric(dtype)
    entries = []
    for value in values:
        if isinstance(value, Const):
            number = _number(value.value)
            if number is None:
                raise lowering.error(
                    node, f"a {type(value.value).__name__} cannot be a matrix entry"
                )
            entries.append(em.constant(number, dtype))
        else:
            entries.append(em.cast(value, dtype))
    return MatrixValue(tuple(entries), shape)


def _scalar_item(lowering, item, node) -> Scalar | Const:
    if isinstance(item, (int, float, bool, np.generic)):
        return Const(item)
    if isinstance(item, MatrixValue):
        raise lowering.error(node, f"a {item.describe()} cannot be one entry of a vector")
    return lowering.as_scalar(item, node)


def _entry_type(lowering, value):
    if isinstance(value, Scalar):
        return value.dtype
    number = _number(value.value)
    if isinstance(number, float):
        return lowering.unit.defaults.fp
    return lowering.unit.defaults.ip


def _number(value: Any):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, (int, float)) else None


def operand(lowering: StatementLowering, value: Any, node: ast.AST, like) -> Scalar | MatrixValue:
    """One operand of an operation with a vector or matrix: a matrix, or a scalar (a literal
    typed against the matrix's entries, as a literal next to a scalar is)."""
    if is_matrix(value) or is_sequence(value):
        return as_matrix(lowering, value, node)
    if isinstance(value, Const):
        return lowering.typed_literal(value, node, like)
    return lowering.as_scalar(value, node)


# -- operators -----------------------------------------------------------------------------------


def binary(lowering: StatementLowering, node: ast.BinOp, op: str, left, right):
    """`a op b` where a side is a vector or matrix; `@` is the matrix product."""
    em = lowering.em
    if not (is_matrix(left) or is_matrix(right)):
        raise lowering.error(
            node,
            f"`@` needs a vector or matrix on both sides, got `{ast.unparse(node)}`",
            "`@` is the matrix product: use * for numbers",
        )
    a, b = operands(lowering, left, node.left, right, node.right)
    lowering.located(node)
    try:
        if op == "@":
            if not (isinstance(a, MatrixValue) and isinstance(b, MatrixValue)):
                raise ShapeError("`@` needs a vector or matrix on both sides")
            return linalg.matmul(em, a, b)
        exponent = _int_constant(right) if op == "**" else None
        if exponent is not None:
            return elementwise(lambda x: arithmetic.power(em, x, b, exponent=exponent), a)
        return elementwise(lambda x, y: arithmetic.binary(em, op, x, y), a, b)
    except (ShapeError, arithmetic.OperatorError, TypeError) as error:
        raise lowering.error(node, str(error)) from None


def operands(lowering: StatementLowering, left, left_node, right, right_node) -> list:
    """Both sides of an operation where one is a vector or matrix: the matrix-like ones as
    MatrixValues (a list literal next to a vector is one too), then a scalar side, a literal
    typed against the matrix's entries as a literal next to a scalar would be."""
    pairs = [(left, left_node), (right, right_node)]
    matrices = [
        as_matrix(lowering, v, n) if is_matrix(v) or is_sequence(v) else None for v, n in pairs
    ]
    dtype = next(m.dtype for m in matrices if m is not None)
    return [
        m if m is not None else operand(lowering, v, n, dtype) for m, (v, n) in zip(matrices, pairs)
    ]


def _int_constant(value) -> int | None:
    if (
        isinstance(value, Const)
        and isinstance(value.value, int)
        and not isinstance(value.value, bool)
    ):
        return value.value
    return None


def compare(
    lowering: StatementLowering, node: ast.AST, op: str, left, left_node, right, right_node
):
    """`a == b` and friends, entry by entry: a vector or matrix of bools."""
    a, b = operands(lowering, left, left_node, right, right_node)
    try:
        return elementwise(lambda x, y: arithmetic.compare(lowering.em, op, x, y), a, b)
    except ShapeError as error:
        raise lowering.error(node, str(error)) from None


def unary(lowering: StatementLowering, node: ast.UnaryOp, value: MatrixValue):
    em = lowering.em
    if isinstance(node.op, ast.UAdd):
        return value
    fn = {
        ast.USub: lambda x: arithmetic.negate(em, x),
        ast.Invert: lambda x: arithmetic.invert(em, x),
        ast.Not: lambda x: arithmetic.logical_not(em, x),
    }[type(node.op)]
    try:
        return elementwise(fn, value)
    except arithmetic.OperatorError as error:
        raise lowering.error(node, str(error)) from None


# -- indexing a vector or matrix value ----------------------------------------------------------


def subscript_parts(node: ast.Subscript) -> list[ast.expr]:
    index = node.slice
    return list(index.elts) if isinstance(index, ast.Tuple) else [index]


def entry_index(
    lowering: StatementLowering, node: ast.Subscript, shape: tuple, what: str, values=None
):
    """The index of `v[i]` / `m[i, j]` into a value of `shape`: a static position (an int) or
    run-time ones (index SSA values); Quadrants' count check first. `values`: the indices
    already evaluated."""
    parts = subscript_parts(node)
    if len(parts) != len(shape):
        raise lowering.error(
            node,
            f"Expected {len(shape)} indices, got {len(parts)}",
            f"`{ast.unparse(node.value)}` is {_article(what)} of shape {shape}: index it with "
            + ("v[i]" if len(shape) == 1 else "m[i, j]"),
        )
    if values is None:
        values = [lowering.expr(part) for part in parts]
    if all(isinstance(v, Const) and isinstance(_number(v.value), int) for v in values):
        index = tuple(_number(v.value) for v in values)
        for size, i, part in zip(shape, index, parts):
            if not 0 <= i < size:
                raise lowering.error(
                    part, f"index {i} is out of range for an axis of size {size} of {what} {shape}"
                )
        return _flat(shape, index)
    indices = []
    for value, part in zip(values, parts):
        scalar = lowering.as_scalar(value, part)
        if scalar.dtype != BOOL and scalar.dtype.is_float:
            raise lowering.error(
                part, f"index `{ast.unparse(part)}` is a {scalar.dtype.name}, not an integer"
            )
        indices.append(lowering.em.to_index(scalar))
    return indices


def _article(what: str) -> str:
    return what if what.startswith(("a ", "an ")) else f"a {what}"


def _flat(shape: tuple, index: tuple) -> int:
    flat = 0
    for size, i in zip(shape, index):
        flat = flat * size + i
    return flat


def read_entry(lowering: StatementLowering, node: ast.Subscript, value: MatrixValue, values=None):
    index = entry_index(lowering, node, value.shape, _kind(value), values)
    if isinstance(index, int):
        return value.entries[index]
    em = lowering.em
    _check_in_range(lowering, node, value.shape, index)
    return read_at(em, value, linear_index(em, value.shape, index))


def write_entry(lowering, node: ast.Subscript, value: MatrixValue, item: Scalar) -> MatrixValue:
    index = entry_index(lowering, node, value.shape, _kind(value))
    em = lowering.em
    if isinstance(index, int):
        return value.replaced(index, em.cast(item, value.dtype))
    _check_in_range(lowering, node, value.shape, index)
    return write_at(em, value, linear_index(em, value.shape, index), item)


def _check_in_range(lowering, node, shape, indices) -> None:
    """Under qd.init(debug=True) a run-time index outside the value is recorded like an
    ndarray's (the launch raises); without debug it reads the last entry and writes none."""
    em = lowering.em
    if em.debug_buffer is not None and em.checking:
        name = node.value.id if isinstance(node.value, ast.Name) else ast.unparse(node.value)
        em.check_in_range(name, shape, indices)


def _kind(value: MatrixValue) -> str:
    return "vector" if value.ndim == 1 else "matrix"


def swizzle(lowering: StatementLowering, node: ast.Attribute, value: MatrixValue):
    """`v.x`, `v.zyx`, `c.rgb`: one entry or a new vector; None if the name is no swizzle."""
    if value.ndim != 1:
        return None
    try:
        picked = swizzle_indices(node.attr, value.n)
    except ValueError as error:
        raise lowering.error(node, str(error)) from None
    if picked is None:
        return None
    if len(picked) == 1:
        return value.entries[picked[0]]
    return MatrixValue(tuple(value.entries[i] for i in picked), (len(picked),))


def with_swizzle(lowering, node: ast.Attribute, value: MatrixValue, item) -> MatrixValue:
    """`v.x = 1`, `v.xy = w`: the value with the named entries replaced."""
    picked = swizzle_indices(node.attr, value.n) if value.ndim == 1 else None
    if picked is None:
        raise lowering.error(node, f"a {value.describe()} has no component '{node.attr}'")
    items = [item] if len(picked) == 1 else list(as_matrix(lowering, item, node).entries)
    if len(items) != len(picked):
        raise lowering.error(node, f"value len does not match the swizzle pattern={node.attr}")
    for index, entry in zip(picked, items):
        value = value.replaced(
            index, lowering.em.cast(lowering.as_scalar(entry, node), value.dtype)
        )
    return value


# -- ndarrays of vectors and matrices ----------------------------------------------------------


def load(lowering: StatementLowering, array: Array, indices: list) -> MatrixValue:
    """The element at `indices`: one load per entry, at the element's static positions."""
    em = lowering.em
    entries = [
        em.load(array, indices + [em.index_constant(i) for i in index])
        for index in indices_of(array.element_shape)
    ]
    return MatrixValue(tuple(entries), array.element_shape)


def store(lowering: StatementLowering, array: Array, indices: list, value, node: ast.AST) -> None:
    """`a[i] = v`: one store per entry; a scalar fills every entry (`a[i] = 0`), a list is the
    entries (`a[i] = [1, 2, 3]`)."""
    em = lowering.em
    shape = array.element_shape
    if is_matrix(value) or is_sequence(value):
        matrix = as_matrix(lowering, value, node)
        require_shape(lowering, node, matrix, shape, array.dtype, f"give a value of shape {shape}")
    else:
        matrix = filled(em, lowering.as_scalar(value, node), shape)
    for index, entry in zip(indices_of(shape), matrix.entries):
        em.store(array, indices + [em.index_constant(i) for i in index], entry)


def clamped_entry(em, shape: tuple, indices: list) -> list:
    """Entry indices of an element of a boundary="clamp" ndarray, clamped as Quadrants clamps
    them: the row-major position `i * m + j` into [0, n * m - 1], not each index into its axis,
    so `m[2, 0]` of a 2x2 matrix is `m[1, 1]` and `m[1, -1]` is `m[0, 1]`."""
    size = int(np.prod(shape))
    flat = linear_index(em, shape, indices)
    low, high = em.index_constant(0), em.index_constant(size - 1)
    flat = em.value(arith.MaxSIOp(em.value(arith.MinSIOp(flat, high)), low))
    position = []
    for n in reversed(shape[1:]):  # unravel the clamped position, last axis first
        position.append(em.value(arith.RemSIOp(flat, em.index_constant(n))))
        flat = em.value(arith.DivSIOp(flat, em.index_constant(n)))
    return [flat, *reversed(position)]


def require_shape(lowering, node: ast.AST, value: MatrixValue, shape: tuple, dtype, fix: str):
    """A vector / matrix assigned to a place of another shape (a variable, an ndarray's or a
    field's element) is Quadrants' type error, in its words: "cannot assign '[Tensor (2) i32]'
    to '[Tensor (3) i32]'"."""
    if value.shape != shape:
        raise lowering.error(
            node,
            f"cannot assign '{value.describe()}' to '{tensor_string(shape, dtype)}'",
            fix,
            QuadrantsTypeError,
        )


def element_place(lowering: StatementLowering, node: ast.expr):
    """`(array, indices)` if `node` is an element of an ndarray of vectors or matrices
    (`a[i]`, `a[i, j]`), else None: `a[i][k]` and `a[i].y` then reach one entry in memory."""
    if not isinstance(node, ast.Subscript):
        return None
    base = lowering.expr(node.value)
    if isinstance(base, KernelVar) and base.shape:
        base = base.array
    if not isinstance(base, Array) or not base.element_shape:
        return None
    return base, lowering.indices(base, node)


def entry_place(lowering: StatementLowering, node: ast.expr):
    """`(array, indices of the entry)` for `a[i][k]`, `a[i][j, k]` or `a[i].y` on an ndarray of
    vectors or matrices (run-time entry indices included), else None."""
    if isinstance(node, ast.Subscript):
        place = element_place(lowering, node.value)
        if place is None:
            return None
        array, indices = place
        index = entry_index(lowering, node, array.element_shape, "an element")
        em = lowering.em
        if isinstance(index, int):
            position = np.unravel_index(index, array.element_shape)
            return array, indices + [em.index_constant(int(i)) for i in position]
        if array.boundary == "clamp":
            index = clamped_entry(em, array.element_shape, index)
        return array, indices + index
    if isinstance(node, ast.Attribute):
        place = element_place(lowering, node.value)
        if place is None:
            return None
        array, indices = place
        picked = None
        if len(array.element_shape) == 1:
            try:
                picked = swizzle_indices(node.attr, array.element_shape[0])
            except ValueError as error:
                raise lowering.error(node, str(error)) from None
        if picked is None or len(picked) != 1:
            return None
        return array, indices + [lowering.em.index_constant(picked[0])]
    return None


__all__ = [
    "MatrixValue",
    "as_matrix",
    "binary",
    "compare",
    "is_matrix",
    "load",
    "store",
]
