"""The one timing rule every bench case uses, whichever implementation runs it."""

import statistics
import time


def per_call(fn, calls: int, batches: int = 9) -> float:
    """Median over `batches` of the mean seconds per call of `calls` back-to-back calls, after a
    warm-up of a tenth as many (compiles and caches never count)."""
    for _ in range(max(1, calls // 10)):
        fn()
    samples = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)
