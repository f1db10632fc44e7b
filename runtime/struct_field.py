"""Fields of structs: `qd.Struct.field({"a": qd.f32, "v": qd.math.vec3}, shape=n)`,
`Ray.field(shape=n)` for a `@qd.dataclass` or `qd.types.struct` type.

A struct field is one field per member (runtime/field.py), all of the same shape and offset: a
struct of arrays. A nested struct member is a struct field in turn. Kernels reach the members
as they reach any field (frontend/flatten.py takes a struct field apart into its member fields,
frontend/members.py resolves `x.a`), and `x[i].a` in a kernel is `x.a[i]`, as in Quadrants.

On the host `x.a` is the member field, `x[i]` a view of one element whose members read and
write the fields (`x[i].a = 1`, `x[i].v[0]`), and `x[i] = value` sets every member from a
`qd.Struct`, a struct type's value, a dict or another element. `fill`, `to_numpy` (a dict of
the members' arrays), `from_numpy` and `copy_from` work member by member.
"""

from __future__ import annotations

from typing import Any


class StructField:
    """A field of structs; build it with `qd.Struct.field(members, shape)` or a struct type's
    `.field(shape)` (frontend/fields.py checks the arguments)."""

    __slots__ = ("_type", "_members", "__weakref__")

    def __init__(self, struct_type: Any, members: dict[str, Any]):
        object.__setattr__(self, "_type", struct_type)
        object.__setattr__(self, "_members", dict(members))

    # what Quadrants' struct fields answer ----------------------------------------------------

    def __getattr__(self, name: str):
        members = object.__getattribute__(self, "_members")
        if name in members:
            return members[name]
        raise AttributeError(
            f"the struct field has no member {name!r} (members: {', '.join(members)})"
        )

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(
            f"cannot replace member {name!r} of a struct field; write its elements: "
            f"x.{name}[i] = ... or x.{name}.fill(...)"
        )

    @property
    def keys(self) -> list[str]:
        return list(self._members)

    @property
    def members(self) -> list:
        return list(self._members.values())

    @property
    def struct_type(self) -> Any:
        return self._type

    @property
    def shape(self) -> tuple[int, ...]:
        return self._leaf().shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def offset(self) -> tuple[int, ...]:
        return self._leaf().offset

    def get_member_field(self, key: str):
        return self._members[key]

    def _leaf(self):
        """A member field (the first; a nested struct's first): all have the same shape."""
        member = next(iter(self._members.values()))
        return member._leaf() if isinstance(member, StructField) else member

    def _index(self, key):
        return self._leaf()._index(key)

    def __repr__(self) -> str:
        inside = ", ".join(f"{k}: {_describe(v)}" for k, v in self._members.items())
        return f"<qd.Struct.field {{{inside}}}{list(self.shape)}>"

    def __iter__(self):
        raise NotImplementedError(
            "Struct for is only available in Quadrants scope: `for i in field` loops over a "
            "field inside a @qd.kernel; on the host, loop over range(field.shape[0])"
        )

    # host access -----------------------------------------------------------------------------

    def __getitem__(self, key) -> StructElement:
        self._index(key)  # the index checks and errors of a field
        return StructElement(self, key)

    def __setitem__(self, key, value) -> None:
        self._index(key)
        for name, member in self._members.items():
            member[key] = _member_value(value, name)

    def fill(self, value) -> None:
        """Every member of every element to `value` (one number, converted per member)."""
        for member in self._members.values():
            member.fill(value)

    def to_numpy(self) -> dict[str, Any]:
        """The members' contents: a dict of numpy arrays (nested dicts for struct members)."""
        return {name: member.to_numpy() for name, member in self._members.items()}

    def from_numpy(self, arrays: dict) -> None:
        """Copy a dict of the members' arrays (as `to_numpy` gives) into the field."""
        if not isinstance(arrays, dict):
            raise TypeError(
                f"a struct field's from_numpy takes a dict of its members' arrays, got "
                f"{type(arrays).__name__}"
            )
        for name, member in self._members.items():
            member.from_numpy(arrays[name])

    def copy_from(self, other: StructField) -> None:
        if not isinstance(other, StructField) or other.keys != self.keys:
            raise TypeError("copy_from expects a struct field with the same members")
        for name, member in self._members.items():
            member.copy_from(other._members[name])


class StructElement:
    """`x[i]` of a struct field on the host: its members read and write the member fields."""

    __slots__ = ("_field", "_key")

    def __init__(self, field: StructField, key):
        object.__setattr__(self, "_field", field)
        object.__setattr__(self, "_key", key)

    def __getattr__(self, name: str):
        field = object.__getattribute__(self, "_field")
        return getattr(field, name)[object.__getattribute__(self, "_key")]

    def __setattr__(self, name: str, value) -> None:
        getattr(self._field, name)[self._key] = value

    def keys(self) -> list[str]:
        return self._field.keys

    def to_dict(self) -> dict:
        def plain(value):
            return value.to_dict() if isinstance(value, StructElement) else value

        return {name: plain(getattr(self, name)) for name in self._field.keys}

    def __repr__(self) -> str:
        return repr(self.to_dict())


def _member_value(value, name: str):
    """Member `name` of a value assigned to a whole element."""
    if isinstance(value, dict):
        if name not in value:
            raise KeyError(f"the value assigned to a struct field element has no member {name!r}")
        return value[name]
    try:
        return getattr(value, name)
    except AttributeError:
        raise TypeError(
            f"cannot assign {type(value).__name__} to a struct field element: give a "
            "qd.Struct, a value of its struct type, a dict or another element"
        ) from None


def _describe(member) -> str:
    if isinstance(member, StructField):
        return "{" + ", ".join(f"{k}: {_describe(v)}" for k, v in member._members.items()) + "}"
    from .matrix_types import element_type_string

    return element_type_string(member.element_shape, member.dtype)
