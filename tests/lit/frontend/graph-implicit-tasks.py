# RUN: qd-compile %s --kernel three_tasks --emit kernel-ir | FileCheck %s
# In a graph kernel each top-level for loop is a task: an scf.parallel at the function top level
# that checkpoint-number will wrap in an implicit checkpoint.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def three_tasks(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        x[i] += 1.0
    for i in range(x.shape[0]):
        x[i] *= 2.0
    for i in range(x.shape[0]):
        x[i] -= 3.0


# CHECK-LABEL: func.func @three_tasks
# CHECK-COUNT-3: scf.parallel
# CHECK-NOT:     checkpoint.region
# CHECK:         func.return
