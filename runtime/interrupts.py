"""Ctrl-C for running CPU kernels (docs/targets.md, CPU: "Stopping a kernel").

Python runs its signal handlers between bytecodes, and a kernel called through ctypes runs no
bytecode until it returns, so Ctrl-C alone cannot stop one. A kernel whose loops can run long
is compiled interruptible (passes/cpu_interrupt_checks.py): its loops read an interrupt flag
once per iteration (or per chunk of a serial `for`), and end the launch when it is set. The
flag lives here, in `STATE`, one per process:

    struct { int32 flag; int32 running; void (*previous)(int); }

Each interruptible library has a pointer `qd_interrupt_state` (set to STATE when it loads,
`attach`) and a C handler `qd_on_interrupt` (passes/targets/cpu_entry.py). Its `qd_entry`
counts itself in `running` (the first one clears the flag). The handler, installed for SIGINT
once (`ensure_handler`), sets the flag while a kernel is counted and otherwise calls the
handler it replaced, Python's: outside kernels Ctrl-C is exactly what it was. A launcher that
finds the flag set after its launch raises KeyboardInterrupt (`interrupted`).

Why not install and restore a handler around each launch: two sigaction calls cost about a
microsecond per launch, more than the whole host overhead of a steady call. The handler stays;
a Python-level `signal.signal(SIGINT, ...)` replaces it, which the next interruptible launch
notices (`signal.getsignal` differs from what it saw) and chains in front of again. A program
that set SIGINT to SIG_IGN or SIG_DFL keeps that: Ctrl-C is then ignored, or kills the process.

Linux x86-64 only (the struct sigaction layout below); elsewhere kernels run uninterruptible.
"""

from __future__ import annotations

import ctypes
import platform
import signal
import sys
import threading

# the C function: signal.getsignal wraps it in an enum conversion that costs ~3 us
from _signal import getsignal

FLAG_SYMBOL = "qd_interrupt_state"
HANDLER_SYMBOL = "qd_on_interrupt"


class InterruptState(ctypes.Structure):
    """What the kernels and the handler share (the layout cpu_entry.py's code reads)."""

    _fields_ = [
        ("flag", ctypes.c_int32),
        ("running", ctypes.c_int32),
        ("previous", ctypes.c_void_p),
    ]


STATE = InterruptState()


class _SigAction(ctypes.Structure):
    """glibc's struct sigaction on x86-64 (152 bytes)."""

    _fields_ = [
        ("handler", ctypes.c_void_p),
        ("mask", ctypes.c_ulong * 16),
        ("flags", ctypes.c_int),
        ("restorer", ctypes.c_void_p),
    ]


SA_SIGINFO = 4
_SIG_DFL, _SIG_IGN = 0, 1
_SUPPORTED = sys.platform == "linux" and platform.machine() in ("x86_64", "AMD64")

_lock = threading.Lock()
_handler: int | None = None  # the address of the first attached library's qd_on_interrupt
_keep: list = []  # that library: its handler must stay mapped
SEEN: list = [object()]
"""[the Python-level SIGINT handler when ours was last put in front of it]; launchers compare
`getsignal(SIGINT) is SEEN[0]` before each launch (~0.1 us)."""


def attach(library: ctypes.CDLL) -> bool:
    """Point an interruptible library at STATE; False for a library without interrupt checks."""
    global _handler
    try:
        pointer = ctypes.c_void_p.in_dll(library, FLAG_SYMBOL)
    except ValueError:
        return False
    pointer.value = ctypes.addressof(STATE)
    with _lock:
        if _handler is None:
            _handler = ctypes.cast(getattr(library, HANDLER_SYMBOL), ctypes.c_void_p).value
            _keep.append(library)
    return True


def ensure_handler() -> None:
    """Put the kernels' handler in front of whatever C handler SIGINT has now (Python's), once
    per change of the Python-level handler."""
    with _lock:
        current = getsignal(signal.SIGINT)
        if current is SEEN[0]:
            return
        SEEN[0] = current
        if not _SUPPORTED or _handler is None:
            return
        libc = ctypes.CDLL(None, use_errno=True)
        old = _SigAction()
        if libc.sigaction(signal.SIGINT, None, ctypes.byref(old)) != 0:
            return
        if old.handler == _handler:
            return  # ours already, in front of the same handler
        if old.handler in (None, _SIG_DFL, _SIG_IGN) or old.flags & SA_SIGINFO:
            return  # Ctrl-C ignored or fatal, as the program set it: leave it so
        STATE.previous = old.handler
        new = _SigAction.from_buffer_copy(old)  # same mask and flags as Python's own
        new.handler = _handler
        libc.sigaction(signal.SIGINT, ctypes.byref(new), None)


def interrupted(kernel: str) -> None:
    """Raise KeyboardInterrupt for a launch that found the flag set. The handler did not pass
    this Ctrl-C on to Python, so a launch on another thread also interrupts the main thread,
    as Python would have."""
    if threading.current_thread() is not threading.main_thread():
        import _thread

        _thread.interrupt_main()
    raise KeyboardInterrupt(
        f"kernel '{kernel}' was stopped by Ctrl-C (SIGINT): the tasks that finished kept "
        "their writes, the one running stopped at its next check, and nothing after it ran"
    )
