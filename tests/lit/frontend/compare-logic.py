# RUN: qd-compile %s --kernel in_range --emit kernel-ir | FileCheck %s
# Comparisons chain like Python's; `and`/`or` on cheap operands compute both sides, but a right
# side that reads memory only runs when it decides the result (an scf.if), as in Python.
import qdmlir as qd


@qd.kernel
def in_range(x: qd.types.ndarray(qd.f32, 1), out: qd.types.ndarray(qd.i32, 1), lo: qd.f32):
    for i in range(x.shape[0]):
        inside = lo <= x[i] < 10.0
        cheap = i > 0 and i < 5
        guarded = i > 0 and x[i - 1] > 0.0
        out[i] = inside + cheap + guarded + (not inside)


# CHECK-LABEL: func.func @in_range
# CHECK:         arith.cmpf ole, %lo, %{{.*}} : f32
# CHECK:         arith.cmpf olt
# CHECK:         %inside = arith.andi
# CHECK:         %cheap = arith.andi
# CHECK:         %guarded = scf.if %{{.*}} -> (i1) {
# CHECK:           memref.load %x
# CHECK:         } else {
# CHECK:         arith.extui %inside : i1 to i32
