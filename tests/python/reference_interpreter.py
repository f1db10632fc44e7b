"""A reference interpreter of the kernel language and docs/semantics.md's launch rules, in Python.

It executes a kernel's Python AST directly, never the compiler's IR, so the differential tests
(test_differential.py) compare two independent readings of the same source. Slow is fine;
obvious is the point. The subset it knows is what the random programs use, defined exactly:

- values are `i32` (Python ints wrapped to 32 bits after every operation), `f32` (numpy float32,
  one IEEE rounding per operation) and `bool` (a comparison result; the default int in
  arithmetic); a Python literal takes the other operand's type (Quadrants' promotion);
- `+ - * // % / & | ^ << >>`, unary `- ~ not`, comparisons (chained), `and`/`or`, `x if c else y`,
  `int() float() abs() min() max() qd.cast() qd.atomic_*()`, ndarray reads and writes with
  `x[i]`/`x[()]`/`x.shape[k]`, local variables with block scoping, `if`/`for range`/`while`,
  `break`/`continue`, `@qd.func` calls inlined as frontend/inline.py does;
- the top level: tasks (`for` over `range` or `qd.ndrange`; after
  `qd.loop_config(serialize=True)` in order, with `break`), `with qd.checkpoint(label,
  yield_on=flag)`, nested `while qd.graph.do_while(c)`, serial statements, top-level variables.

The scalar rules live in reference_scalars.py, f32 vec3 values (constructors, + - * and scaling,
`@` by a 3x3 literal, swizzles, dot / sum / norm_sqr, ndarrays of vec3, entry writes) in
reference_vectors.py. Anything else, and anything the compiled code
leaves undefined (a float that does not fit an int, a shift by 32 or more, an out-of-bounds
index), raises `Unsupported` or `IndexError`: a program that
triggers one is a generator bug, never a result.
Task iterations run one after another, in the order `order` picks ("forward" or "reverse"):
running both and comparing detects a program whose result depends on iteration order.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import itertools
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import reference_vectors as rv
from reference_scalars import (
    BOOL,
    F32,
    I32,
    Const,
    Unsupported,
    Val,
    binary,
    cast,
    common_type,
    compare,
    literal,
    make,
    negate,
    numeric,
    truth,
    wrap32,
)

import qdmlir as qd
from qdmlir.frontend import lang
from qdmlir.frontend.kernel import QdFunc
from qdmlir.runtime.matrix_types import MatrixType
from qdmlir.runtime.status import GraphStatus

_ATOMIC_AUG = {"+": "add", "-": "add", "&": "and", "|": "or", "^": "xor"}
_BINARY = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
}  # fmt: skip
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


@dataclass
class Cell:
    """A top-level variable: one typed value shared by the whole launch."""

    dtype: str
    value: Any


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Return(Exception):
    def __init__(self, value):
        super().__init__()
        self.value = value


# -- the launch ------------------------------------------------------------------------------


@dataclass
class Slot:
    label: Any  # the user's label object, None for an implicit checkpoint
    yield_on: str | None


@dataclass
class Launch:
    """One launch: the arrays by parameter name, and the state docs/semantics.md describes."""

    arrays: dict[str, np.ndarray]
    resume_point: int
    yielded_at: int = -1
    cells: dict[str, Cell] = field(default_factory=dict)


class Scope:
    """Block scoping: a name assigned in a block is local to it; outer names are updated."""

    def __init__(self, parent: Scope | None = None):
        self.parent = parent
        self.names: dict[str, Any] = {}

    def lookup(self, name: str):
        scope = self
        while scope is not None:
            if name in scope.names:
                return scope
            scope = scope.parent
        return None


class ReferenceKernel:
    """`ReferenceKernel(qd_kernel)(*args)` and `.resume(*args, from_checkpoint=label)` behave as
    the compiled kernel does by docs/semantics.md, on numpy arrays (modified in place)."""

    def __init__(self, kernel, order: str = "forward"):
        self.fn = getattr(kernel, "fn", kernel)
        self.graph = getattr(kernel, "graph", True)
        self.checkpoints = getattr(kernel, "checkpoints", True)
        self.order = order
        tree = ast.parse(textwrap.dedent(inspect.getsource(self.fn)))
        self.tree = tree.body[0]
        self.globals = self.fn.__globals__
        self.params = [a.arg for a in self.tree.args.args]
        self.scalar_types = {}
        self.vector_arrays: set[str] = set()  # ndarrays of vec3
        for name, parameter in inspect.signature(self.fn).parameters.items():
            annotation = parameter.annotation
            if isinstance(annotation, str):
                annotation = eval(annotation, self.globals)  # noqa: S307 - test code
            if annotation is qd.i32 or annotation is qd.f32:
                self.scalar_types[name] = I32 if annotation is qd.i32 else F32
            if isinstance(getattr(annotation, "dtype", None), MatrixType):
                self.vector_arrays.add(name)
        self.slots: list[Slot] = []
        self.slot_of: dict[int, int] = {}  # numbering: AST node id -> slot
        self.last_slot: dict[int, int | None] = {}  # do-while node id -> last slot inside
        self._number(self._body(self.tree.body))

    # -- numbering (docs/semantics.md: dense, source order) --------------------------------------

    def _number(self, body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.For):
                self.slot_of[id(node)] = len(self.slots)
                self.slots.append(Slot(None, None))
            elif isinstance(node, ast.With):
                label, flag = self._checkpoint_arguments(node)
                if int(label) in {int(s.label) for s in self.slots if s.label is not None}:
                    raise Unsupported(f"label {label!r} used twice")
                self.slot_of[id(node)] = len(self.slots)
                self.slots.append(Slot(label, flag))
            elif self._is_do_while(node):
                first = len(self.slots)
                self._number(self._body(node.body))
                self.last_slot[id(node)] = len(self.slots) - 1 if len(self.slots) > first else None

    def _checkpoint_arguments(self, node: ast.With) -> tuple[Any, str]:
        call = node.items[0].context_expr
        if not (isinstance(call, ast.Call) and self._resolve(call.func) is lang.checkpoint):
            raise Unsupported("a `with` that is not qd.checkpoint")
        arguments = dict(zip(("cp_id", "yield_on"), call.args))
        arguments.update({k.arg: k.value for k in call.keywords})
        label = eval(compile(ast.Expression(arguments["cp_id"]), "<label>", "eval"), self.globals)
        flag = arguments["yield_on"]
        if not isinstance(flag, ast.Name) or flag.id not in self.params:
            raise Unsupported("yield_on must name a parameter")
        return label, flag.id

    def _is_do_while(self, node: ast.stmt) -> bool:
        return (
            isinstance(node, ast.While)
            and isinstance(node.test, ast.Call)
            and self._resolve(node.test.func) is lang.graph_do_while
        )

    def _resolve(self, node: ast.expr):
        if isinstance(node, ast.Name):
            if node.id in self.globals:
                return self.globals[node.id]
            return getattr(builtins, node.id, None)
        if isinstance(node, ast.Attribute):
            base = self._resolve(node.value)
            return getattr(base, node.attr, None)
        return None

    @staticmethod
    def _body(body: list[ast.stmt]) -> list[ast.stmt]:
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            return body[1:]
        return body

    # -- launching (docs/semantics.md rules 1-6) -------------------------------------------------

    def __call__(self, *args):
        return self._launch(args, 0)

    def resume(self, *args, from_checkpoint):
        if not self.checkpoints:
            raise RuntimeError("resume needs checkpoints=True")
        if not isinstance(from_checkpoint, int):
            raise RuntimeError("the label must be an int or IntEnum value")
        for slot, spec in enumerate(self.slots):
            if spec.label is not None and int(spec.label) == int(from_checkpoint):
                return self._launch(args, slot)
        raise RuntimeError(f"from_checkpoint={from_checkpoint!r} does not match any checkpoint")

    def _launch(self, args: tuple, resume_point: int):
        if len(args) != len(self.params):
            raise TypeError(f"expected {len(self.params)} arguments, got {len(args)}")
        launch = Launch({}, resume_point)
        scope = Scope()
        for name, value in zip(self.params, args):
            if isinstance(value, np.ndarray):
                if value.dtype not in (np.int32, np.float32):
                    raise Unsupported(f"an ndarray of {value.dtype}")
                launch.arrays[name] = value
                scope.names[name] = rv.VecArray(value) if name in self.vector_arrays else value
            elif name in self.scalar_types and isinstance(value, (int, float)):
                dtype = self.scalar_types[name]
                if dtype == I32 and not -(2**31) <= value < 2**31:
                    raise Unsupported(f"{value} does not fit i32")
                scope.names[name] = make(dtype, value)
            else:
                raise Unsupported(f"argument {name} of type {type(value).__name__}")
        self.launch = launch
        self._top_level(self._body(self.tree.body), scope)
        if not self.checkpoints:
            return None
        if launch.yielded_at == -1:
            return GraphStatus(False, None)
        return GraphStatus(True, self.slots[launch.yielded_at].label)

    def _runs(self, slot: int) -> bool:
        """Rule 1: a slot runs iff it is at or after the resume point and nothing yielded."""
        return self.launch.resume_point <= slot and self.launch.yielded_at == -1

    def _is_loop_config(self, node: ast.stmt) -> bool:
        """`qd.loop_config(serialize=True)`: the next task runs its iterations in order."""
        if not (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and self._resolve(node.value.func) is lang.loop_config
        ):
            return False
        keywords = {k.arg: k.value for k in node.value.keywords}
        if (
            node.value.args
            or set(keywords) != {"serialize"}
            or not (
                isinstance(keywords["serialize"], ast.Constant)
                and keywords["serialize"].value is True
            )
        ):
            raise Unsupported(f"`{ast.unparse(node)}`")
        return True

    def _top_level(self, body: list[ast.stmt], scope: Scope) -> None:
        launch = self.launch
        serialize = False
        for node in body:
            if self._is_loop_config(node):
                serialize = True
                continue
            if isinstance(node, ast.For):
                if self._runs(self.slot_of[id(node)]):
                    self._task(node, scope, serialize)
                serialize = False
            elif isinstance(node, ast.With):
                self._checkpoint(node, scope)
            elif self._is_do_while(node):
                self._do_while(node, scope)
            elif isinstance(node, ast.Pass):
                continue
            elif launch.yielded_at == -1:  # rule 1: serial statements, never after a yield
                Executor(self, scope, task=None, top_level=True).stmt(node)

    def _checkpoint(self, node: ast.With, scope: Scope) -> None:
        slot = self.slot_of[id(node)]
        flag = self.launch.arrays[self.slots[slot].yield_on]
        serialize = False
        for item in self._body(node.body):
            if self._is_loop_config(item):
                serialize = True
                continue
            if isinstance(item, ast.Pass) or not self._runs(slot):
                serialize = False
                continue
            if isinstance(item, ast.For):
                self._task(item, scope, serialize)
                serialize = False
            else:  # a serial task: an if / while between the loops
                Executor(self, scope, task=None, top_level=False).stmt(item)
            # rule 2: after each task; the first yielder wins (the guard saw yielded_at == -1)
            if flag[()] != 0:
                self.launch.yielded_at = slot

    def _do_while(self, node: ast.While, scope: Scope) -> None:
        launch = self.launch
        last = self.last_slot[id(node)]
        cond = launch.arrays[node.test.args[0].id]
        # the entry guard (docs/architecture.md §3): a loop whose slots all lie before the
        # resume point completed before the yield and is skipped entirely
        if launch.yielded_at != -1 or (last is not None and launch.resume_point > last):
            return
        while True:
            self._top_level(self._body(node.body), scope)
            if last is not None:
                launch.resume_point = 0  # rule 3: only the first iteration is partial
            if not (cond[()] != 0 and launch.yielded_at == -1):
                return

    def _task(self, node: ast.For, scope: Scope, serialize: bool = False) -> None:
        if node.orelse:
            raise Unsupported("for ... else")
        call = node.iter
        fn = self._resolve(call.func) if isinstance(call, ast.Call) else None
        executor = Executor(self, scope, task=None, top_level=False)
        if fn is range:
            iterations = [(value,) for value in range(*executor.range_bounds(call))]
        elif fn is lang.ndrange:
            iterations = list(itertools.product(*(executor.ndrange_dim(a) for a in call.args)))
        else:
            raise Unsupported(f"a task over `{ast.unparse(call)}`")
        if self.order == "reverse" and not serialize:
            iterations.reverse()
        names = node.target.elts if isinstance(node.target, ast.Tuple) else [node.target]
        if len(names) != len(iterations[0] if iterations else names):
            raise Unsupported("a loop target that does not match the range")
        for values in iterations:
            executor = Executor(self, Scope(scope), task=node, top_level=False)
            executor.ivs = [Val(I32, value) for value in values]
            for name, iv in zip(names, executor.ivs):
                executor.bind_target(name, iv)
            try:
                executor.stmts(node.body)
            except (_Break, _Continue) as jump:  # only a serialized task is a loop to jump in
                if not serialize:
                    raise Unsupported("`break`/`continue` in a parallel task") from None
                if isinstance(jump, _Break):
                    break


class Executor:
    """Runs statements and evaluates expressions in one scope; `task` is the enclosing task
    (for the atomic augmented assignments of parallel code), None in serial code."""

    def __init__(self, kernel: ReferenceKernel, scope: Scope, task, top_level: bool):
        self.kernel = kernel
        self.scope = scope
        self.task = task
        self.top_level = top_level  # a serial statement at the top level: it defines cells
        self.ivs: list[Val] = []
        self.dry = False

    def child(self) -> Executor:
        executor = Executor(self.kernel, Scope(self.scope), self.task, False)
        executor.ivs = self.ivs
        return executor

    # -- statements ------------------------------------------------------------------------

    def stmts(self, body: list[ast.stmt]) -> None:
        for node in body:
            self.stmt(node)

    def stmt(self, node: ast.stmt) -> None:
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(f"the statement {type(node).__name__}")
        method(node)

    def stmt_Pass(self, node) -> None:
        pass

    def stmt_Expr(self, node: ast.Expr) -> None:
        if not isinstance(node.value, ast.Constant):
            self.expr(node.value)

    def stmt_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) != 1:
            raise Unsupported("chained assignment")
        value = self.expr(node.value)
        self.assign(node.targets[0], value)

    def assign(self, target: ast.expr, value) -> None:
        """`name = v`; `x[i] = v` (a vec3 element too); `x[i][k] = v`, `x[i].y = v` (an entry
        of a vec3 element, in memory); `q[k] = v`, `q.y = v` (a new value for a local)."""
        entry = self.entry_place(target)
        if entry is not None:
            array, index = entry
            array.array[index] = cast(self.scalar(value), F32).value
        elif isinstance(target, ast.Name):
            self.assign_name(target.id, value)
        elif isinstance(target, ast.Subscript) and not isinstance(self.expr(target.value), rv.Vec):
            array, index = self.element(target)
            if isinstance(array, rv.VecArray):
                rv.store(array, index, value)
            else:
                self.store(array, index, self.scalar(value))
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            vector = self.expr(target.value)
            if not isinstance(vector, rv.Vec):
                raise Unsupported(f"assigning to {ast.unparse(target)}")
            position = self.entry_position(target)
            self.assign(target.value, vector.replaced(position, self.scalar(value)))
        else:
            raise Unsupported(f"assigning to {ast.unparse(target)}")

    def entry_position(self, node: ast.expr) -> int:
        if isinstance(node, ast.Attribute):
            return rv.SWIZZLE.index(node.attr)
        return self.expr(node.slice).value

    def entry_place(self, node: ast.expr):
        """`(VecArray, index of the entry)` for `x[i][k]` / `x[i].y`, else None."""
        if not isinstance(node, (ast.Subscript, ast.Attribute)):
            return None
        inner = node.value
        if not isinstance(inner, ast.Subscript):
            return None
        base = self.expr(inner.value)
        if not isinstance(base, rv.VecArray):
            return None
        array, index = self.element(inner)
        return array, index + (self.entry_position(node),)

    def assign_name(self, name: str, value) -> None:
        holder = self.scope.lookup(name)
        cells = self.kernel.launch.cells
        if name in cells and holder is None:
            cell = cells[name]
            cell.value = cast(self.scalar(value), cell.dtype).value
            return
        if holder is not None and isinstance(holder.names[name], np.ndarray):
            raise Unsupported(f"reassigning ndarray {name}")
        if isinstance(value, rv.Vec) or (
            holder is not None and isinstance(holder.names[name], rv.Vec)
        ):
            if self.top_level and holder is None:
                raise Unsupported("a top-level vector variable")
            entries = tuple(cast(e, F32) for e in value.entries)
            (holder or self.scope).names[name] = rv.Vec(entries)
            return
        if holder is not None and isinstance(holder.names[name], Val):
            current = holder.names[name]
            scalar = cast(self.scalar(value), current.dtype)
            if holder.parent is None and self.top_level:
                # a scalar parameter reassigned at the top level becomes a top-level variable
                del holder.names[name]
                cells[name] = Cell(scalar.dtype, scalar.value)
                return
            holder.names[name] = scalar
            return
        scalar = (
            value
            if isinstance(value, Const) and not isinstance(value.value, (int, float))
            else self.scalar(value)
        )
        if self.top_level and isinstance(scalar, Val):
            scalar = cast(scalar, numeric(scalar.dtype))  # memory holds a bool as the int
            cells[name] = Cell(scalar.dtype, scalar.value)
        else:
            self.scope.names[name] = scalar

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise Unsupported(f"augmented {type(node.op).__name__}")
        target = node.target
        entry = self.entry_place(target)
        if entry is not None:  # x[i][k] op= v: an entry of an owned vec3 element
            array, index = entry
            value = self.scalar(self.expr(node.value))
            old = Val(F32, np.float32(array.array[index]))
            array.array[index] = cast(binary(op, *self.operands(old, value)), F32).value
            return
        if isinstance(target, ast.Name):
            cells = self.kernel.launch.cells
            if target.id in cells and self.scope.lookup(target.id) is None:
                self.update(cells[target.id], None, op, node, owned=False)
                return
            current, value = self.expr(target), self.expr(node.value)
            if isinstance(current, rv.Vec) or isinstance(value, rv.Vec):
                self.assign_name(target.id, rv.entrywise(op, current, value))
                return
            current, value = self.operands(current, value)
            self.assign_name(target.id, binary(op, current, value))
        elif isinstance(target, ast.Subscript) and isinstance(self.expr(target.value), rv.VecArray):
            array, index = self.element(target)  # an owned vec3 element: plain entry updates
            value = self.expr(node.value)
            rv.store(array, index, rv.entrywise(op, rv.load(array, index), value))
        elif isinstance(target, (ast.Subscript, ast.Attribute)) and isinstance(
            self.expr(target.value), rv.Vec
        ):
            load = ast.copy_location(
                ast.BinOp(left=_as_load(target), op=node.op, right=node.value), node
            )
            self.assign(target, self.expr(load))
        elif isinstance(target, ast.Subscript):
            array, index = self.element(target)
            self.update(array, index, op, node, owned=self.owns(target))
        else:
            raise Unsupported(f"augmented assignment to {ast.unparse(target)}")

    def update(self, array, index, op: str, node: ast.AugAssign, owned: bool) -> None:
        """`x[i] op= v`: atomic in parallel code for + - & | ^ unless the index is the task's
        own loop index; the atomic converts `v` to the element type first."""
        value = self.scalar(self.expr(node.value))  # the frontend evaluates it first, too
        old = self.load(array, index)
        if op in _ATOMIC_AUG and self.task is not None and not owned:
            value = cast(value, old.dtype)
            if op == "-":
                value = negate(value)
            self.store(array, index, binary("+" if op == "-" else op, old, value))
            return
        self.store(array, index, binary(op, old, value))

    def owns(self, target: ast.Subscript) -> bool:
        """The frontend's test: every task index variable appears directly as an index."""
        if self.task is None or not self.ivs:
            return False
        parts = target.slice.elts if isinstance(target.slice, ast.Tuple) else [target.slice]
        direct = []
        for part in parts:
            if isinstance(part, ast.Name):
                holder = self.scope.lookup(part.id)
                if holder is not None:
                    direct.append(holder.names[part.id])
        return all(any(iv is d for d in direct) for iv in self.ivs)

    def stmt_If(self, node: ast.If) -> None:
        if truth(self.scalar(self.expr(node.test))).value:
            self.child().stmts(node.body)
        elif node.orelse:
            self.child().stmts(node.orelse)

    def stmt_For(self, node: ast.For) -> None:
        if (
            node.orelse
            or not isinstance(node.iter, ast.Call)
            or self.kernel._resolve(node.iter.func) is not range
        ):
            raise Unsupported(f"the loop `{ast.unparse(node.iter)}`")
        start, stop, step = self.range_bounds(node.iter)
        for value in range(start, stop, step):
            body = self.child()
            body.bind_target(node.target, Val(I32, value))
            try:
                body.stmts(node.body)
            except _Continue:
                continue
            except _Break:
                break

    def stmt_While(self, node: ast.While) -> None:
        if node.orelse or self.kernel._is_do_while(node):
            raise Unsupported("while ... else / a misplaced do-while")
        while truth(self.scalar(self.expr(node.test))).value:
            try:
                self.child().stmts(node.body)
            except _Continue:
                continue
            except _Break:
                break

    def stmt_Break(self, node) -> None:
        raise _Break()

    def stmt_Continue(self, node) -> None:
        raise _Continue()

    def range_bounds(self, call: ast.Call) -> tuple[int, int, int]:
        args = [self.expr(a) for a in call.args]
        step = 1
        if len(args) == 3:
            step = args.pop().value
        if len(args) == 1:
            args.insert(0, Const(0))
        start, stop = (self.scalar(a) for a in args)
        if F32 in (start.dtype, stop.dtype):
            raise Unsupported("float range bounds")
        return cast(start, I32).value, cast(stop, I32).value, step

    def ndrange_dim(self, node: ast.expr) -> range:
        """One `qd.ndrange` argument: `n` or `(begin, end)`."""
        if isinstance(node, ast.Tuple):
            begin, end = (cast(self.scalar(self.expr(e)), I32).value for e in node.elts)
            return range(begin, end)
        return range(cast(self.scalar(self.expr(node)), I32).value)

    def bind_target(self, target: ast.expr, value: Val) -> None:
        if not isinstance(target, ast.Name):
            raise Unsupported("a loop target that is not a name")
        self.scope.names[target.id] = value

    # -- memory ----------------------------------------------------------------------------

    def element(self, node: ast.Subscript) -> tuple[np.ndarray, tuple]:
        array = self.expr(node.value)
        if isinstance(array, rv.VecArray):
            _, index = self.element_of(array.array[..., 0], node)
            return array, index
        return self.element_of(array, node)

    def element_of(self, array, node: ast.Subscript) -> tuple[np.ndarray, tuple]:
        if not isinstance(array, np.ndarray):
            raise Unsupported(f"indexing {ast.unparse(node.value)}")
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        index = []
        for part in parts:
            value = self.scalar(self.expr(part))
            if value.dtype == F32:
                raise Unsupported("a float index")
            index.append(cast(value, I32).value)
        if len(index) != array.ndim:
            raise Unsupported(f"{len(index)} indices for a {array.ndim}-d array")
        if self.dry:
            return array, tuple(min(max(p, 0), n - 1) for p, n in zip(index, array.shape))
        for position, size in zip(index, array.shape):
            if not 0 <= position < size:
                raise IndexError(
                    f"index {tuple(index)} out of bounds for shape {array.shape} "
                    f"at `{ast.unparse(node)}`"
                )
        return array, tuple(index)

    def load(self, array, index) -> Val:
        if isinstance(array, Cell):
            return Val(array.dtype, array.value)
        if isinstance(array, rv.VecArray):
            return rv.load(array, index)
        dtype = I32 if array.dtype == np.int32 else F32
        return make(dtype, array[index])

    def store(self, array, index, value: Val) -> None:
        if isinstance(array, Cell):
            array.value = cast(value, array.dtype).value
            return
        dtype = I32 if array.dtype == np.int32 else F32
        array[index] = cast(value, dtype).value

    # -- expressions -----------------------------------------------------------------------

    def scalar(self, value) -> Val:
        if isinstance(value, Val):
            return value
        if isinstance(value, Const):
            return literal(value.value, None)
        raise Unsupported(f"{value!r} used as a number")

    def expr(self, node: ast.expr):
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(f"the expression {ast.unparse(node)}")
        return method(node)

    def operands(self, a, b) -> tuple[Val, Val]:
        if isinstance(a, Const) and isinstance(b, Val):
            return literal(a.value, b.dtype), b
        if isinstance(b, Const) and isinstance(a, Val):
            return a, literal(b.value, a.dtype)
        return self.scalar(a), self.scalar(b)

    def expr_Constant(self, node: ast.Constant):
        return Const(node.value)

    def expr_Name(self, node: ast.Name):
        holder = self.scope.lookup(node.id)
        if holder is not None:
            return holder.names[node.id]
        cells = self.kernel.launch.cells
        if node.id in cells:
            return Val(cells[node.id].dtype, cells[node.id].value)
        value = self.kernel._resolve(node)
        if value is None and node.id not in self.kernel.globals:
            raise Unsupported(
                f"name {node.id} is not defined (or a top-level variable read "
                "before this launch assigned it)"
            )
        return Const(value)

    def expr_Attribute(self, node: ast.Attribute):
        base = self.expr(node.value)
        if isinstance(base, rv.Vec):
            if set(node.attr) <= set(rv.SWIZZLE):
                return rv.swizzle(base, node.attr)
            return VecMethod(base, node.attr)
        if isinstance(base, rv.VecArray):
            base = base.array[..., 0]  # x.shape: the vectors' count
        if isinstance(base, np.ndarray):
            if node.attr != "shape":
                raise Unsupported(f"ndarray attribute {node.attr}")
            return tuple(Val(I32, n) for n in base.shape)
        if isinstance(base, Const):
            return Const(getattr(base.value, node.attr))
        raise Unsupported(f"attribute {node.attr}")

    def expr_Subscript(self, node: ast.Subscript):
        base = self.expr(node.value)
        if isinstance(base, tuple):
            index = self.expr(node.slice)
            return base[index.value]
        if isinstance(base, rv.Vec):
            return base.entries[self.expr(node.slice).value]
        array, index = self.element(node)
        return self.load(array, index)

    def expr_Tuple(self, node: ast.Tuple):
        return tuple(self.expr(e) for e in node.elts)

    expr_List = expr_Tuple

    def expr_BinOp(self, node: ast.BinOp):
        op = _BINARY.get(type(node.op))
        if op is None and not isinstance(node.op, ast.MatMult):
            raise Unsupported(f"operator {type(node.op).__name__}")
        left, right = self.expr(node.left), self.expr(node.right)
        if isinstance(node.op, ast.MatMult) and isinstance(left, rv.Mat):
            return rv.matmul(left, right)
        if isinstance(left, rv.Vec) or isinstance(right, rv.Vec):
            return rv.entrywise(op, left, right)
        if isinstance(left, Const) and isinstance(right, Const):
            raise Unsupported("a constant expression (the compiler folds it in Python)")
        return binary(op, *self.operands(left, right))

    def expr_UnaryOp(self, node: ast.UnaryOp):
        operand = self.expr(node.operand)
        if isinstance(operand, Const):
            if isinstance(node.op, ast.USub) and isinstance(operand.value, (int, float)):
                return Const(-operand.value)
            if isinstance(node.op, ast.Invert) and type(operand.value) is int:
                return Const(~operand.value)
            raise Unsupported("a constant unary expression")
        if isinstance(operand, rv.Vec) and isinstance(node.op, ast.USub):
            return rv.neg(operand)
        value = self.scalar(operand)
        if isinstance(node.op, ast.USub):
            return negate(value)
        if isinstance(node.op, ast.UAdd):
            return value
        if isinstance(node.op, ast.Not):
            return Val(BOOL, not truth(value).value)
        value = cast(value, numeric(value.dtype))
        if value.dtype == F32:
            raise Unsupported("~ on a float")
        return make(I32, ~value.value)

    def expr_Compare(self, node: ast.Compare):
        result = None
        left = self.expr(node.left)
        for op_node, right_node in zip(node.ops, node.comparators):
            right = self.expr(right_node)
            step = compare(_COMPARE[type(op_node)], *self.operands(left, right))
            result = step if result is None else Val(BOOL, result.value and step.value)
            left = right
        return result

    def expr_BoolOp(self, node: ast.BoolOp):
        is_and = isinstance(node.op, ast.And)
        for value_node in node.values:
            value = truth(self.scalar(self.expr(value_node))).value
            if value != is_and:
                return Val(BOOL, value)
        return Val(BOOL, is_and)

    def expr_IfExp(self, node: ast.IfExp):
        if truth(self.scalar(self.expr(node.test))).value:
            chosen, other = node.body, node.orelse
        else:
            chosen, other = node.orelse, node.body
        value = self.scalar(self.expr(chosen))
        # the result has the common type of both branches; evaluating the other branch has no
        # effect in this subset (no calls with side effects in expressions but atomics)
        other_type = self._static_type(other)
        return cast(value, common_type(value.dtype, other_type))

    def _static_type(self, node: ast.expr) -> str:
        """The type of the branch not taken: evaluated without effects (reads are clamped into
        bounds, atomics refused), since only its type matters."""
        self.dry = True
        try:
            return self.scalar(self.expr(node)).dtype
        finally:
            self.dry = False

    def expr_Call(self, node: ast.Call):
        if isinstance(node.func, ast.Attribute):  # a vector's method
            bound = self.expr(node.func) if not self.kernel._resolve(node.func) else None
            if isinstance(bound, VecMethod):
                args = [self.expr(a) for a in node.args]
                return rv.method(bound.vector, bound.name, args)
        fn = self.kernel._resolve(node.func)
        if node.keywords:
            raise Unsupported("keyword arguments")
        if isinstance(fn, MatrixType):  # qd.math.vec3(...)
            return rv.make_vector([self.expr(a) for a in node.args])
        if fn is qd.Vector:
            return rv.make_vector(list(self.expr(node.args[0])), None)
        if fn is qd.Matrix:
            return rv.make_matrix(self.expr(node.args[0]))
        if isinstance(fn, QdFunc):
            return self._call(fn, [self.expr(a) for a in node.args])
        if fn is int or fn is float:
            (arg,) = node.args
            value = self.expr(arg)
            if isinstance(value, Const):
                return Const(fn(value.value))
            return cast(self.scalar(value), I32 if fn is int else F32)
        if fn is abs or fn is lang.abs:
            value = self.scalar(self.expr(node.args[0]))
            value = cast(value, numeric(value.dtype))
            return (
                Val(F32, np.float32(abs(value.value)))
                if value.dtype == F32
                else make(I32, abs(value.value))
            )
        if fn in (min, max, lang.min, lang.max):
            return self._minmax("min" if fn in (min, lang.min) else "max", node.args)
        if fn is lang.cast:
            dtype = self.expr(node.args[1]).value
            target = {qd.i32: I32, qd.f32: F32}.get(dtype)
            if target is None:
                raise Unsupported(f"qd.cast to {dtype}")
            return cast(self.scalar(self.expr(node.args[0])), target)
        atomics = {
            lang.atomic_add: "+",
            lang.atomic_sub: "-",
            lang.atomic_min: "min",
            lang.atomic_max: "max",
            lang.atomic_and: "&",
            lang.atomic_or: "|",
            lang.atomic_xor: "^",
        }
        for atomic, op in atomics.items():
            if fn is atomic:
                return self._atomic(op, node.args)
        raise Unsupported(f"calling {ast.unparse(node.func)}")

    def _call(self, qd_func, args: list):
        """A @qd.func, inlined as the frontend does (frontend/inline.py): its own scope, scalar
        arguments by value (cast to an annotated type), ndarrays by reference. A body whose
        one `return` is its last statement gives that expression as it is; otherwise the
        annotated return type holds the value, 0 if no `return` runs."""
        fn = qd_func.fn
        signature = inspect.signature(fn)
        bound = signature.bind(*args)
        given = set(bound.arguments)
        bound.apply_defaults()
        scope = Scope()
        for name, value in bound.arguments.items():
            value = Const(value) if name not in given else value
            annotation = self._annotation(fn, signature.parameters[name].annotation)
            if isinstance(value, Const) and isinstance(value.value, (int, float)):
                value = literal(value.value, None)
            if annotation is not None and isinstance(value, Val):
                value = cast(value, annotation)
            scope.names[name] = value
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]
        body = ReferenceKernel._body(tree.body)
        callee = Executor(self.kernel, scope, self.task, top_level=False)
        returns = [n for n in ast.walk(tree) if isinstance(n, ast.Return)]
        if not returns:
            callee.stmts(body)
            return Const(None)
        if returns == [body[-1]]:
            callee.stmts(body[:-1])
            return callee.expr(body[-1].value) if body[-1].value is not None else Const(None)
        result_type = self._annotation(
            fn,
            tree.returns
            and eval(  # noqa: S307 - test code
                compile(ast.Expression(tree.returns), "<returns>", "eval"), fn.__globals__
            ),
        )
        if result_type is None:
            raise Unsupported("several returns without a return type")
        try:
            callee.stmts(body)
        except _Return as done:
            return cast(self.scalar(done.value), result_type)
        return make(result_type, 0)

    @staticmethod
    def _annotation(fn, annotation) -> str | None:
        if isinstance(annotation, str):
            annotation = eval(annotation, fn.__globals__)  # noqa: S307 - test code
        return {qd.i32: I32, qd.f32: F32}.get(annotation) if annotation is not None else None

    def stmt_Return(self, node: ast.Return) -> None:
        raise _Return(self.expr(node.value) if node.value is not None else Const(None))

    def _minmax(self, name: str, args: list[ast.expr]) -> Val:
        values = [self.expr(a) for a in args]
        result = self.scalar(values[0])
        for value in values[1:]:
            a, b = self.operands(result, value)
            dtype = numeric(common_type(a.dtype, b.dtype))
            if dtype == F32:
                raise Unsupported("min/max of floats (maxnum's NaN and signed-zero rules)")
            x, y = cast(a, I32).value, cast(b, I32).value
            result = Val(I32, min(x, y) if name == "min" else max(x, y))
        return result

    def _atomic(self, op: str, args: list[ast.expr]) -> Val:
        target, value_node = args
        if self.dry:
            raise Unsupported("an atomic in the branch `x if c else y` does not take")
        if isinstance(target, ast.Subscript):
            array, index = self.element(target)
        elif isinstance(target, ast.Name) and target.id in self.kernel.launch.cells:
            array, index = self.kernel.launch.cells[target.id], None
        else:
            raise Unsupported("an atomic on something that is not an element")
        old = self.load(array, index)
        value = cast(self.scalar(self.expr(value_node)), old.dtype)
        if op == "-":
            value, op = negate(value), "+"
        if op in ("min", "max"):
            if old.dtype == F32:
                raise Unsupported("atomic min/max of floats")
            new = Val(
                I32, min(old.value, value.value) if op == "min" else max(old.value, value.value)
            )
        else:
            new = binary(op, old, value)
        self.store(array, index, new)
        return old


@dataclass(frozen=True)
class VecMethod:
    """`v.dot` before its call."""

    vector: rv.Vec
    name: str


def _as_load(target: ast.expr) -> ast.expr:
    """An assignment target read as a value (`q.x` in `q.x += 1`)."""
    import copy

    load = copy.deepcopy(target)
    load.ctx = ast.Load()
    return load


__all__ = ["ReferenceKernel", "Unsupported", "wrap32"]
