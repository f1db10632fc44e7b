"""The CPU launcher: load an artifact's shared object with ctypes and call `qd_entry(words)`.

docs/architecture.md §5-§6. The word layout (runtime/abi.py) is fixed per specialisation; a
call re-packs only the arguments that are not the very objects of the previous call on the
same thread, writes the launch state into the buffer's last word, calls, and reads
`yielded_at` back. Each thread has its own buffer, so concurrent launches never share words or
state.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from . import abi, interrupts
from .artifact import ArgSpec, Manifest
from .cpu_args import NotContiguous, Words, make_packer
from .errors import KernelArgumentError


class ArtifactLoadError(RuntimeError):
    """The shared object cannot be loaded (missing, truncated, built for another machine)."""


class CpuLauncher:
    """Launches one compiled kernel specialisation: `launch(args, resume_point) -> yielded_at`."""

    def __init__(
        self,
        library: str | os.PathLike,
        args: Sequence[ArgSpec],
        *,
        kernel: str = "kernel",
        entry: str = "qd_entry",
        max_extent: int = 2**31 - 1,
    ):
        self.kernel = kernel
        self.args = [ArgSpec.coerce(a) for a in args]
        self.library = Path(library)
        loaded = load_library(self.library)
        self._entry = getattr(loaded, entry)
        # loops that check for Ctrl-C (runtime/interrupts.py): the launch checks the flag after
        self.interruptible = interrupts.attach(loaded)
        # no argtypes: the ctypes word array itself goes in, as a pointer (the fastest call form)
        self._entry.argtypes = None
        self._entry.restype = None
        self.layout = abi.WordLayout.of(self.args)
        self._packers = [
            make_packer(kernel, position, spec, word, max_extent)
            for position, (spec, word) in enumerate(zip(self.args, self.layout.offsets))
        ]
        self._local = threading.local()
        self.launch = self._make_launch("launch", "args, resume_point=0", "", "yielded_at", {})

    @classmethod
    def from_artifact(cls, directory: str | os.PathLike) -> CpuLauncher:
        """The launcher of the artifact in `directory` (a manifest.json plus its library)."""
        manifest = Manifest.read(directory)
        if manifest.target != "cpu":
            raise ArtifactLoadError(f"{directory}: a {manifest.target} artifact, not a cpu one")
        return cls(
            Path(directory) / manifest.library,
            manifest.args,
            kernel=manifest.kernel,
            entry=manifest.entry,
            max_extent=manifest.max_extent,
        )

    def _new_words(self) -> Words:
        words = Words(self.layout, len(self.args))
        self._local.words = words
        return words

    def _repack(self, words: Words, args: tuple) -> None:
        """Validate and write every argument that differs from this thread's previous call."""
        if len(args) != len(self.args):
            names = ", ".join(a.name for a in self.args)
            raise KernelArgumentError(
                f"kernel {self.kernel!r} takes {len(self.args)} arguments ({names}), got {len(args)}"
            )
        tokens = words.tokens
        for position, (value, pack) in enumerate(zip(args, self._packers)):
            if getattr(value, "_words", value) is not tokens[position]:
                tokens[position] = pack(words, value)

    def returning(self, table) -> Callable[[tuple, int], object]:
        """`run(args, resume_point) -> table[yielded_at + 1]`: the launch and the lookup of
        what the call returns in one generated function."""
        return self._make_launch(
            "launch", "args, resume_point=0", "", "table[yielded_at + 1]", {"table": table}
        )

    extracts = True  # `calling` takes apart compound arguments (runtime/launch.py Extraction)

    def calling(self, table, fallback, extraction=None) -> Callable[..., object]:
        """`__call__(kernel, *args, **kwargs) -> table[yielded_at + 1]` for a fresh launch:
        the whole steady call of a kernel in the one frame Python makes for calling it (the
        frontend installs it as the kernel's `__call__`). Keyword arguments go to
        `fallback(kernel, *args, **kwargs)`, the general path. With an `extraction` the
        arguments are first taken apart by its code (runtime/launch.py)."""
        if extraction is not None:
            return self._make_extracting_call(table, fallback, extraction)
        return self._make_launch(
            "__call__",
            "kernel, *args, **kwargs",
            "if kwargs:\n        return fallback(kernel, *args, **kwargs)\n    resume_point = 0",
            "table[yielded_at + 1]",
            {"table": table, "fallback": fallback},
            # a strided array has a specialisation of its own, which the general path finds
            other_layout="return fallback(kernel, *args)",
        )

    def _make_launch(
        self,
        name: str,
        parameters: str,
        prologue: str,
        result: str,
        names: dict,
        other_layout: str = "raise",
    ):
        """Generate a launch function with the identity checks unrolled: the per-call hot path.

        For argument i the check is `a<i>._words is tokens[i]` (a qd.ndarray) or
        `a<i> is tokens[i]` (a scalar); anything else (a numpy array: no `_words`) re-packs.
        The function `name(parameters)` runs `prologue`, launches the tuple `args` from
        `resume_point`, and returns `result`, an expression of `yielded_at` and `names`. An
        array whose layout this specialisation was not compiled for (cpu_args.NotContiguous)
        runs `other_layout` (by default it propagates to the kernel, which picks another).
        """
        count = len(self.args)
        before_entry, after_entry = self._interrupt_lines()
        unpack = "".join(f"a{i}, " for i in range(count))
        checks = " and ".join(
            f"a{i}._words is tokens[{i}]" if spec.kind == "ndarray" else f"a{i} is tokens[{i}]"
            for i, spec in enumerate(self.args)
        )
        same = f"{unpack}= args\n        same = {checks}" if count else "same = not args"
        state = self.layout.state
        source = f"""
def {name}({parameters}):
    {prologue or "pass"}
    try:
        words = local.words
    except AttributeError:
        words = new_words()
    tokens = words.tokens
    try:
        {same}
    except (AttributeError, ValueError):
        same = False
    if not same:
        try:
            repack(words, args)
        except NotContiguous:
            {other_layout}
    buffer = words.buffer
    buffer[{state}] = (resume_point & 0xFFFFFFFF) - 0x100000000  # abi.encode_state, inlined
    {before_entry}entry(buffer)
    yielded_at = buffer[{state}] >> 32  # abi.decode_yielded_at, inlined
    {after_entry}return {result}
"""
        namespace = {
            "local": self._local,
            "new_words": self._new_words,
            "repack": self._repack,
            "entry": self._entry,
            "NotContiguous": NotContiguous,
            **self._interrupt_names(),
            **names,
        }
        exec(compile(source, f"<qd launch {self.kernel}>", "exec"), namespace)
        function = namespace[name]
        function.__doc__ = f"Launch with the tuple `args`; return {result}."
        return function

    def _interrupt_lines(self) -> tuple[str, str]:
        """The generated launch's lines around `entry(buffer)` for a kernel with Ctrl-C checks
        (runtime/interrupts.py): ~0.1 us, nothing beside a launch whose loops can run long;
        none for other kernels."""
        if not self.interruptible:
            return "", ""
        return (
            "if getsignal(2) is not seen[0]:\n        ensure_handler()\n    ",
            "if interrupt.flag:\n        interrupted(kernel_name)\n    ",
        )

    def _interrupt_names(self) -> dict:
        return {
            "getsignal": interrupts.getsignal,
            "seen": interrupts.SEEN,
            "ensure_handler": interrupts.ensure_handler,
            "interrupt": interrupts.STATE,
            "interrupted": interrupts.interrupted,
            "kernel_name": self.kernel,
        }

    def _make_extracting_call(self, table, fallback, extraction) -> Callable[..., object]:
        """`calling` for compound arguments: the extraction's lines, its guards and the
        identity checks decide whether the buffer still holds this call's words; arguments
        that changed are checked and re-packed; anything unexpected goes to `fallback`."""
        count = len(self.args)
        checks = " and ".join(
            f"a{i}._words is tokens[{i}]" if spec.kind == "ndarray" else f"a{i} is tokens[{i}]"
            for i, spec in enumerate(self.args)
        )
        lines = "\n        ".join(extraction.lines)
        flat = "".join(f"a{i}, " for i in range(count))
        state = self.layout.state
        before_entry, after_entry = self._interrupt_lines()
        source = f"""
def __call__(kernel, *args, **kwargs):
    if kwargs:
        return fallback(kernel, *args, **kwargs)
    try:
        words = local.words
    except AttributeError:
        words = new_words()
    tokens = words.tokens
    try:
        {lines}
        fits = {extraction.guards}
    except (AttributeError, KeyError, TypeError, ValueError):
        return fallback(kernel, *args)
    if not fits:
        return fallback(kernel, *args)
    try:
        same = {checks or "True"}
    except AttributeError:  # a numpy array: no `_words`, re-packed on every call
        same = False
    if not same:
        try:
            if not ({extraction.checks}):
                return fallback(kernel, *args)
            repack(words, ({flat}))
        except (AttributeError, TypeError, ValueError, OverflowError):
            return fallback(kernel, *args)
    buffer = words.buffer
    buffer[{state}] = -0x100000000  # abi.encode_state(0), inlined
    {before_entry}entry(buffer)
    {after_entry}return table[(buffer[{state}] >> 32) + 1]  # abi.decode_yielded_at, inlined
"""
        namespace = {
            "local": self._local,
            "new_words": self._new_words,
            "repack": self._repack,
            "entry": self._entry,
            "table": table,
            "fallback": fallback,
            **self._interrupt_names(),
            **extraction.names,
        }
        exec(compile(source, f"<qd launch {self.kernel}>", "exec"), namespace)
        function = namespace["__call__"]
        function.__doc__ = "Take the call apart, launch it, return its status."
        return function


