"""Load every module of an artifact folder with the CUDA driver alone and report its kernels.

    python tests/gpu/smoke_load.py tests/gpu/artifacts

The first step of the device run (gpu_suite.py): before any qdmlir code runs, each artifact's
code is loaded the way runtime/cuda.py loads it (the cubin when it was built for this GPU's
chip, else the PTX, which the driver compiles) and each kernel of its plan is looked up, with
its registers, local memory (spills) and block limit. It imports only cuda-bindings, so a
failure here is the driver's or the artifact's, never the runtime's. The last line is
`smoke: N modules, K kernels, F failed`; the exit status is 1 if any failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cuda.bindings import driver


def checked(result):
    status, *values = result if isinstance(result, tuple) else (result,)
    if int(status) != 0:
        name = driver.cuGetErrorName(status)[1]
        raise RuntimeError(name.decode() if isinstance(name, bytes) else str(name))
    return values[0] if len(values) == 1 else values


def device() -> str:
    checked(driver.cuInit(0))
    handle = checked(driver.cuDeviceGet(0))
    checked(driver.cuCtxSetCurrent(checked(driver.cuDevicePrimaryCtxRetain(handle))))
    attribute = driver.CUdevice_attribute
    major = checked(
        driver.cuDeviceGetAttribute(attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, handle)
    )
    minor = checked(
        driver.cuDeviceGetAttribute(attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, handle)
    )
    name = checked(driver.cuDeviceGetName(64, handle)).split(b"\0")[0].decode()
    version = checked(driver.cuDriverGetVersion())
    print(f"device: {name} sm_{major}{minor}, driver {version}")
    return f"sm_{major}{minor}"


def load(folder: Path, chip: str) -> tuple[list[str], str]:
    """(one line per kernel, which image loaded) for one artifact folder."""
    plan = json.loads((folder / "plan.json").read_text())
    files = plan["files"]
    if files.get("cubin") and plan["arch"] == chip:
        image, kind = (folder / files["cubin"]).read_bytes(), "cubin"
    else:
        image, kind = (folder / files["ptx"]).read_bytes() + b"\0", "ptx"
    module = checked(driver.cuModuleLoadData(image))
    attribute = driver.CUfunction_attribute
    lines = []
    for kernel in plan["kernels"]:
        function = checked(driver.cuModuleGetFunction(module, kernel["name"].encode()))
        registers, local, threads = (
            checked(driver.cuFuncGetAttribute(which, function))
            for which in (
                attribute.CU_FUNC_ATTRIBUTE_NUM_REGS,
                attribute.CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES,
                attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK,
            )
        )
        lines.append(
            f"  {kernel['name']}: {registers} registers, {local} B local, <= {threads} threads"
        )
    checked(driver.cuModuleUnload(module))
    return lines, f"{plan['arch']} {kind}"


def main(artifacts: Path) -> int:
    chip = device()
    modules = kernels = failed = 0
    for manifest in sorted(artifacts.glob("*/manifest.json")):
        folder = manifest.parent
        if not (folder / "plan.json").exists():
            continue  # not a GPU artifact
        modules += 1
        try:
            lines, loaded = load(folder, chip)
        except (RuntimeError, OSError, KeyError) as err:
            failed += 1
            print(f"FAILED {folder.name}: {err}")
            continue
        kernels += len(lines)
        print(f"{folder.name[:12]} ({json.loads(manifest.read_text())['kernel']}, {loaded})")
        print("\n".join(lines))
    print(f"smoke: {modules} modules, {kernels} kernels, {failed} failed")
    return 1 if failed or not modules else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "artifacts")))
