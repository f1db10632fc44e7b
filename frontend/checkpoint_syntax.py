"""The compile-time rules of `qd.checkpoint` and `qd.graph_do_while` (docs/semantics.md).

Each error keeps the phrase Quadrants uses for the same mistake (`checkpoints=True`,
`cannot be nested`, `bare top-level Assign statement`, `for _ in range(1):`, ...), so programs
and docs that match on them keep working, then adds where it is and how to fix it.
"""

from __future__ import annotations

import ast
import enum
from typing import TYPE_CHECKING

from qdmlir.frontend import lang
from qdmlir.frontend.source import LabelError, evaluate_label
from qdmlir.runtime.dtypes import i32

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.graph_lowering import KernelLowering

_BARE_STATEMENT_FIX = """wrap the statement in a one-iteration loop, which keeps its meaning:

    with qd.checkpoint(cp_id, yield_on=flag):
        for _ in range(1):
            <your statement here>
        for i in range(arr.shape[0]):
            ..."""


def is_do_while(lowering: KernelLowering, node: ast.While) -> bool:
    return lowering.calls(node.test, lang.graph_do_while)


def is_static(lowering: KernelLowering, node: ast.expr) -> bool:
    return lowering.calls(node, lang.static)


def is_checkpoint(lowering: KernelLowering, node: ast.With) -> bool:
    return any(lowering.calls(item.context_expr, lang.checkpoint) for item in node.items)


# -- with qd.checkpoint(...) ---------------------------------------------------------------


def checkpoint_arguments(lowering: KernelLowering, node: ast.With) -> tuple[object, str]:
    """Validate a top-level `with qd.checkpoint(...)` and return (label object, flag name)."""
    call = _checkpoint_call(lowering, node)
    unit = lowering.unit
    check_kernel_flags(lowering, call)
    cp_node, flag_node = _split_arguments(lowering, call)
    try:
        label = evaluate_label(lowering.source, cp_node)
    except LabelError as error:
        raise lowering.error(
            cp_node,
            "qd.checkpoint() first argument must be an int literal or an IntEnum value "
            f"(e.g. `Stage.SIM`): {error}",
            "use a literal such as 3 or -1, an IntEnum member, or a module-level int",
        ) from None
    if isinstance(label, enum.Enum) and not isinstance(label, enum.IntEnum):
        raise lowering.error(
            cp_node, "qd.checkpoint() label must be an int literal or an IntEnum value"
        )
    if not -(2**63) <= int(label) < 2**63:
        raise lowering.error(cp_node, f"checkpoint label {int(label)} does not fit in 64 bits")
    previous = unit.labels.get(int(label))
    if previous is not None:
        where = lowering.source.span(previous)
        raise lowering.error(
            cp_node,
            f"qd.checkpoint(cp_id={int(label)}, ...) declares a cp_id that is already "
            f"used by another checkpoint in kernel '{unit.kernel_name}' (line "
            f"{where.line})",
            "give every checkpoint of a kernel its own label",
        )
    unit.labels[int(label)] = cp_node
    return label, _flag_parameter(lowering, flag_node, "qd.checkpoint(yield_on=...)")


def check_kernel_flags(lowering: KernelLowering, call: ast.expr) -> None:
    """qd.checkpoint needs @qd.kernel(graph=True, checkpoints=True)."""
    unit = lowering.unit
    if not unit.graph:
        raise lowering.error(
            call,
            "qd.checkpoint() requires @qd.kernel(graph=True); the resume "
            "model only applies to graph kernels",
            "decorate the kernel with @qd.kernel(graph=True, checkpoints=True)",
        )
    if not unit.checkpoints:
        raise lowering.error(
            call,
            f"qd.checkpoint() found in kernel '{unit.kernel_name}', but this kernel was not "
            "decorated with `checkpoints=True`",
            "add it to the decorator: @qd.kernel(graph=True, checkpoints=True)",
        )


def _checkpoint_call(lowering: KernelLowering, node: ast.With) -> ast.Call:
    if len(node.items) != 1:
        raise lowering.error(
            node,
            "'with' in qdmlir kernels only supports a single context manager",
            "use one `with qd.checkpoint(...)` per block",
        )
    item = node.items[0]
    if item.optional_vars is not None:
        raise lowering.error(
            item.optional_vars,
            "'with ... as ...' is not supported in qdmlir kernels",
            "drop the `as` part",
        )
    if not isinstance(item.context_expr, ast.Call):
        raise lowering.error(
            item.context_expr,
            "'with' in qdmlir kernels requires a call expression",
            "write with qd.checkpoint(...):",
        )
    if not lowering.calls(item.context_expr, lang.checkpoint):
        raise lowering.error(
            item.context_expr,
            "'with' in qdmlir kernels only supports qd.checkpoint(), "
            "qd.graph.parallel_context() and qd.graph.parallel()",
        )
    return item.context_expr


