"""Arrays of more than 2**31 - 1 elements (issue 17, item 2), on the CPU.

`x.shape[k]` and loop indices over it are the default int (i32 unless qd.init(default_ip=...)
says otherwise), as in Quadrants, so an axis longer than that type holds is refused before the
launch (it would wrap: Quadrants warns and computes garbage); an array with more elements than
that in all, each axis fitting, indexes correctly, since element offsets are computed in 64
bits (docs/kernel-language.md). With qd.init(default_ip=qd.i64) a 1-d array of 2**31 + 10
elements works too.

One 2 GiB int8 array (2**31 + 10 elements) serves every test of this module (as 1-d and as a
(6, 357913943) view); it is allocated once and freed when the module's tests end. A machine
with less than 6 GiB available skips them, saying so.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest

import qdmlir as qd
from qdmlir.frontend import config

SIZE = 2**31 + 10  # = 6 * 357913943
NEEDED_GIB = 6  # the array, plus what compiling and the test runner take, with room to spare


def available_gib() -> float:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


@pytest.fixture(scope="module")
def big():
    free = available_gib()
    if free < NEEDED_GIB:
        pytest.skip(
            f"a {SIZE}-element int8 array (2 GiB) needs {NEEDED_GIB} GiB available; "
            f"this machine has {free:.1f} GiB"
        )
    array = np.zeros(SIZE, np.int8)  # calloc: pages cost memory only once written
    yield array
    del array
    gc.collect()


@pytest.fixture
def wide_default_int():
    saved = config._current
    qd.init(arch=qd.cpu, default_ip=qd.i64)
    yield
    config._current = saved
    qd.reset_cache()


@qd.kernel
def mark_the_end(a: qd.types.ndarray(qd.i8, 1), out: qd.types.ndarray(qd.i64, 1)):
    for _ in range(1):
        out[0] = a.shape[0]
    for i in range(a.shape[0] - 3, a.shape[0]):
        a[i] = 7


@qd.kernel
def mark_each_row(m: qd.types.ndarray(qd.i8, 2), out: qd.types.ndarray(qd.i64, 1)):
    for _ in range(1):
        out[0] = m.shape[0]
        out[1] = m.shape[1]
    for i in range(m.shape[0]):
        m[i, m.shape[1] - 1] = i + 1


def test_an_axis_longer_than_the_default_int_is_refused_before_the_launch(big):
    out = np.zeros(1, np.int64)
    with pytest.raises(ValueError) as caught:
        mark_the_end(big, out)
    message = str(caught.value)
    assert f"argument 0 ('a'): axis 0 has {SIZE} elements" in message
    assert "x.reshape(2, -1)" in message and "qd.init(default_ip=qd.i64)" in message
    assert out[0] == 0 and not big[-3:].any()  # nothing ran


def test_more_elements_than_the_default_int_holds_index_correctly(big):
    m = big.reshape(6, SIZE // 6)  # each axis fits i32; the last offset is 2**31 + 9
    out = np.zeros(2, np.int64)
    try:
        mark_each_row(m, out)
        assert out.tolist() == [6, SIZE // 6]
        rows_ends = np.arange(1, 7) * (SIZE // 6) - 1
        assert big[rows_ends].tolist() == [1, 2, 3, 4, 5, 6]
        assert big[SIZE - 1] == 6
        assert np.count_nonzero(big[: 1 << 20]) == 0  # nothing wrapped to the front
    finally:
        big[rows_ends] = 0


def test_a_wider_default_int_takes_a_longer_axis(big, wide_default_int):
    out = np.zeros(1, np.int64)
    try:
        mark_the_end(big, out)
        assert out[0] == SIZE
        assert big[-4:].tolist() == [0, 7, 7, 7]
    finally:
        big[-3:] = 0
