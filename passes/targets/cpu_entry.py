"""The CPU entry point `void qd_entry(int64_t *words)` in the LLVM dialect (architecture.md §5).

`check_kernel_signature` compares the upstream kernel's func.func type with the manifest's
argument list before lowering; `entry_function_text` writes the wrapper that runs after
convert-func-to-llvm: it loads each word, rebuilds the expanded memref descriptors (offset 0;
strides computed from the sizes for C-contiguous arguments, read from the words for strided
ones; an ndarray's element sizes are constants of its type) and the LLVM vectors of vector /
matrix parameters, and calls the kernel, whose llvm.func takes exactly those values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from qdmlir.runtime import abi
from qdmlir.runtime.artifact import ArgSpec

ENTRY_NAME = "qd_entry"
STATE_TYPE = f"memref<{abi.STATE_WORDS}xi32>"
FLAG_TYPE = "memref<i32>"
PENDING = "qd_interrupt_pending"  # declared by passes/cpu_interrupt_checks.py, defined here
INTERRUPT_STATE = "qd_interrupt_state"  # runtime/interrupts.py fills it in at load
INTERRUPT_HANDLER = "qd_on_interrupt"


class EntrySignatureError(ValueError):
    """The kernel's MLIR signature does not match the manifest's argument list."""


def symbol(name: str) -> str:
    """`@name`, quoted when MLIR's bare-identifier syntax cannot spell it."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$.]*", name):
        return "@" + name
    return "@" + json.dumps(name)


def expected_mlir_type(arg: ArgSpec) -> str:
    """The upstream type of one argument: `memref<?x?xf32>`, `memref<i32>`, `i8` (u8),
    `memref<?x3xf32>` (an ndarray of vec3), `vector<3xf32>` (a vec3 parameter),
    `memref<?x?xf32, strided<[?, ?]>>` (a strided ndarray), ..."""
    elem = arg.qd_dtype.mlir
    element_sizes = "".join(f"{n}x" for n in arg.element_shape)
    if arg.kind == "scalar":
        return elem
    if arg.kind == "matrix":
        return f"vector<{element_sizes}{elem}>"
    memref = "memref<" + "?x" * arg.ndim + element_sizes + elem
    if arg.strided:
        return memref + ", strided<[" + ", ".join("?" * arg.rank) + "]>>"
    return memref + ">"


def check_kernel_signature(
    arg_types: Sequence[str], args: Sequence[ArgSpec], kernel: str, interruptible: bool = False
) -> None:
    """Raise EntrySignatureError unless `arg_types` (printed MLIR types of the kernel's
    parameters) is the manifest's argument list followed by the interrupt word `memref<i32>`
    (an interruptible kernel: passes/cpu_interrupt_checks.py) and `memref<2xi32>`."""
    flag = [FLAG_TYPE] if interruptible else []
    want = [expected_mlir_type(a) for a in args] + flag + [STATE_TYPE]
    names = [a.name for a in args] + ([abi.INTERRUPT_NAME] if interruptible else [])
    names += [abi.STATE_NAME]
    if len(arg_types) != len(want):
        raise EntrySignatureError(
            f"kernel @{kernel} takes {len(arg_types)} arguments ({', '.join(arg_types)}), but the "
            f"argument list has {len(args)} plus the launch state: ({', '.join(want)})"
        )
    for index, (got, expected, name) in enumerate(zip(arg_types, want, names)):
        if got != expected:
            raise EntrySignatureError(
                f"kernel @{kernel} argument {index} ({name}) has type {got}, expected {expected}"
            )


class _Emitter:
    """Accumulates SSA lines for the wrapper body."""

    def __init__(self):
        self.lines: list[str] = []
        self._count = 0

    def value(self, rhs: str) -> str:
        name = f"%v{self._count}"
        self._count += 1
        self.lines.append(f"    {name} = {rhs}")
        return name

    def constant(self, value: int) -> str:
        return self.value(f"llvm.mlir.constant({value} : i64) : i64")

    def word(self, index: int, llvm_type: str) -> str:
        """Load word `index` as `llvm_type` from its low bytes (x86-64 is little-endian)."""
        addr = self.value(f"llvm.getelementptr %words[{index}] : (!llvm.ptr) -> !llvm.ptr, i64")
        return self.value(f"llvm.load {addr} {{alignment = 8 : i64}} : !llvm.ptr -> {llvm_type}")


