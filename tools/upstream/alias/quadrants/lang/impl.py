"""`quadrants.lang.impl`: qdmlir's `qd.lang.impl` (current_cfg), and Quadrants' runtime object,
which qdmlir does not have: tests that read it fail with `QuadrantsPrivateState`."""

import qdmlir as _qdmlir
from quadrants._lib.core import QuadrantsPrivateState


def get_runtime():
    raise QuadrantsPrivateState("impl.get_runtime()")


def __getattr__(name: str):
    try:
        return getattr(_qdmlir.lang.impl, name)
    except AttributeError:
        raise AttributeError(f"qdmlir's qd.lang.impl has no attribute {name!r}") from None
