# RUN: qd-compile %s --kernel advance --emit kernel-ir | FileCheck %s
# An ndarray of vec3 is a memref<?x3xf32>: numpy's (n, 3) layout, so (n, 3) arrays pass without a
# copy. A vector value is its entries, one scalar each: `x[i] += dt * v[i]` loads the three
# entries of v[i] at the static positions 0, 1, 2, scales each, and updates x[i] entry by entry
# (no atomics: i is the task's own index). LLVM regroups these scalars into SIMD code
# (vector-update-vectorised.py).
import qdmlir as qd


@qd.kernel
def advance(x: qd.types.ndarray(qd.math.vec3, 1), v: qd.types.ndarray(qd.math.vec3, 1), dt: qd.f32):
    for i in range(x.shape[0]):
        x[i] += dt * v[i]


# CHECK-LABEL: func.func @advance
# CHECK-SAME:    (%x: memref<?x3xf32>, %v: memref<?x3xf32>, %dt: f32)
# CHECK:         scf.parallel
# CHECK:           %[[C0:.*]] = arith.constant 0 : index
# CHECK-NEXT:      %[[V0:.*]] = memref.load %v[%[[I:.*]], %[[C0]]] : memref<?x3xf32>
# CHECK:           %[[V1:.*]] = memref.load %v[%[[I]], %{{.*}}] : memref<?x3xf32>
# CHECK:           %[[V2:.*]] = memref.load %v[%[[I]], %{{.*}}] : memref<?x3xf32>
# CHECK-NEXT:      %[[D0:.*]] = arith.mulf %dt, %[[V0]] : f32
# CHECK-NEXT:      %[[D1:.*]] = arith.mulf %dt, %[[V1]] : f32
# CHECK-NEXT:      %[[D2:.*]] = arith.mulf %dt, %[[V2]] : f32
# CHECK:           %[[X0:.*]] = memref.load %x[%[[J:.*]], %[[K0:.*]]] : memref<?x3xf32>
# CHECK-NEXT:      %[[S0:.*]] = arith.addf %[[X0]], %[[D0]] : f32
# CHECK-NEXT:      memref.store %[[S0]], %x[%[[J]], %[[K0]]] : memref<?x3xf32>
# CHECK:           arith.addf %{{.*}}, %[[D1]] : f32
# CHECK:           arith.addf %{{.*}}, %[[D2]] : f32
# CHECK-NOT:       memref.atomic_rmw
# CHECK:           scf.reduce
