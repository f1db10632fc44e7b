"""MLIR's custom syntax for `scf.parallel`, `scf.execute_region` and `memref.atomic_rmw`, which
xDSL 0.74 lacks.

Tasks are `scf.parallel` ops and every IR dump is full of them; in xDSL's generic form they are
hard to read. These print and parse exactly as upstream MLIR does, so IR moves between qd-opt
and mlir-opt unchanged:

    scf.parallel (%i, %j) = (%c0, %c0) to (%n, %m) step (%c1, %c1) {
      ...
      scf.reduce
    }
    %old = memref.atomic_rmw addf %v, %x[%i] : (f32, memref<?xf32>) -> f32
    scf.execute_region no_inline {
      ...
      scf.yield
    } {qd.section}

xDSL's scf.execute_region has no `no_inline` property: it travels as a unit attribute of that
name, which upstream MLIR's parser takes as the property (passes/sections.py relies on it), and
xDSL's canonicalize leaves such a region in place, as upstream's does.

`install()` attaches them to xDSL's op classes once; `qdmlir.dialects` calls it on import.
Delete this file when xDSL grows the syntax itself.
"""

from __future__ import annotations

from xdsl.dialects import memref, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, UnitAttr
from xdsl.parser import Parser
from xdsl.printer import Printer

from qdmlir.dialects.atomic_kinds import ATOMIC_KIND_NAMES, ATOMIC_KINDS

NO_INLINE = "no_inline"


def _canonicalization_patterns(cls) -> tuple:
    from xdsl.pattern_rewriter import op_type_rewrite_pattern
    from xdsl.transforms.canonicalization_patterns.scf import SingleBlockExecuteInliner

    class InlineUnlessNoInline(SingleBlockExecuteInliner):
        @op_type_rewrite_pattern
        def match_and_rewrite(self, op: scf.ExecuteRegionOp, rewriter) -> None:
            if NO_INLINE not in op.attributes:
                SingleBlockExecuteInliner.match_and_rewrite(self, op, rewriter)

    return (InlineUnlessNoInline(),)


def _print_parallel(self: scf.ParallelOp, printer: Printer) -> None:
    printer.print_string(" ")
    ivs = self.body.block.args
    with printer.in_parens():
        printer.print_list(ivs, printer.print_ssa_value)
    for keyword, operands in (("=", self.lowerBound), ("to", self.upperBound), ("step", self.step)):
        printer.print_string(f" {keyword} ")
        with printer.in_parens():
            printer.print_list(operands, printer.print_ssa_value)
    if self.initVals:
        printer.print_string(" init ")
        with printer.in_parens():
            printer.print_list(self.initVals, printer.print_ssa_value)
        printer.print_string(" -> ")
        printer.print_list([v.type for v in self.initVals], printer.print_attribute)
    printer.print_string(" ")
    printer.print_region(self.body, print_entry_block_args=False)
    printer.print_op_attributes(self.attributes)


def _parse_parallel(cls: type[scf.ParallelOp], parser: Parser) -> scf.ParallelOp:
    delimiter = Parser.Delimiter.PAREN
    ivs = parser.parse_comma_separated_list(
        delimiter, lambda: parser.parse_argument(expect_type=False)
    )
    index = IndexType()

    def operands():
        return [
            parser.resolve_operand(o, index)
            for o in parser.parse_comma_separated_list(delimiter, parser.parse_unresolved_operand)
        ]

    parser.parse_punctuation("=")
    lower = operands()
    parser.parse_keyword("to")
    upper = operands()
    parser.parse_keyword("step")
    steps = operands()
    init_values = []
    if parser.parse_optional_keyword("init"):
        unresolved = parser.parse_comma_separated_list(delimiter, parser.parse_unresolved_operand)
        parser.parse_punctuation("->")
        types = [parser.parse_type() for _ in unresolved[:1]]
        while parser.parse_optional_punctuation(","):
            types.append(parser.parse_type())
        init_values = [parser.resolve_operand(o, t) for o, t in zip(unresolved, types)]
    body = parser.parse_region([iv.resolve(index) for iv in ivs])
    op = cls(lower, upper, steps, body, init_values)
    op.attributes |= parser.parse_optional_attr_dict()
    if not body.block.ops or not isinstance(body.block.last_op, scf.ReduceOp):
        body.block.add_op(scf.ReduceOp())  # the implicit terminator, as MLIR's parser does
    return op


