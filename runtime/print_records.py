"""What `print(...)` in a CPU kernel leaves behind, and how a launch prints it.

A kernel with a print takes the hidden argument `qd_print` (runtime/abi.py), an
i64[PRINT_WORDS] ndarray.
Word USED_WORD counts the words claimed by records, word DROPPED_WORD the records that did
not fit; records start at FIRST_RECORD_WORD, each `[site, value...]` with as many values as
the site prints, and END_OF_RECORDS follows the last one when the buffer overflowed. The
manifest's `print_sites` hold each site's text and value types (frontend/print_lowering.py
writes both). After every launch the launcher prints the records, then a line for any
dropped ones, so the output of a kernel appears when its launch returns.

This module runs on the launch path, so it imports neither xDSL nor MLIR.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

USED_WORD, DROPPED_WORD, FIRST_RECORD_WORD = 0, 1, 2
END_OF_RECORDS = -1  # written where the first record that does not fit would have started
PRINT_WORDS = 1 << 16  # 512 KiB: ~20,000 three-value prints per launch


class PrintRecords:
    """The print buffer of a launch, and the text its records make."""

    def __init__(self, sites: list[dict]):
        self.sites = sites
        self._local = threading.local()  # one buffer per thread, reused across its launches

    def buffer(self) -> np.ndarray:
        buffer = getattr(self._local, "buffer", None)
        if buffer is None:
            buffer = self._local.buffer = np.empty(PRINT_WORDS, np.int64)
        buffer[:FIRST_RECORD_WORD] = 0  # only the counters: records are read up to `used`
        return buffer

    def write(self, buffer: np.ndarray) -> None:
        """Print the launch's records to sys.stdout, as the kernel's print() calls made them."""
        sys.stdout.write(self.render(buffer))

    def render(self, buffer: np.ndarray) -> str:
        end = min(FIRST_RECORD_WORD + int(buffer[USED_WORD]), buffer.size)
        out, at = [], FIRST_RECORD_WORD
        while at < end and buffer[at] != END_OF_RECORDS:
            site = self.sites[int(buffer[at])]
            at += 1
            for kind, item in site["pieces"]:
                if kind == "text":
                    out.append(item)
                else:
                    out.append(_format(buffer[at : at + 1], item))
                    at += 1
        dropped = int(buffer[DROPPED_WORD])
        if dropped:
            out.append(
                f"[qdmlir] {dropped} more print(s) in this launch did not fit the "
                f"{PRINT_WORDS}-word print buffer and were dropped\n"
            )
        return "".join(out)


def _format(word: np.ndarray, dtype: str) -> str:
    """One recorded value as Quadrants prints it (C's printf): integers in full, bools as 1/0,
    f16/f32 with %f, f64 with %.12f."""
    if dtype in ("f16", "f32", "f64"):
        value = float(word.view(np.float64)[0])
        return f"{value:.12f}" if dtype == "f64" else f"{value:f}"
    if dtype.startswith("u"):
        return str(int(word.view(np.uint64)[0]))
    return str(int(word[0]))


def format_constant(value, float_type: str) -> str:
    """A compile-time argument of print: numbers as their run-time type would print."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.12f}" if float_type == "f64" else f"{value:f}"
    return str(value)
