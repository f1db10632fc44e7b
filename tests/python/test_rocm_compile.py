"""The ROCm target compiles without an AMD GPU: amdgcn LLVM IR, hsaco, plan, manifest (issue 7).

LLVM IR needs only the bundled MLIR; the code-object tests need Debian's llvm-19/lld-19 and say
so when they skip. The kernel-descriptor count is read from the hsaco's metadata note with the
fake HIP library's parser (tests/python/fake_hip.py), the same one the runtime tests load with.
"""

import sys
from pathlib import Path

import pytest
from fake_hip import read_code_object
from gpu_test_kernels import LOOP_ARGS, looped
from mlir import ir

import qdmlir as qd
from qdmlir.frontend.compiler import Compilation
from qdmlir.passes.targets import rocm_rewrites, rocm_toolchain
from qdmlir.passes.targets.rocm import check_linkable, compile_rocm, unsupported_calls
from qdmlir.passes.targets.rocm_arch import RocmArchError, parse_arch
from qdmlir.passes.targets.rocm_toolchain import RocmBuildError, RocmToolchainMissing
from qdmlir.runtime.artifact import ArgSpec, Manifest

HAVE_TOOLS = all(rocm_toolchain.find_tools().values())
NO_TOOLS = (
    "opt-19/llc-19/ld.lld-19 are not installed (sudo apt-get install llvm-19 lld-19): "
    "no code object is built here"
)


