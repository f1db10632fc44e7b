"""One call of a kernel specialisation: its hidden arguments, the launch, what the call returns.

`make_run(launcher, manifest, statuses)` gives `run(args, resume_point)`, the function a kernel
call ends in. Without hidden arguments it is the launcher's own generated function (the CPU's
returns the status directly: one Python frame per steady call). With them (runtime/abi.py:
`qd_result`, `qd_debug`, `qd_print`, in that order after the caller's arguments) each launch
gets fresh buffers, and afterwards prints what the kernel printed (also when the launch raised),
raises what the debug checks caught, and returns the kernel's result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import abi
from .artifact import Manifest
from .debug_checks import DebugChecks
from .print_records import PrintRecords

Run = Callable[[tuple, int], object]


class HiddenArguments:
    """The hidden arguments a manifest lists, as per-launch buffers in ABI order."""

    def __init__(self, manifest: Manifest):
        names = {a.name for a in manifest.args}
        result = abi.find(manifest.args, abi.RESULT)
        self.result_dtype = None if result is None else result.qd_dtype.np_dtype
        # `-> qd.math.vec3`: the result is a vector / matrix, returned as a host qd.Vector
        self.result_shape = () if result is None else result.element_shape
        self.debug = (
            DebugChecks(manifest.debug_sites, manifest.kernel) if abi.DEBUG.name in names else None
        )
        self.prints = PrintRecords(manifest.print_sites) if abi.PRINT.name in names else None

    def __bool__(self) -> bool:
        return bool(self.result_dtype is not None or self.debug or self.prints)

    def buffers(self) -> tuple:
        """Fresh buffers for one launch, in the order abi.HIDDEN gives."""
        made = []
        if self.result_dtype is not None:
            made.append(np.zeros(self.result_shape, self.result_dtype))
        if self.debug is not None:
            made.append(self.debug.buffer())
        if self.prints is not None:
            made.append(self.prints.buffer())
        return tuple(made)

    def run(self, launch: Callable[[tuple, int], int], statuses: Sequence) -> Run:
        """`run(args, resume_point)` around `launch(args, resume_point) -> yielded_at`."""
        result, debug, prints = self.result_dtype is not None, self.debug, self.prints

        def run(args: tuple, resume_point: int = 0):
            buffers = self.buffers()
            try:
                yielded_at = launch((*args, *buffers), resume_point)
            finally:  # a launch that raises still shows what it printed
                if prints is not None:
                    prints.write(buffers[-1])
            if debug is not None:
                debug.check(buffers[1 if result else 0])
            if not result:
                return statuses[yielded_at + 1]
            return _matrix(buffers[0]) if self.result_shape else buffers[0].item()

        return run


def _matrix(entries: np.ndarray):
    from .matrix import Matrix, Vector

    return Vector(entries) if entries.ndim == 1 else Matrix(entries)


@dataclass(frozen=True)
class Extraction:
    """How a call of a kernel with compound arguments becomes its flattened arguments, as code
    the launcher puts into its steady call (frontend/flatten.py writes it).

    `lines` run first, with `kernel` (the kernel, or the bound method object whose `.instance`
    is the first parameter) and `args` (the call's positional arguments) in scope; they assign
    `a0`, `a1`, ... in the manifest's argument order. `guards` must hold on every call (the
    compiled-in constants, the classes); `checks` must hold before arguments that changed are
    re-packed (field offsets). `names` are the objects the code reads. Any exception in
    them, a guard that fails or an argument the packers refuse sends the call to the
    fallback, the general path, which may compile another specialisation."""

    lines: tuple[str, ...]
    guards: str
    checks: str
    names: dict = field(default_factory=dict)


def make_call(
    launcher, manifest: Manifest, statuses: Sequence, fallback, extraction: Extraction | None = None
) -> Callable | None:
    """A kernel's whole steady call, `__call__(kernel, *args, **kwargs)`, where the launcher
    can generate one (the CPU's, for a specialisation without hidden arguments); else None.
    With an `extraction`, only a launcher that says it supports one generates it."""
    calling = getattr(launcher, "calling", None)
    if calling is None or HiddenArguments(manifest):
        return None
    if extraction is not None:
        if not getattr(launcher, "extracts", False):
            return None
        return calling(statuses, fallback, extraction)
    return calling(statuses, fallback)


def make_run(launcher, manifest: Manifest, statuses: Sequence) -> Run:
    """The function a call of this specialisation ends in (see the module docstring)."""
    hidden = HiddenArguments(manifest)
    if hidden:
        return hidden.run(launcher.launch, statuses)
    returning = getattr(launcher, "returning", None)
    if returning is not None:
        return returning(statuses)
    launch = launcher.launch
    return lambda args, resume_point=0: statuses[launch(args, resume_point) + 1]
