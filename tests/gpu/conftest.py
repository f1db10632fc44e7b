"""GPU suite set-up: qd.init(arch=qd.cuda) with the artifacts of tests/gpu/artifacts.

The same tests run under three drivers (gpu_suite.py; docs/testing.md says what each proves):
- the real one on a GPU machine ($QD_GPU_DRIVER unset): kernels come from the prebuilt cache,
  the compiler is not installed there and never imported;
- `fake` (`gpu_suite.py build`): the Python fake of tests/python, so that kernels made or called
  inside tests are compiled into the cache under the keys the frontend computes;
- `stub` (CI): the real cuda-bindings over the stand-in libcuda.so.1 of tests/stubcuda, which
  checks every driver call at the C ABI.
Neither the fake nor the stub executes kernels: value assertions fail there, and a host do-while
would read an unchanged condition forever, so a launch reading one more than LOOP_READS times
raises NoKernelsRun. Under them each test's outcome goes to $QD_GPU_REPORT (JSON) for the
caller to judge. QD_GPU_NO_COMPILER=1 hides xDSL and MLIR, as on the GPU machine, so a kernel
missing from the cache fails. A watchdog ends a test that runs past $QD_GPU_TEST_TIMEOUT seconds
(default 60) with every thread's stack: a WHILE node whose condition is never cleared spins
inside cuStreamSynchronize, where no Python-level timeout can reach it.
"""

import faulthandler
import importlib.abc
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "python"))
import pytest  # noqa: E402
import qdmlir_path  # noqa: E402,F401 - before qdmlir

os.environ.setdefault("QD_CACHE_DIR", str(HERE / "artifacts"))
os.environ["QD_CACHE"] = "1"
DRIVER = os.environ.get("QD_GPU_DRIVER", "real")
NO_KERNELS = DRIVER in ("fake", "stub")
LOOP_READS = 1000
TEST_TIMEOUT = float(os.environ.get("QD_GPU_TEST_TIMEOUT", "60"))
OUTCOMES: list[dict] = []


class NoKernelsRun(Exception):
    """A host do-while under a driver that executes no kernel: its condition never changes."""


class HideCompiler(importlib.abc.MetaPathFinder):
    """xDSL and MLIR cannot be imported, as on the GPU machine."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("xdsl", "mlir"):
            raise ImportError(f"{name} is hidden: QD_GPU_NO_COMPILER=1 (as on the GPU machine)")
        return None


def pytest_configure(config):
    if DRIVER not in ("real", "fake", "stub"):
        raise pytest.UsageError(f"QD_GPU_DRIVER={DRIVER!r}: expected real, fake or stub")
    if os.environ.get("QD_GPU_NO_COMPILER") == "1":
        sys.meta_path.insert(0, HideCompiler())
    import qdmlir as qd
    from qdmlir.runtime import cuda_driver

    if DRIVER == "fake":
        from fake_cuda_driver import FakeDriver

        os.environ.setdefault("QD_CUDA_ARCH", "sm_90")
        cuda_driver.use_driver(FakeDriver())
    if NO_KERNELS:
        _bound_host_loops()
    os.environ.setdefault("QD_STRICT_ARCH", "1")  # never fall back to the CPU here
    qd.init(arch=qd.cuda)


def pytest_collection_finish(session):
    """The build (fake driver): compile every annotated kernel of the suite's modules and of
    bench/cuda_cases.py directly, before the tests run (kernel_build.py says why)."""
    if DRIVER != "fake":
        return
    import importlib.util

    from kernel_build import compile_kernels

    bench = HERE.parents[1] / "bench" / "cuda_cases.py"
    spec = importlib.util.spec_from_file_location("cuda_cases", bench)
    bench_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_module)
    modules = {item.module for item in session.items if getattr(item, "module", None)}
    built, left = compile_kernels([*sorted(modules, key=lambda m: m.__name__), bench_module])
    write = session.config.pluginmanager.get_plugin("terminalreporter").write_line
    write(f"kernel_build: {len(built)} kernels compiled for {os.environ['QD_CUDA_ARCH']}")
    for line in left:
        write(f"kernel_build: left to the tests' calls: {line}")


def _bound_host_loops() -> None:
    from qdmlir.runtime.cuda_direct import DirectRun

    read = DirectRun.load

    def load(run, inst):
        run.reads = getattr(run, "reads", 0) + 1
        if run.reads > LOOP_READS:
            raise NoKernelsRun(
                f"{DRIVER} driver: {LOOP_READS} device reads in one launch; it executes no "
                "kernel, so a host do-while's condition never changes"
            )
        read(run, inst)

    DirectRun.load = load


SKIPS = {
    # name -> (applies?, reason)
    "test_numbering_follows_the_design_example": (
        lambda: _compiler_hidden(),
        "inspects the compiler's IR: xDSL and MLIR are not on the GPU machine",
    ),
    "test_numpy_arrays_work_as_arguments_and_are_written_in_place": (
        lambda: True,
        "qd.cuda refuses numpy arrays by design: they are host memory (docs/targets.md)",
    ),
    "test_steady_calls_replay_a_graph": (
        lambda: os.environ.get("QD_CUDA_GRAPH") == "0",
        "QD_CUDA_GRAPH=0: graphs are off in this configuration",
    ),
}


def _compiler_hidden() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("xdsl") is None
    except ImportError:
        return True


def pytest_collection_modifyitems(config, items):
    for item in items:
        skip = SKIPS.get(item.originalname)
        if skip is not None and skip[0]():
            item.add_marker(pytest.mark.skip(reason=skip[1]))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    faulthandler.dump_traceback_later(TEST_TIMEOUT, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if call.when == "call" or report.failed or report.skipped:
        error = call.excinfo
        OUTCOMES.append(
            {
                "test": item.nodeid,
                "when": call.when,
                "outcome": report.outcome,
                "error": error.typename if error and not report.skipped else None,
                "message": str(error.value).split("\n")[0][:300] if error else "",
            }
        )


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("QD_GPU_REPORT")
    if path:
        Path(path).write_text(json.dumps({"driver": DRIVER, "tests": OUTCOMES}, indent=1))


@pytest.fixture(autouse=True)
def _cuda_arch():
    """Tests that call qd.init themselves get qd.cuda back afterwards."""
    yield
    import qdmlir as qd

    if qd.frontend.config.current().arch is not qd.cuda:
        qd.init(arch=qd.cuda)
