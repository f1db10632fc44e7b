# RUN: qd-compile %s --kernel grow --emit kernel-ir | FileCheck %s
# `with qd.checkpoint(label, yield_on=flag)` is a checkpoint.region carrying the label and the
# flag parameter's name; its for loops are its tasks. Negative labels are allowed.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def grow(x: qd.types.ndarray(qd.f32, 1), overflow: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(10, yield_on=overflow):
        for i in range(x.shape[0]):
            if x[i] > 100.0:
                overflow[()] = 1
        for i in range(x.shape[0]):
            x[i] += 1.0
    with qd.checkpoint(-2, yield_on=overflow):
        for i in range(x.shape[0]):
            x[i] *= 0.5


# CHECK-LABEL: func.func @grow
# CHECK:         checkpoint.region label 10 yield_on 1 "overflow" {
# CHECK-COUNT-2:   scf.parallel
# CHECK:         }
# CHECK:         checkpoint.region label -2 yield_on 1 "overflow" {
