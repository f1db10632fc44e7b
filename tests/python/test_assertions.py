"""`assert` in kernels (issue 17, item 7): checked under qd.init(debug=True), compiled out
otherwise, as in Quadrants (frontend/assertions.py, runtime/debug_checks.py).

Each failing case raises QuadrantsAssertionError (an AssertionError and a RuntimeError, as in
Quadrants) whose message starts with the assertion's own message, then says which kernel
and file:line, with the source line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import qdmlir as qd

I1 = qd.types.ndarray(qd.i32, 1)
F1 = qd.types.ndarray(qd.f32, 1)


def line_of(fragment: str) -> int:
    lines = Path(__file__).read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.rstrip().endswith(f"# {fragment}"))


@qd.kernel
def below(x: I1, limit: qd.i32):
    for i in range(x.shape[0]):
        assert x[i] < limit, "x is too big"  # MARK below


@qd.kernel
def formatted(x: I1, y: F1):
    for i in range(x.shape[0]):
        assert x[i] == 0, f"x[{i}] expect={0} got={x[i]}, y={y[i]:.2f} {{braces}}"


@qd.kernel
def percent(y: F1):
    for i in range(y.shape[0]):
        assert y[i] < 0, "y[%d] = %f" % (i, y[i])  # noqa: UP031 - the form under test


@qd.kernel
def no_message(x: I1):
    for i in range(x.shape[0]):
        assert x[i] + 1 > 1


@qd.kernel
def serial_code():
    x = 20
    assert 10 <= x < 20, "Foo bar"


@qd.kernel
def always_fails():
    assert False  # noqa: B011 - a kernel assertion, not Python's


@qd.func
def check_positive(v: qd.i32):
    assert v > 0, "not positive"  # MARK in_func


@qd.kernel
def through_a_func(x: I1):
    for i in range(x.shape[0]):
        check_positive(x[i])


def test_a_failing_assertion_raises_quadrants_assertion_error(debug):
    x = np.array([1, 2, 9, 3], np.int32)
    with pytest.raises(qd.QuadrantsAssertionError) as caught:
        below(x, 5)
    error = caught.value
    assert isinstance(error, AssertionError) and isinstance(error, RuntimeError)
    message = str(error)
    assert message.startswith("x is too big\n")
    assert (
        f"(assertion failed in kernel 'below' at {__file__}:{line_of('MARK below')}:9)" in message
    )
    assert 'assert x[i] < limit, "x is too big"' in message


def test_an_assertion_that_holds_is_silent(debug):
    below(np.array([1, 2, 3], np.int32), 5)


def test_every_failure_is_counted(debug):
    with pytest.raises(AssertionError, match="it failed 2 more times in this launch"):
        below(np.array([7, 8, 9], np.int32), 5)


def test_f_string_messages_show_run_time_values(debug):
    x = np.zeros(16, np.int32)
    x[10] = 42
    y = np.full(16, 0.25, np.float32)
    with pytest.raises(AssertionError, match=r"^x\[10\] expect=0 got=42, y=0.25 \{braces\}\n"):
        formatted(x, y)
    x[10] = 0
    formatted(x, y)  # the success case


def test_percent_formatted_messages(debug):
    with pytest.raises(AssertionError, match=r"^y\[1\] = 0.500000\n"):
        percent(np.array([-1.0, 0.5], np.float32))


def test_without_a_message_the_condition_is_the_message(debug):
    with pytest.raises(AssertionError, match=r"^x\[i\] \+ 1 > 1\n"):
        no_message(np.array([3, 0], np.int32))


def test_assertions_in_serial_code(debug):
    with pytest.raises(AssertionError, match="^Foo bar"):
        serial_code()
    with pytest.raises(AssertionError, match="^False"):
        always_fails()


def test_the_location_is_inside_the_qd_func(debug):
    with pytest.raises(AssertionError, match=rf"at {__file__}:{line_of('MARK in_func')}:5\)"):
        through_a_func(np.array([1, -1], np.int32))


def test_without_debug_an_assertion_is_compiled_out(release):
    # nothing checks it and nothing raises, as in Quadrants
    below(np.array([7, 8, 9], np.int32), 5)
    always_fails()


def test_without_debug_the_condition_is_not_evaluated(release):
    # the condition would read far outside the array: compiled out, it never runs
    @qd.kernel
    def reads_far(x: I1):
        for i in range(x.shape[0]):
            assert x[i + 1000000000] == 0

    reads_far(np.zeros(4, np.int32))


@qd.func
def bump(counter: qd.template()) -> qd.i32:
    counter[0] += 1
    return 0


def test_without_debug_a_condition_that_calls_still_runs(release):
    # the check is gone, the call's effect is not: Quadrants' tests count on it
    @qd.kernel
    def steps(counter: I1):
        for _ in range(1):
            assert bump(counter) == 0
            assert bump(counter) == 1  # would fail: not checked without debug mode

    counter = np.zeros(1, np.int32)
    steps(counter)
    assert counter[0] == 2


def test_an_assert_message_with_too_many_values_is_refused(debug):
    @qd.kernel
    def nine_values(x: I1):
        for i in range(1):
            assert x[i] == 0, f"{i}{i}{i}{i}{i}{i}{i}{i}{i}"

    with pytest.raises(qd.QuadrantsSyntaxError, match="formats at most 8 run-time values"):
        nine_values(np.zeros(1, np.int32))


def test_an_assert_message_that_is_not_a_string_is_refused(debug):
    @qd.kernel
    def numeric_message(x: I1):
        for i in range(1):
            assert x[i] == 0, x[i]

    with pytest.raises(qd.QuadrantsSyntaxError, match="an assert message must be a string"):
        numeric_message(np.zeros(1, np.int32))
