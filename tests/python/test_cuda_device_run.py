"""The device run rehearsed without a GPU: the real cuda-bindings over the stand-in libcuda.so.1.

tests/stubcuda/ builds a libcuda.so.1 that checks every driver call at the C ABI (a current
context, struct layouts as cuda-bindings fills them, reserved bytes, memset alignment, kernel
parameters, condition handles) and prints `STUBCUDA-VIOLATION ...` for each breach and a
`STUBCUDA-SUMMARY ... violations=N` line at exit; it executes no kernel (docs/testing.md).
Here `gpu_suite.py build` makes the artifacts a GPU machine needs, and `gpu_suite.py run`, the
device run itself, runs every step over the stand-in with the compiler hidden: every module
loads, every launch and graph build the suite reaches breaks no rule, nothing is missing from
the cache, and what fails fails only because no kernel ran. Without a C compiler or CUDA's
cuda.h the stand-in cannot be built and these tests skip, saying so.
"""

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "tests" / "gpu" / "gpu_suite.py"
BENCH = ROOT / "bench" / "cuda_bench.py"
SUMMARY = re.compile(
    r"STUBCUDA-SUMMARY launches=(\d+) graph_launches=(\d+) kernel_nodes=(\d+) "
    r"conditional_nodes=(\d+) violations=(\d+)"
)
# what may fail when no kernel runs: a value check, a host loop stopped by the suite's guard,
# and a resume from the checkpoint of a yield that could not happen
EXPECTED_FAILURES = ("AssertionError", "NoKernelsRun")
NO_YIELD = "from_checkpoint=None"


