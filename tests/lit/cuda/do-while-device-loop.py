# RUN: qd-compile %s --kernel loop --target cuda --arch sm_90 --emit ptx | FileCheck %s --check-prefix=SM90
# RUN: qd-compile %s --kernel loop --target cuda --arch sm_80 --emit ptx | FileCheck %s --check-prefix=SM80
# On sm_90 a do-while gets two condition kernels (entry guard, loop condition) that call the
# driver builtin cudaGraphSetConditional, so the loop can run as a CUDA graph WHILE node.
# sm_80 keeps the host loop: no condition kernel is built.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def loop(x: qd.types.ndarray(qd.f32, 1), steps: qd.types.ndarray(qd.i32, 0),
         flag: qd.types.ndarray(qd.i32, 0)):
    while qd.graph_do_while(steps):
        with qd.checkpoint(1, yield_on=flag):
            for i in range(x.shape[0]):
                x[i] += 1.0
        for _ in range(1):
            steps[()] -= 1


# SM90: .extern .func cudaGraphSetConditional
# SM90: .visible .entry loop_k0(
# SM90: .visible .entry loop__qd_cond0(
# SM90: call.uni cudaGraphSetConditional
# SM90: .visible .entry loop__qd_cond1(
# The loop condition reads the user's condition and yielded_at on the device.
# SM90: ld.global.b32
# SM90: ld.global.b32
# SM90: call.uni cudaGraphSetConditional
# SM80: .target sm_80
# SM80-NOT: cudaGraphSetConditional
# SM80-NOT: _qd_cond
