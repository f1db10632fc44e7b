"""The parallel launchers of the CPU target: one OpenMP fork shared by every task function.

`cpu-parallel-threshold` leaves each parallel branch as a call of a declaration
`@<task>.parallel(args..., lb, ub, step)` marked `qd.parallel_for = @<task>`
(passes/task_outlining.py). After the lowering to the LLVM dialect, when every argument is a
scalar (memref descriptors expanded), `define_parallel_launchers` defines, per list of
argument types g shared by some tasks:

    llvm.func internal @qd_parallel_launch.g(%task: !llvm.ptr, %a0: !llvm.ptr, ...,
                                             %lb: i64, %ub: i64, %step: i64) {
      <store %task and the arguments into a stack struct %ctx>
      llvm.call @qd_parallel_for(@qd_parallel_words.g, %ctx, %lb, %ub, %step)
    }
    llvm.func internal @qd_parallel_words.g(%ctx: !llvm.ptr, %begin: i64, %end: i64) {
      <load the task's address and the arguments from %ctx>
      llvm.call %task(%a0, ..., %begin, %end)
    }

each launcher as `@<task>.parallel(...) = @qd_parallel_launch.g(@<task>, ...)` (always
inlined), and `@qd_parallel_for` once: one `omp.parallel` in which thread t of n runs the
words function on chunk t of ceil(trip / n) iterations, as a static schedule does.

Why not `scf.parallel` per task, lowered by convert-scf-to-openmp: every task then got an
OpenMP-outlined function with a work-sharing loop around its call, and the kernel function a
struct of pointers to reloaded descriptors per task; LLVM spent more on that than on the task
bodies. A pack/unpack pair per task instead still cost a fifth of the module's LLVM time at
200 tasks; per argument list, a kernel whose tasks take the same arrays has one pair.
"""

from __future__ import annotations

from mlir import ir

from qdmlir.passes.task_outlining import PARALLEL_FOR_ATTR

HELPER = "qd_parallel_for"

_HELPER_TEXT = """
llvm.func internal @qd_parallel_for(%fn: !llvm.ptr, %ctx: !llvm.ptr, %lb: i64, %ub: i64,
                                    %step: i64) attributes {passthrough = ["noinline"]} {
  omp.parallel {
    %t32 = llvm.call @omp_get_thread_num() : () -> i32
    %n32 = llvm.call @omp_get_num_threads() : () -> i32
    %t = llvm.sext %t32 : i32 to i64
    %n = llvm.sext %n32 : i32 to i64
    %one = llvm.mlir.constant(1 : i64) : i64
    %span = llvm.sub %ub, %lb : i64
    %span_up = llvm.add %span, %step : i64
    %span_up1 = llvm.sub %span_up, %one : i64
    %trip = llvm.sdiv %span_up1, %step : i64
    %trip_up = llvm.add %trip, %n : i64
    %trip_up1 = llvm.sub %trip_up, %one : i64
    %per = llvm.sdiv %trip_up1, %n : i64
    %len = llvm.mul %per, %step : i64
    %off = llvm.mul %t, %len : i64
    %begin = llvm.add %lb, %off : i64
    %last = llvm.add %begin, %len : i64
    %end = llvm.intr.smin(%last, %ub) : (i64, i64) -> i64
    llvm.call %fn(%ctx, %begin, %end) : !llvm.ptr, (!llvm.ptr, i64, i64) -> ()
    omp.terminator
  }
  llvm.return
}
"""
"""The chunking matches a static schedule of ceil(trip / n) iterations per thread. The parallel
branch runs only when the estimated work is positive, so trip >= 1 and step >= 1 there; any
chunk past the end is empty (begin >= end) and the task's loop skips it."""

_RUNTIME_DECLARATIONS = (
    "llvm.func @omp_get_thread_num() -> i32",
    "llvm.func @omp_get_num_threads() -> i32",
)


class ParallelLauncherError(RuntimeError):
    """A launcher declaration the CPU target cannot define (a bug: report it)."""


def define_parallel_launchers(module: ir.Operation) -> list[ir.Operation]:
    """Define every `qd.parallel_for` declaration of `module` (LLVM dialect) as described in
    the module docstring, and `@qd_parallel_for` if any; returns the task functions."""
    body = module.regions[0].blocks[0]
    symbols: dict[str, ir.Operation] = {}
    launchers: list[ir.Operation] = []
    for op in body.operations:
        op = op.operation
        if "sym_name" not in op.attributes:
            continue
        symbols[ir.StringAttr(op.attributes["sym_name"]).value] = op
        if op.name == "llvm.func" and PARALLEL_FOR_ATTR in op.attributes:
            launchers.append(op)
    if not launchers:
        return []
    texts = [_HELPER_TEXT, *_RUNTIME_DECLARATIONS]
    tasks = [ir.FlatSymbolRefAttr(op.attributes[PARALLEL_FOR_ATTR]).value for op in launchers]
    groups: dict[tuple[str, ...], int] = {}  # captured types -> launch/words pair
    for launcher, task in zip(launchers, tasks):
        captured = _captured_types(launcher, task, symbols)
        if captured not in groups:
            groups[captured] = len(groups)
            texts += _group_texts(len(groups) - 1, captured)
        texts += _launcher_texts(launcher, task, captured, groups[captured])
    # parsed on its own, the text declares what it calls; declarations the module already
    # has stay behind
    definitions = ir.Module.parse("\n".join(texts), module.context)
    for launcher in launchers:
        launcher.erase()
    for op in list(definitions.body.operations):
        op = op.operation
        if ir.StringAttr(op.attributes["sym_name"]).value not in symbols or op.regions[0].blocks:
            body.append(op)
    return [symbols[name] for name in tasks]


