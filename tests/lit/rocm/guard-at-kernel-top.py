# RUN: qd-compile %s --kernel guarded --target rocm --arch gfx90a --emit llvm-ir | FileCheck %s
# The checkpoint guard lives inside each AMDGPU kernel: once a thread is inside the task's
# range, it loads the launch state (resume_point, then yielded_at) and branches past the body
# unless `resume_point <= slot && yielded_at == -1`; nothing is stored before the guard. The
# host never reads the state to decide a launch.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def guarded(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(3, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] = 5.0


# CHECK-LABEL: define amdgpu_kernel void @guarded_k0(
# CHECK-NOT:     store
# CHECK:         %[[RESUME:[0-9]+]] = load i32, ptr
# CHECK-NEXT:    %[[FROM:[0-9]+]] = icmp sle i32 %[[RESUME]],
# CHECK:         %[[YIELDED:[0-9]+]] = load i32, ptr
# CHECK-NEXT:    %[[NONE:[0-9]+]] = icmp eq i32 %[[YIELDED]], -1
# CHECK-NEXT:    %[[GO:[0-9]+]] = and i1 %[[FROM]], %[[NONE]]
# CHECK-NEXT:    br i1 %[[GO]], label %[[BODY:[0-9]+]], label
# CHECK:       [[BODY]]:
# CHECK:         store float 5.000000e+00
# CHECK:         ret void
# The flag check is a one-thread kernel with the same guard; it reads the flag and writes
# yielded_at.
# CHECK-LABEL: define amdgpu_kernel void @guarded_k1(
# CHECK-NOT:     store
# CHECK:         load i32, ptr
# CHECK:         load i32, ptr
# CHECK:         icmp eq i32 %{{[0-9]+}}, -1
# CHECK:         br i1
# CHECK:         load i32, ptr
# CHECK:         icmp ne i32
# CHECK:         store i32
