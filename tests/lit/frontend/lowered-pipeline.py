# RUN: qd-compile %s --kernel step --emit lowered-ir | FileCheck %s
# --emit lowered-ir runs the default pipeline: the regions become guards on the launch state
# argument %qd_state and no checkpoint op is left.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def step(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    for i in range(x.shape[0]):
        x[i] += 1.0
    with qd.checkpoint(7, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] *= 2.0


# CHECK-LABEL: func.func @step
# CHECK-SAME:    %qd_state: memref<2xi32>
# CHECK:         scf.if %{{.*}} {
# CHECK:         }{qd.guard_slot = 0 : i64}
# CHECK:         scf.if %{{.*}} {
# CHECK:           memref.load %flag[]
# CHECK:         }{qd.guard_slot = 1 : i64}
# CHECK-NOT:     checkpoint.