def _split_arguments(lowering: KernelLowering, call: ast.Call) -> tuple[ast.expr, ast.expr]:
    """The cp_id and yield_on expressions of `qd.checkpoint(...)`, Quadrants' errors otherwise."""
    example = "e.g. qd.checkpoint(0, yield_on=flag)"
    if not call.args and not call.keywords:
        raise lowering.error(
            call,
            "qd.checkpoint() takes two arguments: `qd.checkpoint(cp_id, yield_on=flag)`",
            example,
        )
    if len(call.args) > 2:
        raise lowering.error(
            call,
            "qd.checkpoint() takes at most 2 positional arguments "
            f"(cp_id, yield_on); got {len(call.args)}",
            example,
        )
    given = dict(zip(("cp_id", "yield_on"), call.args))
    for keyword in call.keywords:
        if keyword.arg not in ("cp_id", "yield_on"):
            raise lowering.error(
                keyword,
                f"qd.checkpoint() got unexpected keyword argument "
                f"'{keyword.arg}'; only 'cp_id' and 'yield_on' are "
                "supported",
                example,
            )
        if keyword.arg in given:
            raise lowering.error(
                keyword,
                f"qd.checkpoint() got `{keyword.arg}` both positionally and as a keyword",
                example,
            )
        given[keyword.arg] = keyword.value
    for name in ("cp_id", "yield_on"):
        if name not in given:
            raise lowering.error(
                call, f"qd.checkpoint() is missing required argument `{name}`", example
            )
    return given["cp_id"], given["yield_on"]


def _flag_parameter(lowering: KernelLowering, node: ast.expr, what: str) -> str:
    """The kernel argument a yield_on / do-while argument names: a parameter (`flag`), or a
    member taken apart into an argument (`self.flag`, `params.flag`, a global field). It must
    be a 0-d i32 ndarray (checked beyond Quadrants, which accepts any ndarray)."""
    if not _is_name_chain(node):
        raise lowering.error(
            node,
            f"{what} must reference a kernel ndarray argument; arbitrary "
            f"expressions such as `{ast.unparse(node)}` are not supported",
            "pass the flag as a 0-d qd.i32 ndarray parameter (or member) and name it",
        )
    text = ast.unparse(node)
    position = _argument_position(lowering, node)
    kernel = lowering.unit.kernel_name
    if position is None:
        raise lowering.error(
            node,
            f"{what} got '{text}' which does not resolve to an ndarray "
            f"kernel parameter of '{kernel}'",
            f"add a parameter `{text}: qd.types.ndarray(qd.i32, 0)`"
            if isinstance(node, ast.Name)
            else f"make `{text}` a 0-d qd.i32 ndarray: qd.ndarray(qd.i32, shape=())",
        )
    spec = lowering.args[position]
    if spec.qd_dtype is not i32 or spec.ndim != 0:
        raise lowering.error(
            node,
            f"{what} got '{text}', a {spec.ndim}-d {spec.dtype} "
            "ndarray; the flag must be a 0-d i32 ndarray",
            f"declare it as `{text}: qd.types.ndarray(qd.i32, 0)`"
            if isinstance(node, ast.Name)
            else f"make `{text}` a 0-d qd.i32 ndarray: qd.ndarray(qd.i32, shape=())",
        )
    return spec.name


def _is_name_chain(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _argument_position(lowering: KernelLowering, node: ast.expr) -> int | None:
    """The position of the kernel argument `node` stands for, None if it is not one (an
    unknown name or member, a scalar, a local variable)."""
    from qdmlir.frontend.emitter import Array
    from qdmlir.frontend.errors import QuadrantsCompilationError

    try:
        value = lowering.expr(node)
    except QuadrantsCompilationError:  # an unknown name is a QuadrantsNameError, not a syntax one
        return None
    if not isinstance(value, Array):
        return None
    for position, arg in enumerate(lowering.entry.args):
        if arg is value.memref:
            return position
    return None


def check_checkpoint_body_statement(lowering: KernelLowering, stmt: ast.stmt) -> None:
    """A checkpoint body holds tasks and control flow; bare statements are errors."""
    if isinstance(stmt, ast.With) and is_checkpoint(lowering, stmt):
        raise lowering.error(
            stmt,
            "qd.checkpoint() cannot be nested inside another "
            "qd.checkpoint(); checkpoints in the same kernel must be flat "
            "siblings",
            "close the outer checkpoint first",
        )
    if isinstance(stmt, ast.While) and is_do_while(lowering, stmt):
        raise do_while_misplaced(lowering, stmt, "inside a qd.checkpoint()")
    if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)) or (
        isinstance(stmt, ast.Expr) and not isinstance(stmt.value, ast.Constant)
    ):
        kind = type(stmt).__name__
        raise lowering.error(
            stmt,
            f"qd.checkpoint() body cannot contain a bare top-level {kind} statement: every "
            "statement in a checkpoint runs as part of a task",
            _BARE_STATEMENT_FIX,
        )


# -- while qd.graph_do_while(...) -----------------------------------------------------------


def do_while_condition(lowering: KernelLowering, node: ast.While):
    """The condition parameter of a top-level do-while, as the kernel's block argument."""
    if not lowering.unit.graph:
        raise lowering.error(
            node.test,
            "qd.graph.do_while() requires @qd.kernel(graph=True)",
            "decorate the kernel with @qd.kernel(graph=True)",
        )
    if node.orelse:
        raise lowering.error(node, "'else' clause for 'while' not supported in qdmlir kernels")
    call = node.test
    if call.keywords or len(call.args) != 1:
        raise lowering.error(
            call, "qd.graph_do_while() takes exactly one argument: the 0-d i32 ndarray condition"
        )
    name = _flag_parameter(lowering, call.args[0], "qd.graph.do_while(...)")
    return lowering.entry.args[[a.name for a in lowering.args].index(name)]


def do_while_misplaced(lowering: KernelLowering, node: ast.AST, where: str):
    return lowering.error(
        node,
        "qd.graph.do_while() must be at the kernel top level or directly nested inside "
        f"another qd.graph.do_while(); it cannot appear {where}",
        "move the loop to the kernel top level",
    )
