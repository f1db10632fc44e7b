# RUN: qd-compile %s --kernel maths --emit kernel-ir | FileCheck %s
# Math functions lower to the math dialect in the argument's float type; on integers they
# compute in the default float (f32); abs/min/max keep integer types.
import qdmlir as qd


@qd.kernel
def maths(x: qd.types.ndarray(qd.f64, 1), n: qd.types.ndarray(qd.i32, 1),
          y: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        x[i] = qd.sqrt(x[i]) + qd.sin(x[i]) * qd.cos(x[i]) + qd.exp(qd.log(x[i]))
        x[i] = qd.floor(x[i]) + qd.ceil(x[i]) + qd.tanh(x[i]) + qd.math.atan2(x[i], 1.0)
        y[i] = qd.sqrt(n[i])
        n[i] = abs(n[i]) + qd.min(n[i], 3) + qd.max(n[i], 1, 2)
        y[i] = qd.math.clamp(y[i], 0.0, 1.0)


# CHECK-LABEL: func.func @maths
# CHECK:         math.sqrt %{{.*}} : f64
# CHECK:         math.sin %{{.*}} : f64
# CHECK:         math.cos %{{.*}} : f64
# CHECK:         math.log %{{.*}} : f64
# CHECK:         math.exp %{{.*}} : f64
# CHECK:         math.floor
# CHECK:         math.ceil
# CHECK:         math.tanh
# CHECK:         math.atan2
# CHECK:         %[[NF:.*]] = arith.sitofp %{{.*}} : i32 to f32
# CHECK:         math.sqrt %[[NF]] : f32
# CHECK:         math.absi %{{.*}} : i32
# CHECK:         arith.minsi
# CHECK:         arith.maxsi
# CHECK:         arith.maxnumf
# CHECK:         arith.minnumf
