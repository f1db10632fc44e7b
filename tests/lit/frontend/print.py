# RUN: qd-compile %s --kernel trace --emit kernel-ir | FileCheck %s
# `print(...)` in a kernel appends a record to the hidden last argument `qd_print`: one atomic
# add claims [site, values...], the values are stored as i64 words (floats widened to f64 and
# bitcast), and a record that does not fit is counted in word 1 instead. The text ("i =", the
# separators, the newline) is in the manifest's print_sites; the launcher prints after the launch.
import qdmlir as qd


@qd.kernel
def trace(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        print("i =", i, "x =", x[i])


# CHECK-LABEL: func.func @trace(%x: memref<?xf32>, %qd_print: memref<?xi64>)
# CHECK:         scf.parallel
# CHECK:           %[[SIZE:.*]] = arith.constant 3 : i64
# CHECK:           %[[USED:.*]] = memref.atomic_rmw addi %[[SIZE]], %qd_print[%{{.*}}] : (i64, memref<?xi64>) -> i64
# CHECK:           %[[FITS:.*]] = arith.cmpi ule
# CHECK:           scf.if %[[FITS]] {
# CHECK:             %[[SITE:.*]] = arith.constant 0 : i64
# CHECK:             %[[I:.*]] = arith.extsi %i : i32 to i64
# CHECK:             %[[WIDE:.*]] = arith.extf %{{.*}} : f32 to f64
# CHECK:             %[[X:.*]] = arith.bitcast %[[WIDE]] : f64 to i64
# CHECK:             memref.store %[[SITE]], %qd_print
# CHECK:             memref.store %[[I]], %qd_print
# CHECK:             memref.store %[[X]], %qd_print
# CHECK:           } else {
# CHECK:             memref.atomic_rmw addi
