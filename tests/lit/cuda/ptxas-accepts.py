# REQUIRES: ptxas
# RUN: qd-compile %s --kernel step --target cuda --arch sm_90 --emit cubin -o %t.sm90.cubin
# RUN: qd-compile %s --kernel step --target cuda --arch sm_80 --emit cubin -o %t.sm80.cubin
# RUN: %python -c "import sys; d = open(sys.argv[1], 'rb').read(); assert d[:4] == b'\x7fELF', d[:4]; print('elf', len(d) > 0)" %t.sm90.cubin | FileCheck %s
# ptxas accepts the PTX for both chips, condition kernels (an extern driver builtin) included.
import qdmlir as qd


@qd.kernel(graph=True, checkpoints=True)
def step(x: qd.types.ndarray(qd.f32, 1), n: qd.types.ndarray(qd.i32, 0),
         flag: qd.types.ndarray(qd.i32, 0)):
    while qd.graph.do_while(n):
        with qd.checkpoint(1, yield_on=flag):
            for i in range(x.shape[0]):
                x[i] = qd.sqrt(x[i]) + qd.exp(x[i])
        for _ in range(1):
            n[()] -= 1


# CHECK: elf True
