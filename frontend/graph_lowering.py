"""A kernel's top level: tasks, checkpoints, do-while loops, serial statements (docs/semantics.md).

The kernel becomes a `func.func` over memrefs and scalars (docs/architecture.md §1). Each
top-level `for` is a task (`scf.parallel`); `with qd.checkpoint(...)` a `checkpoint.region`;
`while qd.graph.do_while(c)` a `checkpoint.do_while`; `with qd.graph.parallel_context():` a
`checkpoint.parallel` with one region per section; anything else a `checkpoint.serial`.
Variables assigned at the top level live in `memref.alloca` cells at the kernel entry, so every
task and every later serial statement can read them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from xdsl.dialects import func, memref, scf, vector
from xdsl.dialects.builtin import MemRefType, UnitAttr, VectorType
from xdsl.ir import Block, Region, SSAValue

from qdmlir.dialects.checkpoint import DoWhileOp, ParallelOp, RegionOp, SerialOp
from qdmlir.frontend import checkpoint_syntax, lang, loop_config, parallel_syntax
from qdmlir.frontend import matrix_lowering as ml
from qdmlir.frontend.emitter import INDEX, Array, Emitter, Scalar, memref_type, mlir_type
from qdmlir.frontend.loops import (
    bind_static_target,
    grouped_index,
    ndrange_dims,
    range_spec,
    static_items,
    trip_bounds,
)
from qdmlir.frontend.matrices import MatrixValue, StructValue, indices_of
from qdmlir.frontend.print_lowering import PrintSites
from qdmlir.frontend.promotion import Defaults
from qdmlir.frontend.scope import Const, KernelVar, Scope, assigned
from qdmlir.frontend.statements import StatementLowering
from qdmlir.runtime import abi
from qdmlir.runtime.artifact import ArgSpec


@dataclass
class TaskInfo:
    """The parallel loop being lowered: its induction variables, for atomic demotion."""

    ivs: list[SSAValue]
    single: bool = False  # at most one iteration (`for _ in range(1):`, a serialized loop)

    def owns(self, indices: list[SSAValue]) -> bool:
        """The task has one iteration, or every induction variable is used directly as an
        index: either way the element belongs to this iteration alone and `x[i] += v` needs
        no atomic."""
        if self.single:
            return True
        direct = {_strip_index_casts(index) for index in indices}
        return bool(self.ivs) and all(iv in direct for iv in self.ivs)


def _at_most_one_iteration(spec) -> bool:
    """A range whose bounds are constants at most one step apart (`range(1)`, `range(3, 4)`)."""
    from xdsl.dialects.arith import ConstantOp
    from xdsl.dialects.builtin import IntegerAttr

    bounds = [spec.start.ssa.owner, spec.stop.ssa.owner]
    if not all(isinstance(b, ConstantOp) and isinstance(b.value, IntegerAttr) for b in bounds):
        return False
    start, stop = (b.value.value.data for b in bounds)
    span = stop - start if spec.step > 0 else start - stop
    return span <= abs(spec.step)


def _strip_index_casts(value: SSAValue) -> SSAValue:
    from xdsl.dialects.arith import IndexCastOp

    while isinstance(value.owner, IndexCastOp):
        value = value.owner.input
    return value


@dataclass
class CompileUnit:
    """What the lowering of one kernel specialisation shares across functions."""

    kernel_name: str
    defaults: Defaults
    graph: bool
    checkpoints: bool
    call_stack: list = field(default_factory=list)
    task: TaskInfo | None = None
    labels: dict[int, ast.AST] = field(default_factory=dict)  # label value -> its node
    in_checkpoint: bool = False
    target: str = "cpu"  # what the kernel is compiled for ("cpu", "cuda", "rocm", "amdgpu")
    prints: object = None  # print_lowering.PrintSites, made by the kernel's lowering
    members: object = None  # members.Members: compound arguments taken apart (flatten.py)


class KernelLowering(StatementLowering):
    """Lowers one kernel into a func.func; `lower()` returns it."""

    def __init__(
        self,
        unit: CompileUnit,
        source,
        args: list[ArgSpec],
        layout=None,
    ):
        self.entry = Block(arg_types=[_arg_type(a) for a in args])
        super().__init__(
            unit, source, Emitter(self.entry, unit.defaults), Scope(function_root=True)
        )
        self.args = list(args)  # grows by the print buffer at the first print()
        self.params: dict[str, ArgSpec] = {a.name: a for a in args}
        unit.prints = PrintSites(self.entry, self.args)
        self.top_level_assignment = False
        self.loop_config: loop_config.LoopConfig | None = None  # for the next top-level loop
        parameters = {a.arg: a for a in source.tree.args.args + source.tree.args.kwonlyargs}
        # the leaves of compound arguments are bound by path below, with their offsets
        leaves = set() if layout is None else {leaf.name for leaf in layout.arguments}
        for spec, block_arg in zip(args, self.entry.args):
            block_arg.name_hint = spec.name
            # a parameter is located at its name in the signature; a hidden one at the `def`
            self.located(parameters.get(spec.name, source.tree))
            block_arg.location = self.em.location
            if spec.name == abi.DEBUG.name:  # qd.init(debug=True): check every access
                self.em.debug_buffer = block_arg
                continue
            if spec.kind == "ndarray":
                value = Array(block_arg, spec.qd_dtype, spec.ndim, element_shape=spec.element_shape)
            elif spec.kind == "matrix":
                value = self.matrix_parameter(block_arg, spec)
            else:
                value = Scalar(block_arg, spec.qd_dtype)
            if spec.name not in leaves:
                self.scope.bind(spec.name, value)
        if layout is not None:  # taken apart (frontend/flatten.py): leaves, constants, objects
            from qdmlir.frontend.members import Members

            names = {spec.name: arg for spec, arg in zip(args, self.entry.args)}
            unit.members = Members(layout, names)
            for name, value in unit.members.parameters().items():
                self.scope.bind(name, value)

    def matrix_parameter(self, block_arg, spec: ArgSpec) -> MatrixValue:
        """A vector / matrix parameter arrives as one MLIR vector (`vector<3xf32>`); its entries
        are taken out once, at the kernel entry, so tasks use scalars (glue: pure ops)."""
        entries = []
        for index in indices_of(spec.element_shape):
            extract = vector.ExtractOp(block_arg, list(index), mlir_type(spec.qd_dtype))
            entries.append(Scalar(self.em.value(extract), spec.qd_dtype))
        return MatrixValue(tuple(entries), spec.element_shape)

    def lower(self) -> func.FuncOp:
        tree = self.source.tree
        self.located(tree)
        if abi.RESULT.name in self.params and not any(
            isinstance(node, ast.Return) for node in ast.walk(tree)
        ):
            raise self.error(
                tree.returns or tree,
                "Kernel has a return type but does not have a return statement",
                "end the kernel with `return value`, or remove the return annotation",
            )
        self.top_level(_without_docstring(tree.body))
        self.located(tree)
        self.em.emit(func.ReturnOp())
        # named as the kernel object is (a renamed function keeps its def name in the source)
        function = func.FuncOp(
            self.unit.kernel_name, ([_arg_type(a) for a in self.args], []), Region(self.entry)
        )
        function.attributes["qd.kernel"] = UnitAttr()
        function.location = self.em.location
        return function

    # -- the top level ------------------------------------------------------------------------

    def top_level(self, body: list[ast.stmt]) -> None:
        for node in body:
            self.located(node)
            if self.loop_directive(node):
                continue
            if isinstance(node, ast.For):
                self.top_level_for(node)
            elif isinstance(node, ast.With):
                self.with_block(node)
            elif isinstance(node, ast.While) and checkpoint_syntax.is_do_while(self, node):
                self.do_while(node)
            elif isinstance(node, ast.Return):
                self.kernel_return(node)
            elif isinstance(node, ast.If) and checkpoint_syntax.is_static(self, node.test):
                chosen = node.body if self.expr(node.test).value else node.orelse
                self.top_level(chosen)
            elif isinstance(node, (ast.Pass,)) or _is_docstring(node):
                continue
            else:
                self.serial_statement(node)
        self.loop_directive(None)

    def loop_directive(self, node: ast.stmt | None) -> bool:
        """Take a `qd.loop_config(...)` for the loop that must come next (True), or check that
        none is waiting when `node`, another statement or the end of a body (None), comes."""
        if self.loop_config is not None and not (
            isinstance(node, ast.For) and not checkpoint_syntax.is_static(self, node.iter)
        ):
            raise loop_config.misplaced(self, self.loop_config)
        if node is None or not loop_config.is_loop_config(self, node):
            return False
        self.loop_config = loop_config.parse(self, node.value)
        return True

    def top_level_for(self, node: ast.For) -> None:
        if checkpoint_syntax.is_static(self, node.iter):
            self.unroll_top_level(node)
            return
        config, self.loop_config = self.loop_config, None
        self.task(loop_config.serialized(node) if config and config.serialize else node)

    def unroll_top_level(self, node: ast.For) -> None:
        """A `qd.static` loop at the top level repeats its top-level statements."""
        for item in static_items(self, node.iter):
            bind_static_target(self, node.target, item)
            self.top_level(node.body)

    def serial_statement(self, node: ast.stmt) -> None:
        serial = self.em.emit(SerialOp())
        assignment = isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
        with (
            self.em.inserting_at_end(serial.block),
            assigned(self, top_level_assignment=assignment),
        ):
            self.stmt(node)

    def define(self, name, value, node) -> None:
        """Top-level variables live in memory cells so later tasks can read them."""
        if self.top_level_assignment and isinstance(value, MatrixValue):
            cell = self.kernel_variable(name, value.entries[0], value.shape)
            ml.store(self, cell.array, [], value, node)
            return
        if self.top_level_assignment and isinstance(value, StructValue):
            self.scope.bind(name, self.struct_cells(name, value, node))
            return
        if self.top_level_assignment and isinstance(value, tuple):
            # `t = (*x.shape, 9)`: its run-time items in cells too (tasks cannot share SSA)
            value = tuple(
                self.hidden_cell(f"{name}.{k}", item) if isinstance(item, Scalar) else item
                for k, item in enumerate(value)
            )
        if (
            not self.top_level_assignment
            or isinstance(value, (Array, tuple))
            or (isinstance(value, Const) and not _is_number(value.value))
        ):
            super().define(name, value, node)
            return
        # a comparison result is stored as the default int: memory holds no i1 (MLIR's
        # memref-to-llvm aborts the whole process on an i1 store)
        scalar = self.as_scalar(value, node)
        scalar = self.em.cast(scalar, self.em.numeric(scalar.dtype))
        cell = self.kernel_variable(name, scalar)
        self.em.store(cell.array, [], scalar)

    def assign_name(self, name, value, node) -> None:
        current = self.scope.lookup(name)
        if self.top_level_assignment and isinstance(current, Scalar):
            # a scalar parameter reassigned at the top level becomes a variable in memory
            self.define(name, value, node)
            return
        super().assign_name(name, value, node)

    def hidden_cell(self, name: str, value: Scalar) -> KernelVar:
        """A cell holding `value` that only a compound value (a tuple) reaches."""
        scalar = self.em.cast(value, self.em.numeric(value.dtype))
        cell = self.kernel_variable(name, scalar)
        self.scope.names.pop(name)
        self.em.store(cell.array, [], scalar)
        return cell

    def struct_cells(self, name: str, value: StructValue, node) -> StructValue:
        """A top-level struct: a cell per member (nested structs member by member), written with
        the value; the name is bound to the struct of cells."""
        members = []
        for key, member in value.members:
            if isinstance(member, StructValue):
                members.append((key, self.struct_cells(f"{name}.{key}", member, node)))
                continue
            first = member.entries[0] if isinstance(member, MatrixValue) else member
            shape = member.shape if isinstance(member, MatrixValue) else ()
            cell = self.kernel_variable(f"{name}.{key}", first, shape)
            self.scope.names.pop(f"{name}.{key}")  # reached through the struct only
            if shape:
                ml.store(self, cell.array, [], member, node)
            else:
                self.em.store(cell.array, [], member)
            members.append((key, cell))
        return StructValue(tuple(members), value.name)

    def kernel_variable(self, name: str, initial: Scalar, shape: tuple = ()) -> KernelVar:
        dtype = self.em.numeric(initial.dtype)  # memory holds no i1 (see define)
        alloca = memref.AllocaOp.get(mlir_type(dtype), shape=list(shape))
        alloca.location = self.em.location
        first = self.entry.first_op
        if first is None:
            self.entry.add_op(alloca)
        else:
            self.entry.insert_op_before(alloca, first)
        alloca.results[0].name_hint = name
        cell = KernelVar(alloca.results[0], dtype, tuple(shape))
        self.scope.bind(name, cell)
        return cell

    def kernel_return(self, node: ast.Return) -> None:
        """`return value` as the last statement of a plain kernel annotated `-> qd.<type>`: a
        serial statement that writes the hidden result argument."""
        name = self.unit.kernel_name
        returns_nothing = node.value is None or (
            isinstance(node.value, ast.Constant) and node.value.value is None
        )
        if returns_nothing and abi.RESULT.name not in self.params:
            if node is not self.source.tree.body[-1]:
                raise self.error(
                    node,
                    "a kernel's `return` must be its last statement",
                    "leave it out: a kernel ends after its last statement",
                )
            return  # `return` / `return None` ending a kernel without a return type
        if self.unit.graph:
            raise self.error(
                node,
                f"kernel '{name}' returns a value, but graph=True kernels cannot return values",
                "write the result into an ndarray parameter (e.g. out[()] = value)",
            )
        result = self.scope.lookup(abi.RESULT.name) if abi.RESULT.name in self.params else None
        if result is None:
            raise self.error(
                node,
                f"kernel '{name}' returns a value but has no return type",
                f"annotate it: def {name}(...) -> qd.f32:",
            )
        if node is not self.source.tree.body[-1]:
            raise self.error(
                node,
                "a kernel's `return` must be its last statement",
                "compute the value into a variable and return it at the end",
            )
        if node.value is None:
            return
        serial = self.em.emit(SerialOp())
        with self.em.inserting_at_end(serial.block):
            if result.element_shape:  # `-> qd.math.vec3`: the entries of the vector
                ml.store(self, result, [], self.expr(node.value), node.value)
            else:
                self.em.store(result, [], self.scalar(node.value))

    # -- tasks ------------------------------------------------------------------------------

    def task(self, node: ast.For) -> None:
        """A top-level for loop: an scf.parallel over its range or ndrange."""
        if node.orelse:
            raise self.error(node, "`for ... else` is not supported in a kernel")
        em = self.em
        # the bounds are glue, outside any guard: they must write nothing (no debug records)
        with assigned(em, checking=False):
            dims = self.parallel_dims(node)
            bounds = [trip_bounds(em, spec) for spec in dims]
        body = em.new_block([INDEX] * len(dims))
        task = TaskInfo(list(body.args), all(map(_at_most_one_iteration, dims)))
        with self.nested(body), assigned(self.unit, task=task):
            variables = [variable(iv) for (_, _, _, variable), iv in zip(bounds, body.args)]
            self.bind_loop_target(node.target, grouped_index(self, node.iter, variables))
            self.stmts(node.body)
            em.emit(scf.ReduceOp())
        self.located(node)
        em.emit(
            scf.ParallelOp(
                [b[0] for b in bounds], [b[1] for b in bounds], [b[2] for b in bounds], Region(body)
            )
        )

    def parallel_dims(self, node: ast.For) -> list:
        spec = range_spec(self, node.iter)
        if spec is not None:
            return [spec]
        dims = ndrange_dims(self, node.iter)
        if dims is None:
            raise self.error(
                node.iter,
                f"cannot loop over `{ast.unparse(node.iter)}` at the kernel top level",
                "loop over range(...), qd.ndrange(...), qd.grouped(x), or an ndarray or field",
            )
        return dims

    # -- checkpoints, sections and do-while -------------------------------------------------

    def with_block(self, node: ast.With) -> None:
        """A `with` at the top level: a fork/join region, or a checkpoint."""
        if parallel_syntax.is_context(self, node):
            self.parallel_context(node)
        elif parallel_syntax.is_section(self, node):
            raise parallel_syntax.section_outside_a_context(self, node)
        else:
            self.checkpoint(node)

    def parallel_context(self, node: ast.With) -> None:
        """`with qd.graph.parallel_context():` -> `checkpoint.parallel`, one region per section
        that the static loops and ifs of its body generate, in source order."""
        parallel_syntax.check_context(self, node)
        fork = self.em.emit(ParallelOp())
        self.region_body(_without_docstring(node.body), fork)

    def region_body(self, body: list[ast.stmt], fork: ParallelOp) -> None:
        for stmt in body:
            self.located(stmt)
            if isinstance(stmt, ast.With):  # a section (check_context allows nothing else)
                block = Block()
                fork.add_region(Region(block))
                # names first assigned in a section are its own: sections may run at once
                with self.nested(block):
                    self.top_level(_without_docstring(stmt.body))
            elif isinstance(stmt, ast.If):
                self.region_body(stmt.body if self.expr(stmt.test).value else stmt.orelse, fork)
            elif isinstance(stmt, ast.For):
                for item in static_items(self, stmt.iter):
                    bind_static_target(self, stmt.target, item)
                    self.region_body(stmt.body, fork)

    def checkpoint(self, node: ast.With) -> None:
        label, flag = checkpoint_syntax.checkpoint_arguments(self, node)
        self.located(node)  # resolving the flag located the emitter at it
        position = None if flag is None else [a.name for a in self.args].index(flag)
        region = self.em.emit(RegionOp(label=int(label), yield_on=position, yield_on_name=flag))
        with self.em.inserting_at_end(region.block), assigned(self.unit, in_checkpoint=True):
            for stmt in _without_docstring(node.body):
                self.located(stmt)
                if self.loop_directive(stmt):
                    continue
                checkpoint_syntax.check_checkpoint_body_statement(self, stmt)
                if isinstance(stmt, ast.With) and parallel_syntax.is_context(self, stmt):
                    raise parallel_syntax.misplaced_context(self, stmt)
                if isinstance(stmt, ast.For):
                    self.top_level_for(stmt)
                elif isinstance(stmt, ast.Pass) or _is_docstring(stmt):
                    continue
                else:
                    self.serial_statement(stmt)  # an if / while between the loops
            self.loop_directive(None)

    def do_while(self, node: ast.While) -> None:
        condition = checkpoint_syntax.do_while_condition(self, node)
        self.located(node)
        loop = self.em.emit(DoWhileOp(condition))
        with self.em.inserting_at_end(loop.block):
            self.top_level(_without_docstring(node.body))


def _arg_type(spec: ArgSpec):
    if spec.kind == "ndarray":
        return memref_type(spec.qd_dtype, spec.ndim, spec.element_shape, spec.strided)
    if spec.kind == "matrix":
        return VectorType(mlir_type(spec.qd_dtype), spec.element_shape)
    return mlir_type(spec.qd_dtype)


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    return body[1:] if body and _is_docstring(body[0]) else body


def _is_number(value) -> bool:
    return isinstance(value, (int, float))


__all__ = ["CompileUnit", "KernelLowering", "MemRefType", "lang"]
