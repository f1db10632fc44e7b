"""The artifact manifest (`manifest.json`): what a compiled kernel takes and where it lives.

Fields and meaning: docs/architecture.md §5. `Manifest.read` rejects anything malformed or
foreign with `ManifestError`, naming the file and the field, so the cache can treat it as a miss.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import dtypes

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
TARGETS = ("cpu", "cuda", "amdgpu")
ARG_KINDS = ("ndarray", "scalar", "matrix")
"""An ndarray (by reference), a scalar, or a vector / matrix passed by value (`matrix`: its
shape in `element_shape`, one word per entry; docs/architecture.md §5)."""
MAX_ELEMENT_ENTRIES = 4096
CONTIGUOUS, STRIDED = "contiguous", "strided"
LAYOUTS = (CONTIGUOUS, STRIDED)
"""How an ndarray argument's elements are laid out: `contiguous` (C order: strides implied by
the sizes) or `strided` (any strides, passed as words, one per axis, the element's axes
included: a view, Fortran order; docs/architecture.md §5). Part of a specialisation: a strided
argument compiles to a strided memref."""


class ManifestError(ValueError):
    """A manifest that is not one this runtime can use."""


@dataclass(frozen=True)
class ArgSpec:
    """One kernel argument: `kind` is one of ARG_KINDS, `dtype` a qd name ("f32"),
    `element_shape` the shape of each element, `()` for scalars, `(3,)` for an ndarray of
    vec3 or a vec3 parameter, `(3, 3)` for 3x3 matrices; `layout` (ndarrays) one of LAYOUTS."""

    name: str
    kind: str
    dtype: str
    ndim: int = 0
    element_shape: tuple = ()
    layout: str = CONTIGUOUS

    @classmethod
    def coerce(cls, value) -> ArgSpec:
        """An ArgSpec from an ArgSpec, a dict, or any object with the four attributes."""
        if isinstance(value, ArgSpec):
            return value
        if isinstance(value, dict):
            value = dict(value)
            shape = value.get("element_shape", ())
            value["element_shape"] = tuple(shape) if isinstance(shape, list) else shape
            spec = cls(**value)
        else:
            spec = cls(
                value.name,
                value.kind,
                getattr(value.dtype, "name", value.dtype),
                value.ndim,
                tuple(getattr(value, "element_shape", ())),
                getattr(value, "layout", CONTIGUOUS),
            )
        spec.validate()
        return spec

    def validate(self, where: str = "argument") -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ManifestError(f"{where}: name must be a non-empty string, got {self.name!r}")
        if self.kind not in ARG_KINDS:
            raise ManifestError(
                f"{where} {self.name!r}: kind must be one of {ARG_KINDS}, got {self.kind!r}"
            )
        try:
            dtypes.from_name(self.dtype)
        except KeyError as err:
            raise ManifestError(f"{where} {self.name!r}: {err.args[0]}") from None
        if type(self.ndim) is not int or self.ndim < 0 or (self.kind != "ndarray" and self.ndim):
            raise ManifestError(
                f"{where} {self.name!r}: ndim must be an int >= 0 (0 for a scalar), got {self.ndim!r}"
            )
        shape = self.element_shape
        if (
            not isinstance(shape, tuple)
            or len(shape) > 2
            or not all(type(n) is int and n >= 1 for n in shape)
            or int(np.prod(shape)) > MAX_ELEMENT_ENTRIES
            or (self.kind == "scalar" and shape)
            or (self.kind == "matrix" and not shape)
        ):
            raise ManifestError(
                f"{where} {self.name!r}: element_shape must be () for a scalar, (n,) or (n, m) "
                f"for a vector or matrix (sizes >= 1), got {shape!r}"
            )
        if self.layout not in LAYOUTS or (
            self.layout == STRIDED and (self.kind != "ndarray" or not self.rank)
        ):
            raise ManifestError(
                f"{where} {self.name!r}: layout must be one of {LAYOUTS} (strided: ndarrays of "
                f"ndim >= 1 or of vectors / matrices), got {self.layout!r}"
            )

    @property
    def strided(self) -> bool:
        return self.layout == STRIDED

    @property
    def qd_dtype(self) -> dtypes.DType:
        return dtypes.from_name(self.dtype)

    @property
    def rank(self) -> int:
        """The memref rank of an ndarray: its ndim plus its elements' axes."""
        return self.ndim + len(self.element_shape)

    @property
    def entries(self) -> int:
        """Scalars per element: 1, n for a vector, n * m for a matrix."""
        return int(np.prod(self.element_shape, dtype=np.int64))


@dataclass(frozen=True)
class SlotSpec:
    """One checkpoint slot: its user label (None for an implicit checkpoint) and yield_on."""

    label: int | None = None
    yield_on: str | None = None


