"""Vectors and matrices inside kernels: small values unrolled into one scalar per entry.

docs/kernel-language.md "Vectors and matrices", docs/architecture.md §1. A `MatrixValue` is a
tuple of typed scalars (row-major) and a shape, `(n,)` or `(n, m)`; every operation on it is the
same operation on its entries, so the kernel IR holds only scalar `arith` / `math` ops, which
LLVM's SLP and loop vectorisers regroup into SIMD code where it pays, and which every GPU
lowering takes as they are. A variable holding one is rebound on assignment like a scalar, so
`b = a; b[0] = 5` leaves `a` as it was, and control flow carries its entries one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce

from xdsl.dialects import arith
from xdsl.ir import SSAValue

from qdmlir.frontend.emitter import INDEX, Emitter, Scalar, mlir_type
from qdmlir.frontend.promotion import BOOL
from qdmlir.runtime.matrix_types import tensor_string


class ShapeError(TypeError):
    """Operands whose shapes do not fit the operation; the caller adds the location."""


@dataclass(frozen=True)
class MatrixValue:
    """A vector (shape `(n,)`) or matrix (shape `(n, m)`) of scalars of one qd type."""

    entries: tuple[Scalar, ...]
    shape: tuple[int, ...]

    @property
    def dtype(self):
        return self.entries[0].dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def n(self) -> int:
        return self.shape[0]

    @property
    def m(self) -> int:
        return self.shape[1] if self.ndim == 2 else 1

    def at(self, *index: int) -> Scalar:
        return self.entries[flat_index(self.shape, index)]

    def replaced(self, position: int, value: Scalar) -> MatrixValue:
        entries = list(self.entries)
        entries[position] = value
        return MatrixValue(tuple(entries), self.shape)

    def describe(self) -> str:
        """`[Tensor (3) f32]`: Quadrants' name for the value's type."""
        return tensor_string(self.shape, self.dtype)


@dataclass(frozen=True)
class StructValue:
    """A struct value (`@qd.dataclass` types, `qd.Struct(...)`): its members by name, each a
    scalar, a vector / matrix or another struct. Like a vector it is rebound on assignment and
    carried member by member."""

    members: tuple[tuple[str, object], ...]
    name: str = "Struct"

    def member(self, name: str):
        for key, value in self.members:
            if key == name:
                return value
        return None

    def replaced(self, name: str, value) -> StructValue:
        return StructValue(
            tuple((k, value if k == name else v) for k, v in self.members), self.name
        )

    def describe(self) -> str:
        return f"a {self.name} struct"


def flat_index(shape: tuple[int, ...], index: Sequence[int]) -> int:
    flat = 0
    for size, i in zip(shape, index):
        flat = flat * size + i
    return flat


def indices_of(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every index of a shape, row-major."""
    if len(shape) == 1:
        return [(i,) for i in range(shape[0])]
    return [(i, j) for i in range(shape[0]) for j in range(shape[1])]


def of_entries(em: Emitter, entries: Sequence[Scalar], shape: tuple[int, ...], dtype=None):
    """A MatrixValue of `entries` converted to `dtype`, or to their common type (bools stay
    bools only when all are)."""
    if dtype is None:
        dtype = reduce(em.common_type, (e.dtype for e in entries))
    return MatrixValue(tuple(em.cast(e, dtype) for e in entries), tuple(shape))


def filled(em: Emitter, value: Scalar, shape: tuple[int, ...]) -> MatrixValue:
    count = 1
    for size in shape:
        count *= size
    return MatrixValue((value,) * count, tuple(shape))


def cast(em: Emitter, value: MatrixValue, dtype) -> MatrixValue:
    return of_entries(em, value.entries, value.shape, dtype)


def elementwise(fn: Callable[..., Scalar], *operands: Scalar | MatrixValue) -> MatrixValue:
    """`fn` applied entry by entry; scalars are used for every entry (Quadrants broadcasts a
    scalar operand, never a vector against a matrix)."""
    shapes = {o.shape for o in operands if isinstance(o, MatrixValue)}
    if len(shapes) != 1:
        described = " and ".join(
            o.describe() if isinstance(o, MatrixValue) else "a scalar" for o in operands
        )
        raise ShapeError(f"the operands' shapes differ: {described}")
    (shape,) = shapes
    count = len(next(o for o in operands if isinstance(o, MatrixValue)).entries)
    columns = [o.entries if isinstance(o, MatrixValue) else (o,) * count for o in operands]
    return MatrixValue(tuple(fn(*row) for row in zip(*columns)), shape)


