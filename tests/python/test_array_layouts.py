"""Any array layout, zero-copy (issue 17, item 6): numpy views (`a[::2]`, `a[:, 1]`, `a.T`,
negative steps), Fortran order and DLPack tensors on the CPU.

A non-C-contiguous array compiles a specialisation of its own whose argument is a strided
memref (`memref<?xT, strided<[?]>>`); its words carry the strides (runtime/abi.py). The kernel
writes through the view into the caller's memory, and the results equal those of the same
call on a C-contiguous copy. C-contiguous arrays keep their specialisation and steady path.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import qdmlir as qd
from qdmlir.runtime import abi
from qdmlir.runtime.artifact import ArgSpec

I2 = qd.types.ndarray(qd.i32, 2)
F1 = qd.types.ndarray(qd.f32, 1)


@qd.kernel
def number_cells(x: I2):
    for i, j in qd.ndrange(x.shape[0], x.shape[1]):
        x[i, j] = i * 10 + j


@qd.kernel
def shift_and_scale(x: F1, y: F1, k: qd.f32):
    for i in range(x.shape[0]):
        y[i] = x[i] * k
        x[i] += 1.0


@qd.kernel
def row_sums(m: qd.types.ndarray(), out: qd.types.ndarray()):
    for i in range(m.shape[0]):
        total = 0.0
        for j in range(m.shape[1]):
            total += m[i, j]
        out[i] = total


# name -> (the parent array, the view of it the kernel gets): the 2-d layouts numpy programs make
VIEWS = {
    "transposed": (lambda: np.zeros((3, 4), np.int32), lambda p: p.T),
    "fortran": (lambda: np.zeros((3, 4), np.int32, order="F"), lambda p: p),
    "every_other_column": (lambda: np.zeros((4, 6), np.int32), lambda p: p[:, 1::2]),
    "negative_steps": (lambda: np.zeros((4, 6), np.int32), lambda p: p[::-1, ::-2]),
    "a_plane_of_3d": (lambda: np.zeros((2, 5, 3), np.int32), lambda p: p[:, :, 1]),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_a_2d_view_is_written_in_place_as_a_copy_would_be(name):
    make, view_of = VIEWS[name]
    # expected: the kernel on a C-contiguous copy, copied back into the same view
    expected = make()
    copy = np.ascontiguousarray(view_of(expected))
    number_cells(copy)
    view_of(expected)[...] = copy
    parent = make()
    view = view_of(parent)
    assert not view.flags.c_contiguous
    number_cells(view)
    # zero-copy: the parent changed exactly where the view is, as the copy said
    assert np.array_equal(parent, expected)


def test_1d_views_with_steps_and_scalars():
    buffer = np.arange(12, dtype=np.float32)
    out = np.zeros(8, np.float32)
    x, y = buffer[::3], out[1::2]  # 4 elements each
    want_x, want_y = np.ascontiguousarray(x) + 1.0, np.ascontiguousarray(x) * 2.5
    shift_and_scale(x, y, 2.5)
    assert np.array_equal(x, want_x) and np.array_equal(y, want_y)
    assert buffer.tolist() == [1, 1, 2, 4, 4, 5, 7, 7, 8, 10, 10, 11]
    assert out[::2].tolist() == [0, 0, 0, 0]


def test_open_annotations_take_views_of_any_dtype():
    m = np.arange(24, dtype=np.float64).reshape(4, 6)
    out = np.zeros(6)
    row_sums(m.T, out)  # the column sums of m
    assert out.tolist() == m.sum(axis=0).tolist()
    out32 = np.zeros(4, np.float32)
    row_sums(m.astype(np.float32)[:, ::2], out32)
    assert out32.tolist() == m[:, ::2].sum(axis=1).tolist()


def test_contiguous_arrays_keep_their_specialisation_and_steady_path():
    x = np.zeros(4, np.float32)
    y = np.zeros(4, np.float32)
    shift_and_scale(x, y, 1.0)
    steady = type(shift_and_scale)
    assert steady.__call__ is not qd.Kernel.__call__  # the launcher's generated __call__
    shift_and_scale(np.zeros(8, np.float32)[::2], y, 1.0)
    shift_and_scale(x, y, 1.0)
    assert type(shift_and_scale) is steady
    # one specialisation per combination of layouts: the C-contiguous one keyed as before
    assert () in shift_and_scale._specializations
    assert (("strided", "contiguous", "contiguous"),) in shift_and_scale._specializations


def test_read_only_views_stay_refused():
    x = np.zeros(8, np.float32)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        shift_and_scale(x[::2], np.zeros(4, np.float32), 1.0)


def test_strides_that_are_not_whole_elements_are_refused():
    record = np.zeros(4, dtype=[("a", np.float32), ("b", np.int8)])
    with pytest.raises(ValueError, match="not aligned to its elements"):
        shift_and_scale(record["a"], np.zeros(4, np.float32), 1.0)


# -- debug bounds checks respect strides -----------------------------------------------------------


@qd.kernel
def write_at(x: F1, i: qd.i32):
    for _ in range(1):
        x[i] = 7.0


def test_debug_bounds_checks_use_the_view_shape_and_strides(debug):
    parent = np.zeros(12, np.float32)
    view = parent[::3]  # 4 elements: parent[0, 3, 6, 9]
    write_at(view, 3)
    assert parent.tolist() == [0] * 9 + [7] + [0, 0]
    # index 4 lies inside the parent (element 12 would be past it; 4 * 3 = 12) but outside the
    # view: refused, and nothing written
    with pytest.raises(
        IndexError, match=r"index 4 is out of bounds for axis 0 of `x` with shape \(4,\)"
    ):
        write_at(view, 4)
    assert parent.tolist() == [0] * 9 + [7] + [0, 0]


# -- DLPack ----------------------------------------------------------------------------------------


class Tensor:
    """A DLPack producer that is not a numpy array (as a torch or JAX tensor is)."""

    def __init__(self, array: np.ndarray, device=(1, 0)):
        self._array = array
        self._device = device
        self.shape, self.dtype, self.ndim = array.shape, array.dtype, array.ndim

    def __dlpack__(self, **kwargs):
        return self._array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._device


def test_dlpack_tensors_are_taken_without_a_copy():
    x_memory = np.arange(4, dtype=np.float32)
    y_memory = np.zeros(8, np.float32)
    shift_and_scale(Tensor(x_memory), Tensor(y_memory[::2]), 3.0)
    assert x_memory.tolist() == [1, 2, 3, 4]
    assert y_memory.tolist() == [0, 0, 3, 0, 6, 0, 9, 0]
    grid = np.zeros((3, 4), np.int32)
    number_cells(Tensor(grid.T))
    assert grid.T.tolist() == [[i * 10 + j for j in range(3)] for i in range(4)]


def test_dlpack_tensors_on_a_device_or_read_only_are_refused():
    y = np.zeros(4, np.float32)
    with pytest.raises(qd.QuadrantsRuntimeTypeError, match=r"on device \(2, 0\), not in host"):
        shift_and_scale(Tensor(np.zeros(4, np.float32), device=(2, 0)), y, 1.0)
    locked = np.zeros(4, np.float32)
    locked.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        shift_and_scale(Tensor(locked), y, 1.0)


def test_torch_tensors_where_torch_is_installed():
    torch = pytest.importorskip("torch", reason="torch is not installed in this environment")
    x = torch.arange(4, dtype=torch.float32)
    y = torch.zeros(8, dtype=torch.float32)
    shift_and_scale(x, y[::2], 2.0)
    assert x.tolist() == [1, 2, 3, 4] and y.tolist() == [0, 0, 2, 0, 4, 0, 6, 0]
    grid = torch.zeros(3, 4, dtype=torch.int32)
    number_cells(grid.t())
    assert grid.t().tolist() == [[i * 10 + j for j in range(3)] for i in range(4)]


# -- the ABI ---------------------------------------------------------------------------------------


def test_a_strided_argument_takes_its_strides_as_words():
    contiguous = ArgSpec("x", "ndarray", "f32", 2)
    strided = ArgSpec("x", "ndarray", "f32", 2, layout="strided")
    assert abi.words_of(contiguous) == 3 and abi.words_of(strided) == 5
    layout = abi.WordLayout.of([strided, ArgSpec("n", "scalar", "i32")])
    assert layout.offsets == (0, 5) and layout.state_pointer == 6


def test_a_strided_argument_is_a_strided_memref_in_the_kernel_ir():
    from qdmlir.frontend.compiler import Compilation

    args = [ArgSpec("x", "ndarray", "i32", 2, layout="strided")]
    text = str(Compilation.for_kernel(number_cells, args).kernel_ir())
    assert "memref<?x?xi32, strided<[?, ?]>>" in text


@dataclasses.dataclass
class Holder:
    x: F1


@qd.kernel
def through_a_dataclass(h: Holder, y: F1):
    for i in range(h.x.shape[0]):
        y[i] = h.x[i]


def test_a_view_inside_a_compound_argument_is_refused_with_the_fix():
    # dataclasses, qd.template() objects and object members are taken apart (frontend/flatten.py)
    # without a strided variant: a clear refusal, not a wrong result
    y = np.zeros(4, np.float32)
    through_a_dataclass(Holder(np.arange(4, dtype=np.float32)), y)
    assert y.tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match=r"must be C-contiguous .*np.ascontiguousarray"):
        through_a_dataclass(Holder(np.arange(8, dtype=np.float32)[::2]), y)
