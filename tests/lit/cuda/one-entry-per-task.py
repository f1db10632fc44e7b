# RUN: qd-compile %s --kernel three --target cuda --arch sm_90 --emit ptx | FileCheck %s
# Every task becomes its own PTX kernel, named after the kernel and its launch order; a kernel
# without a do-while needs no condition kernel. PTX ISA 8.0 is always requested.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def three(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    for i in range(x.shape[0]):
        x[i] = 1.0
    with qd.checkpoint(7, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] += 1.0
    for i in range(x.shape[0]):
        x[i] *= 2.0


# CHECK: .version 8.0
# CHECK: .target sm_90
# CHECK: .visible .entry three_k0(
# CHECK: .visible .entry three_k1(
# CHECK: .visible .entry three_k2(
# CHECK: .visible .entry three_k3(
# CHECK-NOT: .entry
# CHECK-NOT: cudaGraphSetConditional
