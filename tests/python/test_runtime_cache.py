"""The artifact cache: atomic publication, and anything corrupt or foreign reads as a miss."""

import json
import os
import subprocess
import sys
import time
import warnings

import pytest

from qdmlir.runtime.artifact import ArgSpec, Manifest
from qdmlir.runtime.cache import STALE_SECONDS, ArtifactCache, cache_dir, cache_enabled

KEY = "0123456789abcdef"


def _fake_build(calls: list):
    """A build that writes a manifest and a stand-in library, counting its runs."""

    def build(folder):
        calls.append(folder)
        (folder / "qd_k.so").write_bytes(b"\x7fELF" + b"x" * 4096)
        Manifest("k", "cpu", "qd_k.so", [ArgSpec("x", "ndarray", "f32", 1)]).write(folder)

    return build


@pytest.fixture
def cache(tmp_path):
    return ArtifactCache(tmp_path / "cache", enabled=True)


def test_store_then_lookup_hits_without_rebuilding(cache):
    calls = []
    entry = cache.get_or_build(KEY, _fake_build(calls))
    assert entry == cache.root / KEY and len(calls) == 1
    assert cache.get_or_build(KEY, _fake_build(calls)) == entry and len(calls) == 1
    manifest = Manifest.read(entry)
    assert manifest.key == KEY and set(manifest.checksums) == {"qd_k.so"}
    assert not [p for p in cache.root.iterdir() if p.name.startswith(".")]


def test_missing_entry_is_a_miss(cache):
    assert cache.lookup(KEY) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: (e / "manifest.json").write_text("{broken"),
        lambda e: (e / "manifest.json").unlink(),
        lambda e: (e / "qd_k.so").write_bytes((e / "qd_k.so").read_bytes()[:100]),
        lambda e: (e / "qd_k.so").unlink(),
        lambda e: _edit_manifest(e, key="f" * 16),
        lambda e: _edit_manifest(e, format=0),
        lambda e: _edit_manifest(e, checksums={}),
    ],
    ids=[
        "corrupt-manifest",
        "no-manifest",
        "truncated-so",
        "no-so",
        "foreign-key",
        "old-format",
        "no-checksums",
    ],
)
def test_damaged_entries_are_misses_and_get_rebuilt(cache, damage):
    calls = []
    entry = cache.store(KEY, _fake_build(calls))
    damage(entry)
    assert cache.lookup(KEY) is None
    assert cache.get_or_build(KEY, _fake_build(calls)) == entry and len(calls) == 2
    assert cache.lookup(KEY) == entry


def _edit_manifest(entry, **changes):
    data = json.loads((entry / "manifest.json").read_text())
    data.update(changes)
    (entry / "manifest.json").write_text(json.dumps(data))


def test_a_failed_build_leaves_nothing_behind(cache):
    def build(folder):
        (folder / "half.o").write_bytes(b"x")
        raise RuntimeError("llc failed")

    with pytest.raises(RuntimeError, match="llc failed"):
        cache.store(KEY, build)
    assert cache.lookup(KEY) is None and list(cache.root.iterdir()) == []


def test_a_build_without_its_library_is_refused(cache):
    def build(folder):
        Manifest("k", "cpu", "qd_k.so", []).write(folder)

    with pytest.raises(ValueError, match="did not produce its library"):
        cache.store(KEY, build)


def test_a_dead_builds_temp_folder_is_ignored_then_cleaned(cache):
    cache.root.mkdir(parents=True)
    stale = cache.root / f".tmp-{KEY}-dead"
    stale.mkdir()
    (stale / "manifest.json").write_text("{half")
    fresh = cache.root / ".tmp-other-running"
    fresh.mkdir()
    old = time.time() - STALE_SECONDS - 10
    os.utime(stale, (old, old))
    assert cache.lookup(KEY) is None
    cache.store(KEY, _fake_build([]))
    assert not stale.exists() and fresh.exists()


