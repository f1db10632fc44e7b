# RUN: qd-compile %s --kernel update --arg params=EXAMPLE --emit kernel-ir | FileCheck %s
# A dataclass parameter is flattened into one kernel argument per member the kernel uses, in
# the dataclass's declaration order, named by its path (`%params.inner.y`); a nested dataclass
# is flattened the same way, and a scalar member (`n: qd.i32`) is a run-time scalar argument.
# `yield_on=params.flag` names the flag's argument by its position.
import dataclasses

import qdmlir as qd


@dataclasses.dataclass
class Inner:
    y: qd.types.NDArray[qd.f32, 1]


@dataclasses.dataclass
class Params:
    inner: Inner
    flag: qd.types.NDArray[qd.i32, 0]
    n: qd.i32
    unused: qd.types.NDArray[qd.f64, 2]


@qd.kernel(graph=True, checkpoints=True)
def update(params: Params):
    with qd.checkpoint(3, yield_on=params.flag):
        for i in range(params.n):
            params.inner.y[i] *= 2.0


EXAMPLE = Params(Inner(qd.ndarray(qd.f32, (4,))), qd.ndarray(qd.i32, ()), 4, None)

# CHECK-LABEL: func.func @update(%params.inner.y: memref<?xf32>, %params.flag: memref<i32>, %params.n: i32)
# CHECK-NOT:     params.unused
# CHECK:         checkpoint.region label 3 yield_on 1 "params.flag" {
# CHECK:           arith.index_cast %params.n : i32 to index
# CHECK:           scf.parallel
# CHECK:             memref.load %params.inner.y[%{{.*}}] : memref<?xf32>
