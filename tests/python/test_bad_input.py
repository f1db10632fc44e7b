"""Bad input everywhere: each case is a specific error that says where and how to fix it, never
a crash, a hang or a traceback from inside qdmlir (issue 8).

docs/semantics.md's own compile-time errors are in test_frontend_errors.py; argument packing is also
tested below the front door in test_runtime_launcher.py. This file covers what the user meets
first: kernel calls, unsupported Python, qd.init / qd.ndarray, qd-opt and qd-compile.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import kernels_with_bad_input as bad
import numpy as np
import pytest
from error_markers import Markers

import qdmlir as qd

MARKERS = Markers(bad)
SOURCE_FILE, SOURCE_LINES, marked_line = MARKERS.file, MARKERS.lines, MARKERS.line
BIN = Path(sys.executable).parent

# -- unsupported Python in a kernel -----------------------------------------------------------

# kernel -> a fragment of the message (the reason; most also carry a fix)
CONSTRUCTS = {
    "mutual_recursion": "recursion in qd.func is not supported (ping -> pong -> ping)",
    "lambda_expression": "a lambda is not supported",
    "dict_literal": "a dict literal is not supported",
    "f_string": "an f-string is not supported",
    "slicing": "slicing is not supported",
    "identity_comparison": "comparison is not supported",
    "membership": "comparison is not supported",
    "matmul_operator": "`@` needs a vector or matrix on both sides",
    "matmul_assignment": "`@` needs a vector or matrix on both sides",
    "import_statement": "import is not supported",
    "nested_function": "a nested function definition is not supported",
    "raise_statement": "raise is not supported",
    "with_open": "only supports qd.checkpoint()",
    "string_value": "is a str, not a number",
    "method_call": "ndarray has no attribute 'sum'",
    "range_keyword": "range() takes 1 to 3 positional arguments",
    "range_float": "range() bounds must be integers",
    "range_step_zero": "range() step must not be zero",
    "loop_over_element": "cannot loop over `x[0]`",
    "for_else": "`for ... else` is not supported",
    "return_in_task": "`return` is only allowed in a qd.func",
    "break_outside_loop": "`break` outside a loop is not allowed here",
    "constant_division_by_zero": "integer division or modulo by zero",
    "literal_too_large": "Integer literal 1180591620717411303424 exceeded the range of default_ip",
    "shift_of_a_float": "operator << needs integer operands",
    "array_as_a_number": "is a 1-d ndarray, not a scalar value",
    "reassigned_array": "ndarray 'x' cannot be reassigned",
    "atomic_on_a_local": "needs an ndarray element as its first argument",
    "float_atomic_and": "atomic and needs integer operands",
    "cast_to_a_non_type": "qd.cast() needs a qd type",
    "static_of_a_runtime_value": "qd.static() needs a compile-time value",
    "ndrange_with_one_variable_too_many": "cannot unpack the loop index into `(a, b, c)`",
    "walrus": "the walrus operator",
    "min_of_one": "min() in a kernel takes two or more numbers",
    "qd_func_argument_count": "bad call to qd.func 'two': missing a required argument: 'b'",
    "kernel_inside_a_kernel": "kernel 'dict_literal' cannot be called from inside a kernel",
    "global_statement": "`global` is not supported",
    "too_many_indices": "has 1 dimension(s) but is indexed with 2",
    "attribute_of_a_number": "attribute 'real' of a runtime value is not supported",
    "loop_config_before_a_statement": "qd.loop_config() must be followed by a top-level `for`",
    "loop_config_at_the_end": "qd.loop_config() must be followed by a top-level `for`",
    "loop_config_misspelled": "qd.loop_config() got an unexpected keyword argument 'serialise'",
    "loop_config_runtime_value": "qd.loop_config(block_dim=...) must be a positive int known",
    "loop_config_positional": "qd.loop_config() takes keyword arguments only",
    "static_assert_of_a_runtime_value": "qd.static_assert() needs a condition known at compile",
    "static_assert_that_fails": "need a multiple of 4",
    "print_an_array": "print() in a kernel prints numbers and strings; `x` is an ndarray",
    "print_to_a_file": "print() in a kernel takes sep= and end= strings only, not `file=None`",
}


def test_every_marked_kernel_has_a_case():
    marked = {line.split("# ERROR ")[1].split()[0] for line in SOURCE_LINES if "  # ERROR " in line}
    assert marked == set(CONSTRUCTS)


def test_print_on_a_gpu_target_is_refused_with_a_fix():
    from qdmlir.frontend.compiler import Compilation
    from qdmlir.runtime.artifact import ArgSpec

    kernel = bad.print_an_array
    with pytest.raises(qd.QuadrantsSyntaxError) as caught:
        Compilation.for_kernel(
            kernel, [ArgSpec("x", "ndarray", "i32", 1)], target="cuda"
        ).kernel_ir()
    assert "print() in a kernel runs on qd.cpu only" in str(caught.value)
    assert "write the values to an ndarray" in str(caught.value)


def test_a_parameter_named_like_the_print_buffer_is_refused():
    @qd.kernel
    def shadows(qd_print: qd.types.ndarray(qd.i32, 1)):
        for i in range(qd_print.shape[0]):
            print(i)

    with pytest.raises(
        qd.QuadrantsSyntaxError, match="'qd_print' is a name qdmlir reserves for print"
    ):
        shadows(np.zeros(2, np.int32))


def test_a_failing_static_assert_is_an_assertion_error_too():
    with pytest.raises(AssertionError, match="need a multiple of 4"):  # as in Quadrants
        bad.static_assert_that_fails(np.zeros(2, np.int32))


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_unsupported_python_is_a_located_syntax_error(name):
    kernel = getattr(bad, name)
    argument = np.zeros(4, np.float32 if name == "float_atomic_and" else np.int32)
    with pytest.raises(qd.QuadrantsSyntaxError) as caught:
        kernel(argument)
    message = str(caught.value)
    assert CONSTRUCTS[name] in message
    line = marked_line(name)
    assert caught.value.span is not None and caught.value.span.line == line, message
    assert f"{SOURCE_FILE}:{line}:" in message


@qd.func
def plus(a, b=2):
    return a + b


@qd.kernel
def uses_a_default(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        x[i] = plus(i)


def test_qd_func_default_arguments_are_python_values():
    # a default used to reach the kernel as a raw Python int: "`b` is int, not a number"
    x = np.zeros(3, np.int32)
    uses_a_default(x)
    assert list(x) == [2, 3, 4]


def test_a_lambda_kernel_is_a_syntax_error_not_an_ast_failure():
    kernel = qd.kernel(lambda x: None)
    with pytest.raises(qd.QuadrantsSyntaxError, match="defined with `def`, not a lambda"):
        kernel(np.zeros(1, np.int32))


# -- kernel calls ------------------------------------------------------------------------------

I1 = qd.types.ndarray(qd.i32, 1)
F1 = qd.types.ndarray(qd.f32, 1)
I0 = qd.types.ndarray(qd.i32, 0)


@qd.kernel(graph=True, checkpoints=True)
def step(x: I1, y: F1, n: qd.i32, h: qd.f32, flag: I0):
    with qd.checkpoint(1, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] += n
            y[i] += h


@qd.kernel
def any_arrays(x: qd.types.ndarray(), out: qd.types.ndarray()):
    for i in range(x.shape[0]):
        out[i] = x[i]


def good(**changes):
    arguments = {
        "x": np.zeros(4, np.int32),
        "y": np.zeros(4, np.float32),
        "n": 1,
        "h": 0.5,
        "flag": np.zeros((), np.int32),
    }
    arguments.update(changes)
    return list(arguments.values())


def read_only():
    array = np.zeros(4, np.int32)
    array.setflags(write=False)
    return array


# name -> (call, exception type, fragments of the message)
CALLS = {
    "too_few": (lambda: step(*good()[:3]), TypeError, ["takes 5 argument", "got 3"]),
    "too_many": (lambda: step(*good(), 5), TypeError, ["takes 5 argument", "got 6"]),
    "unknown_keyword": (
        lambda: step(*good(), bogus=1),
        TypeError,
        ["kernel 'step'", "unexpected keyword argument 'bogus'"],
    ),
    "twice": (lambda: step(*good(), x=1), TypeError, ["multiple values for argument 'x'"]),
    "list": (
        lambda: step(*good(x=[1, 2])),
        TypeError,
        ["argument 0 ('x')", "got list", "np.zeros(shape, np.int32)"],
    ),
    "none": (lambda: step(*good(x=None)), TypeError, ["argument 0 ('x')", "NoneType"]),
    "dtype": (
        lambda: step(*good(x=np.zeros(4))),
        TypeError,
        ["expected dtype int32", "x.astype(np.int32)"],
    ),
    "ndim": (
        lambda: step(*good(x=np.zeros((2, 2), np.int32))),
        ValueError,
        ["required ndim=1, but 2d ndarray with shape (2, 2)", "pass a 1-d array"],
    ),
    "unaligned_view": (
        lambda: step(*good(x=np.zeros(9, np.uint8)[1:].view(np.int32)[::1])),
        ValueError,
        ["not aligned to its elements", "np.array(x)"],
    ),
    "read_only_view": (
        lambda: step(*good(x=read_only()[::2])),
        ValueError,
        ["read-only", "np.array(x)"],
    ),
    "read_only": (lambda: step(*good(x=read_only())), ValueError, ["read-only", "np.array(x)"]),
    "qd_ndarray_dtype": (
        lambda: step(*good(x=qd.ndarray(qd.f32, (4,)))),
        TypeError,
        ["Expect element type i32 for argument x, but get f32", "qd.ndarray f32[4]"],
    ),
    "flag_as_int": (
        lambda: step(*good(flag=0)),
        TypeError,
        ["argument 4 ('flag')", "0-d i32 ndarray", "got int 0"],
    ),
    "scalar_out_of_range": (
        lambda: step(*good(n=2**40)),
        OverflowError,
        ["argument 2 ('n')", "out of range for qd.i32"],
    ),
    "scalar_string": (lambda: step(*good(n="3")), TypeError, ["expected an integer for qd.i32"]),
    "scalar_float_for_int": (lambda: step(*good(n=3.5)), TypeError, ["convert it with int(...)"]),
    "scalar_nan_for_int": (lambda: step(*good(n=float("nan"))), TypeError, ["expected an integer"]),
    "float_out_of_range": (
        lambda: step(*good(h=1e300)),
        OverflowError,
        ["argument 3 ('h')", "out of range for qd.f32"],
    ),
    "array_for_scalar": (
        lambda: step(*good(n=np.zeros(3))),
        TypeError,
        ["expected an integer for qd.i32", "numpy.ndarray"],
    ),
    "unannotated_list": (
        lambda: any_arrays([1, 2], [0, 0]),
        TypeError,
        ["kernel 'any_arrays' argument 0 ('x')", "expected an ndarray"],
    ),
    "unannotated_complex": (
        lambda: any_arrays(np.zeros(2, np.complex64), np.zeros(2, np.complex64)),
        TypeError,
        ["complex64", "has no qd equivalent"],
    ),
    "resume_without_label": (lambda: step.resume(*good()), TypeError, ["from_checkpoint"]),
    "resume_float_label": (
        lambda: step.resume(*good(), from_checkpoint=1.0),
        RuntimeError,
        ["must be an int or IntEnum value"],
    ),
    "resume_unknown_label": (
        lambda: step.resume(*good(), from_checkpoint=7),
        RuntimeError,
        ["does not match any qd.checkpoint", "available labels: 1"],
    ),
    "resume_plain_kernel": (
        lambda: any_arrays.resume(np.zeros(1), np.zeros(1), from_checkpoint=1),
        RuntimeError,
        ["cannot be resumed", "checkpoints=True"],
    ),
    "call_a_qd_func": (lambda: bad.two(1, 2), RuntimeError, ["can only be called from a kernel"]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_bad_kernel_calls_say_which_argument_and_the_fix(name):
    call, error, fragments = CALLS[name]
    with pytest.raises(error) as caught:
        call()
    for fragment in fragments:
        assert fragment in str(caught.value)


@qd.kernel
def fill(x: I1, value: qd.i32 = 3, *, offset: qd.i32 = 0):
    for i in range(x.shape[0]):
        x[i] = value + offset


def test_default_and_keyword_only_parameters_bind_on_every_call():
    # they used to fail: "takes 3 argument(s), got 1" (the keyword-only one was dropped)
    x = np.zeros(2, np.int32)
    for _ in range(2):  # the second call once took a fast path that skipped binding
        fill(x)
        assert list(x) == [3, 3]
    fill(x, 5, offset=1)
    assert list(x) == [6, 6]
    with pytest.raises(TypeError, match="kernel 'fill': too many positional arguments"):
        fill(x, 1, 2)


def test_a_kernel_renamed_after_decoration_still_builds():
    # the CPU build looked for func.func @<new name> but the IR was named after the `def`
    @qd.kernel
    def original(x: I1):
        for i in range(x.shape[0]):
            x[i] += 1

    original.__name__ = "renamed"
    x = np.zeros(2, np.int32)
    original(x)
    assert list(x) == [1, 1]


def test_a_failed_call_leaves_the_arrays_alone():
    x = np.arange(4, dtype=np.int32)
    with pytest.raises(OverflowError):
        step(*good(x=x, n=2**40))
    assert list(x) == [0, 1, 2, 3]


# -- qd.init and qd.ndarray --------------------------------------------------------------------


@pytest.fixture
def restore_config():
    from qdmlir.frontend import config

    saved = config._current
    yield
    config._current = saved


@pytest.mark.parametrize(
    "options, error, fragment",
    [
        ({"arch": "tpu"}, ValueError, "qd.init(arch='tpu'): unknown arch; use one of cpu"),
        ({"arch": 42}, ValueError, "expected qd.cpu, qd.cuda or qd.amdgpu"),
        ({"default_fp": "float128"}, ValueError, "unknown qd dtype 'float128'"),
        ({"default_ip": qd.f32}, ValueError, "default_ip must be an integer type"),
        ({"default_fp": qd.i64}, ValueError, "default_fp must be a float type"),
    ],
)
def test_bad_init_options(restore_config, options, error, fragment):
    with pytest.raises(error) as caught:
        qd.init(**options)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "dtype, shape, error, fragment",
    [
        ("int", (3,), TypeError, "qd.ndarray('int', (3,)): unknown qd dtype 'int'"),
        (object, (3,), TypeError, "has no qd equivalent"),
        (qd.f32, (-1,), ValueError, "(-1,) is not a valid shape"),
        (qd.f32, (2**40,), ValueError, "is not a valid shape"),
    ],
)
def test_bad_ndarrays(dtype, shape, error, fragment):
    with pytest.raises(error) as caught:
        qd.ndarray(dtype, shape)
    assert fragment in str(caught.value)


# -- qd-opt ------------------------------------------------------------------------------------


def qd_opt(tmp_path, text: str | bytes, *options, timeout=60) -> subprocess.CompletedProcess:
    path = tmp_path / "input.mlir"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return subprocess.run(
        [str(BIN / "qd-opt"), str(path), *options], capture_output=True, text=True, timeout=timeout
    )


def assert_one_line_error(result, fragment: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert fragment in lines[0], lines[0]


def test_qd_opt_does_not_hang_on_an_unterminated_string(tmp_path):
    # xDSL's lexer backtracked exponentially here: minutes for this one line
    line = '"sc %n, %c1) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> ({\n'
    result = qd_opt(tmp_path, line, timeout=20)
    assert_one_line_error(result, "input.mlir:1:1: error: End of file reached before closing")


def test_qd_opt_refuses_integer_types_wider_than_mlir_allows(tmp_path):
    result = qd_opt(
        tmp_path, "func.func @f(%a: i99999999) {\n  func.return\n}\n", "-p", "canonicalize"
    )
    assert_one_line_error(result, "input.mlir:1:18: error: integer bitwidth is limited to")


def test_qd_opt_on_binary_input(tmp_path):
    assert_one_line_error(qd_opt(tmp_path, b"\xff\xfe\x00garbage"), "qd-opt: error:")


def test_qd_opt_on_a_checkpoint_op_outside_a_function(tmp_path):
    text = (
        '%c = "test.op"() : () -> memref<i32>\n'
        "checkpoint.do_while %c : memref<i32> {\n  checkpoint.serial {\n  }\n}\n"
    )
    result = qd_opt(tmp_path, text, "-p", "checkpoint-lower")
    assert_one_line_error(result, "checkpoint.do_while is not inside a func.func")


def test_qd_opt_on_a_function_without_its_type(tmp_path):
    # xDSL verifies func.return first, which read the missing property and raised KeyError
    text = (
        '"builtin.module"() ({\n  "func.func"() <{sym_name = "g", lunction_type = () -> ()}> '
        '({\n    "func.return"() : () -> ()\n  }) : () -> ()\n}) : () -> ()\n'
    )
    result = qd_opt(tmp_path, text)
    assert_one_line_error(result, "input.mlir:2:3: error: property 'function_type' expected")


# -- qd-compile: targets, arches, toolchains ---------------------------------------------------

KERNEL_FILE = """\
import qdmlir as qd


