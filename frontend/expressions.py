"""Python expressions inside kernels and qd.funcs, lowered to typed SSA values.

`ExpressionLowering` is the expression half of a function's lowering (statements.py adds the
statements). Compile-time values stay Python objects (`Const`) until they meet a runtime value,
so `N * 2` with a module-level `N` folds in Python and `x * 2` types the literal as Quadrants
does.
"""

from __future__ import annotations

import ast
import enum
import operator
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, StringAttr
from xdsl.ir import Block

from qdmlir.frontend import arithmetic, struct_fields
from qdmlir.frontend import matrix_lowering as ml
from qdmlir.frontend.emitter import Array, Emitter, Scalar, mlir_type
from qdmlir.frontend.errors import (
    GlobalArrayError,
    LocatedError,
    QuadrantsIndexError,
    QuadrantsNameError,
    QuadrantsSyntaxError,
    QuadrantsTypeError,
    unsupported,
)
from qdmlir.frontend.matrices import MatrixValue, StructValue, filled, of_entries
from qdmlir.frontend.matrix_calls import METHODS, MatrixMethod, struct_member
from qdmlir.frontend.promotion import BOOL, literal_type
from qdmlir.frontend.scope import Binding, Compound, Const, KernelVar, Scope
from qdmlir.frontend.source import FunctionSource, resolve_chain
from qdmlir.runtime.dtypes import DType

_BINARY_SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.Pow: "**", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@",
}  # fmt: skip
_PYTHON_BINARY = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "&": operator.and_,
    "|": operator.or_, "^": operator.xor, "<<": operator.lshift, ">>": operator.rshift,
    "@": operator.matmul,
}  # fmt: skip
_COMPARE_SYMBOLS = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}  # fmt: skip
_PYTHON_COMPARE = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip


