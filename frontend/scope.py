"""Name bindings while lowering a kernel: what each Python name stands for at this point.

A name is a typed SSA value (a local variable, rebound on every assignment), a vector or matrix
of them (frontend/matrices.py), an ndarray, a kernel-level variable kept in memory, or a
compile-time Python value. Control flow opens a child
scope: names assigned inside are local to it (Quadrants' block scoping), and assignments to
outer variables are recorded in the child so the construct can carry them out as results.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from xdsl.ir import SSAValue

from qdmlir.frontend.emitter import Array, Scalar
from qdmlir.frontend.matrices import MatrixValue
from qdmlir.runtime.dtypes import DType


@dataclass(frozen=True)
class Const:
    """A compile-time Python value: a number, an enum member, a module, a function, ..."""

    value: Any


@dataclass(frozen=True)
class KernelVar:
    """A variable of the kernel top level, kept in a `memref<T>` (a vector or matrix in a
    `memref<3xT>` / `memref<3x3xT>`: `shape`) so every task can read it."""

    cell: SSAValue
    dtype: DType
    shape: tuple[int, ...] = ()

    @property
    def array(self) -> Array:
        return Array(self.cell, self.dtype, 0, element_shape=self.shape)


@dataclass(frozen=True, eq=False)
class Compound:
    """A `@qd.data_oriented` object or a dataclass inside a kernel: `path` is where the call
    reached it (frontend/flatten.py), and its members resolve by path to the leaves the
    kernel's arguments carry (frontend/members.py)."""

    path: tuple
    obj: Any


Binding = Scalar | MatrixValue | Array | Const | KernelVar | Compound | tuple


class Scope:
    """One level of name bindings; `parent` is the enclosing block's scope."""

    def __init__(self, parent: Scope | None = None, *, function_root: bool = False):
        self.parent = parent
        self.names: dict[str, Binding] = {}
        # a function's outermost scope: lookups for mutable locals stop here (qd.func inlining
        # must not see its caller's variables)
        self.function_root = function_root

    def child(self) -> Scope:
        return Scope(self)

    def lookup(self, name: str) -> Binding | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            if scope.function_root:
                return None
            scope = scope.parent
        return None

    def owner(self, name: str) -> Scope | None:
        """The scope that first defined `name`, within this function."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope
            if scope.function_root:
                return None
            scope = scope.parent
        return None

    def bind(self, name: str, value: Binding) -> None:
        self.names[name] = value


@contextmanager
def assigned(target: object, **values: Any) -> Iterator[None]:
    """Set attributes of `target` (the lowering's state: the task being lowered, whether it is
    inside a checkpoint, ...) for the duration of a `with`, then restore them, also on error."""
    old = {name: getattr(target, name) for name in values}
    for name, value in values.items():
        setattr(target, name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(target, name, value)


def assigned_names(stmts: list[ast.stmt]) -> list[str]:
    """Names a statement list may (re)bind, in first-assignment order, nested blocks included.

    Break / continue / return count as assignments of the lowering's jump flags.
    """
    names: dict[str, None] = {}

    def visit(node: ast.AST, loop_depth: int) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.setdefault(node.id)
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, ast.Store):
            root = _root_name(node)  # `v[i] = x`, `v.x += 1`: a new value for the vector `v`
            if root is not None:
                names.setdefault(root)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "fill"
            and isinstance(node.func.value, ast.Name)
        ):
            names.setdefault(node.func.value.id)  # `m.fill(x)` rebinds the matrix `m`
        elif isinstance(node, ast.Break) and loop_depth == 0:
            names.setdefault(BREAK)
        elif isinstance(node, ast.Continue) and loop_depth == 0:
            names.setdefault(CONTINUE)
        elif isinstance(node, ast.Return):
            names.setdefault(RETURNED)
            names.setdefault(RETURN_VALUE)
        # a break inside an inner loop leaves that loop, not the statement list's
        inner = loop_depth + 1 if isinstance(node, (ast.For, ast.While)) else loop_depth
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    for stmt in stmts:
        visit(stmt, 0)
    return list(names)


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def may_jump(stmt: ast.stmt) -> bool:
    """Whether control can leave the statement list after `stmt` by break/continue/return."""
    return bool({BREAK, CONTINUE, RETURNED} & set(assigned_names([stmt])))


# names of the flags that carry break / continue / return through structured control flow;
# they cannot clash with Python identifiers
BREAK = "<break>"
CONTINUE = "<continue>"
RETURNED = "<returned>"
RETURN_VALUE = "<return value>"
