"""Every Python kernel of the test suites crosses the hand-off and upstream `mlir-opt` accepts it.

The kernels come from the frontend lit tests (tests/lit/frontend/*.py, named in their RUN lines)
and from the execution test modules; each is compiled to upstream IR for the CPU and the GPU
lowering and fed to the mlir-opt binary of the MLIR 22 wheel, as a separate process.
"""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import mlir
import pytest

from qdmlir.frontend.compiler import Compilation
from qdmlir.frontend.kernel import Kernel

TESTS = Path(__file__).resolve().parents[1]
MLIR_OPT = Path(list(mlir.__path__)[0]) / "bin" / "mlir-opt"
EXECUTION_MODULES = ("test_checkpoint_semantics.py", "test_kernel_language.py")


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"acceptance_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    return module


def _kernels():
    for path in sorted((TESTS / "lit" / "frontend").glob("*.py")):
        for name in sorted(set(re.findall(r"--kernel ([\w.]+)", path.read_text()))):
            yield pytest.param(path, name, id=f"{path.stem}:{name}")
    for module_name in EXECUTION_MODULES:
        path = TESTS / "python" / module_name
        for name, value in sorted(vars(_load(path)).items()):
            # kernels that leave dtype/ndim to their arguments have no single signature
            if isinstance(value, Kernel) and _compilation(value) is not None:
                yield pytest.param(path, name, id=f"{path.stem}:{name}")


def _compilation(kernel, overrides: tuple = (), **options) -> Compilation | None:
    from qdmlir.tools.qd_compile import UsageError, kernel_compilation

    try:
        return kernel_compilation(kernel, list(overrides), **options)
    except UsageError:
        return None


def prints(build: Compilation) -> bool:
    """Whether the kernel calls print(), which GPU targets refuse."""
    cpu = Compilation.for_kernel(build.kernel, build.args, target="cpu", layout=build.layout)
    cpu.kernel_ir()
    return bool(cpu.print_sites)


def compilation(path: Path, name: str, target: str) -> Compilation:
    """The kernel compiled as its lit RUN line (its `--arg`s) or its plain annotations say."""
    kernel = _load(path)
    for part in name.split("."):  # `sim.step`: a kernel method of a module-level object
        kernel = getattr(kernel, part)
    overrides = ()
    if path.parent.name == "frontend":
        found = re.search(rf"--kernel {re.escape(name)}((?: --arg \S+)*)", path.read_text())
        overrides = tuple(found.group(1).split()[1::2])
    return _compilation(kernel, overrides, target=target)


@pytest.mark.parametrize(("path", "name"), list(_kernels()))
@pytest.mark.parametrize("target", ["cpu", "cuda"])
def test_upstream_mlir_opt_accepts_the_kernel(path, name, target):
    build = compilation(path, name, target)
    if target != "cpu" and prints(build):
        pytest.skip("print() in a kernel runs on qd.cpu only (test_bad_input.py pins the error)")
    text = str(build.upstream_ir())
    assert "checkpoint." not in text
    done = subprocess.run([str(MLIR_OPT)], input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
