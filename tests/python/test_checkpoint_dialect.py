"""The checkpoint ops built from Python: plain-value constructors, accessors and verifiers."""

import pytest
from xdsl.dialects import test as test_dialect
from xdsl.dialects.builtin import MemRefType, ModuleOp, f32, i32
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.utils.exceptions import VerifyException

from qdmlir.dialects.checkpoint import DoWhileOp, ParallelOp, RegionOp, SerialOp


def _kernel(*ops, arg_types=()):
    func = FuncOp("k", (arg_types, ()))
    for op in ops:
        func.body.block.add_op(op)
    func.body.block.add_op(ReturnOp())
    return ModuleOp([func])


def test_region_accessors_return_plain_values():
    region = RegionOp([test_dialect.TestOp()], slot=2, label=-7, yield_on=1, yield_on_name="flag")
    assert (region.slot_index, region.label_value, region.yield_on_index) == (2, -7, 1)
    assert region.yield_on_name.data == "flag"
    assert len(list(region.block.ops)) == 1


def test_flag_argument_is_found_by_position_not_by_name():
    region = RegionOp(label=3, yield_on=1, yield_on_name="renamed")
    module = _kernel(region, arg_types=(MemRefType(f32, [2]), MemRefType(i32, [])))
    module.verify()
    func = module.body.block.first_op
    func.args[1].name_hint = "flag"
    assert region.flag_argument() is func.args[1]


def test_detached_region_has_no_flag_argument():
    assert RegionOp(label=3, yield_on=0).flag_argument() is None


def test_unnumbered_region_has_no_slot():
    region = RegionOp()
    assert region.slot_index is None and region.label_value is None
    _kernel(region).verify()


def test_yield_on_needs_a_label():
    with pytest.raises(VerifyException, match='yield_on 0 "flag" needs a label'):
        _kernel(
            RegionOp(yield_on=0, yield_on_name="flag"), arg_types=(MemRefType(i32, []),)
        ).verify()


def test_yield_on_is_checked_against_the_signature():
    with pytest.raises(VerifyException, match="does not resolve to an ndarray kernel parameter"):
        _kernel(RegionOp(label=1, yield_on=2), arg_types=(MemRefType(i32, []),)).verify()
    with pytest.raises(VerifyException, match="names an argument of type f32"):
        _kernel(RegionOp(label=1, yield_on=0), arg_types=(f32,)).verify()


def test_do_while_condition_must_be_0d_i32():
    module = _kernel(arg_types=(MemRefType(f32, []),))
    func = module.body.block.first_op
    func.body.block.insert_op_before(DoWhileOp(func.args[0]), func.body.block.first_op)
    with pytest.raises(VerifyException, match=r"must be a 0-d i32 memref \(memref<i32>\)"):
        module.verify()


def test_do_while_accepts_memref_i32():
    module = _kernel(arg_types=(MemRefType(i32, []),))
    func = module.body.block.first_op
    func.body.block.insert_op_before(
        DoWhileOp(func.args[0], [SerialOp()]), func.body.block.first_op
    )
    module.verify()


def test_serial_rejects_checkpoints_inside():
    with pytest.raises(VerifyException, match="cannot contain checkpoint.region"):
        _kernel(SerialOp([RegionOp(label=1)])).verify()


def test_parallel_sections_are_built_from_lists_of_ops():
    fork = ParallelOp([[test_dialect.TestOp()], [], [test_dialect.TestOp(), test_dialect.TestOp()]])
    assert [len(list(block.ops)) for block in fork.blocks] == [1, 0, 2]
    _kernel(fork).verify()
    assert ParallelOp().blocks == []  # an empty fork: every section was compiled out


@pytest.mark.parametrize(
    "inner, message",
    [
        (lambda cond: DoWhileOp(cond), "section 1: a do-while cannot run inside a section"),
        (lambda cond: ParallelOp([[]]), "section 1: sections cannot be nested"),
        (lambda cond: RegionOp(label=4), "section 1: an explicit checkpoint (label 4)"),
    ],
)
def test_parallel_sections_reject_what_cannot_run_in_one(inner, message):
    module = _kernel(arg_types=(MemRefType(i32, []),))
    block = module.body.block.first_op.body.block
    block.insert_op_before(ParallelOp([[], [inner(block.args[0])]]), block.first_op)
    with pytest.raises(VerifyException) as caught:
        module.verify()
    assert message in str(caught.value)


def test_an_implicit_checkpoint_may_sit_in_a_section():
    _kernel(ParallelOp([[RegionOp([test_dialect.TestOp()], slot=0)]])).verify()


def test_serial_code_cannot_hold_a_fork():
    with pytest.raises(
        VerifyException, match="checkpoint.serial cannot contain checkpoint.parallel"
    ):
        _kernel(SerialOp([ParallelOp()])).verify()
