"""docs/semantics.md on the CPU: numbering, launch rules 1-6, and the user guide's host loops.

Expected values are worked out from the rules by hand in each test's comment; where qdmlir goes
beyond Quadrants the test says so.
"""

from enum import IntEnum

import numpy as np
import pytest

import qdmlir as qd

I32_0D = qd.types.ndarray(qd.i32, 0)
I32_1D = qd.types.ndarray(qd.i32, 1)


def scalar(value=0):
    cell = qd.ndarray(qd.i32, ())
    cell[()] = value
    return cell


def zeros(n):
    array = qd.ndarray(qd.i32, (n,))
    array.fill(0)
    return array


class CP(IntEnum):
    LOAD = 0
    SIM = 2
    AFTER_SIM = 3


class Stage(IntEnum):
    A = 7
    B = 3


MODULE_LABEL = 42


# -- numbering ---------------------------------------------------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def numbered(x: I32_1D, flag: I32_0D):
    for _ in range(1):
        x[0] += 1
    with qd.checkpoint(10, yield_on=flag):
        for _ in range(1):
            x[1] += 1
    for _ in range(1):
        x[2] += 1
    with qd.checkpoint(20, yield_on=flag):
        for _ in range(1):
            x[3] += 1


def test_numbering_follows_the_design_example():
    from qdmlir.frontend.compiler import Compilation
    from qdmlir.runtime.artifact import ArgSpec

    args = [ArgSpec("x", "ndarray", "i32", 1), ArgSpec("flag", "ndarray", "i32", 0)]
    compilation = Compilation.for_kernel(numbered, args)
    compilation.lowered_ir()
    assert [s.label for s in compilation.slots] == [None, 10, None, 20]
    assert [s.yield_on for s in compilation.slots] == [None, "flag", None, "flag"]


def test_resume_from_a_label_skips_earlier_slots_including_implicit_ones():
    x, flag = zeros(4), scalar()
    status = numbered.resume(x, flag, from_checkpoint=20)
    assert status == qd.GraphStatus(False, None)
    assert list(x.to_numpy()) == [0, 0, 0, 1]


# -- sequential resume: "this" and "next" ------------------------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def seq_this(a: I32_1D, b: I32_1D, c: I32_1D, flag: I32_0D):
    with qd.checkpoint(CP.LOAD, yield_on=flag):
        for i in range(a.shape[0]):
            a[i] += 1
    for i in range(b.shape[0]):
        b[i] += 1
    for i in range(c.shape[0]):
        c[i] += 1


@qd.kernel(graph=True, checkpoints=True)
def seq_next(a: I32_1D, b: I32_1D, c: I32_1D, flag: I32_0D, zero: I32_0D):
    for i in range(a.shape[0]):
        a[i] += 1
    with qd.checkpoint(CP.SIM, yield_on=flag):
        for i in range(b.shape[0]):
            b[i] += 1
    with qd.checkpoint(CP.AFTER_SIM, yield_on=zero):
        for i in range(c.shape[0]):
            c[i] += 1


def test_resume_this_reruns_the_yielding_checkpoint():
    a, b, c, flag = zeros(8), zeros(8), zeros(8), scalar(1)
    status = seq_this(a, b, c, flag)
    # LOAD ran (a=1), its flag was set: nothing after it ran; the flag is the user's (rule 4)
    assert status.yielded and status.checkpoint is CP.LOAD
    assert (a[0], b[0], c[0], flag[()]) == (1, 0, 0, 1)
    callbacks = 0
    while status.yielded:
        callbacks += 1
        flag[()] = 0
        status = seq_this.resume(a, b, c, flag, from_checkpoint=status.checkpoint)
    assert callbacks == 1
    assert status == qd.GraphStatus(False, None) and repr(status) == "GraphStatus(yielded=False)"
    assert (a[0], b[0], c[0]) == (2, 1, 1)


