"""Bounds checks for `qd.init(debug=True)`: the hidden debug argument and the IndexError.

In debug mode a CPU kernel gets one more argument after the user's (and after `qd_result`):
`qd_debug`, an i64[DEBUG_WORDS] ndarray the launcher zeroes before each launch
(docs/architecture.md §5). The frontend guards every ndarray access with a test of each index
against its dimension (frontend/emitter.py `checked`); an access that fails is skipped (a read
gives 0) and counted in word 0, and the first one also writes its site number and its indices
and sizes. The manifest's `debug_sites` say where each site is. After the launch a non-zero
count raises IndexError naming the kernel, file:line, array, index and shape. Without debug
none of this exists: no argument, no test, no cost.

This module runs on the launch path, so it imports neither xDSL nor MLIR.
"""

from __future__ import annotations

import linecache

import numpy as np

from qdmlir.runtime.artifact import ArgSpec

DEBUG_PARAMETER = "qd_debug"
MAX_DIMS = 8  # indices and sizes recorded per access (ndarrays have at most this many here)
COUNT_WORD, SITE_WORD, INDEX_WORD, SIZE_WORD = 0, 1, 2, 2 + MAX_DIMS
DEBUG_WORDS = 2 + 2 * MAX_DIMS


def debug_spec(kernel, cfg) -> list[ArgSpec]:
    """The hidden debug argument of a CPU kernel compiled with qd.init(debug=True)."""
    if not cfg.debug or cfg.arch.target != "cpu":
        return []
    if any(p.name == DEBUG_PARAMETER for p in kernel._parameters):
        from qdmlir.frontend.kernel import _annotation_error

        parameter = next(p for p in kernel._parameters if p.name == DEBUG_PARAMETER)
        raise _annotation_error(
            kernel,
            parameter,
            f"'{DEBUG_PARAMETER}' is a name qdmlir reserves for debug bounds checks",
        )
    return [ArgSpec(DEBUG_PARAMETER, "ndarray", "i64", 1)]


class CheckedLauncher:
    """Wraps a launcher: passes a fresh debug buffer last and raises IndexError after a launch
    that made an out-of-bounds access."""

    def __init__(self, launcher, sites: list[dict], kernel_name: str):
        self.launcher = launcher
        self.sites = sites
        self.kernel_name = kernel_name

    def launch(self, args: tuple, resume_point: int = 0) -> int:
        buffer = np.zeros(DEBUG_WORDS, np.int64)
        yielded_at = self.launcher.launch((*args, buffer), resume_point)
        if buffer[COUNT_WORD]:
            site = self.sites[int(buffer[SITE_WORD])]
            error = ZeroDivisionError if site["access"].startswith("integer") else IndexError
            raise error(self.describe(buffer))
        return yielded_at

    def describe(self, buffer: np.ndarray) -> str:
        site = self.sites[int(buffer[SITE_WORD])]
        if site["access"].startswith("integer"):
            return self.describe_division(site, buffer)
        ndim = min(int(site["ndim"]), MAX_DIMS)
        index = tuple(int(v) for v in buffer[INDEX_WORD : INDEX_WORD + ndim])
        shape = tuple(int(v) for v in buffer[SIZE_WORD : SIZE_WORD + ndim])
        bad = [axis for axis in range(ndim) if not 0 <= index[axis] < shape[axis]]
        where = f"{site['file']}:{site['line']}:{site['col']}"
        text = linecache.getline(site["file"], site["line"]).rstrip()
        shown = index[0] if ndim == 1 else index
        message = (
            f"kernel '{self.kernel_name}': index {shown} is out of bounds for axis "
            f"{bad[0] if bad else 0} of `{site['array']}` with shape {shape} "
            f"({site['access']} at {where})"
        )
        if text:
            message += f"\n    {site['line']} | {text}"
        more = int(buffer[COUNT_WORD]) - 1
        if more:
            message += (
                f"\n{more} more out-of-bounds access{'es were' if more > 1 else ' was'} "
                "skipped in this launch"
            )
        return message + (
            "\nthe access was skipped (a read gives 0); qd.init(debug=True) "
            "checks every index, so fix the index or the array's shape"
        )

    def describe_division(self, site: dict, buffer: np.ndarray) -> str:
        """`a // 0` or INT_MIN // -1: without debug these quietly give 0 and wrap."""
        a, b = int(buffer[INDEX_WORD]), int(buffer[INDEX_WORD + 1])
        op = site["access"].split()[-1]
        where = f"{site['file']}:{site['line']}:{site['col']}"
        why = "division by zero" if b == 0 else "overflow"
        message = f"kernel '{self.kernel_name}': {a} {op} {b} is an integer {why} (at {where})"
        text = linecache.getline(site["file"], site["line"]).rstrip()
        if text:
            message += f"\n    {site['line']} | {text}"
        return message + (
            "\nthe result was taken as 0; without debug it is 0 too (INT_MIN // -1 "
            "wraps), silently, so check the divisor"
        )