def _descriptor(
    em: _Emitter, ptr: str, sizes: list[str], zero: str, one: str, strides: list[str] | None
) -> list[tuple[str, str]]:
    """(value, type) pairs of an expanded memref descriptor: `strides` as given (a strided
    argument's words), or None for C-contiguous ones, computed from the sizes."""
    if strides is None:
        strides = [one] * len(sizes)
        for d in range(len(sizes) - 2, -1, -1):
            strides[d] = (
                sizes[d + 1]
                if strides[d + 1] == one
                else em.value(f"llvm.mul {strides[d + 1]}, {sizes[d + 1]} : i64")
            )
    values = [(ptr, "!llvm.ptr"), (ptr, "!llvm.ptr"), (zero, "i64")]
    return values + [(s, "i64") for s in sizes] + [(s, "i64") for s in strides]


def _llvm_vector(em: _Emitter, arg: ArgSpec, word: int) -> tuple[str, str]:
    """A vector parameter as the kernel's llvm.func takes it: `vector<3xf32>` from three words;
    a matrix `vector<2x3xf32>` is `!llvm.array<2 x vector<3xf32>>`, built row by row."""
    elem = arg.qd_dtype.mlir
    *rows, width = arg.element_shape
    row_type = f"vector<{width}x{elem}>"

    def row(first: int) -> str:
        acc = em.value(f"llvm.mlir.undef : {row_type}")
        for k in range(width):
            entry = em.word(first + k, elem)
            acc = em.value(
                f"llvm.insertelement {entry}, {acc}[{em.constant(k)} : i64] : {row_type}"
            )
        return acc

    if not rows:
        return row(word), row_type
    array_type = f"!llvm.array<{rows[0]} x {row_type}>"
    acc = em.value(f"llvm.mlir.undef : {array_type}")
    for r in range(rows[0]):
        acc = em.value(f"llvm.insertvalue {row(word + r * width)}, {acc}[{r}] : {array_type}")
    return acc, array_type


def entry_function_text(kernel: str, args: Sequence[ArgSpec], interruptible: bool = False) -> str:
    """The LLVM-dialect text of `qd_entry` calling the lowered `@kernel`, plus a declaration of
    the kernel so the text parses on its own (its definitions are moved into the real module).
    An interruptible kernel also gets the interrupt machinery (`interrupt_text`)."""
    em = _Emitter()
    zero = em.value("llvm.mlir.constant(0 : i64) : i64")
    one = em.value("llvm.mlir.constant(1 : i64) : i64")
    call: list[tuple[str, str]] = []
    layout = abi.WordLayout.of(args)
    for arg, word in zip(args, layout.offsets):
        if arg.kind == "scalar":
            llvm_type = arg.qd_dtype.mlir
            call.append((em.word(word, llvm_type), llvm_type))
            continue
        if arg.kind == "matrix":
            call.append(_llvm_vector(em, arg, word))
            continue
        ptr = em.word(word, "!llvm.ptr")
        sizes = [em.word(word + 1 + d, "i64") for d in range(arg.ndim)]
        sizes += [em.constant(n) for n in arg.element_shape]
        strides = None
        if arg.strided:  # the strides follow the sizes (runtime/abi.py words_of)
            strides = [em.word(word + 1 + arg.ndim + d, "i64") for d in range(arg.rank)]
        call += _descriptor(em, ptr, sizes, zero, one, strides)
    state = em.word(layout.state_pointer, "!llvm.ptr")
    two = em.value(f"llvm.mlir.constant({abi.STATE_WORDS} : i64) : i64")
    interrupt = ""
    if interruptible:  # the process's interrupt word, a memref<i32> before the state
        interrupt = em.value(f"llvm.mlir.addressof @{INTERRUPT_STATE} : !llvm.ptr")
        interrupt = em.value(
            f"llvm.load {interrupt} {{alignment = 8 : i64}} : !llvm.ptr -> !llvm.ptr"
        )
        call += [(interrupt, "!llvm.ptr"), (interrupt, "!llvm.ptr"), (zero, "i64")]
    call += [(state, "!llvm.ptr"), (state, "!llvm.ptr"), (zero, "i64"), (two, "i64"), (one, "i64")]
    types = ", ".join(t for _, t in call)
    operands = ", ".join(v for v, _ in call)
    body = "\n".join(em.lines)
    launch = f"    llvm.call {symbol(kernel)}({operands}) : ({types}) -> ()\n"
    if interruptible:
        launch = _counted(interrupt, launch)
    text = (
        f"llvm.func {symbol(kernel)}({types})\n"
        f"llvm.func @{ENTRY_NAME}(%words: !llvm.ptr) {{\n{body}\n{launch}"
        "    llvm.return\n}\n"
    )
    return text + (interrupt_text() if interruptible else "")


