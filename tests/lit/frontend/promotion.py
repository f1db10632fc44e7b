# RUN: qd-compile %s --kernel mix --emit kernel-ir | FileCheck %s
# Quadrants' promotion: int literal meets f32 -> f32; i32 + i64 -> i64; u8 + literal -> i32;
# u32 + literal -> u32 (the literal is created directly in the promoted type); `/` on ints
# divides in f32.
import qdmlir as qd


@qd.kernel
def mix(f: qd.types.ndarray(qd.f32, 0), a: qd.i32, b: qd.i64, c: qd.u8, d: qd.u32,
        o64: qd.types.ndarray(qd.i64, 0), o32: qd.types.ndarray(qd.i32, 0),
        of: qd.types.ndarray(qd.f32, 0)):
    for _ in range(1):
        f[()] = f[()] * 2
        o64[()] = a + b
        o32[()] = c + 1
        o32[()] = d + 1
        of[()] = a / a


# CHECK-LABEL: func.func @mix
# CHECK:         arith.constant 2.000000e+00 : f32
# CHECK:         arith.mulf
# CHECK:         %[[A64:.*]] = arith.extsi %a : i32 to i64
# CHECK:         arith.addi %[[A64]], %b : i64
# CHECK:         %[[C32:.*]] = arith.extui %c : i8 to i32
# CHECK:         arith.addi %[[C32]], %{{.*}} : i32
# CHECK:         arith.addi %d, %{{.*}} : i32
# CHECK:         %[[FA:.*]] = arith.sitofp %a : i32 to f32
# CHECK:         arith.divf %[[FA]], %{{.*}} : f32
