# RUN: qd-compile %s --kernel sim.step --emit kernel-ir | FileCheck %s
# A @qd.data_oriented method kernel: each `self.<member>` the kernel (or a qd.func method it
# calls) uses becomes a kernel argument named by its path, `%self.x`, in order of first use; a
# number member is a compile-time constant; a member no kernel code names is not an argument.
# `yield_on=self.flag` and `qd.graph.do_while(self.counter)` name those arguments.
import qdmlir as qd


@qd.data_oriented
class Sim:
    def __init__(self, n):
        self.x = qd.ndarray(qd.f32, shape=(n,))
        self.flag = qd.ndarray(qd.i32, shape=())
        self.counter = qd.ndarray(qd.i32, shape=())
        self.scale = 2.5
        self.unused = qd.ndarray(qd.f64, shape=(n,))

    @qd.func
    def bump(self, i):
        self.x[i] += self.scale

    @qd.kernel(graph=True, checkpoints=True)
    def step(self):
        while qd.graph.do_while(self.counter):
            with qd.checkpoint(1, yield_on=self.flag):
                for i in range(self.x.shape[0]):
                    self.bump(i)
            for _ in range(1):
                self.counter[()] -= 1


sim = Sim(8)

# CHECK-LABEL: func.func @step(%self.counter: memref<i32>, %self.flag: memref<i32>, %self.x: memref<?xf32>)
# CHECK-NOT:     self.unused
# CHECK:         checkpoint.do_while %self.counter : memref<i32> {
# CHECK:           checkpoint.region label 1 yield_on 1 "self.flag" {
# CHECK:             memref.dim %self.x
# CHECK:             scf.parallel
# CHECK:               %[[SCALE:.*]] = arith.constant 2.500000e+00 : f32
# CHECK:               %[[OLD:.*]] = memref.load %self.x[%{{.*}}] : memref<?xf32>
# CHECK:               arith.addf %[[OLD]], %[[SCALE]] : f32
# CHECK:           memref.load %self.counter[] : memref<i32>
