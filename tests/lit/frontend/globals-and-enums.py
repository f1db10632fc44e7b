# RUN: qd-compile %s --kernel scale --emit kernel-ir | FileCheck %s
# Module-level numbers and IntEnum members are compile-time constants: arithmetic on them folds
# in Python, and the result enters the IR as one typed constant.
import enum

import qdmlir as qd

FACTOR = 3
OFFSET = 0.25


class Mode(enum.IntEnum):
    FAST = 4


@qd.kernel
def scale(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        x[i] = x[i] * (FACTOR * 2) + OFFSET + Mode.FAST


# CHECK-LABEL: func.func @scale
# CHECK:         arith.constant 6.000000e+00 : f32
# CHECK:         arith.constant 2.500000e-01 : f32
# CHECK:         arith.constant 4.000000e+00 : f32