class ExpressionLowering:
    """Lowers expressions of one function body; see StatementLowering for the whole class."""

    def __init__(self, unit: Any, source: FunctionSource, em: Emitter, scope: Scope):
        self.unit = unit  # the CompileUnit: kernel name, defaults, shared state
        self.source = source
        self.em = em
        self.scope = scope

    # -- errors and locations ---------------------------------------------------------------

    def error(
        self,
        node: ast.AST,
        reason: str,
        fix: str | None = None,
        kind: type[LocatedError] = QuadrantsSyntaxError,
    ) -> LocatedError:
        """A located compile error at `node`; `kind` is the class Quadrants raises for the same
        mistake (QuadrantsTypeError, QuadrantsIndexError, QuadrantsNameError)."""
        return kind(reason, kernel=self.unit.kernel_name, span=self.source.span(node), fix=fix)

    def located(self, node: ast.AST) -> None:
        """Ops emitted from now on carry `node`'s file:line:col."""
        span = self.source.span(node)
        self.em.location = FileLineColLoc(
            StringAttr(span.file), IntAttr(span.line), IntAttr(span.col + 1)
        )

    @contextmanager
    def nested(self, block: Block, scope: Scope | None = None) -> Iterator[Scope]:
        """Lower into `block` under `scope` (by default a child of the current one, so names
        assigned inside stay local, as Quadrants scopes them); the outer block and scope come
        back on the way out, also when lowering raises."""
        outer = self.scope
        self.scope = outer.child() if scope is None else scope
        try:
            with self.em.inserting_at_end(block):
                yield self.scope
        finally:
            self.scope = outer

    def calls(self, node: ast.AST, target: object) -> bool:
        """Whether `node` is a call of `target` (`qd.static(...)`, `qd.graph.do_while(...)`),
        decided from the source without lowering the call: constructs such as a do-while are
        recognised before anything of them is emitted."""
        if not isinstance(node, ast.Call):
            return False
        is_local = lambda name: self.scope.lookup(name) is not None  # noqa: E731
        return self.source.static_value(node.func, is_local) is target

    # -- entry points ----------------------------------------------------------------------

    def expr(self, node: ast.expr) -> Binding:
        spread = getattr(node, _SPREAD, None)
        if spread is not None:  # one item of `*seq`, evaluated with seq (spread_items)
            self.located(node)
            return spread
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            node = struct_fields.members_first(self, node)  # `x[i].a` of a struct field
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise self.error(node, *unsupported(_describe(node)))
        self.located(node)
        return method(node)

    # -- `*seq` in calls and tuple displays ------------------------------------------------

    def spread(self, nodes: list[ast.expr]) -> list[ast.expr]:
        """`nodes` (a call's arguments, a tuple's items) with each `*seq` replaced by one node
        per item of `seq`, whose length must be known at compile time (`*x.shape` of an
        ndarray or field, `*t` of a tuple or a compile-time sequence); the entries may be
        run-time values. `seq` is evaluated once, where it stands; each new node reads as
        `seq[k]` in messages and lowers to its item."""
        if not any(isinstance(node, ast.Starred) for node in nodes):
            return nodes
        spread = []
        for node in nodes:
            if isinstance(node, ast.Starred):
                spread.extend(self.spread_items(node))
            else:
                spread.append(node)
        return spread

    def spread_call(self, call: ast.Call) -> ast.Call:
        """`call` with its `*seq` arguments spread (the same node if it has none)."""
        args = self.spread(call.args)
        if args is call.args:
            return call
        return ast.copy_location(ast.Call(func=call.func, args=args, keywords=call.keywords), call)

    def spread_items(self, starred: ast.Starred) -> list[ast.expr]:
        value = self.expr(starred.value)
        items = _sequence_items(value)
        if items is None:
            name = ast.unparse(starred.value)
            what = f"a run-time {value.dtype.name}" if isinstance(value, Scalar) else _kind(value)
            raise self.error(
                starred,
                f"`*{name}` unpacks {what}: in a kernel `*` unpacks only a sequence whose "
                "length is known at compile time",
                "unpack an ndarray's or field's shape (*x.shape), a tuple or a vector",
                QuadrantsTypeError,
            )
        nodes = []
        for k, item in enumerate(items):
            node = ast.Subscript(value=starred.value, slice=ast.Constant(k), ctx=ast.Load())
            node = ast.fix_missing_locations(ast.copy_location(node, starred))
            setattr(node, _SPREAD, item)
            nodes.append(node)
        return nodes

    def scalar(self, node: ast.expr) -> Scalar:
        """The expression as a runtime scalar (numbers become constants of their literal type)."""
        return self.as_scalar(self.expr(node), node)

    def as_scalar(self, value: Binding, node: ast.AST) -> Scalar:
        if isinstance(value, Scalar):
            return value
        if isinstance(value, KernelVar):
            return self.em.load(value.array, [])
        if isinstance(value, Const):
            number = _as_number(value.value)
            if number is not None:
                if isinstance(number, bool):
                    return self.em.constant(number, BOOL)
                return self.em.constant(number, self.literal_dtype(number, node))
        if isinstance(value, Array):
            raise self.error(
                node,
                f"`{ast.unparse(node)}` is a {value.ndim}-d ndarray, not a scalar value",
                "index it to read an element: x[i] (or x[()] for a 0-d ndarray)",
                QuadrantsTypeError,
            )
        if ml.is_matrix(value) or isinstance(value, KernelVar):
            described = value.describe() if isinstance(value, MatrixValue) else "a vector or matrix"
            raise self.error(
                node,
                f"`{ast.unparse(node)}` is {described}, not a scalar",
                "index it (v[0], m[i, j]) or reduce it (v.sum(), v.norm())",
            )
        raise self.error(
            node,
            f"`{ast.unparse(node)}` is {_kind(value)}, not a number a kernel can compute with",
            kind=QuadrantsTypeError,
        )

    def operands(
        self, left: Binding, left_node: ast.AST, right: Binding, right_node: ast.AST
    ) -> tuple[Scalar, Scalar]:
        """Both sides as scalars; a literal meeting a runtime value is created directly in the
        type the operation will promote it to, instead of its literal type plus a conversion."""
        a = left if isinstance(left, Const) else self.as_scalar(left, left_node)
        b = right if isinstance(right, Const) else self.as_scalar(right, right_node)
        if isinstance(a, Const) and isinstance(b, Scalar):
            a = self.typed_literal(a, left_node, b.dtype)
        elif isinstance(b, Const) and isinstance(a, Scalar):
            b = self.typed_literal(b, right_node, a.dtype)
        return a, b

    def typed_literal(self, value: Const, node: ast.AST, other) -> Scalar:
        number = _as_number(value.value)
        if number is None or isinstance(number, bool):
            return self.as_scalar(value, node)
        common = self.em.common_type(self.literal_dtype(number, node), other)
        if common != BOOL and (
            common.is_float or (isinstance(number, int) and common.min <= number <= common.max)
        ):
            return self.em.constant(number, common)
        return self.as_scalar(value, node)

    def literal_dtype(self, number: int | float, node: ast.AST) -> DType:
        """The type a compile-time number gets as a run-time value: the default int or float.
        Quadrants' rule: an integer outside the default int's range is an error wherever it
        becomes a value (stored into any array, compared, added to an i64), since it would
        silently wrap; `qd.u64(...)` and friends give it a type of its own (calls.py)."""
        dtype = literal_type(number, self.unit.defaults)
        if isinstance(number, int) and not dtype.min <= number <= dtype.max:
            raise self.error(
                node,
                f"Integer literal {number} exceeded the range of default_ip: {dtype.name}, "
                f"please specify the dtype via e.g. `qd.u64({number})` or set a different "
                "`default_ip` in `qd.init()`",
                f"write qd.i64({number}) or qd.u64({number}) for a 64-bit value, or "
                "qd.init(default_ip=qd.i64)",
                QuadrantsTypeError,
            )
        return dtype

    # -- leaves ----------------------------------------------------------------------------

    def expr_Constant(self, node: ast.Constant) -> Binding:
        return Const(node.value)

    def expr_Name(self, node: ast.Name) -> Binding:
        bound = self.scope.lookup(node.id)
        if bound is not None:
            if isinstance(bound, KernelVar):
                if bound.shape:
                    return ml.load(self, bound.array, [])
                return self.em.load(bound.array, [])
            if isinstance(bound, StructValue):  # a top-level struct: its members' cells, read
                return self.loaded(bound)
            return bound
        found, value = self.source.lookup(node.id)
        if not found:
            raise self.error(
                node,
                f"name '{node.id}' is not defined",
                "define it before use; a variable assigned inside an if/for/while body is local "
                "to that body (assign it before the block to use it after)",
                QuadrantsNameError,
            )
        return self.global_value(node, node.id, value)

    def global_value(self, node: ast.AST, name: str, value: Any) -> Binding:
        from qdmlir.runtime.field import Field
        from qdmlir.runtime.ndarray import Ndarray
        from qdmlir.runtime.struct_field import StructField

        if isinstance(value, (Field, StructField)):  # storage passed at every launch (flatten.py)
            members = self.unit.members
            bound = None if members is None else members.free_field(self, node)
            if bound is None:
                raise self.error(
                    node,
                    f"`{name}` is a qd.field that qdmlir cannot pass to the kernel: fields are "
                    "passed through a global name, a closure variable, a member or a "
                    "qd.template() parameter",
                    "assign the field to a global name, or pass it as a qd.template() argument",
                )
            return bound
        if (
            isinstance(value, Ndarray)
            or type(value).__module__ == "numpy"
            and hasattr(value, "shape")
            and getattr(value, "ndim", 0) > 0
        ):
            raise self.error(
                node,
                f"global array '{name}' cannot be used inside a kernel",
                "pass it as a parameter annotated qd.types.ndarray(...)",
                GlobalArrayError,
            )
        return Const(value)

    def expr_Attribute(self, node: ast.Attribute) -> Binding:
        place = ml.entry_place(self, node) if _is_lookup(node.value) else None
        if place is not None:  # `a[i].y`: one entry of an ndarray's vector, read in place
            return self.em.load(*place)
        base = self.expr(node.value)
        if struct_fields.is_struct_field(base) and node.attr not in base.obj.keys:
            base = struct_fields.reference(self, base)  # x.shape: its members' shape
        if isinstance(base, Compound):
            return self.unit.members.member(self, base, node)
        if isinstance(base, Const) and isinstance(base.value, ml.Matrix) and node.attr in METHODS:
            base = ml.as_matrix(self, base, node.value)
        if isinstance(base, MatrixValue):
            return self.matrix_attribute(node, base)
        if isinstance(base, StructValue):
            return struct_member(self, node, base)
        if isinstance(base, Array):
            if node.attr == "shape":
                return tuple(
                    self.em.from_index(self.em.dim(base, k), self.unit.defaults.ip)
                    for k in range(base.ndim)
                )
            if node.attr == "dtype":
                return Const(base.dtype)
            if node.attr == "ndim":
                return Const(base.ndim)
            raise self.error(
                node,
                f"ndarray has no attribute '{node.attr}' in a kernel",
                "use x.shape[k], x.dtype or x.ndim",
            )
        if isinstance(base, Const):
            if not hasattr(base.value, node.attr):
                raise self.error(
                    node, f"`{ast.unparse(node.value)}` has no attribute '{node.attr}'"
                )
            return self.global_value(node, ast.unparse(node), getattr(base.value, node.attr))
        raise self.error(node, f"attribute '{node.attr}' of a runtime value is not supported")

    def loaded(self, value: StructValue) -> StructValue:
        """A struct whose members may be top-level cells, with every cell read."""
        members = []
        for name, member in value.members:
            if isinstance(member, KernelVar):
                array = member.array
                member = ml.load(self, array, []) if member.shape else self.em.load(array, [])
            elif isinstance(member, StructValue):
                member = self.loaded(member)
            members.append((name, member))
        return StructValue(tuple(members), value.name)

    def matrix_attribute(self, node: ast.Attribute, base: MatrixValue) -> Binding:
        """`v.x` / `v.xy` (swizzles), `m.n` / `m.m` (sizes), `v.norm` (a method, called next)."""
        picked = ml.swizzle(self, node, base)
        if picked is not None:
            return picked
        if node.attr in ("n", "m"):
            return Const(base.n if node.attr == "n" else base.m)
        if node.attr in METHODS:
            return MatrixMethod(base, node.attr, node.value)
        raise self.error(
            node,
            f"a {base.describe()} has no attribute '{node.attr}'",
            "vectors have x/y/z/w (rgba, stpq) swizzles, n and m, and the methods "
            + ", ".join(sorted(METHODS)),
        )

    def expr_ListComp(self, node: ast.ListComp) -> Binding:
        """`[f(i) for i in range(3)]` over compile-time iterables, unrolled: the items of a
        vector or matrix literal (`qd.Matrix([[i * 3 + j for j in range(3)] for i in ...])`)."""
        from qdmlir.frontend.loops import bind_static_target

        items: list = []

        def unroll(generators: list[ast.comprehension]) -> None:
            if not generators:
                items.append(self.expr(node.elt))
                return
            first = generators[0]
            iterable = self.expr(first.iter)
            if first.is_async or not isinstance(iterable, Const):
                raise self.error(
                    first.iter,
                    "a comprehension in a kernel iterates over compile-time values only",
                    "iterate over range(N) with a constant N, or a tuple of constants",
                )
            for item in iterable.value:
                with self.nested(self.em.block):
                    bind_static_target(self, first.target, item)
                    conditions = [self.expr(c) for c in first.ifs]
                    if not all(isinstance(c, Const) for c in conditions):
                        raise self.error(
                            first, "a comprehension's `if` must be known at compile time"
                        )
                    if all(c.value for c in conditions):
                        unroll(generators[1:])

        unroll(node.generators)
        if all(isinstance(item, Const) for item in items):
            return Const([item.value for item in items])
        return tuple(items)

    def expr_Tuple(self, node: ast.Tuple) -> Binding:
        items = tuple(self.expr(e) for e in self.spread(node.elts))
        if all(isinstance(item, Const) for item in items):
            return Const(tuple(item.value for item in items))
        return items

    expr_List = expr_Tuple

    def expr_Subscript(self, node: ast.Subscript) -> Binding:
        shape_axis = self._shape_axis(node)
        if shape_axis is not None:  # `x.shape[k]`: one memref.dim, not one per axis
            array, axis = shape_axis
            return self.em.from_index(self.em.dim(array, axis), self.unit.defaults.ip)
        place = ml.entry_place(self, node) if _is_lookup(node.value) else None
        if place is not None:  # `a[i][j]`: one entry of an ndarray's vector, read in place
            return self.em.load(*place)
        base = self.expr(node.value)
        if isinstance(base, KernelVar) and base.shape:
            base = ml.load(self, base.array, [])
        if struct_fields.is_struct_field(base):  # a whole element: a struct value
            indices = self.indices(struct_fields.reference(self, base), node)
            return struct_fields.load(self, base, indices)
        if isinstance(base, Array):
            indices = self.indices(base, node)
            if base.element_shape:
                return ml.load(self, base, indices)
            return self.em.load(base, indices)
        if isinstance(base, MatrixValue):
            return ml.read_entry(self, node, base)
        index = self.expr(node.slice)
        if ml.is_matrix(base) and not isinstance(index, Const):  # a host qd.Vector, run-time i
            values = list(index) if isinstance(index, tuple) else [index]
            return ml.read_entry(self, node, ml.as_matrix(self, base, node.value), values)
        if isinstance(base, (tuple, Const)) and isinstance(index, Const):
            items = base.value if isinstance(base, Const) else base
            try:
                item = items[index.value]
            except (IndexError, TypeError, KeyError) as error:
                kind = QuadrantsIndexError if isinstance(error, IndexError) else QuadrantsTypeError
                raise self.error(
                    node, f"cannot index `{ast.unparse(node.value)}`: {error}", kind=kind
                ) from None
            if not isinstance(base, Const):
                return item
            return self.global_value(node, ast.unparse(node), item)
        raise self.error(
            node,
            f"`{ast.unparse(node.value)}` cannot be indexed with a runtime value",
            "only ndarrays are indexed at run time; tuples need compile-time indices",
        )

    def _shape_axis(self, node: ast.Subscript) -> tuple[Array, int] | None:
        if not (isinstance(node.value, ast.Attribute) and node.value.attr == "shape"):
            return None
        array = self.expr(node.value.value)
        if not isinstance(array, Array):
            return None
        axis = self.expr(node.slice)
        if (
            not isinstance(axis, Const)
            or not isinstance(axis.value, int)
            or not (-array.ndim <= axis.value < array.ndim)
        ):
            return None  # the general path reports the bad index
        return array, axis.value % array.ndim

    def indices(self, array: Array, node: ast.Subscript) -> list:
        """The index SSA values of `x[i, j]`, checked against the ndarray's rank. An index may
        be a tuple (`x[I]` with `I` from qd.grouped), which spreads over several dimensions."""
        pairs = []  # (value, the node to blame for it)
        for part in _subscript_parts(node.slice):
            value = self.expr(part)
            if ml.is_matrix(value):  # x[I] with I a vector of indices (qd.grouped, ind + 1)
                value = ml.as_matrix(self, value, part).entries
            pairs.extend((item, part) for item in (value if isinstance(value, tuple) else (value,)))
        if len(pairs) != array.ndim:
            raise self.error(
                node,
                f"`{ast.unparse(node.value)}` has {array.ndim} dimension(s) but is indexed with "
                f"{len(pairs)}",
                "use x[()] for a 0-d ndarray and one index per dimension otherwise",
                QuadrantsIndexError,
            )
        indices = []
        for axis, (value, part) in enumerate(pairs):
            self.refuse_negative_constant(array, node, axis, value, part)
            scalar = self.as_scalar(value, part)
            if scalar.dtype != BOOL and scalar.dtype.is_float:
                raise self.error(
                    part,
                    f"index `{ast.unparse(part)}` is a {scalar.dtype.name}, not an integer",
                    "convert it: int(x)",
                    QuadrantsTypeError,
                )
            indices.append(self.em.to_index(scalar))
        return self.shifted(array, indices)

    def shifted(self, array: Array, indices: list) -> list:
        """Indices into the memref: minus a field's offset; clamped into each axis for
        boundary="clamp" (Quadrants clamps, it does not wrap)."""
        em = self.em
        if array.offset:
            indices = [
                em.value(arith.SubiOp(i, em.index_constant(o))) if o else i
                for i, o in zip(indices, array.offset)
            ]
        if array.boundary == "clamp":
            zero, one = em.index_constant(0), em.index_constant(1)
            clamped = []
            for axis, index in enumerate(indices):
                last = em.value(arith.SubiOp(em.dim(array, axis), one))
                clamped.append(em.value(arith.MaxSIOp(em.value(arith.MinSIOp(index, last)), zero)))
            indices = clamped
        return indices

    def refuse_negative_constant(
        self, array: Array, node: ast.Subscript, axis: int, value: Binding, part: ast.AST
    ) -> None:
        """A compile-time negative index is an error, as in Quadrants: it is not Python's
        "from the end" (a kernel would write before the array's first element). A run-time
        negative index is an out-of-bounds access like any other (docs/testing.md)."""
        number = _as_number(value.value) if isinstance(value, Const) else None
        if isinstance(number, int) and not isinstance(number, bool) and number < 0:
            name = ast.unparse(node.value)
            raise self.error(
                part,
                f"Negative indices are not supported in Quadrants kernels: `{name}` is indexed "
                f"with {number} on axis {axis}",
                f"index from the start: {name}.shape[{axis}] - {-number} counts from the end",
            )

    # -- operators -------------------------------------------------------------------------

    def expr_BinOp(self, node: ast.BinOp) -> Binding:
        op = _BINARY_SYMBOLS.get(type(node.op))
        if op is None:
            raise self.error(
                node,
                *unsupported(
                    f"the operator in `{ast.unparse(node)}`", "use + - * / // % ** & | ^ << >>"
                ),
            )
        left, right = self.expr(node.left), self.expr(node.right)
        if isinstance(left, Const) and isinstance(right, Const):
            return self.fold(node, _PYTHON_BINARY[op], left.value, right.value)
        for value, operand in ((left, node.left), (right, node.right)):
            if isinstance(value, Array):  # a whole array: Quadrants' TypeError, named
                raise self.error(
                    operand,
                    f"unsupported operand type(s) for '{op}': `{ast.unparse(operand)}` is a "
                    f"{value.ndim}-d array (an ndarray or a field), not a value",
                    "index it to read an element: x[i] (or x[()] / x[None] for a 0-d one)",
                    QuadrantsTypeError,
                )
        if ml.is_matrix(left) or ml.is_matrix(right) or op == "@":
            return ml.binary(self, node, op, left, right)
        a, b = self.operands(left, node.left, right, node.right)
        self.located(node)
        try:
            if op == "**" and isinstance(right, Const) and isinstance(_as_number(right.value), int):
                return arithmetic.power(self.em, a, b, exponent=int(right.value))
            return arithmetic.binary(self.em, op, a, b)
        except (arithmetic.OperatorError, TypeError) as error:
            raise self.error(
                node, f"unsupported operand type(s) for '{op}': {error}", kind=QuadrantsTypeError
            ) from None

    def fold(self, node: ast.AST, fn, *values: Any) -> Const:
        try:
            return Const(fn(*(_as_number(v) if _as_number(v) is not None else v for v in values)))
        except Exception as error:  # noqa: BLE001 - a user's constant expression failed
            raise self.error(node, f"cannot evaluate `{ast.unparse(node)}`: {error}") from None

    def expr_UnaryOp(self, node: ast.UnaryOp) -> Binding:
        operand = self.expr(node.operand)
        if isinstance(operand, Const):
            fn = {
                ast.USub: operator.neg,
                ast.UAdd: operator.pos,
                ast.Not: operator.not_,
                ast.Invert: operator.invert,
            }[type(node.op)]
            return self.fold(node, fn, operand.value)
        if isinstance(operand, MatrixValue):
            return ml.unary(self, node, operand)
        value = self.as_scalar(operand, node.operand)
        try:
            if isinstance(node.op, ast.USub):
                return arithmetic.negate(self.em, value)
            if isinstance(node.op, ast.UAdd):
                return value
            if isinstance(node.op, ast.Not):
                return arithmetic.logical_not(self.em, value)
            return arithmetic.invert(self.em, value)
        except arithmetic.OperatorError as error:
            raise self.error(node, str(error), kind=QuadrantsTypeError) from None

    def expr_Compare(self, node: ast.Compare) -> Binding:
        result: Binding | None = None
        left = self.expr(node.left)
        for op_node, right_node in zip(node.ops, node.comparators):
            if type(op_node) not in _COMPARE_SYMBOLS:
                raise self.error(
                    node,
                    *unsupported(
                        f"the `{ast.unparse(node)}` comparison",
                        "compare numbers with < <= > >= == !=",
                    ),
                )
            op = _COMPARE_SYMBOLS[type(op_node)]
            right = self.expr(right_node)
            if isinstance(left, Const) and isinstance(right, Const):
                step: Binding = self.fold(node, _PYTHON_COMPARE[op], left.value, right.value)
            elif ml.is_matrix(left) or ml.is_matrix(right):
                step = ml.compare(self, node, op, left, node.left, right, right_node)
            else:
                a, b = self.operands(left, node.left, right, right_node)
                step = arithmetic.compare(self.em, op, a, b)
            result = step if result is None else self.logical("and", result, step, node)
            left = right
        return result

    def logical(self, op: str, a: Binding, b: Binding, node: ast.AST) -> Binding:
        if isinstance(a, Const) and isinstance(b, Const):
            return Const(
                bool(a.value) and bool(b.value) if op == "and" else bool(a.value) or bool(b.value)
            )
        x = self.em.truth(self.as_scalar(a, node))
        y = self.em.truth(self.as_scalar(b, node))
        op_class = arith.AndIOp if op == "and" else arith.OrIOp
        return Scalar(self.em.value(op_class(x.ssa, y.ssa)), BOOL)

    def expr_BoolOp(self, node: ast.BoolOp) -> Binding:
        """`and` / `or` give a bool; the right side is evaluated only when needed if it reads
        memory or calls something (as Python would), else both sides are computed."""
        op = "and" if isinstance(node.op, ast.And) else "or"
        result = self.expr(node.values[0])
        for value_node in node.values[1:]:
            if isinstance(result, Const):
                if bool(result.value) == (op == "or"):
                    return Const(bool(result.value))
                result = self.expr(value_node)
                if not isinstance(result, Const):
                    result = self.em.truth(self.as_scalar(result, value_node))
                continue
            if _is_cheap(value_node):
                result = self.logical(op, result, self.expr(value_node), node)
            else:
                result = self.short_circuit(
                    op, self.em.truth(self.as_scalar(result, node)), value_node
                )
        return result

    def short_circuit(self, op: str, left: Scalar, right_node: ast.expr) -> Scalar:
        """`left and right` as an scf.if so `right` only runs when it decides the result."""

        def evaluate() -> list:
            return [self.em.truth(self.as_scalar(self.expr(right_node), right_node)).ssa]

        def skip() -> list:
            return [left.ssa]

        then, otherwise = (evaluate, skip) if op == "and" else (skip, evaluate)
        return Scalar(self.em.if_(left.ssa, then, otherwise, [mlir_type(BOOL)]).results[0], BOOL)

    def expr_IfExp(self, node: ast.IfExp) -> Binding:
        test = self.expr(node.test)
        if isinstance(test, Const):
            return self.expr(node.body if test.value else node.orelse)
        cond = self.em.truth(self.as_scalar(test, node.test))
        if _is_cheap(node.body) and _is_cheap(node.orelse):
            a, b = self.expr(node.body), self.expr(node.orelse)
            if not (ml.is_matrix(a) or ml.is_matrix(b)):
                return self.em.select(
                    cond, self.as_scalar(a, node.body), self.as_scalar(b, node.orelse)
                )
        return self.conditional_value(cond, node.body, node.orelse)

    def conditional_value(self, cond: Scalar, then_node: ast.expr, else_node: ast.expr) -> Binding:
        """`a if cond else b` as an scf.if, each side computed only on its branch; the result
        type is the two sides' common type, known only once both are lowered. Vectors and
        matrices of one shape choose entry by entry (a scalar side broadcasts)."""
        em = self.em
        then_block, else_block = em.new_block(), em.new_block()
        with em.inserting_at_end(then_block):
            a = self.expr(then_node)
        with em.inserting_at_end(else_block):
            b = self.expr(else_node)
        if ml.is_matrix(a) or ml.is_matrix(b):
            with em.inserting_at_end(then_block):
                a = self._ternary_side(a, b, then_node)
            with em.inserting_at_end(else_block):
                b = self._ternary_side(b, a, else_node)
            if a.shape != b.shape:
                raise self.error(
                    then_node,
                    f"Cannot broadcast tensor to tensor: the two sides are {a.describe()} and "
                    f"{b.describe()}",
                    "give both sides of `a if c else b` the same shape",
                    QuadrantsTypeError,
                )
            sides = (list(a.entries), list(b.entries))
        else:
            with em.inserting_at_end(then_block):
                a = self.as_scalar(a, then_node)
            with em.inserting_at_end(else_block):
                b = self.as_scalar(b, else_node)
            sides = ([a], [b])
        types = [em.common_type(x.dtype, y.dtype) for x, y in zip(*sides)]
        for block, entries in zip((then_block, else_block), sides):
            with em.inserting_at_end(block):
                em.emit(scf.YieldOp(*(em.cast(x, t).ssa for x, t in zip(entries, types))))
        op = em.emit(scf.IfOp(cond.ssa, [mlir_type(t) for t in types], [then_block], [else_block]))
        results = [Scalar(r, t) for r, t in zip(op.results, types)]
        if len(sides[0]) == 1 and not ml.is_matrix(a):
            return results[0]
        return of_entries(em, results, a.shape)

    def _ternary_side(self, value: Binding, other: Binding, node: ast.expr) -> MatrixValue:
        """One side of a vector `a if c else b`: a vector, or a scalar filled to the other's
        shape."""
        if ml.is_matrix(value):
            return ml.as_matrix(self, value, node)
        shape = other.shape if isinstance(other, MatrixValue) else tuple(other.value.get_shape())
        return filled(self.em, self.as_scalar(value, node), shape)

    def expr_Call(self, node: ast.Call) -> Binding:
        from qdmlir.frontend.calls import lower_call

        return lower_call(self, node)

    def expr_NamedExpr(self, node: ast.NamedExpr) -> Binding:
        raise self.error(node, *unsupported("the walrus operator `:=`", "assign on its own line"))


