"""Typed value emission: the arith / math / memref ops behind each kernel-language operation.

Values carry their qd type, because MLIR integers are signless: `Scalar(ssa, dtype)` knows
whether its i32 is `qd.i32` or `qd.u32`, and each operation picks the signed or unsigned op.
Every op is created at the emitter's current location (the Python node being lowered), at its
current insertion point: the end of `block`. Nested regions are entered with
`inserting_at_end(block)`, which restores the outer insertion point on the way out whatever
happens inside, as Triton's code generator does; `block_of` and `if_` build the common
structured ops on top of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from xdsl.dialects import arith, math, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    StridedLayoutAttr,
    i1,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue

from qdmlir.dialects.atomic_kinds import ATOMIC_KINDS
from qdmlir.frontend.promotion import BOOL, Defaults, promote
from qdmlir.runtime.dtypes import DType

QdType = DType | str  # a DType, or BOOL for comparison results

INDEX = IndexType()


@dataclass(frozen=True)
class Scalar:
    """A scalar SSA value and its qd type."""

    ssa: SSAValue
    dtype: QdType


@dataclass(frozen=True)
class Array:
    """An ndarray or a field: its memref value, scalar type and rank. A field's `offset` is
    the index of its first element per axis (subtracted from every index); `boundary`
    "clamp" clamps every index into its axis (qd.types.ndarray(boundary="clamp")). An
    ndarray or field of vectors or matrices (`element_shape` (3,) or (3, 3)) has those sizes
    as its memref's last, static axes; offsets and clamping apply to the others only."""

    memref: SSAValue
    dtype: DType
    ndim: int
    offset: tuple[int, ...] | None = None
    boundary: str = "unsafe"
    element_shape: tuple[int, ...] = ()


def mlir_type(dtype: QdType) -> Attribute:
    """The MLIR type that stores a qd type."""
    if dtype == BOOL:
        return i1
    if dtype.is_float:
        return {16: Float16Type(), 32: Float32Type(), 64: Float64Type()}[dtype.bits]
    return IntegerType(dtype.bits)


def memref_type(
    dtype: DType, ndim: int, element_shape: tuple[int, ...] = (), strided: bool = False
) -> MemRefType:
    """`memref<?x?xT>` (C-contiguous), `memref<?x3xT>` for an ndarray of vec3 (element sizes
    are static), or with `strided` `memref<?x3xT, strided<[?, ?]>>`: a stride per axis,
    the element's included, from the launch; offset 0 (the data pointer is the first
    element's address)."""
    shape = [DYNAMIC_INDEX] * ndim + list(element_shape)
    if strided and shape:
        layout = StridedLayoutAttr([None] * len(shape), 0)
        return MemRefType(mlir_type(dtype), shape, layout=layout)
    return MemRefType(mlir_type(dtype), shape)


