# RUN: qd-compile %s --kernel apply --arg k=3 --arg mode=Mode.SCALE --emit kernel-ir | FileCheck %s
# RUN: not qd-compile %s --kernel apply --arg k=3 --emit kernel-ir 2>&1 | FileCheck %s --check-prefix=MISSING
# A `qd.template()` number is compiled in: `k` is the constant 3 and `qd.static(mode == ...)`
# keeps only the SCALE branch. Neither is a parameter of the function (a call leaves them out).
import qdmlir as qd
from enum import IntEnum


class Mode(IntEnum):
    ADD = 0
    SCALE = 1


@qd.kernel
def apply(x: qd.types.ndarray(qd.f32, 1), k: qd.template(), mode: qd.template()):
    for i in range(x.shape[0]):
        if qd.static(mode == Mode.ADD):
            x[i] += k
        else:
            x[i] *= k


# CHECK-LABEL: func.func @apply(%x: memref<?xf32>) attributes {qd.kernel}
# CHECK:         scf.parallel
# CHECK:           %[[K:.*]] = arith.constant 3 : i32
# CHECK:           %[[OLD:.*]] = memref.load %x
# CHECK:           %[[KF:.*]] = arith.sitofp %[[K]] : i32 to f32
# CHECK:           arith.mulf %[[OLD]], %[[KF]] : f32
# CHECK-NOT:       arith.addf

# MISSING: qd-compile: error: parameter 'mode' is a qd.template(): give its value with --arg mode=4
