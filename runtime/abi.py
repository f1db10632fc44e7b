"""The kernel ABI: the hidden arguments a launch adds, and how arguments become words.

One owner for what the frontend, the passes and the runtime must agree on (docs/architecture.md
§5): the hidden parameters a kernel specialisation takes after the user's (their names, types,
order and why each name is reserved), the launch state every lowered kernel takes last, and the
CPU entry point's word layout. Standard library only: the launch path imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .artifact import ArgSpec


@dataclass(frozen=True)
class HiddenParameter:
    """An argument qdmlir passes after the user's; `dtype` None: the kernel's return type."""

    name: str
    dtype: str | None
    ndim: int
    purpose: str  # what the name is reserved for, for the error message

    def spec(self, dtype: str | None = None, element_shape: tuple = ()) -> ArgSpec:
        return ArgSpec(self.name, "ndarray", dtype or self.dtype, self.ndim, element_shape)


RESULT = HiddenParameter("qd_result", None, 0, "kernel results")
"""A plain kernel annotated `-> qd.<type>` stores its `return` value in this 0-d array (of
vectors or matrices for `-> qd.math.vec3`: `memref<3xf32>`)."""

DEBUG = HiddenParameter("qd_debug", "i64", 1, "debug bounds checks")
"""qd.init(debug=True) on the CPU: the bounds-check record (runtime/debug_checks.py)."""

PRINT = HiddenParameter("qd_print", "i64", 1, "print() in kernels")
"""A CPU kernel that calls print(): the print records (runtime/print_records.py)."""

HIDDEN = (RESULT, DEBUG, PRINT)
"""The hidden parameters in the order they follow the user's arguments."""

STATE_NAME = "qd_state"
"""The launch state, `memref<2xi32>`: the last argument of every lowered kernel, added by
checkpoint-lower after all others (passes find it by position, never by this name)."""
STATE_WORDS = 2
RESUME_POINT, YIELDED_AT = 0, 1
"""Indices into the launch state: the slot to resume from (0 on a fresh call), and the slot
that yielded (-1 while none)."""
NOT_YIELDED = -1
INTERRUPTED = -2
"""`yielded_at` of a launch that Ctrl-C stopped: no guard runs after it (passes/
cpu_interrupt_checks.py), and the launcher raises KeyboardInterrupt (runtime/interrupts.py)."""

INTERRUPTIBLE_ATTR = "qd.interruptible"
"""The unit attribute of a lowered CPU kernel that takes the interrupt word (below)."""

INTERRUPT_NAME = "qd_interrupt"
"""An interruptible CPU kernel's interrupt word, `memref<i32>`: its argument just before the
state, which qd_entry takes from the process's interrupt state, not from the words."""

RESERVED = {p.name: p.purpose for p in HIDDEN} | {STATE_NAME: "the launch state"}


def reserved_name_problem(name: str) -> str | None:
    """Why a user parameter cannot be called `name`, or None if it can."""
    purpose = RESERVED.get(name)
    return None if purpose is None else f"'{name}' is a name qdmlir reserves for {purpose}"


def hidden_position(name: str) -> int | None:
    """The rank of a hidden parameter in the order (None for a user argument)."""
    return next((i for i, p in enumerate(HIDDEN) if p.name == name), None)


def with_hidden(args: Sequence[ArgSpec], hidden: Sequence[ArgSpec]) -> list[ArgSpec]:
    """`args` (user arguments, maybe with hidden ones already) plus `hidden`, the hidden ones
    in ABI order after every user argument."""
    user = [a for a in args if hidden_position(a.name) is None]
    extra = {a.name: a for a in args if hidden_position(a.name) is not None}
    extra |= {a.name: a for a in hidden}
    return user + sorted(extra.values(), key=lambda a: hidden_position(a.name))


def is_hidden(spec: ArgSpec) -> bool:
    return hidden_position(spec.name) is not None


def user_arguments(args: Sequence[ArgSpec]) -> list[ArgSpec]:
    """The arguments a caller passes: everything but the hidden ones."""
    return [a for a in args if not is_hidden(a)]


def find(args: Sequence[ArgSpec], parameter: HiddenParameter) -> ArgSpec | None:
    return next((a for a in args if a.name == parameter.name), None)


# -- the CPU entry point's words (docs/architecture.md §5) ----------------------------------------


def words_of(spec: ArgSpec) -> int:
    """Words one argument takes: a scalar 1; a vector or matrix one per entry (row-major); an
    ndarray its data pointer and one size per axis (its elements' sizes are in its type), and a
    strided one also a stride per axis, the element's included (in elements, after the sizes)."""
    if spec.kind == "scalar":
        return 1
    if spec.kind == "matrix":
        return spec.entries
    return 1 + spec.ndim + (spec.rank if spec.strided else 0)


@dataclass(frozen=True)
class WordLayout:
    """Where each argument of `qd_entry(int64_t *words)` starts, then the state pointer.

    The launcher's buffer holds one word more than the entry reads: the state itself (two
    int32 in one word, `resume_point` in the low half and `yielded_at` in the high half), which
    the state pointer points at.
    """

    offsets: tuple[int, ...]  # the first word of each argument
    state_pointer: int  # the word holding the pointer to the state
    state: int  # the word holding the state

    @classmethod
    def of(cls, args: Sequence[ArgSpec]) -> WordLayout:
        offsets, word = [], 0
        for spec in args:
            offsets.append(word)
            word += words_of(spec)
        return cls(tuple(offsets), word, word + 1)

    @property
    def size(self) -> int:
        """Words in the launcher's buffer: the arguments, the state pointer and the state."""
        return self.state + 1


def encode_state(resume_point: int) -> int:
    """The state word of a launch from `resume_point`, nothing yielded yet, as a signed int64
    (ctypes stores it as is): `resume_point` in the low 32 bits, -1 in the high 32."""
    return (resume_point & 0xFFFFFFFF) - 0x100000000


def decode_yielded_at(word: int) -> int:
    """`yielded_at` (the high half, sign-extended) from a state word read back as an int64."""
    return word >> 32
