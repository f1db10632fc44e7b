"""`quadrants.math` as a module, so `from quadrants.math import vec3` reaches qdmlir's `qd.math`."""

import qdmlir as _qdmlir


def __getattr__(name: str):
    try:
        return getattr(_qdmlir.math, name)
    except AttributeError:
        raise AttributeError(f"qdmlir's qd.math has no attribute {name!r}") from None
