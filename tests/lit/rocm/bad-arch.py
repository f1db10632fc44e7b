# RUN: not qd-compile %s --kernel k --target rocm --arch gfx1100 --emit llvm-ir 2>&1 | FileCheck %s
# RUN: not qd-compile %s --kernel k --target rocm --arch sm_90 --emit hsaco -o %t.hsaco 2>&1 | FileCheck %s
# RUN: not qd-compile %s --kernel k --target cuda --arch sm_90 --emit hsaco -o %t.hsaco 2>&1 | FileCheck %s --check-prefix=TARGET
# RUN: not qd-compile %s --kernel k --target cuda --arch sm_90 --emit llvm-ir 2>&1 | FileCheck %s --check-prefix=CUDA-LLVM
# A chip the ROCm target does not know is refused before any pass or tool runs, with the list.
import qdmlir as qd


@qd.kernel
def k(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        x[i] = 0.0


# CHECK: is not an AMD GPU architecture qdmlir compiles for; use one of gfx90a, gfx942
# TARGET: --emit hsaco needs --target rocm
# CUDA-LLVM: for cuda use --emit ptx
