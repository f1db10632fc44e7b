"""Ctrl-C stops a running CPU kernel (issue 17, item 5): runtime/interrupts.py and
passes/cpu_interrupt_checks.py.

Each case runs a fresh process whose kernel would never end (a do-while whose counter is never
cleared, a `while` in a task, a serial `for` over 2**31 - 1 iterations), sends it SIGINT from a
timer thread after 0.5 s, as a terminal's Ctrl-C would, and checks that the call raised
KeyboardInterrupt within a second, with the arrays as the tasks before the loop wrote them
and nothing after the loop run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

import qdmlir as qd

PRELUDE = """
import json, os, signal, sys, threading, time
import numpy as np
import qdmlir as qd

I1 = qd.types.ndarray(qd.i32, 1)
I0 = qd.types.ndarray(qd.i32, 0)


def ctrl_c_after(seconds):
    threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT)).start()


def interrupted(call, after=0.5):
    '''Run `call` with a Ctrl-C `after` seconds in; the seconds from it to KeyboardInterrupt.'''
    ctrl_c_after(after)
    start = time.perf_counter()
    try:
        call()
    except KeyboardInterrupt as error:
        return time.perf_counter() - start - after, str(error)
    return None, "returned"
"""


def run(tmp_path: Path, body: str) -> dict:
    script = tmp_path / "ctrl_c.py"
    script.write_text(PRELUDE + textwrap.dedent(body))
    env = {**os.environ, "QD_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_do_while_that_never_ends_stops_at_ctrl_c(tmp_path):
    out = run(
        tmp_path,
        """
        @qd.kernel(graph=True)
        def spin(x: I1, counter: I0, after: I0):
            for _ in range(1):
                x[0] = 5
            while qd.graph.do_while(counter):  # nothing clears the counter
                for i in range(x.shape[0]):
                    x[i] += 1
            for _ in range(1):
                after[()] = 1

        x, counter, after = np.zeros(4, np.int32), np.zeros((), np.int32), np.zeros((), np.int32)
        spin(x, counter, after)  # compile and warm up: one iteration
        x[:], counter[()], after[()] = 0, 1, 0
        late, message = interrupted(lambda: spin(x, counter, after))
        print(json.dumps({"late": late, "message": message, "x": x.tolist(),
                          "after": int(after[()])}))
        """,
    )
    assert out["late"] is not None, out["message"]
    assert 0 <= out["late"] < 1.0
    assert "kernel 'spin' was stopped by Ctrl-C" in out["message"]
    x = out["x"]
    assert x[0] > 5 + 1000 and x[1] > 1000  # the task before ran, the loop ran many times
    assert out["after"] == 0  # nothing after the interrupted loop ran


def test_a_while_in_a_task_and_a_long_serial_for_stop_too(tmp_path):
    out = run(
        tmp_path,
        """
        @qd.kernel
        def endless_while(x: I1):
            for i in range(x.shape[0]):
                while x[i] >= 0:  # never false
                    x[i] = x[i] % 1000 + 1

        @qd.kernel
        def long_for(x: I1, n: qd.i32):
            for _ in range(1):
                total = 0
                for i in range(n):
                    for j in range(n):
                        total = total ^ (i * j)
                x[0] = total

        x = np.zeros(2, np.int32)
        x[:] = -1
        endless_while(x)  # compile: nothing to do for negative values
        x[:] = 0
        while_late, _ = interrupted(lambda: endless_while(x))
        y = np.zeros(1, np.int32)
        long_for(y, 3)
        for_late, _ = interrupted(lambda: long_for(y, 2**31 - 1))
        print(json.dumps({"while": while_late, "for": for_late}))
        """,
    )
    assert out["while"] is not None and 0 <= out["while"] < 1.0
    assert out["for"] is not None and 0 <= out["for"] < 1.0


def test_ctrl_c_outside_kernels_and_python_handlers_keep_working(tmp_path):
    out = run(
        tmp_path,
        """
        @qd.kernel(graph=True)
        def spin(counter: I0):
            while qd.graph.do_while(counter):
                for _ in range(1):
                    counter[()] = counter[()] + 0

        counter = np.zeros((), np.int32)
        spin(counter)  # the kernels' handler is in front of Python's from here on
        seen = {}
        try:  # outside a kernel Ctrl-C is Python's, as before
            ctrl_c_after(0.1)
            time.sleep(2)
            seen["outside"] = "no KeyboardInterrupt"
        except KeyboardInterrupt:
            seen["outside"] = "KeyboardInterrupt"
        calls = []
        signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
        ctrl_c_after(0.1)
        time.sleep(0.5)
        seen["custom outside"] = len(calls)
        counter[()] = 1
        late, message = interrupted(lambda: spin(counter))  # the kernel still stops
        seen["custom kernel"] = late is not None and late < 1.0
        seen["custom calls after the kernel"] = len(calls)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        counter[()] = 1
        threading.Timer(0.3, lambda: counter.__setitem__((), 0)).start()
        late, message = interrupted(lambda: spin(counter), after=0.1)  # ignored, as set
        seen["ignored"] = message
        print(json.dumps(seen))
        """,
    )
    assert out["outside"] == "KeyboardInterrupt"
    assert out["custom outside"] == 1
    assert out["custom kernel"] is True
    assert out["custom calls after the kernel"] == 1  # the kernel's Ctrl-C was the kernel's
    assert out["ignored"] == "returned"


def test_a_kernel_on_another_thread_stops_and_the_main_thread_hears_it(tmp_path):
    out = run(
        tmp_path,
        """
        @qd.kernel(graph=True)
        def spin(counter: I0):
            while qd.graph.do_while(counter):
                for _ in range(1):
                    counter[()] = counter[()] + 0

        counter = np.zeros((), np.int32)
        spin(counter)
        counter[()] = 1
        worker = {}

        def launch():
            try:
                spin(counter)
                worker["result"] = "returned"
            except KeyboardInterrupt:
                worker["result"] = "KeyboardInterrupt"

        thread = threading.Thread(target=launch)
        thread.start()
        ctrl_c_after(0.5)
        main = "no KeyboardInterrupt"
        try:
            thread.join()
            time.sleep(1)
        except KeyboardInterrupt:
            main = "KeyboardInterrupt"
            thread.join()
        print(json.dumps({"worker": worker["result"], "main": main}))
        """,
    )
    assert out == {"worker": "KeyboardInterrupt", "main": "KeyboardInterrupt"}


@qd.kernel(graph=True, checkpoints=True)
def no_long_loops(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(0, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] += 1.0


@qd.kernel(graph=True)
def a_do_while(counter: qd.types.ndarray(qd.i32, 0)):
    while qd.graph.do_while(counter):
        for _ in range(1):
            counter[()] = counter[()] - 1


def test_only_kernels_with_long_loops_check_for_ctrl_c():
    # a kernel without such loops has no interrupt word and its steady call no check
    no_long_loops(np.zeros(4, np.float32), np.zeros((), np.int32))
    a_do_while(np.ones((), np.int32))
    plain = no_long_loops._only.call.__code__.co_names
    checked = a_do_while._only.call.__code__.co_names
    assert "interrupted" not in plain and "ensure_handler" not in plain
    assert "interrupted" in checked and "ensure_handler" in checked
