"""The CPU target end to end: hand-written lowered kernels -> .so -> launched by the runtime.

Each kernel in cpu_kernels/ is built twice: as written (every task an OpenMP loop) and after
cpu-parallel-threshold (small tasks serial). Results are checked against numpy and against a
Python model of docs/semantics.md's launch rules.
"""

import math
import os

import numpy as np
import pytest
from cpu_build_helpers import ARGS, build, kernel_text

from qdmlir.passes.targets.cpu import CpuBuildError, build_cpu_library
from qdmlir.passes.targets.cpu_entry import EntrySignatureError
from qdmlir.runtime import dtypes
from qdmlir.runtime.ndarray import ndarray

THRESHOLD = 1000  # small enough that the large test sizes below take the parallel branch


@pytest.fixture(scope="module", params=[None, THRESHOLD], ids=["as-written", "thresholded"])
def kernels(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"kernels-{request.param}")
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = build(name, out / name, request.param)
        return cache[name]

    return get


def _graph3_model(x, flag, s, resume_point):
    """docs/semantics.md for graph3: slots 0, 1 (yields if flag), 2; returns yielded_at."""
    if resume_point <= 0:
        x += 1
    if resume_point <= 1:
        x *= np.float32(s)
        if flag:
            return 1
    x[:] = np.sqrt(x)
    return -1


@pytest.mark.parametrize("n", [1, 17, 5000])
@pytest.mark.parametrize("flag, resume_point", [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)])
def test_graph3_follows_the_checkpoint_rules(kernels, n, flag, resume_point):
    start = np.linspace(0.5, 4.0, n, dtype=np.float32)
    x, f = ndarray(dtypes.f32, n), ndarray(dtypes.i32, ())
    x.from_numpy(start)
    f[()] = flag
    yielded_at = kernels("graph3").launch((x, f, 1.5), resume_point)
    expected = start.copy()
    assert yielded_at == _graph3_model(expected, flag, 1.5, resume_point)
    np.testing.assert_allclose(x.to_numpy(), expected, rtol=1e-6)
    assert f[()] == flag  # the framework never writes the user's flag


def test_yield_then_resume_completes_the_work_once(kernels):
    x, f = ndarray(dtypes.f32, 8), ndarray(dtypes.i32, ())
    x.fill(3.0)
    f[()] = 1
    launch = kernels("graph3").launch
    assert launch((x, f, 2.0), 0) == 1
    f[()] = 0  # the host clears the flag before resuming
    assert launch((x, f, 2.0), 1) == -1  # resume runs slot 1 again, then slot 2
    np.testing.assert_allclose(x.to_numpy(), np.sqrt(np.float32(16.0)))


def _countdown_model(acc, counter, flag, resume_point):
    """docs/semantics.md rules 1-3 for countdown.mlir; returns (yielded_at, counter)."""
    if resume_point > 1:
        return -1, counter
    while True:
        if resume_point <= 0:
            acc += 1
        counter -= 1
        acc += 10  # slot 1, reached from any resume point <= 1
        if flag:
            return 1, counter
        resume_point = 0
        if counter == 0:
            return -1, counter


@pytest.mark.parametrize("n", [3, 4000])
@pytest.mark.parametrize(
    "counter, flag, resume_point",
    [(3, 0, 0), (1, 0, 0), (3, 1, 0), (3, 0, 1), (2, 1, 1), (3, 0, 2)],
)
def test_do_while_runs_natively_and_exits_on_yield(kernels, n, counter, flag, resume_point):
    acc, cnt, f = ndarray(dtypes.i64, n), ndarray(dtypes.i32, ()), ndarray(dtypes.i32, ())
    cnt[()], f[()] = counter, flag
    yielded_at = kernels("countdown").launch((acc, cnt, f), resume_point)
    expected = np.zeros(n, np.int64)
    want_yield, want_counter = _countdown_model(expected, counter, flag, resume_point)
    assert (yielded_at, cnt[()]) == (want_yield, want_counter)
    np.testing.assert_array_equal(acc.to_numpy(), expected)


def test_memrefs_of_rank_0_to_3(kernels):
    rng = np.random.default_rng(0)
    a0 = np.array(1.25)
    a1, a2 = rng.random(5), rng.random((5, 6))
    out = np.zeros((5, 6, 7))
    kernels("shapes").launch((a0, a1, a2, out), 0)
    expected = a0 + a1[:, None, None] + a2[:, :, None] * np.arange(7)[None, None, :]
    np.testing.assert_allclose(out, expected)


