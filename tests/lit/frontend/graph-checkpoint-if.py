# RUN: qd-compile %s --kernel guarded --emit kernel-ir | FileCheck %s
# An `if` directly in a checkpoint body is a serial task of that checkpoint (checkpoint.serial
# inside the region); a docstring there is allowed.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def guarded(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0), n: qd.i32):
    with qd.checkpoint(5, yield_on=flag):
        """grow the buffer"""
        for i in range(x.shape[0]):
            x[i] += 1.0
        if n > 3:
            for k in range(n):
                x[0] += 1.0


# CHECK-LABEL: func.func @guarded
# CHECK:         checkpoint.region label 5 yield_on 1 "flag" {
# CHECK:           scf.parallel
# CHECK:           checkpoint.serial {
# CHECK:             scf.if
# CHECK:               scf.for