def test_resume_next_continues_after_the_yielding_checkpoint():
    a, b, c, flag, zero = zeros(8), zeros(8), zeros(8), scalar(1), scalar(0)
    status = seq_next(a, b, c, flag, zero)
    assert status.checkpoint is CP.SIM and (a[0], b[0], c[0]) == (1, 1, 0)
    flag[()] = 0
    status = seq_next.resume(a, b, c, flag, zero, from_checkpoint=CP.AFTER_SIM)
    assert not status.yielded and (a[0], b[0], c[0]) == (1, 1, 1)


def test_a_flag_left_set_yields_again_on_every_resume():
    a, b, c, flag = zeros(8), zeros(8), zeros(8), scalar(1)
    status = seq_this(a, b, c, flag)
    for _ in range(3):
        status = seq_this.resume(a, b, c, flag, from_checkpoint=status.checkpoint)
    assert status.checkpoint is CP.LOAD and (a[0], b[0], c[0]) == (4, 0, 0)


def test_resume_accepts_the_plain_int_of_an_intenum_label():
    a, b, c, flag = zeros(8), zeros(8), zeros(8), scalar(0)
    status = seq_this.resume(a, b, c, flag, from_checkpoint=0)
    assert not status.yielded and (a[0], b[0], c[0]) == (1, 1, 1)


# -- in-loop resume -----------------------------------------------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def loop_this(a: I32_1D, b: I32_1D, c: I32_1D, counter: I32_0D, flag: I32_0D):
    while qd.graph.do_while(counter):
        for i in range(a.shape[0]):
            a[i] += 1
        with qd.checkpoint(CP.SIM, yield_on=flag):
            for i in range(b.shape[0]):
                b[i] += 1
        for i in range(c.shape[0]):
            c[i] += 1
        for _ in range(1):
            counter[()] = counter[()] - 1


@qd.kernel(graph=True, checkpoints=True)
def loop_next(a: I32_1D, b: I32_1D, c: I32_1D, counter: I32_0D, flag: I32_0D, zero: I32_0D):
    while qd.graph.do_while(counter):
        for i in range(a.shape[0]):
            a[i] += 1
        with qd.checkpoint(CP.SIM, yield_on=flag):
            for i in range(b.shape[0]):
                b[i] += 1
        with qd.checkpoint(CP.AFTER_SIM, yield_on=zero):
            for i in range(c.shape[0]):
                c[i] += 1
            for _ in range(1):
                counter[()] = counter[()] - 1


def test_in_loop_resume_this_is_partial_only_in_its_first_iteration():
    a, b, c, counter, flag = zeros(8), zeros(8), zeros(8), scalar(3), scalar(1)
    status = loop_this(a, b, c, counter, flag)
    # iteration 1: a=1, SIM ran (b=1) and yielded: the loop exits at once (rule 3)
    assert status.checkpoint is CP.SIM and (a[0], b[0], c[0], counter[()]) == (1, 1, 0, 3)
    flag[()] = 0
    status = loop_this.resume(a, b, c, counter, flag, from_checkpoint=CP.SIM)
    # first iteration skips a; the two later ones run whole: a=3, b=4, c=3
    assert not status.yielded and (a[0], b[0], c[0], counter[()]) == (3, 4, 3, 0)


def test_in_loop_resume_next():
    a, b, c, counter, flag, zero = zeros(8), zeros(8), zeros(8), scalar(3), scalar(1), scalar(0)
    status = loop_next(a, b, c, counter, flag, zero)
    assert status.checkpoint is CP.SIM and (a[0], b[0], c[0]) == (1, 1, 0)
    flag[()] = 0
    status = loop_next.resume(a, b, c, counter, flag, zero, from_checkpoint=CP.AFTER_SIM)
    assert not status.yielded and (a[0], b[0], c[0], counter[()]) == (3, 3, 3, 0)


