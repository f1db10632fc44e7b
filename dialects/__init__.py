"""Dialect registry: every dialect qdmlir's tools parse, by name (STYLE: one table).

Each entry maps a dialect name to a zero-argument factory that imports lazily, so asking for
one dialect does not import the others.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.ir import Dialect

from qdmlir.dialects import scf_syntax

# every tool that reads or prints our IR imports this package first
scf_syntax.install()


def _checkpoint() -> Dialect:
    from qdmlir.dialects.checkpoint import Checkpoint

    return Checkpoint


def get_all_dialects() -> dict[str, Callable[[], Dialect]]:
    """xDSL's own dialects plus ours, keyed by dialect name.

    xDSL's built-in table, not `Universe.get_multiverse()`: the multiverse also scans every
    installed package's entry points for plugins (~70 ms of each cold compile) and qdmlir
    uses none.
    """
    from xdsl.dialects import get_all_dialects as xdsl_dialects

    dialects = dict(xdsl_dialects())
    dialects["checkpoint"] = _checkpoint
    return dialects