_SPREAD = "qdmlir_spread_item"
"""The attribute of a node made by ExpressionLowering.spread_items: the item's value."""


def _sequence_items(value: Binding) -> list | None:
    """The items of a value `*` can unpack in a kernel (a tuple of values, a compile-time
    sequence, a vector), else None."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, MatrixValue):
        return list(value.entries) if value.ndim == 1 else None
    if isinstance(value, Const) and isinstance(value.value, (tuple, list, range)):
        return [Const(item) for item in value.value]
    if isinstance(value, Const) and isinstance(value.value, ml.Matrix):
        return [Const(v) for v in value.value] if value.value.ndim == 1 else None
    return None


def _is_lookup(node: ast.expr) -> bool:
    """A subscript or attribute chain over a name (`a[i]`, `self.x[i]`), which can be looked
    at twice without doing anything twice."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return isinstance(node, ast.Name)


def _subscript_parts(index: ast.expr) -> list[ast.expr]:
    if isinstance(index, ast.Tuple):
        return list(index.elts)
    if isinstance(index, ast.Constant) and index.value is None:
        return []  # x[None]: Quadrants' spelling of a 0-d access
    return [index]


def _as_number(value: Any) -> int | float | bool | None:
    if isinstance(value, enum.Enum) and isinstance(value, int):
        return int(value)
    if isinstance(value, (bool, int, float)):
        return value
    if (
        type(value).__module__ == "numpy"
        and hasattr(value, "item")
        and getattr(value, "ndim", 1) == 0
    ):
        return value.item()
    return None


