# RUN: qd-compile %s --kernel reduce --emit kernel-ir | FileCheck %s
# Other top-level statements are serial statements (checkpoint.serial). A variable assigned at
# the top level lives in a memref.alloca cell at the kernel entry, so later tasks read it and a
# `+=` on it inside a task is atomic.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def reduce(x: qd.types.ndarray(qd.f32, 1), out: qd.types.ndarray(qd.f32, 0)):
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i]
    out[()] = total


# CHECK-LABEL: func.func @reduce
# CHECK-NEXT:    %total = memref.alloca() : memref<f32>
# CHECK:         checkpoint.serial {
# CHECK-NEXT:      %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
# CHECK-NEXT:      memref.store %[[ZERO]], %total[] : memref<f32>
# CHECK-NEXT:    }
# CHECK:         scf.parallel
# CHECK:           memref.atomic_rmw addf %{{.*}}, %total[]
# CHECK:         checkpoint.serial {
# CHECK-NEXT:      %[[SUM:.*]] = memref.load %total[] : memref<f32>
# CHECK-NEXT:      memref.store %[[SUM]], %out[] : memref<f32>
