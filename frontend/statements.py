"""Python statements inside tasks, serial code and qd.funcs, lowered to structured SSA.

Local variables are SSA values. Control flow carries the variables its body reassigns: an `if`
yields them as `scf.if` results, a loop as `iter_args`. `break`, `continue` and early `return`
become boolean flags carried the same way; the statements after one run under `scf.if (!flag)`.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable

from xdsl.dialects import arith, scf

from qdmlir.frontend import matrices, struct_fields
from qdmlir.frontend import matrix_lowering as ml
from qdmlir.frontend.emitter import INDEX, Array, Scalar
from qdmlir.frontend.errors import QuadrantsTypeError, unsupported
from qdmlir.frontend.expressions import ExpressionLowering, _is_lookup
from qdmlir.frontend.matrices import MatrixValue, StructValue
from qdmlir.frontend.matrix_calls import struct_member
from qdmlir.frontend.promotion import BOOL
from qdmlir.frontend.scope import (
    BREAK,
    CONTINUE,
    RETURN_VALUE,
    RETURNED,
    Binding,
    Const,
    KernelVar,
    Scope,
    assigned_names,
    may_jump,
)

_AUG_SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.Pow: "**", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@",
}  # fmt: skip
# augmented assignments that Quadrants performs atomically on global memory in parallel code
_ATOMIC_AUG = {"+": "add", "-": "add", "&": "and", "|": "or", "^": "xor"}


class Undefined:
    """A flag value not known yet (the return value before the first `return`)."""


class StatementLowering(ExpressionLowering):
    """Lowers the statements of one function body into the emitter's current block."""

    # -- statement lists with jump flags ----------------------------------------------------

    def stmts(self, body: list[ast.stmt]) -> None:
        for index, stmt in enumerate(body):
            self.stmt(stmt)
            rest = body[index + 1 :]
            if rest and may_jump(stmt) and self.jump_flags():
                # a break / continue / return may have happened: the rest runs under a guard
                live = self.not_jumped(stmt)
                self.conditional(live, lambda rest=rest: self.stmts(rest), None, rest)
                return

    def jump_flags(self) -> list[Scalar]:
        flags = [self.scope.lookup(name) for name in (BREAK, CONTINUE, RETURNED)]
        return [f for f in flags if isinstance(f, Scalar)]

    def not_jumped(self, node: ast.AST) -> Scalar:
        self.located(node)
        any_jump = None
        for flag in self.jump_flags():
            any_jump = (
                flag
                if any_jump is None
                else Scalar(self.em.value(arith.OrIOp(any_jump.ssa, flag.ssa)), BOOL)
            )
        true = self.em.constant(True, BOOL)
        return Scalar(self.em.value(arith.XOrIOp(any_jump.ssa, true.ssa)), BOOL)

    def stmt(self, node: ast.stmt) -> None:
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is None:
            raise self.error(node, *unsupported(_statement_name(node)))
        self.located(node)
        method(node)

    # -- simple statements ------------------------------------------------------------------

    def stmt_Pass(self, node: ast.Pass) -> None:
        pass

    def stmt_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):
            return  # a docstring or a bare constant does nothing
        self.expr(node.value)

    def stmt_Assign(self, node: ast.Assign) -> None:
        value = self.expr(node.value)
        for target in node.targets:
            self.assign(target, value, node.value)

    def stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        from qdmlir.runtime.dtypes import DType

        annotation = self.expr(node.annotation)
        if node.value is None:
            raise self.error(
                node,
                "a declaration without a value is not supported",
                f"give it an initial value: {ast.unparse(node.target)}: "
                f"{ast.unparse(node.annotation)} = 0",
            )
        value = self.expr(node.value)
        if isinstance(annotation, Const) and isinstance(annotation.value, DType):
            value = self.em.cast(self.as_scalar(value, node.value), annotation.value)
            if isinstance(node.target, ast.Name) and self.scope.lookup(node.target.id) is None:
                self.define(node.target.id, value, node)
                return
        if isinstance(annotation, Const) and isinstance(annotation.value, ml.MatrixType):
            value = ml.as_matrix(self, value, node.value, annotation.value.dtype)
        self.assign(node.target, value, node.value)

    def assign(self, target: ast.expr, value: Binding, value_node: ast.AST) -> None:
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            target = struct_fields.members_first(self, target)  # `x[i].a = v`: `x.a[i] = v`
        if isinstance(target, ast.Name):
            self.assign_name(target.id, value, target)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            self.assign_element(target, value, value_node)
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value.value if isinstance(value, Const) else value
            if not isinstance(items, tuple) or len(items) != len(target.elts):
                raise self.error(
                    target,
                    f"cannot unpack `{ast.unparse(value_node)}` into {len(target.elts)} names",
                )
            for sub_target, item in zip(target.elts, items):
                self.assign(
                    sub_target, item if not isinstance(value, Const) else Const(item), value_node
                )
        else:
            raise self.error(target, *unsupported(f"assigning to `{ast.unparse(target)}`"))

    def assign_element(self, target: ast.Subscript | ast.Attribute, value, value_node) -> None:
        """`x[i] = v` (an ndarray element, a vector of one: `a[i] = [1, 2, 3]`), `a[i][k] = v`
        (one entry of an ndarray's vector, in memory), `v[k] = x` and `v.x = x` (a new value
        for the local vector `v`)."""
        place = ml.entry_place(self, target) if _is_lookup(target.value) else None
        if place is not None:
            self.located(target)
            self.em.store(*place, self.as_scalar(value, value_node))
            return
        base = self.expr(target.value)
        if isinstance(target, ast.Subscript) and struct_fields.is_struct_field(base):
            indices = self.indices(struct_fields.reference(self, base), target)
            self.located(target)
            struct_fields.store(self, base, indices, value, target)
            return
        if isinstance(target, ast.Subscript) and isinstance(base, Array):
            indices = self.indices(base, target)
            self.located(target)
            if base.element_shape:
                ml.store(self, base, indices, value, target)
            else:
                self.em.store(base, indices, self.as_scalar(value, value_node))
            return
        if isinstance(base, StructValue) and isinstance(target, ast.Attribute):
            member = struct_member(self, target, base)  # checks the name
            if isinstance(member, MatrixValue):
                value = self.converted(member, value, value_node)
            elif isinstance(member, Scalar):
                value = self.em.cast(self.as_scalar(value, value_node), member.dtype)
            self.assign(target.value, base.replaced(target.attr, value), value_node)
            return
        if isinstance(base, MatrixValue):
            if isinstance(target, ast.Attribute):
                updated = ml.with_swizzle(self, target, base, value)
            else:
                updated = ml.write_entry(self, target, base, self.as_scalar(value, value_node))
            self.assign(target.value, updated, value_node)
            return
        if isinstance(target, ast.Attribute):
            raise self.error(target, *unsupported(f"assigning to `{ast.unparse(target)}`"))
        raise self.error(
            target,
            f"`{ast.unparse(target.value)}` is not an ndarray or a vector; "
            "only ndarray elements and vector / matrix entries can be assigned through [...]",
        )

    def assign_name(self, name: str, value: Binding, node: ast.AST) -> None:
        current = self.scope.lookup(name)
        if isinstance(current, StructValue):
            self.assign_struct(name, current, value, node)
        elif isinstance(current, KernelVar) and current.shape:
            self.located(node)
            ml.store(self, current.array, [], value, node)
        elif isinstance(current, MatrixValue):
            self.scope.bind(name, self.converted(current, value, node))
        elif isinstance(current, KernelVar):
            self.located(node)
            self.em.store(current.array, [], self.as_scalar(value, node))
        elif isinstance(current, Scalar) and not isinstance(value, (tuple, Array)):
            # a variable keeps the type of its first assignment
            scalar = self.em.cast(self.as_scalar(value, node), current.dtype)
            self.scope.bind(name, named(scalar, name))
        elif isinstance(current, Array):
            raise self.error(
                node,
                f"ndarray '{name}' cannot be reassigned in a kernel",
                "assign to its elements instead: x[i] = ...",
            )
        else:
            self.define(name, value, node)

    def assign_struct(self, name: str, current: StructValue, value, node: ast.AST) -> None:
        """A new value for a struct variable: the same members, each converted; a top-level
        struct's members are cells, written."""
        if not isinstance(value, StructValue) or [k for k, _ in value.members] != [
            k for k, _ in current.members
        ]:
            raise self.error(
                node, f"cannot assign {matrices.describe(value)} to {current.describe()}"
            )
        self.scope.bind(name, self.stored(current, value, node))

    def stored(self, current: StructValue, value: StructValue, node: ast.AST) -> StructValue:
        members = []
        for (key, old), (_, new) in zip(current.members, value.members):
            if isinstance(old, KernelVar):
                self.located(node)
                if old.shape:
                    ml.store(self, old.array, [], new, node)
                else:
                    self.em.store(old.array, [], self.as_scalar(new, node))
                members.append((key, old))
            elif isinstance(old, StructValue):
                members.append((key, self.stored(old, new, node)))
            else:
                scalars = matrices.converted(self.em, old, new)
                members.append(
                    (
                        key,
                        matrices.rebuild(
                            old,
                            [Scalar(v, s.dtype) for v, s in zip(scalars, matrices.flatten(old))],
                        ),
                    )
                )
        return StructValue(tuple(members), current.name)

    def converted(self, current: MatrixValue, value, node: ast.AST) -> MatrixValue:
        """A new value for a vector / matrix variable, in its shape and entry type."""
        if not (ml.is_matrix(value) or ml.is_sequence(value)):
            described = getattr(getattr(value, "dtype", None), "name", "a scalar")
            raise self.error(
                node,
                f"cannot assign {described} to a variable of type {current.describe()}",
                "a variable keeps the type of its first assignment; use another name",
            )
        new = ml.as_matrix(self, value, node, current.dtype)
        ml.require_shape(
            self,
            node,
            new,
            current.shape,
            current.dtype,
            "a variable keeps the shape of its first assignment; use another name",
        )
        return new

    def define(self, name: str, value: Binding, node: ast.AST) -> None:
        """A new variable: numbers become typed runtime values, other Python objects stay."""
        if isinstance(value, Const) and _is_number(value.value):
            value = self.as_scalar(value, node)
        elif isinstance(value, KernelVar):
            value = self.em.load(value.array, [])
        self.scope.bind(name, named(value, name))

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        op = _AUG_SYMBOLS.get(type(node.op))
        if op is None:
            raise self.error(
                node,
                *unsupported(
                    f"the operator in `{ast.unparse(node)}`",
                    "use += -= *= /= //= %= **= &= |= ^= <<= >>=",
                ),
            )
        target = node.target
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            target = struct_fields.members_first(self, target)  # `x[i].a += v`: `x.a[i] += v`
            if target is not node.target:
                node = ast.copy_location(ast.AugAssign(target, node.op, node.value), node)
        if isinstance(target, ast.Name):
            current = self.scope.lookup(target.id)
            if isinstance(current, KernelVar):  # a top-level variable, shared by the iterations
                single = self.unit.task is not None and self.unit.task.single
                self.update_entries(current.array, [], op, node, demotable=single)
                return
            self.assign_name(target.id, self.expr(self.rewritten(node)), node)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            place = ml.entry_place(self, target) if _is_lookup(target.value) else None
            array = place[0] if place is not None else None
            indices = place[1] if place is not None else None
            if place is None and isinstance(target, ast.Subscript):
                base = self.expr(target.value)
                if isinstance(base, Array):
                    array, indices = base, self.indices(base, target)
            if array is None:  # an entry of a local vector: read, compute, assign
                self.assign(target, self.expr(self.rewritten(node)), node)
                return
            demotable = self.unit.task is not None and self.unit.task.owns(indices)
            if place is not None:
                self.update_element(array, indices, op, node, demotable)
            else:
                self.update_entries(array, indices, op, node, demotable)
        else:
            raise self.error(
                target, *unsupported(f"`{ast.unparse(target)}` as an augmented assignment target")
            )

    def rewritten(self, node: ast.AugAssign) -> ast.BinOp:
        """`t op= v` as the expression `t op v` (t read as a value)."""
        load = copy.deepcopy(node.target)
        load.ctx = ast.Load()
        binary = ast.BinOp(left=load, op=node.op, right=node.value)
        ast.copy_location(binary, node)
        return binary

    def update_entries(
        self, array: Array, indices: list, op: str, node: ast.AugAssign, demotable: bool
    ) -> None:
        """`x[i] op= v` on an element, a scalar one or a vector / matrix one: each entry is
        updated as a scalar element would be (atomically where that applies)."""
        if not array.element_shape:
            self.update_element(array, indices, op, node, demotable)
            return
        value = self.expr(node.value)
        if ml.is_matrix(value) or ml.is_sequence(value):
            value = ml.as_matrix(self, value, node.value)
            if value.shape != array.element_shape:
                raise self.error(
                    node,
                    f"cannot update an element of shape {array.element_shape} with {value.describe()}",
                )
        for k, index in enumerate(matrices.indices_of(array.element_shape)):
            entry = value.entries[k] if isinstance(value, MatrixValue) else value
            where = indices + [self.em.index_constant(i) for i in index]
            self.update_element(array, where, op, node, demotable, entry)

    def update_element(
        self,
        array: Array,
        indices: list,
        op: str,
        node: ast.AugAssign,
        demotable: bool,
        value: Binding | None = None,
    ) -> None:
        """`x[i] op= v`: atomic in parallel code for + - & | ^ (as Quadrants), unless the index
        is the task's own loop index, where no other iteration can touch the element."""
        from qdmlir.frontend import arithmetic

        value = self.scalar(node.value) if value is None else self.as_scalar(value, node.value)
        self.located(node)
        if op in _ATOMIC_AUG and self.unit.task is not None and not demotable:
            if op == "-":
                value = arithmetic.negate(self.em, self.em.cast(value, array.dtype))
            self.em.atomic(_ATOMIC_AUG[op], array, indices, value)
            return
        old = self.em.load(array, indices)
        try:
            new = arithmetic.binary(self.em, op, old, value)
        except arithmetic.OperatorError as error:
            raise self.error(node, str(error), kind=QuadrantsTypeError) from None
        self.em.store(array, indices, new)

    # -- if --------------------------------------------------------------------------------

    def stmt_If(self, node: ast.If) -> None:
        test = self.expr(node.test)
        if isinstance(test, Const):  # qd.static(...) or a compile-time constant condition
            self.stmts(node.body if test.value else node.orelse)
            return
        cond = self.em.truth(self.as_scalar(test, node.test))
        orelse = (lambda: self.stmts(node.orelse)) if node.orelse else None
        self.conditional(cond, lambda: self.stmts(node.body), orelse, node.body + node.orelse)

    def conditional(
        self,
        cond: Scalar,
        then: Callable[[], None],
        otherwise: Callable[[], None] | None,
        body: list[ast.stmt],
    ) -> None:
        """scf.if that carries out every outer variable the branches reassign."""
        carried = self.carried(body)
        branches = []
        for lower in (then, otherwise):
            block = self.em.new_block()
            with self.nested(block) as scope:
                if lower is not None:
                    lower()
            branches.append((block, scope))
        templates = []  # per carried name: a value fixing its type(s), or None if unset
        for name in carried:
            values = [scope.lookup(name) for _, scope in branches]
            known = [v for v in values if isinstance(v, (Scalar, MatrixValue, StructValue))]
            templates.append(known[0] if known else None)
        carried = [n for n, t in zip(carried, templates) if t is not None]
        templates = [t for t in templates if t is not None]
        for block, scope in branches:
            with self.em.inserting_at_end(block):
                yielded = []
                for name, template in zip(carried, templates):
                    yielded += self.carried_value(scope, name, template, body[0])
                self.em.emit(scf.YieldOp(*yielded))
        types = [t for template in templates for t in matrices.carried_types(template)]
        else_block = branches[1][0]
        if not types and len(else_block.ops) == 1:
            else_block = None  # `scf.if %c { ... }` reads better than an empty else
        op = self.em.emit(
            scf.IfOp(cond.ssa, types, [branches[0][0]], [else_block] if else_block else None)
        )
        self.bind_results(carried, templates, list(op.results))

    def bind_results(self, names: list[str], templates: list, results: list, scope=None) -> None:
        """Rebind carried variables to a structured op's results (or a body's block
        arguments), in carrying order: one SSA value per scalar, per entry of a vector."""
        scope = self.scope if scope is None else scope
        for name, template in zip(names, templates):
            parts = matrices.flatten(template)
            scalars = [Scalar(r, t.dtype) for r, t in zip(results, parts)]
            scope.bind(name, matrices.rebuild(template, scalars))
            results = results[len(parts) :]

    def carried(self, body: list[ast.stmt]) -> list[str]:
        """Outer variables (of this function) that `body` may reassign."""
        names = []
        for name in assigned_names(body):
            value = self.scope.lookup(name)
            if isinstance(value, (Scalar, MatrixValue, Undefined)) or (
                isinstance(value, StructValue) and not _in_cells(value)
            ):
                names.append(name)
        return names

    def carried_value(self, scope: Scope, name: str, template, node: ast.AST) -> list:
        """The SSA values one branch (or loop body) yields for a carried variable, in
        `template`'s types; `node` is blamed if the value cannot take them."""
        value = scope.lookup(name)
        if isinstance(value, (Scalar, MatrixValue, StructValue)):
            try:
                return matrices.converted(self.em, template, value)
            except matrices.ShapeError as error:
                raise self.error(node, f"variable '{name}': {error}") from None
        # still undefined on this path: never read
        return [self.em.constant(0, s.dtype).ssa for s in matrices.flatten(template)]

    # -- loops -----------------------------------------------------------------------------

    def stmt_For(self, node: ast.For) -> None:
        from qdmlir.frontend.loops import lower_serial_for

        if node.orelse:
            raise self.error(node, *unsupported("`for ... else`", "set a flag before `break`"))
        lower_serial_for(self, node)

    def bind_loop_target(self, target: ast.expr, value) -> None:
        """`for i in ...` binds one index; `for i, j in qd.ndrange(...)` unpacks them; a single
        name over an ndrange gets the tuple of indices, over `qd.grouped(...)` their vector."""
        if isinstance(target, ast.Name):
            self.scope.bind(target.id, named(value, target.id))
            return
        if isinstance(value, MatrixValue):  # `for i, j in qd.grouped(...)`
            value = value.entries
        if (
            not isinstance(target, (ast.Tuple, ast.List))
            or not isinstance(value, tuple)
            or (len(value) != len(target.elts))
        ):
            raise self.error(target, f"cannot unpack the loop index into `{ast.unparse(target)}`")
        for sub, item in zip(target.elts, value):
            self.bind_loop_target(sub, item)

    def stmt_While(self, node: ast.While) -> None:
        from qdmlir.frontend import checkpoint_syntax
        from qdmlir.frontend.loops import lower_while

        if checkpoint_syntax.is_do_while(self, node):
            if not self.unit.graph:
                raise self.error(
                    node.test,
                    "qd.graph.do_while() requires @qd.kernel(graph=True)",
                    "decorate the kernel with @qd.kernel(graph=True)",
                )
            where = "inside a @qd.func" if self.unit.call_stack else "inside a for/if/while"
            raise checkpoint_syntax.do_while_misplaced(self, node, where)
        if node.orelse:
            raise self.error(
                node,
                "'else' clause for 'while' not supported in qdmlir kernels",
                "set a flag before `break` and test it after the loop",
            )
        lower_while(self, node)

    def stmt_Break(self, node: ast.Break) -> None:
        self.set_flag(BREAK, node, "`break` outside a loop")

    def stmt_Continue(self, node: ast.Continue) -> None:
        self.set_flag(CONTINUE, node, "`continue` outside a loop")

    def set_flag(self, name: str, node: ast.AST, misuse: str) -> None:
        if not isinstance(self.scope.lookup(name), Scalar):
            raise self.error(
                node,
                f"{misuse} is not allowed here",
                "use it inside a for/while loop of the same function",
            )
        self.scope.bind(name, self.em.constant(True, BOOL))

    def stmt_Return(self, node: ast.Return) -> None:
        slot = self.scope.lookup(RETURN_VALUE)
        if slot is None:  # in a kernel, below its top level
            raise self.error(
                node,
                "Return inside non-static if/for is not supported: `return` is only allowed "
                "in a qd.func, or as a kernel's last statement",
                "compute the value into a variable and return it at the end of the kernel, or "
                "write the result into an ndarray parameter",
            )
        if node.value is not None:
            value = self.expr(node.value)
            if isinstance(slot, MatrixValue):
                value = self.converted(slot, value, node.value)
            elif ml.is_matrix(value) and not isinstance(slot, Scalar):
                value = ml.as_matrix(self, value, node.value)
            else:
                value = self.as_scalar(value, node.value)
                if isinstance(slot, Scalar):
                    value = self.em.cast(value, slot.dtype)
            self.scope.bind(RETURN_VALUE, value)
        self.scope.bind(RETURNED, self.em.constant(True, BOOL))

    # -- constructs that only make sense elsewhere -----------------------------------------

    def stmt_With(self, node: ast.With) -> None:
        from qdmlir.frontend import checkpoint_syntax, parallel_syntax

        if parallel_syntax.is_context(self, node):
            raise parallel_syntax.misplaced_context(self, node)
        if parallel_syntax.is_section(self, node):
            raise parallel_syntax.section_outside_a_context(self, node)
        if not checkpoint_syntax.is_checkpoint(self, node):
            raise self.error(
                node,
                "'with' in qdmlir kernels only supports qd.checkpoint(), "
                "qd.graph.parallel_context() and qd.graph.parallel()",
                "remove the with statement",
            )
        checkpoint_syntax.check_kernel_flags(self, node.items[0].context_expr)
        if self.unit.call_stack:
            raise self.error(
                node,
                "qd.checkpoint() cannot be used inside a @qd.func",
                "move the `with qd.checkpoint(...)` block into the kernel body",
            )
        if self.unit.in_checkpoint:
            raise self.error(
                node,
                "qd.checkpoint() cannot be nested inside another "
                "qd.checkpoint(); checkpoints in the same kernel must be flat "
                "siblings",
                "close the outer checkpoint first",
            )
        raise self.error(
            node,
            "qd.checkpoint() must be at the kernel top level or directly in a "
            "qd.graph_do_while() body; it cannot be nested inside a for/if/while",
            "move the `with` block to the kernel top level",
        )

    def stmt_Assert(self, node: ast.Assert) -> None:
        from qdmlir.frontend.assertions import lower_assert

        lower_assert(self, node)

    def stmt_Global(self, node: ast.Global) -> None:
        raise self.error(node, *unsupported("`global`", "pass values in as parameters"))

    stmt_Nonlocal = stmt_Global


def _in_cells(value: StructValue) -> bool:
    """A top-level struct: its members live in memory cells, not in SSA values to carry."""
    return any(
        isinstance(m, KernelVar) or (isinstance(m, StructValue) and _in_cells(m))
        for _, m in value.members
    )


def named(value, name: str):
    """Give a variable's SSA value the variable's name in printed IR (`%total`), if unnamed."""
    if isinstance(value, Scalar) and value.ssa.name_hint is None and name.isidentifier():
        value.ssa.name_hint = name
    return value


def _is_number(value: object) -> bool:
    import enum

    return isinstance(value, (int, float, bool)) or (
        isinstance(value, enum.Enum) and isinstance(value, int)
    )


def _statement_name(node: ast.stmt) -> str:
    names = {
        "Try": "try/except", "Raise": "raise", "Import": "import", "ImportFrom": "import",
        "FunctionDef": "a nested function definition", "ClassDef": "a class definition",
        "Delete": "del", "Match": "match", "AsyncFor": "async for", "AsyncWith": "async with",
        "TryStar": "try/except*",
    }  # fmt: skip
    return names.get(type(node).__name__, f"the statement `{type(node).__name__}`")


__all__ = ["StatementLowering", "Undefined", "INDEX"]
