"""The `checkpoint` dialect: the graph structure of a checkpointed kernel (docs/semantics.md).

A kernel is a `func.func` whose top level (and every `checkpoint.do_while` body) is a sequence of
tasks, checkpoint regions and serial statements. These three ops name that structure; the passes
in `passes/` number the regions and lower them to `scf.if` guards, so no op of this dialect ever
reaches upstream MLIR.
"""

from __future__ import annotations

from xdsl.dialects.builtin import I64, IntegerAttr, MemRefType, StringAttr, i32
from xdsl.dialects.func import FuncOp
from xdsl.ir import Block, BlockArgument, Dialect, Operation, Region
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    region_def,
    traits_def,
    var_region_def,
)
from xdsl.irdl.declarative_assembly_format import (
    AttributeVariable,
    CustomDirective,
    ParsingState,
    PrintingState,
    RegionVariable,
    VariadicRegionVariable,
    irdl_custom_directive,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import NoTerminator
from xdsl.utils.exceptions import VerifyException


@irdl_custom_directive
class Body(CustomDirective):
    """A single-block region without terminator: `{ ops }`.

    An empty `{}` parses as one empty block (as MLIR's NoTerminator ops do), so an op printed
    with an empty body parses back to the same op.
    """

    body: RegionVariable

    def parse(self, parser: Parser, state: ParsingState) -> None:
        region = parser.parse_region()
        if not region.blocks:
            region.add_block(Block())
        self.body.set(state, region)

    def print(self, printer: Printer, state: PrintingState, op: IRDLOperation) -> None:
        state.print_whitespace(printer)
        printer.print_region(self.body.get(op), print_empty_block=False)


def _single_block_region(ops=()) -> Region:
    return Region(Block(ops))


@irdl_custom_directive
class YieldOn(CustomDirective):
    """`yield_on <position> "<name>"`: the kernel argument a checkpoint reads its flag from.

    The position is what counts (the verifier checks it against the function's signature);
    the parameter name is there for the reader and may be left out when parsing.
    """

    position: AttributeVariable
    parameter: AttributeVariable

    def parse(self, parser: Parser, state: ParsingState) -> None:
        if parser.parse_optional_keyword("yield_on") is None:
            return
        self.position.set(state, IntegerAttr(parser.parse_integer(allow_boolean=False), 64))
        name = parser.parse_optional_str_literal()
        if name is not None:
            self.parameter.set(state, StringAttr(name))

    def print(self, printer: Printer, state: PrintingState, op: IRDLOperation) -> None:
        position = self.position.get(op)
        if position is None:
            return
        state.print_whitespace(printer)
        printer.print_string(f"yield_on {position.value.data}")
        parameter = self.parameter.get(op)
        if parameter is not None:
            printer.print_string(" ")
            printer.print_string_literal(parameter.data)
        state.last_was_punctuation = False

    def is_present(self, op: IRDLOperation) -> bool:
        return self.position.get(op) is not None


@irdl_op_definition
class RegionOp(IRDLOperation):
    """One checkpoint: the tasks of a slot in the kernel's checkpoint numbering.

    The region runs iff `slot >= resume_point` and no earlier task yielded. An explicit
    checkpoint (`with qd.checkpoint(label, yield_on=flag):`) carries the user's `label`; if it
    has `yield_on`, the kernel argument at that position (a 0-d i32 memref; `yield_on_name` is
    its parameter name, for reading) is read after each of its tasks, and a non-zero value makes
    the launch yield at this slot. A region without a label is an implicit checkpoint (one
    top-level task) and never yields. `slot` is absent until `checkpoint-number` assigns it.

        func.func @step(%x: memref<?xf32>, %flag: memref<i32>) {
          checkpoint.region slot 1 label 7 yield_on 1 "flag" {
            scf.parallel ... { ... }
          }
        }
    """

    name = "checkpoint.region"

    slot = opt_prop_def(IntegerAttr[I64])
    label = opt_prop_def(IntegerAttr[I64])
    yield_on = opt_prop_def(IntegerAttr[I64])
    yield_on_name = opt_prop_def(StringAttr)

    body = region_def("single_block")

    traits = traits_def(NoTerminator())

    custom_directives = (Body, YieldOn)
    assembly_format = (
        "(`slot` $slot^)? (`label` $label^)? custom<YieldOn>($yield_on, $yield_on_name) "
        "custom<Body>($body) attr-dict"
    )

    def __init__(
        self,
        ops=(),
        *,
        slot: int | None = None,
        label: int | None = None,
        yield_on: int | None = None,
        yield_on_name: str | None = None,
    ):
        super().__init__(
            properties={
                "slot": None if slot is None else IntegerAttr(slot, 64),
                "label": None if label is None else IntegerAttr(label, 64),
                "yield_on": None if yield_on is None else IntegerAttr(yield_on, 64),
                "yield_on_name": None if yield_on_name is None else StringAttr(yield_on_name),
            },
            regions=[_single_block_region(ops)],
        )

    @property
    def slot_index(self) -> int | None:
        return None if self.slot is None else self.slot.value.data

    @property
    def label_value(self) -> int | None:
        return None if self.label is None else self.label.value.data

    @property
    def yield_on_index(self) -> int | None:
        """The position of the flag among the kernel's arguments, None if it never yields."""
        return None if self.yield_on is None else self.yield_on.value.data

    def flag_argument(self) -> BlockArgument | None:
        """The kernel argument `yield_on` names (None without yield_on or outside a kernel)."""
        function = _enclosing_function(self)
        if self.yield_on is None or function is None:
            return None
        arguments = function.body.block.args
        index = self.yield_on_index
        return arguments[index] if 0 <= index < len(arguments) else None

    @property
    def block(self) -> Block:
        return self.body.block

    def verify_(self) -> None:
        if self.slot is not None and self.slot_index < 0:
            raise VerifyException(f"checkpoint.region slot must be >= 0, got {self.slot_index}")
        if self.yield_on is None:
            if self.yield_on_name is not None:
                raise VerifyException("checkpoint.region has a yield_on_name but no yield_on")
            return
        shown = _describe_yield_on(self)
        if self.label is None:
            raise VerifyException(
                f"checkpoint.region with {shown} needs a label: only an explicit checkpoint can "
                "yield"
            )
        function = _enclosing_function(self)
        if function is None:
            return  # a detached region: its function checks it once it has one
        arguments = function.body.block.args
        if not 0 <= self.yield_on_index < len(arguments):
            raise VerifyException(
                f"checkpoint.region {shown} does not resolve to an ndarray kernel parameter: "
                f"@{function.sym_name.data} has {len(arguments)} argument(s)"
            )
        flag_type = arguments[self.yield_on_index].type
        if flag_type != FLAG_TYPE:
            raise VerifyException(
                f"checkpoint.region {shown} names an argument of type {flag_type}: it must be "
                "a 0-d i32 memref (memref<i32>)"
            )


def _describe_yield_on(op: RegionOp) -> str:
    name = "" if op.yield_on_name is None else f' "{op.yield_on_name.data}"'
    return f"yield_on {op.yield_on_index}{name}"


def _enclosing_function(op: Operation) -> FuncOp | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, FuncOp):
        parent = parent.parent_op()
    return parent


