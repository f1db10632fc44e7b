"""qd.init(debug=True): every ndarray access is checked; a bad index is an IndexError that
names the kernel, file:line, array, index and shape, and the access is skipped instead of
corrupting memory. Off by default, and then nothing of it is compiled (runtime/debug_checks.py)."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

import qdmlir as qd
from qdmlir.frontend import config

I1 = qd.types.ndarray(qd.i32, 1)
I2 = qd.types.ndarray(qd.i32, 2)
I0 = qd.types.ndarray(qd.i32, 0)
F1 = qd.types.ndarray(qd.f32, 1)
THIS_FILE = inspect.getsourcefile(lambda: None)


def line_of(marker: str) -> int:
    lines = open(THIS_FILE).read().splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.rstrip().endswith(f"# {marker}"))


@qd.kernel
def shifted_read(x: I1, y: I1):
    for i in range(x.shape[0]):
        y[i] = x[i + 1]  # READ


@qd.kernel
def column_write(m: I2, k: qd.i32):
    for i in range(m.shape[0]):
        m[i, k] = 7  # WRITE


@qd.kernel
def scatter(x: I1, where: I1):
    for i in range(where.shape[0]):
        qd.atomic_add(x[where[i]], 1)  # ATOMIC


@qd.func
def fetch(x, i):
    return x[i]  # IN_FUNC


@qd.kernel
def through_a_func(x: I1, out: I1):
    for i in range(out.shape[0]):
        out[i] = fetch(x, i)


@qd.kernel
def serial_statement(x: I1, n: qd.i32):
    x[n] = 1  # SERIAL


@qd.kernel(graph=True, checkpoints=True)
def checkpointed(x: I1, flag: I0, k: qd.i32):
    with qd.checkpoint(3, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] += 1
            if i == 0 and k == 0:
                flag[()] = 1
    for i in range(x.shape[0]):
        x[i + k] += 10  # AFTER_RESUME


def test_an_out_of_bounds_read_is_an_index_error_with_kernel_line_index_and_shape(debug):
    x, y = np.arange(4, dtype=np.int32), np.zeros(4, np.int32)
    with pytest.raises(IndexError) as caught:
        shifted_read(x, y)
    message = str(caught.value)
    assert (
        "kernel 'shifted_read': Out of bound access: index 4 is out of bounds for axis 0 of "
        "`x` with shape (4,)" in message
    )
    assert f"{THIS_FILE}:{line_of('READ')}:" in message and "y[i] = x[i + 1]" in message
    assert list(y) == [1, 2, 3, 0]  # the bad read gave 0, the good ones ran


def test_an_out_of_bounds_write_is_skipped(debug):
    m = np.zeros((3, 2), np.int32)
    guard = np.full(16, 99, np.int32)  # memory a wild write could hit
    with pytest.raises(
        IndexError,
        match=r"index \(0, 2\) is out of bounds for axis 1 of `m` "
        r"with shape \(3, 2\) \(write at .*:\d+:\d+\)",
    ) as caught:
        column_write(m, 2)
    assert "2 more out-of-bounds accesses were skipped" in str(caught.value)
    assert not m.any() and (guard == 99).all()


def test_a_negative_index_is_out_of_bounds_too(debug):
    with pytest.raises(IndexError, match=r"index \(0, -1\) is out of bounds for axis 1"):
        column_write(np.zeros((3, 2), np.int32), -1)


def test_atomics_are_checked(debug):
    x = np.zeros(4, np.int32)
    at = line_of("ATOMIC")
    with pytest.raises(IndexError, match=rf"index 9 .* `x` .*atomic add at .*:{at}:"):
        scatter(x, np.array([0, 9, 1], np.int32))
    assert list(x) == [1, 1, 0, 0]


def test_the_location_is_inside_the_qd_func(debug):
    with pytest.raises(IndexError, match=rf"index 3 .*:{line_of('IN_FUNC')}:"):
        through_a_func(np.zeros(3, np.int32), np.zeros(4, np.int32))


def test_serial_statements_are_checked(debug):
    with pytest.raises(IndexError, match=rf"index 8 .*write at .*:{line_of('SERIAL')}:"):
        serial_statement(np.zeros(4, np.int32), 8)


def test_checks_in_a_checkpointed_kernel_and_its_resume(debug):
    x, flag = np.zeros(4, np.int32), np.zeros((), np.int32)
    status = checkpointed(x, flag, 0)
    assert status.yielded and list(x) == [1, 1, 1, 1]
    flag[()] = 0
    with pytest.raises(IndexError, match=rf"index 4 .*:{line_of('AFTER_RESUME')}:"):
        checkpointed.resume(x, flag, 1, from_checkpoint=3)
    assert list(x) == [2, 12, 12, 12]


def test_violations_from_many_threads_report_the_first_and_count_all(debug):
    n = 200_000  # past the parallel threshold: the tasks run on several threads
    x = np.arange(n, dtype=np.int32)
    with pytest.raises(IndexError) as caught:
        shifted_read(x, np.zeros(n, np.int32))  # one bad read, at i = n - 1
    assert f"index {n} is out of bounds" in str(caught.value)
    with pytest.raises(IndexError, match=rf"(?s)index \(\d+, 5\).*\n{n - 1} more out-of-bounds"):
        column_write(np.zeros((n, 2), np.int32), 5)
    m = np.zeros((n, 2), np.int32)
    column_write(m, 1)  # in bounds: no error
    assert (m[:, 1] == 7).all() and not m[:, 0].any()


def test_in_bounds_kernels_compute_the_same_with_and_without_checks(debug):
    x = np.arange(5, dtype=np.int32)
    where = np.array([4, 0, 4], np.int32)
    scatter(x, where)
    checked = x.copy()
    config._current = config.Config()
    qd.reset_cache()
    x = np.arange(5, dtype=np.int32)
    scatter(x, where)
    assert list(checked) == list(x) == [1, 1, 2, 3, 6]


def test_without_debug_nothing_is_compiled_in():
    from qdmlir.frontend.compiler import Compilation
    from qdmlir.runtime.artifact import ArgSpec

    args = [ArgSpec("x", "ndarray", "i32", 1), ArgSpec("y", "ndarray", "i32", 1)]
    plain = str(Compilation.for_kernel(shifted_read, args, config.Config()).kernel_ir())
    assert "qd_debug" not in plain and "atomic_rmw" not in plain and "scf.if" not in plain
    debug_args = [*args, ArgSpec("qd_debug", "ndarray", "i64", 1)]
    checked = Compilation.for_kernel(shifted_read, debug_args, config.Config(debug=True))
    text = str(checked.kernel_ir())
    assert "cmpi ult" in text and "atomic_rmw" in text
    assert [s["array"] for s in checked.debug_sites] == ["x", "y"]


def test_qd_debug_is_a_reserved_parameter_name(debug):
    @qd.kernel
    def takes_it(qd_debug: I1):
        for i in range(qd_debug.shape[0]):
            qd_debug[i] = 0

    with pytest.raises(qd.QuadrantsSyntaxError, match="'qd_debug' is a name qdmlir reserves"):
        takes_it(np.zeros(2, np.int32))


def test_the_same_kernel_source_in_two_places_reports_its_own_line(debug, tmp_path):
    import importlib.util
    import sys

    body = (
        "import qdmlir as qd\n\n\n@qd.kernel\ndef read(x: qd.types.ndarray(qd.i32, 1), "
        "i: qd.i32):\n    for _ in range(1):\n        x[0] = x[i]\n"
    )
    lines = []
    for name, padding in (("first_copy", ""), ("second_copy", "\n\n\n\n")):
        path = tmp_path / f"{name}.py"
        path.write_text(padding + body)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        with pytest.raises(IndexError) as caught:
            module.read(np.zeros(2, np.int32), 5)
        lines.append(re.search(rf"{name}\.py:(\d+):", str(caught.value)).group(1))
    assert lines == ["7", "11"]


@qd.kernel
def divide(a: I1, b: I1, out: I1):
    for i in range(a.shape[0]):
        out[i] = a[i] // b[i] + a[i] % b[i]  # DIVIDE


@pytest.mark.parametrize(
    "a, b, text",
    [
        ([7, 8], [2, 0], "8 // 0 is an integer division by zero"),
        ([-(2**31), 1], [-1, 1], "-2147483648 // -1 is an integer overflow"),
    ],
)
def test_integer_division_that_would_trap_is_a_zero_division_error(debug, a, b, text):
    # without debug these give 0 (and wrap) silently, where x86's idiv would raise SIGFPE
    out = np.full(2, 5, np.int32)
    with pytest.raises(ZeroDivisionError) as caught:
        divide(np.array(a, np.int32), np.array(b, np.int32), out)
    assert text in str(caught.value) and f":{line_of('DIVIDE')}:" in str(caught.value)
    assert "without debug it is 0 too" in str(caught.value)
    good = 1 - b.index(0 if 0 in b else -1)
    assert out[good] == a[good] // b[good] + a[good] % b[good]


def test_checked_division_computes_pythons_floor_division(debug):
    a, b, out = np.array([7, -7], np.int32), np.array([2, 3], np.int32), np.zeros(2, np.int32)
    divide(a, b, out)
    assert list(out) == [7 // 2 + 7 % 2, -7 // 3 + -7 % 3]
