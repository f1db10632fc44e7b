"""Kernels that break the compile-time rules of docs/semantics.md, one per rule.

Kept in their own module so tests can assert the exact file:line each error points at: the
line of the marker comment `# ERROR <name>` is where each error must be reported.
"""

import enum

import qdmlir as qd

NOT_AN_INT = 2.5
MODULE_LABEL = 42


class Stage(enum.IntEnum):
    A = 1
    B = 1  # an alias: same value as A


class Color(enum.Enum):
    RED = 1


@qd.kernel(graph=True)
def checkpoint_without_checkpoints_flag(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):  # ERROR checkpoint_without_checkpoints_flag
        for _ in range(1):
            flag[()] = 0


@qd.kernel
def checkpoint_in_plain_kernel(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):  # ERROR checkpoint_in_plain_kernel
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def no_arguments(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint():  # ERROR no_arguments
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def missing_yield_on(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1):  # ERROR missing_yield_on
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def missing_cp_id(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(yield_on=flag):  # ERROR missing_cp_id
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def three_positional(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, flag, flag):  # ERROR three_positional
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def cp_id_twice(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, cp_id=2, yield_on=flag):  # ERROR cp_id_twice
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def unexpected_keyword(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag, when=flag):  # ERROR unexpected_keyword
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def float_label(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(NOT_AN_INT, yield_on=flag):  # ERROR float_label
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def expression_label(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1 + 1, yield_on=flag):  # ERROR expression_label
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def plain_enum_label(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(Color.RED, yield_on=flag):  # ERROR plain_enum_label
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def duplicate_label(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(Stage.A, yield_on=flag):
        for _ in range(1):
            flag[()] = 0
    with qd.checkpoint(Stage.B, yield_on=flag):  # ERROR duplicate_label
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def yield_on_unknown_name(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=nope):  # noqa: F821  # ERROR yield_on_unknown_name
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def yield_on_scalar(flag: qd.types.ndarray(qd.i32, 0), s: qd.i32):
    with qd.checkpoint(1, yield_on=s):  # ERROR yield_on_scalar
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def yield_on_expression(flag: qd.types.ndarray(qd.i32, 1)):
    with qd.checkpoint(1, yield_on=flag[0]):  # ERROR yield_on_expression
        for _ in range(1):
            flag[0] = 0


@qd.kernel(graph=True, checkpoints=True)
def yield_on_wrong_type(flag: qd.types.ndarray(qd.f32, 1)):
    with qd.checkpoint(1, yield_on=flag):  # ERROR yield_on_wrong_type
        for _ in range(1):
            flag[0] = 0


@qd.kernel(graph=True, checkpoints=True)
def nested_checkpoints(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):
        with qd.checkpoint(2, yield_on=flag):  # ERROR nested_checkpoints
            for _ in range(1):
                flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def checkpoint_in_task(flag: qd.types.ndarray(qd.i32, 0)):
    for _ in range(1):
        with qd.checkpoint(1, yield_on=flag):  # ERROR checkpoint_in_task
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def bare_assign(x: qd.types.ndarray(qd.i32, 0), flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):
        x[()] = 1  # ERROR bare_assign


@qd.kernel(graph=True, checkpoints=True)
def bare_augassign(x: qd.types.ndarray(qd.i32, 0), flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):
        x[()] += 1  # ERROR bare_augassign


@qd.kernel(graph=True, checkpoints=True)
def bare_annassign(flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):
        y: qd.i32 = 1  # noqa: F841  # ERROR bare_annassign


@qd.func
def helper(x):
    x[()] = 1


@qd.kernel(graph=True, checkpoints=True)
def bare_expression(x: qd.types.ndarray(qd.i32, 0), flag: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=flag):
        helper(x)  # ERROR bare_expression


@qd.kernel
def do_while_in_plain_kernel(c: qd.types.ndarray(qd.i32, 0)):
    while qd.graph_do_while(c):  # ERROR do_while_in_plain_kernel
        for _ in range(1):
            c[()] = 0


@qd.kernel(graph=True)
def do_while_in_task(c: qd.types.ndarray(qd.i32, 0)):
    for _ in range(1):
        while qd.graph_do_while(c):  # ERROR do_while_in_task
            c[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def do_while_in_checkpoint(c: qd.types.ndarray(qd.i32, 0)):
    with qd.checkpoint(1, yield_on=c):
        while qd.graph_do_while(c):  # ERROR do_while_in_checkpoint
            for _ in range(1):
                c[()] = 0


@qd.kernel(graph=True)
def do_while_on_scalar(c: qd.i32, x: qd.types.ndarray(qd.i32, 0)):
    while qd.graph_do_while(c):  # ERROR do_while_on_scalar
        for _ in range(1):
            x[()] = 0


@qd.kernel(graph=True)
def do_while_on_f32(c: qd.types.ndarray(qd.f32, 0)):
    while qd.graph_do_while(c):  # ERROR do_while_on_f32
        for _ in range(1):
            c[()] = 0


@qd.func
def func_with_checkpoint(flag):
    with qd.checkpoint(1, yield_on=flag):  # ERROR checkpoint_in_func
        for _ in range(1):
            flag[()] = 0


@qd.kernel(graph=True, checkpoints=True)
def checkpoint_in_func(flag: qd.types.ndarray(qd.i32, 0)):
    for _ in range(1):
        func_with_checkpoint(flag)


@qd.kernel(graph=True)
def graph_kernel_returns(x: qd.types.ndarray(qd.i32, 0)):
    for _ in range(1):
        x[()] = 1
    return 1  # ERROR graph_kernel_returns


@qd.kernel
def undefined_name(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        x[i] = not_defined_anywhere  # noqa: F821  # ERROR undefined_name


@qd.kernel
def unsupported_statement(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        try:  # ERROR unsupported_statement
            x[i] = 1
        except Exception:
            pass


@qd.kernel
def unsupported_expression(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        x[i] = [k for k in range(x.shape[0])][0]  # ERROR unsupported_expression


@qd.func
def recursive(n):
    return recursive(n - 1)  # ERROR recursion


@qd.kernel
def recursion(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        x[i] = recursive(i)


@qd.kernel
def wrong_index_count(x: qd.types.ndarray(qd.i32, 2)):
    for i in range(x.shape[0]):
        x[i] = 1  # ERROR wrong_index_count


@qd.kernel
def missing_annotation(x):  # ERROR missing_annotation
    for i in range(x.shape[0]):
        x[i] = 1


@qd.kernel
def calls_input(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        x[i] = input(i)  # ERROR calls_input


@qd.kernel
def float_index(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        x[i * 0.5] = 1  # ERROR float_index


@qd.kernel
def while_else(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        while x[i] > 0:  # ERROR while_else
            x[i] -= 1
        else:
            x[i] = 0


@qd.kernel
def negative_constant_index(a: qd.types.ndarray(qd.i32, 1)):
    for _ in range(1):
        a[-1] = 9  # ERROR negative_constant_index


@qd.kernel
def negative_folded_index(m: qd.types.ndarray(qd.i32, 2)):
    for i in range(m.shape[0]):
        m[i, MODULE_LABEL - 45] = 9  # ERROR negative_folded_index


@qd.kernel
def literal_out_of_range(b: qd.types.ndarray(qd.i32, 1)):
    for _ in range(1):
        b[0] = 3000000000  # ERROR literal_out_of_range


@qd.kernel
def literal_out_of_range_into_i64(b: qd.types.ndarray(qd.i64, 1)):
    for i in range(b.shape[0]):
        b[i] = b[i] + 3000000000  # ERROR literal_out_of_range_into_i64


@qd.kernel
def folded_literal_out_of_range(b: qd.types.ndarray(qd.i32, 1)):
    for i in range(b.shape[0]):
        if b[i] < 1 << 40:  # ERROR folded_literal_out_of_range
            b[i] = 1
