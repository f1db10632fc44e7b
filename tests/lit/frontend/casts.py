# RUN: qd-compile %s --kernel convert --emit kernel-ir | FileCheck %s
# qd.cast, int() and float() convert with C semantics: float -> int truncates (fptosi); int()
# gives the default int (i32), float() the default float (f32).
import qdmlir as qd


@qd.kernel
def convert(x: qd.types.ndarray(qd.f64, 1), i: qd.types.ndarray(qd.i32, 1),
            f: qd.types.ndarray(qd.f32, 1), w: qd.types.ndarray(qd.i64, 1)):
    for k in range(x.shape[0]):
        i[k] = int(x[k])
        f[k] = float(i[k])
        w[k] = qd.cast(x[k], qd.i64)
        f[k] = qd.f32(x[k])


# CHECK-LABEL: func.func @convert
# CHECK:         arith.fptosi %{{.*}} : f64 to i32
# CHECK:         arith.sitofp %{{.*}} : i32 to f32
# CHECK:         arith.fptosi %{{.*}} : f64 to i64
# CHECK:         arith.truncf %{{.*}} : f64 to f32