@qd.kernel(graph=True, checkpoints=True)
def late_yield(a: I32_1D, counter: I32_0D, flag: I32_0D, it: I32_0D):
    while qd.graph.do_while(counter):
        with qd.checkpoint(0, yield_on=flag):
            for _ in range(1):
                it[()] += 1
                if it[()] == 2:
                    flag[()] = 1
        for _ in range(1):
            a[0] += 1
            counter[()] -= 1


def test_a_yield_in_a_later_iteration_exits_the_loop_there():
    a, counter, flag, it = zeros(1), scalar(4), scalar(0), scalar(0)
    status = late_yield(a, counter, flag, it)
    assert status.yielded and status.checkpoint == 0
    assert (it[()], a[0], counter[()]) == (2, 1, 3)
    flag[()] = 0
    status = late_yield.resume(a, counter, flag, it, from_checkpoint=0)
    assert not status.yielded and (it[()], a[0], counter[()]) == (5, 4, 0)


# -- first wins, labels, identity --------------------------------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def two(x: I32_1D, f1: I32_0D, f2: I32_0D, f3: I32_0D):
    with qd.checkpoint(Stage.A, yield_on=f1):
        for _ in range(1):
            x[0] += 1
    with qd.checkpoint(Stage.B, yield_on=f2):
        for _ in range(1):
            x[1] += 1
    for _ in range(1):
        x[2] += 1
    with qd.checkpoint(MODULE_LABEL, yield_on=f3):
        for _ in range(1):
            x[3] += 1


def test_the_first_yielder_in_source_order_wins():
    x, f1, f2, f3 = zeros(4), scalar(1), scalar(1), scalar(0)
    status = two(x, f1, f2, f3)
    assert status.checkpoint is Stage.A and list(x.to_numpy()) == [1, 0, 0, 0]
    assert (f1[()], f2[()]) == (1, 1)  # rule 4: flags are never written by the framework
    f1[()] = 0
    status = two.resume(x, f1, f2, f3, from_checkpoint=status.checkpoint)
    assert status.checkpoint is Stage.B and list(x.to_numpy()) == [2, 1, 0, 0]
    f2[()] = 0
    status = two.resume(x, f1, f2, f3, from_checkpoint=status.checkpoint)
    assert not status.yielded and list(x.to_numpy()) == [2, 2, 1, 1]


def test_labels_are_names_not_positions():
    x, f1, f2, f3 = zeros(4), scalar(0), scalar(0), scalar(0)
    two.resume(x, f1, f2, f3, from_checkpoint=3)  # Stage.B == 3 comes after Stage.A == 7
    assert list(x.to_numpy()) == [0, 1, 1, 1]
    x.fill(0)
    two.resume(x, f1, f2, f3, from_checkpoint=MODULE_LABEL)
    assert list(x.to_numpy()) == [0, 0, 0, 1]


def test_module_level_int_label_comes_back_as_that_int():
    x, f1, f2, f3 = zeros(4), scalar(0), scalar(0), scalar(1)
    status = two(x, f1, f2, f3)
    assert status.checkpoint == 42 and type(status.checkpoint) is int
    assert repr(status) == "GraphStatus(yielded=True, checkpoint=42)"


def test_intenum_label_comes_back_as_the_member_itself():
    x, f1, f2, f3 = zeros(4), scalar(1), scalar(0), scalar(0)
    status = two(x, f1, f2, f3)
    assert status.checkpoint is Stage.A
    assert repr(status) == "GraphStatus(yielded=True, checkpoint=<Stage.A: 7>)"


# -- beyond Quadrants: rules 1 and 2 -----------------------------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def two_tasks(x: I32_1D, flag: I32_0D):
    with qd.checkpoint(1, yield_on=flag):
        for _ in range(1):
            x[0] += 1
            flag[()] = 1
        for _ in range(1):
            x[1] += 1
    x[2] += 1


