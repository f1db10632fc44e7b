"""LLVM 19's AMDGPU tools: LLVM IR -> code object (hsaco), and one message when they are missing.

The bundled LLVM 22 has no AMDGPU back end; Debian's `llvm-19` / `lld-19` packages have one
(gpu-feasibility.md Q4). The steps, each a separate process:

    opt-19 -O3 -mtriple=amdgcn-amd-amdhsa -mcpu=<chip> k.ll -o k.bc      (global loads/stores)
    llc-19 -O3 ... --amdhsa-code-object-version=5 -filetype=obj k.bc -o k.o
    ld.lld-19 -shared --no-undefined k.o -o k.hsaco                       (unresolved = error)

Tools are looked up in $QD_ROCM_LLVM_BIN (a folder holding `opt`, `llc`, `ld.lld` of LLVM 19 or
newer, e.g. /opt/rocm/llvm/bin) if set, else as `opt-19` etc. on PATH, else in SEARCH_DIRS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from qdmlir.passes.targets.gpu_kernels import GpuBuildError
from qdmlir.passes.targets.rocm_arch import TRIPLE

TOOLS = ("opt", "llc", "ld.lld")
SEARCH_DIRS = ["/usr/lib/llvm-19/bin"]
INSTALL_COMMAND = "sudo apt-get install llvm-19 lld-19"
CODE_OBJECT_VERSION = 5
"""COV5: what ROCm 6 loads; LLVM 19's default, stated so an LLVM change cannot switch it."""


class RocmBuildError(GpuBuildError):
    """Building a ROCm artifact failed; the message names the step and carries its log."""


class RocmToolchainMissing(RocmBuildError):
    """opt-19, llc-19 or ld.lld-19 is not installed; the message says how to install them."""


def find_tools() -> dict[str, str | None]:
    """Each of TOOLS -> its path, or None where it is not found."""
    override = os.environ.get("QD_ROCM_LLVM_BIN")
    found: dict[str, str | None] = {}
    for tool in TOOLS:
        if override:
            path = Path(override) / tool
            found[tool] = str(path) if path.is_file() and os.access(path, os.X_OK) else None
            continue
        found[tool] = shutil.which(f"{tool}-19")
        for folder in SEARCH_DIRS if found[tool] is None else ():
            path = Path(folder) / tool
            if path.is_file() and os.access(path, os.X_OK):
                found[tool] = str(path)
                break
    return found


def missing_message(missing: list[str]) -> str:
    """The one message for a missing toolchain: what is missing, the command, the way around."""
    override = os.environ.get("QD_ROCM_LLVM_BIN")
    where = (
        f"in QD_ROCM_LLVM_BIN={override}"
        if override
        else "on PATH (as " + ", ".join(f"{t}-19" for t in missing) + ")"
    )
    return (
        f"the ROCm target builds code objects (hsaco) with LLVM 19's AMDGPU back end, and "
        f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not {where}: install them "
        f"with `{INSTALL_COMMAND}` (Debian 12+/Ubuntu 24.04+; `make rocm-toolchain` runs it as "
        "root) or set QD_ROCM_LLVM_BIN to a folder with opt, llc and ld.lld of LLVM 19 or "
        "newer; --emit llvm-ir works without them"
    )


def require_tools() -> dict[str, str]:
    """The tool paths; RocmToolchainMissing with the install command if any is missing."""
    found = find_tools()
    missing = [tool for tool, path in found.items() if path is None]
    if missing:
        raise RocmToolchainMissing(missing_message(missing))
    return found  # type: ignore[return-value]


def build_hsaco(llvm_ir: str, chip: str, out: Path, kernel_name: str) -> Path:
    """LLVM IR text (already downgraded for LLVM 19) -> code object at `out`. A tool failure
    raises RocmBuildError with its log and command line."""
    tools = require_tools()
    target = (f"-mtriple={TRIPLE}", f"-mcpu={chip}")
    with tempfile.TemporaryDirectory(prefix="qd_rocm_") as tmp:
        source, bitcode, obj = (Path(tmp) / name for name in ("k.ll", "k.bc", "k.o"))
        source.write_text(llvm_ir)
        steps = [
            [tools["opt"], "-O3", *target, str(source), "-o", str(bitcode)],
            [
                tools["llc"],
                "-O3",
                *target,
                f"--amdhsa-code-object-version={CODE_OBJECT_VERSION}",
                "-filetype=obj",
                str(bitcode),
                "-o",
                str(obj),
            ],
            [tools["ld.lld"], "-shared", "--no-undefined", str(obj), "-o", str(out)],
        ]
        for command in steps:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                name = Path(command[0]).name
                raise RocmBuildError(
                    f"kernel {kernel_name}: {name} failed (exit {result.returncode}):\n"
                    f"{result.stderr.strip()}\ncommand: {' '.join(command)}"
                )
    return out
