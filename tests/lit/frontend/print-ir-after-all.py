# RUN: qd-compile %s --kernel k --emit upstream-ir --print-ir-after-all 2>&1 >/dev/null | FileCheck %s
# --print-ir-after-all shows the IR after every pass of the default pipeline, in order; the
# last one is cpu-parallel-threshold (canonicalize and cse run upstream, after the hand-off).
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def k(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] = 1.0


# CHECK: IR Dump After checkpoint-number
# CHECK: checkpoint.region slot 0 label 1 yield_on 1 "flag"
# CHECK: IR Dump After checkpoint-verify
# CHECK: IR Dump After checkpoint-lower
# CHECK-NOT: checkpoint.region
# CHECK: IR Dump After cpu-parallel-threshold
# CHECK-NOT: IR Dump After
