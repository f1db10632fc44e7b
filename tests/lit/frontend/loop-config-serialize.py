# RUN: qd-compile %s --kernel prefix_sum --emit kernel-ir | FileCheck %s --check-prefix=SERIAL
# RUN: qd-compile %s --kernel first_hit --emit kernel-ir | FileCheck %s --check-prefix=NDRANGE
# `qd.loop_config(serialize=True)` turns the next top-level loop into a task of one iteration
# whose body runs the loop serially (an scf.for inside a one-step scf.parallel). A task of one
# iteration has no other iteration to race with, so `x[i] += ...` is a plain load and store.
import qdmlir as qd


@qd.kernel
def prefix_sum(x: qd.types.ndarray(qd.i32, 1)):
    qd.loop_config(serialize=True)
    for i in range(1, x.shape[0]):
        x[i] += x[i - 1]


# SERIAL-LABEL: func.func @prefix_sum
# SERIAL:         %[[ZERO:.*]] = arith.index_cast %{{.*}} : i32 to index
# SERIAL:         %[[ONE:.*]] = arith.index_cast %{{.*}} : i32 to index
# SERIAL:         scf.parallel (%{{.*}}) = (%[[ZERO]]) to (%[[ONE]])
# SERIAL:           scf.for
# SERIAL:             %[[PREVIOUS:.*]] = memref.load %x
# SERIAL:             %[[OLD:.*]] = memref.load %x
# SERIAL:             %[[NEW:.*]] = arith.addi %[[OLD]], %[[PREVIOUS]] : i32
# SERIAL:             memref.store %[[NEW]], %x
# SERIAL-NOT:     memref.atomic_rmw


# A serialized `qd.ndrange` is one flat loop in row-major order, as Quadrants runs it: `break`
# leaves the whole nest, and each index comes back from the flat one by a divide (rows) and a
# remainder (columns).
@qd.kernel
def first_hit(g: qd.types.ndarray(qd.i32, 2), at: qd.types.ndarray(qd.i32, 0)):
    qd.loop_config(serialize=True)
    for i, j in qd.ndrange(g.shape[0], g.shape[1]):
        if g[i, j] != 0:
            at[()] = i * g.shape[1] + j
            break


# NDRANGE-LABEL: func.func @first_hit
# NDRANGE:         scf.parallel
# NDRANGE:           %[[ROWS:.*]] = arith.maxsi
# NDRANGE:           %[[COLUMNS:.*]] = arith.maxsi
# NDRANGE:           %[[TOTAL:.*]] = arith.muli %[[COLUMNS]], %[[ROWS]] : index
# NDRANGE:           scf.while
# NDRANGE:             arith.cmpi slt, %{{.*}}, %[[TOTAL]] : index
# NDRANGE:           } do {
# NDRANGE:             arith.divui %{{.*}}, %[[COLUMNS]] : index
# NDRANGE:             arith.remui %{{.*}}, %[[COLUMNS]] : index
