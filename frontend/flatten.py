"""Compound kernel arguments taken apart into ordinary kernel arguments (docs/kernel-language.md,
"Compound arguments").

`flatten(kernel, args)` walks a call's arguments (the `self` of a `@qd.data_oriented` method,
dataclass parameters, `qd.template()` objects) and the globals the kernel reads, and returns a
`Layout`: its leaves in order, each an ndarray, field or scalar kernel argument named by its
path (`self.x`, `params.inner.y`, `f`), or a compile-time constant (`self.n`). Only members
whose names the kernel's source, or a qd.func it reaches, mentions are walked, so a solver with
a hundred members pays for the three a kernel uses (Quadrants prunes the same way).

`Layout.key` is what the compiled code depends on: member types, field offsets, constants, the
classes and member qd.funcs, never an array's identity or contents, so instances whose members
have the same types share one artifact and a swapped member array does not recompile.
`Layout.extraction()` is the code the launcher runs on every steady call to take the call
apart again (runtime/launch.py `Extraction`); the compiler binds the leaves by path
(frontend/graph_lowering.py). Standard library and numpy only: this runs on first calls that
load cached artifacts, without the compiler.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdmlir.frontend import config
from qdmlir.frontend.lang import NdarrayType, Template, is_data_oriented
from qdmlir.frontend.source import FunctionSource, function_source, resolve_chain, value_digest
from qdmlir.runtime import dtypes
from qdmlir.runtime.artifact import ArgSpec
from qdmlir.runtime.errors import QuadrantsRuntimeTypeError
from qdmlir.runtime.field import Field
from qdmlir.runtime.launch import Extraction
from qdmlir.runtime.struct_field import StructField

ARGUMENT_KINDS = ("ndarray", "field", "scalar")  # leaves a launch passes; the rest are constants
_MAX_DEPTH = 8  # nested compound members followed at most this deep (object graphs have cycles)


@dataclass(frozen=True)
class Leaf:
    """One flattened member: `path` is its root (a parameter, a global, a closure cell) then
    the attribute names; `kind` is "ndarray", "field", "scalar" or "constant"."""

    path: tuple
    name: str
    kind: str
    dtype: dtypes.DType | None = None
    ndim: int = 0
    offset: tuple[int, ...] | None = None  # a field's, None without one
    boundary: str = "unsafe"
    value: Any = None  # a constant's value (compiled in)
    lifted: bool = False  # a number member made a run-time scalar: its dtype follows its type
    element_shape: tuple[int, ...] = ()  # an ndarray or field of vectors / matrices

    @property
    def is_argument(self) -> bool:
        return self.kind in ARGUMENT_KINDS

    def spec(self) -> ArgSpec:
        kind = "scalar" if self.kind == "scalar" else "ndarray"
        return ArgSpec(self.name, kind, self.dtype.name, self.ndim, self.element_shape)

    def signature(self) -> tuple:
        if self.kind == "constant":
            return (self.name, "constant", type(self.value), _constant_text(self.value))
        dtype = self.dtype.name
        return (
            self.name,
            self.kind,
            dtype,
            self.ndim,
            self.offset,
            self.boundary,
            self.element_shape,
        )


@dataclass
class Layout:
    """A call taken apart; see the module docstring."""

    kernel: Any
    bound: bool  # the kernel is a method: its first parameter is the instance
    leaves: list[Leaf] = field(default_factory=list)
    values: list = field(default_factory=list)  # what a launch passes, per argument leaf
    objects: dict[tuple, Any] = field(default_factory=dict)  # compound objects by path
    paths: dict[int, tuple] = field(default_factory=dict)  # id(compound object) -> its path
    roots: dict[tuple, Any] = field(default_factory=dict)  # free root -> its dict or cell
    funcs: list[tuple[tuple, Any]] = field(default_factory=list)  # (path, qd.func members)
    sources: list[FunctionSource] = field(default_factory=list)  # what the walk scanned

    @property
    def arguments(self) -> list[Leaf]:
        return [leaf for leaf in self.leaves if leaf.is_argument]

    def specs(self) -> list[ArgSpec]:
        return [leaf.spec() for leaf in self.arguments]

    def by_path(self) -> dict[tuple, Leaf]:
        return {leaf.path: leaf for leaf in self.leaves}

    def key(self) -> tuple:
        """In-memory specialisation key: the classes themselves (two local classes may share
        a name), every leaf's signature, and the qd.func members with their digests."""
        classes = tuple((path, type(obj)) for path, obj in self.objects.items())
        funcs = tuple((path, _funcs_signature(value, self.paths)) for path, value in self.funcs)
        return (self.bound, classes, tuple(leaf.signature() for leaf in self.leaves), funcs)

    def cache_text(self) -> str:
        """The part of the on-disk cache key the arguments' ArgSpecs do not carry."""
        classes = [
            (path_text(p), f"{type(o).__module__}.{type(o).__qualname__}")
            for p, o in self.objects.items()
        ]
        funcs = [(path_text(p), _funcs_signature(v, self.paths)) for p, v in self.funcs]
        leaves = [leaf.signature()[1:] for leaf in self.leaves]
        names = [leaf.name for leaf in self.leaves]
        return repr((self.bound, classes, funcs, names, [_printable(s) for s in leaves]))

    def extraction(self) -> Extraction:
        """The steady call's code that takes a call apart: see `_Extractor`."""
        return _Extractor(self).extraction()

    def matcher(self) -> Callable[[tuple], tuple | None]:
        """A function from a call's arguments to its flattened ones, None when this layout's
        specialisation does not fit the call: see `_Extractor`."""
        return _Extractor(self).matcher()


