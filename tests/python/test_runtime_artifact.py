"""The manifest: JSON round trip, and clear rejection of malformed or foreign manifests."""

import json

import pytest

from qdmlir.runtime.artifact import FORMAT_VERSION, ArgSpec, Manifest, ManifestError, SlotSpec


def _manifest(**changes) -> Manifest:
    fields = dict(
        kernel="step",
        target="cpu",
        library="qd_step.so",
        args=[
            ArgSpec("x", "ndarray", "f32", 1),
            {"name": "n", "kind": "scalar", "dtype": "i32", "ndim": 0},
        ],
        slots=[SlotSpec(), {"label": 10, "yield_on": "x"}],
        key="ab" * 8,
        compiler="qdmlir 0.1.0",
    )
    fields.update(changes)
    return Manifest(**fields)


def test_round_trip(tmp_path):
    manifest = _manifest()
    manifest.write(tmp_path)
    again = Manifest.read(tmp_path)
    assert again == manifest
    assert again.args[1] == ArgSpec("n", "scalar", "i32", 0)
    assert again.slots[1] == SlotSpec(10, "x")
    assert json.loads((tmp_path / "manifest.json").read_text())["format"] == FORMAT_VERSION


def _write_raw(tmp_path, data):
    (tmp_path / "manifest.json").write_text(json.dumps(data) if not isinstance(data, str) else data)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format=99), "format 99 is not this runtime's format"),
        (lambda d: d.pop("format"), "format None"),
        (lambda d: d.update(target="tpu"), "target must be one of"),
        (lambda d: d.update(library="../evil.so"), "plain file name"),
        (lambda d: d.update(extra=1), "unknown fields \\['extra'\\]"),
        (lambda d: d.pop("args"), "missing fields \\['args'\\]"),
        (lambda d: d["args"][0].update(dtype="f128"), "unknown qd dtype 'f128'"),
        (lambda d: d["args"][0].update(kind="field"), "kind must be one of"),
        (lambda d: d["args"][0].update(ndim=-1), "ndim must be an int"),
        (lambda d: d["slots"][1].update(yield_on="nope"), "yield_on 'nope' is not an argument"),
        (lambda d: d["slots"][1].update(label="ten"), "label must be an int"),
        (lambda d: d["args"][0].update(color=1), "unexpected keyword"),
    ],
)
def test_malformed_manifests_are_rejected_with_the_field_named(tmp_path, mutate, message):
    data = json.loads(_manifest().to_json())
    mutate(data)
    _write_raw(tmp_path, data)
    with pytest.raises(ManifestError, match=message):
        Manifest.read(tmp_path)


@pytest.mark.parametrize("text", ["", "{not json", "[1, 2]", "\xff\xfe"])
def test_unreadable_manifests_are_rejected(tmp_path, text):
    _write_raw(tmp_path, text)
    with pytest.raises(ManifestError, match="manifest"):
        Manifest.read(tmp_path)


def test_missing_manifest_is_a_manifest_error(tmp_path):
    with pytest.raises(ManifestError, match="cannot read"):
        Manifest.read(tmp_path)
