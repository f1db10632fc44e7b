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
        "checkpoint.parallel",
    }


OURS = sorted(n for n, f in get_all_passes().items() if f().__module__.startswith("qdmlir."))


@pytest.mark.parametrize("name", OURS)
def test_our_pass_follows_the_naming_and_docstring_rules(name):
    """`checkpoint-lower` is CheckpointLowerPass in passes/checkpoint_lower.py, and its
    docstring says what IR it takes and gives (STYLE: a pass)."""
    cls = get_all_passes()[name]()
    assert cls.__name__ == "".join(part.title() for part in name.split("-")) + "Pass"
    assert cls.__module__ == "qdmlir.passes." + name.replace("-", "_")
    assert cls.__doc__ and "IR in" in cls.__doc__ and "IR out" in cls.__doc__


def test_every_pass_module_is_registered():
    """A ModulePass defined in passes/ that the table does not list is unreachable."""
    import importlib
    import inspect
    import pkgutil

    from xdsl.passes import ModulePass

    import qdmlir.passes

    registered = {f() for f in get_all_passes().values()}
    for info in pkgutil.iter_modules(qdmlir.passes.__path__):
        module = importlib.import_module(f"qdmlir.passes.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, ModulePass) and cls.__module__ == module.__name__:
                assert cls in registered, f"{cls.__name__} ({cls.name}) is not in passes/__init__"


def test_checkpoint_lower_takes_a_target_option():
    from xdsl.passes import PassPipeline

    (lower,) = PassPipeline.parse_spec(get_all_passes(), "checkpoint-lower{target=gpu}").passes
    assert lower.target == "gpu"
    assert get_all_passes()["checkpoint-lower"]().target == "cpu"
