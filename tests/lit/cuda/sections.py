# RUN: qd-compile %s --kernel forked --target cuda --arch sm_90 --emit lowered-ir | FileCheck %s
# RUN: qd-compile %s --kernel forked --target cuda --arch sm_90 --emit ptx | FileCheck %s --check-prefix=PTX
# On a GPU a fork's sections stay grouped, as nested `scf.execute_region no_inline` ops, each
# task testing its slot inside (its own kernel), so the launch plan can make every section a
# branch of the CUDA graph or a stream of its own (tests/python/test_gpu_sections.py checks
# the plan, its graph and its streams).
import qdmlir as qd


@qd.kernel(graph=True)
def forked(x: qd.types.ndarray(qd.f32, 1), y: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        x[i] = 1.0
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            for i in range(x.shape[0]):
                x[i] += 1.0
        with qd.graph.parallel():
            y[0] = 5.0
            for i in range(y.shape[0]):
                y[i] += 1.0
    for i in range(x.shape[0]):
        x[i] += y[i]


# CHECK-LABEL: func.func @forked
# CHECK:         scf.parallel
# CHECK:           }{qd.guard_slot = 0 : i64}
# CHECK:         scf.execute_region no_inline {
# CHECK-NEXT:      scf.execute_region no_inline {
# CHECK:             scf.parallel
# CHECK:               }{qd.guard_slot = 1 : i64}
# CHECK:           } {qd.section}
# CHECK-NEXT:      scf.execute_region no_inline {
# CHECK:             scf.parallel
# CHECK:               }{qd.guard_serial}
# CHECK:             scf.parallel
# CHECK:               }{qd.guard_slot = 2 : i64}
# CHECK:           } {qd.section}
# CHECK-NEXT:      scf.yield
# CHECK-NEXT:    } {qd.fork}
# CHECK:         scf.parallel
# CHECK:           }{qd.guard_slot = 3 : i64}
# Every task is its own kernel, in launch order: the sections' in source order.
# PTX: .visible .entry forked_k0(
# PTX: .visible .entry forked_k1(
# PTX: .visible .entry forked_k2(
# PTX: .visible .entry forked_k3(
# PTX: .visible .entry forked_k4(
# PTX-NOT: .entry forked_k
