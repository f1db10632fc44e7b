"""What `qd.init(debug=True)` checks leave in the `qd_debug` buffer, and the errors they raise.

In debug mode a CPU kernel takes the hidden argument `qd_debug` (runtime/abi.py), an
i64[DEBUG_WORDS] ndarray the launch zeroes first (docs/architecture.md §5). The frontend
guards every ndarray access with a test of each index against its dimension (frontend/emitter.py
`checked`); an access that fails is skipped (a read gives 0) and counted in word 0, and the
first one also writes its site number and its indices and sizes. The manifest's `debug_sites` say where each site is. After the launch a non-zero
count raises OutOfBoundsError (Quadrants' QuadrantsAssertionError, and an IndexError) naming the
kernel, file:line, array, index and shape. Without debug
none of this exists: no argument, no test, no cost.

This module runs on the launch path, so it imports neither xDSL nor MLIR.
"""

from __future__ import annotations

import linecache

import numpy as np

from .errors import OutOfBoundsError, QuadrantsAssertionError

MAX_DIMS = 8  # indices and sizes recorded per access (ndarrays have at most this many here)
COUNT_WORD, SITE_WORD, INDEX_WORD, SIZE_WORD = 0, 1, 2, 2 + MAX_DIMS
DEBUG_WORDS = 2 + 2 * MAX_DIMS


class DebugChecks:
    """The debug buffer of one launch, and the error its record describes."""

    def __init__(self, sites: list[dict], kernel_name: str):
        self.sites = sites
        self.kernel_name = kernel_name

    @staticmethod
    def buffer() -> np.ndarray:
        return np.zeros(DEBUG_WORDS, np.int64)

    def check(self, buffer: np.ndarray) -> None:
        """Raise OutOfBoundsError, ZeroDivisionError or QuadrantsAssertionError if the launch
        recorded a failed check."""
        if buffer[COUNT_WORD]:
            site = self.sites[int(buffer[SITE_WORD])]
            if site["access"] == "assert":
                raise QuadrantsAssertionError(self.describe(buffer))
            error = ZeroDivisionError if site["access"].startswith("integer") else OutOfBoundsError
            raise error(self.describe(buffer))

    def describe(self, buffer: np.ndarray) -> str:
        site = self.sites[int(buffer[SITE_WORD])]
        if site["access"] == "assert":
            return self.describe_assertion(site, buffer)
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
            f"kernel '{self.kernel_name}': Out of bound access: index {shown} is out of bounds for axis "
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

    def describe_assertion(self, site: dict, buffer: np.ndarray) -> str:
        """The assertion's own message first (as Quadrants raises it), then where it is."""
        message = format_message(site["message"], buffer[INDEX_WORD : INDEX_WORD + MAX_DIMS])
        where = f"{site['file']}:{site['line']}:{site['col']}"
        text = linecache.getline(site["file"], site["line"]).rstrip()
        message += f"\n(assertion failed in kernel '{self.kernel_name}' at {where})"
        if text:
            message += f"\n    {site['line']} | {text}"
        more = int(buffer[COUNT_WORD]) - 1
        if more:
            message += f"\nit failed {more} more time{'s' if more > 1 else ''} in this launch"
        return message

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


def format_message(message: dict, words: np.ndarray) -> str:
    """An assertion's message (frontend/assertions.py): its text, with its values decoded
    from the recorded words by type (f32 as numpy float32, so it prints as written)."""
    values, used = [], 0
    for kind, item in message["values"]:
        if kind == "constant":
            values.append(item)
            continue
        values.append(_decode(words[used : used + 1], item))
        used += 1
    style, text = message["style"], message["text"]
    try:
        if style == "format":
            return text.format(*values)
        if style == "percent":
            return text % tuple(values)
    except (ValueError, TypeError, IndexError, KeyError) as error:
        return f"{text} {tuple(values)} (the message did not format: {error})"
    return text


def _decode(word: np.ndarray, dtype: str):
    if dtype == "f32" or dtype == "f16":
        return word.view(np.float64)[0].astype(np.float32)
    if dtype == "f64":
        return float(word.view(np.float64)[0])
    if dtype.startswith("u"):
        return int(word.view(np.uint64)[0])
    return int(word[0])
