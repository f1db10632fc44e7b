# RUN: qd-compile %s --kernel histogram --emit kernel-ir | FileCheck %s
# qd.atomic_add/min/max are memref.atomic_rmw and return the old value; `+=` on a global
# element in a task is atomic too (Quadrants' rule), except when the index is the task's own
# loop index: no other iteration touches that element, so it is a plain load/add/store.
import qdmlir as qd


@qd.kernel
def histogram(x: qd.types.ndarray(qd.i32, 1), bins: qd.types.ndarray(qd.i32, 1),
              hi: qd.types.ndarray(qd.i32, 0), lo: qd.types.ndarray(qd.f32, 0)):
    for i in range(x.shape[0]):
        bins[x[i]] += 1
        old = qd.atomic_add(bins[0], 2)
        qd.atomic_max(hi[()], x[i] + old)
        qd.atomic_min(lo[()], 0.5)
        x[i] += 1


# CHECK-LABEL: func.func @histogram
# CHECK:         memref.atomic_rmw addi %{{.*}}, %bins[%{{.*}}] : (i32, memref<?xi32>) -> i32
# CHECK:         %old = memref.atomic_rmw addi %{{.*}}, %bins[%{{.*}}]
# CHECK:         memref.atomic_rmw maxs %{{.*}}, %hi[] : (i32, memref<i32>) -> i32
# CHECK:         memref.atomic_rmw minimumf %{{.*}}, %lo[] : (f32, memref<f32>) -> f32
# CHECK:         %[[OLD:.*]] = memref.load %x[%{{.*}}] : memref<?xi32>
# CHECK:         %[[NEW:.*]] = arith.addi %[[OLD]], %{{.*}} : i32
# CHECK:         memref.store %[[NEW]], %x[%{{.*}}] : memref<?xi32>