class Emitter:
    """Appends ops to `block` at `location`; the statement lowerer moves both as it goes."""

    def __init__(self, block: Block, defaults: Defaults):
        self.block = block
        self.defaults = defaults
        self.location = None
        # qd.init(debug=True): the hidden `qd_debug` buffer every ndarray access is checked
        # against, and one site (where, which array) per check; see runtime/debug_checks.py
        self.debug_buffer: SSAValue | None = None
        self.sites: list[dict] = []
        self.checking = True  # off while emitting task bounds: glue must not write memory

    def emit(self, op: Operation) -> Operation:
        if self.location is not None:
            op.location = self.location
        self.block.add_op(op)
        return op

    def value(self, op: Operation) -> SSAValue:
        return self.emit(op).results[0]

    # -- insertion points and structured ops -----------------------------------------------

    @contextmanager
    def inserting_at_end(self, block: Block) -> Iterator[Block]:
        """Emit into `block` inside the `with`; the outer insertion point comes back after."""
        outer = self.block
        self.block = block
        try:
            yield block
        finally:
            self.block = outer

    def new_block(self, arg_types: Sequence[Attribute] = ()) -> Block:
        """An empty block whose arguments (loop indices, carried values) are located at the
        current node."""
        block = Block(arg_types=arg_types)
        if self.location is not None:
            for arg in block.args:
                arg.location = self.location
        return block

    def block_of(
        self, build: Callable[[], Sequence[SSAValue]] | None, arg_types: Sequence = ()
    ) -> Block:
        """A new block holding what `build()` emits, ended by `scf.yield` of what it returns."""
        block = self.new_block(arg_types)
        with self.inserting_at_end(block):
            yielded = build() if build is not None else ()
            self.emit(scf.YieldOp(*yielded))
        return block

    def if_(
        self,
        cond: SSAValue,
        then: Callable[[], Sequence[SSAValue]],
        otherwise: Callable[[], Sequence[SSAValue]] | None = None,
        result_types: Sequence[Attribute] = (),
    ) -> scf.IfOp:
        """`scf.if cond { then() } else { otherwise() }`; each branch returns what it yields.
        Without results and an `otherwise`, the op has no else region."""
        then_block = self.block_of(then)
        else_block = self.block_of(otherwise) if otherwise or result_types else None
        return self.emit(
            scf.IfOp(cond, result_types, [then_block], [else_block] if else_block else None)
        )

    # -- constants and conversions ---------------------------------------------------------

    def constant(self, value: int | float | bool, dtype: QdType) -> Scalar:
        if dtype == BOOL:
            return Scalar(self.value(arith.ConstantOp(IntegerAttr(int(bool(value)), i1))), BOOL)
        if dtype.is_float:
            attr = FloatAttr(float(value), mlir_type(dtype))
        else:
            attr = IntegerAttr(_wrap(int(value), dtype), mlir_type(dtype))
        return Scalar(self.value(arith.ConstantOp(attr)), dtype)

    def index_constant(self, value: int) -> SSAValue:
        return self.value(arith.ConstantOp(IntegerAttr(value, INDEX)))

    def cast(self, x: Scalar, to: QdType) -> Scalar:
        """Convert as Quadrants does: C truncation from float to int, wrap between ints."""
        if x.dtype is to or x.dtype == to:
            return x
        if x.dtype == BOOL:
            if to.is_float:
                return Scalar(self.value(arith.UIToFPOp(x.ssa, mlir_type(to))), to)
            return Scalar(self.value(arith.ExtUIOp(x.ssa, mlir_type(to))), to)
        if to == BOOL:
            return self.truth(x)
        src, dst = x.dtype, to
        if src.is_float and dst.is_float:
            op = arith.ExtFOp if dst.bits > src.bits else arith.TruncFOp
            return Scalar(self.value(op(x.ssa, mlir_type(dst))), dst)
        if src.is_float:
            op = arith.FPToSIOp if dst.signed else arith.FPToUIOp
            return Scalar(self.value(op(x.ssa, mlir_type(dst))), dst)
        if dst.is_float:
            op = arith.SIToFPOp if src.signed else arith.UIToFPOp
            return Scalar(self.value(op(x.ssa, mlir_type(dst))), dst)
        if dst.bits == src.bits:
            return Scalar(x.ssa, dst)  # same bits, another sign: a reinterpretation
        if dst.bits < src.bits:
            return Scalar(self.value(arith.TruncIOp(x.ssa, mlir_type(dst))), dst)
        op = arith.ExtSIOp if src.signed else arith.ExtUIOp
        return Scalar(self.value(op(x.ssa, mlir_type(dst))), dst)

    def to_index(self, x: Scalar) -> SSAValue:
        """An integer scalar as an `index` (for subscripts and loop bounds)."""
        if x.dtype == BOOL or x.dtype.is_float:
            x = self.cast(x, self.defaults.ip)
        if not x.dtype.signed and x.dtype.bits < 64:
            x = self.cast(x, _signed_of_width(64))  # zero-extend before the signed cast
        return self.value(arith.IndexCastOp(x.ssa, INDEX))

    def from_index(self, value: SSAValue, dtype: DType) -> Scalar:
        return Scalar(self.value(arith.IndexCastOp(value, mlir_type(dtype))), dtype)

    def truth(self, x: Scalar) -> Scalar:
        """`x != 0` as a bool (Python truthiness of a number)."""
        if x.dtype == BOOL:
            return x
        zero = self.constant(0, x.dtype)
        if x.dtype.is_float:
            return Scalar(self.value(arith.CmpfOp(x.ssa, zero.ssa, "une")), BOOL)
        return Scalar(self.value(arith.CmpiOp(x.ssa, zero.ssa, "ne")), BOOL)

    def select(self, cond: Scalar, a: Scalar, b: Scalar) -> Scalar:
        common = self.common_type(a.dtype, b.dtype)
        a, b = self.cast(a, common), self.cast(b, common)
        return Scalar(self.value(arith.SelectOp(self.truth(cond).ssa, a.ssa, b.ssa)), common)

    def common_type(self, a: QdType, b: QdType) -> QdType:
        if a == BOOL and b == BOOL:
            return BOOL
        return promote(self.numeric(a), self.numeric(b))

    def numeric(self, t: QdType) -> DType:
        """Bools count as the default int in arithmetic."""
        return self.defaults.ip if t == BOOL else t

    # -- memory ------------------------------------------------------------------------------

    def load(self, array: Array, indices: list[SSAValue]) -> Scalar:
        def access() -> Scalar:
            return Scalar(self.value(memref.LoadOp.get(array.memref, indices)), array.dtype)

        return self.checked(array, indices, access, "read")

    def store(self, array: Array, indices: list[SSAValue], value: Scalar) -> None:
        value = self.cast(value, array.dtype)

        def access() -> None:
            self.emit(memref.StoreOp.get(value.ssa, array.memref, indices))

        self.checked(array, indices, access, "write")

    def atomic(self, kind: str, array: Array, indices: list[SSAValue], value: Scalar) -> Scalar:
        """`memref.atomic_rmw`; `kind` is add/min/max/and/or/xor; returns the old value."""
        value = self.cast(value, array.dtype)
        rmw_kind = _atomic_kind(kind, array.dtype)

        def access() -> Scalar:
            op = memref.AtomicRMWOp.build(
                operands=[value.ssa, array.memref, indices],
                result_types=[mlir_type(array.dtype)],
                properties={"kind": IntegerAttr(ATOMIC_KINDS[rmw_kind], 64)},
            )
            return Scalar(self.value(op), array.dtype)

        return self.checked(array, indices, access, f"atomic {kind}")

    # -- bounds checks (qd.init(debug=True), runtime/debug_checks.py) -----------------------

    def checked(self, array: Array, indices: list[SSAValue], access, what: str):
        """`access()` if every index is within its dimension; otherwise record the first bad
        access in the debug buffer and skip it (a read gives 0). Unchecked without debug."""
        if self.debug_buffer is None or not indices or not self.checking:
            return access()
        site = self._site(array, what, len(indices))
        dims = [self.dim(array, axis) for axis in range(len(indices))]
        inside = None
        for index, size in zip(indices, dims):
            # unsigned: a negative index is a huge one
            test = self.value(arith.CmpiOp(index, size, "ult"))
            inside = test if inside is None else self.value(arith.AndIOp(inside, test))
        done: list[Scalar | None] = []

        def checked_access() -> list[SSAValue]:
            done.append(access())
            return [done[0].ssa] if done[0] is not None else []

        def skipped() -> list[SSAValue]:
            self._record(site, indices, dims)
            return [self.constant(0, done[0].dtype).ssa] if done[0] is not None else []

        then_block, else_block = self.block_of(checked_access), self.block_of(skipped)
        result = done[0]
        types = [mlir_type(result.dtype)] if result is not None else []
        op = self.emit(scf.IfOp(inside, types, [then_block], [else_block]))
        return Scalar(op.results[0], result.dtype) if result is not None else None

    def check_in_range(self, name: str, shape: tuple[int, ...], indices: list[SSAValue]) -> None:
        """Record (not skip) a run-time index outside a local vector or matrix of `shape`:
        reading it gives the last entry and writing it changes nothing, so only the report
        is needed (qd.init(debug=True))."""
        site = self._site(None, "vector / matrix index", len(shape))
        self.sites[site]["array"] = name
        sizes = [self.index_constant(n) for n in shape]
        inside = None
        for index, size in zip(indices, sizes):
            test = self.value(arith.CmpiOp(index, size, "ult"))
            inside = test if inside is None else self.value(arith.AndIOp(inside, test))
        outside = self.value(arith.XOrIOp(inside, self.constant(True, BOOL).ssa))
        self.if_(outside, lambda: self._record(site, indices, sizes) or [])

    def checked_division(self, a: Scalar, b: Scalar, op: str, compute) -> Scalar:
        """`compute(divisor)` (an integer `//` or `%` of `a`) unless it would trap: a zero
        divisor, or INT_MIN // -1 for a signed type. In debug mode that is recorded like a bad
        index; otherwise the result is 0 (and INT_MIN // -1 wraps), as on GPUs, where x86's
        divide instruction would kill the process with SIGFPE."""
        if _safe_constant_divisor(b):
            return compute(b)
        if self.debug_buffer is None or not self.checking:
            return self.non_trapping_division(a, b, compute)
        site = self._site(None, f"integer {op}")
        divisor_ok = self.value(arith.CmpiOp(b.ssa, self.constant(0, b.dtype).ssa, "ne"))
        if b.dtype.signed:
            low = self.value(arith.CmpiOp(a.ssa, self.constant(b.dtype.min, a.dtype).ssa, "eq"))
            minus = self.value(arith.CmpiOp(b.ssa, self.constant(-1, b.dtype).ssa, "eq"))
            overflow = self.value(arith.AndIOp(low, minus))
            fine = self.value(arith.XOrIOp(overflow, self.constant(True, BOOL).ssa))
            divisor_ok = self.value(arith.AndIOp(divisor_ok, fine))
        done: list[Scalar] = []

        def divide() -> list[SSAValue]:
            done.append(compute(b))
            return [done[0].ssa]

        def skipped() -> list[SSAValue]:
            operands = [self._as_i64(a), self._as_i64(b)]
            self._record(site, operands, operands)
            return [self.constant(0, done[0].dtype).ssa]

        then_block, else_block = self.block_of(divide), self.block_of(skipped)
        dtype = done[0].dtype
        op_ = self.emit(scf.IfOp(divisor_ok, [mlir_type(dtype)], [then_block], [else_block]))
        return Scalar(op_.results[0], dtype)

    def non_trapping_division(self, a: Scalar, b: Scalar, compute) -> Scalar:
        """Divide by 1 where the divisor would trap, then give 0 for a zero divisor: two
        compares and two selects next to a division that costs tens of cycles."""
        is_zero = self.value(arith.CmpiOp(b.ssa, self.constant(0, b.dtype).ssa, "eq"))
        trap = is_zero
        if b.dtype.signed:
            low = self.value(arith.CmpiOp(a.ssa, self.constant(b.dtype.min, a.dtype).ssa, "eq"))
            minus = self.value(arith.CmpiOp(b.ssa, self.constant(-1, b.dtype).ssa, "eq"))
            trap = self.value(arith.OrIOp(is_zero, self.value(arith.AndIOp(low, minus))))
        divisor = Scalar(
            self.value(arith.SelectOp(trap, self.constant(1, b.dtype).ssa, b.ssa)), b.dtype
        )
        result = compute(divisor)
        zero = self.constant(0, result.dtype)
        return Scalar(self.value(arith.SelectOp(is_zero, zero.ssa, result.ssa)), result.dtype)

    def _as_i64(self, x: Scalar) -> SSAValue:
        """An integer as an index-typed value for `_record` (sign- or zero-extended)."""
        wide = self.cast(x, _signed_of_width(64) if x.dtype.signed else _unsigned_64())
        return self.value(arith.IndexCastOp(wide.ssa, INDEX))

    def site_for_assertion(self, message: dict) -> int:
        """A debug site for an `assert` at the current location; `message` is its text and
        value types (frontend/assertions.py), which the launcher formats on failure."""
        site = self._site(None, "assert", ndim=0)
        self.sites[site]["message"] = message
        return site

    def _site(self, array: Array | None, what: str, ndim: int | None = None) -> int:
        loc = self.location
        self.sites.append(
            {
                "file": loc.filename.data if loc is not None else "",
                "line": loc.line.data if loc is not None else 0,
                "col": loc.column.data if loc is not None else 0,
                "array": (array.memref.name_hint or "?") if array is not None else "",
                "ndim": ndim if ndim is not None else array.ndim if array is not None else 2,
                "access": what,
            }
        )
        return len(self.sites) - 1

    def _record(self, site: int, indices: list[SSAValue], dims: list[SSAValue]) -> None:
        """Count the violation; the first one also writes its site, indices and sizes."""
        from qdmlir.runtime.debug_checks import INDEX_WORD, MAX_DIMS, SIZE_WORD

        def words() -> list[tuple[SSAValue, int]]:
            pairs = zip(indices[:MAX_DIMS], dims)
            return [
                (self.value(arith.IndexCastOp(value, IntegerType(64))), at + axis)
                for axis, (index, size) in enumerate(pairs)
                for value, at in ((index, INDEX_WORD), (size, SIZE_WORD))
            ]

        self._record_first(site, words)

    def record(self, site: int, values: list[SSAValue]) -> None:
        """Count a failure at `site`; the first one also writes its site and `values` (i64
        words, at most MAX_DIMS: an assertion's message values) from word INDEX_WORD on."""
        from qdmlir.runtime.debug_checks import INDEX_WORD

        self._record_first(site, lambda: [(v, INDEX_WORD + k) for k, v in enumerate(values)])

    def _record_first(self, site: int, words: Callable[[], list[tuple[SSAValue, int]]]) -> None:
        """Count one failure in word 0; the failure that finds the count at 0 writes its site
        and `words()` (value, word index) pairs, built only on that path."""
        from qdmlir.runtime.debug_checks import SITE_WORD

        i64 = IntegerType(64)
        buffer = self.debug_buffer

        def word(value: int) -> SSAValue:
            return self.value(arith.ConstantOp(IntegerAttr(value, i64)))

        old = self.value(
            memref.AtomicRMWOp.build(
                operands=[word(1), buffer, [self.index_constant(0)]],
                result_types=[i64],
                properties={"kind": IntegerAttr(ATOMIC_KINDS["addi"], 64)},
            )
        )
        first = self.value(arith.CmpiOp(old, word(0), "eq"))

        def write_record() -> list[SSAValue]:
            self.emit(memref.StoreOp.get(word(site), buffer, [self.index_constant(SITE_WORD)]))
            for value, at in words():
                self.emit(memref.StoreOp.get(value, buffer, [self.index_constant(at)]))
            return []

        self.if_(first, write_record)

    def dim(self, array: Array, axis: int) -> SSAValue:
        return self.value(memref.DimOp(array.memref, self.index_constant(axis)))