def test_a_yield_skips_the_rest_of_its_checkpoint_and_all_serial_statements():
    x, flag = zeros(3), scalar(0)
    status = two_tasks(x, flag)
    # rule 2: the flag is read after each task, so the second task never runs; rule 1: the
    # serial statement after the checkpoint does not run either
    assert status.checkpoint == 1 and list(x.to_numpy()) == [1, 0, 0]


@qd.kernel(graph=True, checkpoints=True)
def bare_in_loop(c: I32_1D, counter: I32_0D, flag: I32_0D, trig: I32_0D):
    while qd.graph.do_while(counter):
        c[0] += 1
        with qd.checkpoint(0, yield_on=flag):
            for _ in range(1):
                c[1] += 1
                if trig[()] == c[1]:
                    flag[()] = 1
        c[2] += 1
        counter[()] = counter[()] - 1


def test_serial_statements_in_a_loop_run_every_iteration_and_never_after_a_yield():
    c, counter, flag, trig = zeros(3), scalar(3), scalar(0), scalar(2)
    status = bare_in_loop(c, counter, flag, trig)
    # iteration 1 runs whole; iteration 2 yields in the checkpoint: c[2] and the decrement
    # after it are skipped (Quadrants would still run them)
    assert status.checkpoint == 0 and list(c.to_numpy()) == [2, 2, 1] and counter[()] == 2
    flag[()] = 0
    status = bare_in_loop.resume(c, counter, flag, trig, from_checkpoint=0)
    # c[0] is a serial statement: it runs on the resume too; two more iterations follow
    assert not status.yielded and list(c.to_numpy()) == [4, 4, 3] and counter[()] == 0


# -- nested do-while ---------------------------------------------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def nested_cp(c: I32_1D, outer: I32_0D, inner: I32_0D, flag: I32_0D, trig: I32_0D):
    while qd.graph.do_while(outer):
        for _ in range(1):
            inner[()] = 2
            c[0] += 1
        while qd.graph.do_while(inner):
            with qd.checkpoint(10, yield_on=flag):
                for _ in range(1):
                    c[1] += 1
                    if c[1] == trig[()]:
                        flag[()] = 1
            for _ in range(1):
                c[2] += 1
                inner[()] -= 1
        for _ in range(1):
            c[3] += 1
            outer[()] -= 1


def test_nested_do_while_yield_and_resume():
    c, outer, inner, flag, trig = zeros(4), scalar(2), scalar(0), scalar(0), scalar(3)
    status = nested_cp(c, outer, inner, flag, trig)
    # the third inner body (outer iteration 2, inner iteration 1) yields; both loops exit
    assert status.checkpoint == 10 and list(c.to_numpy()) == [2, 3, 2, 1]
    assert (outer[()], inner[()]) == (1, 2)
    flag[()] = 0
    status = nested_cp.resume(c, outer, inner, flag, trig, from_checkpoint=10)
    assert not status.yielded and list(c.to_numpy()) == [2, 5, 4, 2]
    assert (outer[()], inner[()]) == (0, 0)


@qd.kernel(graph=True)
def nested_counts(x: I32_1D, outer: I32_0D, inner: I32_0D):
    for i in range(x.shape[0]):
        x[i] = x[i] + 100
    while qd.graph.do_while(outer):
        inner[()] = 5
        while qd.graph.do_while(inner):
            for i in range(x.shape[0]):
                x[i] = x[i] + 1
            inner[()] = inner[()] - 1
        outer[()] = outer[()] - 1


def test_nested_do_while_from_the_user_guide():
    x, outer, inner = zeros(4), scalar(3), scalar(0)
    assert nested_counts(x, outer, inner) is None  # graph=True without checkpoints: None
    assert list(x.to_numpy()) == [115] * 4 and (outer[()], inner[()]) == (0, 0)


@qd.kernel(graph=True)
def once(x: I32_1D, flag: I32_0D):
    while qd.graph.do_while(flag):
        for _ in range(1):
            x[0] += 1


