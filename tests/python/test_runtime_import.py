"""The runtime imports without the compiler: neither `mlir` nor `xdsl` (docs/architecture.md)."""

import subprocess
import sys


def test_runtime_imports_neither_mlir_nor_xdsl():
    code = (
        "import sys\n"
        "import qdmlir.runtime\n"
        "from qdmlir.runtime import artifact, cache, cpu, cpu_args, dtypes, errors, interrupts\n"
        "from qdmlir.runtime import ndarray, status\n"
        "from qdmlir.runtime import cuda, cuda_direct, cuda_driver, cuda_graph, cuda_ndarray\n"
        "from qdmlir.runtime import cuda_plan, gpu_launcher, hip, hip_runtime\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('mlir', 'xdsl'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
