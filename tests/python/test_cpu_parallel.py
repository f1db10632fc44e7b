"""The CPU target's parallel launchers (passes/targets/cpu_parallel.py): a task's parallel
branch packs its arguments into one struct and forks once through `@qd_parallel_for`."""

from __future__ import annotations

import os

import numpy as np
import pytest
from cpu_build_helpers import apply_threshold, nd, sc
from mlir import ir

from qdmlir.passes.targets.cpu import build_cpu_library, lower_to_llvm_ir
from qdmlir.passes.targets.cpu_parallel import (
    ParallelLauncherError,
    define_parallel_launchers,
    function_argument_types,
)
from qdmlir.runtime.cpu import CpuLauncher

# One task capturing an array, an i8, an i32, an f32 and an f64 (every argument slot width)
# and the thread that ran each iteration, over [lb, n) with a step of 3.
MIXED = """
func.func private @omp_get_thread_num() -> i32
func.func @mixed(%out: memref<?xf64>, %who: memref<?xi32>, %a: i32, %b: i8, %c: f32, %d: f64,
                 %lb: i64, %qd_state: memref<2xi32>) attributes {qd.lowered} {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %n = memref.dim %out, %c0 : memref<?xf64>
  %start = arith.index_cast %lb : i64 to index
  "scf.parallel"(%start, %n, %c3) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
  ^bb0(%i: index):
    %va = arith.sitofp %a : i32 to f64
    %vb = arith.sitofp %b : i8 to f64
    %vc = arith.extf %c : f32 to f64
    %s1 = arith.addf %va, %vb : f64
    %s2 = arith.addf %s1, %vc : f64
    %s3 = arith.addf %s2, %d : f64
    memref.store %s3, %out[%i] : memref<?xf64>
    %t = func.call @omp_get_thread_num() : () -> i32
    memref.store %t, %who[%i] : memref<?xi32>
    scf.reduce
  }) : (index, index, index) -> ()
  func.return
}
"""
MIXED_ARGS = [
    nd("out", "f64", 1),
    nd("who", "i32", 1),
    sc("a", "i32"),
    sc("b", "i8"),
    sc("c", "f32"),
    sc("d", "f64"),
    sc("lb", "i64"),
]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    text = apply_threshold(MIXED, 1000)
    library = build_cpu_library(text, "mixed", MIXED_ARGS, tmp_path_factory.mktemp("mixed"))
    return CpuLauncher(library, MIXED_ARGS, kernel="mixed")


@pytest.mark.parametrize("n, lb", [(10, 1), (100_000, 0), (100_003, 5)])
def test_every_argument_reaches_every_chunk(mixed, n, lb):
    out, who = np.full(n, -1.0), np.full(n, -1, np.int32)
    mixed.launch((out, who, 7, -3, np.float32(0.5), 0.25, lb), 0)
    expected = np.full(n, -1.0)
    expected[lb::3] = 7 - 3 + 0.5 + 0.25
    np.testing.assert_array_equal(out, expected)
    assert (who[lb::3] >= 0).all()


@pytest.mark.skipif(
    (os.cpu_count() or 1) < 2 or os.environ.get("OMP_NUM_THREADS") == "1",
    reason="needs 2 CPUs and OpenMP allowed a second thread",
)
def test_a_large_range_is_split_into_contiguous_chunks(mixed):
    out, who = np.zeros(300_000), np.full(300_000, -1, np.int32)
    mixed.launch((out, who, 0, 0, np.float32(0), 0.0, 0), 0)
    ran = who[::3]
    assert len(np.unique(ran)) > 1
    assert (np.diff(ran) >= 0).all()  # thread t runs chunk t: a static schedule


def test_the_llvm_ir_has_one_fork_for_all_tasks():
    two_tasks = MIXED.replace("  func.return\n}", _second_task() + "  func.return\n}")
    llvm_ir = lower_to_llvm_ir(apply_threshold(two_tasks, 1000), "mixed", _specs())
    assert llvm_ir.count("call void (ptr, i32, ptr, ...) @__kmpc_fork_call") == 1
    # the two tasks take different arguments: one launch/words pair each
    for group in (0, 1):
        assert f"define internal void @qd_parallel_launch.{group}(ptr" in llvm_ir
        assert f"define internal void @qd_parallel_words.{group}(ptr" in llvm_ir


