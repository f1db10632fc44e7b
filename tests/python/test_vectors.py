"""Vectors and matrices in kernels (docs/kernel-language.md "Vectors and matrices"): values,
operators, methods, indexing, control flow, parameters, returns and qd.func calls.

Expected values were computed by hand or with numpy; the behaviours follow Quadrants 1.3.3.
"""

import operator

import numpy as np
import pytest

import qdmlir as qd

vec3 = qd.math.vec3


@pytest.fixture(autouse=True)
def cpu():
    qd.init(arch=qd.cpu)
    yield
    qd.reset()


@qd.kernel
def literals() -> qd.types.vector(8, qd.f32):
    a = qd.Vector([1, 2.5])  # an int and a float: f32 entries
    b = qd.Vector([1.5, 2.5, -3.5], qd.i32)  # dt truncates towards zero
    c = qd.math.vec4(qd.Vector([1.0, 2.0, 3.0]), 4.0)  # GLSL-style: a vector and a scalar
    d = qd.math.vec2(7)  # one scalar fills every entry
    return qd.Vector([a[1], b[0], b[2], c.w, d.y, len(c), qd.Matrix([[1, 2], [3, 4]]).n, a.m])


def test_literals_infer_and_convert_their_entries():
    assert literals().to_list() == [2.5, 1.0, -3.0, 4.0, 7.0, 4.0, 2.0, 1.0]


