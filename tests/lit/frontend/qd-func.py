# RUN: qd-compile %s --kernel apply --emit kernel-ir | FileCheck %s
# @qd.func calls are inlined: no func.call remains. A single final `return` is the value; an
# early `return` sets a flag carried through scf.if, and the rest of the body is guarded.
import qdmlir as qd


@qd.func
def square(v):
    return v * v


@qd.func
def sign(v: qd.f32) -> qd.f32:
    if v < 0.0:
        return -1.0
    return 1.0


@qd.kernel
def apply(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        x[i] = square(x[i]) * sign(x[i])


# CHECK-LABEL: func.func @apply
# CHECK-NOT:     func.call
# CHECK:         %[[V:.*]] = memref.load %x
# CHECK:         %[[SQ:.*]] = arith.mulf %[[V]], %[[V]] : f32
# CHECK:         %{{.*}}, %{{.*}} = scf.if %{{.*}} -> (i1, f32)
# CHECK:         scf.if %{{.*}} -> (i1, f32)
# CHECK:         arith.mulf %[[SQ]], %{{.*}} : f32
