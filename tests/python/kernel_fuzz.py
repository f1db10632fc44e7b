"""Random checkpointed kernels for the differential tests (test_differential.py).

`programs()` is a Hypothesis strategy for one `Program`: the source of a
`@qd.kernel(graph=True, checkpoints=True)` kernel, its arguments and a host resume plan. The
generator keeps to what the reference interpreter defines exactly and makes every result
independent of the order of a task's iterations: in a task with more than one iteration an
array is either owned (read and written only at the task's own index `i`), read-only, or
updated only by i32 atomics; a flag is only ever set to 1 there. Vector arithmetic (an f32 vec3
ndarray `u0`, vec3 locals, constructors, + - *, scaling, swizzles, a 3x3 product, dot / sum /
norm_sqr / entries back to scalars, entry writes) mixes into the float expressions. Tasks of one iteration and
serial statements may do anything. Do-while counters only go down (`qd.max(c - 1, 0)`), so
every launch ends; the host plan is bounded, so a flag that keeps yielding ends too.

`run_plan` drives a kernel (compiled or reference) through a plan and records the statuses.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

PRELUDE = """\
import qdmlir as qd
from enum import IntEnum

I0 = qd.types.ndarray(qd.i32, 0)
I1 = qd.types.ndarray(qd.i32, 1)
I2 = qd.types.ndarray(qd.i32, 2)
F1 = qd.types.ndarray(qd.f32, 1)
V3 = qd.types.ndarray(qd.math.vec3, 1)
"""

ATOMIC_FAMILIES = [
    ("+=", "-=", "add", "sub"),
    ("max",),
    ("min",),
    ("^=", "xor"),
    ("|=", "or"),
    ("&=", "and"),
]
INT_LITERALS = [0, 1, 2, 3, -1, 5, 7, -4, 9, 16, 100, -100, 65536, 2147483647, -2147483648]
FLOAT_LITERALS = ["0.5", "1.0", "2.0", "-1.25", "0.75", "3.0", "-0.5", "0.1", "1e20"]


# How an array argument is laid out in memory (issue 17): C order, or a view the kernel gets
# through its strided specialisation. 1-d: every other element of a buffer twice as long, or
# the buffer reversed (a negative stride); 2-d: Fortran order, or every other column.
LAYOUTS_1D = ["contiguous", "step2", "reversed"]
LAYOUTS_2D = ["contiguous", "fortran", "step2"]


@dataclass
class Arg:
    name: str
    # "data" (i32[N]), "fdata" (f32[N]), "grid" (i32[N, M]), "flag", "acc", "counter" (i32 0-d),
    # "scalar" (qd.i32), "fscalar" (qd.f32), "vdata" (vec3 f32[N])
    kind: str
    initial: object = None
    layout: str = "contiguous"  # arrays: one of LAYOUTS_1D / LAYOUTS_2D

    @property
    def annotation(self) -> str:
        return {
            "data": "I1",
            "fdata": "F1",
            "grid": "I2",
            "scalar": "qd.i32",
            "fscalar": "qd.f32",
            "vdata": "V3",
        }.get(self.kind, "I0")

    def make(self):
        if self.kind == "scalar":
            return int(self.initial)
        if self.kind == "fscalar":
            return float(self.initial)
        dtype = np.float32 if self.kind in ("fdata", "vdata") else np.int32
        values = np.array(self.initial, dtype=dtype)
        return laid_out(values, self.layout)


def laid_out(values: np.ndarray, layout: str) -> np.ndarray:
    """`values` in a fresh array of `layout`; the views' other elements hold a marker that
    a kernel writing outside the view would change."""
    if layout == "contiguous" or values.ndim == 0:
        return values
    if layout == "fortran":
        return np.asfortranarray(values)
    shape = list(values.shape)
    shape[-1] *= 2
    buffer = np.full(shape, -7, values.dtype)
    view = buffer[..., ::2] if layout == "step2" else buffer.reshape(-1)[::-1][: values.size]
    view[...] = values
    return view


@dataclass
class Step:
    """One host launch: clear these flags, then call afresh, resume from the status's label
    ("this"), or resume from label number `label` (as its plain int if `as_int`)."""

    action: str  # "call" | "this" | "label"
    clear: list[str] = field(default_factory=list)
    label: int = 0
    as_int: bool = False
    only_if_yielded: bool = True


@dataclass
class Program:
    name: str
    source: str  # module-level text: label enum/constants and the kernel
    args: list[Arg]
    labels: list[str]  # label expressions in source order, evaluated in the module
    first: Step
    steps: list[Step]

    def arguments(self) -> list:
        return [a.make() for a in self.args]


class Gen:
    """Builds one program from Hypothesis draws; see the module docstring for the rules."""

    def __init__(self, draw, runtime_divisors: bool = True):
        self.draw = draw
        # integer `//` and `%` by values known only at run time, 0 and -1 included (they give 0
        # and wrap); debug mode raises ZeroDivisionError for those instead, so it keeps them off
        self.runtime_divisors = runtime_divisors
        self.n = self.int(1, 10)
        self.data = [f"a{k}" for k in range(self.int(1, 3))]
        self.fdata = [f"b{k}" for k in range(self.int(0, 2))]
        self.flags = [f"f{k}" for k in range(self.int(1, 3))]
        self.accs = [f"s{k}" for k in range(self.int(0, 1))]
        self.m = self.int(1, 4)
        self.grid = ["m0"] if self.flip(0.35) else []  # i32[N, M]
        self.scalars = ["k"] if self.flip(0.5) else []
        self.fscalars = ["h"] if self.flip(0.3) else []
        self.vdata = ["u0"] if self.flip(0.4) else []  # an ndarray of f32 vec3
        self.vectors = self.flip(0.5)  # vector expressions in float code
        self.graph_only = self.flip(0.1)  # @qd.kernel(graph=True): no checkpoints, no status
        self.counters: list[str] = []
        self.counter_init: dict[str, int] = {}
        self.labels: list[str] = []
        self.label_values: set[int] = set()
        self.enum_members: list[tuple[str, int]] = []
        self.constants: list[tuple[str, int]] = []
        self.top_vars = 0
        self.locals = 0
        self.callable: list[tuple[str, int]] = []  # qd.funcs an expression may call
        self.funcs: list[str] = []  # their source
        for _ in range(self.int(0, 2)):
            self.func()

    # -- draws ------------------------------------------------------------------------------

    def int(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def pick(self, items):
        return self.draw(st.sampled_from(list(items)))

    def flip(self, p: float) -> bool:
        return self.draw(st.integers(0, 99)) < int(p * 100)

    # -- qd.funcs --------------------------------------------------------------------------------

    def func(self) -> None:
        """`@qd.func def KNAME_gN(p0: qd.i32, ...) -> qd.i32` with early returns, some inside
        loops; it may call the funcs defined before it (so never itself)."""
        name = f"KNAME_g{len(self.funcs)}"
        params = [f"p{k}" for k in range(self.int(1, 2))]
        scope = Scope([], [], top_level=False, in_func=True)
        scope.locals.update({p: "i32" for p in params})
        lines = []
        for _ in range(self.int(0, 3)):
            kind = self.pick(["local", "early", "loop"])
            if kind == "local":
                lines += self.new_local(scope)
            elif kind == "early":
                lines += [f"if {self.cond(scope, 1)}:", f"    return {self.iexpr(scope, 2)}"]
            else:
                inner = scope.child()
                var = f"j{len(lines)}"
                inner.loop_vars.append(var)
                lines += [
                    f"for {var} in range({self.int(0, 3)}):",
                    f"    if {self.cond(inner, 1)}:",
                    f"        return {self.iexpr(inner, 2)}",
                ]
        if not any("return" in line for line in lines) or self.flip(0.8):
            # a lone final `return 7` would make the call a compile-time constant
            value = self.iexpr(scope, 2)
            lines.append(f"return {params[0] if is_literal(value) else value}")
        signature = ", ".join(f"{p}: qd.i32" for p in params)
        self.funcs.append(
            "\n".join(["@qd.func", f"def {name}({signature}) -> qd.i32:", *indent(lines)])
        )
        self.callable.append((name, len(params)))

    # -- the kernel top level ------------------------------------------------------------------

    def body(self, depth: int, top_vars: list[str], counters: list[str]) -> list[str]:
        """Top-level items (kernel body or do-while body) as source lines at indent 0."""
        lines: list[str] = []
        top = Scope(top_vars, counters, top_level=True)
        top_vars = top.top_vars  # grows as serial statements define top-level variables
        for _ in range(self.int(1, 5 if depth == 0 else 3)):
            kind = self.pick(
                [
                    "task",
                    "checkpoint",
                    "serial",
                    "do_while",
                    "top_var",
                    "checkpoint",
                    "do_while",
                    "checkpoint",
                ]
            )
            if kind == "do_while" and depth >= 2 or kind == "checkpoint" and self.graph_only:
                kind = "task"
            if kind == "task":
                lines += self.task(top_vars, counters, flag=None)
            elif kind == "checkpoint":
                lines += self.checkpoint(top_vars, counters)
            elif kind == "serial":
                lines += self.free_stmt(top, 0)
            elif kind == "do_while":
                lines += self.do_while(depth, top_vars, counters)
            else:
                name = f"v{self.top_vars}"
                self.top_vars += 1
                lines.append(f"{name} = {self.iexpr(top, 2)}")
                top_vars.append(name)
        return lines

    def checkpoint(self, top_vars, counters) -> list[str]:
        flag = self.pick(self.flags)
        lines = [f"with qd.checkpoint({self.label()}, yield_on={flag}):"]
        for _ in range(self.int(1, 3)):
            if self.flip(0.8):
                lines += indent(self.task(top_vars, counters, flag=flag))
            else:  # a serial task between the loops
                scope = Scope(top_vars, counters, top_level=False)
                lines += indent(
                    [f"if {self.cond(scope, 1)}:", *indent(self.free_stmts(scope, 1, flag))]
                )
        return lines

    def label(self) -> str:
        kind = self.pick(["int", "negative", "enum", "constant"])
        value = self.int(0, 40) if kind != "negative" else -self.int(1, 40)
        while value in self.label_values:
            value += 1
        self.label_values.add(value)
        if kind == "enum":
            member = f"M{len(self.enum_members)}"
            self.enum_members.append((member, value))
            text = f"E_KNAME.{member}"
        elif kind == "constant":
            name = f"KNAME_L{len(self.constants)}"
            self.constants.append((name, value))
            text = name
        else:
            text = str(value)
        self.labels.append(text)
        return text

    def do_while(self, depth, top_vars, counters) -> list[str]:
        counter = f"c{len(self.counters)}"
        self.counters.append(counter)
        self.counter_init[counter] = self.int(0, 3)
        lines = []
        if depth > 0 or self.flip(0.5):  # an inner loop needs its counter reset every time
            lines.append(f"{counter}[()] = {self.int(0, 3)}")
        inner = [*counters, counter]
        body = self.body(depth + 1, top_vars, inner)
        decrement = self.pick(
            [
                [f"{counter}[()] = qd.max({counter}[()] - 1, 0)"],
                ["for _ in range(1):", f"    {counter}[()] = qd.max({counter}[()] - 1, 0)"],
                [f"if {counter}[()] > 0:", f"    {counter}[()] -= 1"],
            ]
        )
        cut = self.int(0, len(body))
        # insert at an item boundary: a line at indent 0
        boundaries = [
            i
            for i, line in enumerate(body)  # a loop_config stays with its loop
            if not line.startswith((" ", "else:"))
            and not (i > 0 and body[i - 1].startswith("qd.loop_config"))
        ] + [len(body)]
        at = boundaries[min(cut, len(boundaries) - 1)]
        body = body[:at] + decrement + body[at:]
        lines.append(f"while qd.graph.do_while({counter}):")
        lines += indent(body)
        return lines

    # -- tasks ---------------------------------------------------------------------------------

    def task(self, top_vars, counters, flag: str | None) -> list[str]:
        if self.flip(0.25):  # one iteration: sequential, anything goes
            scope = Scope(top_vars, counters, top_level=False, in_task=True)
            return ["for _ in range(1):", *indent(self.free_stmts(scope, 0, flag))]
        if self.flip(0.1):
            return self.serialized_task(top_vars, counters, flag)
        grid_task = bool(self.grid) and self.flip(0.4)
        scope = Scope(top_vars, counters, top_level=False, in_task=True, iv="i")
        if grid_task:  # qd.ndrange over (N, M): a 1-d element is shared by M iterations
            scope.ivs = ["i", "j"]
            header = "for i, j in qd.ndrange({}):".format(
                self.pick(
                    [
                        f"{self.n}, {self.m}",
                        "m0.shape[0], m0.shape[1]",
                        f"(0, {self.n}), m0.shape[1]",
                    ]
                )
            )
        else:
            scope.ivs = ["i"]
            extent = self.pick([str(self.n), f"{self.pick(self.data)}.shape[0]"])
            header = f"for i in range({extent}):"
        for name in self.data:
            scope.roles[name] = self.pick(
                ["read", "atomic"] if grid_task else ["read", "own", "atomic"]
            )
        for name in self.fdata + self.vdata:
            scope.roles[name] = "read" if grid_task else self.pick(["read", "own"])
        for name in self.grid:
            scope.roles[name] = self.pick(["read", "own", "atomic"])
        for name in self.flags:
            scope.roles[name] = self.pick(["set", "read"])
        for name in self.accs:
            scope.roles[name] = self.pick(["atomic", "read"])
        lines = self.task_stmts(scope, 0, self.int(1, 4))
        if flag is not None and scope.roles[flag] == "set" and self.flip(0.6):
            lines.append(f"if {self.pick(['i', 'i + 1'])} == {self.int(0, self.n)}:")
            lines.append(f"    {flag}[()] = 1")
        return [header, *indent(lines)]

    def serialized_task(self, top_vars, counters, flag: str | None) -> list[str]:
        """`qd.loop_config(serialize=True)`: the iterations run in order, so anything goes, and
        `break`/`continue` leave or skip an iteration of the whole range or ndrange."""
        scope = Scope(top_vars, counters, top_level=False, in_task=True, iv="i")
        scope.in_loop = True
        if self.grid and self.flip(0.4):
            scope.ivs = ["i", "j"]
            header = f"for i, j in qd.ndrange({self.n}, (1, m0.shape[1])):"
        else:
            scope.ivs = ["i"]
            header = f"for i in range({self.pick([str(self.n), '1, a0.shape[0]'])}):"
        lines = self.free_stmts(scope, 0, flag)
        if self.flip(0.5):
            lines += [f"if {self.cond(scope, 1)}:", f"    {self.pick(['break', 'continue'])}"]
            lines += self.free_stmts(scope, 0, flag)
        return ["qd.loop_config(serialize=True)", header, *indent(lines)]

    def task_stmts(self, scope: Scope, depth: int, count: int) -> list[str]:
        lines = []
        for _ in range(count):
            lines += self.task_stmt(scope, depth)
        return lines

    def task_stmt(self, scope: Scope, depth: int) -> list[str]:
        kinds = ["local", "own", "atomic", "flag", "if", "for", "while", "jump"]
        kind = self.pick(kinds if depth < 2 else kinds[:4])
        if self.vectors and self.flip(0.25):
            vown = [a for a in self.vdata if scope.roles.get(a) == "own"]
            if vown and self.flip(0.5):
                return self.vector_store(scope, self.pick(vown), "own")
            return self.vector_local(scope)
        own = [a for a in self.data + self.fdata + self.grid if scope.roles.get(a) == "own"]
        atomic = [a for a in self.data + self.accs + self.grid if scope.roles.get(a) == "atomic"]
        flags = [f for f in self.flags if scope.roles.get(f) == "set"]
        if kind == "own" and own:
            target = self.pick(own)
            op = self.pick(["=", "+=", "-=", "*="])
            value = self.fexpr(scope, 2) if target in self.fdata else self.iexpr(scope, 2)
            return [f"{target}[{self.subscript(scope, target, 'own')}] {op} {value}"]
        if kind == "atomic" and atomic:
            target = self.pick(atomic)
            element = f"{target}[{self.subscript(scope, target, 'atomic')}]"
            value = self.iexpr(scope, 2)
            # different atomic operations on one element do not commute: one family per task
            family = scope.atomic_family.setdefault(target, self.pick(ATOMIC_FAMILIES))
            form = self.pick(family)
            if form.endswith("="):
                return [f"{element} {form} {value}"]
            return [f"qd.atomic_{form}({element}, {value})"]
        if kind == "flag" and flags:
            return [f"if {self.cond(scope, 2)}:", f"    {self.pick(flags)}[()] = 1"]
        if kind == "if":
            inner = scope.child()
            lines = [
                f"if {self.cond(scope, 2)}:",
                *indent(self.task_stmts(inner, depth + 1, self.int(1, 2))),
            ]
            if self.flip(0.5):
                lines += [
                    "else:",
                    *indent(self.task_stmts(scope.child(), depth + 1, self.int(1, 2))),
                ]
            return lines
        if kind == "for":
            inner = scope.child()
            var = f"j{depth}"
            inner.loop_vars.append(var)
            inner.in_loop = True
            bound = self.pick([str(self.int(0, 4)), f"{self.pick(self.data)}.shape[0]"])
            return [
                f"for {var} in range({bound}):",
                *indent(self.task_stmts(inner, depth + 1, self.int(1, 2))),
            ]
        if kind == "while":  # bounded: the count goes up first, so no path skips it
            count = f"w{self.locals}"
            self.locals += 1
            scope.locals[count] = "i32"
            inner = scope.child()
            inner.in_loop = True
            inner.in_while = True
            return [
                f"{count} = 0",
                f"while {count} < {self.int(0, 3)}:",
                f"    {count} += 1",
                *indent(self.task_stmts(inner, depth + 1, self.int(1, 2))),
            ]
        if kind == "jump" and scope.in_loop:
            jump = "break" if scope.in_while else self.pick(["break", "continue"])
            return [f"if {self.cond(scope, 1)}:", f"    {jump}"]
        return self.new_local(scope)

    def new_local(self, scope: Scope) -> list[str]:
        existing = [name for name, _ in scope.all_locals() if name.startswith("t")]
        if existing and self.flip(0.4):
            name = self.pick(existing)
            dtype = dict(scope.all_locals())[name]
            value = self.fexpr(scope, 2) if dtype == "f32" else self.iexpr(scope, 2)
            return [f"{name} = {value}"]
        name = f"t{self.locals}"
        self.locals += 1
        dtype = self.pick(["i32", "f32"])
        value = self.fexpr(scope, 2) if dtype == "f32" else self.iexpr(scope, 2)
        scope.locals[name] = dtype
        return [f"{name} = {value}"]

    # -- sequential code: serial statements and one-iteration tasks ----------------------------

    def free_stmts(self, scope: Scope, depth: int, flag: str | None = None) -> list[str]:
        lines = []
        for _ in range(self.int(1, 3)):
            lines += self.free_stmt(scope, depth)
        if flag is not None and self.flip(0.4):
            lines += [f"if {self.cond(scope, 1)}:", f"    {flag}[()] = 1"]
        return lines

    def free_stmt(self, scope: Scope, depth: int) -> list[str]:
        kinds = ["store", "aug", "flag", "acc", "local", "top_var", "if"]
        kind = self.pick(kinds if depth < 2 else kinds[:6])
        if self.vectors and not scope.top_level and self.flip(0.2):
            if self.vdata and self.flip(0.5):
                return self.vector_store(scope, self.pick(self.vdata), "any")
            return self.vector_local(scope)
        if kind == "store" or (kind == "acc" and not self.accs):
            target = self.pick(self.data + self.fdata + self.grid)
            value = self.fexpr(scope, 2) if target in self.fdata else self.iexpr(scope, 2)
            return [f"{target}[{self.subscript(scope, target, 'any')}] = {value}"]
        if kind == "aug":
            target = self.pick(self.data + self.grid)
            op = self.pick(["+=", "-=", "^=", "*="])
            return [f"{target}[{self.subscript(scope, target, 'any')}] {op} {self.iexpr(scope, 2)}"]
        if kind == "flag":
            return [f"{self.pick(self.flags)}[()] = {self.pick([1, 0])}"]
        if kind == "acc":
            return [f"{self.pick(self.accs)}[()] += {self.iexpr(scope, 2)}"]
        if kind == "top_var" and scope.top_vars and (scope.top_level or not scope.in_task):
            name = self.pick(scope.top_vars)
            return [f"{name} = {name} + {self.iexpr(scope, 1)}"]
        if kind == "if":
            lines = [
                f"if {self.cond(scope, 2)}:",
                *indent(self.free_block(scope.child(top_level=False), depth + 1)),
            ]
            if self.flip(0.4):
                lines += [
                    "else:",
                    *indent(self.free_block(scope.child(top_level=False), depth + 1)),
                ]
            return lines
        if scope.top_level:
            # a new name in a top-level serial statement is a top-level variable
            name = f"v{self.top_vars}"
            self.top_vars += 1
            line = f"{name} = {self.iexpr(scope, 2)}"
            scope.top_vars.append(name)
            return [line]
        return self.new_local(scope)

    # -- vectors ---------------------------------------------------------------------------------

    def vector_store(self, scope: Scope, name: str, mode: str) -> list[str]:
        """A write to an element of the vec3 ndarray: the whole element (=, +=, -=) or one
        entry, by swizzle or index."""
        element = f"{name}[{self.subscript(scope, name, mode)}]"
        form = self.pick(["=", "+=", "-=", "entry", "entry"])
        if form == "entry":
            entry = self.pick([".x", ".y", ".z", "[0]", "[1]", "[2]"])
            return [f"{element}{entry} {self.pick(['=', '+=', '*='])} {self.fexpr(scope, 2)}"]
        return [f"{element} {form} {self.vexpr(scope, 2)}"]

    def vector_local(self, scope: Scope) -> list[str]:
        """A new vec3 local, or a new value for one (whole, += or one entry)."""
        existing = [name for name, t in scope.all_locals() if t == "vec3"]
        if existing and self.flip(0.6):
            name = self.pick(existing)
            form = self.pick(["=", "+=", "*=", "entry"])
            if form == "entry":
                entry = self.pick([".x", ".y", ".z", "[0]", "[1]", "[2]"])
                return [f"{name}{entry} {self.pick(['=', '+=', '-='])} {self.fexpr(scope, 2)}"]
            return [f"{name} {form} {self.vexpr(scope, 2)}"]
        name = f"q{self.locals}"
        self.locals += 1
        line = f"{name} = {self.vexpr(scope, 2)}"
        scope.locals[name] = "vec3"
        return [line]

    def vexpr(self, scope: Scope, depth: int) -> str:
        if depth <= 0 or self.flip(0.35):
            return self.vleaf(scope)
        form = self.pick(["+", "-", "*", "scale", "neg", "swizzle", "matvec"])
        a = self.vexpr(scope, depth - 1)
        if form in ("+", "-", "*"):
            return f"({a} {form} {self.vexpr(scope, depth - 1)})"
        if form == "scale":
            f = self.fexpr(scope, depth - 1)
            return self.pick([f"({f} * {a})", f"({a} * {f})"])
        if form == "neg":
            return f"(-{a})"
        if form == "swizzle":
            return f"{a}.{self.pick(['zyx', 'xxy', 'yzx', 'zzz', 'xyz'])}"
        rows = [[self.pick(FLOAT_LITERALS[:8]) for _ in range(3)] for _ in range(3)]
        matrix = ", ".join("[" + ", ".join(row) + "]" for row in rows)
        return f"(qd.Matrix([{matrix}]) @ {a})"

    def vleaf(self, scope: Scope) -> str:
        forms = ["make", "list", "fill"]
        if self.readable(scope, ["vdata"]):
            forms += ["read", "read"]
        if [n for n, t in scope.all_locals() if t == "vec3"]:
            forms += ["local", "local"]
        form = self.pick(forms)
        if form == "read":
            return self.read(scope, self.pick(self.readable(scope, ["vdata"])))
        if form == "local":
            return self.pick([n for n, t in scope.all_locals() if t == "vec3"])
        if form == "fill":
            return f"qd.math.vec3({self.fleaf(scope)})"
        entries = ", ".join(self.fleaf(scope) for _ in range(3))
        return f"qd.math.vec3({entries})" if form == "make" else f"qd.Vector([{entries}])"

    def from_vector(self, scope: Scope, depth: int) -> str:
        """A float computed from vectors: a dot product, a sum, a squared norm, an entry."""
        a = self.vexpr(scope, depth)
        form = self.pick(["dot", "sum", "norm_sqr", "entry", "swizzle"])
        if form == "dot":
            return f"{a}.dot({self.vexpr(scope, depth)})"
        if form in ("sum", "norm_sqr"):
            return f"{a}.{form}()"
        if form == "entry":
            return f"{a}[{self.int(0, 2)}]"
        return f"{a}.{self.pick(['x', 'y', 'z'])}"

    def free_block(self, scope: Scope, depth: int) -> list[str]:
        lines = []
        for _ in range(self.int(1, 2)):
            lines += self.free_stmt(scope, depth)
        return lines

    # -- expressions ---------------------------------------------------------------------------

    def subscript(self, scope: Scope, name: str, mode: str) -> str:
        """An in-bounds subscript of array `name`: `own` uses the task's index variables where
        they make the element this iteration's alone, `atomic` avoids them (an atomic at a bare
        `x[i]` would not be one), `any` may be anything in bounds."""
        if name in self.flags + self.accs + self.counters:
            return "()"
        if name in self.grid:
            if mode == "own":
                column = "j" if scope.ivs == ["i", "j"] else self.axis(scope, 1, "any")
                return f"i, {column}"
            return f"{self.axis(scope, 0, mode)}, {self.axis(scope, 1, mode)}"
        return "i" if mode == "own" else self.axis(scope, 0, mode)

    def axis(self, scope: Scope, axis: int, mode: str) -> str:
        size = self.n if axis == 0 else self.m
        forms = ["literal", "mod"]
        if scope.iv and mode == "any":
            forms += ["iv", "mirror"] if axis == 0 else (["iv"] if "j" in scope.ivs else [])
        form = self.pick(forms)
        if form == "literal":
            return str(self.int(0, size - 1))
        iv = "i" if axis == 0 else "j"
        if form == "iv":
            return iv
        if form == "mirror":
            return f"{size - 1} - {iv}"
        divisor = self.pick(
            [str(size), f"{self.pick(self.data)}.shape[0]"]
            if axis == 0
            else [str(size)] + [f"{g}.shape[1]" for g in self.grid]
        )
        value = self.iexpr(scope, 1)
        if is_literal(value):
            value = self.ileaf(scope, literal=False)
        return f"({value}) % {divisor}"

    # The compiler folds an operation on two literals in Python (unbounded ints, doubles):
    # every operation generated here has a run-time operand, so both sides type it alike.

    def iexpr(self, scope: Scope, depth: int) -> str:
        if depth <= 0 or self.flip(0.35):
            return self.ileaf(scope)
        form = self.pick(["binary", "div", "shift", "unary", "call", "bool", "select"])
        a = self.iexpr(scope, depth - 1)
        if form == "binary":
            b = self.iexpr(scope, depth - 1)
            if is_literal(a) and is_literal(b):
                b = self.ileaf(scope, literal=False)
            return f"({a} {self.pick(['+', '-', '*', '&', '|', '^'])} {b})"
        if is_literal(a) and form != "select":
            a = self.ileaf(scope, literal=False)
        if form == "div":
            return f"({a} {self.pick(['//', '%'])} {self.divisor(scope, depth - 1)})"
        if form == "shift":
            return f"({a} {self.pick(['>>', '<<'])} {self.int(0, 31)})"
        if form == "unary":
            return f"({self.pick(['-', '~'])}{a})"
        if form == "call":
            name = self.pick(["abs", "qd.max", "qd.min"])
            if name == "abs":
                return f"abs({a})"
            return f"{name}({a}, {self.iexpr(scope, depth - 1)})"
        if form == "bool":
            return f"({self.cond(scope, depth - 1)})"
        return f"({a} if {self.cond(scope, depth - 1)} else {self.iexpr(scope, depth - 1)})"

    def divisor(self, scope: Scope, depth: int) -> str:
        """A literal 1..7 (no check compiled), or with runtime divisors a literal 0 or -1, any
        expression, or one in -1..2 so that zero divisors are common."""
        form = self.pick(
            ["safe", "zero or minus one", "any", "small"] if self.runtime_divisors else ["safe"]
        )
        if form == "safe":
            return str(self.int(1, 7))
        if form == "zero or minus one":
            return self.pick(["0", "(-1)"])
        b = self.iexpr(scope, depth)
        if form == "any":
            return b
        if is_literal(b):  # `(5 & 3) - 1` would be folded by the compiler, in Python
            b = self.ileaf(scope, literal=False)
        return f"(({b} & 3) - 1)"

    def ileaf(self, scope: Scope, literal: bool = True, calls: bool = True) -> str:
        forms = ["literal", "read", "shape"] if literal else ["read", "shape"]
        if scope.in_func:  # a qd.func sees its parameters, its locals and the funcs before it
            forms = ["literal"] if literal else []
        if calls and self.callable and self.flip(0.1):
            name, arity = self.pick(self.callable)
            arguments = (self.ileaf(scope, calls=False) for _ in range(arity))
            return f"{name}({', '.join(arguments)})"
        if scope.iv:
            forms.append("iv")
        if scope.loop_vars_all():
            forms.append("loop")
        if [n for n, t in scope.all_locals() if t == "i32"]:
            forms.append("local")
        if scope.top_vars:
            forms.append("top")
        if self.scalars and not scope.in_func:
            forms.append("scalar")
        form = self.pick(forms)
        if form == "literal":
            value = self.pick(INT_LITERALS)
            return f"({value})" if value < 0 else str(value)
        if form == "iv":
            return self.pick(scope.ivs)
        if form == "loop":
            return self.pick(scope.loop_vars_all())
        if form == "local":
            return self.pick([n for n, t in scope.all_locals() if t == "i32"])
        if form == "top":
            return self.pick(scope.top_vars)
        if form == "scalar":
            return self.pick(self.scalars)
        if form == "shape":
            return f"{self.pick(self.data)}.shape[0]"
        readable = self.readable(scope, ["data", "grid", "acc", "flag", "counter"])
        if not readable:
            return f"{self.pick(self.data)}.shape[0]"
        return self.read(scope, self.pick(readable))

    def readable(self, scope: Scope, kinds: list[str]) -> list[str]:
        names = {
            "data": self.data,
            "fdata": self.fdata,
            "vdata": self.vdata,
            "grid": self.grid,
            "acc": self.accs,
            "flag": self.flags,
            "counter": scope.counters,
        }
        found = []
        for kind in kinds if not scope.in_func else []:
            for name in names[kind]:
                role = scope.roles.get(name, "read")
                if role in ("read", "own"):
                    found.append(name)
        return found

    def read(self, scope: Scope, name: str) -> str:
        # an owned array is read only where this iteration writes it
        mode = "own" if scope.roles.get(name) == "own" else "any"
        return f"{name}[{self.subscript(scope, name, mode)}]"

    def fexpr(self, scope: Scope, depth: int) -> str:
        if depth <= 0 or self.flip(0.35):
            return self.fleaf(scope)
        form = self.pick(["binary", "mixed", "div", "unary", "convert", "select"])
        if self.vectors and self.flip(0.2):
            return self.from_vector(scope, depth - 1)
        a = self.fexpr(scope, depth - 1)
        if form == "binary":
            b = self.fexpr(scope, depth - 1)
            if is_literal(a) and is_literal(b):
                b = self.fleaf(scope, literal=False)
            return f"({a} {self.pick(['+', '-', '*'])} {b})"
        if form == "mixed":
            b = self.iexpr(scope, depth - 1)
            if is_literal(a) and is_literal(b):
                b = self.ileaf(scope, literal=False)
            return f"({a} {self.pick(['+', '-', '*', '/'])} {b})"
        if form == "convert":
            return f"float({self.ileaf(scope, literal=False)})"
        if is_literal(a) and form != "select":
            a = self.fleaf(scope, literal=False)
        if form == "div":
            return f"({a} {self.pick(['/', '//', '%'])} {self.pick(['2.0', '0.75', '-3.0'])})"
        if form == "unary":
            return self.pick([f"(-{a})", f"abs({a})"])
        return f"({a} if {self.cond(scope, depth - 1)} else {self.fexpr(scope, depth - 1)})"

    def fleaf(self, scope: Scope, literal: bool = True) -> str:
        forms = ["literal"] if literal else ["convert"]
        if self.readable(scope, ["fdata"]):
            forms.append("read")
        if [n for n, t in scope.all_locals() if t == "f32"]:
            forms.append("local")
        if self.fscalars and not scope.in_func:
            forms.append("scalar")
        form = self.pick(forms)
        if form == "convert":
            return f"float({self.ileaf(scope, literal=False)})"
        if form == "literal":
            value = self.pick(FLOAT_LITERALS)
            return f"({value})" if value.startswith("-") else value
        if form == "local":
            return self.pick([n for n, t in scope.all_locals() if t == "f32"])
        if form == "scalar":
            return self.pick(self.fscalars)
        return self.read(scope, self.pick(self.readable(scope, ["fdata"])))

    def cond(self, scope: Scope, depth: int) -> str:
        form = self.pick(["int", "float", "not", "and", "or"] if depth > 0 else ["int"])
        if form == "int":
            op = self.pick(["<", "==", "!=", ">=", ">", "<="])
            a, b = self.iexpr(scope, depth), self.iexpr(scope, depth)
            if is_literal(a) and is_literal(b):
                b = self.ileaf(scope, literal=False)
            return f"{a} {op} {b}"
        if form == "float":
            op = self.pick(["<", "==", "!=", ">="])
            a, b = self.fexpr(scope, depth), self.iexpr(scope, depth - 1)
            if is_literal(a) and is_literal(b):
                b = self.ileaf(scope, literal=False)
            return f"{a} {op} {b}"
        if form == "not":
            return f"not ({self.cond(scope, depth - 1)})"
        return f"({self.cond(scope, depth - 1)}) {form} ({self.cond(scope, depth - 1)})"

    # -- arguments and the host plan -----------------------------------------------------------

    def arguments(self) -> list[Arg]:
        args = []
        for name in self.data:
            values = [self.pick(INT_LITERALS[:9]) for _ in range(self.n)]
            args.append(Arg(name, "data", values, self.layout(LAYOUTS_1D)))
        for name in self.fdata:
            values = [float(self.pick([0, 0.5, -1, 2.25, 3])) for _ in range(self.n)]
            args.append(Arg(name, "fdata", values, self.layout(LAYOUTS_1D)))
        for name in self.vdata:
            entries = [0, 0.5, -1, 2.25, 3]
            values = [[float(self.pick(entries)) for _ in range(3)] for _ in range(self.n)]
            # (n, 3) arrays: Fortran order and every other entry stride the element's axis
            args.append(Arg(name, "vdata", values, self.layout(LAYOUTS_2D)))
        for name in self.grid:
            values = [[self.pick(INT_LITERALS[:9]) for _ in range(self.m)] for _ in range(self.n)]
            args.append(Arg(name, "grid", values, self.layout(LAYOUTS_2D)))
        for name in self.flags:
            args.append(Arg(name, "flag", 1 if self.flip(0.15) else 0))
        for name in self.accs:
            args.append(Arg(name, "acc", self.int(-3, 3)))
        for name in self.counters:
            args.append(Arg(name, "counter", self.counter_init[name]))
        for name in self.scalars:
            args.append(Arg(name, "scalar", self.pick(INT_LITERALS)))
        for name in self.fscalars:
            args.append(Arg(name, "fscalar", float(self.pick(FLOAT_LITERALS))))
        return args

    def layout(self, layouts: list[str]) -> str:
        """Mostly C order; a view in about one array of four."""
        return self.pick(layouts[1:]) if self.flip(0.25) else "contiguous"

    def step(self, first: bool) -> Step:
        action = self.pick(["call", "label"] if first else ["this", "label", "call"])
        if self.graph_only:
            action = "call"
        if action == "label" and not self.labels:
            action = "call" if first else "this"
        clear = [f for f in self.flags if self.flip(0.7)] if not first else []
        return Step(
            action,
            clear,
            self.int(0, max(len(self.labels) - 1, 0)),
            as_int=self.flip(0.3),
            only_if_yielded=self.flip(0.8),
        )


@dataclass
class Scope:
    """What generated code may touch at one point: variables in scope and array roles."""

    top_vars: list[str]
    counters: list[str]
    top_level: bool
    in_task: bool = False
    iv: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    atomic_family: dict[str, tuple] = field(default_factory=dict)
    locals: dict[str, str] = field(default_factory=dict)
    loop_vars: list[str] = field(default_factory=list)
    parent: Scope | None = None
    ivs: list[str] = field(default_factory=list)
    in_loop: bool = False  # break / continue allowed
    in_while: bool = False  # ... but no continue: it would skip the count
    in_func: bool = False  # a qd.func body: no arrays, no kernel names

    def __post_init__(self):
        self.top_vars = list(self.top_vars)

    def child(self, top_level: bool | None = None) -> Scope:
        return Scope(
            self.top_vars,
            self.counters,
            self.top_level if top_level is None else top_level,
            self.in_task,
            self.iv,
            self.roles,
            self.atomic_family,
            {},
            [],
            self,
            self.ivs,
            self.in_loop,
            self.in_while,
            self.in_func,
        )

    def all_locals(self) -> list[tuple[str, str]]:
        found = list(self.locals.items())
        return found + (self.parent.all_locals() if self.parent else [])

    def loop_vars_all(self) -> list[str]:
        return self.loop_vars + (self.parent.loop_vars_all() if self.parent else [])


def is_literal(text: str) -> bool:
    return re.fullmatch(r"\(?-?[0-9.e]+\)?", text) is not None


def indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


@st.composite
def programs(draw, runtime_divisors: bool = True) -> Program:
    gen = Gen(draw, runtime_divisors)
    body = gen.body(0, [], [])
    args = gen.arguments()
    first = gen.step(first=True)
    steps = [gen.step(first=False) for _ in range(gen.int(0, 4))]
    signature = ", ".join(f"{a.name}: {a.annotation}" for a in args)
    text = []
    if gen.enum_members:
        text.append("class E_KNAME(IntEnum):")
        text += [f"    {m} = {v}" for m, v in gen.enum_members]
    text += [f"{name} = {value}" for name, value in gen.constants]
    for func_source in gen.funcs:
        text += ["", "", func_source]
    decorator = (
        "@qd.kernel(graph=True)" if gen.graph_only else ("@qd.kernel(graph=True, checkpoints=True)")
    )
    text += ["", "", decorator, f"def KNAME({signature}):"]
    text += indent(body)
    source = "\n".join(text) + "\n"
    name = "k_" + hashlib.sha256(source.encode()).hexdigest()[:12]
    return Program(
        name,
        source.replace("KNAME", name),
        args,
        [label.replace("KNAME", name) for label in gen.labels],
        first,
        steps,
    )


# -- running a plan ----------------------------------------------------------------------------


def run_plan(kernel, program: Program, arguments: list, labels: list) -> list:
    """Launch `kernel` as `program`'s plan says; returns the statuses, in order."""

    def launch(step: Step, status):
        if step.action == "this" and status is not None and status.yielded:
            return kernel.resume(*arguments, from_checkpoint=status.checkpoint)
        if step.action == "label" and labels:
            label = labels[step.label % len(labels)]
            return kernel.resume(*arguments, from_checkpoint=int(label) if step.as_int else label)
        return kernel(*arguments)

    by_name = {a.name: value for a, value in zip(program.args, arguments)}
    status = launch(program.first, None)
    statuses = [status]
    for step in program.steps:
        if step.only_if_yielded and not (status is not None and status.yielded):
            break
        for flag in step.clear:
            by_name[flag][()] = 0
        status = launch(step, status)
        statuses.append(status)
    return statuses


def same_status(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return (
        a.yielded == b.yielded
        and type(a.checkpoint) is type(b.checkpoint)
        and (a.checkpoint == b.checkpoint)
    )


def module_source(batch: list[Program]) -> str:
    return PRELUDE + "\n".join("\n" + p.source for p in batch)


__all__ = ["Program", "module_source", "programs", "run_plan", "same_status"]