def _safe_constant_divisor(b: Scalar) -> bool:
    """A constant divisor other than 0 (and -1 for signed types) can never trap."""
    owner = b.ssa.owner
    if not isinstance(owner, arith.ConstantOp) or not isinstance(owner.value, IntegerAttr):
        return False
    value = owner.value.value.data
    return value != 0 and not (b.dtype.signed and value == -1)


def _atomic_kind(kind: str, dtype: DType) -> str:
    if dtype.is_float:
        table = {"add": "addf", "min": "minimumf", "max": "maximumf"}
        if kind not in table:
            raise TypeError(f"atomic {kind} needs integer operands, got {dtype.name}")
        return table[kind]
    if kind in ("min", "max"):
        return kind + ("s" if dtype.signed else "u")
    return {"add": "addi", "and": "andi", "or": "ori", "xor": "xori"}[kind]


def _wrap(value: int, dtype: DType) -> int:
    """Two's-complement wrap of a Python int into the signed range MLIR attributes expect."""
    bits = dtype.bits
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _unsigned_64() -> DType:
    from qdmlir.runtime import dtypes

    return dtypes.u64


def _signed_of_width(bits: int) -> DType:
    from qdmlir.runtime import dtypes

    return {8: dtypes.i8, 16: dtypes.i16, 32: dtypes.i32, 64: dtypes.i64}[bits]


__all__ = ["Array", "Emitter", "INDEX", "Scalar", "memref_type", "mlir_type", "math"]
