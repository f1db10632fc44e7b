# RUN: qd-compile %s --kernel located --emit kernel-ir --mlir-print-debuginfo | FileCheck %s
# Every op carries the file:line:col of the Python code it came from.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def located(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] = 2.0


# CHECK: memref.store {{.*}} loc("{{.*}}locations.py":10:13)
# CHECK: } loc("{{.*}}locations.py":9:9)
# CHECK: } loc("{{.*}}locations.py":8:5)
