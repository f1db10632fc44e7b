# RUN: qd-compile %s --kernel row_sums --emit kernel-ir | FileCheck %s
# A for loop inside a task runs serially: an scf.for whose iter_args carry the variables the
# body reassigns (here `s`), so locals stay SSA values.
import qdmlir as qd


@qd.kernel
def row_sums(m: qd.types.ndarray(qd.f32, 2), out: qd.types.ndarray(qd.f32, 1)):
    for i in range(m.shape[0]):
        s = 0.0
        for j in range(m.shape[1]):
            s += m[i, j]
        out[i] = s


# CHECK-LABEL: func.func @row_sums
# CHECK:         scf.parallel
# CHECK:           %s = arith.constant 0.000000e+00 : f32
# CHECK:           %[[SUM:.*]] = scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %s) -> (f32) {
# CHECK:             %[[V:.*]] = memref.load %m[%{{.*}}, %{{.*}}] : memref<?x?xf32>
# CHECK:             %[[NEXT:.*]] = arith.addf %[[ACC]], %[[V]] : f32
# CHECK:             scf.yield %[[NEXT]] : f32
# CHECK:           memref.store %[[SUM]], %out[%{{.*}}] : memref<?xf32>
