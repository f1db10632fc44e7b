"""Struct types: `@qd.dataclass`, `qd.types.struct(...)`, and `qd.Struct` values.

docs/kernel-language.md "Structs". A struct type names its members and their types (scalar
dtypes, vector / matrix types, other struct types); calling it builds a value, on the host a
`Struct` (members as attributes), in a kernel a struct of unrolled members (frontend/
matrix_calls.py). Standard library and numpy only.
"""

from __future__ import annotations

import typing
from typing import Any

from . import dtypes
from .matrix import Matrix
from .matrix_types import MatrixType


class StructType:
    """`qd.types.struct(pos=qd.math.vec3, mass=qd.f32)`; `@qd.dataclass` builds one from a
    class's annotations. Calling it makes a value: positional arguments fill the members in
    order, keywords by name, members not given are zero."""

    def __init__(self, members: dict[str, Any], name: str = "Struct"):
        for member, kind in members.items():
            if not _is_member_type(kind):
                raise TypeError(
                    f"struct member {name}.{member}: {kind!r} is not a qd type (a scalar dtype, "
                    "a vector / matrix type or a struct type)"
                )
        self.members = dict(members)
        self.name = name

    def __repr__(self) -> str:
        inside = ", ".join(f"{k}={_type_name(v)}" for k, v in self.members.items())
        return f"{self.name}({inside})"

    def values(self, args: tuple, kwargs: dict) -> dict[str, Any]:
        """The member each argument is for (what is not given: absent); TypeError on a name
        the type lacks or too many arguments."""
        names = list(self.members)
        if len(args) > len(names):
            raise TypeError(f"{self.name}() takes {len(names)} members, got {len(args)} arguments")
        given = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in self.members or key in given:
                raise TypeError(f"{self.name}() got an unexpected or repeated member {key!r}")
            given[key] = value
        return given

    def field(self, shape=None, order=None, name="", offset=None, **options):
        """`Ray.field(shape=n)`: a field of this struct type (runtime/struct_field.py)."""
        from qdmlir.frontend.fields import struct_field

        return struct_field(self, shape, order, name, offset, **options)

    def __call__(self, *args, **kwargs) -> Struct:
        given = self.values(args, kwargs)
        return Struct(
            {name: _host_value(kind, given.get(name)) for name, kind in self.members.items()}
        )


class Struct:
    """A host struct value (`qd.Struct(a=1, b=qd.Vector([1, 2]))`, or a struct type called
    outside a kernel): its members are attributes."""

    def __init__(self, *args, **kwargs):
        entries = dict(args[0]) if args and isinstance(args[0], dict) else {}
        entries.update(kwargs)
        object.__setattr__(self, "_entries", entries)

    def __getattr__(self, name: str):
        entries = object.__getattribute__(self, "_entries")
        if name in entries:
            return entries[name]
        raise AttributeError(f"struct has no member {name!r} (members: {', '.join(entries)})")

    def __setattr__(self, name: str, value) -> None:
        if name not in self._entries:
            raise AttributeError(f"struct has no member {name!r}")
        self._entries[name] = value

    def keys(self) -> list[str]:
        return list(self._entries)

    @classmethod
    def field(cls, members: dict, shape=None, order=None, name="", offset=None, **options):
        """`qd.Struct.field({"a": qd.f32, "v": qd.math.vec3}, shape=n)`: a field of structs
        with these members (runtime/struct_field.py)."""
        return StructType(dict(members)).field(shape, order, name, offset, **options)

    def to_dict(self) -> dict:
        return {k: (v.to_dict() if isinstance(v, Struct) else v) for k, v in self._entries.items()}

    def __repr__(self) -> str:
        return repr(self.to_dict())


def struct(**members) -> StructType:
    """`qd.types.struct(a=qd.f32, v=qd.math.vec3)`."""
    return StructType(members)


def dataclass(cls: type) -> StructType:
    """`@qd.dataclass class Ray: pos: qd.math.vec3; t: qd.f32`: the struct type of the class's
    annotated members, in declaration order."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - annotations that do not evaluate: the raw ones
        hints = dict(getattr(cls, "__annotations__", {}))
    members = {name: hints[name] for name in getattr(cls, "__annotations__", {})}
    return StructType(members, cls.__name__)


def _is_member_type(kind: Any) -> bool:
    if isinstance(kind, (MatrixType, StructType)) or kind in (int, float):
        return True
    try:
        dtypes.as_dtype(kind)
    except (KeyError, TypeError):
        return False
    return True


def _type_name(kind: Any) -> str:
    return getattr(kind, "name", None) or repr(kind)


def _host_value(kind: Any, value: Any):
    if isinstance(kind, StructType):
        return value if isinstance(value, Struct) else kind(**(value or {}))
    if isinstance(kind, MatrixType):
        return kind(0) if value is None else kind(value)
    dtype = dtypes.resolve(kind)
    value = 0 if value is None else value
    if isinstance(value, Matrix):
        raise TypeError(f"a {dtype.name} member cannot hold {value!r}")
    return float(value) if dtype.is_float else int(value)