@qd.kernel
def sines(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        x[i] = qd.sin(x[i])


def _build(arch="gfx90a"):
    return Compilation.for_kernel(looped, LOOP_ARGS, target="rocm", arch=arch).rocm_build()


def test_one_amdgpu_kernel_per_task_and_the_do_while_stays_on_the_host():
    build = _build()
    assert sorted(build.kernel_names()) == [
        "looped__qd_loop0", "looped_k0", "looped_k1", "looped_k2"
    ]  # fmt: skip
    assert 'target triple = "amdgcn-amd-amdhsa"' in build.llvm_ir
    for name in build.kernel_names():
        assert f"define amdgpu_kernel void @{name}(" in build.llvm_ir
    assert build.llvm_ir.count("define ") == 4
    assert (build.plan["arch"], build.plan["device_loop"]) == ("gfx90a", False)
    (guard,) = [i for i in build.plan["functions"]["looped"]["body"] if i["op"] == "if"]
    (loop,) = guard["then"]
    assert loop["op"] == "do_while" and loop["cond_kernel"] is None


def test_the_mapping_and_plan_are_cudas():
    """The same shared steps (gpu_kernels.py) give the same launches and parameters as CUDA
    on a chip without device loops; only the chip differs."""
    cuda = Compilation.for_kernel(looped, LOOP_ARGS, target="cuda", arch="sm_80").cuda_build().plan
    rocm = _build().plan
    assert rocm["functions"] == cuda["functions"]
    assert [(k["name"], k["params"]) for k in rocm["kernels"]] == [
        (k["name"], k["params"]) for k in cuda["kernels"]
    ]


@pytest.mark.parametrize("arch", ["gfx1100", "sm_90", "gfx90", "GFX90A:xnack+"])
def test_bad_arch_is_refused_before_lowering(arch, monkeypatch):
    def no_lowering(self):
        raise AssertionError("lowered before the arch was checked")

    monkeypatch.setattr(Compilation, "lowered_ir", no_lowering)
    with pytest.raises(RocmArchError, match="use one of gfx90a, gfx942"):
        Compilation.for_kernel(looped, LOOP_ARGS, target="rocm", arch=arch).rocm_build()


def test_arch_names_are_normalised():
    assert parse_arch(" GFX942 ").chip == "gfx942" and parse_arch(None).chip == "gfx90a"


# -- the LLVM-dialect rewrites, on snippets ------------------------------------------------------


def _apply(rewrite, text: str) -> tuple[int, str]:
    with ir.Context(), ir.Location.unknown():
        module = ir.Module.parse(text)
        count = rewrite(module.operation)
        module.operation.verify()
        return count, str(module)


ATOMIC_MIN = """
llvm.func @k(%p: !llvm.ptr, %v: f32, %q: !llvm.ptr, %w: f64) -> f32 {
  %old = llvm.atomicrmw fminimum %p, %v acq_rel {alignment = 4 : i64} : !llvm.ptr, f32
  %twice = llvm.fadd %old, %old : f32
  %big = llvm.atomicrmw fmaximum %q, %w monotonic {alignment = 8 : i64} : !llvm.ptr, f64
  %sum = llvm.atomicrmw fadd %p, %v acq_rel {alignment = 4 : i64} : !llvm.ptr, f32
  llvm.return %twice : f32
}
"""


def test_float_atomic_minimum_becomes_a_cas_loop_on_the_bits():
    count, text = _apply(rocm_rewrites.expand_float_atomic_minmax, ATOMIC_MIN)
    assert count == 2
    assert "fminimum" not in text and "fmaximum" not in text
    assert "atomicrmw fadd" in text  # LLVM 19 has it: left alone
    assert "llvm.intr.minimum" in text and "llvm.intr.maximum" in text
    assert "llvm.cmpxchg %arg0" in text and "llvm.cmpxchg %arg2" in text
    assert ": !llvm.ptr, i32" in text and ": !llvm.ptr, i64" in text
    # failure ordering: acq_rel -> acquire, monotonic stays
    assert "acq_rel acquire" in text and "monotonic monotonic" in text
    # the old value the atomic returned is the loop's last compared value
    assert "llvm.fadd" in text and "^bb" in text


ALLOCA = """
llvm.func @k(%n: i64) -> i64 {
  %c1 = llvm.mlir.constant(1 : i64) : i64
  %a = llvm.alloca %c1 x !llvm.array<2 x i64> {alignment = 8 : i64} : (i64) -> !llvm.ptr
  llvm.store %n, %a : i64, !llvm.ptr
  %r = llvm.load %a : !llvm.ptr -> i64
  llvm.return %r : i64
}
"""


def test_allocas_move_to_the_private_address_space():
    count, text = _apply(rocm_rewrites.move_allocas_to_private, ALLOCA)
    assert count == 1
    assert "x !llvm.array<2 x i64> {alignment = 8 : i64} : (i64) -> !llvm.ptr<5>" in text
    assert "llvm.addrspacecast" in text and "!llvm.ptr<5> to !llvm.ptr" in text


OCML = """
llvm.func @__ocml_floor_f32(f32) -> f32
llvm.func @__ocml_floor_f64(f64) -> f64
llvm.func @__ocml_exp_f32(f32) -> f32
llvm.func @__ocml_exp_f64(f64) -> f64
llvm.func @__ocml_sin_f32(f32) -> f32
llvm.func @__ocml_fma_f32(f32, f32, f32) -> f32
llvm.func @k(%x: f32, %y: f64) -> f32 {
  %a = llvm.call @__ocml_floor_f32(%x) : (f32) -> f32
  %b = llvm.call @__ocml_floor_f64(%y) : (f64) -> f64
  %c = llvm.call @__ocml_exp_f32(%a) : (f32) -> f32
  %d = llvm.call @__ocml_exp_f64(%b) : (f64) -> f64
  %e = llvm.call @__ocml_sin_f32(%c) : (f32) -> f32
  %f = llvm.call @__ocml_fma_f32(%e, %e, %x) : (f32, f32, f32) -> f32
  llvm.return %f : f32
}
"""


def test_ocml_calls_that_are_intrinsics_become_intrinsics():
    count, text = _apply(rocm_rewrites.ocml_calls_to_intrinsics, OCML)
    assert count == 4  # floor f32/f64, exp f32, fma
    for intrinsic in (
        "llvm.intr.floor(%arg0) : (f32) -> f32",
        "(f64) -> f64",
        "llvm.intr.exp(",
        "llvm.intr.fma(",
    ):
        assert intrinsic in text
    # f64 exp needs a libcall on AMDGPU and sin is not exactly an intrinsic: both stay calls
    assert "llvm.call @__ocml_exp_f64" in text and "llvm.call @__ocml_sin_f32" in text
    assert "@__ocml_floor_f32" not in text and "llvm.func @__ocml_sin_f32" in text


def test_math_that_needs_device_libraries_is_refused_with_its_names():
    build = Compilation.for_kernel(
        sines, [ArgSpec("x", "ndarray", "f32", 1)], target="rocm"
    ).rocm_build()
    assert unsupported_calls(build.llvm_ir) == ["__ocml_sin_f32"]
    with pytest.raises(
        RocmBuildError,
        match=r"kernel sines: the kernels call __ocml_sin_f32, "
        r".*does not link ROCm's device libraries.*sqrt, floor.*exp and log on f32",
    ):
        check_linkable(build)


# -- the toolchain --------------------------------------------------------------------------------


@pytest.fixture
def no_toolchain(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("QD_ROCM_LLVM_BIN", raising=False)
    monkeypatch.setattr(rocm_toolchain, "SEARCH_DIRS", [])


def test_a_missing_toolchain_says_how_to_install_it(no_toolchain):
    with pytest.raises(RocmToolchainMissing) as info:
        rocm_toolchain.require_tools()
    message = str(info.value)
    assert "opt, llc, ld.lld are not on PATH (as opt-19, llc-19, ld.lld-19)" in message
    assert "install them with `sudo apt-get install llvm-19 lld-19`" in message
    assert "make rocm-toolchain" in message and "--emit llvm-ir works without them" in message


def test_qd_rocm_llvm_bin_names_the_folder(monkeypatch, tmp_path):
    (tmp_path / "opt").write_text("#!/bin/sh\n")
    (tmp_path / "opt").chmod(0o755)
    monkeypatch.setenv("QD_ROCM_LLVM_BIN", str(tmp_path))
    with pytest.raises(
        RocmToolchainMissing, match=f"llc, ld.lld are not in QD_ROCM_LLVM_BIN={tmp_path}"
    ):
        rocm_toolchain.require_tools()


KERNEL_FILE = Path(__file__).resolve().parents[1] / "lit" / "rocm" / "one-kernel-per-task.py"


def _qd_compile(capsys, *argv) -> tuple[int, str, str]:
    from qdmlir.tools.qd_compile import main

    code = main([str(KERNEL_FILE), "--kernel", "three", "--target", "rocm", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_qd_compile_without_the_toolchain_fails_fast_with_one_line(
    no_toolchain, capsys, tmp_path, monkeypatch
):
    def no_lowering(self):
        raise AssertionError("compiled before the toolchain was checked")

    monkeypatch.setattr(Compilation, "lowered_ir", no_lowering)
    code, _, err = _qd_compile(capsys, "--emit", "hsaco", "-o", str(tmp_path / "k.hsaco"))
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "RocmToolchainMissing" in err and "`sudo apt-get install llvm-19 lld-19`" in err
    monkeypatch.undo()
    code, out, _ = _qd_compile(capsys, "--emit", "llvm-ir")  # LLVM IR needs no LLVM 19
    assert code == 0 and "define amdgpu_kernel void @three_k3(" in out


# -- code objects (llvm-19 / lld-19) --------------------------------------------------------------


@pytest.mark.skipif(not HAVE_TOOLS, reason=NO_TOOLS)
def test_write_artifact_writes_hsaco_ir_plan_and_manifest(tmp_path):
    compilation = Compilation.for_kernel(looped, LOOP_ARGS, target="rocm", arch="gfx942")
    manifest = compilation.write_artifact(tmp_path)
    assert Manifest.read(tmp_path) == manifest
    assert (manifest.target, manifest.arch, manifest.library) == (
        "amdgpu",
        "gfx942",
        "qd_looped.hsaco",
    )
    image = (tmp_path / manifest.library).read_bytes()
    assert image[:4] == b"\x7fELF"
    kernels = read_code_object(image)
    assert sorted(kernels) == ["looped__qd_loop0", "looped_k0", "looped_k1", "looped_k2"]
    assert (tmp_path / "qd_looped.ll").read_text().count("define amdgpu_kernel") == 4


def _test_kernels():
    sys.path.insert(0, str(Path(__file__).parent))
    import test_upstream_acceptance as acceptance

    return acceptance


@pytest.mark.skipif(not HAVE_TOOLS, reason=NO_TOOLS)
def test_every_test_kernel_becomes_a_code_object_or_names_the_math_it_lacks(tmp_path):
    """All Python kernels of the suites (as in test_upstream_acceptance.py): LLVM 19 builds a
    code object with one kernel descriptor per task, unless the kernel calls math the target
    refuses (then check_linkable names it)."""
    acceptance = _test_kernels()
    built, refused = [], []
    for param in acceptance._kernels():
        path, name = param.values
        build = acceptance.compilation(path, name, "rocm")
        if acceptance.prints(build):  # print() runs on qd.cpu only
            continue
        upstream = build.upstream_ir()
        name = build.kernel.__name__  # `sim.step` names the kernel `step`
        build = compile_rocm(upstream, name, "gfx90a")
        if unsupported_calls(build.llvm_ir):
            with pytest.raises(RocmBuildError, match="does not link ROCm's device libraries"):
                check_linkable(build)
            refused.append(param.id)
            continue
        out = rocm_toolchain.build_hsaco(build.llvm_ir, "gfx90a", tmp_path / f"{name}.hsaco", name)
        assert sorted(read_code_object(out.read_bytes())) == sorted(build.kernel_names()), name
        built.append(param.id)
    print(f"{len(built)} kernels built, refused for their math: {refused}")
    assert len(built) >= 60 and len(refused) <= 6