def load_library(path: Path) -> ctypes.CDLL:
    """dlopen `path`; if libomp is not found through its rpath (a moved venv), preload the
    installed one and retry. ArtifactLoadError says which file and why."""
    try:
        return ctypes.CDLL(str(path))
    except OSError as err:
        if "libomp" in str(err) and _preload_libomp():
            try:
                return ctypes.CDLL(str(path))
            except OSError as again:
                err = again
        raise ArtifactLoadError(f"cannot load the kernel library {path}: {err}") from None


def _preload_libomp() -> bool:
    for folder in sys.path:
        candidate = Path(folder or ".") / "cmeel.prefix" / "lib" / "libomp.so"
        if candidate.exists():
            ctypes.CDLL(str(candidate), mode=ctypes.RTLD_GLOBAL)
            return True
    return False


_HOST = None


def host_signature() -> str:
    """A short hex id of this machine's CPU model and features: CPU artifacts are built with
    -mcpu=native, so the frontend puts this into the cache key."""
    global _HOST
    if _HOST is None:
        text = ""
        try:
            with open("/proc/cpuinfo") as cpuinfo:
                for line in cpuinfo:
                    if line.startswith(("vendor_id", "model name", "flags")):
                        text += line
                    if not line.strip() and text:
                        break  # the first processor describes them all
        except OSError:
            pass
        text += sys.platform + os.uname().machine
        _HOST = hashlib.sha256(text.encode()).hexdigest()[:16]
    return _HOST
