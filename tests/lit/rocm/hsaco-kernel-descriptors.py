# REQUIRES: opt-19, llc-19, ld.lld-19, llvm-readelf-19
# RUN: qd-compile %s --kernel three --target rocm --arch gfx90a --emit hsaco -o %t.gfx90a.hsaco
# RUN: llvm-readelf-19 --notes %t.gfx90a.hsaco | FileCheck %s --check-prefixes=CHECK,GFX90A
# RUN: qd-compile %s --kernel three --target rocm --arch gfx942 --emit hsaco -o %t.gfx942.hsaco
# RUN: llvm-readelf-19 --notes %t.gfx942.hsaco | FileCheck %s --check-prefixes=CHECK,GFX942
# RUN: llvm-readelf-19 --file-header %t.gfx90a.hsaco | FileCheck %s --check-prefix=ELF
# LLVM 19's AMDGPU back end accepts the downgraded IR and the code object holds one kernel
# descriptor per task (four: three tasks and the flag check of slot 1), wave64, 256 threads
# per block, code object v5.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def three(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    for i in range(x.shape[0]):
        x[i] = 1.0
    with qd.checkpoint(7, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] += qd.sqrt(x[i]) + qd.exp(x[i]) + qd.floor(x[i])
    for i in range(x.shape[0]):
        x[i] *= 2.0


# CHECK: amdhsa.kernels:
# CHECK: .max_flat_workgroup_size: 256
# CHECK: .name: three_k0
# CHECK: .symbol: three_k0.kd
# CHECK: .wavefront_size: 64
# CHECK: .name: three_k1
# CHECK: .symbol: three_k1.kd
# CHECK: .name: three_k2
# CHECK: .symbol: three_k2.kd
# CHECK: .name: three_k3
# CHECK: .symbol: three_k3.kd
# CHECK-NOT: .symbol:
# GFX90A: amdhsa.target: amdgcn-amd-amdhsa--gfx90a
# GFX942: amdhsa.target: amdgcn-amd-amdhsa--gfx942
# CHECK: amdhsa.version:
# CHECK-NEXT: - 1
# CHECK-NEXT: - 2
# ELF: OS/ABI: AMDGPU - HSA
# ELF: ABI Version: 3
# ELF: Flags: {{.*}}gfx90a
