# RUN: qd-compile %s --kernel plain --emit kernel-ir | FileCheck %s
# A plain @qd.kernel has the same structure without checkpoints: tasks, serial statements.
import qdmlir as qd


@qd.kernel
def plain(x: qd.types.ndarray(qd.i32, 1), n: qd.i32):
    m = n * 2
    for i in range(m):
        x[i] = m


# CHECK-LABEL: func.func @plain
# CHECK:         %m = memref.alloca() : memref<i32>
# CHECK:         checkpoint.serial
# CHECK:         %[[M:.*]] = memref.load %m[] : memref<i32>
# CHECK:         arith.index_cast %[[M]] : i32 to index
# CHECK:         scf.parallel