@pytest.fixture(scope="module")
def stub(tmp_path_factory):
    """The folder holding the stand-in libcuda.so.1, built from tests/stubcuda/."""
    pytest.importorskip("cuda.bindings.driver", reason="cuda-bindings is not installed (make venv)")
    folder = tmp_path_factory.mktemp("stubcuda")
    built = subprocess.run(
        ["sh", str(ROOT / "tests" / "stubcuda" / "build.sh"), str(folder)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if built.returncode != 0:
        pytest.skip(f"the stand-in libcuda.so.1 cannot be built here: {built.stdout}{built.stderr}")
    return folder


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gpu_artifacts")
    done = run([sys.executable, str(SUITE), "build", "--artifacts", str(folder)], timeout=600)
    assert done.returncode == 0, done.stdout[-4000:]
    assert "build: sm_80:" in done.stdout and "build: sm_90:" in done.stdout, done.stdout
    return folder


def run(command, env=None, timeout=300):
    return subprocess.run(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def over_stub(stub) -> dict:
    return {"LD_LIBRARY_PATH": str(stub), "QD_GPU_DRIVER": "stub", "QD_GPU_NO_COMPILER": "1"}


def counts(log: str) -> dict:
    """The stand-in's summary of one process, after checking it printed no violation."""
    violations = [line for line in log.splitlines() if "STUBCUDA-VIOLATION" in line]
    assert not violations, "\n".join(violations[:20])
    found = SUMMARY.findall(log)
    assert len(found) == 1, f"no single STUBCUDA-SUMMARY line (the process died?):\n{log[-3000:]}"
    names = ("launches", "graph_launches", "kernel_nodes", "conditional_nodes", "violations")
    return dict(zip(names, map(int, found[0])))


def unexpected_failures(report: Path) -> list[str]:
    tests = json.loads(report.read_text())["tests"]
    assert len(tests) > 30, "the suite did not run"
    bad = []
    for test in tests:
        if test["outcome"] != "failed" or test["error"] in EXPECTED_FAILURES:
            continue
        if test["error"] == "RuntimeError" and NO_YIELD in test["message"]:
            continue
        bad.append(f"{test['test']}: {test['error']}: {test['message']}")
    return bad


@pytest.fixture(scope="module")
def device_run(stub, artifacts, tmp_path_factory):
    out = tmp_path_factory.mktemp("device_run")
    command = [sys.executable, str(SUITE), "run", "--artifacts", str(artifacts), "--out", str(out)]
    done = run(command, over_stub(stub), timeout=600)
    print(done.stdout[-2000:])
    return out


def test_every_module_loads_through_the_real_bindings(device_run):
    log = (device_run / "smoke.log").read_text()
    assert counts(log)["violations"] == 0
    last = log.strip().splitlines()[-2]  # before the stand-in's summary
    modules, kernels, failed = map(int, re.findall(r"\d+", last))
    assert failed == 0 and modules >= 40 and kernels >= 4 * modules, log[-2000:]
    assert " sm_90 cubin)" in log and " sm_80 ptx)" in log


@pytest.mark.parametrize("step", ["graphs", "while", "direct", "sm80"])
def test_the_suite_breaks_no_driver_rule_in_each_configuration(device_run, step):
    log = (device_run / f"{step}.log").read_text()
    seen = counts(log)
    if step == "graphs":  # QD_CUDA_GRAPH=1: every call a graph, small do-whiles loop kernels
        assert seen["graph_launches"] > 20 and seen["kernel_nodes"] > 50, seen
    elif step == "while":  # and no loop kernels: do-whiles as WHILE nodes
        assert seen["graph_launches"] > 20 and seen["conditional_nodes"] > 5, seen
    elif step == "direct":  # QD_CUDA_GRAPH=0, no loop kernels: launches and host loops
        assert seen["launches"] > 100 and seen["graph_launches"] == 0, seen
    else:  # sm_80: no conditional nodes exist; loops are loop kernels or host loops
        assert seen["launches"] > 50 and seen["conditional_nodes"] == 0, seen
    assert "has no artifact in the cache" not in log
    assert not unexpected_failures(device_run / f"{step}.json")


def test_the_bench_loads_every_kernel_and_refuses_a_loop_that_did_not_run(device_run):
    log = (device_run / "bench.log").read_text()
    assert counts(log)["kernel_nodes"] > 0
    assert "has no artifact in the cache" not in log
    # the stand-in runs no kernel, so the do-while's counter never reaches 0: the bench says so
    assert "the do-while exited early: steps = 10000, not 0" in log
    assert "bench: FAILED" in log
    summary = (device_run / "summary.txt").read_text()
    assert re.search(r"^bench: rc=1 ", summary, re.M), summary


def test_host_overhead_mode_times_graph_replays(stub, artifacts):
    env = {**over_stub(stub), "QD_CACHE_DIR": str(artifacts)}
    done = run(
        [sys.executable, str(BENCH), "--host-overhead", "--calls", "300", "--rounds", "2"], env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"bench: host overhead .*: \d+\.\d+ us median", done.stdout), done.stdout
    seen = counts(done.stderr)
    assert seen["graph_launches"] >= 600 and seen["launches"] <= 4, seen  # replays, not launches


def test_qd_init_cuda_without_libcuda_falls_back_to_the_cpu(tmp_path):
    pytest.importorskip("cuda.bindings.driver", reason="cuda-bindings is not installed (make venv)")
    code = (
        "import warnings, qdmlir as qd\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    qd.init(arch=qd.cuda)\n"
        "print(qd.frontend.config.current().arch.name, [str(w.message) for w in caught])\n"
    )
    env = {"LD_LIBRARY_PATH": str(tmp_path), "QD_STRICT_ARCH": "0"}  # no libcuda.so.1 there
    done = run([sys.executable, "-c", code], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cpu ") and "falling back to qd.cpu" in done.stdout, done.stdout
    strict = run([sys.executable, "-c", code], {**env, "QD_STRICT_ARCH": "1"})
    assert strict.returncode == 1 and "no usable CUDA device" in strict.stderr, strict.stderr


def test_the_gpu_suite_collects_where_qdmlir_is_not_installed():
    """On the GPU machine `python -m pytest` puts the working directory first on sys.path,
    where the bare qdmlir/ folder is not the package; without site-packages' editable install
    that is what happens here too (-S), with numpy and pytest still reachable."""
    site = sysconfig.get_paths()["purelib"]
    code = (
        f"import sys; sys.path[:0] = ['', {site!r}]\n"
        "import pytest\n"
        "sys.exit(pytest.main(['--collect-only', '-q', '-p', 'no:cacheprovider', 'tests/gpu']))\n"
    )
    env = {"QD_GPU_DRIVER": "real", "QD_STRICT_ARCH": "0"}  # no GPU here: collect on the CPU
    done = run([sys.executable, "-S", "-c", code], env, timeout=120)
    assert "ModuleNotFoundError" not in done.stdout + done.stderr, done.stdout + done.stderr
    assert re.search(r"^\d+ tests collected", done.stdout, re.M), done.stdout + done.stderr