def _is_cheap(node: ast.expr) -> bool:
    """No memory reads and no calls: safe to evaluate even when Python would not."""
    return not any(isinstance(n, (ast.Subscript, ast.Call)) for n in ast.walk(node))


def _describe(node: ast.AST) -> str:
    names = {
        "JoinedStr": "an f-string", "Lambda": "a lambda", "ListComp": "a list comprehension",
        "DictComp": "a dict comprehension", "SetComp": "a set comprehension",
        "GeneratorExp": "a generator expression", "Dict": "a dict literal", "Set": "a set literal",
        "Await": "await", "Yield": "yield", "YieldFrom": "yield from", "Starred": "`*` unpacking",
        "Slice": "slicing",
    }  # fmt: skip
    return names.get(type(node).__name__, f"the expression `{ast.unparse(node)}`")


def _kind(value: Any) -> str:
    if isinstance(value, Const):
        v = value.value
        if isinstance(v, type):
            return f"the class {v.__qualname__}"
        if callable(v):
            return f"the function {getattr(v, '__qualname__', v)}"
        return f"a {type(v).__name__}"
    if isinstance(value, Compound):
        return f"a {type(value.obj).__name__} object"
    return "a tuple" if isinstance(value, tuple) else type(value).__name__


__all__ = ["ExpressionLowering", "resolve_chain"]
