"""`assert cond, msg` in kernels: checked under qd.init(debug=True), compiled out otherwise.

As in Quadrants, an assertion costs nothing without debug mode: not even its condition is
evaluated. In debug mode (CPU target) a failing assertion is recorded like a failed bounds check
in the hidden `qd_debug` buffer (runtime/debug_checks.py): the count in word 0, and for the
first failure its site and up to MAX_DIMS run-time values of its message, as i64 words (floats
widened to f64 and reinterpreted, as print records are). The site in the manifest carries the
message's text; after the launch the call raises QuadrantsAssertionError with the message,
the kernel and file:line.

Messages: a string, an f-string (`f"x[{i}] = {x[i]:.3f}"`), or `"x[%d] = %f" % (i, x[i])`,
whose values may be run-time numbers; none gives the condition's source text, as Quadrants does.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerType

from qdmlir.frontend.emitter import Scalar
from qdmlir.frontend.promotion import BOOL
from qdmlir.frontend.scope import Const
from qdmlir.runtime.debug_checks import MAX_DIMS
from qdmlir.runtime.dtypes import f64, i64, u64

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.statements import StatementLowering


def lower_assert(lowering: StatementLowering, node: ast.Assert) -> None:
    em = lowering.em
    if em.debug_buffer is None:
        # the check is compiled out without debug mode (docs/kernel-language.md); a condition
        # that calls something still runs, as in Quadrants: `assert step() == 0` steps
        if any(isinstance(n, ast.Call) for n in ast.walk(node.test)):
            lowering.expr(node.test)
        return
    test = lowering.expr(node.test)
    if isinstance(test, Const) and test.value:
        return  # holds whenever it runs
    message, values = _message(lowering, node)
    lowering.located(node)
    site = em.site_for_assertion(message)

    def record() -> list:
        em.record(site, [_as_word(em, v) for v in values])
        return []

    if isinstance(test, Const):  # `assert False`: fails whenever it runs, as in Quadrants
        record()
        return
    holds = em.truth(lowering.as_scalar(test, node.test))
    em.if_(em.value(arith.XOrIOp(holds.ssa, em.constant(True, BOOL).ssa)), record)


def _message(lowering: StatementLowering, node: ast.Assert) -> tuple[dict, list[Scalar]]:
    """The manifest's description of the message, and the run-time values it formats."""
    msg = node.msg
    if msg is None:
        return {"style": "text", "text": ast.unparse(node.test), "values": []}, []
    if isinstance(msg, ast.JoinedStr):
        return _fstring(lowering, msg)
    if (
        isinstance(msg, ast.BinOp)
        and isinstance(msg.op, ast.Mod)
        and isinstance(msg.left, ast.Constant)
        and isinstance(msg.left.value, str)
    ):
        parts = msg.right.elts if isinstance(msg.right, ast.Tuple) else [msg.right]
        values = [_value(lowering, part) for part in parts]
        scalars = [v for v in values if isinstance(v, Scalar)]
        shown = [v if isinstance(v, Scalar) else v.value for v in values]
        return _described("percent", msg.left.value, shown, lowering, msg), scalars
    value = lowering.expr(msg)
    if isinstance(value, Const) and isinstance(value.value, str):
        return {"style": "text", "text": value.value, "values": []}, []
    raise lowering.error(
        msg,
        f"an assert message must be a string, an f-string or a %-formatted string, not "
        f"`{ast.unparse(msg)}`",
        'e.g. assert x[i] >= 0, f"x[{i}] is {x[i]}"',
    )


def _fstring(lowering: StatementLowering, msg: ast.JoinedStr) -> tuple[dict, list[Scalar]]:
    """An f-string as a str.format template: constants folded in, run-time values numbered."""
    template, shown = [], []
    for part in msg.values:
        if isinstance(part, ast.Constant):
            template.append(str(part.value).replace("{", "{{").replace("}", "}}"))
            continue
        spec = ""
        if part.format_spec is not None:
            if not all(isinstance(p, ast.Constant) for p in part.format_spec.values):
                raise lowering.error(part, "a format spec in an assert message must be constant")
            spec = ":" + "".join(str(p.value) for p in part.format_spec.values)
        conversion = "" if part.conversion == -1 else "!" + chr(part.conversion)
        template.append("{" + str(len(shown)) + conversion + spec + "}")
        value = _value(lowering, part.value)
        shown.append(value if isinstance(value, Scalar) else value.value)
    scalars = [v for v in shown if isinstance(v, Scalar)]
    return _described("format", "".join(template), shown, lowering, msg), scalars


def _described(style: str, text: str, shown: list, lowering, node: ast.AST) -> dict:
    """Compile-time values are stored as constants, run-time ones by their type; at most
    MAX_DIMS run-time values fit the debug record."""
    values = [
        ["value", "bool" if v.dtype == BOOL else v.dtype.name]
        if isinstance(v, Scalar)
        else ["constant", v]
        for v in shown
    ]
    if sum(kind == "value" for kind, _ in values) > MAX_DIMS:
        raise lowering.error(
            node,
            f"an assert message formats at most {MAX_DIMS} run-time values",
            "split the assertion, or format fewer values",
        )
    return {"style": style, "text": text, "values": values}


def _value(lowering: StatementLowering, node: ast.expr):
    value = lowering.expr(node)
    if isinstance(value, Const):
        if isinstance(value.value, (bool, int, float, str)):
            return value
        raise lowering.error(node, f"`{ast.unparse(node)}` cannot be shown in an assert message")
    return lowering.as_scalar(value, node)


def _as_word(em, value: Scalar):
    """A value as the i64 word the launcher decodes by its type (print_lowering.py's layout)."""
    if value.dtype != BOOL and value.dtype.is_float:
        return em.value(arith.BitcastOp(em.cast(value, f64).ssa, IntegerType(64)))
    return em.cast(value, i64 if value.dtype == BOOL or value.dtype.signed else u64).ssa
