"""Compound kernel arguments (docs/kernel-language.md, "Compound arguments"): `@qd.data_oriented`
methods reading `self.<member>`, dataclass parameters, objects passed as `qd.template()`. Each
member form works as `yield_on` and as a do-while condition; instances whose members have the
same types share one specialisation; a swapped member array never recompiles."""

import dataclasses
import enum

import numpy as np
import pytest

import qdmlir as qd
from qdmlir.frontend.kernel import BoundKernel

I32_1D = qd.types.NDArray[qd.i32, 1]
FLAG = qd.types.NDArray[qd.i32, 0]


def _zeros(n=4, dtype=qd.i32):
    return qd.ndarray(dtype, shape=(n,))


def _scalar(value=0):
    flag = qd.ndarray(qd.i32, shape=())
    flag[()] = value
    return flag


# -- @qd.data_oriented ----------------------------------------------------------------------


@qd.data_oriented
class Sim:
    def __init__(self, n=4):
        self.x = _zeros(n)
        self.flag = _scalar()
        self.counter = _scalar()
        self.step_size = 1

    @qd.kernel(graph=True, checkpoints=True)
    def staged(self):
        with qd.checkpoint(7, yield_on=self.flag):
            for i in range(self.x.shape[0]):
                self.x[i] += self.step_size
                self.flag[()] = 1
        with qd.checkpoint(8, yield_on=self.flag):
            for i in range(self.x.shape[0]):
                self.x[i] += 10

    @qd.kernel(graph=True)
    def countdown(self):
        while qd.graph.do_while(self.counter):
            for i in range(self.x.shape[0]):
                self.x[i] += 1
            for _ in range(1):
                self.counter[()] -= 1


def test_self_member_as_yield_on_yields_and_resumes():
    sim = Sim()
    status = sim.staged()
    assert status == qd.GraphStatus(True, 7)
    assert sim.x.to_numpy().tolist() == [1] * 4
    sim.flag[()] = 0
    assert sim.staged.resume(from_checkpoint=8) == qd.GraphStatus(False, None)
    assert sim.x.to_numpy().tolist() == [11] * 4


def test_self_member_as_do_while_condition():
    sim = Sim()
    sim.counter[()] = 3
    sim.countdown()
    assert sim.x.to_numpy().tolist() == [3] * 4 and sim.counter[()] == 0


def test_the_steady_method_call_is_one_generated_frame_and_sees_swapped_members():
    sim = Sim()
    sim.counter[()] = 1
    sim.countdown()
    bound = sim.countdown
    assert isinstance(bound, BoundKernel) and sim.countdown is bound  # kept on the instance
    assert type(bound).__call__.__code__.co_filename == "<qd launch countdown>"
    builds = len(Sim.countdown._specializations)
    old = sim.x
    sim.x = _zeros()  # a swapped member array: the next launch writes the new one
    sim.counter[()] = 2
    sim.countdown()
    assert sim.x.to_numpy().tolist() == [2] * 4 and old.to_numpy().tolist() == [1] * 4
    other = Sim()  # another instance with the same member types: the same build
    other.counter[()] = 1
    other.countdown()
    assert other.x.to_numpy().tolist() == [1] * 4
    assert len(Sim.countdown._specializations) == builds


def test_a_member_of_another_dtype_is_another_specialisation():
    sim = Sim()
    sim.counter[()] = 1
    sim.countdown()
    sim.x = np.zeros(3, np.int64)  # numpy members are passed as they are
    sim.counter[()] = 2
    sim.countdown()
    assert sim.x.tolist() == [2, 2, 2]
    assert {
        leaf[2] for key in Sim.countdown._specializations for leaf in key[2] if leaf[0] == "self.x"
    } >= {"i32", "i64"}


def test_number_members_are_compile_time_constants_read_at_every_call():
    sim = Sim()
    sim.staged()
    assert sim.x.to_numpy().tolist() == [1] * 4
    sim.flag[()] = 0
    sim.step_size = 5  # Quadrants 1.3.3 keeps running the value of the first compile
    sim.staged()
    assert sim.x.to_numpy().tolist() == [6] * 4


