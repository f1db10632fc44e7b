"""`qd.loop_config(...)`: Quadrants' directives for the next top-level loop.

    qd.loop_config(serialize=True)
    for i in range(1, x.shape[0]):      # runs in order, one iteration after another
        x[i] += x[i - 1]

`serialize=True` (or `parallelize=1`) makes the task one iteration whose body is the loop, run
serially, so order-dependent updates and `break` mean what they do in Quadrants. `block_dim`,
`parallelize=N`, and `name` are scheduling hints: they are checked and accepted, and change
nothing (the CPU picks its threads by trip count, GPU tasks use one block size). Inside a task
every loop is serial already, so there the directive only has its arguments checked.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qdmlir.frontend import lang
from qdmlir.frontend.scope import Const

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.statements import StatementLowering

_PLACEMENT_FIX = "put qd.loop_config(...) on the line right before a top-level `for` loop"


@dataclass(frozen=True)
class LoopConfig:
    """The parsed directive; `node` is the call, for errors about where it stands."""

    serialize: bool
    node: ast.Call


def is_loop_config(lowering: StatementLowering, stmt: ast.stmt) -> bool:
    """Whether `stmt` is a `qd.loop_config(...)` expression statement."""
    return isinstance(stmt, ast.Expr) and lowering.calls(stmt.value, lang.loop_config)


def parse(lowering: StatementLowering, call: ast.Call) -> LoopConfig:
    """Check the arguments as Quadrants' signature does (keywords only, known names) and
    their values (compile-time constants of the right kind)."""
    if call.args:
        raise lowering.error(
            call,
            "qd.loop_config() takes keyword arguments only",
            "e.g. qd.loop_config(serialize=True)",
        )
    values = {}
    for keyword in call.keywords:
        if keyword.arg not in _CHECKS:
            known = ", ".join(_CHECKS)
            raise lowering.error(
                keyword.value,
                f"qd.loop_config() got an unexpected keyword argument '{keyword.arg}'",
                f"use one of: {known}",
            )
        value = lowering.expr(keyword.value)
        accepts, expected = _CHECKS[keyword.arg]
        if not isinstance(value, Const) or not accepts(value.value):
            raise lowering.error(
                keyword.value,
                f"qd.loop_config({keyword.arg}=...) must be {expected} known at compile time",
            )
        values[keyword.arg] = value.value
    if values.get("bit_vectorize"):
        raise lowering.error(
            call,
            "qd.loop_config(bit_vectorize=True) applies to quantized "
            "fields, which qdmlir does not have",
            "remove bit_vectorize",
        )
    return LoopConfig(bool(values.get("serialize")) or values.get("parallelize") == 1, call)


def misplaced(lowering: StatementLowering, config: LoopConfig):
    return lowering.error(
        config.node,
        "qd.loop_config() must be followed by a top-level "
        "`for` loop over range(...) or qd.ndrange(...)",
        _PLACEMENT_FIX,
    )


def serialized(node: ast.For) -> ast.For:
    """`for <target> in <iter>: body` as `for _ in range(1): for <target> in <iter>: body`:
    a task of one iteration whose body runs the loop serially."""
    wrapper = ast.For(
        target=ast.Name("<serialized>", ast.Store()),
        iter=ast.Call(ast.Name("range", ast.Load()), [ast.Constant(1)], []),
        body=[node],
        orelse=[],
    )
    for synthetic in (
        wrapper,
        wrapper.target,
        wrapper.iter,
        wrapper.iter.func,
        wrapper.iter.args[0],
    ):
        ast.copy_location(synthetic, node)
    return wrapper


def _positive_int_or_none(value) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0)


_CHECKS = {
    "block_dim": (_positive_int_or_none, "a positive int"),
    "serialize": (lambda v: isinstance(v, bool), "True or False"),
    "parallelize": (_positive_int_or_none, "a positive int"),
    "bit_vectorize": (lambda v: isinstance(v, bool), "True or False"),
    "name": (lambda v: v is None or isinstance(v, str), "a string"),
}
