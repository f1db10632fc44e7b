# RUN: qd-compile %s --kernel push --target cuda --arch sm_90 --emit ptx | FileCheck %s
# A vec3 parameter reaches the kernel as three f32 parameters: the host plan takes the vector
# apart (vector.extract at the kernel entry is host code), so the device sees scalars only. An
# ndarray of vec3 is a memref<?x3xf32>: entry k of element i is at byte 12 * i + 4 * k, read
# and written with one 32-bit access each; each thread does 4 elements (gpu-coarsen-tasks).
import qdmlir as qd


@qd.kernel
def push(x: qd.types.ndarray(qd.math.vec3, 1), g: qd.math.vec3):
    for i in range(x.shape[0]):
        x[i] += g


# CHECK:       .visible .entry push_k0(
# CHECK:         .param .f32 push_k0_param_[[GX:[0-9]+]],
# CHECK-NEXT:    .param .f32 push_k0_param_[[GY:[0-9]+]],
# CHECK-NEXT:    .param .f32 push_k0_param_[[GZ:[0-9]+]]
# CHECK-NEXT:  )
# CHECK-DAG:     ld.param.b32 %[[Y:r[0-9]+]], [push_k0_param_[[GY]]];
# CHECK-DAG:     ld.param.b32 %[[X:r[0-9]+]], [push_k0_param_[[GX]]];
# CHECK:         ld.global.b32 %[[E0:r[0-9]+]], [%[[P:rd[0-9]+]]];
# CHECK:         add.rn.f32 %[[S0:r[0-9]+]], %[[X]], %[[E0]];
# CHECK:         st.global.b32 [%[[P]]], %[[S0]];
# CHECK:         ld.global.b32 %[[E1:r[0-9]+]], [%[[P]]+4];
# CHECK:         add.rn.f32 %[[S1:r[0-9]+]], %[[Y]], %[[E1]];
# CHECK:         st.global.b32 [%[[P]]+4], %[[S1]];
# CHECK:         ld.global.b32 %{{r[0-9]+}}, [%[[P]]+8];
# CHECK-NOT:   .entry
