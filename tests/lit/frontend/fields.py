# RUN: qd-compile %s --kernel fill --emit kernel-ir | FileCheck %s
# A qd.field the kernel reads as a global is a kernel argument (its storage, passed at every
# launch), named after the global. `for i, j in f` loops over every index of the field, which
# starts at its offset; every access subtracts the offset.
import qdmlir as qd

f = qd.field(qd.f32, shape=(4, 4), offset=(-1, 0))


@qd.kernel
def fill():
    for i, j in f:
        f[i, j] = i + j


# CHECK-LABEL: func.func @fill(%f: memref<?x?xf32>)
# CHECK:         %[[OFFSET:.*]] = arith.constant -1 : i32
# CHECK:         %[[STOP:.*]] = arith.addi %{{.*}}, %[[OFFSET]] : i32
# CHECK:         scf.parallel
# CHECK:           %[[I:.*]] = arith.index_cast %i : i32 to index
# CHECK:           %[[FIRST:.*]] = arith.constant -1 : index
# CHECK:           %[[LOCAL:.*]] = arith.subi %[[I]], %[[FIRST]] : index
# CHECK:           memref.store %{{.*}}, %f[%[[LOCAL]], %{{.*}}] : memref<?x?xf32>