def _print_atomic_rmw(self: memref.AtomicRMWOp, printer: Printer) -> None:
    printer.print_string(f" {ATOMIC_KIND_NAMES[self.kind.value.data]} ")
    printer.print_ssa_value(self.value)
    printer.print_string(", ")
    printer.print_ssa_value(self.memref)
    with printer.in_square_brackets():
        printer.print_list(self.indices, printer.print_ssa_value)
    printer.print_string(" : (")
    printer.print_attribute(self.value.type)
    printer.print_string(", ")
    printer.print_attribute(self.memref.type)
    printer.print_string(") -> ")
    printer.print_attribute(self.result.type)
    printer.print_op_attributes(self.attributes)


def _parse_atomic_rmw(cls: type[memref.AtomicRMWOp], parser: Parser) -> memref.AtomicRMWOp:
    kind_name = parser.parse_identifier()
    if kind_name not in ATOMIC_KINDS:
        parser.raise_error(
            f"unknown atomic_rmw kind '{kind_name}' (expected one of {', '.join(ATOMIC_KINDS)})"
        )
    value = parser.parse_unresolved_operand()
    parser.parse_punctuation(",")
    target = parser.parse_unresolved_operand()
    indices = parser.parse_comma_separated_list(
        Parser.Delimiter.SQUARE, parser.parse_unresolved_operand
    )
    parser.parse_punctuation(":")
    parser.parse_punctuation("(")
    value_type = parser.parse_type()
    parser.parse_punctuation(",")
    memref_type = parser.parse_type()
    parser.parse_punctuation(")")
    parser.parse_punctuation("->")
    result_type = parser.parse_type()
    op = cls.build(
        operands=[
            parser.resolve_operand(value, value_type),
            parser.resolve_operand(target, memref_type),
            [parser.resolve_operand(i, IndexType()) for i in indices],
        ],
        result_types=[result_type],
        properties={"kind": IntegerAttr(ATOMIC_KINDS[kind_name], 64)},
    )
    op.attributes |= parser.parse_optional_attr_dict()
    return op


def _print_execute_region(self: scf.ExecuteRegionOp, printer: Printer) -> None:
    if self.outs:
        printer.print_string(" -> (")
        printer.print_list(self.outs.types, printer.print_attribute)
        printer.print_string(")")
    if NO_INLINE in self.attributes:
        printer.print_string(" no_inline")
    printer.print_string(" ")
    printer.print_region(self.region, print_entry_block_args=False)
    printer.print_op_attributes(self.attributes, reserved_attr_names=(NO_INLINE,))


def _parse_execute_region(cls: type[scf.ExecuteRegionOp], parser: Parser) -> scf.ExecuteRegionOp:
    types = []
    if parser.parse_optional_punctuation("->") is not None:
        types = parser.parse_optional_comma_separated_list(
            Parser.Delimiter.PAREN, parser.parse_type
        )
        if types is None:
            types = [parser.parse_type()]
    no_inline = parser.parse_optional_keyword(NO_INLINE) is not None
    op = cls(types, parser.parse_region())
    op.attributes |= parser.parse_optional_attr_dict()
    if no_inline:
        op.attributes[NO_INLINE] = UnitAttr()
    return op


_installed = False


def install() -> None:
    """Give xDSL's scf.parallel, scf.execute_region and memref.atomic_rmw their MLIR custom
    syntax, and its canonicalize MLIR's respect for `no_inline` (idempotent)."""
    global _installed
    if _installed:
        return
    scf.ParallelOp.print = _print_parallel
    scf.ParallelOp.parse = classmethod(_parse_parallel)
    scf.ExecuteRegionOp.print = _print_execute_region
    scf.ExecuteRegionOp.parse = classmethod(_parse_execute_region)
    scf.ExecuteRegionOpHasCanonicalizationPatternsTrait.get_canonicalization_patterns = classmethod(
        _canonicalization_patterns
    )
    memref.AtomicRMWOp.print = _print_atomic_rmw
    memref.AtomicRMWOp.parse = classmethod(_parse_atomic_rmw)
    _installed = True
