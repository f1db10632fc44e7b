# RUN: qd-compile %s --kernel fork --emit kernel-ir | FileCheck %s
# RUN: qd-compile %s --kernel generated --emit kernel-ir | FileCheck %s --check-prefix=STATIC
# `with qd.graph.parallel_context():` is one checkpoint.parallel; each `with qd.graph.parallel():`
# one of its sections, holding the section's tasks and serial statements as a kernel body does.
import qdmlir as qd


@qd.kernel(graph=True)
def fork(x: qd.types.ndarray(qd.f32, 1), y: qd.types.ndarray(qd.f32, 1)):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            for i in range(x.shape[0]):
                x[i] += 1.0
        with qd.graph.parallel():
            y[0] = 2.0
            for i in range(y.shape[0]):
                y[i] += 1.0
    for i in range(x.shape[0]):
        x[i] += y[i]


# CHECK-LABEL: func.func @fork
# CHECK:         checkpoint.parallel section {
# CHECK:           scf.parallel
# CHECK:         } section {
# CHECK-NEXT:      checkpoint.serial {
# CHECK:           scf.parallel
# CHECK:             scf.reduce
# CHECK-NEXT:      }
# CHECK-NEXT:    }
# CHECK-NEXT:    %{{.*}} = arith.constant 0 : index
# CHECK:         scf.parallel
# CHECK:         func.return


# `qd.static` loops repeat sections; `if qd.static(...)` keeps or drops them, at compile time.
@qd.kernel(graph=True)
def generated(x: qd.types.ndarray(qd.f32, 2), c: qd.types.ndarray(qd.i32, 0)):
    while qd.graph.do_while(c):
        with qd.graph.parallel_context():
            for b in qd.static(range(3)):
                with qd.graph.parallel():
                    for i in range(x.shape[1]):
                        x[b, i] += 1.0
            if qd.static(False):
                with qd.graph.parallel():
                    for i in range(x.shape[1]):
                        x[0, i] = 0.0
        c[()] -= 1


# STATIC-LABEL: func.func @generated
# STATIC:         checkpoint.do_while %c : memref<i32> {
# STATIC-NEXT:      checkpoint.parallel section {
# STATIC:           } section {
# STATIC:           } section {
# STATIC-NOT:       section
# STATIC:           checkpoint.serial {
