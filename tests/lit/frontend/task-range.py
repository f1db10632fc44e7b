# RUN: qd-compile %s --kernel add_one --emit kernel-ir | FileCheck %s
# A top-level `for i in range(n)` is a task: an scf.parallel over index, whose body sees `i` as
# an i32 (Quadrants' loop variable type).
import qdmlir as qd


@qd.kernel
def add_one(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        x[i] = x[i] + 1.0


# CHECK-LABEL: func.func @add_one
# CHECK-SAME:    (%x: memref<?xf32>) attributes {qd.kernel}
# CHECK:         %[[N:.*]] = memref.dim %x, %{{.*}} : memref<?xf32>
# CHECK:         scf.parallel (%[[IV:[^)]+]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
# CHECK-NEXT:      %i = arith.index_cast %[[IV]] : index to i32
# CHECK:           %[[OLD:.*]] = memref.load %x[%{{.*}}] : memref<?xf32>
# CHECK:           %[[NEW:.*]] = arith.addf %[[OLD]], %{{.*}} : f32
# CHECK:           memref.store %[[NEW]], %x[%{{.*}}] : memref<?xf32>
# CHECK:           scf.reduce
# CHECK-NOT:     checkpoint.