def path_text(path: tuple) -> str:
    """`("param", "self"), "x"` -> `self.x`: the readable name of a path."""
    return ".".join([path[0][-1], *path[1:]])


# -- which member names the kernel uses ------------------------------------------------------


def attribute_names(source: FunctionSource) -> list[str]:
    """Every `.name` the function's source reads, in source order (cached on the source)."""
    names = source.__dict__.get("_attribute_names")
    if names is None:
        found = [
            node
            for node in ast.walk(source.tree)
            if isinstance(node, ast.Attribute) and not node.attr.startswith("__")
        ]
        # `self.x.shape` ends where `self.x` ends: the inner attribute comes first
        found.sort(key=lambda n: (n.end_lineno, n.end_col_offset))
        names = list(dict.fromkeys(node.attr for node in found))
        source.__dict__["_attribute_names"] = names
    return names


def _free_functions(source: FunctionSource) -> list[Any]:
    """The qd.funcs the source calls through globals and closures."""
    from qdmlir.frontend.kernel import QdFunc
    from qdmlir.frontend.source import free_name_chains

    found = []
    for chain in free_name_chains(source.tree):
        ok, value = resolve_chain(source, chain)
        if ok and isinstance(value, QdFunc):
            found.append(value)
    return found


# -- the walk ---------------------------------------------------------------------------------


def flatten(kernel, args: tuple) -> Layout:
    """The layout of one call of `kernel` with positional `args` (see the module docstring)."""
    sources = [function_source(kernel.fn)]
    while True:
        walk = _Walk(kernel, sources)
        walk.run(args)
        if not walk.more_sources:
            return walk.layout
        # a qd.func member mentions names the walk did not follow: walk again with them
        sources = sources + walk.more_sources


