"""`quadrants.lang`: the arch objects test_utils imports, qdmlir's `qd.lang` namespace, and the
submodules Quadrants' tests import by path."""

import qdmlir as _qdmlir
from qdmlir import amdgpu, arm64, cpu, cuda, gpu, metal, vulkan, x64
from quadrants.lang import exception, impl, misc, util


def __getattr__(name: str):
    try:
        return getattr(_qdmlir.lang, name)
    except AttributeError:
        raise AttributeError(f"qdmlir's qd.lang has no attribute {name!r}") from None
