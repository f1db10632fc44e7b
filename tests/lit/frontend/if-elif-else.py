# RUN: qd-compile %s --kernel classify --emit kernel-ir | FileCheck %s
# if/elif/else becomes nested scf.if ops; a variable reassigned in the branches is their result.
import qdmlir as qd


@qd.kernel
def classify(x: qd.types.ndarray(qd.f32, 1), label: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        c = 0
        if x[i] > 1.0:
            c = 2
        elif x[i] > 0.0:
            c = 1
        else:
            c = -1
        label[i] = c


# CHECK-LABEL: func.func @classify
# CHECK:         %[[C:.*]] = scf.if %{{.*}} -> (i32) {
# CHECK:           scf.yield %{{.*}} : i32
# CHECK:         } else {
# CHECK:           %[[INNER:.*]] = scf.if %{{.*}} -> (i32) {
# CHECK:           scf.yield %[[INNER]] : i32
# CHECK:         memref.store %[[C]], %label[%{{.*}}] : memref<?xi32>
