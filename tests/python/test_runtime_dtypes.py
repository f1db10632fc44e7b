"""qd data types: one immutable object per name, found by name, numpy dtype or Python type."""

import pickle

import numpy as np
import pytest

from qdmlir.runtime import dtypes


@pytest.mark.parametrize(
    "name, np_type, mlir, signed, is_float, bits",
    [
        ("i32", np.int32, "i32", True, False, 32),
        ("i64", np.int64, "i64", True, False, 64),
        ("f32", np.float32, "f32", True, True, 32),
        ("f64", np.float64, "f64", True, True, 64),
        ("u8", np.uint8, "i8", False, False, 8),
        ("u32", np.uint32, "i32", False, False, 32),
    ],
)
def test_required_types_describe_themselves(name, np_type, mlir, signed, is_float, bits):
    t = dtypes.from_name(name)
    assert (t.name, t.np_dtype, t.mlir, t.signed, t.is_float, t.bits) == (
        name,
        np.dtype(np_type),
        mlir,
        signed,
        is_float,
        bits,
    )
    assert dtypes.from_numpy(np_type) is t
    assert dtypes.from_numpy(np.dtype(np_type)) is t
    assert repr(t) == name


def test_lookup_accepts_every_spelling():
    assert dtypes.as_dtype(dtypes.f32) is dtypes.f32
    assert dtypes.as_dtype("u8") is dtypes.u8
    assert dtypes.as_dtype(np.float64) is dtypes.f64
    assert dtypes.as_dtype(int) is dtypes.i32
    assert dtypes.as_dtype(float) is dtypes.f32


def test_unknown_names_list_the_known_ones():
    with pytest.raises(KeyError, match="unknown qd dtype 'f128'.*i32"):
        dtypes.from_name("f128")
    with pytest.raises(KeyError, match="no qd equivalent"):
        dtypes.from_numpy(np.complex64)


def test_dtypes_are_immutable_and_pickle_to_the_same_object():
    with pytest.raises(AttributeError, match="immutable"):
        dtypes.i32.bits = 64
    assert pickle.loads(pickle.dumps(dtypes.u32)) is dtypes.u32


def test_ranges_are_plain_python_numbers():
    assert (dtypes.u8.min, dtypes.u8.max) == (0, 255)
    assert dtypes.i64.max == 2**63 - 1
    assert type(dtypes.f32.max) is float
