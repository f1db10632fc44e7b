"""Quadrants' exception classes (issue 17, item 8): qdmlir raises the class Quadrants raises for
the same mistake, and each is also the Python class qdmlir raised before, so both kinds of
`except` clause keep working (runtime/errors.py).

The expected classes were measured on Quadrants 1.3.3 (same kernels, same calls).
"""

from __future__ import annotations

import numpy as np
import pytest

import qdmlir as qd

# Quadrants 1.3.3's hierarchy: each class's bases there, in its MRO order
QUADRANTS_MRO = {
    "QuadrantsCompilationError": ["Exception"],
    "QuadrantsSyntaxError": ["QuadrantsCompilationError", "SyntaxError"],
    "QuadrantsTypeError": ["QuadrantsCompilationError", "TypeError"],
    "QuadrantsNameError": ["QuadrantsCompilationError", "NameError"],
    "QuadrantsIndexError": ["QuadrantsCompilationError", "IndexError", "LookupError"],
    "QuadrantsRuntimeError": ["RuntimeError"],
    "QuadrantsAssertionError": ["QuadrantsRuntimeError", "RuntimeError", "AssertionError"],
    "QuadrantsRuntimeTypeError": ["QuadrantsRuntimeError", "RuntimeError", "TypeError"],
}


@pytest.mark.parametrize("name", sorted(QUADRANTS_MRO))
def test_every_quadrants_class_is_exported_with_quadrants_bases(name):
    cls = getattr(qd, name)
    ours = [c.__name__ for c in cls.__mro__]
    for base in QUADRANTS_MRO[name]:
        assert base in ours, (name, ours)
    # Quadrants' order is kept: its bases appear in ours in the same relative order
    positions = [ours.index(base) for base in QUADRANTS_MRO[name]]
    assert positions == sorted(positions), (name, ours)


def test_compile_errors_stay_syntax_errors_except_the_name_error():
    # `except qd.QuadrantsSyntaxError` caught every compile error before these classes existed
    for name in ("QuadrantsTypeError", "QuadrantsIndexError"):
        assert issubclass(getattr(qd, name), qd.QuadrantsSyntaxError)
    # CPython cannot make a class both a NameError and a SyntaxError (instance layouts differ)
    assert not issubclass(qd.QuadrantsNameError, SyntaxError)


# -- compile-time mistakes -----------------------------------------------------------------------

I1 = qd.types.ndarray(qd.i32, 1)


@qd.kernel
def undefined_name(x: I1):
    for i in range(1):
        x[i] = not_defined_anywhere  # noqa: F821


@qd.kernel
def too_many_indices(x: I1):
    for i in range(1):
        x[i, 0] = 1


@qd.kernel
def float_index(x: I1):
    for i in range(1):
        x[1.5] = 1


@qd.kernel
def array_as_a_number(x: I1):
    for i in range(1):
        x[i] = x + 1


@qd.kernel
def shift_of_a_float(x: I1):
    for i in range(1):
        x[i] = 1.5 << i


@qd.kernel
def math_with_two_arguments(x: I1):
    for i in range(1):
        x[i] = qd.sqrt(1.0, 2.0)


@qd.kernel
def typed_literal_out_of_range(x: I1):
    for i in range(1):
        x[i] = qd.i32(3000000000)


@qd.kernel
def float_literal_as_int(x: I1):
    for i in range(1):
        x[i] = qd.i32(1.5)


@qd.kernel
def atomic_on_a_list(x: I1):
    for i in range(1):
        x[i] = qd.atomic_min([3, 2, 1], 2)


GLOBAL_WEIGHTS = qd.ndarray(qd.f32, (2, 2))


@qd.func
def first_weight(weights: qd.types.ndarray(qd.f32, 2)) -> qd.f32:
    return weights[0, 0]


@qd.kernel
def global_array_to_a_func(x: I1):
    for i in range(1):
        x[i] = qd.i32(first_weight(GLOBAL_WEIGHTS))


