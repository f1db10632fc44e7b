"""The kernel language, run on the CPU and checked against Python / numpy.

One test per construct of the frontend issue: loops, control flow, operators with Python's
semantics, Quadrants' promotion rules, math, atomics, qd.static, qd.func, globals.
"""

import enum
import math

import numpy as np
import pytest

import qdmlir as qd

F32_1D = qd.types.ndarray(qd.f32, 1)
I32_1D = qd.types.ndarray(qd.i32, 1)


def run_1d(kernel, values, dtype=np.float32, *extra):
    array = np.array(values, dtype=dtype)
    kernel(array, *extra)
    return array


# -- operators ---------------------------------------------------------------------------------


@qd.kernel
def int_division(a: I32_1D, b: I32_1D, q: I32_1D, r: I32_1D):
    for i in range(a.shape[0]):
        q[i] = a[i] // b[i]
        r[i] = a[i] % b[i]


def test_integer_floor_division_and_modulo_follow_python():
    a = np.array([7, -7, 7, -7, 0, 13], np.int32)
    b = np.array([2, 2, -2, -2, 5, -4], np.int32)
    q, r = np.zeros_like(a), np.zeros_like(a)
    int_division(a, b, q, r)
    assert list(q) == [x // y for x, y in zip(a.tolist(), b.tolist())]
    assert list(r) == [x % y for x, y in zip(a.tolist(), b.tolist())]


@qd.kernel
def float_ops(x: F32_1D, out: F32_1D):
    for i in range(x.shape[0]):
        out[i] = x[i] % 2.5 + x[i] // 1.5 + x[i] ** 2 + x[i] / 4


def test_float_modulo_floor_division_and_power():
    x = np.array([3.0, -3.0, 0.5, 7.25], np.float32)
    out = np.zeros_like(x)
    float_ops(x, out)
    expected = [v % 2.5 + v // 1.5 + v**2 + v / 4 for v in x.tolist()]
    np.testing.assert_allclose(out, expected, rtol=1e-6)


@qd.kernel
def bit_ops(a: I32_1D, out: I32_1D):
    for i in range(a.shape[0]):
        out[i] = ((a[i] << 3) | (a[i] >> 1)) ^ (a[i] & 5) + (~a[i])


def test_bitwise_operators():
    a = np.array([0, 1, 6, -8, 12345], np.int32)
    out = np.zeros_like(a)
    bit_ops(a, out)
    expected = [((v << 3) | (v >> 1)) ^ (v & 5) + (~v) for v in a.tolist()]
    assert list(out) == [np.int32(e) for e in expected]


@qd.kernel
def promote(
    a: qd.i32,
    b: qd.i64,
    c: qd.u8,
    d: qd.u32,
    out_i64: qd.types.ndarray(qd.i64, 1),
    out_u32: qd.types.ndarray(qd.u32, 1),
    out_f: F32_1D,
):
    for _ in range(1):
        out_i64[0] = a + b
        out_i64[1] = c + 1
        out_u32[0] = d + 1
        out_u32[1] = d - 5
        out_f[0] = a / 2
        out_f[1] = a // 2 + 0.5


def test_promotion_rules_of_quadrants():
    out_i64 = np.zeros(2, np.int64)
    out_u32 = np.zeros(2, np.uint32)
    out_f = np.zeros(2, np.float32)
    promote(7, 2**40, 255, 3, out_i64, out_u32, out_f)
    # i32 + i64 -> i64; u8 + 1 -> i32 (no u8 wrap); u32 - 5 wraps in u32; / is a float division
    assert list(out_i64) == [7 + 2**40, 256]
    assert list(out_u32) == [4, 2**32 - 2]
    assert list(out_f) == [3.5, 3.5]


@qd.kernel
def comparisons(x: F32_1D, out: I32_1D):
    for i in range(x.shape[0]):
        out[i] = (0.0 <= x[i] < 2.0) + 2 * (x[i] != x[i]) + 4 * (not x[i] > 1.0)


def test_chained_comparisons_and_nan():
    x = np.array([0.5, 1.5, 3.0, np.nan, -1.0], np.float32)
    out = np.zeros(5, np.int32)
    comparisons(x, out)
    expected = [int(0.0 <= v < 2.0) + 2 * int(v != v) + 4 * int(not v > 1.0) for v in x.tolist()]
    assert list(out) == expected


@qd.kernel
def short_circuit(x: I32_1D, out: I32_1D):
    for i in range(x.shape[0]):
        # x[i - 1] would read out of bounds for i == 0: `and` must not evaluate it
        out[i] = 1 if i > 0 and x[i - 1] > 0 else 0


def test_and_or_short_circuit_memory_reads():
    x = np.array([5, 0, 3], np.int32)
    out = np.zeros(3, np.int32)
    short_circuit(x, out)
    assert list(out) == [0, 1, 0]


@qd.kernel
def conversions(
    x: qd.types.ndarray(qd.f64, 1), i: I32_1D, f: F32_1D, w: qd.types.ndarray(qd.i64, 1)
):
    for k in range(x.shape[0]):
        i[k] = int(x[k])
        f[k] = float(i[k]) + qd.cast(x[k], qd.f32)
        w[k] = qd.cast(x[k] * 1e10, qd.i64)


def test_casts_truncate_towards_zero():
    x = np.array([2.7, -2.7, 0.0], np.float64)
    i, f, w = np.zeros(3, np.int32), np.zeros(3, np.float32), np.zeros(3, np.int64)
    conversions(x, i, f, w)
    assert list(i) == [2, -2, 0]
    np.testing.assert_allclose(f, [2 + 2.7, -2 - 2.7, 0.0], rtol=1e-6)
    assert list(w) == [int(2.7 * 1e10), int(-2.7 * 1e10), 0]


@qd.kernel
def wraps(x: I32_1D):
    for k in range(x.shape[0]):
        x[k] = x[k] * 65536 * 65536 + 2147483647 + 1


def test_integer_overflow_wraps():
    x = np.array([3], np.int32)
    wraps(x)
    assert x[0] == np.int32(-2147483648)


# -- math --------------------------------------------------------------------------------------


@qd.kernel
def maths(x: qd.types.ndarray(qd.f64, 1), out: qd.types.ndarray(qd.f64, 2)):
    for i in range(x.shape[0]):
        v = x[i]
        out[i, 0] = qd.sqrt(v)
        out[i, 1] = qd.sin(v) + qd.cos(v)
        out[i, 2] = qd.exp(v) - qd.log(v)
        out[i, 3] = qd.floor(v) + qd.ceil(v)
        out[i, 4] = abs(-v) + qd.min(v, 1.0) + qd.max(v, 2.0, 0.5)
        out[i, 5] = qd.tanh(v) + qd.atan2(v, 2.0) + qd.math.clamp(v, 0.25, 1.0)
        out[i, 6] = qd.tan(v) + qd.asin(v / 10.0) + qd.acos(v / 10.0)
        out[i, 7] = qd.round(v) + qd.rsqrt(v)


def test_math_functions_match_python():
    x = np.array([0.3, 1.7, 4.5], np.float64)
    out = np.zeros((3, 8), np.float64)
    maths(x, out)
    for row, v in zip(out, x.tolist()):
        expected = [
            math.sqrt(v),
            math.sin(v) + math.cos(v),
            math.exp(v) - math.log(v),
            math.floor(v) + math.ceil(v),
            abs(v) + min(v, 1.0) + max(v, 2.0, 0.5),
            math.tanh(v) + math.atan2(v, 2.0) + min(max(v, 0.25), 1.0),
            math.tan(v) + math.asin(v / 10) + math.acos(v / 10),
            float(round(v + 0.0)) if abs(v % 1 - 0.5) > 1e-9 else math.floor(v) + 1.0,
        ]
        expected[7] += 1 / math.sqrt(v)
        np.testing.assert_allclose(row, expected, rtol=1e-12)


@qd.kernel
def int_math(n: I32_1D, out: F32_1D, m: I32_1D):
    for i in range(n.shape[0]):
        out[i] = qd.sqrt(n[i])
        m[i] = abs(n[i] - 5) + qd.max(n[i], 3) + qd.min(n[i], -1)


def test_math_on_integers():
    n = np.array([4, 9, 0], np.int32)
    out, m = np.zeros(3, np.float32), np.zeros(3, np.int32)
    int_math(n, out, m)
    assert list(out) == [2.0, 3.0, 0.0]
    assert list(m) == [abs(v - 5) + max(v, 3) + min(v, -1) for v in n.tolist()]


# -- control flow ------------------------------------------------------------------------------


@qd.kernel
def collatz(start: I32_1D, steps: I32_1D):
    for i in range(start.shape[0]):
        n = start[i]
        count = 0
        while n != 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            count += 1
        steps[i] = count


def test_while_loop_with_reassigned_variables():
    start = np.array([1, 6, 27], np.int32)
    steps = np.zeros(3, np.int32)
    collatz(start, steps)
    assert list(steps) == [0, 8, 111]


@qd.kernel
def break_continue(m: qd.types.ndarray(qd.i32, 2), out: I32_1D):
    for i in range(m.shape[0]):
        found = -1
        skipped = 0
        for j in range(m.shape[1]):
            if m[i, j] < 0:
                skipped += 1
                continue
            if m[i, j] > 10:
                found = j
                break
        out[i] = found * 100 + skipped


def test_break_and_continue():
    m = np.array([[1, -2, 30, -4, 50], [-1, -1, -1, -1, -1], [11, 0, 0, 0, 0]], np.int32)
    out = np.zeros(3, np.int32)
    break_continue(m, out)
    assert list(out) == [2 * 100 + 1, -100 + 5, 0]


@qd.kernel
def reverse_range(out: I32_1D):
    for _ in range(1):
        k = 0
        for i in range(10, 0, -3):
            out[k] = i
            k += 1
        for i in range(3, 3):
            out[k] = 99


def test_negative_step_and_empty_ranges():
    out = np.zeros(5, np.int32)
    reverse_range(out)
    assert list(out) == [10, 7, 4, 1, 0]


@qd.kernel
def elif_chain(x: F32_1D, out: I32_1D):
    for i in range(x.shape[0]):
        if x[i] > 1.0:
            out[i] = 2
        elif x[i] > 0.0:
            out[i] = 1
        elif x[i] == 0.0:
            out[i] = 0
        else:
            out[i] = -1


def test_if_elif_else():
    x = np.array([2.0, 0.5, 0.0, -3.0], np.float32)
    out = np.zeros(4, np.int32)
    elif_chain(x, out)
    assert list(out) == [2, 1, 0, -1]


# -- parallel tasks, atomics -------------------------------------------------------------------


@qd.kernel
def histogram(x: I32_1D, bins: I32_1D, total: qd.types.ndarray(qd.i64, 0)):
    for i in range(x.shape[0]):
        bins[x[i] % bins.shape[0]] += 1
        qd.atomic_add(total[()], x[i])


@pytest.mark.parametrize("n", [100, 1_000_000])
def test_augmented_assignment_to_shared_elements_is_atomic(n):
    rng = np.random.default_rng(7)
    x = rng.integers(0, 1000, n).astype(np.int32)
    bins = np.zeros(16, np.int32)
    total = np.zeros((), np.int64)
    histogram(x, bins, total)
    np.testing.assert_array_equal(bins, np.bincount(x % 16, minlength=16))
    assert int(total) == int(x.astype(np.int64).sum())


@qd.kernel
def atomic_minmax(
    x: F32_1D,
    lo: qd.types.ndarray(qd.f32, 0),
    hi: qd.types.ndarray(qd.i32, 0),
    old_sum: qd.types.ndarray(qd.i64, 0),
):
    for i in range(x.shape[0]):
        qd.atomic_min(lo[()], x[i])
        qd.atomic_max(hi[()], int(x[i]))
        old = qd.atomic_add(hi[()], 0)
        qd.atomic_add(old_sum[()], qd.cast(old >= 0, qd.i64))


def test_atomic_min_max_return_old_values():
    x = np.linspace(-5, 20, 1001).astype(np.float32)
    lo, hi, old_sum = (
        np.full((), 1e9, np.float32),
        np.full((), -99, np.int32),
        np.zeros((), np.int64),
    )
    atomic_minmax(x, lo, hi, old_sum)
    assert float(lo) == -5.0 and int(hi) == 20 and int(old_sum) <= 1001


@qd.kernel
def grid(g: qd.types.ndarray(qd.f32, 3)):
    for i, j, k in qd.ndrange(g.shape[0], (1, g.shape[1]), g.shape[2]):
        g[i, j, k] = i * 100 + j * 10 + k


def test_ndrange_over_a_3d_array():
    g = np.zeros((3, 4, 5), np.float32)
    grid(g)
    i, j, k = np.meshgrid(range(3), range(4), range(5), indexing="ij")
    expected = (i * 100 + j * 10 + k).astype(np.float32)
    expected[:, 0, :] = 0
    np.testing.assert_array_equal(g, expected)


@qd.kernel
def serial_ndrange_in_a_task(g: qd.types.ndarray(qd.i32, 2), visits: I32_1D):
    for t in range(1):
        for i, j in qd.ndrange(g.shape[0], (1, g.shape[1])):
            g[i, j] = visits[0] * 100 + i * 10 + j  # the visit order, row major
            visits[0] += 1
            if i == 1 and j == 2:
                break  # leaves the whole ndrange, as in Quadrants


def test_ndrange_inside_a_task_is_one_serial_loop_in_row_major_order():
    g, visits = np.full((3, 4), -1, np.int32), np.zeros(1, np.int32)
    serial_ndrange_in_a_task(g, visits)
    assert g.tolist() == [[-1, 1, 102, 203], [-1, 311, 412, -1], [-1, -1, -1, -1]]
    assert visits[0] == 5


BLOCK = (2, 3)


@qd.func
def weighted(a, b, c):
    return a + b * 10 + c * 100


@qd.kernel
def starred_shapes(src: qd.types.ndarray(qd.f32, 2), dst: qd.types.ndarray(qd.i32, 2)):
    for i, j in qd.ndrange(*src.shape):  # the top-level (parallel) loop
        dst[i, j] = weighted(*(i, j), qd.max(*BLOCK))
    for t in range(1):
        for i, j in qd.ndrange(*dst.shape):  # a serial loop inside a task
            dst[i, j] += weighted(*qd.Vector([0, 0, 1]))
    for k in range(*BLOCK):
        dst[0, 0] += k * 1000
    padded = (*src.shape, 9)
    dst[1, 0] = padded[0] + padded[1] * 10 + padded[2] * 100


@qd.kernel(graph=True)
def tuple_across_tasks(src: qd.types.ndarray(qd.f32, 2), out: qd.types.ndarray(qd.i32, 1)):
    sizes = (src.shape[1], src.shape[0], 7)  # a top-level tuple of run-time values
    for i in range(out.shape[0]):  # a task of its own (its own GPU kernel) reads it
        out[i] = sizes[0] * 100 + sizes[1] * 10 + sizes[2]


def test_a_top_level_tuple_reaches_later_tasks():
    # its run-time items live in cells, as top-level scalars do: tasks share no SSA values
    out = np.zeros(2, np.int32)
    tuple_across_tasks(np.zeros((4, 5), np.float32), out)
    assert out.tolist() == [547, 547]


def test_starred_arguments_unpack_shapes_tuples_and_vectors():
    # the length of `*seq` is known at compile time; its items may be run-time values
    dst = np.zeros((2, 3), np.int32)
    starred_shapes(np.zeros((2, 3), np.float32), dst)
    expected = [[i + j * 10 + 300 + 100 for j in range(3)] for i in range(2)]
    expected[0][0] += 2000
    expected[1][0] = 2 + 30 + 900
    assert dst.tolist() == expected


def test_unpacking_a_run_time_number_is_a_located_type_error():
    # defined here, not at module level: the acceptance tests compile every module kernel
    @qd.kernel
    def unpacks_a_number(n: qd.i32):
        for i in qd.ndrange(*n):
            pass

    with pytest.raises(qd.QuadrantsTypeError, match=r"`\*n` unpacks a run-time i32") as caught:
        unpacks_a_number(3)
    assert "test_kernel_language.py:" in str(caught.value)


@qd.kernel
def grouped_over_an_array(g: qd.types.ndarray(qd.i32, 2)):
    for I in qd.grouped(g):  # noqa: E741 - Quadrants' own spelling of a grouped index
        g[I] = I[0] * 10 + I[1]


def test_grouped_over_an_ndarray_visits_every_index():
    g = np.zeros((2, 3), np.int32)
    grouped_over_an_array(g)
    assert g.tolist() == [[0, 1, 2], [10, 11, 12]]


@qd.kernel
def struct_for(g: qd.types.ndarray(qd.i32, 2), v: qd.types.NDArray, order: I32_1D):
    for i, j in g:  # Quadrants' struct-for: every index of the array
        g[i, j] = i * 10 + j
    for i in v:  # any dtype and ndim: `qd.types.NDArray` alone leaves both open
        v[i] = v[i] * 2
    for _ in range(1):
        for i in order:  # inside a task: one serial loop, in order
            order[i] = order[(i + order.shape[0] - 1) % order.shape[0]] + 1


def test_struct_for_over_an_ndarray_at_the_top_level_and_inside_a_task():
    g, v, order = np.zeros((2, 3), np.int32), np.arange(3, dtype=np.float64), np.zeros(4, np.int32)
    struct_for(g, v, order)
    assert g.tolist() == [[0, 1, 2], [10, 11, 12]] and v.tolist() == [0.0, 2.0, 4.0]
    assert order.tolist() == [1, 2, 3, 4]


@qd.kernel
def clamped(x: qd.types.ndarray(qd.f32, ndim=1, boundary="clamp"), out: F32_1D):
    for i in range(out.shape[0]):
        out[i] = x[i + 2] + x[i - 5]


def test_boundary_clamp_clamps_every_index_into_the_array():
    out = np.zeros(4, np.float32)
    clamped(np.arange(4, dtype=np.float32), out)
    assert out.tolist() == [2.0, 3.0, 3.0, 3.0]  # x[i - 5] is always x[0] == 0
    with pytest.raises(ValueError, match="boundary must be one of"):
        qd.types.ndarray(qd.f32, 1, boundary="wrap")


@qd.real_func
def doubled(x: I32_1D, i: qd.i32):
    x[i] = x[i] * 2


@qd.kernel
def calls_a_real_func(x: I32_1D):
    for i in range(x.shape[0]):
        doubled(x, i)


def test_real_func_is_inlined_like_a_func():
    x = np.arange(4, dtype=np.int32)
    calls_a_real_func(x)
    assert x.tolist() == [0, 2, 4, 6]


# -- print() -----------------------------------------------------------------------------------


@qd.func
def report(v: qd.f32):
    print("func sees", v, v > 1.0)


@qd.kernel(graph=True, checkpoints=True)
def noisy(x: F32_1D, n: I32_1D, flag: qd.types.ndarray(qd.i32, 0)):
    print("start", n[0], 2.5, True, sep=",")  # a serial statement
    for _ in range(1):
        report(x[1])
        print(qd.cast(n[0], qd.u32), qd.cast(x[0], qd.f64), end="|\n")
    with qd.checkpoint(1, yield_on=flag):
        for i in range(x.shape[0]):
            if i == 2:
                print("task", i)
                flag[()] = 1


def test_print_in_kernels_writes_like_quadrants_after_the_launch(capsys):
    x, n = np.array([0.1, 3.0, 0, 0], np.float32), np.array([-7], np.int32)
    flag = np.zeros((), np.int32)
    assert noisy(x, n, flag) == qd.GraphStatus(True, 1)
    assert capsys.readouterr().out == (
        "start,-7,2.500000,1\n"
        "func sees 3.000000 1\n"
        "4294967289 0.100000001490|\n"  # f64 prints 12 decimals
        "task 2\n"
    )
    flag[()] = 0
    noisy.resume(x, n, flag, from_checkpoint=1)
    # a resume skips the task before the checkpoint; serial statements run on every launch
    assert capsys.readouterr().out == "start,-7,2.500000,1\ntask 2\n"


@qd.kernel
def every_iteration(x: I32_1D):
    for i in range(x.shape[0]):
        print(i, x[i])


def test_prints_from_parallel_iterations_are_whole_lines_and_overflow_is_reported(capsys):
    from qdmlir.runtime.print_records import PRINT_WORDS

    every_iteration(np.arange(1000, dtype=np.int32) * 2)
    lines = capsys.readouterr().out.splitlines()
    assert sorted(lines, key=lambda line: int(line.split()[0])) == [
        f"{i} {2 * i}" for i in range(1000)
    ]
    too_many = PRINT_WORDS // 3 + 10  # 3 words a record: the last ones cannot fit
    every_iteration(np.zeros(too_many, np.int32))
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        f"[qdmlir] {too_many - (PRINT_WORDS - 2) // 3} more print(s) in this "
        f"launch did not fit the {PRINT_WORDS}-word print buffer and were dropped"
    )
    assert len(out) - 1 == (PRINT_WORDS - 2) // 3


# -- qd.template() ------------------------------------------------------------------------------


class Blend(enum.IntEnum):
    ADD = 0
    SCALE = 1


@qd.kernel
def blend(x: qd.types.ndarray(), k: qd.template(), mode: qd.template(), passes: I32_1D):
    for i in range(x.shape[0]):
        if qd.static(mode == Blend.ADD):
            x[i] += k
        else:
            x[i] *= k
    for _ in qd.static(range(k)):  # a compile-time number: loops unroll over it
        for _ in range(1):
            passes[0] += 1


def test_template_numbers_are_compile_time_constants_one_compile_per_value():
    x, passes = np.ones(4, np.float32), np.zeros(1, np.int32)
    blend(x, 3, Blend.ADD, passes)
    blend(x, 2, Blend.SCALE, passes)
    np.testing.assert_array_equal(x, np.full(4, 8, np.float32))
    assert passes[0] == 5
    assert len(blend._specializations) == 2
    blend(x, 2, Blend.SCALE, passes)  # a value seen before reuses its build
    assert len(blend._specializations) == 2 and x[0] == 16
    with pytest.raises(
        TypeError,
        match=r"argument 1 \('k'\): a qd.template\(\) argument must be "
        "a number, a bool, an IntEnum member",
    ):
        blend(x, "3", Blend.ADD, passes)


@pytest.mark.parametrize("make", [lambda: np.ones(3, np.int32), lambda: qd.ndarray(qd.i32, 3)])
def test_an_ndarray_is_not_a_template_argument(make):
    # as in Quadrants: an array's contents are not compile-time values; annotate it instead
    with pytest.raises(
        qd.QuadrantsRuntimeTypeError,
        match=r"argument 1 \('k'\): Ndarray shouldn't be passed in via `qd.template\(\)`; "
        r"annotate the parameter with qd.types.ndarray\(\)",
    ):
        blend(np.ones(4, np.float32), make(), Blend.ADD, np.zeros(1, np.int32))


# -- qd.loop_config, qd.static_assert, qd.static_print -----------------------------------------


@qd.kernel
def prefix_sum(x: I32_1D):
    qd.loop_config(serialize=True)
    for i in range(1, x.shape[0]):
        x[i] += x[i - 1]


@qd.kernel
def sum_until_ten() -> qd.i32:
    total = 0
    qd.loop_config(serialize=True)
    for i in range(100):  # serial, so `break` ends the task
        total += i
        if i == 10:
            break
    return total


@qd.kernel
def serial_grid(g: qd.types.ndarray(qd.i32, 2)):
    qd.loop_config(parallelize=1)
    for i, j in qd.ndrange(g.shape[0], g.shape[1]):
        if i > 0 or j > 0:
            g[i, j] = g[(i * g.shape[1] + j - 1) // g.shape[1], (j - 1) % g.shape[1]] + 1


@qd.kernel
def visit_order_3d(g: qd.types.ndarray(qd.i32, 3), counter: qd.types.ndarray(qd.i32, 0)):
    qd.loop_config(serialize=True)
    for i, j, k in qd.ndrange(g.shape[0], (1, g.shape[1]), (-1, g.shape[2] - 1)):
        g[i, j, k + 1] = counter[()]
        counter[()] += 1


def test_serialized_loops_run_in_order():
    x = np.ones(50_000, np.int32)  # large enough to be parallel without the directive
    prefix_sum(x)
    np.testing.assert_array_equal(x, np.arange(1, 50_001))
    assert sum_until_ten() == 55
    g = np.zeros((3, 4), np.int32)
    serial_grid(g)
    assert g.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    g3, counter = np.full((2, 3, 4), -1, np.int32), np.zeros((), np.int32)
    visit_order_3d(g3, counter)
    np.testing.assert_array_equal(g3[:, 1:, :], np.arange(16).reshape(2, 2, 4))
    assert (g3[:, 0, :] == -1).all() and counter[()] == 16


@qd.kernel(graph=True, checkpoints=True)
def scan_then_yield(x: I32_1D, flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):
        qd.loop_config(serialize=True)
        for i in range(1, x.shape[0]):
            x[i] += x[i - 1]
            if x[i] >= 4:
                flag[()] = 1
                break
    for i in range(x.shape[0]):
        x[i] *= 10


def test_a_serialized_loop_inside_a_checkpoint_yields_after_it():
    x, flag = np.ones(6, np.int32), np.zeros((), np.int32)
    assert scan_then_yield(x, flag) == qd.GraphStatus(True, 1)
    assert x.tolist() == [1, 2, 3, 4, 1, 1]


@qd.kernel
def with_hints(x: I32_1D):
    qd.loop_config(block_dim=128, parallelize=4, name="fill")
    for i in range(x.shape[0]):
        qd.loop_config(serialize=True)  # inside a task: loops are serial already
        for j in range(2):
            x[i] += i + j


def test_scheduling_hints_are_accepted_and_change_nothing():
    x = np.zeros(1000, np.int32)
    with_hints(x)
    np.testing.assert_array_equal(x, 2 * np.arange(1000) + 1)


SIZE = 6


@qd.kernel
def checked_size(x: I32_1D):
    qd.static_assert(SIZE % 2 == 0, "SIZE must be even")
    qd.static_print("compiling checked_size, SIZE =", SIZE, "x is", x)
    for i in range(x.shape[0]):
        x[i] = SIZE


def test_static_assert_and_static_print_run_at_compile_time(capsys, monkeypatch, tmp_path):
    from qdmlir.runtime.cache import ArtifactCache

    # compile here, whatever the disk cache holds, so that static_print prints
    monkeypatch.setattr("qdmlir.runtime.cache._DEFAULT", ArtifactCache(tmp_path, enabled=False))
    x = np.zeros(2, np.int32)
    checked_size(x)
    assert x.tolist() == [6, 6]
    assert "compiling checked_size, SIZE = 6 x is <ndarray i32, ndim 1>" in capsys.readouterr().out
    # a failing one: test_bad_input.py (kernels_with_bad_input.static_assert_that_fails)


@qd.kernel
def big_elementwise(x: F32_1D, y: F32_1D):
    for i in range(x.shape[0]):
        y[i] = x[i] * 2.0 + 1.0


def test_large_tasks_compute_every_element():
    x = np.arange(3_000_000, dtype=np.float32)
    y = np.zeros_like(x)
    big_elementwise(x, y)
    np.testing.assert_array_equal(y, x * 2 + 1)


# -- qd.func, qd.static, globals ---------------------------------------------------------------

SCALE = 3


class Mode(enum.IntEnum):
    DOUBLE = 2


@qd.func
def square(v):
    return v * v


@qd.func
def sign(v: qd.f32) -> qd.f32:
    if v < 0.0:
        return -1.0
    elif v == 0.0:
        return 0.0
    return 1.0


@qd.func
def first_over(a, limit: qd.f32) -> qd.i32:
    for k in range(a.shape[0]):
        if a[k] > limit:
            return k
    return -1


@qd.func
def add_into(a, i, v):
    a[i] += v


@qd.kernel
def funcs(x: F32_1D, out: F32_1D, where: I32_1D):
    for i in range(x.shape[0]):
        out[i] = square(x[i]) * sign(x[i]) + SCALE * Mode.DOUBLE
        add_into(out, i, 0.5)
    for _ in range(1):
        where[0] = first_over(x, 2.5)
        where[1] = first_over(x, 100.0)


def test_qd_func_inlining_with_early_returns_and_globals():
    x = np.array([-2.0, 0.0, 3.0, 1.0], np.float32)
    out, where = np.zeros(4, np.float32), np.zeros(2, np.int32)
    funcs(x, out, where)
    expected = [v * v * (0.0 if v == 0 else math.copysign(1.0, v)) + 6 + 0.5 for v in x.tolist()]
    np.testing.assert_allclose(out, expected)
    assert list(where) == [2, -1]


@qd.kernel
def statics(x: F32_1D):
    for i in range(x.shape[0]):
        acc = 0.0
        for k in qd.static(range(4)):
            if qd.static(k % 2 == 0):
                acc += x[i] * k
        x[i] = acc


def test_static_loops_and_branches_unroll_at_compile_time():
    x = np.array([1.0, 2.0], np.float32)
    statics(x)
    assert list(x) == [2.0, 4.0]  # k = 0 and 2


@qd.kernel
def top_level_variables(x: I32_1D, n: qd.i32, out: qd.types.ndarray(qd.i32, 0)):
    total = 0
    m = n * 2
    for i in range(m):
        total += x[i]
    out[()] = total + m


def test_top_level_variables_are_shared_by_the_tasks_after_them():
    x = np.arange(10, dtype=np.int32)
    out = np.zeros((), np.int32)
    top_level_variables(x, 3, out)
    assert int(out) == sum(range(6)) + 6


@qd.kernel
def zero_d(s: qd.types.ndarray(qd.f32, 0), v: F32_1D):
    for i in range(v.shape[0]):
        v[i] = s[()] + s[None] + v.shape[0]


def test_zero_d_arrays_and_shapes():
    s = qd.ndarray(qd.f32, ())
    s[()] = 1.5
    v = qd.ndarray(qd.f32, (3,))
    zero_d(s, v)
    assert list(v.to_numpy()) == [6.0, 6.0, 6.0]


@qd.kernel
def unsigned(x: qd.types.ndarray(qd.u8, 1), y: qd.types.ndarray(qd.u32, 1)):
    for i in range(x.shape[0]):
        x[i] = x[i] + x[i]  # promoted to i32, stored back (wraps in u8)
        y[i] = y[i] // 3 + (y[i] > qd.u32(4000000000))  # a bare 4000000000 exceeds i32


def test_unsigned_types():
    x = np.array([200, 5], np.uint8)
    y = np.array([4294967295, 7], np.uint32)
    unsigned(x, y)
    assert list(x) == [144, 10]
    assert list(y) == [4294967295 // 3 + 1, 2]


@qd.kernel
def scalars(a: qd.f64, n: qd.i64, flag: qd.u8, out: qd.types.ndarray(qd.f64, 1)):
    for i in range(out.shape[0]):
        out[i] = a * i + n + flag


def test_scalar_parameters_of_every_type():
    out = np.zeros(3, np.float64)
    scalars(0.5, 2**40, 255, out)
    assert list(out) == [2**40 + 255 + 0.5 * i for i in range(3)]


def test_kernels_accept_keyword_arguments():
    out = np.zeros(2, np.float64)
    scalars(a=1.0, n=1, flag=1, out=out)
    assert list(out) == [2.0, 3.0]


@qd.kernel
def unannotated(x: qd.types.ndarray(), out: qd.types.ndarray()):
    for i in range(x.shape[0]):
        out[i] = x[i] * 2


def test_ndarray_annotations_without_dtype_specialise_per_call():
    a = np.arange(3, dtype=np.float64)
    b = np.zeros(3, np.float64)
    unannotated(a, b)
    assert list(b) == [0.0, 2.0, 4.0]
    c = np.arange(3, dtype=np.int32)
    d = np.zeros(3, np.int32)
    unannotated(c, d)
    assert list(d) == [0, 2, 4]


@qd.kernel
def more_math(
    x: qd.types.ndarray(qd.f64, 1), out: qd.types.ndarray(qd.f64, 2), n: I32_1D, r: I32_1D
):
    for i in range(x.shape[0]):
        v = x[i]
        out[i, 0] = qd.math.degrees(v) + qd.math.radians(v)
        out[i, 1] = qd.math.fract(v) + qd.math.log2(qd.abs(v) + 1.0)
        out[i, 2] = qd.math.sign(v) + qd.math.mod(v, 2.5)
        out[i, 3] = qd.math.mix(v, 10.0, 0.25) + qd.math.step(0.5, v)
        out[i, 4] = (
            qd.math.smoothstep(-1.0, 1.0, v) + qd.math.isnan(v) * 100 + qd.math.isinf(v) * 1000
        )
        r[i] = qd.raw_div(n[i], 3) * 10 + qd.raw_mod(n[i], 3)


def test_qd_math_compositions_and_c_style_division():
    x = np.array([-2.75, 0.3, 1.5], np.float64)
    out = np.zeros((3, 5), np.float64)
    n = np.array([-7, 7, 0], np.int32)
    r = np.zeros(3, np.int32)
    more_math(x, out, n, r)
    for row, v in zip(out, x.tolist()):
        expected = [
            qd.math.degrees(v) + qd.math.radians(v),
            qd.math.fract(v) + math.log2(abs(v) + 1.0),
            qd.math.sign(v) + qd.math.mod(v, 2.5),
            qd.math.mix(v, 10.0, 0.25) + qd.math.step(0.5, v),
            qd.math.smoothstep(-1.0, 1.0, v),
        ]
        np.testing.assert_allclose(row, expected, rtol=1e-12)
    assert list(r) == [-2 * 10 - 1, 2 * 10 + 1, 0]


def test_atomic_mul_is_refused_with_a_fix():
    @qd.kernel
    def atomic_product(x: F32_1D, p: qd.types.ndarray(qd.f32, 0)):
        for i in range(x.shape[0]):
            qd.atomic_mul(p[()], x[i])

    with pytest.raises(qd.QuadrantsSyntaxError, match="qd.atomic_mul.. is not supported"):
        atomic_product(np.ones(4, np.float32), np.ones((), np.float32))


def test_init_on_a_missing_gpu_falls_back_to_the_cpu_with_a_warning(monkeypatch):
    from qdmlir.frontend import config
    from qdmlir.runtime.cuda_driver import device_count

    if device_count():
        pytest.skip("this machine has a CUDA device, so there is nothing to fall back from")

    try:
        with pytest.warns(RuntimeWarning, match="no usable CUDA device.*falling back to qd.cpu"):
            qd.init(arch=qd.cuda)
        assert config.current().arch is qd.cpu
        monkeypatch.setenv("QD_STRICT_ARCH", "1")
        with pytest.raises(RuntimeError, match="no usable CUDA device"):
            qd.init(arch=qd.cuda)
    finally:
        qd.init(arch=qd.cpu)


@qd.kernel
def total(x: F32_1D) -> qd.f32:
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
    return s


@qd.kernel
def tripled(n: qd.i32) -> qd.i64:
    return n * 3


def test_plain_kernels_return_their_annotated_value():
    x = np.arange(1000, dtype=np.float32)
    assert total(x) == float(x.sum())
    assert tripled(7) == 21 and type(tripled(7)) is int


def test_a_return_that_is_not_last_or_lacks_a_type_is_refused():
    @qd.kernel
    def early(x: F32_1D) -> qd.f32:
        return x[0]
        for i in range(x.shape[0]):  # noqa: B007 - unreachable on purpose
            x[i] = 0.0

    @qd.kernel
    def untyped(x: F32_1D):
        for i in range(x.shape[0]):
            x[i] = 0.0
        return 1

    with pytest.raises(qd.QuadrantsSyntaxError, match="must be its last statement"):
        early(np.zeros(2, np.float32))
    with pytest.raises(qd.QuadrantsSyntaxError, match="has no return type") as caught:
        untyped(np.zeros(2, np.float32))
    assert "-> qd.f32" in caught.value.fix


@qd.kernel
def divide_everything(a: I32_1D, b: I32_1D, q: I32_1D, r: I32_1D, c: I32_1D):
    for i in range(a.shape[0]):
        q[i] = a[i] // b[i]
        r[i] = a[i] % b[i]
        c[i] = qd.raw_div(a[i], b[i]) + qd.raw_mod(a[i], b[i]) + a[i] // 4


def test_integer_division_never_traps():
    # x86's idiv raises SIGFPE on a zero divisor and on INT_MIN // -1; kernels give 0 / wrap
    low = np.iinfo(np.int32).min
    a = np.array([7, 7, low, low, -9], np.int32)
    b = np.array([0, 2, -1, 0, 4], np.int32)
    q, r, c = np.zeros(5, np.int32), np.zeros(5, np.int32), np.zeros(5, np.int32)
    divide_everything(a, b, q, r, c)
    assert list(q) == [0, 3, low, 0, -3]
    assert list(r) == [0, 1, 0, 0, 3]
    wrapped = np.array(
        [0 + 0 + 1, 3 + 1 + 1, low + 0 + low // 4, 0 + 0 + low // 4, -2 - 1 - 3], np.int64
    ).astype(np.int32)  # the sums wrap in i32
    assert list(c) == list(wrapped)


# -- return: where kernels and qd.funcs may have it ------------------------------------------


@qd.kernel
def ends_with_a_bare_return(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        x[i] = 1
    return


def test_a_bare_return_may_end_a_kernel_without_a_return_type():
    x = np.zeros(2, np.int32)
    ends_with_a_bare_return(x)
    assert x.tolist() == [1, 1]


def test_return_mistakes_say_what_quadrants_says():
    # defined here, not at module level: the acceptance tests compile every module kernel
    @qd.kernel
    def no_return() -> qd.i32:
        pass

    @qd.func
    def nothing_returned() -> qd.i32:
        pass

    @qd.kernel
    def calls_it() -> qd.i32:
        return nothing_returned()

    @qd.kernel
    def returns_in_a_loop() -> qd.i32:
        for i in range(10):
            return i

    cases = [
        (no_return, "Kernel has a return type but does not have a return statement"),
        (calls_it, "Function has a return type but does not have a return statement"),
        (returns_in_a_loop, "Return inside non-static if/for is not supported"),
    ]
    for kernel, phrase in cases:
        with pytest.raises(qd.QuadrantsSyntaxError, match=phrase) as caught:
            kernel()
        assert "test_kernel_language.py:" in str(caught.value)
