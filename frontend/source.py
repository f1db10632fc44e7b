"""What a kernel's Python source says, read with the standard library only.

This runs on every first call, cached artifacts included, so it must stay light: no xDSL, no
MLIR. It finds the kernel's source and AST, resolves the global names the kernel uses (for the
cache key and for the compiler) and evaluates checkpoint labels (for GraphStatus).
"""

from __future__ import annotations

import ast
import builtins
import enum
import hashlib
import inspect
import textwrap
import types
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qdmlir.frontend.errors import QuadrantsSyntaxError, SourceSpan


@dataclass
class FunctionSource:
    """A Python function's source, AST and namespaces, with positions in the user's file."""

    fn: Any
    file: str
    first_line: int  # 1-based line of the first source line (the decorator, if any)
    indent: int  # columns removed by dedenting
    lines: list[str]  # the original source lines of the function
    tree: ast.FunctionDef
    text: str  # dedented source, what the cache key hashes
    closure: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def globals(self) -> dict[str, Any]:
        return self.fn.__globals__

    def span(self, node: ast.AST) -> SourceSpan:
        """The user-file position of an AST node of this function."""
        line = getattr(node, "lineno", self.tree.lineno)
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", line)
        end_col = getattr(node, "end_col_offset", None)
        index = line - 1
        text = self.lines[index] if 0 <= index < len(self.lines) else None
        if end_line != line or end_col is None:
            end_col = None if text is None else len(text.rstrip())
        else:
            end_col += self.indent
        return SourceSpan(self.file, self.first_line + index, col + self.indent, end_col, text)

    def static_value(self, node: ast.expr, is_local: Callable[[str], bool]) -> Any | None:
        """The Python object a dotted name (`qd.static`, `ti.ndrange`, `graph.do_while`)
        stands for, found without lowering anything; None if `node` is not a dotted name, if
        its first part is a local of the code being lowered, or if it does not resolve."""
        chain = _dotted(node)
        if chain is None or is_local(chain[0]):
            return None
        found, value = resolve_chain(self, chain)
        return value if found else None

    def lookup(self, name: str) -> tuple[bool, Any]:
        """Resolve a free name as Python would at call time: closure, globals, builtins."""
        for scope in (self.closure, self.fn.__globals__, builtins.__dict__):
            if name in scope:
                return True, scope[name]
        return False, None


_SOURCE_CACHE: dict[Any, FunctionSource] = {}


def function_source(fn: Any, *, kind: str = "kernel") -> FunctionSource:
    """Source, AST and namespaces of `fn`, cached per function object."""
    cached = _SOURCE_CACHE.get(fn)
    if cached is not None:
        return cached
    try:
        lines, first_line = inspect.getsourcelines(fn)
        file = inspect.getsourcefile(fn) or inspect.getfile(fn)
    except (OSError, TypeError) as error:
        raise QuadrantsSyntaxError(
            f"cannot read the source of {kind} '{getattr(fn, '__name__', fn)}': {error}",
            kernel=getattr(fn, "__name__", None),
            fix=f"define the {kind} in a .py file (source typed at an interactive prompt or "
            "built with exec() cannot be compiled)",
        ) from None
    raw = "".join(lines)
    text = textwrap.dedent(raw)
    indent = _leading_spaces(lines[0]) - _leading_spaces(text.splitlines()[0] if text else "")
    try:
        module = ast.parse(text)
    except SyntaxError:
        module = ast.Module(body=[], type_ignores=[])  # a lambda's line, cut mid-expression
    tree = next(
        (node for node in module.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))),
        None,
    )
    if tree is None or getattr(fn, "__name__", "") == "<lambda>":
        raise QuadrantsSyntaxError(
            f"a {kind} must be a function defined with `def`, not "
            f"{'a lambda' if getattr(fn, '__name__', '') == '<lambda>' else repr(fn)}",
            kernel=getattr(fn, "__name__", None),
            fix=f"write `def name(...):` and decorate it with @qd.{kind.split('.')[-1]}",
        )
    if isinstance(tree, ast.AsyncFunctionDef):
        raise QuadrantsSyntaxError(
            f"{kind} '{fn.__name__}' is an async function", kernel=fn.__name__, fix="drop `async`"
        )
    closure = {}
    if fn.__closure__:
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__):
            try:
                closure[name] = cell.cell_contents
            except ValueError:  # an unassigned cell
                pass
    source = FunctionSource(fn, file, first_line, indent, lines, tree, text, closure)
    _SOURCE_CACHE[fn] = source
    return source