@qd.kernel
def body_for_two_axes(x: I1):
    for i, j in x:  # does not compile for its 1-d x: the launch's ndim check comes first
        x[i, j] = 0


# kernel -> (Quadrants' class, the builtin class qdmlir raised before it had that class)
COMPILE_ERRORS = {
    undefined_name: (qd.QuadrantsNameError, NameError),
    too_many_indices: (qd.QuadrantsIndexError, qd.QuadrantsSyntaxError),
    float_index: (qd.QuadrantsTypeError, qd.QuadrantsSyntaxError),
    array_as_a_number: (qd.QuadrantsTypeError, qd.QuadrantsSyntaxError),
    shift_of_a_float: (qd.QuadrantsTypeError, qd.QuadrantsSyntaxError),
    math_with_two_arguments: (qd.QuadrantsTypeError, qd.QuadrantsSyntaxError),
    typed_literal_out_of_range: (qd.QuadrantsTypeError, qd.QuadrantsSyntaxError),
    float_literal_as_int: (qd.QuadrantsTypeError, qd.QuadrantsSyntaxError),
    global_array_to_a_func: (qd.QuadrantsTypeError, qd.QuadrantsSyntaxError),
}


@pytest.mark.parametrize("kernel", COMPILE_ERRORS, ids=lambda k: k.__name__)
def test_a_compile_mistake_raises_quadrants_class_located(kernel):
    quadrants_class, former = COMPILE_ERRORS[kernel]
    with pytest.raises(quadrants_class) as caught:
        kernel(np.zeros(4, np.int32))
    error = caught.value
    assert isinstance(error, former) and isinstance(error, qd.QuadrantsCompilationError)
    # located like every compile error: the head names the class, the kernel and file:line
    message = str(error)
    assert message.startswith(f"{quadrants_class.__name__} in kernel '{kernel.__name__}' at ")
    assert error.span is not None and error.span.file == __file__


# -- mistakes in a kernel call -------------------------------------------------------------------


@qd.kernel
def takes_three(x: qd.types.ndarray(qd.f32, 1), n: qd.i32, h: qd.f32):
    for i in range(n):
        x[i] = h


def f32s(shape=4, dtype=np.float32):
    return np.zeros(shape, dtype)


# name -> (call, Quadrants' class, the class qdmlir raised before, a fragment of the message)
CALL_ERRORS = {
    "too_few": (lambda: takes_three(f32s(), 1), qd.QuadrantsSyntaxError, TypeError, "got 2"),
    "unknown_keyword": (
        lambda: takes_three(f32s(), 1, 1.0, y=2),
        qd.QuadrantsSyntaxError,
        TypeError,
        "unexpected keyword argument 'y'",
    ),
    "list_for_an_array": (
        lambda: takes_three([1.0], 1, 1.0),
        qd.QuadrantsRuntimeTypeError,
        TypeError,
        "got list",
    ),
    "none_for_an_array": (
        lambda: takes_three(None, 1, 1.0),
        qd.QuadrantsRuntimeTypeError,
        TypeError,
        "NoneType",
    ),
    "numpy_dtype": (
        lambda: takes_three(f32s(dtype=np.float64), 1, 1.0),
        ValueError,
        TypeError,
        "expected dtype float32",
    ),
    "numpy_ndim": (
        lambda: takes_three(f32s((2, 2)), 1, 1.0),
        ValueError,
        ValueError,
        "Invalid value for argument x - required ndim=1, but 2d ndarray with shape (2, 2) is",
    ),
    "qd_ndarray_ndim": (
        lambda: takes_three(qd.ndarray(qd.f32, (2, 2)), 1, 1.0),
        ValueError,
        TypeError,
        "required ndim=1, but 2d ndarray with shape (2, 2) is provided",
    ),
    "qd_ndarray_dtype": (
        lambda: takes_three(qd.ndarray(qd.i32, (4,)), 1, 1.0),
        TypeError,
        TypeError,
        "Expect element type f32 for argument x, but get i32 (<qd.ndarray i32[4]>)",
    ),
    "float_for_an_int": (
        lambda: takes_three(f32s(), 1.5, 1.0),
        qd.QuadrantsRuntimeTypeError,
        TypeError,
        "expected an integer for qd.i32",
    ),
    "string_for_a_float": (
        lambda: takes_three(f32s(), 1, "1"),
        qd.QuadrantsRuntimeTypeError,
        TypeError,
        "expected a real number for qd.f32",
    ),
}


