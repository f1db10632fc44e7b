"""`with qd.graph.parallel_context():` holding `with qd.graph.parallel():` sections: what they
compute, where they may be written, how they meet checkpoints and resumes, and every error of
frontend/parallel_syntax.py (docs/semantics.md, "Parallel sections"). Results are checked on
the CPU, where sections with enough work run at the same time (test_cpu_sections.py)."""

import kernels_with_section_errors as bad
import numpy as np
import pytest
from error_markers import Markers

import qdmlir as qd

F32_1D = qd.types.ndarray(qd.f32, 1)
I32_1D = qd.types.ndarray(qd.i32, 1)
I32_0D = qd.types.ndarray(qd.i32, 0)


# -- what sections compute ------------------------------------------------------------------


@qd.kernel(graph=True)
def two_sections_then_a_task(x: F32_1D, y: F32_1D, z: F32_1D):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            for i in range(x.shape[0]):
                x[i] += 1.0
        with qd.graph.parallel():
            for i in range(y.shape[0]):
                y[i] += 2.0
    for i in range(z.shape[0]):  # after the join: reads what both sections wrote
        z[i] = x[i] + y[i]


def test_the_work_after_a_region_sees_every_section():
    x, y, z = (np.zeros(1000, np.float32) for _ in range(3))
    two_sections_then_a_task(x, y, z)
    two_sections_then_a_task(x, y, z)
    assert (x == 2).all() and (y == 4).all() and (z == 6).all()


@qd.kernel(graph=True)
def back_to_back_regions(x: I32_1D, y: I32_1D, a: I32_1D, b: I32_1D):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            x[0] = 1  # serial statements are section work too
        with qd.graph.parallel():
            y[0] = 2
    with qd.graph.parallel_context():  # waits for the first region's join
        with qd.graph.parallel():
            for i in range(a.shape[0]):
                a[i] = x[0] * 10
        with qd.graph.parallel():
            for i in range(b.shape[0]):
                b[i] = y[0] * 10


def test_back_to_back_regions_keep_their_joins():
    x, y = np.zeros(1, np.int32), np.zeros(1, np.int32)
    a, b = np.zeros(64, np.int32), np.zeros(64, np.int32)
    back_to_back_regions(x, y, a, b)
    assert (a == 10).all() and (b == 20).all()


@qd.kernel(graph=True)
def sections_keep_their_order(x: F32_1D, y: F32_1D):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            for i in range(x.shape[0]):
                x[i] += 1.0
            for i in range(x.shape[0]):
                x[i] *= 2.0
        with qd.graph.parallel():
            for i in range(y.shape[0]):
                y[i] += 3.0
            for _ in range(1):
                y[0] *= 4.0


def test_the_tasks_of_a_section_keep_their_order():
    x, y = np.zeros(8, np.float32), np.zeros(8, np.float32)
    sections_keep_their_order(x, y)
    assert (x == 2).all() and y[0] == 12 and (y[1:] == 3).all()


@qd.kernel(graph=True)
def generated_sections(x: qd.types.ndarray(qd.f32, 2), y: F32_1D):
    with qd.graph.parallel_context():
        """A docstring and `pass` are allowed in a region."""
        pass
        for i in qd.static(range(2)):
            for j in qd.static(range(2)):
                with qd.graph.parallel():
                    for c in range(x.shape[1]):
                        x[i * 2 + j, c] += i * 2 + j + 1
        if qd.static(True):
            with qd.graph.parallel():
                for c in range(y.shape[0]):
                    y[c] += 7.0
        if qd.static(False):
            with qd.graph.parallel():
                for c in range(y.shape[0]):
                    y[c] = -1.0
        else:
            pass


def test_static_loops_and_ifs_generate_and_drop_sections():
    x, y = np.zeros((4, 16), np.float32), np.zeros(16, np.float32)
    generated_sections(x, y)
    assert [float(row[0]) for row in x] == [1.0, 2.0, 3.0, 4.0] and (x == x[:, :1]).all()
    assert (y == 7).all()


@qd.kernel(graph=True)
def no_section_at_all(x: F32_1D):
    with qd.graph.parallel_context():
        for _b in qd.static(range(0)):
            with qd.graph.parallel():
                for i in range(x.shape[0]):
                    x[i] += 1.0
    for i in range(x.shape[0]):
        x[i] += 5.0


def test_a_region_without_sections_does_nothing():
    x = np.zeros(8, np.float32)
    no_section_at_all(x)
    assert (x == 5).all()


