"""`quadrants.lang.util.has_pytorch`: whether torch is importable (its tests skip without it)."""

import importlib.util


def has_pytorch() -> bool:
    return importlib.util.find_spec("torch") is not None
