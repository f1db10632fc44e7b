"""What README.md says qdmlir does not support, each refused with a QuadrantsSyntaxError that
names the construct and the user's file:line (frontend/unsupported.py): sparse SNodes,
autodiff, vector and matrix types."""

import numpy as np
import pytest

import qdmlir as qd

HERE = "test_unsupported.py:"


@pytest.mark.parametrize(
    ("use", "construct"),
    [
        (lambda: qd.root.pointer(qd.i, 10), "qd.root.pointer"),
        (lambda: qd.root.dynamic, "qd.root.dynamic"),
        (lambda: qd.root.bitmasked, "qd.root.bitmasked"),
        (lambda: qd.root.dense, "qd.root.dense"),
        (lambda: qd.field(qd.f32), "qd.field() without a shape"),
    ],
)
def test_snode_trees_are_refused_at_the_line_that_uses_them(use, construct):
    with pytest.raises(qd.QuadrantsSyntaxError, match="SNode trees") as caught:
        use()
    assert construct in str(caught.value) and HERE in str(caught.value)
    assert "qd.field(qd.f32, shape=" in caught.value.fix


@pytest.mark.parametrize(
    ("use", "construct"),
    [
        (lambda: qd.field(qd.f32, shape=4, needs_grad=True), "qd.field(needs_grad=True)"),
        (lambda: qd.field(qd.f32, shape=4, needs_dual=True), "qd.field(needs_dual=True)"),
        (lambda: qd.ndarray(qd.f32, (4,), needs_grad=True), "qd.ndarray(needs_grad=True)"),
        (lambda: qd.ad.Tape, "qd.ad.Tape"),
        (lambda: qd.ad.grad_replaced, "qd.ad.grad_replaced"),
    ],
)
def test_autodiff_is_refused_at_the_line_that_uses_it(use, construct):
    with pytest.raises(qd.QuadrantsSyntaxError, match="automatic differentiation") as caught:
        use()
    assert construct in str(caught.value) and HERE in str(caught.value)


@qd.kernel
def plain(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        x[i] = 1.0


def test_a_kernels_gradient_is_refused():
    with pytest.raises(qd.QuadrantsSyntaxError, match="plain.grad .* automatic differentiation"):
        plain.grad()


@pytest.mark.parametrize(
    ("use", "construct"),
    [
        (lambda: qd.Vector([1, 2, 3]), "qd.Vector"),
        (lambda: qd.Matrix.field(2, 2, qd.f32, shape=4), "qd.Matrix.field"),
        (lambda: qd.Vector.ndarray(3, qd.f32, shape=4), "qd.Vector.ndarray"),
        (lambda: qd.field(qd.types.vector(3, qd.f32), 4), "qd.types.vector(3, f32)"),
        (lambda: qd.types.matrix(2, 2, qd.f32).field(shape=4), "qd.types.matrix(2, 2, f32).field"),
        (lambda: qd.field(qd.math.vec3, shape=4), "qd.math.vec3"),
        (lambda: qd.ndarray(qd.math.mat2, (4,)), "qd.math.mat2"),
        (lambda: qd.math.normalize(1.0), "qd.math.normalize"),
    ],
)
def test_vector_and_matrix_types_are_refused_at_the_line_that_uses_them(use, construct):
    with pytest.raises(qd.QuadrantsSyntaxError, match="vector and matrix element types") as caught:
        use()
    assert construct in str(caught.value) and HERE in str(caught.value)


@qd.kernel
def vector_in_a_kernel(x: qd.types.ndarray(qd.f32, 1)):
    for i in range(x.shape[0]):
        v = qd.Vector([1.0, 2.0])
        x[i] = v[0]


@qd.kernel
def vector_element_type(x: qd.types.ndarray(dtype=qd.math.vec3, ndim=1)):
    for i in range(x.shape[0]):
        x[i] = 1.0


@pytest.mark.parametrize(
    ("kernel", "line"),
    [
        (vector_in_a_kernel, "v = qd.Vector([1.0, 2.0])"),
        (vector_element_type, "def vector_element_type"),
    ],
)
def test_vector_types_in_kernels_are_located_in_the_kernel(kernel, line):
    with pytest.raises(
        qd.QuadrantsSyntaxError, match="qd.(Vector|math.vec3) is not supported"
    ) as caught:
        kernel(np.zeros(2, np.float32))
    assert line in str(caught.value) and HERE in str(caught.value)
    assert caught.value.kernel == kernel.__name__


def test_the_refusing_names_stay_out_of_introspection():
    import copy

    assert copy.copy(qd.Vector) is not None and "not supported" in repr(qd.Vector)
    assert not hasattr(qd.Vector, "__qualname__")


def test_a_vector_type_can_be_built_and_refuses_where_it_is_used():
    vec3 = qd.types.vector(3, qd.f32)  # module-level code builds types it may never use
    assert "qd.types.vector(3, f32)" in repr(vec3)
    with pytest.raises(
        qd.QuadrantsSyntaxError, match=r"qd.types.vector\(3, f32\) is not supported"
    ):
        qd.ndarray(vec3, (4,))
