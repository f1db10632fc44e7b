# RUN: qd-compile %s --kernel collatz --emit kernel-ir | FileCheck %s
# A `while` inside a task is an scf.while: the condition is evaluated in the before-region on
# the carried values, the body in the after-region.
import qdmlir as qd


@qd.kernel
def collatz(start: qd.types.ndarray(qd.i32, 1), steps: qd.types.ndarray(qd.i32, 1)):
    for i in range(start.shape[0]):
        n = start[i]
        count = 0
        while n != 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            count += 1
        steps[i] = count


# CHECK-LABEL: func.func @collatz
# CHECK:         %{{.*}}, %[[STEPS:.*]] = scf.while (%[[N:.*]] = %n, %[[K:.*]] = %count) : (i32, i32) -> (i32, i32) {
# CHECK:           %[[GO:.*]] = arith.cmpi ne, %[[N]], %{{.*}} : i32
# CHECK:           scf.condition(%[[GO]]) %[[N]], %[[K]] : i32, i32
# CHECK:         } do {
# CHECK:           arith.floordivsi
# CHECK:           scf.yield
# CHECK:         memref.store %[[STEPS]], %steps
