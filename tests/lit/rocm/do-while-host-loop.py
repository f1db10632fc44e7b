# RUN: qd-compile %s --kernel loop --target rocm --arch gfx942 --emit llvm-ir | FileCheck %s
# On ROCm a do-while is a host loop (the launch plan's do_while): the body's tasks are
# kernels, the loop condition is not, and no condition kernel is built; beside it, the loop
# kernel that runs the whole loop in one block when its tasks are small (gpu-device-loops). A float atomic
# minimum (LLVM 22's `atomicrmw fminimum`, which LLVM 19 cannot read) is a compare-and-swap
# loop on the float's bits.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def loop(x: qd.types.ndarray(qd.f32, 1), low: qd.types.ndarray(qd.f32, 0),
         steps: qd.types.ndarray(qd.i32, 0), flag: qd.types.ndarray(qd.i32, 0)):
    while qd.graph.do_while(steps):
        with qd.checkpoint(1, yield_on=flag):
            for i in range(x.shape[0]):
                qd.atomic_min(low[()], x[i])
        for _ in range(1):
            steps[()] -= 1


# CHECK-NOT: _qd_cond
# CHECK-LABEL: define amdgpu_kernel void @loop_k0(
# CHECK:         call float @llvm.minimum.f32(
# CHECK:         cmpxchg ptr %{{[0-9]+}}, i32
# CHECK-NOT:     atomicrmw fminimum
# CHECK-LABEL: define amdgpu_kernel void @loop_k1(
# CHECK-LABEL: define amdgpu_kernel void @loop_k2(
# CHECK-LABEL: define amdgpu_kernel void @loop__qd_loop0(
# CHECK:         call void @llvm.amdgcn.s.barrier()
# CHECK-NOT: define amdgpu_kernel
