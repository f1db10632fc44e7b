"""`quadrants.lang.exception`: the `Quadrants*Error` classes qdmlir exports, by Quadrants' names."""

import qdmlir as _qdmlir


def __getattr__(name: str):
    try:
        return getattr(_qdmlir, name)
    except AttributeError:
        raise AttributeError(f"qdmlir has no exception class {name!r}") from None
