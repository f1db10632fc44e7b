# RUN: qd-compile %s --kernel axpy --emit kernel-ir | FileCheck %s
# Scalar parameters are function arguments of their MLIR type; u8 is a signless i8 that the
# frontend zero-extends.
import qdmlir as qd


@qd.kernel
def axpy(a: qd.f64, n: qd.i32, small: qd.u8, x: qd.types.ndarray(qd.f64, 1)):
    for i in range(n):
        x[i] = a * x[i] + small


# CHECK-LABEL: func.func @axpy
# CHECK-SAME:    (%a: f64, %n: i32, %small: i8, %x: memref<?xf64>)
# CHECK:         arith.index_cast %n : i32 to index
# CHECK:         arith.mulf %a, %{{.*}} : f64
# CHECK:         arith.uitofp %small : i8 to f64
