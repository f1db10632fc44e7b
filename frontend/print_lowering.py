"""`print(...)` inside a kernel (CPU target): each call appends one record to a print buffer.

The kernel cannot call Python, so a print writes its run-time values into the hidden
`qd_print` argument (runtime/print_records.py has the layout and prints the records after
the launch); the text around them is known at compile time and travels in the
manifest's `print_sites`. A record is claimed with one atomic add, so prints from parallel
iterations never overwrite each other; their order is the order they claimed space.

    print("step", i, "x =", x[i])      # a site: ["step ", value i32, " x = ", value f32, "\n"]
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import IntegerAttr, IntegerType
from xdsl.ir import Block

from qdmlir.dialects.atomic_kinds import ATOMIC_KINDS
from qdmlir.frontend.emitter import INDEX, Array, Scalar, memref_type
from qdmlir.frontend.matrix_lowering import as_matrix, is_matrix
from qdmlir.frontend.promotion import BOOL
from qdmlir.frontend.scope import Binding, Const
from qdmlir.runtime import abi
from qdmlir.runtime.artifact import ArgSpec
from qdmlir.runtime.dtypes import f64, i64, u64
from qdmlir.runtime.print_records import (
    DROPPED_WORD,
    END_OF_RECORDS,
    FIRST_RECORD_WORD,
    USED_WORD,
    format_constant,
)

if TYPE_CHECKING:  # the lowering these functions extend
    from qdmlir.frontend.statements import StatementLowering

I64 = IntegerType(64)


def lower_print(lowering: StatementLowering, node: ast.Call) -> Binding:
    """A print site from the call's arguments, and the IR that records its values."""
    if lowering.unit.target != "cpu":
        raise lowering.error(
            node,
            f"print() in a kernel runs on qd.cpu only; this kernel is "
            f"compiled for {lowering.unit.target}",
            "write the values to an ndarray and print them from Python",
        )
    options = {"sep": " ", "end": "\n"}
    for keyword in node.keywords:
        value = lowering.expr(keyword.value) if keyword.arg in options else None
        if not isinstance(value, Const) or not isinstance(value.value, (str, type(None))):
            raise lowering.error(
                keyword.value if keyword.arg else node,
                f"print() in a kernel takes sep= and end= strings only, not "
                f"`{ast.unparse(keyword)}`",
            )
        if value.value is not None:
            options[keyword.arg] = value.value
    pieces: list[list] = []  # ["text", str] and ["value", dtype name]
    values: list[Scalar] = []
    for position, arg in enumerate(node.args):
        if position:
            pieces.append(["text", options["sep"]])
        value = lowering.expr(arg)
        if is_matrix(value):
            _matrix_pieces(as_matrix(lowering, value, arg), pieces, values)
        elif isinstance(value, Const):
            pieces.append(["text", format_constant(value.value, lowering.unit.defaults.fp.name)])
        elif isinstance(value, Scalar):
            pieces.append(_value_piece(value))
            values.append(value)
        else:
            raise lowering.error(
                arg,
                f"print() in a kernel prints numbers and strings; "
                f"`{ast.unparse(arg)}` is "
                f"{'an ndarray' if isinstance(value, Array) else 'neither'}",
                "print its elements, e.g. print(x[i])",
            )
    pieces.append(["text", options["end"]])
    prints = lowering.unit.prints
    site = prints.site(lowering.source.span(node), pieces)
    _append_record(lowering.em, prints.buffer(lowering.em.location), site, values)
    return Const(None)


def _value_piece(value: Scalar) -> list:
    return ["value", "bool" if value.dtype == BOOL else value.dtype.name]