# -- run-time indices ---------------------------------------------------------------------------


def linear_index(em: Emitter, shape: tuple[int, ...], indices: Sequence[SSAValue]) -> SSAValue:
    """`i * m + j` over index values: the position of entry (i, j) in the row-major entries."""
    flat = indices[0]
    for size, index in zip(shape[1:], indices[1:]):
        scaled = em.value(arith.MuliOp(flat, em.index_constant(size)))
        flat = em.value(arith.AddiOp(scaled, index))
    return flat


def read_at(em: Emitter, value: MatrixValue, position: SSAValue) -> Scalar:
    """The entry at a run-time position: a chain of selects, which LLVM turns into a
    shuffle or a small table; out of range gives the last entry (debug mode reports it:
    Emitter.check_in_range)."""
    result = value.entries[-1]
    for k in range(len(value.entries) - 2, -1, -1):
        here = em.value(arith.CmpiOp(position, em.index_constant(k), "eq"))
        result = Scalar(
            em.value(arith.SelectOp(here, value.entries[k].ssa, result.ssa)), value.dtype
        )
    return result


def write_at(em: Emitter, value: MatrixValue, position: SSAValue, item: Scalar) -> MatrixValue:
    """The value with the entry at a run-time position replaced: one select per entry."""
    item = em.cast(item, value.dtype)
    entries = []
    for k, entry in enumerate(value.entries):
        here = em.value(arith.CmpiOp(position, em.index_constant(k), "eq"))
        entries.append(Scalar(em.value(arith.SelectOp(here, item.ssa, entry.ssa)), value.dtype))
    return MatrixValue(tuple(entries), value.shape)


# -- carrying values through control flow -------------------------------------------------------


def flatten(value) -> list[Scalar]:
    """The scalars a structured op carries for one variable: a scalar itself, a vector or
    matrix its entries, a struct its members' in order."""
    if isinstance(value, StructValue):
        return [s for _, member in value.members for s in flatten(member)]
    return list(value.entries) if isinstance(value, MatrixValue) else [value]


def rebuild(template, scalars: Sequence[Scalar]):
    """The variable's value from the scalars carried out of a structured op; `template` is
    its value before it (it fixes the shape and the types)."""
    if isinstance(template, StructValue):
        members, rest = [], list(scalars)
        for name, member in template.members:
            count = len(flatten(member))
            members.append((name, rebuild(member, rest[:count])))
            rest = rest[count:]
        return StructValue(tuple(members), template.name)
    if isinstance(template, MatrixValue):
        return MatrixValue(tuple(scalars), template.shape)
    return scalars[0]


def carried_types(template) -> list:
    return [mlir_type(s.dtype) for s in flatten(template)]


def converted(em: Emitter, template, value) -> list[SSAValue]:
    """`value` converted to `template`'s types, as the SSA values a structured op yields."""
    if isinstance(template, StructValue):
        if not isinstance(value, StructValue) or [k for k, _ in value.members] != [
            k for k, _ in template.members
        ]:
            raise ShapeError(f"cannot assign {describe(value)} to {template.describe()}")
        return [
            v
            for (_, t), (_, m) in zip(template.members, value.members)
            for v in converted(em, t, m)
        ]
    if isinstance(template, MatrixValue):
        if not isinstance(value, MatrixValue) or value.shape != template.shape:
            raise ShapeError(
                f"cannot assign {describe(value)} to a variable of type {template.describe()}"
            )
        return [em.cast(v, t.dtype).ssa for v, t in zip(value.entries, template.entries)]
    if isinstance(value, MatrixValue):
        raise ShapeError(f"cannot assign {value.describe()} to a scalar variable")
    return [em.cast(value, template.dtype).ssa]


def describe(value) -> str:
    if isinstance(value, (MatrixValue, StructValue)):
        return value.describe()
    dtype = getattr(value, "dtype", None)
    return "a bool" if dtype == BOOL else f"a {getattr(dtype, 'name', 'value')}"


__all__ = ["INDEX", "MatrixValue", "ShapeError", "elementwise", "flatten", "rebuild"]
