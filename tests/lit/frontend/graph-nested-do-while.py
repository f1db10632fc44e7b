# RUN: qd-compile %s --kernel newton --emit kernel-ir | FileCheck %s
# do-while loops nest (also spelled qd.graph.do_while); checkpoints inside them are numbered
# like any other, later.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def newton(x: qd.types.ndarray(qd.f32, 1), outer: qd.types.ndarray(qd.i32, 0),
           inner: qd.types.ndarray(qd.i32, 0), flag: qd.types.ndarray(qd.i32, 0)):
    while qd.graph.do_while(outer):
        while qd.graph.do_while(inner):
            with qd.checkpoint(1, yield_on=flag):
                for i in range(x.shape[0]):
                    x[i] *= 0.5
            for _ in range(1):
                inner[()] -= 1
        for _ in range(1):
            outer[()] -= 1


# CHECK-LABEL: func.func @newton
# CHECK:         checkpoint.do_while %outer : memref<i32> {
# CHECK-NEXT:      checkpoint.do_while %inner : memref<i32> {
# CHECK-NEXT:        checkpoint.region label 1 yield_on 3 "flag" {
# CHECK:           scf.parallel
# CHECK:         scf.parallel
