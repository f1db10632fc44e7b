"""Every compile-time error of docs/semantics.md: Quadrants' phrase, the fix, and the file:line.

Each kernel in kernels_with_errors.py marks the line its error must point at with
`# ERROR <name>`. Errors are raised at the first call (lazily), except checkpoints=True without
graph=True, which raises at decoration.
"""

import re

import kernels_with_errors as bad
import numpy as np
import pytest
from error_markers import Markers

import qdmlir as qd

MARKERS = Markers(bad)
SOURCE_FILE, SOURCE_LINES, marked_line = MARKERS.file, MARKERS.lines, MARKERS.line


def i32_0d():
    return qd.ndarray(qd.i32, ())


def i32_1d():
    return qd.ndarray(qd.i32, (4,))


# kernel name -> (arguments factory, Quadrants' phrase, a fragment of the fix)
CASES = {
    "checkpoint_without_checkpoints_flag": (
        lambda: (i32_0d(),),
        "`checkpoints=True`",
        "checkpoints=True)",
    ),
    "checkpoint_in_plain_kernel": (
        lambda: (i32_0d(),),
        "requires @qd.kernel(graph=True)",
        "graph=True",
    ),
    "no_arguments": (lambda: (i32_0d(),), "qd.checkpoint(cp_id, yield_on=flag)", "qd.checkpoint(0"),
    "missing_yield_on": (
        lambda: (i32_0d(),),
        "missing required argument `yield_on`",
        "yield_on=flag",
    ),
    "missing_cp_id": (lambda: (i32_0d(),), "missing required argument `cp_id`", "qd.checkpoint(0"),
    "three_positional": (lambda: (i32_0d(),), "at most 2 positional arguments", "qd.checkpoint(0"),
    "cp_id_twice": (lambda: (i32_0d(),), "both positionally and as a keyword", "qd.checkpoint(0"),
    "unexpected_keyword": (
        lambda: (i32_0d(),),
        "unexpected keyword argument 'when'",
        "qd.checkpoint(0",
    ),
    "float_label": (
        lambda: (i32_0d(),),
        "must be an int literal or an IntEnum value",
        "IntEnum member",
    ),
    "expression_label": (
        lambda: (i32_0d(),),
        "must be an int literal or an IntEnum value",
        "module-level int",
    ),
    "plain_enum_label": (
        lambda: (i32_0d(),),
        "must be an int literal or an IntEnum value",
        "IntEnum member",
    ),
    "duplicate_label": (lambda: (i32_0d(),), "already used by another checkpoint", "its own label"),
    "yield_on_unknown_name": (
        lambda: (i32_0d(),),
        "does not resolve to an ndarray kernel parameter",
        "qd.types.ndarray(qd.i32, 0)",
    ),
    "yield_on_scalar": (
        lambda: (i32_0d(), 1),
        "does not resolve to an ndarray kernel parameter",
        "qd.types.ndarray(qd.i32, 0)",
    ),
    "yield_on_expression": (
        lambda: (i32_1d(),),
        "must reference a kernel ndarray argument",
        "0-d qd.i32 ndarray",
    ),
    "yield_on_wrong_type": (
        lambda: (qd.ndarray(qd.f32, (4,)),),
        "must be a 0-d i32 ndarray",
        "qd.types.ndarray(qd.i32, 0)",
    ),
    "nested_checkpoints": (lambda: (i32_0d(),), "cannot be nested", "outer checkpoint"),
    "checkpoint_in_task": (lambda: (i32_0d(),), "kernel top level", "kernel top level"),
    "bare_assign": (
        lambda: (i32_0d(), i32_0d()),
        "bare top-level Assign statement",
        "for _ in range(1):",
    ),
    "bare_augassign": (
        lambda: (i32_0d(), i32_0d()),
        "bare top-level AugAssign statement",
        "for _ in range(1):",
    ),
    "bare_annassign": (
        lambda: (i32_0d(),),
        "bare top-level AnnAssign statement",
        "for _ in range(1):",
    ),
    "bare_expression": (
        lambda: (i32_0d(), i32_0d()),
        "bare top-level Expr statement",
        "for _ in range(1):",
    ),
    "do_while_in_plain_kernel": (
        lambda: (i32_0d(),),
        "requires @qd.kernel(graph=True)",
        "graph=True",
    ),
    "do_while_in_task": (lambda: (i32_0d(),), "kernel top level", "kernel top level"),
    "do_while_in_checkpoint": (lambda: (i32_0d(),), "kernel top level", "kernel top level"),
    "do_while_on_scalar": (
        lambda: (1, i32_0d()),
        "does not resolve to an ndarray kernel parameter",
        "qd.types.ndarray(qd.i32, 0)",
    ),
    "do_while_on_f32": (
        lambda: (qd.ndarray(qd.f32, ()),),
        "must be a 0-d i32 ndarray",
        "qd.types.ndarray(qd.i32, 0)",
    ),
    "checkpoint_in_func": (lambda: (i32_0d(),), "cannot be used inside a @qd.func", "kernel body"),
    "graph_kernel_returns": (lambda: (i32_0d(),), "cannot return values", "ndarray parameter"),
    "undefined_name": (
        lambda: (i32_1d(),),
        "name 'not_defined_anywhere' is not defined",
        "define it",
    ),
    "unsupported_statement": (lambda: (i32_1d(),), "try/except is not supported", None),
    "unsupported_expression": (
        lambda: (i32_1d(),),
        "range() with run-time bounds can only be iterated by a for loop",
        "for i in range(n)",
    ),
    "recursion": (
        lambda: (i32_1d(),),
        "recursion in qd.func is not supported (recursive -> recursive)",
        "loop",
    ),
    "wrong_index_count": (
        lambda: (qd.ndarray(qd.i32, (2, 2)),),
        "has 2 dimension(s) but is indexed with 1",
        "one index per dimension",
    ),
    "missing_annotation": (lambda: (i32_1d(),), "has no type annotation", "qd.types.ndarray"),
    "calls_input": (lambda: (i32_1d(),), "calling `input` is not supported", "qd.func"),
    "float_index": (lambda: (i32_1d(),), "not an integer", "int(x)"),
    "while_else": (lambda: (i32_1d(),), "'else' clause for 'while' not supported", "flag"),
    # issue 17: a constant negative index wrote before the array (heap corruption, no error)
    "negative_constant_index": (
        lambda: (np.zeros(4, np.int32),),
        "Negative indices are not supported in Quadrants kernels: `a` is indexed with -1 on axis 0",
        "a.shape[0] - 1 counts from the end",
    ),
    "negative_folded_index": (
        lambda: (np.zeros((2, 4), np.int32),),
        "`m` is indexed with -3 on axis 1",
        "m.shape[1] - 3",
    ),
    # issue 17: stored -1294967296 silently; Quadrants' rule and words (a QuadrantsTypeError)
    "literal_out_of_range": (
        lambda: (np.zeros(4, np.int32),),
        "Integer literal 3000000000 exceeded the range of default_ip: i32, please specify the "
        "dtype via e.g. `qd.u64(3000000000)` or set a different `default_ip` in `qd.init()`",
        "qd.i64(3000000000)",
    ),
    "literal_out_of_range_into_i64": (
        lambda: (np.zeros(4, np.int64),),
        "Integer literal 3000000000 exceeded the range of default_ip: i32",
        "qd.init(default_ip=qd.i64)",
    ),
    "folded_literal_out_of_range": (
        lambda: (np.zeros(4, np.int32),),
        "Integer literal 1099511627776 exceeded the range of default_ip: i32",
        "qd.u64(1099511627776)",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_names_phrase_fix_and_line(name):
    make_args, phrase, fix = CASES[name]
    kernel = getattr(bad, name)
    # every located compile error; an undefined name is Quadrants' QuadrantsNameError, which
    # cannot also be a SyntaxError (runtime/errors.py)
    with pytest.raises(qd.QuadrantsCompilationError) as caught:
        kernel(*make_args())
    error = caught.value
    message = str(error)
    assert phrase in message
    if fix is not None:
        assert error.fix is not None and fix in error.fix, error.fix
    assert error.kernel == name or name in ("recursion", "checkpoint_in_func")
    assert error.span is not None
    assert error.span.file == SOURCE_FILE
    assert error.span.line == marked_line(name), message
    # the message itself names the file and line, and shows the source line
    assert f"{SOURCE_FILE}:{marked_line(name)}:" in message
    assert SOURCE_LINES[marked_line(name) - 1].strip()[:20] in message


def test_checkpoints_without_graph_raises_at_decoration():
    with pytest.raises(qd.QuadrantsSyntaxError) as caught:

        @qd.kernel(checkpoints=True)
        def not_a_graph(x: qd.types.ndarray(qd.i32, 0)):
            for _ in range(1):
                x[()] = 0

    message = str(caught.value)
    assert "checkpoints=True) requires graph=True" in message
    assert "graph=True, checkpoints=True" in caught.value.fix
    assert re.search(r"test_frontend_errors\.py:\d+", message)


def test_errors_are_lazy_until_the_first_call():
    # decorating a broken kernel is fine; only calling it raises
    @qd.kernel(graph=True, checkpoints=True)
    def broken(flag: qd.types.ndarray(qd.i32, 0)):
        with qd.checkpoint(yield_on=flag):
            for _ in range(1):
                flag[()] = 0

    with pytest.raises(qd.QuadrantsSyntaxError, match="missing required argument `cp_id`"):
        broken(i32_0d())


def test_error_is_a_syntax_error_subclass_for_drop_in_code():
    assert issubclass(qd.QuadrantsSyntaxError, SyntaxError)


def test_checkpoint_outside_a_kernel_is_a_no_op_context_manager():
    flag = np.zeros((), np.int32)
    with qd.checkpoint(1, yield_on=flag) as cp:
        value = 3
    assert value == 3 and cp.cp_id == 1


@qd.kernel
def last_column_from_shape(m: qd.types.ndarray(qd.i32, 2)):
    for i in range(m.shape[0]):
        m[i, m.shape[-1] - 1] = 7


def test_a_negative_constant_into_the_shape_tuple_is_python_indexing():
    # only an ndarray index is refused; `m.shape[-1]` is the last size, as in Python
    m = np.zeros((2, 3), np.int32)
    last_column_from_shape(m)
    assert m.tolist() == [[0, 0, 7], [0, 0, 7]]


LITERAL_ERRORS = (
    "literal_out_of_range",
    "literal_out_of_range_into_i64",
    "folded_literal_out_of_range",
)


@pytest.mark.parametrize("name", LITERAL_ERRORS)
def test_an_integer_literal_out_of_range_is_a_type_error(name):
    with pytest.raises(qd.QuadrantsTypeError):
        getattr(bad, name)(*CASES[name][0]())


@qd.kernel
def store_big_values(b: qd.types.ndarray(qd.i64, 1), u: qd.types.ndarray(qd.u32, 1)):
    for _ in range(1):
        b[0] = qd.i64(3000000000)
        b[1] = b[1] + qd.u64(1 << 40)
        u[0] = qd.u32(4294967295)


def test_a_typed_literal_keeps_its_value():
    b, u = np.zeros(2, np.int64), np.zeros(1, np.uint32)
    store_big_values(b, u)
    assert b.tolist() == [3000000000, 1 << 40] and u.tolist() == [4294967295]


@qd.kernel
def store_a_big_literal(b: qd.types.ndarray(qd.i64, 1)):
    for _ in range(1):
        b[0] = 3000000000


@pytest.fixture
def restore_config():
    from qdmlir.frontend import config

    saved = config._current
    yield
    config._current = saved
    qd.reset_cache()  # kernels compiled under the other default int are not the default's


def test_a_wider_default_int_takes_the_literal(restore_config):
    qd.init(arch=qd.cpu, default_ip=qd.i64)
    b = np.zeros(1, np.int64)
    store_a_big_literal(b)
    assert b.tolist() == [3000000000]
