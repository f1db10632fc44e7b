# RUN: qd-compile %s --kernel fill --emit kernel-ir | FileCheck %s
# `qd.ndrange(n, (begin, end))` is one multi-dimensional task; each dimension is `n` or
# `(begin, end)`.
import qdmlir as qd


@qd.kernel
def fill(grid: qd.types.ndarray(qd.i32, 2)):
    for i, j in qd.ndrange(grid.shape[0], (1, grid.shape[1])):
        grid[i, j] = i * 10 + j


# CHECK-LABEL: func.func @fill
# CHECK:         scf.parallel (%{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}}) step (%{{.*}}, %{{.*}})
# CHECK:           %i = arith.index_cast
# CHECK:           %j = arith.index_cast
# CHECK:           arith.muli %i, %{{.*}} : i32
# CHECK:           memref.store %{{.*}}, %grid[%{{.*}}, %{{.*}}] : memref<?x?xi32>
