"""The CUDA target compiles without a GPU: PTX, cubin (ptxas), plan and manifest (issue 6)."""

import shutil

import pytest
from gpu_test_kernels import LOOP_ARGS, looped
from mlir import ir

from qdmlir.frontend.compiler import Compilation
from qdmlir.passes.targets.cuda import CudaBuildError, check_all_tasks_mapped, compile_cuda
from qdmlir.passes.targets.cuda_arch import CudaArchError, parse_arch
from qdmlir.passes.targets.cuda_host_plan import param_kind
from qdmlir.runtime.artifact import Manifest


def _build(arch="sm_90"):
    return Compilation.for_kernel(looped, LOOP_ARGS, target="cuda", arch=arch).cuda_build()


def test_plan_names_one_kernel_per_task_and_the_condition_and_loop_kernels():
    build = _build()
    names = build.kernel_names()
    assert names[:3] == ["looped_k0", "looped_k1", "looped_k2"]
    assert sorted(names[3:]) == ["looped__qd_cond0", "looped__qd_cond1", "looped__qd_loop0"]
    for name in names:
        assert f".visible .entry {name}(" in build.ptx
    main = build.plan["functions"]["looped"]
    assert main["arg_types"][-1] == "memref<2xi32>"
    (guard,) = [i for i in main["body"] if i["op"] == "if"]
    assert guard["cond_kernel"] == "looped__qd_cond0"
    assert guard["loop_kernel"] == "looped__qd_loop0"  # the whole loop in one block, if small
    (loop,) = guard["then"]
    assert loop["op"] == "do_while" and loop["cond_kernel"] == "looped__qd_cond1"
    # the host loop body only launches, resets resume_point and reads the condition
    assert {i["op"] for i in loop["body"]} <= {"launch", "store", "load", "arith", "const", "dim"}


def test_sm80_has_no_condition_kernels():
    build = _build("sm_80")
    assert not any("qd_cond" in n for n in build.kernel_names())
    assert build.plan["device_loop"] is False
    assert ".target sm_80" in build.ptx


@pytest.mark.parametrize("arch", ["sm_75", "sm_100", "compute_90", "90"])
def test_bad_arch_is_refused_before_lowering(arch):
    with pytest.raises(CudaArchError, match="sm_80, .*sm_90"):
        parse_arch(arch)


def test_write_artifact_writes_ptx_plan_and_manifest(tmp_path):
    compilation = Compilation.for_kernel(looped, LOOP_ARGS, target="cuda", arch="sm_90")
    manifest = compilation.write_artifact(tmp_path)
    again = Manifest.read(tmp_path)
    assert again == manifest
    assert (manifest.target, manifest.arch, manifest.plan) == ("cuda", "sm_90", "plan.json")
    assert (tmp_path / manifest.library).read_text().startswith("//")
    assert [s.label for s in manifest.slots] == [4, None]
    if shutil.which("ptxas"):
        assert (tmp_path / "qd_looped.cubin").read_bytes()[:4] == b"\x7fELF"
    else:
        print("ptxas is not on PATH: the artifact carries PTX only")


LEFT_ON_HOST = """
func.func @k(%x: memref<?xf32>, %s: memref<2xi32>) attributes {qd.kernel, qd.lowered} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = arith.constant 1.0 : f32
    memref.store %v, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}
"""


def test_a_task_left_on_the_host_is_an_error_with_its_location():
    # what convert-parallel-loops-to-gpu leaves behind when it cannot map a loop
    with ir.Context():
        module = ir.Module.parse(LEFT_ON_HOST)
        with pytest.raises(
            CudaBuildError, match=r'1 task\(s\) could not be mapped .*"-":6:3.*atomic_add'
        ):
            check_all_tasks_mapped(module.operation, "k")


def test_a_task_with_a_reduction_fails_with_mlirs_diagnostics():
    reduction = LEFT_ON_HOST.replace(
        "scf.parallel (%i) = (%c0) to (%n) step (%c1) {",
        "%z = arith.constant 0.0 : f32\n  %r = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%z) -> f32 {",
    ).replace(
        "    scf.reduce\n",
        "    scf.reduce(%v : f32) {\n    ^bb0(%a: f32, %b: f32):\n      %t = arith.addf %a, %b : f32\n      scf.reduce.return %t : f32\n    }\n",
    )
    with ir.Context():
        module = ir.Module.parse(reduction)
        with pytest.raises(
            CudaBuildError, match=r"kernel k: .* failed:\nFailure while executing pass pipeline"
        ):
            compile_cuda(module, "k", "sm_90")


HOST_MATH = """
func.func @k(%x: memref<?xf32>, %s: memref<2xi32>) attributes {qd.kernel, qd.lowered} {
  %c0 = arith.constant 0 : index
  %v = memref.load %x[%c0] : memref<?xf32>
  %r = math.sqrt %v : f32
  memref.store %r, %x[%c0] : memref<?xf32>
  return
}
"""


def test_host_code_the_runtime_cannot_run_is_an_error_naming_the_op():
    with ir.Context():
        module = ir.Module.parse(HOST_MATH)
        with pytest.raises(
            CudaBuildError, match=r"math.sqrt cannot run on the host .*keep it inside a task"
        ):
            compile_cuda(module, "k", "sm_90")


@pytest.mark.parametrize(
    "type_text, rank",
    [
        ("memref<i32>", 0),
        ("memref<?xf32>", 1),
        ("memref<?xindex>", 1),  # the x of index is not a dimension
        ("memref<4x?xindex>", 2),
        ("memref<2x3x4xi64, strided<[12, 4, 1]>>", 3),
    ],
)
def test_launch_parameters_count_a_memrefs_rank_by_its_sizes(type_text, rank):
    assert param_kind(type_text) == {"kind": "memref", "rank": rank, "type": type_text}