@qd.kernel
def k(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        x[i] += 1
"""


def qd_compile(tmp_path, *options, env=None) -> subprocess.CompletedProcess:
    source = tmp_path / "kernels.py"
    source.write_text(KERNEL_FILE)
    environment = {
        "PATH": str(BIN),
        "HOME": os.environ.get("HOME", "/tmp"),
        "QD_CACHE": "0",
        **(env or {}),
    }
    return subprocess.run(
        [str(BIN / "qd-compile"), str(source), "--kernel", "k", *options],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )


def assert_compile_error(result, *fragments) -> None:
    assert result.returncode in (1, 2), (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("qd-compile: error: "), last
    for fragment in fragments:
        assert fragment in last, last


@pytest.mark.parametrize(
    "options, fragments",
    [
        (["--target", "tpu"], ["invalid choice: 'tpu'"]),
        (
            ["--target", "cuda", "--arch", "sm_1", "--emit", "ptx"],
            ["--arch 'sm_1' is not a CUDA architecture", "sm_90"],
        ),
        (
            ["--target", "rocm", "--arch", "gfx1", "--emit", "llvm-ir"],
            ["--arch 'gfx1' is not an AMD GPU architecture", "gfx90a"],
        ),
        (["--emit", "ptx"], ["--emit ptx needs --target cuda"]),
        (["--kernel", "nope"], ["has no @qd.kernel named 'nope' (kernels: k)"]),
    ],
)
def test_qd_compile_refuses_unknown_targets_and_arches(tmp_path, options, fragments):
    assert_compile_error(qd_compile(tmp_path, *options), *fragments)


def test_no_c_compiler(tmp_path):
    # PATH holds only the venv: no cc; $CC unset
    result = qd_compile(tmp_path, "--emit", "artifact", "-o", str(tmp_path / "out"))
    assert_compile_error(result, "no C compiler 'cc' on PATH", "apt-get install gcc")


def test_no_ptxas(tmp_path):
    result = qd_compile(
        tmp_path,
        "--target",
        "cuda",
        "--arch",
        "sm_90",
        "--emit",
        "cubin",
        "-o",
        str(tmp_path / "k.cubin"),
        env={"CUDA_HOME": str(tmp_path)},
    )
    assert_compile_error(result, "ptxas not found", "--emit ptx works without it")


def test_qd_ptxas_pointing_nowhere(tmp_path):
    result = qd_compile(
        tmp_path,
        "--target",
        "cuda",
        "--arch",
        "sm_90",
        "--emit",
        "cubin",
        "-o",
        str(tmp_path / "k.cubin"),
        env={"QD_PTXAS": str(tmp_path / "ptxas")},
    )
    assert_compile_error(result, "is not an executable file")


def test_no_llc_19(tmp_path):
    # an empty QD_ROCM_LLVM_BIN hides the system's opt-19 / llc-19 / ld.lld-19
    result = qd_compile(
        tmp_path,
        "--target",
        "rocm",
        "--arch",
        "gfx90a",
        "--emit",
        "hsaco",
        "-o",
        str(tmp_path / "k.hsaco"),
        env={"QD_ROCM_LLVM_BIN": str(tmp_path)},
    )
    assert_compile_error(result, "llc", "not in QD_ROCM_LLVM_BIN", "apt-get install llvm-19")


def test_qd_opt_fixes_xdsls_lexer_for_its_own_parser_only():
    # tools/qd_opt_parser.py: a subclass carries both fixes; xDSL's lexer is left as it is
    from xdsl.parser import Parser
    from xdsl.utils.mlir_lexer import MLIRLexer

    from qdmlir.passes.pipeline import xdsl_context
    from qdmlir.tools import qd_opt  # noqa: F401 - importing the tool patches nothing
    from qdmlir.tools.qd_opt_parser import LocatingParser, QdOptLexer

    assert MLIRLexer._unescaped_characters_regex is not QdOptLexer._unescaped_characters_regex
    assert "]+|" in MLIRLexer._unescaped_characters_regex.pattern
    # LocatingParser sets up its state itself: every field xDSL's parser has, it has
    ours, theirs = LocatingParser(xdsl_context(), "", "x"), Parser(xdsl_context(), "", "x")
    assert set(vars(theirs)) <= set(vars(ours))
    assert isinstance(ours._parser_state.lexer, QdOptLexer)


def test_qd_opt_reports_a_parent_error_before_a_child_crashes_on_it(tmp_path):
    # func.return's verifier reads its func.func's function_type: top-down verification
    # (passes/pipeline.py verify_top_down) reports the func's own error instead of a crash
    text = '"func.func"() <{sym_name = "f"}> ({\n  "func.return"() : () -> ()\n}) : () -> ()\n'
    result = qd_opt(tmp_path, text)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