class _Walk:
    def __init__(self, kernel, sources: list[FunctionSource]):
        self.kernel = kernel
        self.layout = Layout(kernel, bound=kernel.is_method)
        self.sources: list[FunctionSource] = []
        self.known: set[int] = set()
        for source in sources:
            self._add_source(source)
        self.more_sources: list[FunctionSource] = []
        self.on_path: list[int] = []
        self.primitives = True  # the innermost data_oriented class's template_primitives

    def _add_source(self, source: FunctionSource) -> None:
        if id(source) in self.known:
            return
        self.known.add(id(source))
        self.sources.append(source)
        for qd_func in _free_functions(source):
            self._add_source(function_source(qd_func.fn, kind="qd.func"))

    @property
    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for source in self.sources:
            for name in attribute_names(source):
                seen.setdefault(name)
        return list(seen)

    def run(self, args: tuple) -> None:
        from qdmlir.frontend.kernel import is_array

        self.names_now = self.names
        kernel = self.kernel
        for index, (parameter, annotation, value) in enumerate(
            zip(kernel._parameters, kernel._annotations, args)
        ):
            root = (("param", parameter.name),)
            if index == 0 and kernel.is_method:
                self.instance(root, value)
            elif _is_dataclass_type(annotation):
                if not isinstance(value, annotation):
                    raise TypeError(
                        f"kernel '{kernel.__name__}' argument {index} ('{parameter.name}'): "
                        f"expected a {annotation.__qualname__}, got {type(value).__name__}"
                    )
                self.compound(root, value)
            elif isinstance(annotation, Template):
                if is_array(value):  # Quadrants refuses it: an ndarray's contents are not static
                    raise QuadrantsRuntimeTypeError(
                        f"kernel '{kernel.__name__}' argument {index} ('{parameter.name}'): "
                        "Ndarray shouldn't be passed in via `qd.template()`; annotate the "
                        "parameter with qd.types.ndarray() (any dtype and ndim) instead"
                    )
                if not _template_argument(value) or not self.member(root, value, None, True):
                    raise TypeError(
                        f"kernel '{kernel.__name__}' argument {index} ('{parameter.name}'): a "
                        "qd.template() argument must be a number, a bool, an IntEnum member, "
                        "a qd.field, a @qd.data_oriented object or a "
                        f"dataclass, got {type(value).__name__}"
                    )
            elif isinstance(annotation, NdarrayType):
                where = f"kernel '{kernel.__name__}' argument {index} ('{parameter.name}')"
                self.array(root, value, annotation, where)
            else:
                self.leaf(root, "scalar", value, dtype=annotation)
        self.free_fields()
        self.layout.sources = self.sources

    def instance(self, root: tuple, value: Any) -> None:
        from qdmlir.frontend.unsupported import refusal

        if not is_data_oriented(value):
            raise refusal(
                f"kernel method '{self.kernel.__qualname__}' on a {type(value).__name__} object",
                f"Please decorate class {type(value).__name__} with @qd.data_oriented",
                f"put @qd.data_oriented above `class {type(value).__name__}`",
            )
        self.compound(root, value)

    # -- members --------------------------------------------------------------------------

    def member(self, path: tuple, value: Any, annotation: Any, template: bool = False) -> bool:
        """Classify one member by its annotation (a dataclass member's) or its value; False
        if it is nothing a kernel can use (which is an error only if a kernel uses it)."""
        from qdmlir.frontend.kernel import is_array

        if isinstance(annotation, NdarrayType):
            self.array(path, value, annotation)
        elif isinstance(annotation, dtypes.DType):
            self.leaf(path, "scalar", value, dtype=annotation)
        elif _is_dataclass_type(annotation) or is_data_oriented(value) or _is_dataclass(value):
            self.compound(path, value)
        elif isinstance(value, Field):
            self.field(path, value)
        elif isinstance(value, StructField):
            self.struct_field(path, value)
        elif is_array(value):
            self.array(path, value, NdarrayType())
        elif _is_funcs(value):
            self.layout.funcs.append((path, value))
            for qd_func in _functions_of(value):
                source = function_source(qd_func.fn, kind="qd.func")
                if id(source) not in self.known:
                    self.more_sources.append(source)
                    self.known.add(id(source))
        elif _is_constant(value):
            lifted = not template and not self.primitives
            if lifted and type(value) in (bool, int, float):
                defaults = config.current().defaults
                dtype = defaults.fp if type(value) is float else defaults.ip
                self.leaf(path, "scalar", value, dtype=dtype, lifted=True)
            else:
                self.constant(path, value)
        else:
            return False
        return True

    def compound(self, path: tuple, obj: Any) -> None:
        """A data_oriented object or a dataclass: its used members, in source order (a
        dataclass's in declaration order)."""
        if id(obj) in self.on_path or len(path) > _MAX_DEPTH:
            return  # a member that leads back to an enclosing object
        self.layout.objects[path] = obj
        self.layout.paths.setdefault(id(obj), path)
        self.on_path.append(id(obj))
        outer = self.primitives
        if is_data_oriented(obj):
            self.primitives = getattr(type(obj), "_qd_template_primitives", True)
        try:
            if _is_dataclass(obj):
                used = set(self.names_now)
                hints = _type_hints(type(obj))
                for item in dataclasses.fields(obj):
                    if item.name in used:
                        value = getattr(obj, item.name)
                        self.member(path + (item.name,), value, _annotation(hints.get(item.name)))
            else:
                for name in self.names_now:
                    try:
                        value = getattr(obj, name)
                    except Exception:  # noqa: BLE001 - no such member, or a property that fails
                        continue
                    self.member(path + (name,), value, None)
        finally:
            self.on_path.pop()
            self.primitives = outer

    def array(self, path: tuple, value: Any, annotation: NdarrayType, where: str = "") -> None:
        from qdmlir.frontend.kernel import ndarray_spec

        where = where or f"kernel '{self.kernel.__name__}' argument `{path_text(path)}`"
        spec = ndarray_spec(path_text(path), annotation, value, where)
        self.leaf(
            path,
            "ndarray",
            value,
            spec.qd_dtype,
            spec.ndim,
            boundary=annotation.boundary,
            element_shape=spec.element_shape,
        )

    def field(self, path: tuple, value: Field) -> None:
        self.leaf(
            path,
            "field",
            value._storage,
            value.dtype,
            value.ndim,
            offset=value._offset,
            element_shape=value.element_shape,
        )

    def struct_field(self, path: tuple, value: StructField) -> None:
        """A field of structs: a compound whose members are its member fields, every one
        (a whole element `x[i]` reads and writes them all)."""
        self.layout.objects[path] = value
        self.layout.paths.setdefault(id(value), path)
        for name, member in value._members.items():
            if isinstance(member, StructField):
                self.struct_field(path + (name,), member)
            else:
                self.field(path + (name,), member)

    def leaf(self, path: tuple, kind: str, value: Any, dtype=None, ndim: int = 0, **extra) -> None:
        self.layout.leaves.append(Leaf(path, path_text(path), kind, dtype, ndim, **extra))
        self.layout.values.append(value)

    def constant(self, path: tuple, value: Any) -> None:
        if isinstance(value, np.generic):
            value = value.item()
        self.layout.leaves.append(Leaf(path, path_text(path), "constant", value=value))

    # -- fields reached as globals ---------------------------------------------------------

    def free_fields(self) -> None:
        """Fields the kernel or its qd.funcs reach through a global or closure name (also as
        `module.f` or `obj.f`): storage arguments, read from that name at every call."""
        from qdmlir.frontend.source import free_name_chains

        taken = {leaf.name for leaf in self.layout.leaves}
        seen: set[tuple] = set()
        for source in self.sources:
            for chain in free_name_chains(source.tree):
                root = free_root(source, chain[0])
                if root is None:
                    continue
                _, value = source.lookup(chain[0])
                for depth in range(1, len(chain) + 1):
                    if isinstance(value, (Field, StructField)):
                        path = (root, *chain[1:depth])
                        if path not in seen:
                            seen.add(path)
                            self.free_field(path, chain[:depth], value, source, taken)
                        break
                    if depth == len(chain):
                        break
                    try:
                        value = getattr(value, chain[depth])
                    except Exception:  # noqa: BLE001 - not an attribute: no field down there
                        break

    def free_field(self, path, chain, value: Field | StructField, source, taken: set) -> None:
        if isinstance(value, StructField):  # a compound of its member fields, as above
            self.layout.roots[path[0]] = namespace_of(source, chain[0])
            self.layout.objects[path] = value
            self.layout.paths.setdefault(id(value), path)
            for member, inner in value._members.items():
                self.free_field(path + (member,), (*chain, member), inner, source, taken)
            return
        name = ".".join(chain)
        if name in taken:  # a kernel parameter, or another namespace's global of that name
            name = f"{source.fn.__module__}.{name}"
        base, count = name, 1
        while name in taken:
            count += 1
            name = f"{base}.{count}"
        taken.add(name)
        self.layout.roots[path[0]] = namespace_of(source, chain[0])
        self.layout.leaves.append(
            Leaf(
                path,
                name,
                "field",
                value.dtype,
                value.ndim,
                offset=value._offset,
                element_shape=value.element_shape,
            )
        )
        self.layout.values.append(value._storage)


