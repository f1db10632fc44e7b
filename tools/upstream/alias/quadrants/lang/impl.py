"""`quadrants.lang.impl`: qdmlir's `qd.lang.impl` (current_cfg), and Quadrants' runtime object.

qdmlir has no such object. `get_runtime()` gives a `PrivateState` placeholder: reading through
it (`impl.get_runtime().prog.get_graph_cache_size()`) works, and any use of what was read (a
comparison, `bool`, arithmetic) raises `QuadrantsPrivateState`. So a test that reads a counter
only to check it on CUDA runs on, and one that checks it on the CPU fails, naming the read.
"""

import qdmlir as _qdmlir
from quadrants._lib.core import QuadrantsPrivateState


class PrivateState:
    """A read of Quadrants' private runtime state: it can be passed around, never used."""

    def __init__(self, what: str):
        self._what = what

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return PrivateState(f"{self._what}.{name}")

    def __call__(self, *args, **kwargs):
        return PrivateState(f"{self._what}()")

    def __repr__(self) -> str:
        return f"<{self._what}: Quadrants' private runtime state>"

    def _refuse(self, *args):
        raise QuadrantsPrivateState(self._what)

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = _refuse
    __bool__ = __int__ = __float__ = __index__ = __len__ = __iter__ = __contains__ = _refuse
    __getitem__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse


def get_runtime() -> PrivateState:
    return PrivateState("impl.get_runtime()")


def __getattr__(name: str):
    try:
        return getattr(_qdmlir.lang.impl, name)
    except AttributeError:
        raise AttributeError(f"qdmlir's qd.lang.impl has no attribute {name!r}") from None
