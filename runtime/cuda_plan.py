"""The host launch plan of a CUDA artifact (`plan.json`): reading it, and the values it computes.

docs/architecture.md §7. The compiler (passes/targets/cuda_host_plan.py) writes the host part of
a kernel as instructions over registers; this module holds what both ways of running it share:
`Buf` (a memref: device pointer and shape), the semantics of the host `arith` ops on Python
numbers, and `pack_params` (one launch's kernel parameters in the layout the NVVM lowering
gives them: a memref is allocated and aligned pointer, offset, sizes, strides).
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path

PLAN_FORMAT = 1
BITS = {"i1": 1, "i8": 8, "i16": 16, "i32": 32, "i64": 64, "index": 64}
FLOATS = {"f16": "e", "f32": "f", "f64": "d"}
SCALAR_FORMATS = {"i1": "b", "i8": "b", "i16": "h", "i32": "i", "i64": "q", "index": "q", **FLOATS}
ITEM_SIZE = {
    "i1": 1,
    "i8": 1,
    "i16": 2,
    "i32": 4,
    "i64": 8,
    "index": 8,
    "f16": 2,
    "f32": 4,
    "f64": 8,
}


class PlanError(RuntimeError):
    """A plan.json this runtime cannot run; the message names the file and the problem."""


@dataclass(frozen=True)
class Buf:
    """A memref on the host side of the plan: a device pointer, its shape, its element type."""

    pointer: int
    shape: tuple[int, ...]
    elem: str
    is_state: bool = False

    def address(self, indices) -> int:
        flat = 0
        for i, n in zip(indices, self.shape):
            flat = flat * n + i
        return self.pointer + flat * ITEM_SIZE[self.elem]


def extract(value, position: list[int]):
    """`vector.extract`: the entry at `position` of a vector / matrix parameter's value (its
    entries as nested tuples, runtime/gpu_launcher.py)."""
    for index in position:
        value = value[index]
    return value


def read_plan(path: Path) -> dict:
    """Load and check `plan.json`; PlanError on anything another compiler version wrote."""
    try:
        plan = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise PlanError(f"{path}: cannot read the launch plan: {err}") from None
    if not isinstance(plan, dict) or plan.get("format") != PLAN_FORMAT:
        raise PlanError(
            f"{path}: plan format {plan.get('format') if isinstance(plan, dict) else '?'}"
            f" is not {PLAN_FORMAT}; rebuild the artifact"
        )
    for field in ("kernel", "arch", "kernels", "functions", "files"):
        if field not in plan:
            raise PlanError(f"{path}: the plan has no {field!r}; rebuild the artifact")
    if plan["kernel"] not in plan["functions"]:
        raise PlanError(f"{path}: the plan has no host function for {plan['kernel']!r}")
    return plan


def has_loop(body: list[dict]) -> bool:
    """Whether a plan body holds a do-while, at any depth."""
    for inst in body:
        if inst["op"] == "do_while":
            return True
        if inst["op"] == "if" and (has_loop(inst["then"]) or has_loop(inst["else"])):
            return True
        if inst["op"] == "parallel" and any(map(has_loop, inst["sections"])):
            return True
    return False


LOOP_KERNEL_BLOCKS = 4
"""A do-while runs as its single-block loop kernel (passes/gpu_device_loops.py) when no
launch inside it needs more than this many blocks for the call's arguments: the loop kernel's
one block of 256 threads then walks each task in at most this many strides, far cheaper than a
graph WHILE node or a host loop per iteration. QD_GPU_LOOP_KERNEL=0 turns loop kernels off."""


def loop_kernel_for(inst: dict, regs: list) -> str | None:
    """The loop kernel to launch for the `if` instruction `inst` (a do-while's entry guard),
    given the registers known on the host (None or another object: not known); None to run
    the loop as the plan says. Only what the host can compute counts: a launch whose grid
    depends on device memory keeps the loop as it is."""
    name = inst.get("loop_kernel")
    if name is None or os.environ.get("QD_GPU_LOOP_KERNEL") == "0":
        return None
    return name if _small_launches(inst["then"], list(regs)) else None


def _small_launches(body: list[dict], regs: list) -> bool:
    """Whether every launch of `body` has at most LOOP_KERNEL_BLOCKS blocks, evaluating its
    constants, arithmetic and sizes on a copy of the registers (loads stay unknown)."""
    for inst in body:
        op = inst["op"]
        if op == "const":
            regs[inst["dst"]] = inst["value"]
        elif op == "arith":
            sources = [regs[r] for r in inst["src"]]
            known = all(isinstance(v, (int, float)) for v in sources)
            regs[inst["dst"]] = evaluate(inst, sources) if known else None
        elif op == "dim":
            buf, axis = (regs[r] for r in inst["src"])
            regs[inst["dst"]] = buf.shape[axis] if isinstance(buf, Buf) else None
        elif op in ("load", "alloca"):
            regs[inst["dst"]] = None
        elif op == "launch":
            grid = [regs[r] for r in inst["grid"]]
            if not all(isinstance(g, int) for g in grid) or grid[0] * grid[1] * grid[2] > (
                LOOP_KERNEL_BLOCKS
            ):
                return False
        elif op == "if":
            if not (_small_launches(inst["then"], list(regs)) and
                    _small_launches(inst["else"], list(regs))):  # fmt: skip
                return False
        elif op == "do_while" and not _small_launches(inst["body"], list(regs)):
            return False
        elif op == "parallel" and not all(_small_launches(s, regs) for s in inst["sections"]):
            return False
    return True


# -- arith semantics ----------------------------------------------------------------------------


def wrap(value: int, type_name: str) -> int:
    """`value` as the signed integer of `type_name` (i1 stays 0/1)."""
    bits = BITS[type_name]
    value &= (1 << bits) - 1
    if bits > 1 and value >> (bits - 1):
        value -= 1 << bits
    return value


def unsigned(value: int, type_name: str) -> int:
    return value & ((1 << BITS[type_name]) - 1)


def _cmpi(pred: str, a: int, b: int, t: str) -> int:
    if pred[0] == "u":
        a, b = unsigned(a, t), unsigned(b, t)
    return int(
        {
            "eq": a == b,
            "ne": a != b,
            "slt": a < b,
            "sle": a <= b,
            "sgt": a > b,
            "sge": a >= b,
            "ult": a < b,
            "ule": a <= b,
            "ugt": a > b,
            "uge": a >= b,
        }[pred]
    )


def _cmpf(pred: str, a: float, b: float) -> int:
    unordered = math.isnan(a) or math.isnan(b)
    if pred in ("false", "true"):
        return int(pred == "true")
    if pred == "ord":
        return int(not unordered)
    if pred == "uno":
        return int(unordered)
    base = {"eq": a == b, "gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b, "ne": a != b}
    result = base[pred[1:]]
    return int(result or unordered) if pred[0] == "u" else int(result and not unordered)


def _div(a: int, b: int) -> int:
    """C division: truncate toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def evaluate(inst: dict, args: list):
    """The value of one `arith` instruction on Python numbers (integers wrapped to width)."""
    name, t, st = inst["name"], inst["type"], inst.get("src_type", inst["type"])
    a = args[0]
    b = args[1] if len(args) > 1 else None
    if name == "cmpi":
        return _cmpi(inst["pred"], a, b, st)
    if name == "cmpf":
        return _cmpf(inst["pred"], a, b)
    if name == "select":
        return args[1] if a else args[2]
    if t in FLOATS:
        return _float_op(name, args, st)
    if name in ("index_castui", "extui"):
        return wrap(unsigned(a, st), t)
    if name in ("fptosi", "fptoui"):
        return wrap(int(a), t)
    integer = {
        "addi": lambda: a + b,
        "subi": lambda: a - b,
        "muli": lambda: a * b,
        "divsi": lambda: _div(a, b),
        "remsi": lambda: a - b * _div(a, b),
        "divui": lambda: unsigned(a, t) // unsigned(b, t),
        "remui": lambda: unsigned(a, t) % unsigned(b, t),
        "ceildivsi": lambda: -((-a) // b),
        "floordivsi": lambda: a // b,
        "ceildivui": lambda: -((-unsigned(a, t)) // unsigned(b, t)),
        "andi": lambda: a & b,
        "ori": lambda: a | b,
        "xori": lambda: a ^ b,
        "shli": lambda: a << unsigned(b, t),
        "shrsi": lambda: a >> unsigned(b, t),
        "shrui": lambda: unsigned(a, t) >> unsigned(b, t),
        "maxsi": lambda: max(a, b),
        "minsi": lambda: min(a, b),
        "maxui": lambda: a if unsigned(a, t) >= unsigned(b, t) else b,
        "minui": lambda: a if unsigned(a, t) <= unsigned(b, t) else b,
        "index_cast": lambda: a,
        "extsi": lambda: a,
        "trunci": lambda: a,
        "bitcast": lambda: a,
    }.get(name)
    if integer is None:
        raise PlanError(f"the plan uses arith.{name} on {t}, which this runtime does not know")
    return wrap(integer(), t)


def _float_op(name: str, args: list, src_type: str) -> float:
    a = args[0]
    b = args[1] if len(args) > 1 else None
    ops = {
        "addf": lambda: a + b,
        "subf": lambda: a - b,
        "mulf": lambda: a * b,
        "divf": lambda: a / b if b else math.copysign(math.inf, a) * math.copysign(1, b),
        "negf": lambda: -a,
        "maximumf": lambda: max(a, b),
        "minimumf": lambda: min(a, b),
        "maxnumf": lambda: max(a, b),
        "minnumf": lambda: min(a, b),
        "sitofp": lambda: float(a),
        "uitofp": lambda: float(unsigned(a, src_type)),
        "extf": lambda: float(a),
        "truncf": lambda: float(a),
    }
    if name not in ops:
        raise PlanError(f"the plan uses arith.{name} on floats, which this runtime does not know")
    return float(ops[name]())


# -- kernel parameters --------------------------------------------------------------------------


def param_words(params: list[dict]) -> int:
    """8-byte words one launch's parameters take (each parameter gets whole words)."""
    return sum(3 + 2 * p["rank"] if p["kind"] == "memref" else 1 for p in params)


def pack_params(params: list[dict], values: list) -> tuple[ctypes.Array, ctypes.Array]:
    """(storage, void* array) for cuLaunchKernel/kernel nodes; keep both alive until the
    call returns (the driver copies the values)."""
    storage = (ctypes.c_int64 * max(param_words(params), 1))()
    pointers = []
    base = ctypes.addressof(storage)
    word = 0

    def put(fmt: str, value) -> None:
        nonlocal word
        struct.pack_into("<" + fmt, storage, 8 * word, value)
        pointers.append(base + 8 * word)
        word += 1

    for param, value in zip(params, values):
        if param["kind"] == "memref":
            strides = [1] * len(value.shape)
            for d in range(len(value.shape) - 2, -1, -1):
                strides[d] = strides[d + 1] * value.shape[d + 1]
            for field in (value.pointer, value.pointer, 0, *value.shape, *strides):
                put("q", field)
        else:
            fmt = SCALAR_FORMATS[param["type"]]
            put(fmt, value if fmt in "efd" else wrap(value, param["type"]))
    array = (ctypes.c_void_p * max(len(pointers), 1))(*pointers)
    return storage, array