def uses_free_fields(kernel) -> bool:
    """Whether the kernel, or a qd.func it calls through a global, reaches a qd.field through
    a global or closure name (then its calls are taken apart: the field is an argument)."""
    walk = _Walk(kernel, [function_source(kernel.fn)])
    walk.free_fields()
    return bool(walk.layout.leaves)


def free_root(source: FunctionSource, name: str) -> tuple | None:
    """The root token of a free name: its closure cell or its module's globals (None for a
    builtin or an unknown name). Tokens hold ids; `namespace_of` gives the object."""
    fn = source.fn
    if fn.__closure__ and name in fn.__code__.co_freevars:
        cell = fn.__closure__[fn.__code__.co_freevars.index(name)]
        return ("cell", id(cell), name)
    if name in fn.__globals__:
        return ("global", id(fn.__globals__), name)
    return None


def namespace_of(source: FunctionSource, name: str) -> Any:
    fn = source.fn
    if fn.__closure__ and name in fn.__code__.co_freevars:
        return fn.__closure__[fn.__code__.co_freevars.index(name)]
    return fn.__globals__


# -- the steady call's code -----------------------------------------------------------------


class _Extractor:
    """Python source that takes a call apart: each distinct path prefix read once into a
    temporary, each argument leaf into `a<i>` (a field's storage); guards for the compiled-in
    constants, the compound objects' classes and the qd.func members; checks of field offsets,
    and (for `matcher`) of every argument's type, which the key depends on."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"array_type": _array_signature, "Field": Field}
        params = [p.name for p in layout.kernel._parameters]
        self.variables = {(("param", name),): f"p{i}" for i, name in enumerate(params)}
        self.guards, self.checks, self.types = [], [], []
        for index, leaf in enumerate(layout.arguments):
            value = self.read(leaf.path)
            if leaf.kind == "field":
                self.lines.append(f"a{index} = {value}._storage")
                self.checks.append(f"{value}._offset == {self.name(leaf.offset)}")
                self.types.append(f"type({value}) is Field")
            else:
                self.lines.append(f"a{index} = {value}")
            if leaf.kind != "scalar":
                # what the key depends on: the signature of this call's array
                signature = self.name(_array_signature(layout.values[index]))
                self.types.append(f"array_type(a{index}) == {signature}")
            elif leaf.lifted:  # the dtype came from the member's Python type
                self.types.append(f"(type(a{index}) is float) is {leaf.dtype.is_float}")
        for leaf in layout.leaves:
            if leaf.kind == "constant":
                self.guards.append(self.constant_guard(self.read(leaf.path), leaf.value))
        for path, obj in layout.objects.items():
            self.guards.append(f"type({self.read(path)}) is {self.name(type(obj))}")
        for path, value in layout.funcs:
            self.guards.append(f"{self.read(path)} == {self.name(value)}")
        self.count = len(params)

    def extraction(self) -> Extraction:
        """For the launcher's steady call: `kernel` is the kernel (or the bound method, whose
        `.instance` is the first parameter), `args` the positional arguments."""
        first = 1 if self.layout.bound else 0
        unpack = ["p0 = kernel.instance"] if first else []
        unpack.append(self.unpack(first))
        return Extraction(
            tuple(unpack + self.lines),
            " and ".join(self.guards) or "True",
            " and ".join(self.checks) or "True",
            dict(self.names),
        )

    def matcher(self) -> Callable[[tuple], tuple | None]:
        """`match(args)`: the flattened arguments of a call (the instance first for a method)
        if this layout's specialisation fits it, else None; the general path tries it before
        walking the call again."""
        body = "\n        ".join([self.unpack(0), *self.lines])
        test = " and ".join(self.guards + self.checks + self.types) or "True"
        flat = "".join(f"a{i}, " for i in range(len(self.layout.arguments)))
        source = f"""