def test_phrases_quadrants_tests_match():
    with pytest.raises(qd.QuadrantsTypeError, match=r"unsupported operand type\(s\) for '\+': `x`"):
        array_as_a_number(np.zeros(4, np.int32))
    with pytest.raises(qd.QuadrantsTypeError, match=r"unsupported operand type\(s\) for '<<'"):
        shift_of_a_float(np.zeros(4, np.int32))
    with pytest.raises(
        qd.QuadrantsSyntaxError,
        match="cannot use a non-writable target as the first operand of atomic_min",
    ):
        atomic_on_a_list(np.zeros(4, np.int32))
    with pytest.raises(
        qd.QuadrantsTypeError,
        match="Expected ndarray in the kernel argument for argument weights, got the global "
        "array `GLOBAL_WEIGHTS`",
    ):
        global_array_to_a_func(np.zeros(4, np.int32))


def test_a_wrong_ndim_is_refused_before_the_kernel_compiles():
    with pytest.raises(ValueError, match=r"required ndim=1, but 2d ndarray with shape \(4, 4\)"):
        body_for_two_axes(np.zeros((4, 4), np.int32))


def test_host_side_mistakes_raise_quadrants_classes():
    x = qd.ndarray(qd.f32, (4, 4))
    with pytest.raises(qd.QuadrantsIndexError, match=r"^2d ndarray indexed with 1d indices"):
        x[0]
    with pytest.raises(qd.QuadrantsIndexError, match=r"2d ndarray indexed with 3d indices"):
        x[0, 0, 0]
    for shape in (0, (1, 0), 2**31, 1.5):
        with pytest.raises(qd.QuadrantsRuntimeError, match="is not a valid shape for ndarray"):
            qd.ndarray(qd.i32, shape)
        with pytest.raises(ValueError):  # the class qdmlir raised before
            qd.ndarray(qd.i32, shape)


@pytest.mark.parametrize("name", sorted(CALL_ERRORS))
def test_a_call_mistake_raises_quadrants_class(name):
    call, quadrants_class, former, fragment = CALL_ERRORS[name]
    with pytest.raises(quadrants_class) as caught:
        call()
    assert isinstance(caught.value, former)
    assert fragment in str(caught.value)


def test_the_steady_call_raises_the_same_class_for_a_wrong_count():
    # a fully annotated kernel's later calls go straight to the launcher (runtime/cpu.py)
    takes_three(f32s(), 1, 1.0)
    for arguments in ((f32s(), 1), (f32s(), 1, 1.0, 2)):
        with pytest.raises(qd.QuadrantsSyntaxError) as caught:
            takes_three(*arguments)
        assert isinstance(caught.value, TypeError)
        assert "takes 3 argument" in str(caught.value)


@qd.kernel
def write_at(x: I1, n: qd.i32):
    for _ in range(1):
        x[n] = 1


def test_a_debug_bounds_check_is_quadrants_assertion_error_and_index_error(debug):
    with pytest.raises(qd.QuadrantsAssertionError) as caught:
        write_at(np.zeros(4, np.int32), 4)
    assert isinstance(caught.value, IndexError)
    # Quadrants' phrase first, which its tests match, then where and why
    assert "Out of bound access: index 4 is out of bounds for axis 0 of `x` with shape (4,)" in (
        str(caught.value)
    )
