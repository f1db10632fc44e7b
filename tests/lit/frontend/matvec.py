# RUN: qd-compile %s --kernel rotate --emit kernel-ir | FileCheck %s
# A 3x3 matrix parameter arrives as one MLIR vector<3x3xf32>; its nine entries are taken out
# with vector.extract once, at the kernel entry (pure glue, outside the task), so `m @ p[i]`
# is nine scalar products and six sums per element, all in registers.
import qdmlir as qd


@qd.kernel
def rotate(m: qd.types.matrix(3, 3, qd.f32), p: qd.types.ndarray(qd.math.vec3, 1)):
    for i in range(p.shape[0]):
        p[i] = m @ p[i]


# CHECK-LABEL: func.func @rotate
# CHECK-SAME:    (%m: vector<3x3xf32>, %p: memref<?x3xf32>)
# CHECK:         %[[M00:.*]] = vector.extract %m[0, 0] : f32 from vector<3x3xf32>
# CHECK-NEXT:    %[[M01:.*]] = vector.extract %m[0, 1] : f32 from vector<3x3xf32>
# CHECK-NEXT:    %[[M02:.*]] = vector.extract %m[0, 2] : f32 from vector<3x3xf32>
# CHECK:         %[[M22:.*]] = vector.extract %m[2, 2] : f32 from vector<3x3xf32>
# CHECK:         scf.parallel
# CHECK:           %[[P0:.*]] = memref.load %p[%{{.*}}, %{{.*}}] : memref<?x3xf32>
# CHECK:           %[[P1:.*]] = memref.load %p[%{{.*}}, %{{.*}}] : memref<?x3xf32>
# CHECK:           %[[P2:.*]] = memref.load %p[%{{.*}}, %{{.*}}] : memref<?x3xf32>
# Row 0 of the product: m00 * p0 + m01 * p1 + m02 * p2.
# CHECK-NEXT:      %[[A:.*]] = arith.mulf %[[M00]], %[[P0]] : f32
# CHECK-NEXT:      %[[B:.*]] = arith.mulf %[[M01]], %[[P1]] : f32
# CHECK-NEXT:      %[[C:.*]] = arith.mulf %[[M02]], %[[P2]] : f32
# CHECK-NEXT:      %[[AB:.*]] = arith.addf %[[A]], %[[B]] : f32
# CHECK-NEXT:      %[[R0:.*]] = arith.addf %[[AB]], %[[C]] : f32
# CHECK:           arith.mulf %[[M22]], %[[P2]] : f32
# CHECK:           memref.store %[[R0]], %p[%{{.*}}, %{{.*}}] : memref<?x3xf32>
# CHECK-NOT:       vector.
# CHECK:           scf.reduce
