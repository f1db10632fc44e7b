"""`quadrants._lib.core` for test_utils: arch names, the extension table, and the marker error for
Quadrants' private runtime state."""

import enum

import qdmlir as _qdmlir
from qdmlir.frontend.config import _ARCHES


class QuadrantsPrivateState(RuntimeError):
    """A test reached Quadrants' private runtime state or compiler internals; qdmlir has neither
    (out of scope for the upstream files, docs/upstream-tests.md)."""

    def __init__(self, what: str, kind: str = "runtime state"):
        super().__init__(f"{what}: Quadrants' private {kind}, which qdmlir does not have")


class Extension(enum.Enum):
    """Quadrants' optional backend features, which test_utils.test(require=...) asks for."""

    sparse = "sparse"
    quant = "quant"
    quant_basic = "quant_basic"
    data64 = "data64"
    adstack = "adstack"
    bls = "bls"
    assertion = "assertion"
    extfunc = "extfunc"
    mesh = "mesh"


# What qdmlir compiles, on every target it has: 64-bit types, and qd.init(debug=True) checks
# (bounds, division by zero, `assert` statements on the CPU). No sparse
# SNodes, quantized types, autodiff stacks, block-local storage, external functions or meshes:
# tests that require those are skipped, as on a Quadrants backend without them.
_SUPPORTED = {Extension.data64, Extension.assertion}


def is_extension_supported(arch, extension: Extension) -> bool:
    return arch.target is not None and extension in _SUPPORTED


def arch_from_name(name: str):
    return _ARCHES[name]


def host_arch():
    return _qdmlir.cpu


def __getattr__(name: str):
    # the compiled core's own error classes (`qd._lib.core.QuadrantsRuntimeError`) are qdmlir's
    if name.startswith("Quadrants") and name.endswith("Error"):
        try:
            return getattr(_qdmlir, name)
        except AttributeError:
            raise AttributeError(f"qdmlir has no exception class {name!r}") from None
    raise AttributeError(f"module 'quadrants._lib.core' has no attribute {name!r}")
