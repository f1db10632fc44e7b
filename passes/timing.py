"""Wall time per compile stage, for `qd-compile --timing` and bench/compile_time.py.

Standard library only: the driver, the pass pipeline's observer and the target builds all
record into one `StageTimes`, in the order the stages ran.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageTimes:
    """(stage, seconds) entries in run order; `stage(name)` times a `with` block."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, float]] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.entries.append((name, time.perf_counter() - started))

    def add(self, name: str, seconds: float) -> None:
        self.entries.append((name, seconds))

    def total(self) -> float:
        return sum(seconds for _, seconds in self.entries)
