"""The CPU build fails with a clear error, never a crash, on ops it cannot lower."""

import pytest

from qdmlir.passes.targets.cpu import CpuBuildError, lower_to_llvm_ir
from qdmlir.runtime.artifact import ArgSpec

# atomic multiply has no LLVM atomicrmw form; finalize-memref-to-llvm leaves a cast behind, and
# translating that would abort the process inside the MLIR bindings
UNLOWERABLE = """
func.func @k(%p: memref<f32>, %v: f32, %state: memref<2xi32>) {
  %old = memref.atomic_rmw mulf %v, %p[] : (f32, memref<f32>) -> f32
  return
}
"""


def test_an_op_left_after_lowering_is_a_build_error():
    args = [ArgSpec("p", "ndarray", "f32", 0), ArgSpec("v", "scalar", "f32", 0)]
    with pytest.raises(CpuBuildError, match="survived the lowering to the LLVM dialect"):
        lower_to_llvm_ir(UNLOWERABLE, "k", args)
