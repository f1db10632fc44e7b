"""What README.md says qdmlir does not support, each refused with a QuadrantsSyntaxError that
names the construct and the user's file:line (frontend/unsupported.py): sparse SNodes,
autodiff."""

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


def test_the_refusing_names_stay_out_of_introspection():
    import copy

    assert copy.copy(qd.root) is not None and "not supported" in repr(qd.root)
    assert not hasattr(qd.root, "__qualname__")
