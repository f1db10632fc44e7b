"""GPU suite set-up: qd.init(arch=qd.cuda) with artifacts from tests/gpu/artifacts.

On the GPU machine (`python tests/gpu/gpu_suite.py run`) the kernels come from the prebuilt
cache only; the compiler is never imported. With QD_GPU_BUILD=1 (`gpu_suite.py build`, on a
machine with the compiler and no GPU) the same tests run against the fake driver and each
kernel call compiles its artifact into that cache, under exactly the key the frontend computes;
their assertions are meaningless there (nothing executes) and their results are ignored.
"""

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
BUILD = os.environ.get("QD_GPU_BUILD") == "1"


def pytest_configure(config):
    import qdmlir as qd
    from qdmlir.runtime import cuda_driver

    if BUILD:
        from fake_cuda_driver import FakeDriver

        os.environ.setdefault("QD_CUDA_ARCH", "sm_90")
        cuda_driver.use_driver(FakeDriver())
    qd.init(arch=qd.cuda)


@pytest.fixture(autouse=True)
def _cuda_arch():
    """Tests that call qd.init themselves get qd.cuda back afterwards."""
    yield
    import qdmlir as qd

    if qd.frontend.config.current().arch is not qd.cuda:
        qd.init(arch=qd.cuda)