@qd.data_oriented(template_primitives=False)
class Lifted:
    def __init__(self):
        self.x = _zeros()
        self.scale = 2

    @qd.kernel
    def scaled(self):
        for i in range(self.x.shape[0]):
            self.x[i] = i * self.scale


def test_template_primitives_false_makes_number_members_runtime_scalars():
    obj = Lifted()
    obj.scaled()
    obj.scale = 3
    obj.scaled()
    assert obj.x.to_numpy().tolist() == [0, 3, 6, 9]
    assert len(Lifted.scaled._specializations) == 1


class Mode(enum.IntEnum):
    ADD = 0
    SET = 1


@qd.data_oriented
class Inner:
    def __init__(self):
        self.y = _zeros()
        self.flag = _scalar()
        self.counter = _scalar()


@qd.data_oriented
class Outer:
    def __init__(self):
        self.inner = Inner()
        self.mode = Mode.SET
        self.funcs = [self.fill_one, self.add_two]

    @qd.func
    def fill_one(self):
        for i in range(self.inner.y.shape[0]):
            self.inner.y[i] = 1

    @qd.func
    def add_two(self):
        for i in range(self.inner.y.shape[0]):
            self.inner.y[i] += 2

    @qd.kernel(graph=True, checkpoints=True)
    def run(self):
        while qd.graph.do_while(self.inner.counter):
            with qd.checkpoint(1, yield_on=self.inner.flag):
                for k in qd.static(range(len(self.funcs))):
                    self.funcs[k]()
            for _ in range(1):
                self.inner.counter[()] -= 1
                if qd.static(self.mode == Mode.SET):
                    self.inner.flag[()] = 1


def test_nested_members_func_lists_and_enum_constants():
    obj = Outer()
    obj.inner.counter[()] = 3
    # the first iteration sets the flag after its checkpoint; the second yields after the
    # checkpoint's first task (fill_one), before add_two
    assert obj.run() == qd.GraphStatus(True, 1)
    assert obj.inner.y.to_numpy().tolist() == [1] * 4 and obj.inner.counter[()] == 2
    obj.inner.flag[()] = 0
    obj.mode = Mode.ADD  # another constant, where nothing sets the flag
    obj.funcs = [obj.add_two]  # and another func list: one more build
    assert obj.run() == qd.GraphStatus(False, None)
    assert obj.inner.y.to_numpy().tolist() == [5] * 4 and obj.inner.counter[()] == 0
    assert len(Outer.run._specializations) == 2


@qd.kernel
def free_kernel(obj: qd.template(), field_arg: qd.Template):
    for i in range(obj.inner.y.shape[0]):
        obj.inner.y[i] += field_arg[i]


def test_data_oriented_objects_and_fields_as_template_arguments():
    obj, f = Outer(), qd.field(qd.i32, shape=4)
    f.from_numpy(np.arange(4, dtype=np.int32))
    free_kernel(obj, f)
    free_kernel(obj, f)
    assert obj.inner.y.to_numpy().tolist() == [0, 2, 4, 6]


# -- dataclass parameters --------------------------------------------------------------------


@dataclasses.dataclass
class Params:
    x: I32_1D
    flag: FLAG


@dataclasses.dataclass(frozen=True)
class Nested:
    params: Params
    counter: FLAG
    bump: qd.i32


@qd.kernel(graph=True, checkpoints=True)
def params_staged(params: Params):
    with qd.checkpoint(7, yield_on=params.flag):
        for i in range(params.x.shape[0]):
            params.x[i] += 1
            params.flag[()] = 1
    with qd.checkpoint(8, yield_on=params.flag):
        for i in range(params.x.shape[0]):
            params.x[i] += 10


@qd.kernel(graph=True)
def nested_countdown(nested: Nested):
    while qd.graph.do_while(nested.counter):
        for i in range(nested.params.x.shape[0]):
            nested.params.x[i] += nested.bump
        for _ in range(1):
            nested.counter[()] -= 1


def test_dataclass_member_as_yield_on_yields_and_resumes():
    params = Params(_zeros(), _scalar())
    assert params_staged(params) == qd.GraphStatus(True, 7)
    params.flag[()] = 0
    assert params_staged.resume(params, from_checkpoint=8) == qd.GraphStatus(False, None)
    assert params.x.to_numpy().tolist() == [11] * 4


