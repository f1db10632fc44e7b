# RUN: qd-compile %s --kernel advance --emit llvm-ir \
# RUN:   | opt -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=x86-64-v3 -S | FileCheck %s
# The unrolled entries of a vec3 update vectorise across iterations: with AVX2 the loop
# vectoriser treats x[i][0..2] as one interleaved group and processes 8 elements (24 floats)
# per step, with one wide load of each array and one wide store (vector-update.py shows the
# kernel IR this comes from).
import qdmlir as qd


@qd.kernel
def advance(x: qd.types.ndarray(qd.math.vec3, 1), v: qd.types.ndarray(qd.math.vec3, 1), dt: qd.f32):
    for i in range(x.shape[0]):
        x[i] += dt * v[i]


# CHECK-LABEL: define internal {{.*}}void @advance.task0
# CHECK:         load <24 x float>
# CHECK:         load <24 x float>
# CHECK:         fmul <24 x float>
# CHECK:         store <24 x float>
