# RUN: not qd-compile %s --kernel k --target cuda --arch sm_75 --emit ptx 2>&1 | FileCheck %s
# RUN: not qd-compile %s --kernel k --target cuda --arch compute_90 --emit ptx 2>&1 | FileCheck %s
# RUN: not qd-compile %s --kernel k --target cpu --emit ptx 2>&1 | FileCheck %s --check-prefix=TARGET
# An arch LLVM would abort on is refused before any pass runs, with the supported list.
import qdmlir as qd


@qd.kernel
def k(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        x[i] = 0.0


# CHECK: is not a CUDA architecture qdmlir compiles for; use one of sm_80, {{.*}}sm_90
# TARGET: --emit ptx needs --target cuda