def _leading_spaces(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


# -- global names the kernel depends on -------------------------------------------------------


def free_name_chains(tree: ast.FunctionDef) -> list[tuple[str, ...]]:
    """Dotted names read by the function that are not its parameters or locals, in source order.

    `qd.sqrt(x)` gives ('qd', 'sqrt'); `Phase.GROW` gives ('Phase', 'GROW'); `N` gives ('N',).
    Computed once per tree (first calls taking compound arguments apart ask on every call).
    """
    cached = _CHAINS.get(tree)
    if cached is None:
        cached = _CHAINS[tree] = _free_name_chains(tree)
    return cached


_CHAINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _free_name_chains(tree: ast.FunctionDef) -> list[tuple[str, ...]]:
    bound = {a.arg for a in tree.args.args + tree.args.kwonlyargs + tree.args.posonlyargs}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
    chains: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for node in ast.walk(tree):
        chain = _dotted(node)
        if chain is None or chain[0] in bound or chain in seen:
            continue
        seen.add(chain)
        chains.append(chain)
    return chains


def _dotted(node: ast.AST) -> tuple[str, ...] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return (node.id, *reversed(parts))
    return None


def resolve_chain(source: FunctionSource, chain: tuple[str, ...]) -> tuple[bool, Any]:
    """Follow a dotted name from the function's namespaces; (False, None) if it breaks."""
    found, value = source.lookup(chain[0])
    for attr in chain[1:]:
        if not found:
            break
        found = hasattr(value, attr)
        value = getattr(value, attr, None)
    return found, value


def fingerprint(value: Any, depth: int = 0) -> str:
    """A stable text for a global value, as far as it can change the compiled code."""
    from qdmlir.frontend.kernel import QdFunc

    if isinstance(value, enum.Enum):
        cls = type(value)
        return f"enum {cls.__module__}.{cls.__qualname__}.{value.name}={value.value!r}"
    if isinstance(value, (bool, int, float, str, bytes, type(None))):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, types.ModuleType):
        return f"module {value.__name__}"
    if isinstance(value, QdFunc):
        return f"qd.func {value_digest(value, depth)}"
    if isinstance(value, type) and issubclass(value, enum.Enum):
        members = ",".join(f"{m.name}={m.value!r}" for m in value)
        return f"enum-class {value.__module__}.{value.__qualname__}({members})"
    from qdmlir.runtime.matrix import Matrix
    from qdmlir.runtime.matrix_types import MatrixType

    if isinstance(value, Matrix):  # a host qd.Vector is compiled in as constants
        return f"matrix {value.entries.dtype} {value.entries.tolist()}"
    if isinstance(value, MatrixType):
        return f"matrix type {value.to_string()}"
    if isinstance(value, (tuple, list)) and len(value) < 64:
        return f"{type(value).__name__}({','.join(fingerprint(v, depth) for v in value)})"
    qualname = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"object {getattr(value, '__module__', '?')}.{qualname}"


def value_digest(qd_func: Any, depth: int = 0) -> str:
    """The digest of a qd.func: its source plus what its own globals resolve to."""
    if depth > 32:  # recursion between qd.funcs is a compile error; keep hashing finite
        return "recursive"
    src = function_source(qd_func.fn, kind="qd.func")
    return dependency_digest(src, depth + 1)


def dependency_digest(source: FunctionSource, depth: int = 0) -> str:
    """sha256 over the function's source and every global it reads."""
    digest = hashlib.sha256(source.text.encode())
    for chain in free_name_chains(source.tree):
        found, value = resolve_chain(source, chain)
        digest.update(".".join(chain).encode())
        digest.update(fingerprint(value, depth).encode() if found else b"<unresolved>")
    return digest.hexdigest()


# -- checkpoint labels ---------------------------------------------------------------------


class LabelError(Exception):
    """A checkpoint label that is not a compile-time int; the compiler reports it in context."""


def evaluate_label(source: FunctionSource, node: ast.expr) -> Any:
    """The object a `qd.checkpoint` label expression stands for.

    Accepted: an int literal (negative too), an IntEnum member, a module-level int. The object
    itself is returned (an IntEnum member stays that member); anything else raises LabelError.
    """
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    chain = _dotted(node)
    if chain is not None:
        found, value = resolve_chain(source, chain)
        if found and isinstance(value, int) and not isinstance(value, bool):
            if isinstance(value, enum.Enum) and not isinstance(value, enum.IntEnum):
                raise LabelError(f"{'.'.join(chain)} is an Enum member whose class is not IntEnum")
            return value
        if found:
            raise LabelError(f"{'.'.join(chain)} is {type(value).__name__} {value!r}, not an int")
        raise LabelError(f"name '{'.'.join(chain)}' is not defined")
    raise LabelError(f"`{ast.unparse(node)}` is not a compile-time constant")


FLAT_GRAPH_SPELLINGS = {
    "graph_do_while": "do_while",
    "graph_parallel_context": "parallel_context",
    "graph_parallel": "parallel",
}
"""Deprecated flat name -> its name in the `qd.graph` namespace (the same object)."""


def deprecated_graph_spellings(source: FunctionSource) -> dict[str, list[int]]:
    """The kernel's calls of a `qd.graph` construct by its deprecated flat name
    (`qd.graph_do_while(c)`, `graph_parallel()` imported bare), as canonical name -> the
    user-file lines of its uses. Recognised as the compiler does, by what the name resolves
    to, so a local or an unrelated `graph_parallel` is not one."""
    from qdmlir.frontend import lang

    found: dict[str, list[int]] = {}
    for node in ast.walk(source.tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        canonical = FLAT_GRAPH_SPELLINGS.get(name)
        chain = _dotted(func)
        if canonical is None or chain is None:
            continue
        resolved, value = resolve_chain(source, chain)
        if resolved and value is getattr(lang.graph, canonical):
            found.setdefault(canonical, []).append(source.span(node).line)
    return found


def checkpoint_labels(source: FunctionSource) -> dict[int, Any]:
    """The label objects of the kernel's `qd.checkpoint(...)` blocks, by int value.

    GraphStatus hands these back to the user (an IntEnum member stays that member). Labels the
    compiler would reject are skipped here: the compile reports them with their location.
    """
    from qdmlir.frontend import lang

    labels: dict[int, Any] = {}
    for node in ast.walk(source.tree):
        if not isinstance(node, ast.With):
            continue
        for item in node.items:
            call = item.context_expr
            if not isinstance(call, ast.Call):
                continue
            chain = _dotted(call.func)
            if chain is None or resolve_chain(source, chain) != (True, lang.checkpoint):
                continue
            label_node = (
                call.args[0]
                if call.args
                else next((k.value for k in call.keywords if k.arg == "cp_id"), None)
            )
            if label_node is None:
                continue
            try:
                label = evaluate_label(source, label_node)
            except LabelError:
                continue
            labels.setdefault(int(label), label)
    return labels
