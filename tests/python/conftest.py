"""Fixtures shared by the pytest files: a test that needs `qd.init(debug=True)` (or an explicit
release configuration) asks for `debug` (or `release`), which restores the configuration and
empties the kernel cache afterwards, so no other test sees debug-mode builds."""

from __future__ import annotations

import pytest

import qdmlir as qd
from qdmlir.frontend import config


def _configured(**options):
    saved = config._current
    qd.init(arch=qd.cpu, **options)
    yield
    config._current = saved
    qd.reset_cache()


@pytest.fixture
def debug():
    yield from _configured(debug=True)


@pytest.fixture
def release():
    yield from _configured(debug=False)