def _counted(interrupt: str, launch: str) -> str:
    """`launch` inside `running += 1 ... running -= 1` on the process's interrupt state, so
    the handler knows an interruptible kernel runs; the first of them clears the flag."""
    return (
        "    %i_one = llvm.mlir.constant(1 : i32) : i32\n"
        "    %i_zero = llvm.mlir.constant(0 : i32) : i32\n"
        f"    %running = llvm.getelementptr {interrupt}[4] : (!llvm.ptr) -> !llvm.ptr, i8\n"
        "    %before = llvm.atomicrmw add %running, %i_one seq_cst : !llvm.ptr, i32\n"
        '    %first = llvm.icmp "eq" %before, %i_zero : i32\n'
        "    llvm.cond_br %first, ^clear, ^run\n"
        "  ^clear:\n"
        f"    llvm.store volatile %i_zero, {interrupt} {{alignment = 4 : i64}} : i32, !llvm.ptr\n"
        "    llvm.br ^run\n"
        "  ^run:\n"
        f"{launch}"
        "    %after = llvm.atomicrmw sub %running, %i_one seq_cst : !llvm.ptr, i32\n"
    )


def interrupt_text() -> str:
    """The interrupt machinery of an interruptible kernel library (runtime/interrupts.py):

    - `@qd_interrupt_state`, a pointer the runtime sets at load to the process's state
      `{int32 flag; int32 running; void (*previous)(int)}`;
    - `@qd_on_interrupt(sig)`, the SIGINT handler the runtime installs: while an interruptible
      kernel runs it sets the flag (the kernel stops and the launcher raises
      KeyboardInterrupt), otherwise it calls the handler it replaced (Python's);
    - `@qd_interrupt_pending(flag)`: a volatile load of the flag, which the loops of
      passes/cpu_interrupt_checks.py call; LLVM inlines it and never hoists it out of a loop.
    """
    return f"""llvm.mlir.global external @{INTERRUPT_STATE}() {{addr_space = 0 : i32}} : !llvm.ptr {{
    %null = llvm.mlir.zero : !llvm.ptr
    llvm.return %null : !llvm.ptr
}}
llvm.func @{INTERRUPT_HANDLER}(%sig: i32) {{
    %one = llvm.mlir.constant(1 : i32) : i32
    %zero = llvm.mlir.constant(0 : i32) : i32
    %null = llvm.mlir.zero : !llvm.ptr
    %at = llvm.mlir.addressof @{INTERRUPT_STATE} : !llvm.ptr
    %state = llvm.load volatile %at {{alignment = 8 : i64}} : !llvm.ptr -> !llvm.ptr
    %running_at = llvm.getelementptr %state[4] : (!llvm.ptr) -> !llvm.ptr, i8
    %running = llvm.load volatile %running_at {{alignment = 4 : i64}} : !llvm.ptr -> i32
    %busy = llvm.icmp "sgt" %running, %zero : i32
    llvm.cond_br %busy, ^stop, ^pass_on
  ^stop:
    llvm.store volatile %one, %state {{alignment = 4 : i64}} : i32, !llvm.ptr
    llvm.return
  ^pass_on:
    %previous_at = llvm.getelementptr %state[8] : (!llvm.ptr) -> !llvm.ptr, i8
    %previous = llvm.load volatile %previous_at {{alignment = 8 : i64}} : !llvm.ptr -> !llvm.ptr
    %known = llvm.icmp "ne" %previous, %null : !llvm.ptr
    llvm.cond_br %known, ^call, ^done
  ^call:
    llvm.call %previous(%sig) : !llvm.ptr, (i32) -> ()
    llvm.br ^done
  ^done:
    llvm.return
}}
llvm.func internal @{PENDING}(%allocated: !llvm.ptr, %flag: !llvm.ptr, %offset: i64) -> i32 attributes {{always_inline}} {{
    %value = llvm.load volatile %flag {{alignment = 4 : i64}} : !llvm.ptr -> i32
    llvm.return %value : i32
}}
"""
