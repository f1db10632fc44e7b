"""Compile a module's kernels into the cache from their annotations alone, without calling them.

`gpu_suite.py build` runs the suite over the fake driver, where every test stops at its first
failing assertion (nothing executes), so a kernel called after one would never be compiled by
the tests alone. This builds every module-level kernel whose annotations fix each parameter
(`qd.types.ndarray(qd.f32, 1)`, `qd.i32`) through `Kernel._specialization`, the step a call
takes before it launches, so the artifact lands under exactly the key a call computes.
"""

from __future__ import annotations

import qdmlir as qd
from qdmlir.frontend.kernel import Kernel, resolve_annotation
from qdmlir.frontend.lang import NdarrayType
from qdmlir.runtime.dtypes import DType


def module_kernels(module) -> list[Kernel]:
    return [value for value in vars(module).values() if isinstance(value, Kernel)]


def example_arguments(kernel: Kernel) -> tuple | None:
    """Arguments of the annotated types (arrays of ones, zeros); None if any is left open."""
    args = []
    for parameter in kernel._parameters:
        annotation = resolve_annotation(kernel, parameter)
        if isinstance(annotation, NdarrayType):
            if annotation.dtype is None or annotation.ndim is None:
                return None
            args.append(qd.ndarray(annotation.dtype, (1,) * annotation.ndim))
        elif isinstance(annotation, DType):
            args.append(0.0 if annotation.is_float else 0)
        else:  # qd.template(): one build per value, which only a call knows
            return None
    return tuple(args)


def compile_kernels(modules) -> tuple[list[str], list[str]]:
    """(kernels built, kernels left to the tests' own calls, each with the reason)."""
    built, left = [], []
    seen = set()
    for module in modules:
        for kernel in module_kernels(module):
            if id(kernel) in seen:
                continue
            seen.add(id(kernel))
            name = f"{module.__name__}.{kernel.__name__}"
            args = example_arguments(kernel)
            if args is None:
                left.append(f"{name}: a parameter's type is left to the call")
                continue
            try:
                kernel._specialization(args)
            except Exception as err:  # noqa: BLE001 - reported, and the tests show it too
                left.append(f"{name}: {type(err).__name__}: {str(err).splitlines()[0]}")
                continue
            built.append(name)
    return built, left
