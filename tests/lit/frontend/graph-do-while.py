# RUN: qd-compile %s --kernel countdown --emit kernel-ir | FileCheck %s
# `while qd.graph.do_while(counter):` is a checkpoint.do_while on the parameter; its body holds
# tasks and checkpoints like the top level.
import qdmlir as qd


@qd.kernel(graph=True)
def countdown(x: qd.types.ndarray(qd.f32, 1), counter: qd.types.ndarray(qd.i32, 0)):
    while qd.graph.do_while(counter):
        for i in range(x.shape[0]):
            x[i] += 1.0
        for _ in range(1):
            counter[()] -= 1


# CHECK-LABEL: func.func @countdown
# CHECK-SAME:    %counter: memref<i32>
# CHECK:         checkpoint.do_while %counter : memref<i32> {
# CHECK-COUNT-2:   scf.parallel
# CHECK:         }
# CHECK:         func.return
