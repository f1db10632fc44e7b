"""The GPU suite in one script: build the artifacts here, run tests and benchmarks there.

    python tests/gpu/gpu_suite.py build   # a machine with the compiler (.venv), no GPU needed
    python tests/gpu/gpu_suite.py run     # the GPU machine: Python, cuda-bindings, numpy, pytest

`build` runs tests/gpu and bench/cuda_bench.py against the fake driver with QD_CUDA_ARCH
(default sm_90), so every kernel they call is compiled into tests/gpu/artifacts under the key
the frontend computes (a few MiB of PTX, cubins and plans). `run` imports qdmlir from the
working tree (qdmlir_path.py), never the compiler, runs the suite on qd.cuda and then the
benchmarks; it prints what it ran and exits non-zero if the tests failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = HERE / "artifacts"


def _run(command: list[str], env: dict, check: bool) -> int:
    print("+", " ".join(command), flush=True)
    code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    if check and code != 0:
        sys.exit(code)
    return code


def build() -> int:
    env = dict(
        os.environ,
        QD_GPU_BUILD="1",
        QD_CACHE_DIR=str(ARTIFACTS),
        QD_CUDA_ARCH=os.environ.get("QD_CUDA_ARCH", "sm_90"),
    )
    ARTIFACTS.mkdir(exist_ok=True)
    # assertions fail here (the fake driver executes nothing): only the compiled kernels count
    _run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(HERE),
            "-q",
            "-p",
            "no:cacheprovider",
            "--tb=no",
            "-rN",
        ],
        env,
        check=False,
    )
    _run([sys.executable, str(ROOT / "bench" / "cuda_bench.py"), "--build"], env, check=True)
    entries = [p for p in ARTIFACTS.iterdir() if p.is_dir() and not p.name.startswith(".")]
    size = sum(f.stat().st_size for f in ARTIFACTS.rglob("*") if f.is_file())
    print(f"built {len(entries)} artifacts into {ARTIFACTS} ({size / 2**20:.1f} MiB)")
    return 0 if entries else 1


def run() -> int:
    env = dict(os.environ, QD_CACHE_DIR=str(ARTIFACTS))
    env.pop("QD_GPU_BUILD", None)
    if not ARTIFACTS.is_dir():
        print(f"no {ARTIFACTS}: run `python tests/gpu/gpu_suite.py build` on the build machine")
        return 2
    code = _run(
        [sys.executable, "-m", "pytest", str(HERE), "-v", "-p", "no:cacheprovider", "-rs"],
        env,
        check=False,
    )
    _run([sys.executable, str(ROOT / "bench" / "cuda_bench.py")], env, check=False)
    return code


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else ""
    if action not in ("build", "run"):
        sys.exit("usage: python tests/gpu/gpu_suite.py build|run")
    sys.exit(build() if action == "build" else run())