def test_tasks_with_the_same_arguments_share_a_launcher():
    again = _second_task().replace("%j", "%k").replace("extf %c", "extf %c")
    three = MIXED.replace("  func.return\n}", _second_task() + again + "  func.return\n}")
    llvm_ir = lower_to_llvm_ir(apply_threshold(three, 1000), "mixed", _specs())
    assert "@qd_parallel_launch.1(" in llvm_ir and "@qd_parallel_launch.2(" not in llvm_ir
    assert "define internal void @mixed.task2.parallel(" in llvm_ir


def test_argument_types_are_split_at_top_level_commas():
    with ir.Context():
        module = ir.Module.parse(
            "llvm.func @f(!llvm.ptr, i64, !llvm.struct<(i32, f32)>, vector<4xf32>) "
            'attributes {sym_visibility = "private"}'
        )
        function = module.body.operations[0].operation
        assert function_argument_types(function) == [
            "!llvm.ptr",
            "i64",
            "!llvm.struct<(i32, f32)>",
            "vector<4xf32>",
        ]


def test_a_task_without_captures_gets_a_struct_of_its_address():
    with ir.Context():
        module = ir.Module.parse(
            "llvm.func @k.task0(i64, i64)\n"
            'llvm.func @k.task0.parallel(i64, i64, i64) attributes {qd.parallel_for = @k.task0, sym_visibility = "private"}'
        )
        assert len(define_parallel_launchers(module.operation)) == 1
        assert module.operation.verify()
        text = str(module)
        assert "!llvm.struct<(ptr)>" in text and "llvm.func internal @qd_parallel_for" in text


def test_a_launcher_without_a_range_is_a_bug_report():
    with ir.Context():
        module = ir.Module.parse(
            "llvm.func @k.task0(f32, i64, i64)\n"
            'llvm.func @k.task0.parallel(f32, i64) attributes {qd.parallel_for = @k.task0, sym_visibility = "private"}'
        )
        with pytest.raises(
            ParallelLauncherError, match=r"@k.task0.parallel: expected .* \(f32, i64\)"
        ):
            define_parallel_launchers(module.operation)


def _second_task() -> str:
    return """  "scf.parallel"(%c0, %n, %c3) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({
  ^bb0(%j: index):
    %x = arith.extf %c : f32 to f64
    memref.store %x, %out[%j] : memref<?xf64>
    scf.reduce
  }) : (index, index, index) -> ()
"""


def _specs():
    from qdmlir.runtime.artifact import ArgSpec

    return [ArgSpec.coerce(a) for a in MIXED_ARGS]


def test_each_task_loop_is_not_interleaved():
    """passes/targets/cpu_task_loops.py: one annotated back edge per task function."""
    two_tasks = MIXED.replace("  func.return\n}", _second_task() + "  func.return\n}")
    llvm_ir = lower_to_llvm_ir(apply_threshold(two_tasks, 1000), "mixed", _specs())
    assert '!{!"llvm.loop.interleave.count", i32 1}' in llvm_ir
    tasks = [
        part for part in llvm_ir.split("\ndefine ") if part.startswith("internal void @mixed.task")
    ]
    loops = [part for part in tasks if "!llvm.loop" in part and ".words" not in part.split("(")[0]]
    assert len(loops) == 2


def test_a_function_without_a_loop_gets_no_hint():
    from qdmlir.passes.targets.cpu_task_loops import annotate_task_loops

    with ir.Context():
        module = ir.Module.parse(
            "llvm.func @f(%c: i1) {\n  llvm.cond_br %c, ^a, ^b\n^a:\n  llvm.br ^b\n"
            "^b:\n  llvm.return\n}"
        )
        assert annotate_task_loops([module.body.operations[0].operation]) == 0
        assert "loop_annotation" not in str(module)
