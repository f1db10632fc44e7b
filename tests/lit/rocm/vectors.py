# RUN: qd-compile %s --kernel push --target rocm --arch gfx90a --emit llvm-ir | FileCheck %s
# As on CUDA (tests/lit/cuda/vectors.py): the vec3 parameter's entries are three float kernel
# arguments, taken apart by the host plan, and each entry of an ndarray's vec3 is one float
# load and store at its static position in the memref<?x3xf32>.
import qdmlir as qd


@qd.kernel
def push(x: qd.types.ndarray(qd.math.vec3, 1), g: qd.math.vec3):
    for i in range(x.shape[0]):
        x[i] += g


# CHECK:       define amdgpu_kernel void @push_k0({{.*}}, float %[[GX:[0-9]+]], float %[[GY:[0-9]+]], float %[[GZ:[0-9]+]])
# CHECK:         %[[E0:[0-9]+]] = load float, ptr %[[P0:[0-9]+]]
# CHECK:         %[[S0:[0-9]+]] = fadd float %[[E0]], %[[GX]]
# CHECK:         store float %[[S0]], ptr %[[P0]]
# CHECK:         fadd float %{{[0-9]+}}, %[[GY]]
# CHECK:         fadd float %{{[0-9]+}}, %[[GZ]]
# CHECK-NOT:   define amdgpu_kernel
