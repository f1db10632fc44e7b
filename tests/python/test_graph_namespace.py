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


def test_a_bare_imported_flat_name_warns_too():
    @qd.kernel(graph=True)
    def countdown(c: qd.types.ndarray(qd.i32, 0)):
        while graph_do_while(c):
            for _ in range(1):
                c[()] -= 1

    with pytest.warns(DeprecationWarning, match=r"qd\.graph_do_while\(\) \(line \d+\)"):
        countdown(np.array(2, np.int32))