def test_losing_a_publish_race_returns_the_winners_entry(cache):
    calls = []

    def racing_build(folder):
        # another process publishes the same key while this build runs
        ArtifactCache(cache.root, enabled=True).store(KEY, _fake_build(calls))
        _fake_build(calls)(folder)

    entry = cache.store(KEY, racing_build)
    assert entry == cache.root / KEY and len(calls) == 2
    assert cache.lookup(KEY) == entry
    assert [p.name for p in cache.root.iterdir()] == [KEY]


_RACER = """
import sys, time
from pathlib import Path
from qdmlir.runtime.artifact import ArgSpec, Manifest
from qdmlir.runtime.cache import ArtifactCache
cache = ArtifactCache(Path(sys.argv[1]), enabled=True)
def build(folder):
    (folder / "qd_k.so").write_bytes(b"\\x7fELF" + sys.argv[2].encode() * 100000)
    time.sleep(0.05)
    Manifest("k", "cpu", "qd_k.so", [ArgSpec("x", "ndarray", "f32", 1)]).write(folder)
for _ in range(20):
    entry = cache.get_or_build(sys.argv[3], build)
    assert cache.lookup(sys.argv[3]) == entry, "a published entry read as invalid"
"""


def test_processes_racing_on_one_key_never_see_a_partial_entry(tmp_path):
    root = tmp_path / "cache"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(root), tag, KEY], stderr=subprocess.PIPE
        )
        for tag in ("a", "b", "c")
    ]
    for racer in racers:
        _, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err.decode()
    assert ArtifactCache(root, enabled=True).lookup(KEY) is not None


def test_disabled_cache_never_hits_but_still_builds(tmp_path):
    cache = ArtifactCache(tmp_path / "cache", enabled=False)
    calls = []
    first = cache.get_or_build(KEY, _fake_build(calls))
    second = cache.get_or_build(KEY, _fake_build(calls))
    assert len(calls) == 2 and first != second and (first / "qd_k.so").exists()
    assert not (tmp_path / "cache").exists()


def test_environment_picks_the_folder_and_switch(monkeypatch, tmp_path):
    monkeypatch.delenv("QD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "qdmlir"
    monkeypatch.setenv("QD_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.setenv("QD_CACHE", "0")
    assert not cache_enabled() and not ArtifactCache().enabled
    monkeypatch.setenv("QD_CACHE", "1")
    assert cache_enabled()


@pytest.mark.parametrize("key", ["", "../etc", "ABCDEF0123", "abc", "g" * 16])
def test_keys_must_be_hex(cache, key):
    with pytest.raises(ValueError, match="hex"):
        cache.lookup(key)


def test_an_unusable_root_falls_back_once_and_keeps_its_entries(tmp_path, monkeypatch):
    from qdmlir.runtime.cache import CacheWarning

    monkeypatch.setenv("QD_CACHE_DIR", str(tmp_path / "file"))
    (tmp_path / "file").write_text("x")
    cache = ArtifactCache(enabled=True)
    calls = []
    with pytest.warns(CacheWarning, match=r"QD_CACHE_DIR=.*/file cannot be used: it is a regular"):
        entry = cache.store(KEY, _fake_build(calls))
    assert cache.root != tmp_path / "file" and entry.parent == cache.root
    assert cache.lookup(KEY) == entry
    other = "fedcba9876543210"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one warning per process, not one per kernel
        assert cache.get_or_build(other, _fake_build(calls)).parent == cache.root
    assert len(calls) == 2 and not cache.fall_back("again")


def test_adopt_copies_a_whole_entry_into_the_private_root(tmp_path):
    cache = ArtifactCache(tmp_path / "cache", enabled=True)
    entry = cache.store(KEY, _fake_build([]))
    with pytest.warns(UserWarning, match="mounted noexec"):
        cache.fall_back("it is on a filesystem mounted noexec")
    copy = cache.adopt(KEY, entry)
    assert copy == cache.root / KEY and cache.lookup(KEY) == copy
    assert (copy / "qd_k.so").read_bytes() == (entry / "qd_k.so").read_bytes()