def _captured_types(
    launcher: ir.Operation, task: str, symbols: dict[str, ir.Operation]
) -> tuple[str, ...]:
    """The launcher's arguments before (lb, ub, step): what the task function takes."""
    types = function_argument_types(launcher)
    if task not in symbols or types[-3:] != ["i64", "i64", "i64"]:
        name = ir.StringAttr(launcher.attributes["sym_name"]).value
        raise ParallelLauncherError(
            f"@{name}: expected a task function @{task} and (arguments..., lb, ub, step) in "
            f"i64, got ({', '.join(types)}); the declaration comes from cpu-parallel-threshold"
        )
    return tuple(types[:-3])


def _group_texts(group: int, captured: tuple[str, ...]) -> list[str]:
    """`@qd_parallel_launch.<g>(task, args..., lb, ub, step)`: the task's address and its
    arguments into one stack struct, then the fork; `@qd_parallel_words.<g>(ctx, begin,
    end)`: the call of the task on one chunk. Shared by every task taking `captured`."""
    struct = f"!llvm.struct<({', '.join(['!llvm.ptr', *captured])})>"
    task_type = f"({', '.join([*captured, 'i64', 'i64'])})"
    pack, unpack = [], []
    for k, t in enumerate(["!llvm.ptr", *captured]):
        gep = f"llvm.getelementptr %ctx[0, {k}] : (!llvm.ptr) -> !llvm.ptr, {struct}"
        pack += [f"  %p{k} = {gep}", f"  llvm.store %a{k}, %p{k} : {t}, !llvm.ptr"]
        unpack += [f"  %p{k} = {gep}", f"  %a{k} = llvm.load %p{k} : !llvm.ptr -> {t}"]
    params = "".join(f"%a{k + 1}: {t}, " for k, t in enumerate(captured))
    args = "".join(f"%a{k + 1}, " for k in range(len(captured)))
    launch = [
        f"llvm.func internal @qd_parallel_launch.{group}(%a0: !llvm.ptr, {params}%lb: i64, "
        '%ub: i64, %step: i64) attributes {passthrough = ["noinline"]} {',
        "  %one = llvm.mlir.constant(1 : i64) : i64",
        f"  %ctx = llvm.alloca %one x {struct} : (i64) -> !llvm.ptr",
        *pack,
        f"  %fn = llvm.mlir.addressof @qd_parallel_words.{group} : !llvm.ptr",
        f"  llvm.call @{HELPER}(%fn, %ctx, %lb, %ub, %step) : "
        "(!llvm.ptr, !llvm.ptr, i64, i64, i64) -> ()",
        "  llvm.return",
        "}",
    ]
    words = [
        f"llvm.func internal @qd_parallel_words.{group}(%ctx: !llvm.ptr, %begin: i64, "
        "%end: i64) {",
        *unpack,
        f"  llvm.call %a0({args}%begin, %end) : !llvm.ptr, {task_type} -> ()",
        "  llvm.return",
        "}",
    ]
    return ["\n".join(launch), "\n".join(words)]


def _launcher_texts(
    launcher: ir.Operation, task: str, captured: tuple[str, ...], group: int
) -> list[str]:
    """`@<task>.parallel`, forwarding to its group's launch with the task's address (always
    inlined into the kernel), and a declaration of the task for parsing on its own."""
    name = ir.StringAttr(launcher.attributes["sym_name"]).value
    params = "".join(f"%a{k}: {t}, " for k, t in enumerate(captured))
    args = "".join(f"%a{k}, " for k in range(len(captured)))
    types = ", ".join(["!llvm.ptr", *captured, "i64", "i64", "i64"])
    forward = [
        f"llvm.func internal @{_quote(name)}({params}%lb: i64, %ub: i64, %step: i64) "
        "attributes {always_inline} {",
        f"  %task = llvm.mlir.addressof @{_quote(task)} : !llvm.ptr",
        f"  llvm.call @qd_parallel_launch.{group}(%task, {args}%lb, %ub, %step) : ({types}) -> ()",
        "  llvm.return",
        "}",
    ]
    declaration = f"llvm.func @{_quote(task)}({', '.join([*captured, 'i64', 'i64'])})"
    return [declaration, "\n".join(forward)]


_LLVM_SHORT = ("ptr<", "struct<", "array<", "vec<", "func<", "target<")
"""LLVM dialect types print without `!llvm.` inside an `!llvm.func<...>`; builtin ones (i64,
f32, vector<4xf32>) print as themselves."""


def function_argument_types(function: ir.Operation) -> list[str]:
    """The argument types of an `llvm.func`, as text: `!llvm.func<void (ptr, i64)>` ->
    `["!llvm.ptr", "i64"]` (split at the top-level commas)."""
    text = str(ir.TypeAttr(function.attributes["function_type"]).value)
    inner = text[text.index("(") + 1 : text.rindex(")")]
    types, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
        elif ch == "," and depth == 0:
            types.append(inner[start:i].strip())
            start = i + 1
    if inner.strip():
        types.append(inner[start:].strip())
    return [f"!llvm.{t}" if t == "ptr" or t.startswith(_LLVM_SHORT) else t for t in types]


def _quote(symbol: str) -> str:
    """A symbol name as MLIR text, quoted: any name then parses."""
    return '"' + symbol.replace("\\", "\\\\").replace('"', '\\"') + '"'
