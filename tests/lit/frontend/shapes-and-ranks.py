# RUN: qd-compile %s --kernel ranks --emit kernel-ir | FileCheck %s
# ndarrays of rank 0-3 are memrefs with dynamic sizes; x.shape[k] is memref.dim cast to i32;
# a 0-d array is read and written with [()] (or [None]).
import qdmlir as qd


@qd.kernel
def ranks(s: qd.types.ndarray(qd.f32, 0), v: qd.types.ndarray(qd.f32, 1),
          m: qd.types.ndarray(qd.f32, 2), t: qd.types.ndarray(qd.f32, 3)):
    for i, j, k in qd.ndrange(t.shape[0], t.shape[1], t.shape[2]):
        t[i, j, k] = m[i, j] + v[k] + s[()] + s[None] + v.shape[0]


# CHECK-LABEL: func.func @ranks
# CHECK-SAME:    (%s: memref<f32>, %v: memref<?xf32>, %m: memref<?x?xf32>, %t: memref<?x?x?xf32>)
# CHECK:         memref.dim %t, %{{.*}} : memref<?x?x?xf32>
# CHECK:         scf.parallel
# CHECK:         memref.load %m[%{{.*}}, %{{.*}}] : memref<?x?xf32>
# CHECK:         memref.load %s[] : memref<f32>
# CHECK:         %[[N:.*]] = memref.dim %v, %{{.*}} : memref<?xf32>
# CHECK:         arith.index_cast %[[N]] : index to i32
# CHECK:         memref.store %{{.*}}, %t[%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x?x?xf32>