FLAG_TYPE = MemRefType(i32, [])
"""A `yield_on` flag and a do-while condition: a 0-d i32 memref."""


@irdl_op_definition
class DoWhileOp(IRDLOperation):
    """A device-side do-while loop: run the body, repeat while `cond[] != 0`.

    `cond` is a 0-d i32 memref (`while qd.graph_do_while(cond):`). The loop also ends as soon
    as a task in it yields; `resume_point` is reset to 0 after every iteration, so only the
    first iteration of a resumed launch is partial (docs/semantics.md rule 3).

        checkpoint.do_while %counter : memref<i32> {
          checkpoint.region { ... }
        }
    """

    name = "checkpoint.do_while"

    cond = operand_def(MemRefType)

    body = region_def("single_block")

    traits = traits_def(NoTerminator())

    custom_directives = (Body,)
    assembly_format = "$cond `:` type($cond) custom<Body>($body) attr-dict"

    def __init__(self, cond, ops=()):
        super().__init__(operands=[cond], regions=[_single_block_region(ops)])

    @property
    def block(self) -> Block:
        return self.body.block

    def verify_(self) -> None:
        cond_type = self.cond.type
        assert isinstance(cond_type, MemRefType)
        if cond_type.get_shape() != () or cond_type.element_type != i32:
            raise VerifyException(
                "checkpoint.do_while condition must be a 0-d i32 memref (memref<i32>), "
                f"got {cond_type}"
            )


