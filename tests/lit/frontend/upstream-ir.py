# RUN: qd-compile %s --kernel k --emit upstream-ir | FileCheck %s
# --emit upstream-ir prints the module after the hand-off, parsed and verified by upstream MLIR.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def k(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] = 1.0


# CHECK: func.func @k(%{{.*}}: memref<?xf32>, %{{.*}}: memref<i32>, %{{.*}}: memref<2xi32>)
# CHECK: func.call @k.task0.parallel
# CHECK-NOT: checkpoint.
