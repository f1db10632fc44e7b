# RUN: qd-compile %s --kernel everything --emit kernel-ir | FileCheck %s
# RUN: qd-compile %s --kernel everything --emit upstream-ir | FileCheck %s --check-prefix=UPSTREAM
# One kernel that uses every construct of the kernel language and every graph shape together:
# it compiles, and the module upstream MLIR receives holds no checkpoint op.
import enum
import qdmlir as qd

N = 4
SCALE = 2.5

class Stage(enum.IntEnum):
    SIM = 0
    IO = 7

@qd.func
def sq(v):
    return v * v

@qd.func
def sign(v: qd.f32) -> qd.f32:
    if v > 0:
        return 1.0
    elif v < 0:
        return -1.0
    return 0.0

@qd.func
def first_negative(a, n: qd.i32) -> qd.i32:
    for k in range(n):
        if a[k] < 0:
            return k
    return -1

@qd.kernel(graph=True, checkpoints=True)
def everything(a: qd.types.ndarray(qd.f32, 1), b: qd.types.ndarray(qd.i32, 2),
               c: qd.types.ndarray(qd.f64, 3), flag: qd.types.ndarray(qd.i32, 0),
               cond: qd.types.ndarray(qd.i32, 0), n: qd.i32, u: qd.u32, s: qd.f64):
    for i in range(a.shape[0]):
        x = a[i]
        y = 0.0
        k = 0
        while k < 3:
            k += 1
            if k == 2:
                continue
            y += x * k
        for j in range(10):
            if j > 5:
                break
            y -= j
        a[i] = sq(y) + sign(x) + qd.max(x, 1.0, y) + abs(-x) + qd.floor(x) // 2 + x % 3
        a[i] += qd.exp(qd.log(qd.sqrt(qd.abs(x) + 1.0))) + float(int(x)) + qd.cast(k, qd.f32)
    for i, j in qd.ndrange(b.shape[0], (1, b.shape[1])):
        b[i, j] = i * j + (i // 2) - (j % 3) + (i << 1) + (j >> 1) + (i & 3) | (j ^ 1)
        qd.atomic_add(b[0, 0], 1)
        old = qd.atomic_max(b[i, 0], j)
        b[i, j] += old if old > 0 and i < 2 else -old
    with qd.checkpoint(Stage.SIM, yield_on=flag):
        for i in range(n):
            if not (a[i] >= 0 or i == 0):
                flag[()] = 1
        if n > 100:
            for q in range(2):
                a[q] = 0
    total = 0.0
    for i in range(a.shape[0]):
        total += a[i]
    a[0] = total
    while qd.graph.do_while(cond):
        for _ in range(1):
            cond[()] -= 1
        with qd.checkpoint(-3, yield_on=flag):
            for i, j, k in qd.ndrange(2, 2, 2):
                c[i, j, k] = s * i + qd.static(N) * SCALE + u
        while qd.graph.do_while(cond):
            for _ in range(1):
                cond[()] = 0
    for i in qd.static(range(2)):
        for t in range(N):
            a[t] = a[t] ** 2 + a[t] ** 0.5 + i + first_negative(a, n)
    if qd.static(N > 2):
        for t in range(N):
            a[t] = a[t] / 3 + (1 if a[t] > 2 else 2)


# CHECK-LABEL: func.func @everything
# CHECK:         scf.parallel
# CHECK:         scf.while
# CHECK:         checkpoint.region label 0 yield_on 3 "flag"
# CHECK:         checkpoint.do_while %cond : memref<i32>
# CHECK:           checkpoint.region label -3 yield_on 3 "flag"
# CHECK:           checkpoint.do_while %cond : memref<i32>
# CHECK-NOT:     func.call

# UPSTREAM-LABEL: func.func @everything
# UPSTREAM-NOT:   checkpoint.
# UPSTREAM:       return