def test_a_do_while_body_runs_once_even_when_the_condition_starts_at_zero():
    x, flag = zeros(1), scalar(0)
    once(x, flag)
    assert x[0] == 1


@qd.kernel(graph=True)
def converge(x: qd.types.ndarray(qd.f32, 1), keep_going: I32_0D):
    while qd.graph.do_while(keep_going):
        for i in range(x.shape[0]):
            x[i] = x[i] * 0.5
        if x[0] < 0.01:
            keep_going[()] = 0


def test_converge_loop_from_the_user_guide():
    x = qd.ndarray(qd.f32, (4,))
    x.fill(1.0)
    converge(x, scalar(1))
    assert x[0] == pytest.approx(2.0**-7)


# -- launch state is private to a launch (beyond Quadrants) ------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def yields_at_once(x: I32_1D, flag: I32_0D):
    with qd.checkpoint(5, yield_on=flag):
        for _ in range(1):
            x[0] += 1


@qd.kernel(graph=True, checkpoints=True)
def counts_three(x: I32_1D, counter: I32_0D):
    while qd.graph.do_while(counter):
        for _ in range(1):
            x[1] += 1
            counter[()] -= 1


def test_a_yield_does_not_leak_into_the_next_kernel():
    x, flag, counter = zeros(2), scalar(1), scalar(3)
    assert yields_at_once(x, flag).yielded
    status = counts_three(x, counter)
    assert status == qd.GraphStatus(False, None) and x[1] == 3


# -- rule 5 and 6: statuses and resume errors --------------------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def no_explicit(x: I32_1D):
    for i in range(x.shape[0]):
        x[i] += 1


def test_a_checkpoints_kernel_without_explicit_checkpoints_still_returns_a_status():
    x = zeros(2)
    status = no_explicit(x)
    assert isinstance(status, qd.GraphStatus)
    assert status.yielded is False and status.checkpoint is None


def test_resume_on_a_never_launched_kernel():
    @qd.kernel(graph=True, checkpoints=True)
    def fresh(x: I32_1D, flag: I32_0D):
        for _ in range(1):
            x[0] += 1
        with qd.checkpoint(1, yield_on=flag):
            for _ in range(1):
                x[1] += 1

    x, flag = zeros(2), scalar(0)
    status = fresh.resume(x, flag, from_checkpoint=1)
    assert not status.yielded and list(x.to_numpy()) == [0, 1]


@pytest.mark.parametrize("label", ["A", 1.5, None, object()])
def test_resume_with_a_non_int_label(label):
    with pytest.raises(RuntimeError, match="must be an int or IntEnum value"):
        two.resume(zeros(4), scalar(), scalar(), scalar(), from_checkpoint=label)


def test_resume_with_an_unknown_label_lists_the_available_ones():
    with pytest.raises(RuntimeError) as caught:
        two.resume(zeros(4), scalar(), scalar(), scalar(), from_checkpoint=99)
    message = str(caught.value)
    assert "does not match any qd.checkpoint(cp_id=...) in kernel 'two'" in message
    assert "<Stage.A: 7>" in message and "<Stage.B: 3>" in message and "42" in message


def test_resume_on_a_kernel_without_explicit_checkpoints():
    with pytest.raises(RuntimeError, match="does not match any qd.checkpoint.*no explicit"):
        no_explicit.resume(zeros(2), from_checkpoint=0)


def test_resume_on_a_kernel_without_checkpoints_true():
    with pytest.raises(RuntimeError, match="checkpoints=True"):
        once.resume(zeros(1), scalar(0), from_checkpoint=0)


def test_numpy_arrays_work_as_arguments_and_are_written_in_place():
    a = np.zeros(8, np.int32)
    flag = np.ones((), np.int32)
    status = seq_this(a, a.copy(), a.copy(), flag)
    assert status.checkpoint is CP.LOAD and a[0] == 1
