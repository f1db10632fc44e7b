# RUN: qd-compile %s --kernel guarded --target cuda --arch sm_90 --emit ptx | FileCheck %s
# The checkpoint guard lives inside the device kernel: the state words (resume_point,
# yielded_at) are loaded from global memory before the task's own work, and a thread whose
# guard fails branches past the body. The host never reads the state to decide a launch.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def guarded(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(3, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] = 5.0


# CHECK-LABEL: .visible .entry guarded_k0(
# CHECK:         ld.global.b32 [[RESUME:%r[0-9]+]]
# CHECK:         ld.global.b32 [[YIELDED:%r[0-9]+]]
# CHECK:         @%p{{[0-9]+}} bra
# CHECK:         st.global.b32
# CHECK:         ret;
# The flag check is a one-thread kernel of its own: it reads the flag and writes yielded_at.
# CHECK-LABEL: .visible .entry guarded_k1(
# CHECK:         ld.global.b32
# CHECK:         ld.global.b32
# CHECK:         st.global.b32
