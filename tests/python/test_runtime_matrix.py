"""Vectors and matrices outside kernels: host qd.Vector / qd.Matrix values, their types, ndarrays
of them, and how the ABI describes them (runtime/matrix.py, runtime/matrix_types.py,
runtime/ndarray.py, runtime/abi.py)."""

import copy
import json

import numpy as np
import pytest

import qdmlir as qd
from qdmlir.runtime import abi
from qdmlir.runtime.artifact import ArgSpec, Manifest, ManifestError


@pytest.fixture(autouse=True)
def cpu():
    qd.init(arch=qd.cpu)
    yield
    qd.reset()


def test_host_values_follow_quadrants_operators():
    a = qd.Vector([1, 2, 3])
    b = qd.Matrix([[1, 0, 0], [0, 2, 0], [0, 0, 3]])
    assert (b @ a).to_list() == [1, 4, 9]
    assert a @ a == 14 and qd.Vector([1, 2]) @ qd.Matrix([[1, 2], [3, 4]]) == qd.Vector([7, 10])
    assert b.transpose()[1, 1] == 2 and (a + 1).to_list() == [2, 3, 4]
    assert (2 * a).to_list() == [2, 4, 6] and (-a).to_list() == [-1, -2, -3]
    assert (a == [1, 0, 3]).to_list() == [True, False, True]
    assert not (a == [1, 0, 3]) and (a == a)  # bool() of a vector is all()
    assert qd.Vector([3, 4]).normalized().to_list() == pytest.approx([0.6, 0.8])
    assert qd.Vector([3, 4]).cross(qd.Vector([5, -12])) == -56
    inverse = qd.Matrix([[1.0, 2.0], [3.0, 4.0]]).inverse().to_numpy()
    np.testing.assert_allclose(inverse, [[-2.0, 1.0], [1.5, -0.5]])
    assert len(b) == 3 and list(a) == [1, 2, 3] and list(qd.Matrix([[1, 2]])) == [[1, 2]]


def test_host_swizzles_and_entries():
    w, v, r = qd.Vector([5, -12]), qd.Vector([3, 4]), qd.Vector([1, 2, 3, 4])
    w.y = v.x * w[0]
    r.xy = r.zw
    assert w.to_list() == [5, 15] and r.to_list() == [3, 4, 3, 4] and r.wzx.to_list() == [4, 3, 3]
    s = qd.Matrix([[1, 2], [3, 4]])
    s[0, 1] = 7
    assert s[0, 1] == 7
    with pytest.raises(IndexError, match="Expected 2 indices, got 1"):
        print(s[0])
    with pytest.raises(AttributeError, match=r"vec2 only has attributes=\('x', 'y'\)"):
        print(v.z)


def test_host_shape_errors_are_quadrants_compilation_errors():
    rectangle = qd.Matrix([[0.1, 3.0], [5.0, 7.0], [1.0, 2.0]])
    with pytest.raises(
        qd.QuadrantsCompilationError, match=r"expected a square matrix, got shape \(3, 2\)"
    ):
        rectangle.trace()
    with pytest.raises(ValueError, match="cannot apply to a vector"):
        qd.Vector([1, 2]).transpose()


def test_scalar_functions_take_host_vectors():
    assert qd.cos(qd.Vector([2, 3])).to_list() == pytest.approx(np.cos([2, 3]).tolist())
    assert qd.max(4, qd.Vector([3, 4, 5])).to_list() == [4, 4, 5]
    assert qd.atan2(qd.Vector([2, 3]), qd.Vector([3, 4])).to_list() == pytest.approx(
        np.arctan2([2, 3], [3, 4]).tolist()
    )
    assert qd.select(qd.Vector([1, 0]), qd.Vector([2, 3]), qd.Vector([4, 5])) == qd.Vector([2, 5])
    assert qd.math.clamp(qd.Vector([-1.0, 2.0]), 0.0, 1.0).to_list() == [0.0, 1.0]
    assert qd.cast(qd.Vector([1.7, -1.7]), qd.i32).to_list() == [1, -1]


