# RUN: qd-compile %s --kernel unrolled --emit kernel-ir | FileCheck %s
# qd.static decides at compile time: a false `if qd.static(...)` branch emits nothing, and a
# `for ... in qd.static(range(3))` repeats its body with the index a constant.
import qdmlir as qd

USE_SQUARE = False


@qd.kernel
def unrolled(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        acc = 0.0
        for k in qd.static(range(3)):
            acc += x[i] * k
        if qd.static(USE_SQUARE):
            acc = acc * acc
        x[i] = acc


# CHECK-LABEL: func.func @unrolled
# CHECK-NOT:     scf.for
# CHECK-COUNT-3: arith.addf
# CHECK-NOT:     arith.mulf %acc{{.*}}, %acc
# CHECK:         memref.store
