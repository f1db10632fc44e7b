"""Compound arguments inside the kernel: `self.x`, `params.inner.y`, global fields, bound qd.funcs.

The call was taken apart before compiling (frontend/flatten.py): each leaf is a kernel argument
named by its path, or a compile-time constant. `Members` binds the leaves to the kernel's block
arguments and answers, for a path the lowering meets, what it stands for. A member that the
walk did not take apart is an error that says what it is and what kernels can use.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from qdmlir.frontend.emitter import Array, Scalar
from qdmlir.frontend.flatten import Layout, free_root, path_text
from qdmlir.frontend.lang import is_data_oriented
from qdmlir.frontend.scope import Binding, Compound, Const

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.expressions import ExpressionLowering

_USABLE = (
    "kernels can use ndarray, qd.field, number, bool, enum, @qd.data_oriented, dataclass and "
    "@qd.func members"
)


class Members:
    """The leaves of a layout bound to values of the kernel being lowered."""

    def __init__(self, layout: Layout, block_args: dict[str, Any]):
        self.layout = layout
        self.bindings: dict[tuple, Binding] = {}
        for leaf in layout.leaves:
            if leaf.kind == "constant":
                self.bindings[leaf.path] = Const(leaf.value)
            elif leaf.kind == "scalar":
                self.bindings[leaf.path] = Scalar(block_args[leaf.name], leaf.dtype)
            else:
                self.bindings[leaf.path] = Array(
                    block_args[leaf.name],
                    leaf.dtype,
                    leaf.ndim,
                    leaf.offset,
                    leaf.boundary,
                    leaf.element_shape,
                )

    def parameters(self) -> dict[str, Binding]:
        """What each kernel parameter name stands for: a leaf, or a compound object."""
        named: dict[str, Binding] = {}
        for path, binding in self.bindings.items():
            if len(path) == 1 and path[0][0] == "param":
                named[path[0][1]] = binding
        for path, obj in self.layout.objects.items():
            if len(path) == 1 and path[0][0] == "param":
                named[path[0][1]] = Compound(path, obj)
        return named

    def member(self, lowering: ExpressionLowering, base: Compound, node: ast.Attribute) -> Binding:
        """`base.attr`: the leaf at that path, a nested compound, or a qd.func member."""
        path = base.path + (node.attr,)
        bound = self.bindings.get(path)
        if bound is not None:
            return bound
        text = ast.unparse(node)
        try:
            value = getattr(base.obj, node.attr)
        except AttributeError:
            raise lowering.error(
                node,
                f"`{ast.unparse(node.value)}` has no member '{node.attr}' "
                f"({type(base.obj).__name__} object)",
                "give the object that member before calling the kernel",
            ) from None
        if path in self.layout.objects or is_data_oriented(value) or _is_dataclass(value):
            return Compound(path, value)
        from qdmlir.frontend.flatten import _is_funcs
        from qdmlir.frontend.kernel import BoundKernel

        if _is_funcs(value) or isinstance(value, BoundKernel):
            return Const(value)
        raise lowering.error(
            node,
            f"`{text}` is a {type(value).__name__} member, which a kernel cannot use",
            _USABLE,
        )

    def free_field(self, lowering: ExpressionLowering, node: ast.expr) -> Binding | None:
        """A field the kernel reaches through a global or closure name: its storage argument
        (None if `node` is not such a name, e.g. a subscript of a global list)."""
        from qdmlir.frontend.source import _dotted

        chain = _dotted(node)
        root = None if chain is None else free_root(lowering.source, chain[0])
        if root is None:
            return None
        path = (root, *chain[1:])
        obj = self.layout.objects.get(path)
        return Compound(path, obj) if obj is not None else self.bindings.get(path)

    def instance(self, obj: Any) -> Compound | None:
        """The compound binding of an object a qd.func method is bound to, if the walk met it."""
        path = self.layout.paths.get(id(obj))
        return None if path is None else Compound(path, obj)


def _is_dataclass(value: Any) -> bool:
    import dataclasses

    return dataclasses.is_dataclass(value) and not isinstance(value, type)


__all__ = ["Members", "path_text"]