@qd.kernel(graph=True)
def regions_in_a_do_while(x: I32_1D, y: I32_1D, a: I32_1D, c: I32_0D):
    while qd.graph.do_while(c):
        with qd.graph.parallel_context():
            with qd.graph.parallel():
                for i in range(x.shape[0]):
                    x[i] += 1
            with qd.graph.parallel():
                for i in range(y.shape[0]):
                    y[i] += 2
        with qd.graph.parallel_context():
            with qd.graph.parallel():
                for i in range(a.shape[0]):
                    a[i] = x[i] * 10 + y[i]
            with qd.graph.parallel():
                pass
        c[()] -= 1


def test_a_region_in_a_do_while_forks_and_joins_every_iteration():
    x, y, a = (np.zeros(256, np.int32) for _ in range(3))
    c = np.array(4, np.int32)
    regions_in_a_do_while(x, y, a, c)
    assert int(c) == 0 and (x == 4).all() and (y == 8).all() and (a == 48).all()


@qd.kernel(graph=True)
def sections_with_their_own_variables(x: F32_1D, y: F32_1D):
    scale = 2.0
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            t = x[0] * scale  # each section's `t` is its own
            for i in range(x.shape[0]):
                x[i] = t
        with qd.graph.parallel():
            t = y[0] + scale
            for i in range(y.shape[0]):
                y[i] = t


def test_a_name_first_assigned_in_a_section_is_local_to_it():
    x, y = np.full(4, 3.0, np.float32), np.full(4, 3.0, np.float32)
    sections_with_their_own_variables(x, y)
    assert (x == 6).all() and (y == 5).all()


def test_the_flat_spellings_compile_the_same_sections():
    @qd.kernel(graph=True)
    def flat(x: F32_1D, y: F32_1D):
        with qd.graph_parallel_context():
            with qd.graph_parallel():
                for i in range(x.shape[0]):
                    x[i] += 1.0
            with qd.graph_parallel():
                for i in range(y.shape[0]):
                    y[i] += 2.0

    x, y = np.zeros(4, np.float32), np.zeros(4, np.float32)
    with pytest.warns(DeprecationWarning, match=r"qd\.graph\.parallel_context\(\)"):
        flat(x, y)
    assert (x == 1).all() and (y == 2).all()


# -- checkpoints: beyond Quadrants, which refuses a region in a checkpoints=True kernel ----------


@qd.kernel(graph=True, checkpoints=True)
def region_between_checkpoints(log: I32_1D, before: I32_0D, after: I32_0D):
    with qd.checkpoint(1, yield_on=before):  # slot 0
        for _ in range(1):
            log[0] += 1
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            for _ in range(1):  # slot 1
                log[1] += 1
            log[4] += 1  # a serial statement: no slot, runs unless a task yielded
        with qd.graph.parallel():
            for _ in range(1):  # slot 2
                log[2] += 1
    with qd.checkpoint(2, yield_on=after):  # slot 3
        for _ in range(1):
            log[3] += 1


def test_sections_take_slots_and_a_resume_past_the_region_skips_them():
    log = np.zeros(5, np.int32)
    before, after = np.array(0, np.int32), np.array(1, np.int32)
    status = region_between_checkpoints(log, before, after)
    assert status == qd.GraphStatus(True, 2)
    assert list(log) == [1, 1, 1, 1, 1]
    after[()] = 0
    status = region_between_checkpoints.resume(log, before, after, from_checkpoint=2)
    assert not status.yielded
    # the sections' tasks are skipped; a serial statement runs on a resume, as at the top level
    assert list(log) == [1, 1, 1, 2, 2]


def test_a_yield_before_the_region_stops_the_sections_too():
    log = np.zeros(5, np.int32)
    before, after = np.array(1, np.int32), np.array(0, np.int32)
    assert region_between_checkpoints(log, before, after) == qd.GraphStatus(True, 1)
    assert list(log) == [1, 0, 0, 0, 0]  # nothing runs after a yield
    before[()] = 0
    region_between_checkpoints.resume(log, before, after, from_checkpoint=1)
    assert list(log) == [2, 1, 1, 1, 1]


# -- errors ---------------------------------------------------------------------------------

MARKERS = Markers(bad)
SOURCE_FILE, SOURCE_LINES, marked_line = MARKERS.file, MARKERS.lines, MARKERS.line


def f32(n=4):
    return np.zeros(n, np.float32)


def i32_0d():
    return np.zeros((), np.int32)