def test_nested_dataclass_member_as_do_while_condition_with_a_runtime_scalar():
    nested = Nested(Params(_zeros(), _scalar()), _scalar(3), 2)
    nested_countdown(nested)
    assert nested.params.x.to_numpy().tolist() == [6] * 4
    again = Nested(Params(_zeros(), _scalar()), _scalar(2), 5)  # new values: no new build
    nested_countdown(again)
    assert again.params.x.to_numpy().tolist() == [10] * 4
    assert len(nested_countdown._specializations) == 1


def test_dataclass_arguments_are_checked():
    with pytest.raises(TypeError, match=r"argument 0 \('params'\): expected a Params, got Nested"):
        params_staged(Nested(Params(_zeros(), _scalar()), _scalar(), 1))
    wrong = Params(qd.ndarray(qd.f32, shape=(4,)), _scalar())
    with pytest.raises(
        TypeError, match="'params.x'.*Expect element type i32 for argument params.x"
    ):
        params_staged(wrong)


# -- errors ----------------------------------------------------------------------------------


@qd.data_oriented
class Broken:
    def __init__(self):
        self.x = _zeros()
        self.flag = _scalar()
        self.number = 7
        self.wide = _zeros(dtype=qd.f32)
        self.thing = object()

    @qd.kernel(graph=True, checkpoints=True)
    def missing_flag(self):
        with qd.checkpoint(0, yield_on=self.missing):
            for i in range(4):
                self.x[i] = 1

    @qd.kernel(graph=True, checkpoints=True)
    def number_flag(self):
        with qd.checkpoint(0, yield_on=self.number):
            for i in range(4):
                self.x[i] = 1

    @qd.kernel(graph=True)
    def missing_counter(self):
        while qd.graph.do_while(self.missing):
            for i in range(4):
                self.x[i] = 1

    @qd.kernel(graph=True)
    def float_counter(self):
        while qd.graph.do_while(self.wide):
            for i in range(4):
                self.x[i] = 1

    @qd.kernel
    def reads_missing(self):
        for i in range(4):
            self.x[i] = self.nothing

    @qd.kernel
    def reads_object(self):
        for i in range(4):
            self.x[i] = self.thing


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        (
            "missing_flag",
            "got 'self.missing' which does not resolve to an ndarray kernel parameter",
        ),
        ("number_flag", "got 'self.number' which does not resolve to an ndarray kernel parameter"),
        ("missing_counter", "does not resolve to an ndarray kernel parameter"),
        ("float_counter", "got 'self.wide', a 1-d f32 ndarray; the flag must be a 0-d i32"),
        ("reads_missing", "`self` has no member 'nothing' (Broken object)"),
        ("reads_object", "`self.thing` is a object member, which a kernel cannot use"),
    ],
)
def test_member_errors_are_located_and_say_what_is_wrong(name, phrase):
    with pytest.raises(
        qd.QuadrantsSyntaxError, match=phrase.replace("(", r"\(").replace(")", r"\)")
    ) as caught:
        getattr(Broken(), name)()
    assert "test_compound_arguments.py:" in str(caught.value)


@qd.kernel(graph=True, checkpoints=True)
def params_bad_flag(params: Params):
    with qd.checkpoint(0, yield_on=params.x):
        for i in range(params.x.shape[0]):
            params.x[i] = 1


def test_a_dataclass_member_flag_gets_the_same_checks_as_a_parameter():
    with pytest.raises(qd.QuadrantsSyntaxError, match="'params.x', a 1-d i32 ndarray; the flag"):
        params_bad_flag(Params(_zeros(), _scalar()))


class NotDataOriented:
    def __init__(self):
        self.x = _zeros()

    @qd.kernel
    def step(self):
        for i in range(4):
            self.x[i] = 1


def test_a_kernel_method_needs_the_data_oriented_decorator():
    with pytest.raises(
        qd.QuadrantsSyntaxError,
        match="Please decorate class NotDataOriented with @qd.data_oriented",
    ):
        NotDataOriented().step()


@qd.data_oriented
class Helper:
    def __init__(self):
        self.x = _zeros()

    @qd.func
    def set_one(self, i):
        self.x[i] = 1


HELPER = Helper()


