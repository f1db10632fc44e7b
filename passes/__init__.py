"""The pass registry: the one table `qd-opt` and the compiler driver read (STYLE: registration).

Each entry maps a kebab-case pass name to a zero-argument factory that imports the pass lazily
and returns its class. Keep the table alphabetical; `tests/python/test_registry.py` checks that
every factory's `name` matches its key.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass


def _canonicalize() -> type[ModulePass]:
    from xdsl.transforms.canonicalize import CanonicalizePass

    return CanonicalizePass


def _checkpoint_lower() -> type[ModulePass]:
    from qdmlir.passes.checkpoint_lower import CheckpointLowerPass

    return CheckpointLowerPass


def _checkpoint_merge_guards() -> type[ModulePass]:
    from qdmlir.passes.checkpoint_merge_guards import CheckpointMergeGuardsPass

    return CheckpointMergeGuardsPass


def _checkpoint_number() -> type[ModulePass]:
    from qdmlir.passes.checkpoint_number import CheckpointNumberPass

    return CheckpointNumberPass


def _checkpoint_reuse_state_loads() -> type[ModulePass]:
    from qdmlir.passes.checkpoint_reuse_state_loads import CheckpointReuseStateLoadsPass

    return CheckpointReuseStateLoadsPass


def _checkpoint_verify() -> type[ModulePass]:
    from qdmlir.passes.checkpoint_verify import CheckpointVerifyPass

    return CheckpointVerifyPass


def _cpu_interrupt_checks() -> type[ModulePass]:
    from qdmlir.passes.cpu_interrupt_checks import CpuInterruptChecksPass

    return CpuInterruptChecksPass


def _cpu_parallel_sections() -> type[ModulePass]:
    from qdmlir.passes.cpu_parallel_sections import CpuParallelSectionsPass

    return CpuParallelSectionsPass


def _cpu_parallel_threshold() -> type[ModulePass]:
    from qdmlir.passes.cpu_parallel_threshold import CpuParallelThresholdPass

    return CpuParallelThresholdPass


def _cse() -> type[ModulePass]:
    from xdsl.transforms.common_subexpression_elimination import (
        CommonSubexpressionElimination,
    )

    return CommonSubexpressionElimination


def _gpu_coarsen_tasks() -> type[ModulePass]:
    from qdmlir.passes.gpu_coarsen_tasks import GpuCoarsenTasksPass

    return GpuCoarsenTasksPass


def _gpu_device_loops() -> type[ModulePass]:
    from qdmlir.passes.gpu_device_loops import GpuDeviceLoopsPass

    return GpuDeviceLoopsPass


def _gpu_condition_kernels() -> type[ModulePass]:
    from qdmlir.passes.gpu_condition_kernels import GpuConditionKernelsPass

    return GpuConditionKernelsPass


def _dce() -> type[ModulePass]:
    from xdsl.transforms.dead_code_elimination import DeadCodeElimination

    return DeadCodeElimination


_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "canonicalize": _canonicalize,
    "checkpoint-lower": _checkpoint_lower,
    "checkpoint-merge-guards": _checkpoint_merge_guards,
    "checkpoint-number": _checkpoint_number,
    "checkpoint-reuse-state-loads": _checkpoint_reuse_state_loads,
    "checkpoint-verify": _checkpoint_verify,
    "cpu-interrupt-checks": _cpu_interrupt_checks,
    "cpu-parallel-sections": _cpu_parallel_sections,
    "cpu-parallel-threshold": _cpu_parallel_threshold,
    "cse": _cse,
    "dce": _dce,
    "gpu-coarsen-tasks": _gpu_coarsen_tasks,
    "gpu-condition-kernels": _gpu_condition_kernels,
    "gpu-device-loops": _gpu_device_loops,
}


def get_all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Every pass qdmlir's tools accept, keyed by its command-line name."""
    return dict(_PASSES)
