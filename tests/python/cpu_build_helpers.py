"""Build the hand-written lowered kernels in cpu_kernels/ into launchers (CPU target tests).

`min_trip` runs cpu-parallel-threshold over the kernel first (xDSL), as the real pipeline will;
without it every scf.parallel goes to OpenMP as written.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from qdmlir.runtime.artifact import ArgSpec
from qdmlir.runtime.cpu import CpuLauncher

KERNELS = Path(__file__).parent / "cpu_kernels"


def nd(name: str, dtype: str, ndim: int) -> ArgSpec:
    return ArgSpec(name, "ndarray", dtype, ndim)


def sc(name: str, dtype: str) -> ArgSpec:
    return ArgSpec(name, "scalar", dtype, 0)


ARGS = {
    "graph3": [nd("x", "f32", 1), nd("flag", "i32", 0), sc("s", "f32")],
    "countdown": [nd("acc", "i64", 1), nd("counter", "i32", 0), nd("flag", "i32", 0)],
    "shapes": [nd("a0", "f64", 0), nd("a1", "f64", 1), nd("a2", "f64", 2), nd("out", "f64", 3)],
    "scalars": [
        nd("out", "f64", 1),
        sc("a", "i32"),
        sc("b", "i64"),
        sc("c", "f32"),
        sc("d", "f64"),
        sc("e", "u8"),
        sc("f", "u32"),
    ],
    "atomics": [nd("vals", "i32", 1), nd("bins", "i32", 1), nd("total", "f64", 0)],
    "mathk": [
        nd("x", "f32", 1),
        nd("y", "f64", 1),
        nd("out32", "f32", 1),
        nd("out64", "f64", 1),
        sc("p", "i32"),
    ],
    "threads": [nd("out", "i32", 1)],
    "sum": [nd("x", "f64", 1), nd("out", "f64", 0)],
    "branches": [nd("x", "f32", 1), sc("k", "i32")],
}
FILES = {"mathk": "math"}


def kernel_text(name: str, min_trip: int | None = None) -> str:
    text = (KERNELS / f"{FILES.get(name, name)}.mlir").read_text()
    return text if min_trip is None else apply_threshold(text, min_trip)


def apply_threshold(text: str, min_trip: int) -> str:
    """Run cpu-parallel-threshold in xDSL and print generic text for upstream MLIR."""
    from xdsl.context import Context
    from xdsl.dialects import get_all_dialects
    from xdsl.parser import Parser
    from xdsl.printer import Printer

    from qdmlir.passes.cpu_parallel_threshold import CpuParallelThresholdPass

    ctx = Context(allow_unregistered=True)
    for dialect_name, factory in get_all_dialects().items():
        ctx.register_dialect(dialect_name, factory)
    module = Parser(ctx, text).parse_module()
    CpuParallelThresholdPass(min_trip=min_trip).apply(ctx, module)
    out = StringIO()
    Printer(stream=out, print_generic_format=True).print_op(module)
    return out.getvalue()


def build(name: str, out_dir: Path, min_trip: int | None = None) -> CpuLauncher:
    from qdmlir.passes.targets.cpu import build_cpu_library

    library = build_cpu_library(kernel_text(name, min_trip), name, ARGS[name], out_dir)
    return CpuLauncher(library, ARGS[name], kernel=name)
