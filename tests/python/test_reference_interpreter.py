"""The reference interpreter agrees with the hand-worked cases of docs/semantics.md, and Python /
numpy on scalar semantics, before it is trusted to judge the compiler (test_differential.py)."""

from __future__ import annotations

import numpy as np
import pytest
import test_checkpoint_semantics as cases
from reference_interpreter import ReferenceKernel
from reference_scalars import F32, I32, Unsupported, Val, binary, compare, literal, wrap32

import qdmlir as qd

I32_0D = qd.types.ndarray(qd.i32, 0)
I32_1D = qd.types.ndarray(qd.i32, 1)


def zeros(n):
    return np.zeros(n, np.int32)


def scalar(value=0):
    return np.full((), value, np.int32)


# -- launch rules, on the kernels of test_checkpoint_semantics.py -------------------------------


def test_numbering_follows_the_design_example():
    reference = ReferenceKernel(cases.numbered)
    assert [s.label for s in reference.slots] == [None, 10, None, 20]
    assert [s.yield_on for s in reference.slots] == [None, "flag", None, "flag"]


def test_resume_this_and_next():
    a, b, c, flag = zeros(8), zeros(8), zeros(8), scalar(1)
    seq_this = ReferenceKernel(cases.seq_this)
    status = seq_this(a, b, c, flag)
    assert status.checkpoint is cases.CP.LOAD and (a[0], b[0], c[0]) == (1, 0, 0)
    flag[()] = 0
    assert seq_this.resume(a, b, c, flag, from_checkpoint=status.checkpoint) == (False, None)
    assert (a[0], b[0], c[0]) == (2, 1, 1)


def test_in_loop_resume_is_partial_only_in_its_first_iteration():
    a, b, c, counter, flag = zeros(8), zeros(8), zeros(8), scalar(3), scalar(1)
    loop_this = ReferenceKernel(cases.loop_this)
    status = loop_this(a, b, c, counter, flag)
    assert status.checkpoint is cases.CP.SIM and (a[0], b[0], c[0], counter[()]) == (1, 1, 0, 3)
    flag[()] = 0
    status = loop_this.resume(a, b, c, counter, flag, from_checkpoint=cases.CP.SIM)
    assert not status.yielded and (a[0], b[0], c[0], counter[()]) == (3, 4, 3, 0)


def test_a_yield_in_a_later_iteration_exits_the_loop_there():
    a, counter, flag, it = zeros(1), scalar(4), scalar(0), scalar(0)
    late_yield = ReferenceKernel(cases.late_yield)
    assert late_yield(a, counter, flag, it) == (True, 0)
    assert (it[()], a[0], counter[()]) == (2, 1, 3)
    flag[()] = 0
    assert late_yield.resume(a, counter, flag, it, from_checkpoint=0) == (False, None)
    assert (it[()], a[0], counter[()]) == (5, 4, 0)


def test_first_yielder_wins_and_labels_are_names():
    x, f1, f2, f3 = zeros(4), scalar(1), scalar(1), scalar(0)
    two = ReferenceKernel(cases.two)
    status = two(x, f1, f2, f3)
    assert status.checkpoint is cases.Stage.A and list(x) == [1, 0, 0, 0]
    x.fill(0)
    f1[()] = f2[()] = 0
    two.resume(x, f1, f2, f3, from_checkpoint=3)
    assert list(x) == [0, 1, 1, 1]


def test_serial_statements_run_every_iteration_and_never_after_a_yield():
    c, counter, flag, trig = zeros(3), scalar(3), scalar(0), scalar(2)
    bare_in_loop = ReferenceKernel(cases.bare_in_loop)
    assert bare_in_loop(c, counter, flag, trig) == (True, 0)
    assert list(c) == [2, 2, 1] and counter[()] == 2
    flag[()] = 0
    assert bare_in_loop.resume(c, counter, flag, trig, from_checkpoint=0) == (False, None)
    assert list(c) == [4, 4, 3] and counter[()] == 0


def test_nested_do_while_yield_and_resume():
    c, outer, inner, flag, trig = zeros(4), scalar(2), scalar(0), scalar(0), scalar(3)
    nested = ReferenceKernel(cases.nested_cp)
    assert nested(c, outer, inner, flag, trig) == (True, 10)
    assert list(c) == [2, 3, 2, 1] and (outer[()], inner[()]) == (1, 2)
    flag[()] = 0
    assert nested.resume(c, outer, inner, flag, trig, from_checkpoint=10) == (False, None)
    assert list(c) == [2, 5, 4, 2] and (outer[()], inner[()]) == (0, 0)


