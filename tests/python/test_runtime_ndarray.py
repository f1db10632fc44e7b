"""qd.ndarray on the CPU: Quadrants' host API over a zero-initialised C-contiguous buffer."""

import copy

import numpy as np
import pytest

from qdmlir.runtime import dtypes
from qdmlir.runtime.ndarray import Ndarray, ndarray


def test_new_ndarray_is_zeroed_with_shape_and_dtype():
    a = ndarray(dtypes.f32, (3, 4))
    assert a.shape == (3, 4) and a.dtype is dtypes.f32 and a.ndim == 2
    assert np.array_equal(a.to_numpy(), np.zeros((3, 4), np.float32))
    assert ndarray(dtypes.i32, 5).shape == (5,)
    assert ndarray("u8", ()).shape == ()


def test_host_indexing_reads_and_writes_python_scalars():
    a = ndarray(dtypes.f64, (2, 3))
    a[1, 2] = 3.5
    assert a[1, 2] == 3.5 and type(a[1, 2]) is float
    flag = ndarray(dtypes.i32, ())
    flag[()] = 7
    assert flag[()] == 7 and type(flag[()]) is int and flag[None] == 7
    v = ndarray(dtypes.i64, 4)
    v[3] = -2
    assert v[3] == -2 and v[-1] == -2


def test_bad_indices_say_what_was_expected():
    a = ndarray(dtypes.f32, (3, 4))
    with pytest.raises(IndexError, match="2d ndarray indexed with 1d indices"):
        a[1]
    with pytest.raises(IndexError, match="out of bounds"):
        a[3, 0]
    with pytest.raises(IndexError, match=r"use a\[\(\)\]"):
        ndarray(dtypes.i32, ())[0]


def test_writes_are_checked_against_the_dtype():
    u = ndarray(dtypes.u8, 2)
    with pytest.raises(OverflowError, match="out of range for qd.u8"):
        u[0] = 256
    with pytest.raises(TypeError, match="int"):
        ndarray(dtypes.i32, 2)[0] = 1.5
    with pytest.raises(TypeError):
        ndarray(dtypes.f32, 2)[0] = "x"


def test_from_numpy_copies_in_and_to_numpy_copies_out():
    a = ndarray(dtypes.i32, (2, 2))
    src = np.array([[1, 2], [3, 4]], np.int32)
    a.from_numpy(src)
    src[0, 0] = 99
    out = a.to_numpy()
    assert out.tolist() == [[1, 2], [3, 4]]
    out[0, 0] = 42
    assert a[0, 0] == 1
    view = a.to_numpy(copy=False)
    view[0, 0] = 5
    assert a[0, 0] == 5


def test_from_numpy_checks_the_shape():
    with pytest.raises(ValueError, match=r"Mismatch shape: \(5,\) expected, but \(4,\) provided"):
        ndarray(dtypes.f32, 5).from_numpy(np.zeros(4, np.float32))
    with pytest.raises(TypeError):
        ndarray(dtypes.f32, 5).from_numpy([1, 2, 3, 4, 5])


def test_fill_copy_from_and_deepcopy():
    a = ndarray(dtypes.f32, 3)
    a.fill(2.5)
    b = ndarray(dtypes.f32, 3)
    b.copy_from(a)
    c = copy.deepcopy(b)
    a.fill(0)
    assert b.to_numpy().tolist() == [2.5] * 3 and c.to_numpy().tolist() == [2.5] * 3
    with pytest.raises(OverflowError):
        ndarray(dtypes.i8, 1).fill(1000)


@pytest.mark.parametrize("shape", [(0,), (2, -1), (1.5,), "ab"])
def test_invalid_shapes_are_rejected(shape):
    with pytest.raises(ValueError, match="not a valid shape"):
        ndarray(dtypes.f32, shape)


def test_launcher_words_are_pointer_then_sizes():
    a = Ndarray(dtypes.f32, (3, 4))
    assert a._words == (a.to_numpy(copy=False).ctypes.data, 3, 4)


def test_pickling_copies_the_contents_into_a_new_buffer():
    import pickle

    a = ndarray(dtypes.i16, (2, 2))
    a[1, 0] = 7
    b = pickle.loads(pickle.dumps(a))
    assert b.to_numpy().tolist() == [[0, 0], [7, 0]] and b.dtype is dtypes.i16
    assert b._words[0] != a._words[0] and b._words[0] == b._arr.ctypes.data
