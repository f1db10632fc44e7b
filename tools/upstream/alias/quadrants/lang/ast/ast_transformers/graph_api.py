"""Quadrants' AST helper that recognises `qd.graph.*` spellings: a module of its compiler's
internals. It exists so that the files importing it collect; every use is `QuadrantsPrivateState`."""

from quadrants._lib.core import QuadrantsPrivateState


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise QuadrantsPrivateState(f"graph_api.{name}", kind="compiler internals (its AST helpers)")
