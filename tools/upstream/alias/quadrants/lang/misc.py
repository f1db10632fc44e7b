"""`quadrants.lang.misc`: which archs and extensions this machine runs, for test_utils.test()."""

import qdmlir as _qdmlir
from quadrants._lib.core import host_arch, is_extension_supported  # noqa: F401


def is_arch_supported(arch) -> bool:
    """The CPU always; CUDA or AMD GPUs where qdmlir's driver finds one; nothing else."""
    if arch is _qdmlir.cpu:
        return True
    if arch is _qdmlir.cuda:
        from qdmlir.runtime.cuda_driver import device_count
    elif arch is _qdmlir.amdgpu:
        from qdmlir.runtime.hip_runtime import device_count
    else:
        return False
    try:
        return device_count() > 0
    except Exception:
        return False


def get_host_arch_list() -> list:
    return [host_arch()]
