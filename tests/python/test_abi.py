"""runtime/abi.py is the one owner of the hidden arguments and the CPU word layout: the frontend,
the lowering, the entry point and the launcher all follow it."""

import numpy as np
import pytest

import qdmlir as qd
from qdmlir.runtime import abi
from qdmlir.runtime.artifact import ArgSpec

X = ArgSpec("x", "ndarray", "f32", 2)
N = ArgSpec("n", "scalar", "i32")
FLAG = ArgSpec("flag", "ndarray", "i32", 0)


def test_hidden_arguments_follow_the_user_ones_in_table_order():
    result, debug, prints = abi.RESULT.spec("f32"), abi.DEBUG.spec(), abi.PRINT.spec()
    # whatever order they are added in, and added twice, they land in abi.HIDDEN's order
    ordered = abi.with_hidden([X, prints, N], [debug, result, prints])
    assert [a.name for a in ordered] == ["x", "n", "qd_result", "qd_debug", "qd_print"]
    assert abi.user_arguments(ordered) == [X, N]


def test_word_layout_counts_pointer_and_sizes_per_array_then_state():
    layout = abi.WordLayout.of([X, N, FLAG])
    assert layout.offsets == (0, 3, 4)  # x: pointer + 2 sizes; n: 1 word; flag: pointer
    assert (layout.state_pointer, layout.state, layout.size) == (5, 6, 7)


def test_entry_point_reads_the_state_pointer_where_the_layout_puts_it():
    from qdmlir.passes.targets.cpu_entry import entry_function_text

    layout = abi.WordLayout.of([X, N, FLAG])
    text = entry_function_text("k", [X, N, FLAG])
    assert f"%words[{layout.state_pointer}]" in text
    assert f"%words[{layout.state_pointer + 1}]" not in text


@pytest.mark.parametrize("resume_point", [0, 1, 7, 2**31 - 1])
def test_state_word_round_trips(resume_point):
    word = abi.encode_state(resume_point)
    assert word & 0xFFFFFFFF == resume_point
    assert abi.decode_yielded_at(word) == abi.NOT_YIELDED


def test_launcher_writes_the_state_abi_encodes():
    @qd.kernel(graph=True, checkpoints=True)
    def two_slots(x: qd.types.ndarray(qd.f32, 1), flag: qd.types.ndarray(qd.i32, 0)):
        for i in range(x.shape[0]):
            x[i] += 1.0
        with qd.checkpoint(4, yield_on=flag):
            for i in range(x.shape[0]):
                x[i] += 10.0

    x, flag = np.zeros(3, np.float32), np.zeros((), np.int32)
    assert two_slots.resume(x, flag, from_checkpoint=4) == qd.GraphStatus(False, None)
    assert x.tolist() == [10.0] * 3  # slot 0 skipped: resume_point 1 reached the kernel
    flag[()] = 1
    assert two_slots(x, flag) == qd.GraphStatus(True, 4)


@pytest.mark.parametrize("name", sorted(abi.RESERVED))
def test_every_reserved_name_is_a_located_error(name, tmp_path):
    import importlib.util

    path = tmp_path / f"kernel_{name}.py"
    path.write_text(  # a parameter named after a hidden argument, whatever the kernel does
        f"import qdmlir as qd\n\n\n@qd.kernel\ndef k({name}: qd.types.ndarray(qd.i32, 1)):\n"
        "    pass\n"
    )
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(qd.QuadrantsSyntaxError, match=f"'{name}' is a name qdmlir reserves"):
        module.k(np.zeros(1, np.int32))