def test_scalar_arguments_of_every_required_type(kernels):
    out = np.zeros(6)
    values = (-(2**31), -(2**53), 1.5, 1e300, 255, 2**32 - 1)
    kernels("scalars").launch((out, *values), 0)
    assert out.tolist() == [float(v) for v in values]
    kernels("scalars").launch((out, 2**31 - 1, 2**53, -0.25, -2.5, 0, 7), 0)
    assert out.tolist() == [2**31 - 1, 2**53, -0.25, -2.5, 0, 7]


@pytest.mark.parametrize("n", [10, 200_000])
def test_atomics_from_every_iteration(kernels, n):
    vals = np.random.default_rng(1).integers(0, 1000, n).astype(np.int32)
    bins, total = np.zeros(16, np.int32), np.zeros((), np.float64)
    kernels("atomics").launch((vals, bins, total), 0)
    np.testing.assert_array_equal(bins, np.bincount(vals % 16, minlength=16))
    assert total[()] == float(vals.sum())


def test_math_functions_match_numpy(kernels):
    x = np.linspace(-2, 2, 3001, dtype=np.float32)
    y = np.linspace(-3, 3, 3001)
    out32, out64 = np.zeros_like(x), np.zeros_like(y)
    kernels("mathk").launch((x, y, out32, out64, 3), 0)
    expected32 = np.exp(x) + np.sin(x) + np.tanh(x) + np.sqrt(np.abs(x)) + np.arctan2(x, 2) + x**3
    erf = np.vectorize(math.erf)(y)
    expected64 = np.log1p(np.abs(y)) + np.cos(y) + erf + np.cbrt(y) + np.abs(y) ** 1.5 + 27
    np.testing.assert_allclose(out32, expected32, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out64, expected64, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", [7, 100_000])
def test_control_flow_inside_a_task(kernels, n):
    x = np.linspace(-1, 1, n, dtype=np.float32)
    one = np.float32(1)
    expected = np.where(x > 0, x + one + one + one, 0).astype(np.float32)  # three f32 adds
    kernels("branches").launch((x, 3), 0)
    np.testing.assert_array_equal(x, expected)


@pytest.mark.parametrize("n", [1, 999, 1000, 123_457])
def test_reductions(kernels, n):
    x = np.arange(n, dtype=np.float64)
    out = np.zeros(())
    kernels("sum").launch((x, out), 0)
    assert out[()] == n * (n - 1) / 2


@pytest.mark.skipif(
    (os.cpu_count() or 1) < 2 or os.environ.get("OMP_NUM_THREADS") == "1",
    reason="needs 2 CPUs and OpenMP allowed a second thread",
)
def test_large_tasks_run_on_several_threads(kernels):
    out = np.full(100_000, -1, np.int32)
    kernels("threads").launch((out,), 0)
    assert out.min() == 0 and len(np.unique(out)) > 1  # static schedule: every thread gets a share


def test_small_tasks_stay_on_the_calling_thread(tmp_path):
    launcher = build("threads", tmp_path, min_trip=THRESHOLD)
    # body: a call (16) and a store (1), so parallel from ceil(4 * 1000 / 17) = 236 iterations
    out = np.full(235, -1, np.int32)
    launcher.launch((out,), 0)
    assert set(np.unique(out)) == {0}


def test_library_depends_only_on_libc_libm_libomp(tmp_path):
    library = build_cpu_library(kernel_text("mathk"), "mathk", ARGS["mathk"], tmp_path)
    assert library.name == "qd_mathk.so" and sorted(p.name for p in tmp_path.iterdir()) == [
        library.name
    ]
    needed = _needed(library)
    assert set(needed) <= {"libc.so.6", "libm.so.6", "libomp.so"} and "libomp.so" in needed


def _needed(library):
    """NEEDED entries of an ELF shared object, read with llvm-readelf."""
    import subprocess

    from qdmlir.passes.targets.cpu import llvm_tool

    dump = subprocess.run(
        [llvm_tool("llvm-readelf"), "-d", str(library)], capture_output=True, text=True
    )
    return [
        line.split("[")[1].rstrip("]") for line in dump.stdout.splitlines() if "(NEEDED)" in line
    ]


def test_library_without_parallel_loops_does_not_need_libomp(tmp_path):
    library = build_cpu_library(kernel_text("scalars"), "scalars", ARGS["scalars"], tmp_path)
    assert "libomp.so" not in _needed(library)


def test_library_loads_without_ld_library_path(tmp_path):
    import subprocess
    import sys

    library = build_cpu_library(kernel_text("threads"), "threads", ARGS["threads"], tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    code = f"import ctypes; ctypes.CDLL({str(library)!r}).qd_entry"
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_signature_mismatch_names_the_argument(tmp_path):
    wrong = [*ARGS["graph3"][:2], ARGS["graph3"][2].__class__("s", "scalar", "f64", 0)]
    with pytest.raises(EntrySignatureError, match=r"argument 2 \(s\) has type f32, expected f64"):
        build_cpu_library(kernel_text("graph3"), "graph3", wrong, tmp_path)
    with pytest.raises(EntrySignatureError, match="takes 4 arguments"):
        build_cpu_library(kernel_text("graph3"), "graph3", ARGS["graph3"][:2], tmp_path)


def test_unparsable_module_and_unknown_kernel_are_clear_errors(tmp_path):
    with pytest.raises(CpuBuildError, match="does not parse"):
        build_cpu_library("func.func @k(", "k", [], tmp_path)
    with pytest.raises(CpuBuildError, match="no func.func @nope"):
        build_cpu_library(kernel_text("threads"), "nope", [], tmp_path)


def test_tool_failures_carry_the_tools_stderr(tmp_path, monkeypatch):
    from qdmlir.passes.targets import cpu

    monkeypatch.setattr(cpu, "OPT_FLAGS", ("-O3", "--no-such-flag"))
    with pytest.raises(CpuBuildError, match=r"opt failed \(exit \d+\):\n.*no-such-flag"):
        build_cpu_library(kernel_text("threads"), "threads", ARGS["threads"], tmp_path)


def test_missing_c_compiler_says_to_install_gcc(tmp_path, monkeypatch):
    monkeypatch.setenv("CC", "no-such-cc")
    with pytest.raises(CpuBuildError, match="install gcc"):
        build_cpu_library(kernel_text("threads"), "threads", ARGS["threads"], tmp_path)


def test_accepts_an_upstream_module_and_leaves_it_unchanged(tmp_path):
    from mlir import ir

    with ir.Context():
        module = ir.Module.parse(kernel_text("sum"))
        before = str(module)
        library = build_cpu_library(module, "sum", ARGS["sum"], tmp_path)
        assert str(module) == before and library.exists()


def test_cache_round_trip_with_a_real_build(tmp_path):
    """Build through the cache, load, then truncate the library: the next lookup misses and
    the rebuilt entry launches correctly."""
    from qdmlir.passes.targets.cpu import build_cpu_artifact
    from qdmlir.runtime.artifact import Manifest
    from qdmlir.runtime.cache import ArtifactCache
    from qdmlir.runtime.cpu import CpuLauncher

    cache = ArtifactCache(tmp_path / "cache", enabled=True)
    key = "5e" * 16
    builds = []

    def build_fn(folder):
        builds.append(folder)
        build_cpu_artifact(kernel_text("sum"), Manifest("sum", "cpu", "", ARGS["sum"]), folder)

    entry = cache.get_or_build(key, build_fn)
    x, out = np.arange(100.0), np.zeros(())
    CpuLauncher.from_artifact(entry).launch((x, out), 0)
    assert out[()] == 4950.0
    library = entry / Manifest.read(entry).library
    # a truncated copy replaces it (a new inode: truncating the mapped file in place would
    # crash this process, which has it loaded)
    damaged = library.with_name("damaged")
    damaged.write_bytes(library.read_bytes()[:1000])
    os.replace(damaged, library)
    assert cache.lookup(key) is None
    entry = cache.get_or_build(key, build_fn)
    assert len(builds) == 2 and cache.lookup(key) == entry
    # a fresh process loads the rebuilt library (this one still maps the first)
    import subprocess
    import sys

    code = (
        "import numpy as np; from qdmlir.runtime.cpu import CpuLauncher\n"
        f"x, out = np.arange(10.0), np.zeros(()); CpuLauncher.from_artifact({str(entry)!r}).launch((x, out))\n"
        "assert out[()] == 45.0\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