@qd.kernel
def calls_a_global_method(x: I32_1D):
    for i in range(x.shape[0]):
        HELPER.set_one(i)


def test_a_method_bound_to_an_object_that_is_not_an_argument_is_refused():
    with pytest.raises(
        qd.QuadrantsSyntaxError, match="bound to a Helper object the kernel does not take"
    ):
        calls_a_global_method(np.zeros(4, np.int32))


# -- the general path ------------------------------------------------------------------------


@qd.kernel
def add_constant(x: I32_1D, k: qd.template()):
    for i in range(x.shape[0]):
        x[i] += k


def test_alternating_specialisations_are_found_by_their_matchers(monkeypatch):
    import qdmlir.frontend.flatten as flatten

    x = np.zeros(3, np.int32)
    add_constant(x, 1)
    add_constant(x, 2)
    walks = []
    original = flatten.flatten
    monkeypatch.setattr(flatten, "flatten", lambda *a: walks.append(a) or original(*a))
    for _ in range(3):  # the steady call holds one; the other falls back to the general path
        add_constant(x, 1)
        add_constant(x, 2)
    assert x.tolist() == [12, 12, 12] and walks == []  # no call was walked again
    add_constant(x, 3)  # a new value: walked, compiled
    assert len(walks) == 1 and len(add_constant._specializations) == 3


def test_instances_copy_and_pickle_after_a_call_binds_their_kernels():
    import copy
    import pickle

    sim = Sim()
    sim.counter[()] = 1
    sim.countdown()  # leaves the bound kernel in sim.__dict__, as Quadrants does
    clone = copy.deepcopy(sim)
    assert clone.countdown.instance is clone and clone.x is not sim.x
    restored = pickle.loads(pickle.dumps(clone))
    restored.counter[()] = 2
    restored.countdown()
    assert restored.x.to_numpy().tolist() == [3] * 4


@qd.kernel(graph=True, checkpoints=True)
def template_object_flags(obj: qd.template()):
    while qd.graph.do_while(obj.inner.counter):
        with qd.checkpoint(4, yield_on=obj.inner.flag):
            for i in range(obj.inner.y.shape[0]):
                obj.inner.y[i] += 1
        for _ in range(1):
            obj.inner.counter[()] -= 1
            if obj.inner.counter[()] == 1:
                obj.inner.flag[()] = 1


def test_members_of_a_template_object_as_yield_on_and_do_while_condition():
    obj = Outer()
    obj.inner.counter[()] = 3
    assert template_object_flags(obj) == qd.GraphStatus(True, 4)
    assert obj.inner.y.to_numpy().tolist() == [3] * 4 and obj.inner.counter[()] == 1
    obj.inner.flag[()] = 0
    assert template_object_flags.resume(obj, from_checkpoint=4) == qd.GraphStatus(False, None)
    assert obj.inner.y.to_numpy().tolist() == [4] * 4


QD_COMPILE_FILE = """
import dataclasses
import qdmlir as qd


@dataclasses.dataclass
class Params:
    x: qd.types.NDArray[qd.i32, 1]


@qd.data_oriented
class Sim:
    def __init__(self):
        self.x = qd.ndarray(qd.i32, (4,))

    @qd.kernel
    def step(self):
        for i in range(4):
            self.x[i] = 1


@qd.kernel
def update(params: Params):
    for i in range(4):
        params.x[i] = 1
"""


@pytest.mark.parametrize(
    ("options", "phrase"),
    [
        (
            ["--kernel", "Sim.step"],
            "'step' is a kernel method: name it through a module-level object",
        ),
        (["--kernel", "update"], "parameter 'params' needs an example argument: --arg params=EXPR"),
        (["--kernel", "update", "--arg", "params=Nope()"], "--arg params=Nope(): name 'Nope'"),
    ],
)
def test_qd_compile_needs_an_object_for_a_method_and_examples_for_compound_parameters(
    tmp_path, options, phrase
):
    from qdmlir.tools.qd_compile import UsageError, run

    source = tmp_path / "compound_kernels.py"
    source.write_text(QD_COMPILE_FILE)
    with pytest.raises(UsageError, match=phrase.replace("(", r"\(").replace(")", r"\)")):
        run([str(source), *options])
