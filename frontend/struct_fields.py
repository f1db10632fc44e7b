"""Fields of structs inside kernels (runtime/struct_field.py).

A struct field reaches the kernel as a compound whose members are its member fields
(frontend/flatten.py), so `x.a` is the field of member `a` and `x.a[i]` an element of it. As in
Quadrants, `x[i].a` is the same place as `x.a[i]`: `members_first` rewrites the one into the
other before an expression or an assignment target is lowered, so member reads, writes,
`x[i].v[k]`, `x[i].a += 1` and `qd.atomic_add(x[i].a, 1)` are those of ordinary fields. A
whole element `x[i]` is a struct value, loaded member by member, and `x[i] = s` stores each
member of `s`.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from qdmlir.frontend import matrix_lowering as ml
from qdmlir.frontend.emitter import Array
from qdmlir.frontend.errors import QuadrantsTypeError
from qdmlir.frontend.matrices import StructValue, describe
from qdmlir.frontend.scope import Compound
from qdmlir.runtime.struct_field import StructField

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.statements import StatementLowering


def is_struct_field(value: Any) -> bool:
    return isinstance(value, Compound) and isinstance(value.obj, StructField)


def members(lowering: StatementLowering, value: Compound) -> list[tuple[str, Any]]:
    """`(name, Array or nested struct field compound)` per member, in declaration order."""
    bound = lowering.unit.members
    found = []
    for name in value.obj.keys:
        path = value.path + (name,)
        if path in bound.layout.objects:
            found.append((name, Compound(path, bound.layout.objects[path])))
        else:
            found.append((name, bound.bindings[path]))
    return found


def reference(lowering: StatementLowering, value: Compound) -> Array:
    """A member field standing for the struct field's shape and offset (all members share
    them): the first, a nested struct's first."""
    _, first = members(lowering, value)[0]
    return reference(lowering, first) if is_struct_field(first) else first


def load(lowering: StatementLowering, value: Compound, indices: list) -> StructValue:
    """`x[i]`: the element as a struct value, each member loaded."""
    loaded = []
    for name, member in members(lowering, value):
        if is_struct_field(member):
            loaded.append((name, load(lowering, member, indices)))
        elif member.element_shape:
            loaded.append((name, ml.load(lowering, member, indices)))
        else:
            loaded.append((name, lowering.em.load(member, indices)))
    return StructValue(tuple(loaded), value.obj.struct_type.name)


def store(
    lowering: StatementLowering, value: Compound, indices: list, item: Any, node: ast.AST
) -> None:
    """`x[i] = s`: every member of `s` (a struct value with the same member names) into the
    element, converted to the member's type."""
    names = value.obj.keys
    if not isinstance(item, StructValue) or sorted(k for k, _ in item.members) != sorted(names):
        raise lowering.error(
            node,
            f"cannot assign {describe(item)} to an element of a field of "
            f"{value.obj.struct_type.name} structs (members {', '.join(names)})",
            "assign a value of the field's struct type, or qd.Struct(...) with every member",
            QuadrantsTypeError,
        )
    for name, member in members(lowering, value):
        given = item.member(name)
        if is_struct_field(member):
            store(lowering, member, indices, given, node)
        elif member.element_shape:
            ml.store(lowering, member, indices, given, node)
        else:
            lowering.em.store(member, indices, lowering.as_scalar(given, node))


def members_first(lowering: StatementLowering, node: ast.expr) -> ast.expr:
    """`node` with every `x[i].a` over a struct field `x` written `x.a[i]` (the same node when
    there is none). Only a subscript of a plain name or attribute chain can be a struct field's
    element, so nothing else is evaluated to find out."""
    if isinstance(node, ast.Attribute):
        inner = members_first(lowering, node.value)
        if isinstance(inner, ast.Subscript) and _is_struct_field_name(lowering, inner.value):
            member = ast.copy_location(
                ast.Attribute(value=inner.value, attr=node.attr, ctx=ast.Load()), node
            )
            return ast.copy_location(
                ast.Subscript(value=member, slice=inner.slice, ctx=node.ctx), node
            )
        if inner is node.value:
            return node
        return ast.copy_location(ast.Attribute(value=inner, attr=node.attr, ctx=node.ctx), node)
    if isinstance(node, ast.Subscript):
        inner = members_first(lowering, node.value)
        if inner is node.value:
            return node
        return ast.copy_location(ast.Subscript(value=inner, slice=node.slice, ctx=node.ctx), node)
    return node


def _is_struct_field_name(lowering: StatementLowering, node: ast.expr) -> bool:
    chain = node
    while isinstance(chain, ast.Attribute):
        chain = chain.value
    if not isinstance(chain, ast.Name):
        return False
    return is_struct_field(lowering.expr(node))
