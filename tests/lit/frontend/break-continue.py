# RUN: qd-compile %s --kernel first_big --emit kernel-ir | FileCheck %s
# `break` and `continue` become i1 flags carried by an scf.while; the loop stops when the break
# flag is set, and the rest of an iteration after either flag runs under `scf.if (!flag)`.
import qdmlir as qd


@qd.kernel
def first_big(m: qd.types.ndarray(qd.f32, 2), where: qd.types.ndarray(qd.i32, 1)):
    for i in range(m.shape[0]):
        found = -1
        for j in range(m.shape[1]):
            if m[i, j] < 0.0:
                continue
            if m[i, j] > 10.0:
                found = j
                break
        where[i] = found


# CHECK-LABEL: func.func @first_big
# CHECK:         scf.while (%[[J:.*]] = %{{.*}}, %[[FOUND:.*]] = %found, %[[BRK:.*]] = %{{.*}}) : (index, i32, i1)
# CHECK:           %[[MORE:.*]] = arith.cmpi slt, %[[J]], %{{.*}} : index
# CHECK:           %[[NOBRK:.*]] = arith.xori %[[BRK]], %{{.*}} : i1
# CHECK:           %[[GO:.*]] = arith.andi %[[MORE]], %[[NOBRK]] : i1
# CHECK:           scf.condition(%[[GO]])
# CHECK:         } do {
# CHECK:           arith.constant false
# CHECK:           scf.if %{{.*}} -> (i1)
# CHECK:           scf.if %{{.*}} -> (i32, i1)
