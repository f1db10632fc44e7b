"""`qd.cast` and `qd.<type>(...)` on the host and on constants inside kernels, as Quadrants
defines them: truncation toward zero, wrapping to the width, typed literals checked."""

import numpy as np
import pytest

import qdmlir as qd

F64 = qd.types.ndarray(qd.f64, 1)
I32 = qd.types.ndarray(qd.i32, 1)


@pytest.mark.parametrize(
    ("value", "dtype", "expected"),
    [
        (3.7, qd.i32, 3),
        (-3.7, qd.i32, -3),
        (300, qd.u8, 44),
        (-1, qd.u32, 2**32 - 1),
        (2**31, qd.i32, -(2**31)),
        (True, qd.i32, 1),
        (3, qd.f32, 3.0),
        (np.int64(7), qd.i8, 7),
    ],
)
def test_host_cast_converts_like_a_kernel(value, dtype, expected):
    result = qd.cast(value, dtype)
    assert result == expected and type(result) is type(expected)


def test_host_cast_rounds_to_the_float_type():
    assert qd.cast(0.1, qd.f32) == float(np.float32(0.1)) != 0.1
    assert qd.cast(0.1, qd.f64) == 0.1


def test_host_cast_refuses_what_is_not_a_number():
    with pytest.raises(TypeError, match="qd.cast\\(\\) converts numbers"):
        qd.cast("3", qd.i32)
    with pytest.raises(ValueError, match="not a finite number"):
        qd.cast(float("inf"), qd.i32)


def test_calling_a_type_on_the_host_says_to_use_cast():
    with pytest.raises(TypeError, match="cannot be called outside Quadrants kernels.*qd.cast"):
        qd.f32(1.5)


@qd.kernel
def typed_constants(f: F64, o: I32):
    for _ in range(1):
        f[0] = qd.f64(0.1) * 3  # an f64 constant: no f32 rounding on the way
        f[1] = qd.f32(1.5)
        o[0] = qd.u8(200) + qd.u8(100)  # u8 arithmetic wraps
        o[1] = qd.cast(-3.7, qd.i32)
        o[2] = qd.cast(300, qd.u8)


def test_typed_constants_in_a_kernel_keep_their_type():
    f, o = np.zeros(2, np.float64), np.zeros(3, np.int32)
    typed_constants(f, o)
    assert f.tolist() == [0.1 * 3, 1.5]
    assert o.tolist() == [44, -3, 44]


def test_a_float_literal_given_an_integer_type_is_refused():
    @qd.kernel
    def truncates(o: I32):
        for _ in range(1):
            o[0] = qd.i32(3.7)

    with pytest.raises(qd.QuadrantsSyntaxError) as caught:
        truncates(np.zeros(1, np.int32))
    message = str(caught.value)
    assert "Floating-point literals must be annotated with a floating-point type" in message
    assert "qd.cast(3.7, qd.i32)" in message and "test_casts.py" in message


@pytest.mark.parametrize("literal", ["qd.u8(300)", "qd.i8(-129)", "qd.i32(2**40)"])
def test_an_integer_literal_outside_its_type_is_refused(literal, tmp_path):
    import importlib.util

    path = tmp_path / "literal_kernel.py"
    path.write_text(
        "import qdmlir as qd\n\n\n@qd.kernel\n"
        "def k(o: qd.types.ndarray(qd.i32, 1)):\n"
        f"    for _ in range(1):\n        o[0] = {literal}\n"
    )
    spec = importlib.util.spec_from_file_location("literal_kernel", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(qd.QuadrantsSyntaxError, match="exceeded the range of specified dtype"):
        module.k(np.zeros(1, np.int32))


@qd.kernel
def to_python_types(x: qd.i32, y: qd.f32, out: qd.types.ndarray(qd.f64, 1)):
    for _ in range(1):
        out[0] = qd.cast(x, float) / 3  # the default float type, as float(x) is
        out[1] = qd.cast(y, int)  # the default int type: truncated


@pytest.mark.parametrize("default_fp", [qd.f32, qd.f64])
def test_cast_to_int_or_float_takes_the_default_types(default_fp):
    from qdmlir.frontend import config

    saved = config._current
    try:
        qd.init(arch=qd.cpu, default_fp=default_fp)
        out = np.zeros(2, np.float64)
        to_python_types(7, -2.75, out)
        third = np.float64(np.float32(7) / np.float32(3)) if default_fp is qd.f32 else 7 / 3
        assert out.tolist() == [third, -2.0]
        assert qd.cast(7, float) == 7.0 and qd.cast(-2.75, int) == -2  # the host agrees
    finally:
        config._current = saved
        qd.reset_cache()


@qd.kernel
def shifts_in_zeros(a: qd.i32, b: qd.u32, n: qd.i32, out: qd.types.ndarray(qd.i64, 1)):
    for _ in range(1):
        out[0] = qd.bit_shr(a, n)
        out[1] = a >> n  # arithmetic: the sign comes in
        out[2] = qd.bit_shr(b, n)


def test_bit_shr_is_a_logical_shift():
    out = np.zeros(3, np.int64)
    shifts_in_zeros(-256, 5, 2, out)
    assert out.tolist() == [(2**32 - 256) >> 2, -64, 1]
    assert qd.bit_shr(-256, 2) == (2**32 - 256) >> 2  # the host, at the default int's width


def test_int_and_float_annotations_are_the_default_types():
    from qdmlir.frontend import config

    saved = config._current
    try:
        qd.init(arch=qd.cpu, default_ip=qd.i64)

        @qd.kernel
        def product(x: float, y: float) -> int:
            return qd.cast(x, int) * int(y)

        # `-> int` and `qd.cast(x, int)` are i64 here: no wrap at 2**31
        assert product(23.3, 4.6) == 92 and product(1e9, 233.0) == 233 * 10**9
    finally:
        config._current = saved
        qd.reset_cache()


@qd.func
def truncated(a: qd.f32) -> qd.i32:
    return a  # one return at the end: still converted to the annotated type


@qd.func
def halved(a: int) -> float:
    return a / 2  # `a: int` takes the argument as the default int


@qd.kernel
def through_funcs(x: qd.f32, out: qd.types.ndarray(qd.f32, 1)):
    for _ in range(1):
        out[0] = truncated(x)
        out[1] = halved(x)


def test_a_qd_func_converts_its_arguments_and_result_to_their_annotations():
    out = np.zeros(2, np.float32)
    through_funcs(3.9, out)
    assert out.tolist() == [3.0, 1.5]
