"""The flat `qd.graph_*` spellings: they work, and each kernel compile warns once, naming the
`qd.graph.*` spelling to use; the canonical spellings are silent (docs/kernel-language.md)."""

import warnings

import numpy as np
import pytest

import qdmlir as qd
from qdmlir import graph_do_while


def _countdown_flat():
    @qd.kernel(graph=True)
    def countdown(x: qd.types.ndarray(qd.i32, 1), c: qd.types.ndarray(qd.i32, 0)):
        while qd.graph_do_while(c):
            for i in range(x.shape[0]):
                x[i] += 1
            for _ in range(1):
                c[()] -= 1

    return countdown


def _deprecations(caught):
    # the compiler's own libraries may warn too on a cache miss: keep ours
    return [
        w
        for w in caught
        if issubclass(w.category, DeprecationWarning) and "qd.graph" in str(w.message)
    ]


def test_flat_do_while_works_and_warns_once_with_the_canonical_name():
    countdown = _countdown_flat()
    x, c = np.zeros(4, np.int32), np.array(3, np.int32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        countdown(x, c)
        countdown(x, c)  # the steady call compiles nothing: no second warning
    (warning,) = _deprecations(caught)
    assert str(warning.message) == (
        "kernel 'countdown' uses deprecated spellings that will be removed in a future release: "
        f"qd.graph_do_while() (line {warning.lineno}): use qd.graph.do_while() instead"
    )
    assert warning.filename == __file__  # at the use, in the user's file
    assert list(x) == [3, 3, 3, 3] and int(c) == 0


def test_each_compile_warns_again_cached_artifact_or_not():
    countdown = _countdown_flat()
    x, c = np.zeros(2, np.int32), np.array(1, np.int32)
    with pytest.warns(DeprecationWarning, match=r"qd\.graph\.do_while"):
        countdown(x, c)
    qd.reset_cache()  # forgets the loaded kernel; the next call loads it from the disk cache
    c[()] = 1
    with pytest.warns(DeprecationWarning, match=r"qd\.graph\.do_while"):
        countdown(x, c)


def test_the_canonical_spellings_do_not_warn():
    @qd.kernel(graph=True)
    def countdown(x: qd.types.ndarray(qd.i32, 1), c: qd.types.ndarray(qd.i32, 0)):
        while qd.graph.do_while(c):
            with qd.graph.parallel_context():
                with qd.graph.parallel():
                    for i in range(x.shape[0]):
                        x[i] += 1
            for _ in range(1):
                c[()] -= 1

    x, c = np.zeros(2, np.int32), np.array(2, np.int32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        countdown(x, c)
    assert _deprecations(caught) == []
    assert list(x) == [2, 2]


def test_one_warning_names_every_flat_construct_and_its_lines():
    @qd.kernel(graph=True)
    def two(x: qd.types.ndarray(qd.f32, 1), y: qd.types.ndarray(qd.f32, 1)):
        with qd.graph_parallel_context():
            with qd.graph_parallel():
                for i in range(x.shape[0]):
                    x[i] += 1.0
            with qd.graph_parallel():
                for i in range(y.shape[0]):
                    y[i] += 2.0

    first = two.fn.__code__.co_firstlineno + 1  # the line of `def two`
    x, y = np.zeros(2, np.float32), np.zeros(2, np.float32)
    with pytest.warns(DeprecationWarning) as caught:
        two(x, y)
    (warning,) = _deprecations(caught)
    message = str(warning.message)
    assert f"qd.graph_parallel_context() (line {first + 1}): use qd.graph.parallel_context()" in (
        message
    )
    assert f"qd.graph_parallel() (lines {first + 2}, {first + 5}): use qd.graph.parallel()" in (
        message
    )
    assert list(x) == [1.0, 1.0] and list(y) == [2.0, 2.0]


def test_a_bare_imported_flat_name_warns_too():
    @qd.kernel(graph=True)
    def countdown(c: qd.types.ndarray(qd.i32, 0)):
        while graph_do_while(c):
            for _ in range(1):
                c[()] -= 1

    with pytest.warns(DeprecationWarning, match=r"qd\.graph_do_while\(\) \(line \d+\)"):
        countdown(np.array(2, np.int32))