def test_a_graph_kernel_without_checkpoints_returns_none():
    x, outer, inner = zeros(4), scalar(3), scalar(0)
    assert ReferenceKernel(cases.nested_counts)(x, outer, inner) is None
    assert list(x) == [115] * 4


@qd.kernel(graph=True, checkpoints=True)
def loop_then_tail(x: I32_1D, counter: I32_0D, flag: I32_0D):
    while qd.graph.do_while(counter):
        for _ in range(1):
            x[0] += 1
        counter[()] = counter[()] - 1
    with qd.checkpoint(5, yield_on=flag):
        for _ in range(1):
            x[1] += 1


def test_a_resume_past_a_do_while_skips_it_entirely():
    # the entry guard (docs/architecture.md §3): the loop's only slot lies before the resume
    # point, so neither its body nor its serial decrement runs
    x, counter, flag = zeros(2), scalar(2), scalar(0)
    assert ReferenceKernel(loop_then_tail).resume(x, counter, flag, from_checkpoint=5) == (
        False,
        None,
    )
    assert list(x) == [0, 1] and counter[()] == 2


def test_resume_errors():
    two = ReferenceKernel(cases.two)
    with pytest.raises(RuntimeError, match="int or IntEnum"):
        two.resume(zeros(4), scalar(), scalar(), scalar(), from_checkpoint="A")
    with pytest.raises(RuntimeError, match="does not match"):
        two.resume(zeros(4), scalar(), scalar(), scalar(), from_checkpoint=99)


# -- scalar semantics ------------------------------------------------------------------------


def i32(value):
    return Val(I32, value)


def f32(value):
    return Val(F32, np.float32(value))


@pytest.mark.parametrize("a, b", [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 5)])
def test_integer_floor_division_and_modulo_are_pythons(a, b):
    assert binary("//", i32(a), i32(b)).value == a // b
    assert binary("%", i32(a), i32(b)).value == a % b


def test_integer_arithmetic_wraps_at_32_bits():
    assert binary("+", i32(2**31 - 1), i32(1)).value == -(2**31)
    assert binary("*", i32(65536), i32(65536)).value == 0
    assert binary("<<", i32(1), i32(31)).value == -(2**31)
    assert wrap32(2**32 + 5) == 5


def test_integer_division_never_traps():
    # compiled code without debug mode: a zero divisor gives 0, INT_MIN // -1 wraps
    assert binary("//", i32(7), i32(0)).value == 0
    assert binary("%", i32(-7), i32(0)).value == 0
    assert binary("//", i32(-(2**31)), i32(-1)).value == -(2**31)
    assert binary("%", i32(-(2**31)), i32(-1)).value == 0


def test_undefined_integer_operations_are_refused():
    with pytest.raises(Unsupported):
        binary("<<", i32(1), i32(32))
    with pytest.raises(Unsupported):
        binary(">>", i32(1), i32(-1))


def test_float_arithmetic_rounds_to_f32_after_every_operation():
    result = binary("+", f32(16777216.0), i32(1))  # i32 promotes to f32; 2**24 + 1 rounds
    assert result.dtype == F32 and result.value == np.float32(16777216.0)
    assert binary("/", i32(1), i32(3)).value == np.float32(1) / np.float32(3)
    assert binary("%", f32(-3.0), f32(2.5)).value == np.float32(2.0)


def test_literals_take_the_other_operands_type():
    assert literal(3, F32).dtype == F32 and literal(3, I32).dtype == I32
    assert literal(0.5, I32).dtype == F32
    with pytest.raises(Unsupported):
        literal(2**31, I32)


def test_comparisons_follow_ieee_for_nan():
    nan = f32(np.nan)
    assert compare("!=", nan, nan).value is True
    assert compare("<", nan, i32(1)).value is False


@qd.func
def clamp_steps(v: qd.i32, limit: qd.i32) -> qd.i32:
    if v < 0:
        return 0
    for k in range(3):
        if v > limit + k:
            return limit + k
    return v * 2


@qd.kernel
def uses_a_func(x: I32_1D, out: I32_1D):
    for i in range(x.shape[0]):
        out[i] = clamp_steps(x[i], 4)


def test_qd_func_early_returns_in_loops_and_the_fall_through():
    x = np.array([-3, 2, 5, 9], np.int32)
    out = zeros(4)
    ReferenceKernel(uses_a_func)(x, out)
    # -3 -> 0; 2 -> 2 * 2 (no early return); 5 > 4 -> 4; 9 > 4 -> 4
    assert list(out) == [0, 4, 4, 4]
    compiled = zeros(4)
    uses_a_func(x, compiled)
    assert list(compiled) == list(out)