@irdl_op_definition
class SerialOp(IRDLOperation):
    """Straight-line code that runs once, on one thread, as a unit.

    At the kernel top level (or in a do-while body) it is a serial statement: it has no slot
    and runs on every launch, resumes included, unless a task already yielded (docs/semantics.md
    rule 1). Inside a `checkpoint.region` it is a serial task of that checkpoint (an `if` or
    `while` between the loops of a `with qd.checkpoint(...)` block).

        checkpoint.serial {
          memref.store %c0, %total[] : memref<i32>
        }
    """

    name = "checkpoint.serial"

    body = region_def("single_block")

    traits = traits_def(NoTerminator())

    custom_directives = (Body,)
    assembly_format = "custom<Body>($body) attr-dict"

    def __init__(self, ops=()):
        super().__init__(regions=[_single_block_region(ops)])

    @property
    def block(self) -> Block:
        return self.body.block

    def verify_(self) -> None:
        for op in self.body.walk():
            if isinstance(op, (RegionOp, DoWhileOp, ParallelOp)):
                raise VerifyException(
                    f"checkpoint.serial cannot contain {op.name}: serial code has no checkpoints"
                )


@irdl_custom_directive
class Sections(CustomDirective):
    """`section { ops } section { ops } ...`: each section a single-block region; none at all
    is an empty fork (a `qd.static(range(0))` generated no section)."""

    sections: VariadicRegionVariable

    def parse(self, parser: Parser, state: ParsingState) -> None:
        regions = []
        while parser.parse_optional_keyword("section") is not None:
            region = parser.parse_region()
            if not region.blocks:
                region.add_block(Block())
            regions.append(region)
        self.sections.set(state, regions)

    def print(self, printer: Printer, state: PrintingState, op: IRDLOperation) -> None:
        for region in self.sections.get(op):
            state.print_whitespace(printer)
            printer.print_string("section ")
            printer.print_region(region, print_empty_block=False)
            state.last_was_punctuation = False


_NOT_IN_A_SECTION = {
    "checkpoint.do_while": "a do-while cannot run inside a section (put the "
    "checkpoint.parallel in the loop's body instead)",
    "checkpoint.parallel": "sections cannot be nested (a checkpoint.parallel inside a section)",
}


@irdl_op_definition
class ParallelOp(IRDLOperation):
    """A fork/join: each region is a section, a sequence of tasks and serial statements.

    The sections fork from the work before the op and join before the work after it; the ops
    of one section keep their order, sections have none between them and may run at the same
    time (`with qd.graph.parallel_context():` holding `with qd.graph.parallel():` blocks,
    docs/semantics.md). A section body is a sequence like a do-while body, without do-whiles,
    nested forks or explicit checkpoints: its tasks take slots in source order like any task,
    and since no label sits in a section, nothing in one can yield.

        checkpoint.parallel section {
          scf.parallel (%i) = (%c0) to (%n) step (%c1) { ... }
        } section {
          checkpoint.serial { ... }
        }
    """

    name = "checkpoint.parallel"

    sections = var_region_def("single_block")

    traits = traits_def(NoTerminator())

    custom_directives = (Sections,)
    assembly_format = "custom<Sections>($sections) attr-dict"

    def __init__(self, sections=()):
        super().__init__(regions=[[_single_block_region(ops) for ops in sections]])

    @property
    def blocks(self) -> list[Block]:
        """The body of each section, in source order."""
        return [region.block for region in self.sections]

    def verify_(self) -> None:
        for index, block in enumerate(self.blocks):
            for op in block.walk():
                why = _NOT_IN_A_SECTION.get(op.name)
                if why is None and isinstance(op, RegionOp) and op.label is not None:
                    why = (
                        f"an explicit checkpoint (label {op.label_value}) cannot sit inside a "
                        "section: sections run in no set order, so none of them may yield"
                    )
                if why is not None:
                    raise VerifyException(f"checkpoint.parallel section {index}: {why}")


Checkpoint = Dialect("checkpoint", [RegionOp, DoWhileOp, SerialOp, ParallelOp], [])