ONLY_SECTIONS = "may contain only 'with qd.graph.parallel():' blocks"
NOT_IN_SECTION = "cannot appear inside a qd.graph.parallel() section"
# kernel -> (arguments, Quadrants' phrase (the regex upstream's tests match, as a plain
# fragment), a fragment of the fix)
CASES = {
    "section_outside_a_context": (
        lambda: (f32(),),
        "qd.graph.parallel() can only be used directly inside a qd.graph.parallel_context()",
        "with qd.graph.parallel_context():",
    ),
    "context_in_plain_kernel": (
        lambda: (f32(),),
        "qd.graph.parallel_context() requires @qd.kernel(graph=True)",
        "@qd.kernel(graph=True)",
    ),
    "task_directly_in_context": (lambda: (f32(),), ONLY_SECTIONS, "for ... in qd.static"),
    "runtime_loop_around_section": (lambda: (f32(), 2), ONLY_SECTIONS, "qd.static(range(n))"),
    "runtime_if_around_section": (lambda: (f32(), 1), ONLY_SECTIONS, "if qd.static(flag):"),
    "statement_in_static_loop_of_context": (
        lambda: (f32(),),
        ONLY_SECTIONS,
        "with qd.graph.parallel():",
    ),
    "runtime_if_in_static_loop_of_context": (
        lambda: (f32(), 1),
        ONLY_SECTIONS,
        "if qd.static(flag):",
    ),
    "section_with_arguments": (
        lambda: (f32(),),
        "qd.graph.parallel() takes no arguments",
        "with qd.graph.parallel():",
    ),
    "context_with_arguments": (
        lambda: (f32(),),
        "qd.graph.parallel_context() takes no arguments",
        "with qd.graph.parallel_context():",
    ),
    "do_while_in_section": (
        lambda: (f32(), i32_0d()),
        f"qd.graph.do_while() {NOT_IN_SECTION}",
        "inside the qd.graph.do_while() loop",
    ),
    "do_while_deep_in_section": (
        lambda: (f32(), i32_0d()),
        f"qd.graph.do_while() {NOT_IN_SECTION}",
        "inside the qd.graph.do_while() loop",
    ),
    "checkpoint_in_section": (
        lambda: (f32(), i32_0d()),
        f"qd.checkpoint() {NOT_IN_SECTION}",
        "before or after",
    ),
    "section_in_section": (
        lambda: (f32(),),
        "qd.graph.parallel() sections cannot be nested",
        "close the outer section first",
    ),
    "context_in_section": (
        lambda: (f32(),),
        f"qd.graph.parallel_context() {NOT_IN_SECTION}",
        "close the outer region first",
    ),
    "context_in_context": (
        lambda: (f32(),),
        "qd.graph.parallel_context() regions cannot be nested",
        "close the outer region first",
    ),
    "context_in_task": (lambda: (f32(),), "must be at the kernel top level", "kernel top level"),
    "section_in_task": (
        lambda: (f32(),),
        "qd.graph.parallel() can only be used directly inside a qd.graph.parallel_context()",
        "with qd.graph.parallel_context():",
    ),
    "context_in_func": (
        lambda: (f32(),),
        "qd.graph.parallel_context() can only be used inside @qd.kernel, not @qd.func",
        "into the kernel body",
    ),
    "context_in_checkpoint": (
        lambda: (f32(), i32_0d()),
        "qd.graph.parallel_context() cannot appear inside a qd.checkpoint() block",
        "before or after the checkpoint",
    ),
    "context_as_name": (lambda: (f32(),), "`with qd.graph.parallel_context() as ...`", "`as`"),
    "variable_of_a_section_read_after": (lambda: (f32(),), "'total' is not defined", None),
}
# a name a section assigned is unknown after the region, as after any block
ERROR_CLASS = {"variable_of_a_section_read_after": qd.QuadrantsNameError}


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_names_phrase_fix_and_line(name):
    make_args, phrase, fix = CASES[name]
    with pytest.raises(ERROR_CLASS.get(name, qd.QuadrantsSyntaxError)) as caught:
        getattr(bad, name)(*make_args())
    error, message = caught.value, str(caught.value)
    assert phrase in message
    if fix is not None:
        assert error.fix is not None and fix in error.fix, error.fix
    assert error.span is not None and error.span.file == SOURCE_FILE
    assert error.span.line == marked_line(name), message
    assert f"{SOURCE_FILE}:{marked_line(name)}:" in message


def test_runtime_constructs_in_a_region_say_what_they_are():
    with pytest.raises(qd.QuadrantsSyntaxError, match="this is a runtime `for` loop"):
        bad.runtime_loop_around_section(f32(), 2)
    with pytest.raises(qd.QuadrantsSyntaxError, match="this is a runtime `if`"):
        bad.runtime_if_around_section(f32(), 1)
    with pytest.raises(qd.QuadrantsSyntaxError, match="this is an Assign statement"):
        bad.statement_in_static_loop_of_context(f32())
