# RUN: qd-compile %s --kernel ops --emit kernel-ir | FileCheck %s
# Integer // floors and % takes the divisor's sign, as in Python; ** with a small constant
# exponent multiplies; shifts keep the left operand's type; unsigned values use unsigned ops.
import qdmlir as qd


@qd.kernel
def ops(o: qd.types.ndarray(qd.i32, 1), f: qd.types.ndarray(qd.f32, 1), a: qd.i32, u: qd.u32):
    for _ in range(1):
        o[0] = a // 3
        o[1] = a % 3
        o[2] = a ** 3
        o[3] = (a << 2) | (a >> 1) ^ (a & 7)
        o[4] = u // 4
        o[5] = u % 4
        f[0] = f[0] % 2.5
        f[1] = f[1] ** 0.5


# CHECK-LABEL: func.func @ops
# CHECK:         arith.floordivsi %a, %{{.*}} : i32
# CHECK:         arith.remsi %a, %{{.*}} : i32
# CHECK:         arith.select
# CHECK:         %[[SQ:.*]] = arith.muli %a, %a : i32
# CHECK:         arith.muli %a, %[[SQ]] : i32
# CHECK:         arith.shli
# CHECK:         arith.shrsi
# CHECK:         arith.divui %u, %{{.*}} : i32
# CHECK:         arith.remui %u, %{{.*}} : i32
# CHECK:         math.floor
# CHECK:         math.powf