@qd.kernel
def operators(x: qd.f32) -> qd.types.matrix(4, 3, qd.f32):
    v = qd.Vector([1.0, 2.0, 4.0])
    w = qd.Vector([7, 8, 9])  # i32
    return qd.Matrix.rows(
        [v * x + 1, 1 / v, w // 2 + w % 4, (w > 7) + (v == 2.0) - (-v)]  # bools count as ints
    )


def test_operators_work_per_entry_and_broadcast_scalars():
    got = operators(2.0).to_numpy()
    assert got.tolist() == [
        [3.0, 5.0, 9.0],
        [1.0, 0.5, 0.25],
        [6.0, 4.0, 5.0],
        [1.0, 4.0, 5.0],
    ]


@qd.kernel
def products() -> qd.types.vector(11, qd.f32):
    m = qd.Matrix([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [4.0, 0.0, 1.0]])
    v = qd.Vector([1.0, 2.0, 3.0])
    mv = m @ v  # [5, 11, 7]
    vm = v @ m  # m^T v: [13, 4, 9]
    mm = m @ m  # row 0: [1, 4, 6]
    return qd.Vector([mv[0], mv[1], mv[2], vm[0], vm[1], vm[2], v @ v, mm[0, 1], mm[0, 2],
                      m.transpose()[0, 2], (m @ qd.math.mat3(1))[2, 1]])  # fmt: skip


def test_at_is_quadrants_matrix_product():
    assert products().to_list() == [5, 11, 7, 13, 4, 9, 14, 4, 6, 4, 5]


@qd.kernel
def methods() -> qd.types.vector(16, qd.f32):
    a = qd.Vector([3.0, 4.0, 0.0])
    b = qd.Vector([0.0, 1.0, 2.0])
    m = qd.Matrix([[2.0, 1.0], [1.0, 3.0]])
    c = a.cross(b)  # [8, -6, 3]
    n = a.normalized()
    i = m.inverse()  # [[0.6, -0.2], [-0.2, 0.4]]
    s = qd.Matrix([[1.0, 2.0, 3.0], [0.0, 1.0, 4.0], [5.0, 6.0, 0.0]])
    return qd.Vector([a.dot(b), c[0], c[1], c[2], a.norm(), a.norm_sqr(), a.norm_inv(), n[0],
                      m.determinant(), m.trace(), i[0, 0], i[0, 1], s.determinant(),
                      a.outer_product(b)[1, 2], qd.Vector([1.0, 2.0]).cross(qd.Vector([3.0, 4.0])),
                      a.sum() + a.max() * 10 + a.min() * 100])  # fmt: skip


def test_methods_compute_the_closed_forms():
    got = methods().to_numpy()
    want = [4, 8, -6, 3, 5, 25, 0.2, 0.6, 5, 5, 0.6, -0.2, 1, 8, -2, 7 + 40]
    np.testing.assert_allclose(got, want, rtol=1e-6)


@qd.kernel
def inverse3(m: qd.types.matrix(3, 3, qd.f64)) -> qd.types.matrix(3, 3, qd.f64):
    return m.inverse()


def test_inverse_of_a_3x3_parameter_matches_numpy():
    m = np.array([[4.0, 7.0, 2.0], [3.0, 6.0, 1.0], [2.0, 5.0, 3.0]])
    np.testing.assert_allclose(inverse3(qd.Matrix(m)).to_numpy(), np.linalg.inv(m), rtol=1e-12)


@qd.kernel
def swizzles() -> qd.types.vector(6, qd.i32):
    v = qd.Vector([1, 2, 3])
    v.x = 10
    v.yz = qd.Vector([20, 30])
    w = v.zyx
    c = qd.Vector([5, 6, 7, 8])
    return qd.Vector([v.x, w[0], w[2], c.a, c.rg.y, c.stp.z])


def test_swizzles_read_and_write_components():
    assert swizzles().to_list() == [10, 30, 10, 8, 6, 7]


@qd.kernel
def dynamic_indices(i: qd.i32, j: qd.i32) -> qd.types.vector(3, qd.i32):
    tmp = qd.Vector([1, 2, 3])
    for r in range(3):
        vec = qd.Vector([4, 5, 6])
        for k in range(3):
            vec[tmp[r] % 3] += vec[k]
        tmp[r] = vec[tmp[r] % 3]
    m = qd.Matrix([[1, 2], [3, 4]])
    m[i, j] = 40
    tmp[0] += m[j, i]
    return tmp


def test_run_time_indices_read_and_write_entries():
    # Quadrants' reference result for the loop, plus the matrix entry written at (1, 0)
    assert dynamic_indices(1, 0).to_list() == [24 + 2, 30, 19]


@qd.kernel
def copies() -> qd.types.vector(4, qd.i32):
    a = qd.Vector([1, 2, 3])
    b = a  # a value, not a reference: b's writes leave a alone
    b[0] = 5
    b.z = 7
    return qd.Vector([a[0], a[2], b[0], b[2]])


def test_assigning_a_vector_copies_it():
    assert copies().to_list() == [1, 3, 5, 7]


@qd.kernel
def control_flow(n: qd.i32, out: qd.types.ndarray(vec3, 0)):
    for _ in range(1):  # one serial iteration: break and while inside it
        acc = qd.math.vec3(0.0)
        for i in range(n):
            if i % 2 == 0:
                acc += qd.math.vec3(1.0, 0.0, 0.0)
            else:
                acc.y += 1.0
            if acc.x >= 3.0:
                break
        k = 0
        while k < 2:
            acc.z += acc.x
            k += 1
        for c in qd.static(range(3)):  # unrolled over the components
            acc[c] = acc[c] * (c + 1)
        out[()] = acc


def test_control_flow_carries_vectors():
    out = qd.ndarray(vec3, ())
    control_flow(100, out)
    assert out[()].to_list() == [3.0, 4.0, 18.0]
    control_flow(3, out)
    assert out[()].to_list() == [2.0, 2.0, 12.0]


@qd.kernel
def advance(x: qd.types.ndarray(dtype=vec3, ndim=1), v: qd.types.ndarray(dtype=vec3, ndim=1)):
    for i in range(x.shape[0]):
        x[i] += 0.5 * v[i]
        x[i].z = x[i][0] + x[i].y


def test_vec3_ndarrays_read_and_write_whole_elements_and_entries():
    x = qd.Vector.ndarray(3, qd.f32, shape=(4,))
    v = qd.ndarray(vec3, shape=(4,))
    v.from_numpy(np.arange(12, dtype=np.float32).reshape(4, 3))
    advance(x, v)
    want = 0.5 * np.arange(12).reshape(4, 3)
    want[:, 2] = want[:, 0] + want[:, 1]
    np.testing.assert_array_equal(x.to_numpy(), want)
    # numpy (n, 3) arrays pass zero-copy: the kernel writes into them
    xs = np.zeros((5, 3), np.float32)
    advance(xs, np.ones((5, 3), np.float32))
    np.testing.assert_array_equal(xs, [[0.5, 0.5, 1.0]] * 5)


@qd.kernel
def matrices_in_memory(a: qd.types.ndarray(dtype=qd.math.mat2), b: qd.types.ndarray(qd.i32, 1)):
    for i in range(a.shape[0]):
        for j, k in qd.ndrange(2, 2):  # run-time entry indices into memory
            a[i][j, k] = j * 10 + k + i
    for i in range(b.shape[0]):
        b[i] = 0
    for i in range(3):
        qd.atomic_add(b[1], 1)  # a scalar array beside a matrix one


def test_matrix_ndarray_entries_by_run_time_indices():
    a = np.zeros((3, 2, 2), np.float32)
    matrices_in_memory(a, np.zeros(2, np.int32))
    assert a[2].tolist() == [[2, 3], [12, 13]]


@qd.kernel
def accumulate(dst: qd.types.ndarray(qd.math.ivec2, 1), n: qd.i32):
    for i in range(n):
        dst[i % 2] += qd.Vector([1, i])  # iterations share elements: atomic per entry
    for i in range(n):
        old = qd.atomic_add(dst[2], 2)
        dst[3 + old[0] // 2 % 1] = old * 0  # uses the returned old vector


def test_updates_of_shared_vector_elements_are_atomic():
    dst = np.zeros((4, 2), np.int32)
    accumulate(dst, 1000)
    assert dst[0].tolist() == [500, sum(range(0, 1000, 2))]
    assert dst[1].tolist() == [500, sum(range(1, 1000, 2))]
    assert dst[2].tolist() == [2000, 2000]


@qd.kernel
def stores(a: qd.types.ndarray(qd.types.matrix(2, 2, qd.i32), 1)):
    for i in range(1):
        a[0] = [[1, 2], [3, 4]]
        a[1] = 42  # a scalar fills the element
        a[2] = a[0] @ a[0]


def test_element_stores_take_lists_scalars_and_values():
    a = qd.Matrix.ndarray(2, 2, qd.i32, 3)
    stores(a)
    assert a.to_numpy().tolist() == [[[1, 2], [3, 4]], [[42, 42], [42, 42]], [[7, 10], [15, 22]]]


@qd.kernel
def parameters(
    v: qd.types.vector(3, qd.i32), m: qd.types.matrix(2, 3, qd.f64), c: qd.types.vector(4, qd.u8)
) -> qd.types.vector(3, qd.f64):
    return qd.Vector([v[0] + v[2], m[1, 2], c[3]], qd.f64)


def test_vector_and_matrix_parameters_and_returns():
    got = parameters(
        qd.Vector([1, 2, 3]), [[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]], np.array([1, 2, 3, 250])
    )
    assert isinstance(got, qd.Vector)
    assert got.to_list() == [4.0, 5.5, 250.0]


@qd.func
def scaled(w: qd.math.vec3, k) -> qd.math.vec3:
    if k < 0:
        return -w  # an early return of a vector
    return w * k


@qd.func
def length_of(w: qd.types.vector(2, float)):
    return w.norm()


@qd.kernel
def funcs(k: qd.f32) -> qd.f32:
    return scaled(qd.Vector([1, 2, 2]), k).sum() + length_of(qd.Vector([3, 4]))


def test_qd_funcs_take_and_return_vectors():
    assert funcs(2.0) == 15.0
    assert funcs(-1.0) == 0.0


@qd.kernel
def top_level(x: qd.types.ndarray(qd.f32, 2)):
    offset = qd.Vector([10.0, 20.0])  # a top-level variable: every task reads it
    offset.y += 1.0
    for I in qd.grouped(x):  # noqa: E741 - Quadrants' spelling: I is a vector of indices
        x[I] = (I + offset).sum() + I[1] * 0
    for i, j in x:  # a struct-for over the ndarray's indices
        x[i, j] += 0.5


def test_top_level_vectors_and_grouped_indices():
    x = np.zeros((2, 3), np.float32)
    top_level(x)
    assert x.tolist() == [[31.5, 32.5, 33.5], [32.5, 33.5, 34.5]]


@qd.kernel
def maths() -> qd.types.vector(12, qd.f32):
    v = qd.Vector([3.0, 4.0])
    r = qd.math.rotation2d(qd.math.radians(90.0)) @ qd.Vector([1.0, 0.0])
    t = qd.math.translate(1.0, 2.0, 3.0) @ qd.math.vec4(0.0, 0.0, 0.0, 1.0)
    refl = qd.math.reflect(qd.Vector([1.0, -1.0]), qd.Vector([0.0, 1.0]))
    s = qd.sqrt(qd.Vector([4.0, 9.0]))
    c = qd.math.clamp(qd.Vector([-1.0, 2.0]), 0.0, 1.0)
    pick = qd.select(qd.Vector([1, 0]), qd.Vector([5.0, 5.0]), qd.Vector([6.0, 6.0]))
    return qd.Vector([qd.math.normalize(v)[1], r[1], t[2], refl[1], s[1], c[0], c[1], pick[1],
                      qd.max(v, 3.5)[0], qd.math.length(v), qd.math.vdir(0.0).x,
                      qd.math.isinf(qd.Vector([qd.math.inf, 0.0])).sum()])  # fmt: skip


def test_qd_math_functions_on_vectors():
    got = maths().to_numpy()
    want = [0.8, 1.0, 3.0, 1.0, 3.0, 0.0, 1.0, 6.0, 3.5, 5.0, 1.0, 1.0]
    np.testing.assert_allclose(got, want, atol=1e-6)


@qd.kernel
def printing(t: qd.i32):
    m = qd.Matrix([[2, 3], [4, t]])
    print(m @ qd.Vector([2, 3]), m, qd.Vector([1.5, 2.0]) > 1.6)


def test_print_shows_vectors_and_matrices_as_quadrants_does(capfd):
    printing(5)
    assert capfd.readouterr().out == "[13, 23] [[2, 3], [4, 5]] [0, 1]\n"


@qd.kernel(graph=True, checkpoints=True)
def checkpointed(
    x: qd.types.ndarray(vec3, 1),
    flag: qd.types.ndarray(qd.i32, 0),
    steps: qd.types.ndarray(qd.i32, 0),
):
    while qd.graph.do_while(steps):
        with qd.checkpoint(1, yield_on=flag):
            for i in range(x.shape[0]):
                x[i] += qd.math.vec3(1.0, 2.0, 3.0)
                if x[i].x == 2.0:
                    flag[()] = 1
        steps[()] -= 1


def test_checkpoints_and_do_while_over_vector_data():
    x = np.zeros((3, 3), np.float32)
    flag, steps = np.zeros((), np.int32), np.full((), 4, np.int32)
    status = checkpointed(x, flag, steps)
    assert status.yielded and status.checkpoint == 1
    assert x[0].tolist() == [2.0, 4.0, 6.0]
    flag[()] = 0  # resume re-runs the checkpoint's task: x goes on from 2 to 5
    status = checkpointed.resume(x, flag, steps, from_checkpoint=status.checkpoint)
    assert not status.yielded
    assert x[2].tolist() == [5.0, 10.0, 15.0] and steps[()] == 0


# -- errors ---------------------------------------------------------------------------------


@qd.kernel
def matrix_indexed_like_a_vector():
    m = qd.Matrix([[1, 2, 3], [4, 5, 6]])
    print(m[0])


@qd.kernel
def vector_indexed_like_a_matrix():
    v = qd.Vector([1, 2, 3, 4])
    print(v[0, 0])


@qd.kernel
def trace_of_a_rectangle():
    x = qd.Matrix([[0.1, 3.0], [5.0, 7.0], [1.0, 2.0]])
    print(x.trace())


@qd.kernel
def transpose_of_a_vector():
    x = qd.Vector([1, 2])
    y = qd.Vector([3, 4])
    print(x @ y.transpose())


@qd.kernel
def shape_mismatch():
    print(qd.Vector([1, 2]) + qd.Vector([1, 2, 3]))


@qd.kernel
def wrong_swizzle():
    print(qd.Vector([1, 2]).z)


@qd.kernel
def reshaped_variable():
    v = qd.Vector([1, 2])
    v = qd.Vector([1, 2, 3])
    print(v)


@qd.kernel
def bad_element_store(a: qd.types.ndarray(qd.types.vector(3, qd.i32), 1)):
    for i in range(a.shape[0]):
        a[i] = [1, 2]


@pytest.mark.parametrize(
    "kernel, phrase",
    [
        (matrix_indexed_like_a_vector, r"Expected 2 indices, got 1"),
        (vector_indexed_like_a_matrix, r"Expected 1 indices, got 2"),
        (trace_of_a_rectangle, r"expected a square matrix, got shape \(3, 2\)"),
        (transpose_of_a_vector, r"`transpose\(\)` cannot apply to a vector.*a.outer_product\(b\)"),
        (shape_mismatch, r"shapes differ: \[Tensor \(2\) i32\] and \[Tensor \(3\) i32\]"),
        (wrong_swizzle, r"vec2 only has attributes=\('x', 'y'\), got=\('z',\)"),
        (reshaped_variable, r"cannot assign '\[Tensor \(3\) i32\]' to '\[Tensor \(2\) i32\]'"),
    ],
)
def test_mistakes_are_located_compile_errors_with_quadrants_phrases(kernel, phrase):
    with pytest.raises(qd.QuadrantsCompilationError, match=phrase) as caught:
        kernel()
    assert "test_vectors.py:" in str(caught.value)


WIDE = qd.Vector.field(4, qd.i32, shape=())


@qd.kernel
def bad_field_store():
    WIDE[None] = qd.Vector([1, 2, 3])


@qd.kernel
def bad_grouped_store(a: qd.types.NDArray[qd.types.vector(3, qd.i32), 2]):
    for cell in qd.grouped(a):
        a[cell] = [1, 2]


@pytest.mark.parametrize(
    "store, given, kept",
    [
        (lambda: bad_element_store(qd.ndarray(qd.types.vector(3, qd.i32), 4)), 2, 3),
        (lambda: bad_grouped_store(qd.ndarray(qd.types.vector(3, qd.i32), (2, 2))), 2, 3),
        (bad_field_store, 3, 4),
        (reshaped_variable, 3, 2),
    ],
)
def test_storing_a_vector_of_another_size_is_a_type_error_naming_both_types(store, given, kept):
    # Quadrants' class and words, for ndarray and field elements and variables alike
    with pytest.raises(qd.QuadrantsTypeError) as caught:
        store()
    message = str(caught.value)
    assert f"cannot assign '[Tensor ({given}) i32]' to '[Tensor ({kept}) i32]'" in message
    assert "test_vectors.py:" in message


@qd.kernel
def wants_vec2_i32(a: qd.types.NDArray[qd.types.vector(2, qd.i32), 2]):
    pass


@qd.kernel
def wants_f32(x: qd.types.NDArray[qd.f32, 2]):
    pass


@qd.kernel
def wants_any_matrix(x: qd.types.NDArray[qd.types.matrix(), 1]):
    for i in x:
        x[i] = 1.0


def test_element_type_mismatches_at_launch_use_quadrants_words():
    with pytest.raises(
        ValueError,
        match=r"Invalid value for argument a - required element type: VectorType\[2, i32\], "
        r"but \[Tensor \(2, 3\) i32\] is provided",
    ):
        wants_vec2_i32(qd.Matrix.ndarray(2, 3, qd.i32, shape=(4, 7)))
    with pytest.raises(
        TypeError, match=r"Expect element type f32 for argument x, but get \[Tensor \(3\) i32\]"
    ):
        wants_f32(qd.ndarray(qd.types.vector(3, qd.i32), shape=(12, 4)))
    with pytest.raises(
        ValueError, match=r"Invalid value for argument x - required element type: MatrixType"
    ):
        wants_any_matrix(qd.ndarray(qd.math.vec2, 3))
    m2, m3 = qd.ndarray(qd.math.mat2, 3), qd.ndarray(qd.math.mat3, 3)
    wants_any_matrix(m2)  # an open matrix type: one specialisation per element type
    wants_any_matrix(m3)
    assert m2.to_numpy().sum() == 12 and m3.to_numpy().sum() == 27


@qd.kernel
def poke(i: qd.i32) -> qd.i32:
    x = qd.Vector([1, 0])
    x[i] = 42
    return x[1]


def test_debug_mode_reports_a_run_time_index_outside_a_local_vector():
    assert poke(5) == 0  # without debug: the write changes nothing
    qd.init(arch=qd.cpu, debug=True)
    assert poke(1) == 42
    with pytest.raises(
        IndexError, match=r"index 2 is out of bounds for axis 0 of `x` with shape \(2,\)"
    ):
        poke(2)


OFFSET = qd.Vector([1, 2])


@qd.kernel
def uses_a_host_vector() -> qd.types.vector(2, qd.i32):
    return OFFSET + 1


def test_a_host_vector_is_a_compile_time_constant_of_the_cache_key():
    global OFFSET
    assert uses_a_host_vector().to_list() == [2, 3]
    OFFSET = qd.Vector([10, 20])
    qd.reset_cache()  # a new process: the on-disk cache must not hand back the old constant
    assert uses_a_host_vector().to_list() == [11, 21]


# -- fields of vectors and matrices; compile-time values --------------------------------------

POSITIONS = qd.Vector.field(3, qd.f32, shape=4)
ROTATIONS = qd.Matrix.field(2, 2, qd.i32, shape=(), offset=None)
SHIFTED = qd.field(qd.math.ivec2, shape=3, offset=-1)
TABLE = qd.Matrix([[1, 2], [3, 4]])  # a host matrix: constants in the kernel


@qd.kernel
def fill_fields():
    for i in POSITIONS:  # a struct-for over the field's indices
        POSITIONS[i] = [i, 2 * i, 3 * i]
        POSITIONS[i].y += 0.5
    ROTATIONS[None] = operator.matmul(TABLE, TABLE)  # Python's operator functions work too
    for i, j in qd.static(qd.ndrange(2, 2)):  # unrolled over compile-time index pairs
        ROTATIONS[None][i, j] += i * 10 + j
    for i in SHIFTED:  # indices run from the offset
        SHIFTED[i] = qd.Vector([i, i * i])


def test_fields_of_vectors_and_matrices():
    fill_fields()
    assert POSITIONS.to_numpy().tolist()[1] == [1.0, 2.5, 3.0]
    assert POSITIONS[2].to_list() == [2.0, 4.5, 6.0] and (POSITIONS.n, POSITIONS.m) == (3, 1)
    assert ROTATIONS[None].to_list() == [[7, 11], [25, 33]] and ROTATIONS.m == 2
    assert SHIFTED.to_numpy().tolist() == [[-1, 1], [0, 0], [1, 1]]
    assert SHIFTED[1].to_list() == [1, 1]
    POSITIONS.fill(qd.math.vec3(1, 2, 3))
    assert (POSITIONS.to_numpy() == [1, 2, 3]).all()
    POSITIONS.from_numpy(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"Mismatch shape: \(4, 3\) expected"):
        POSITIONS.from_numpy(np.zeros(4, np.float32))


@qd.kernel
def clamped(x: qd.types.ndarray(boundary="clamp"), i: qd.i32, j: qd.i32) -> qd.f32:
    return x[1, 2][i, j]


@qd.kernel
def clamped_write(x: qd.types.ndarray(boundary="clamp"), i: qd.i32, j: qd.i32, v: qd.f32):
    x[i, j][i, j] = v


def test_clamped_ndarrays_clamp_the_entry_position_not_each_entry_index():
    # Quadrants clamps the row-major position i * 2 + j into [0, 3]: (0, 2) is entry 2,
    # (1, 0), where clamping each index would give (0, 1)
    x = qd.ndarray(qd.math.mat2, shape=(3, 3))
    x[1, 2] = [[1.0, 2.0], [3.0, 4.0]]
    reads = [(-1, 0), (1, -1), (2, 0), (1, 2), (0, 2), (-5, 9)]
    assert [clamped(x, i, j) for i, j in reads] == [1, 2, 4, 4, 3, 1]
    clamped_write(x, 0, 3, 7.0)  # element (0, 2), entry 3 -> (1, 1)
    clamped_write(x, -1, 1, 5.0)  # element (0, 1), entry -1 -> (0, 0)
    assert x[0, 2].to_list() == [[0, 0], [0, 7]]
    assert x[0, 1].to_list() == [[5, 0], [0, 0]]


# -- structs -------------------------------------------------------------------------------------


@qd.dataclass
class Ray:
    origin: qd.math.vec3
    direction: qd.math.vec3
    t: qd.f32
    hits: qd.math.uvec2


@qd.kernel
def structs(k: qd.i32) -> qd.types.vector(6, qd.f32):
    ray = Ray(qd.math.vec3(1.0), qd.Vector([0.0, 0.0, 2.0]), hits=qd.math.uvec2(k))  # top level
    local = qd.Struct(a=qd.Vector([1, 2]), b=2)
    for _ in range(1):
        if k > 0:
            local.a = qd.Vector([k, 3 * k])  # a struct is carried through if/for like a vector
            local.b += 1
    ray.t = 0.5
    end = ray.origin + ray.t * ray.direction
    return qd.Vector([end.z, ray.t, ray.hits.y, local.a.sum(), local.b, Ray().t])


def test_struct_types_and_values():
    assert structs(2).to_list() == [2.0, 0.5, 2.0, 8.0, 3.0, 0.0]
    assert structs(0).to_list() == [2.0, 0.5, 0.0, 3.0, 2.0, 0.0]
    host = Ray(t=1.5)
    assert host.t == 1.5 and host.origin.to_list() == [0.0, 0.0, 0.0]
    assert qd.types.struct(m=qd.f32)(m=2).m == 2.0


# -- fields of structs ---------------------------------------------------------------------------

Segment = qd.types.struct(direction=qd.math.vec3, length=qd.f32)
Body = qd.types.struct(segment=Segment, id=qd.i32, frame=qd.math.mat2)
BODIES = Body.field(shape=4)


@qd.kernel
def build_bodies(extra: qd.template()):
    for i in BODIES:  # a struct-for over a field of structs
        BODIES[i].id = i * 10  # `x[i].member` is `x.member[i]`
        BODIES[i].segment.direction[1] = i + 0.5  # one entry of a nested member, in place
        BODIES[i].segment.length += 2.0
        qd.atomic_add(BODIES[i].id, 1)
        BODIES[i].frame[i % 2, 1] = 1.0
    for i in qd.ndrange(*extra.shape):
        extra[i] = Segment(direction=qd.math.vec3(i), length=i * 0.25)  # a whole element


@qd.kernel
def copy_body(extra: qd.template(), to: qd.i32, source: qd.i32) -> qd.f32:
    whole = BODIES[source]  # a struct value, member by member
    BODIES[to] = whole
    BODIES[to].segment = extra[source]  # a nested struct member, from another field
    return whole.segment.length + whole.frame.sum() + BODIES.shape[0]


def test_struct_fields_in_kernels_are_a_field_per_member():
    extra = Segment.field(shape=4)
    build_bodies(extra)
    assert BODIES.id.to_numpy().tolist() == [1, 11, 21, 31]
    assert BODIES[2].segment.direction.to_list() == [0.0, 2.5, 0.0]
    assert BODIES.segment.length.to_numpy().tolist() == [2.0] * 4
    assert BODIES[1].frame.to_list() == [[0.0, 0.0], [0.0, 1.0]]
    assert extra[3].direction.to_list() == [3.0] * 3 and extra[3].length == 0.75
    assert copy_body(extra, 0, 3) == 2.0 + 1.0 + 4
    assert BODIES[0].id == 31 and BODIES[0].frame.to_list() == [[0.0, 0.0], [0.0, 1.0]]
    assert BODIES[0].segment.direction.to_list() == [3.0] * 3
    assert BODIES[0].segment.length == 0.75


def test_struct_fields_on_the_host():
    field = qd.Struct.field({"a": qd.i32, "v": qd.math.vec2}, shape=(2, 3), offset=(1, 0))
    assert field.shape == (2, 3) and field.keys == ["a", "v"] and field.offset == (1, 0)
    field[1, 2] = qd.Struct(a=5, v=qd.math.vec2(1, 2))
    field[2, 0] = {"a": 7, "v": [3, 4]}
    field[2, 1] = field[1, 2]
    field[2, 2].a = 9
    field[2, 2].v[1] = 6.0
    assert (field[1, 2].a, field[2, 0].a, field[2, 1].a, field[2, 2].a) == (5, 7, 5, 9)
    assert field[2, 2].to_dict()["v"].to_list() == [0.0, 6.0]
    contents = field.to_numpy()
    assert contents["a"].tolist() == [[0, 0, 5], [7, 5, 9]] and contents["v"].shape == (2, 3, 2)
    field.fill(1)
    assert field.a.to_numpy().sum() == 6 and field.v.to_numpy().sum() == 12
    field.from_numpy(contents)
    assert field.v.to_numpy()[1, 0].tolist() == [3.0, 4.0]
    with pytest.raises(IndexError, match="out of bounds for axis 0"):
        field[0, 0] = {"a": 1, "v": [0, 0]}  # before the offset of 1


@qd.kernel
def vector_member_indexed_like_a_matrix():
    print(BODIES[0].segment.direction[0, 0])


@qd.kernel
def matrix_member_indexed_like_a_vector():
    print(BODIES[0].frame[0])


@qd.kernel
def element_given_a_number():
    BODIES[0] = 1


@pytest.mark.parametrize(
    "kernel, error, phrase",
    [
        (vector_member_indexed_like_a_matrix, qd.QuadrantsSyntaxError, "Expected 1 indices, got 2"),
        (matrix_member_indexed_like_a_vector, qd.QuadrantsSyntaxError, "Expected 2 indices, got 1"),
        (element_given_a_number, qd.QuadrantsTypeError, "to an element of a field of Struct"),
    ],
)
def test_struct_field_mistakes_are_located_compile_errors(kernel, error, phrase):
    with pytest.raises(error, match=phrase) as caught:
        kernel()
    assert "test_vectors.py:" in str(caught.value)


@qd.kernel
def unsigned_default() -> qd.u64:
    return qd.math.uvec2(qd.u64(2**63 - 1)).x


def test_unsigned_vectors_are_as_wide_as_the_default_int():
    assert unsigned_default() == 2**32 - 1  # default_ip i32: uvec2 holds u32
    qd.init(arch=qd.cpu, default_ip=qd.i64)
    assert unsigned_default() == 2**63 - 1


@qd.kernel
def chosen_vectors(c: qd.i32, out: qd.types.ndarray(qd.f32, 2)):
    a = qd.math.vec2(1.0, 2.0)
    b = qd.math.vec2(3.0, 4.0)
    for _ in range(1):
        d = a if c else b  # names: both sides cheap, chosen entry by entry
        e = a * 2 if c > 0 else 0.5  # a computed side, and a scalar side that broadcasts
        out[0, 0], out[0, 1], out[1, 0], out[1, 1] = d[0], d[1], e[0], e[1]


def test_a_conditional_expression_chooses_whole_vectors():
    out = np.zeros((2, 2), np.float32)
    chosen_vectors(1, out)
    assert out.tolist() == [[1, 2], [2, 4]]
    chosen_vectors(0, out)
    assert out.tolist() == [[3, 4], [0.5, 0.5]]


def test_a_conditional_expression_of_two_shapes_is_refused():
    @qd.kernel
    def two_shapes(c: qd.i32):
        a = qd.math.vec2(1.0, 1.0)
        b = qd.math.vec3(1.0, 1.0, 2.0)
        d = a if c else b  # noqa: F841

    with pytest.raises(qd.QuadrantsTypeError, match=r"Cannot broadcast tensor to tensor: .*"):
        two_shapes(1)