def test_types_build_values_in_every_quadrants_form():
    mat4x3 = qd.types.matrix(4, 3, float)
    rows = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]
    forms = [
        mat4x3(rows),
        mat4x3(*rows),
        mat4x3(*(qd.math.vec3(r) for r in rows)),
        mat4x3(list(range(1, 13))),
        mat4x3(*range(1, 13)),
        mat4x3(mat4x3(rows)),
    ]
    for form in forms:
        assert form.to_list() == rows and form.entries.dtype == np.float32
    assert qd.types.matrix(2, 6, float)(forms[0]).get_shape() == (2, 6)
    assert qd.math.vec3(1).to_list() == [1.0, 1.0, 1.0]
    assert qd.types.vector(3, qd.i32)(1.9, 2, 3).to_list() == [1, 2, 3]
    assert repr(qd.types.matrix(2, 2, qd.i32)) == "MatrixType[2,2, i32]"
    assert repr(qd.types.vector(2, qd.i32)) == "VectorType[2, i32]"


def test_float_element_types_follow_default_fp_when_used():
    vec = qd.types.vector(2, float)
    qd.init(arch=qd.cpu, default_fp=qd.f64)
    assert vec.dtype is qd.f64 and qd.math.vec3.dtype is qd.f64
    assert qd.Vector.ndarray(2, float, ()).dtype is qd.f64
    qd.init(arch=qd.cpu)
    assert vec.dtype is qd.f32 and qd.math.ivec2.dtype is qd.i32 and qd.math.uvec2.dtype is qd.u32


@pytest.mark.parametrize("shape", [(), 8, (6, 12)])
def test_vector_and_matrix_ndarrays_describe_themselves(shape):
    v = qd.Vector.ndarray(3, qd.f64, shape)
    m = qd.Matrix.ndarray(2, 3, qd.i32, shape)
    field = shape if isinstance(shape, tuple) else (shape,)
    assert isinstance(v, qd.VectorNdarray) and isinstance(m, qd.MatrixNdarray)
    assert v.shape == field and v.element_shape == (3,) and v.dtype is qd.f64 and v.n == 3
    assert m.shape == field and m.element_shape == (2, 3) and (m.n, m.m) == (2, 3)
    assert v.to_numpy().shape == field + (3,) and m.to_numpy().shape == field + (2, 3)
    assert m.element_type.shape() == [2, 3] and m.element_type.element_type() is qd.i32
    assert repr(v) == f"<qd.ndarray [Tensor (3) f64]{list(field)}>"


def test_ndarray_elements_are_views_and_fill_broadcasts():
    x = qd.ndarray(qd.types.vector(10, qd.i32), 5)
    x[1][0] = 1  # through the element view, into the ndarray
    x[2] = qd.Vector(list(range(10)))
    assert x.to_numpy()[1, 0] == 1 and x[2][9] == 9
    y = copy.deepcopy(x)
    x[1][0] = 4
    assert y[1][0] == 1 and type(y) is qd.VectorNdarray
    m = qd.ndarray(qd.math.mat2, (3, 3))
    m.fill(qd.math.mat2([[2.0, 4.0], [1.0, 3.0]]))
    assert (m[2, 2] == [[2.0, 4.0], [1.0, 3.0]]).all()
    m.fill(1.5)
    assert (m.to_numpy() == 1.5).all()
    m.from_numpy(np.arange(36, dtype=np.int32).reshape(3, 3, 2, 2))
    assert m[1, 2][1, 1] == 23.0
    with pytest.raises(ValueError, match=r"Mismatch shape: \(3, 3, 2, 2\) expected"):
        m.from_numpy(np.zeros((3, 3), np.float32))
    z = qd.ndarray(qd.math.vec2, ())
    z[()] = [1.0, 2.0]
    assert z[None] == [1.0, 2.0]


def test_arg_specs_carry_element_shapes_through_the_manifest():
    specs = [
        ArgSpec("x", "ndarray", "f32", 1, (3,)),
        ArgSpec("m", "matrix", "f64", 0, (2, 3)),
        abi.RESULT.spec("f32", (3,)),
    ]
    manifest = Manifest(kernel="k", target="cpu", library="k.so", args=specs)
    again = Manifest.from_dict(json.loads(manifest.to_json()))
    assert again.args == specs
    assert [abi.words_of(s) for s in specs] == [2, 6, 1]  # pointer + size; 6 entries; pointer
    assert specs[0].rank == 2 and specs[1].entries == 6
    with pytest.raises(ManifestError, match="element_shape must be"):
        ArgSpec.coerce({"name": "v", "kind": "matrix", "dtype": "f32", "element_shape": []})