def _matrix_pieces(value, pieces: list, values: list) -> None:
    """A vector prints as `[1, 2, 3]`, a matrix as `[[1, 2], [3, 4]]`, as in Quadrants."""
    rows = (
        [value.entries]
        if value.ndim == 1
        else [value.entries[i * value.m : (i + 1) * value.m] for i in range(value.n)]
    )
    if value.ndim == 2:
        pieces.append(["text", "["])
    for r, row in enumerate(rows):
        pieces.append(["text", ("[" if not r else ", [")])
        for k, entry in enumerate(row):
            if k:
                pieces.append(["text", ", "])
            pieces.append(_value_piece(entry))
            values.append(entry)
        pieces.append(["text", "]"])
    if value.ndim == 2:
        pieces.append(["text", "]"])


class PrintSites:
    """The print buffer argument and the print sites of one kernel, shared by the lowerings of
    the kernel and of the qd.funcs it calls."""

    def __init__(self, entry: Block, args: list[ArgSpec]):
        self.entry = entry
        self.args = args  # the kernel's argument list: the buffer is appended to it
        self.sites: list[dict] = []
        self._buffer: Array | None = None

    def buffer(self, location) -> Array:
        """The hidden `qd_print` argument, added where runtime/abi.py orders it at the first
        print() (kernel.py refuses a parameter of the same name)."""
        if self._buffer is None:
            spec = abi.PRINT.spec()
            arguments = abi.with_hidden(self.args, [spec])
            position = arguments.index(spec)
            arg = self.entry.insert_arg(memref_type(spec.qd_dtype, spec.ndim), position)
            arg.name_hint = spec.name
            arg.location = location  # the print() that made the kernel need it
            self.args[:] = arguments
            self._buffer = Array(arg, spec.qd_dtype, spec.ndim)
        return self._buffer

    def site(self, span, pieces: list[list]) -> int:
        self.sites.append(
            {"file": span.file, "line": span.line, "col": span.col + 1, "pieces": pieces}
        )
        return len(self.sites) - 1


def _append_record(em, buffer: Array, site: int, values: list[Scalar]) -> None:
    """Claim 1 + len(values) words with an atomic add; write the record if it fits, else count
    it as dropped (claims only grow, so once one does not fit no later one does)."""
    size = 1 + len(values)

    def word(value: int):
        return em.value(arith.ConstantOp(IntegerAttr(value, I64)))

    def atomic_add(amount: int, at: int):
        return em.value(
            memref.AtomicRMWOp.build(
                operands=[word(amount), buffer.memref, [em.index_constant(at)]],
                result_types=[I64],
                properties={"kind": IntegerAttr(ATOMIC_KINDS["addi"], 64)},
            )
        )

    used = em.value(arith.IndexCastOp(atomic_add(size, USED_WORD), INDEX))
    start = em.value(arith.AddiOp(used, em.index_constant(FIRST_RECORD_WORD)))
    end = em.value(arith.AddiOp(start, em.index_constant(size)))
    fits = em.value(arith.CmpiOp(end, em.dim(buffer, 0), "ule"))

    def write() -> list:
        words = [word(site)] + [_as_word(em, v) for v in values]
        for offset, value in enumerate(words):
            at = em.value(arith.AddiOp(start, em.index_constant(offset)))
            em.emit(memref.StoreOp.get(value, buffer.memref, [at]))
        return []

    def drop() -> list:
        atomic_add(1, DROPPED_WORD)
        # the one record that straddles the end marks where the written records stop
        straddles = em.value(arith.CmpiOp(start, em.dim(buffer, 0), "ult"))

        def mark_the_end() -> list:
            em.emit(memref.StoreOp.get(word(END_OF_RECORDS), buffer.memref, [start]))
            return []

        em.if_(straddles, mark_the_end)
        return []

    em.if_(fits, write, drop)


def _as_word(em, value: Scalar):
    """A value as the i64 word the launcher decodes by the site's dtype: integers extended
    (bools as 0/1), floats widened to f64 and reinterpreted."""
    if value.dtype != BOOL and value.dtype.is_float:
        wide = em.cast(value, f64)
        return em.value(arith.BitcastOp(wide.ssa, I64))
    return em.cast(value, i64 if value.dtype == BOOL or value.dtype.signed else u64).ssa
