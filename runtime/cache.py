"""The on-disk artifact cache: one folder per cache key, published by an atomic rename.

A kernel compiled once is an artifact the runtime loads without the compiler. An entry
`<root>/<key>/` holds manifest.json plus its files and is never modified once published; it
is built in a private temp folder beside it and renamed into place, so a reader sees either
nothing or a whole entry. Anything unreadable, foreign or truncated is a miss. `QD_CACHE_DIR`
moves the root (default: $XDG_CACHE_HOME or ~/.cache, then qdmlir/), `QD_CACHE=0` disables it.
"""

from __future__ import annotations

import atexit
import errno
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .artifact import MANIFEST_NAME, Manifest, ManifestError

_KEY = re.compile(r"[0-9a-f]{8,128}")
_TEMP_PREFIX = ".tmp-"
_TRASH_PREFIX = ".trash-"
# a temp folder this old belongs to a build that died (builds take well under a minute)
STALE_SECONDS = 3600.0


def cache_dir() -> Path:
    """$QD_CACHE_DIR, else $XDG_CACHE_HOME/qdmlir, else ~/.cache/qdmlir."""
    if os.environ.get("QD_CACHE_DIR"):
        return Path(os.environ["QD_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "qdmlir"


def cache_enabled() -> bool:
    return os.environ.get("QD_CACHE", "1").strip().lower() not in ("0", "false", "off", "no")


class ArtifactCache:
    """`lookup(key)` -> the entry folder or None; `store(key, build)` builds and publishes one."""

    def __init__(self, root: str | os.PathLike | None = None, enabled: bool | None = None):
        self.root = Path(root) if root is not None else cache_dir()
        self.enabled = cache_enabled() if enabled is None else enabled

    def lookup(self, key: str) -> Path | None:
        """The valid entry for `key`, or None (absent, corrupt, foreign or cache disabled)."""
        _check_key(key)
        if not self.enabled:
            return None
        entry = self.root / key
        return entry if _is_valid(entry, key) else None

    def store(self, key: str, build: Callable[[Path], object]) -> Path:
        """Run `build(folder)`, which must leave manifest.json and its files in `folder`, then
        publish the folder as `key`'s entry and return where it is. If another process published
        `key` first, its entry is returned and this build is dropped."""
        _check_key(key)
        if not self.enabled:
            folder = Path(tempfile.mkdtemp(prefix="qdmlir-"))
            atexit.register(shutil.rmtree, folder, True)
            _build_into(folder, key, build)
            return folder
        self.root.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temps()
        folder = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{key[:16]}-", dir=self.root))
        try:
            _build_into(folder, key, build)
            return self._publish(folder, key)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def get_or_build(self, key: str, build: Callable[[Path], object]) -> Path:
        return self.lookup(key) or self.store(key, build)

    def invalidate(self, key: str) -> None:
        """Remove `key`'s entry (say, its library failed to load); the next store rebuilds it."""
        _check_key(key)
        self._discard(self.root / key)

    def _publish(self, folder: Path, key: str) -> Path:
        entry = self.root / key
        for _ in range(3):
            try:
                os.rename(folder, entry)
                return entry
            except OSError as err:
                if err.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
            if _is_valid(entry, key):
                return entry  # another process won the race; its entry is as good as ours
            self._discard(entry)
        raise RuntimeError(f"cannot publish cache entry {entry}: it keeps reappearing invalid")

    def _discard(self, entry: Path) -> None:
        """Move `entry` out of the way in one rename, then delete it at leisure."""
        trash = self.root / f"{_TRASH_PREFIX}{entry.name[:16]}-{os.getpid()}-{time.monotonic_ns()}"
        try:
            os.rename(entry, trash)
        except OSError:
            return  # gone already
        shutil.rmtree(trash, ignore_errors=True)

    def _remove_stale_temps(self) -> None:
        """Delete temp and trash folders left by processes killed mid-build or mid-delete."""
        now = time.time()
        try:
            names = os.listdir(self.root)
        except OSError:
            return
        for name in names:
            if name.startswith((_TEMP_PREFIX, _TRASH_PREFIX)):
                path = self.root / name
                try:
                    if now - path.stat().st_mtime > STALE_SECONDS:
                        shutil.rmtree(path, ignore_errors=True)
                except OSError:
                    pass


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(f"cache key must be 8-128 lowercase hex digits, got {key!r}")


def _build_into(folder: Path, key: str, build: Callable[[Path], object]) -> None:
    """Run the build, then stamp the manifest with the key and each file's checksum."""
    build(folder)
    manifest = Manifest.read(folder)
    if manifest.key and manifest.key != key:
        raise ManifestError(f"the build wrote key {manifest.key!r} into a manifest for {key!r}")
    manifest.key = key
    manifest.checksums = {
        path.name: _sha256(path)
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != MANIFEST_NAME and not path.name.startswith(".")
    }
    if manifest.library not in manifest.checksums:
        raise ManifestError(f"the build did not produce its library {manifest.library!r}")
    manifest.write(folder)


def _is_valid(entry: Path, key: str) -> bool:
    """A whole entry of this runtime's format, built for `key`, with its files intact."""
    try:
        manifest = Manifest.read(entry)
    except ManifestError:
        return False
    if manifest.key != key or manifest.library not in manifest.checksums:
        return False
    try:
        return all(_sha256(entry / name) == digest for name, digest in manifest.checksums.items())
    except OSError:
        return False


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_DEFAULT: ArtifactCache | None = None


def default_cache() -> ArtifactCache:
    """The process-wide cache, configured from the environment on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = ArtifactCache()
    return _DEFAULT
