"""The pass and dialect tables: one entry per name, each factory returning what its key says."""

import pytest

from qdmlir.dialects import get_all_dialects
from qdmlir.passes import get_all_passes


@pytest.mark.parametrize("name", sorted(get_all_passes()))
def test_pass_factory_name_matches_its_key(name):
    assert get_all_passes()[name]().name == name


def test_pass_table_is_alphabetical():
    names = list(get_all_passes())
    assert names == sorted(names)


def test_checkpoint_dialect_is_registered_with_its_ops():
    dialect = get_all_dialects()["checkpoint"]()
    assert dialect.name == "checkpoint"
    assert {op.name for op in dialect.operations} == {
        "checkpoint.region",
        "checkpoint.do_while",
        "checkpoint.serial",
    }


CHECKPOINT_PASSES = {
    "checkpoint-lower": "CheckpointLowerPass",
    "checkpoint-merge-guards": "CheckpointMergeGuardsPass",
    "checkpoint-number": "CheckpointNumberPass",
    "checkpoint-reuse-state-loads": "CheckpointReuseStateLoadsPass",
    "checkpoint-verify": "CheckpointVerifyPass",
}


@pytest.mark.parametrize("name", sorted(CHECKPOINT_PASSES))
def test_checkpoint_pass_is_registered(name):
    cls = get_all_passes()[name]()
    assert cls.__name__ == CHECKPOINT_PASSES[name]
    assert cls.__module__ == "qdmlir.passes." + name.replace("-", "_")
    assert cls.__doc__ and "IR in" in cls.__doc__ and "IR out" in cls.__doc__


def test_checkpoint_lower_takes_a_target_option():
    from xdsl.passes import PassPipeline

    (lower,) = PassPipeline.parse_spec(get_all_passes(), "checkpoint-lower{target=gpu}").passes
    assert lower.target == "gpu"
    assert get_all_passes()["checkpoint-lower"]().target == "cpu"