@dataclass
class Manifest:
    """Everything the runtime needs to load and launch one compiled kernel specialisation."""

    kernel: str
    target: str
    library: str
    args: list[ArgSpec]
    slots: list[SlotSpec] = field(default_factory=list)
    key: str = ""
    entry: str = "qd_entry"
    compiler: str = ""
    # GPU targets: the chip built for ("sm_90", "gfx90a") and the host launch plan (plan.json)
    arch: str = ""
    plan: str = ""
    # file name -> sha256 hex, filled in by the cache so a truncated file reads as a miss
    checksums: dict[str, str] = field(default_factory=dict)
    # qd.init(debug=True): per bounds-check site, where it is (runtime/debug_checks.py)
    debug_sites: list[dict] = field(default_factory=list)
    # print() in the kernel: per site, where it is and its text and value types
    print_sites: list[dict] = field(default_factory=list)
    # the longest ndarray axis the kernel can describe: `x.shape[k]` and the loop indices over
    # it are the default int (qd.init(default_ip=...)), so an axis past its max is refused
    max_extent: int = 2**31 - 1
    format: int = FORMAT_VERSION

    def __post_init__(self):
        self.args = [ArgSpec.coerce(a) for a in self.args]
        self.slots = [s if isinstance(s, SlotSpec) else SlotSpec(**s) for s in self.slots]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    def write(self, directory: str | os.PathLike) -> Path:
        """Write `manifest.json` into `directory` (via a temp file, so readers never see half)."""
        self.validate()
        path = Path(directory) / MANIFEST_NAME
        tmp = path.with_name(f".{MANIFEST_NAME}.{os.getpid()}.tmp")
        tmp.write_text(self.to_json())
        os.replace(tmp, path)
        return path

    @classmethod
    def read(cls, directory: str | os.PathLike) -> Manifest:
        """Read and validate `directory/manifest.json`; ManifestError on anything wrong."""
        path = Path(directory) / MANIFEST_NAME
        try:
            data = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ManifestError(f"{path}: cannot read the manifest: {err}") from None
        return cls.from_dict(data, where=str(path))

    @classmethod
    def from_dict(cls, data, where: str = "manifest") -> Manifest:
        if not isinstance(data, dict):
            raise ManifestError(f"{where}: expected a JSON object, got {type(data).__name__}")
        if data.get("format") != FORMAT_VERSION:
            raise ManifestError(
                f"{where}: format {data.get('format')!r} is not this runtime's format "
                f"{FORMAT_VERSION}; rebuild the artifact"
            )
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        missing = sorted({"kernel", "target", "library", "args"} - set(data))
        if unknown or missing:
            raise ManifestError(f"{where}: unknown fields {unknown}, missing fields {missing}")
        try:
            manifest = cls(**data)
        except (TypeError, ValueError) as err:
            raise ManifestError(f"{where}: {err}") from None
        manifest.validate(where)
        return manifest

    def validate(self, where: str = "manifest") -> None:
        """Check every field's type and value; ManifestError names the first bad one."""
        for name in ("kernel", "target", "library", "key", "entry", "compiler", "arch", "plan"):
            if not isinstance(getattr(self, name), str):
                raise ManifestError(f"{where}: field {name!r} must be a string")
        if self.target not in TARGETS:
            raise ManifestError(f"{where}: target must be one of {TARGETS}, got {self.target!r}")
        if not _plain_name(self.library):
            raise ManifestError(f"{where}: library must be a plain file name, got {self.library!r}")
        if self.plan and not _plain_name(self.plan):
            raise ManifestError(f"{where}: plan must be a plain file name, got {self.plan!r}")
        if self.target in ("cuda", "amdgpu") and not (self.arch and self.plan):
            raise ManifestError(f"{where}: a {self.target} artifact needs its arch and plan fields")
        for index, arg in enumerate(self.args):
            arg.validate(f"{where}: argument {index}")
        names = [a.name for a in self.args]
        for index, slot in enumerate(self.slots):
            if slot.label is not None and type(slot.label) is not int:
                raise ManifestError(f"{where}: slot {index}: label must be an int or null")
            if slot.yield_on is not None and slot.yield_on not in names:
                raise ManifestError(
                    f"{where}: slot {index}: yield_on {slot.yield_on!r} is not an argument {names}"
                )
        if not isinstance(self.debug_sites, list) or not all(
            isinstance(s, dict)
            and set(s) in (_SITE_FIELDS, _SITE_FIELDS | {"message"})
            and isinstance(s["file"], str)
            and type(s["line"]) is int
            and type(s["col"]) is int
            for s in self.debug_sites
        ):
            raise ManifestError(f"{where}: debug_sites must be a list of {sorted(_SITE_FIELDS)}")
        if not isinstance(self.print_sites, list) or not all(
            isinstance(s, dict)
            and isinstance(s.get("pieces"), list)
            and all(
                isinstance(p, list)
                and len(p) == 2
                and p[0] in ("text", "value")
                and isinstance(p[1], str)
                for p in s["pieces"]
            )
            for s in self.print_sites
        ):
            raise ManifestError(f"{where}: print_sites must be a list of sites with 'pieces'")
        if type(self.max_extent) is not int or self.max_extent < 1:
            raise ManifestError(f"{where}: max_extent must be a positive int")
        if not isinstance(self.checksums, dict) or not all(
            _plain_name(k) and isinstance(v, str) for k, v in self.checksums.items()
        ):
            raise ManifestError(f"{where}: checksums must map plain file names to hex strings")


_SITE_FIELDS = {"file", "line", "col", "array", "ndim", "access"}  # an assert adds "message"


def _plain_name(name) -> bool:
    """A file name inside the artifact folder: no path, not hidden."""
    return (
        isinstance(name, str) and bool(name) and os.path.basename(name) == name and name[0] != "."
    )
