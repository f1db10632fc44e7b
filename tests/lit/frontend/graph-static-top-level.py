# RUN: qd-compile %s --kernel passes --emit kernel-ir | FileCheck %s
# A qd.static loop at the top level repeats top-level statements: each copy of the inner for
# loop is its own task.
import qdmlir as qd


@qd.kernel(graph=True)
def passes(x: qd.types.ndarray(qd.f32, 1)):
    for p in qd.static(range(3)):
        for i in range(x.shape[0]):
            x[i] = x[i] * 2.0 + p


# CHECK-LABEL: func.func @passes
# CHECK-COUNT-3: scf.parallel
# CHECK-NOT:     scf.parallel
