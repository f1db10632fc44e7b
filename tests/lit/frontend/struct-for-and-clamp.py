# RUN: qd-compile %s --kernel shift --emit kernel-ir | FileCheck %s
# `for i, j in x` (Quadrants' struct-for) is a task over every index of `x`: its bounds are
# the sizes of `x`. An ndarray with boundary="clamp" clamps every index into [0, size - 1]
# before the access.
import qdmlir as qd


@qd.kernel
def shift(x: qd.types.ndarray(qd.f32, 2, boundary="clamp"), y: qd.types.ndarray(qd.f32, 2)):
    for i, j in y:
        y[i, j] = x[i + 1, j]


# CHECK-LABEL: func.func @shift(%x: memref<?x?xf32>, %y: memref<?x?xf32>)
# CHECK:         memref.dim %y
# CHECK:         memref.dim %y
# CHECK:         scf.parallel (%{{.*}}, %{{.*}}) =
# CHECK:           %[[SIZE:.*]] = memref.dim %x, %{{.*}} : memref<?x?xf32>
# CHECK:           %[[LAST:.*]] = arith.subi %[[SIZE]], %{{.*}} : index
# CHECK:           %[[LOW:.*]] = arith.minsi %{{.*}}, %[[LAST]] : index
# CHECK:           %[[INDEX:.*]] = arith.maxsi %[[LOW]], %{{.*}} : index
# CHECK:           memref.load %x[%[[INDEX]], %{{.*}}] : memref<?x?xf32>
