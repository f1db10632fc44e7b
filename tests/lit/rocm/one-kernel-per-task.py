# RUN: qd-compile %s --kernel three --target rocm --arch gfx90a --emit llvm-ir | FileCheck %s
# Every task becomes its own AMDGPU kernel (the amdgpu_kernel calling convention), named after
# the kernel and its launch order, in one amdgcn-amd-amdhsa module; a kernel without a
# do-while has no condition kernel, and nothing else is an entry point.
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


# CHECK: target triple = "amdgcn-amd-amdhsa"
# CHECK: define amdgpu_kernel void @three_k0(
# CHECK: define amdgpu_kernel void @three_k1(
# The flag check of slot 1 is a kernel of its own.
# CHECK: define amdgpu_kernel void @three_k2(
# CHECK: define amdgpu_kernel void @three_k3(
# CHECK-NOT: define
# CHECK-NOT: _qd_cond
# CHECK: attributes #0 = { "amdgpu-flat-work-group-size"="1,256"