def match(args):
    try:
        {body}
        if {test}:
            return ({flat})
    except Exception:
        pass
    return None
"""
        namespace = dict(self.names)
        exec(compile(source, f"<qd match {self.layout.kernel.__name__}>", "exec"), namespace)
        return namespace["match"]

    def unpack(self, first: int) -> str:
        rest = "".join(f"p{i}, " for i in range(first, self.count))
        return f"{rest}= args" if rest else "if args: raise ValueError"

    def read(self, path: tuple) -> str:
        """The variable holding `path`, assigned (once) on first use."""
        known = self.variables.get(path)
        if known is not None:
            return known
        variable = f"t{len(self.variables)}"
        if len(path) == 1:  # a global or a closure cell
            kind, _, name = path[0]
            namespace = self.name(self.layout.roots[path[0]])
            source = f"{namespace}[{name!r}]" if kind == "global" else f"{namespace}.cell_contents"
        else:
            source = f"{self.read(path[:-1])}.{path[-1]}"
        self.lines.append(f"{variable} = {source}")
        self.variables[path] = variable
        return variable

    def name(self, value: Any) -> str:
        """A name the generated code reads `value` by."""
        name = f"k{len(self.names)}"
        self.names[name] = value
        return name

    def constant_guard(self, variable: str, value: Any) -> str:
        if value is None or isinstance(value, (bool, enum.Enum)):
            return f"{variable} is {self.name(value)}"
        return (
            f"(type({variable}) is {self.name(type(value))} and {variable} == {self.name(value)})"
        )


def _array_signature(value: Any) -> tuple:
    """(dtype, ndim, element shape) of an array argument, as the key records it (a numpy
    array's element axes are among its ndim)."""
    dtype = getattr(value, "_dtype", None)
    if dtype is not None:  # a qd.ndarray, on the host or a device
        return dtype, len(value._shape), getattr(value, "_element_shape", ())
    return dtypes.from_numpy(value.dtype), value.ndim, ()


# -- what a member is ---------------------------------------------------------------------


def _is_dataclass(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _is_dataclass_type(value: Any) -> bool:
    return isinstance(value, type) and dataclasses.is_dataclass(value)


def _type_hints(cls: type) -> dict:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - an annotation that does not evaluate: use the raw ones
        return {f.name: f.type for f in dataclasses.fields(cls)}


def _annotation(annotation: Any) -> Any:
    """A dataclass member's annotation as NdarrayType, DType, Template, a dataclass or None."""
    if annotation is NdarrayType:
        return NdarrayType()
    if annotation is Template or isinstance(annotation, (NdarrayType, Template)):
        return annotation if annotation is not Template else Template()
    if _is_dataclass_type(annotation):
        return annotation
    if annotation is int:
        return config.current().defaults.ip
    if annotation is float:
        return config.current().defaults.fp
    return annotation if isinstance(annotation, dtypes.DType) else None


def _is_constant(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str, enum.Enum)):
        return True
    if isinstance(value, np.generic) and np.ndim(value) == 0:
        return True
    return isinstance(value, tuple) and len(value) < 64 and all(map(_is_constant, value))


def _template_argument(value: Any) -> bool:
    """What a qd.template() parameter takes: a number (a constant), a field, a data_oriented
    object or a dataclass (not a bare ndarray: refused before); members may also be arrays,
    strings, None or tuples."""
    if isinstance(value, (str, tuple, type(None))) or (
        isinstance(value, enum.Enum) and not isinstance(value, int)
    ):
        return False
    return True


def _is_funcs(value: Any) -> bool:
    from qdmlir.frontend.kernel import BoundFunc, QdFunc

    if isinstance(value, (QdFunc, BoundFunc)):
        return True
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(isinstance(v, (QdFunc, BoundFunc)) for v in value)
    )


def _functions_of(value: Any) -> list:
    from qdmlir.frontend.kernel import BoundFunc

    items = value if isinstance(value, (list, tuple)) else [value]
    return [v.func if isinstance(v, BoundFunc) else v for v in items]


def _funcs_signature(value: Any, paths: dict[int, tuple]) -> tuple:
    """What a qd.func member compiles to: each function's digest and, for a bound one, the
    path of its instance."""
    from qdmlir.frontend.kernel import BoundFunc

    items = value if isinstance(value, (list, tuple)) else [value]
    signature = []
    for item in items:
        if isinstance(item, BoundFunc):
            where = paths.get(id(item.instance))
            signature.append((value_digest(item.func), None if where is None else path_text(where)))
        else:
            signature.append((value_digest(item), None))
    return (type(value).__name__, tuple(signature))


def _constant_text(value: Any) -> str:
    if isinstance(value, enum.Enum):
        cls = type(value)
        return f"{cls.__module__}.{cls.__qualname__}.{value.name}={value.value!r}"
    return repr(value)


def _printable(signature: tuple) -> tuple:
    return tuple(s.__qualname__ if isinstance(s, type) else s for s in signature)
