# RUN: qd-compile %s --kernel staged --emit kernel-ir | FileCheck %s
# Labels may be IntEnum members or module-level ints; the IR keeps their int value (the runtime
# hands the original object back in GraphStatus).
import enum

import qdmlir as qd

CLEANUP = 99


class Stage(enum.IntEnum):
    SIM = 3
    IO = 7


@qd.kernel(graph=True, checkpoints=True)
def staged(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(Stage.SIM, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] += 1.0
    with qd.checkpoint(cp_id=Stage.IO, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] += 2.0
    with qd.checkpoint(CLEANUP, flag):
        for i in range(x.shape[0]):
            x[i] = 0.0


# CHECK-LABEL: func.func @staged
# CHECK:         checkpoint.region label 3 yield_on 1 "flag"
# CHECK:         checkpoint.region label 7 yield_on 1 "flag"
# CHECK:         checkpoint.region label 99 yield_on 1 "flag"
