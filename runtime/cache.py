"""The on-disk artifact cache: one folder per cache key, published by an atomic rename.

A kernel compiled once is an artifact the runtime loads without the compiler. An entry
`<root>/<key>/` holds manifest.json plus its files and is never modified once published; it
is built in a private temp folder beside it and renamed into place, so a reader sees either
nothing or a whole entry. Anything unreadable, foreign or truncated is a miss. `QD_CACHE_DIR`
moves the root (default: $XDG_CACHE_HOME or ~/.cache, then qdmlir/), `QD_CACHE=0` disables it.

A root that cannot hold entries (read-only, a regular file, on a noexec mount where kernel
libraries cannot be mapped) never stops a kernel from running: the cache warns once, naming
the folder and why, and from then on builds into a private temporary root that is deleted at
exit (`fall_back`); entries already in the unusable root are still read.
"""

from __future__ import annotations

import atexit
import errno
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
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


class CacheWarning(UserWarning):
    """The kernel cache folder cannot be used; kernels still build and run (see `fall_back`)."""


def unusable_reason(root: Path, error: OSError) -> str:
    """Why creating a folder in `root` failed, in the user's terms."""
    if root.exists() and not root.is_dir():
        return "it is a regular file, not a folder"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"it is read-only ({error.strerror})"
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"a part of the path is a regular file ({error.strerror})"
    return f"it cannot be written ({error.strerror or error})"


def noexec_mount(root: Path) -> bool:
    """Whether `root` is on a filesystem mounted noexec: a kernel library there cannot be
    mapped executable, so dlopen fails although the file is whole."""
    try:
        return bool(os.statvfs(root).f_flag & os.ST_NOEXEC)
    except (OSError, AttributeError):  # gone, or a platform without ST_NOEXEC
        return False


class ArtifactCache:
    """`lookup(key)` -> the entry folder or None; `store(key, build)` builds and publishes one."""

    def __init__(self, root: str | os.PathLike | None = None, enabled: bool | None = None):
        self.root = Path(root) if root is not None else cache_dir()
        self.enabled = cache_enabled() if enabled is None else enabled
        self.configured = self.root  # the root asked for; `root` moves on a fall-back
        self.fallback_reason: str | None = None

    def lookup(self, key: str) -> Path | None:
        """The valid entry for `key`, or None (absent, corrupt, foreign or cache disabled).
        After a fall-back the private root is searched first, then the configured one."""
        _check_key(key)
        if not self.enabled:
            return None
        roots = (self.root,) if self.fallback_reason is None else (self.root, self.configured)
        for root in roots:
            entry = root / key
            if _is_valid(entry, key):
                return entry
        return None

    def fall_back(self, reason: str) -> bool:
        """Build into a private temporary root from now on, after one CacheWarning naming the
        configured root and `reason`. False if this cache has fallen back already (the private
        root is the one failing: nothing else to try)."""
        if self.fallback_reason is not None:
            return False
        private = Path(tempfile.mkdtemp(prefix="qdmlir-cache-"))
        atexit.register(shutil.rmtree, private, True)
        named = (
            f"QD_CACHE_DIR={self.configured}"
            if os.environ.get("QD_CACHE_DIR")
            else f"the kernel cache {self.configured} (QD_CACHE_DIR is not set)"
        )
        warnings.warn(
            f"{named} cannot be used: {reason}. This process builds its kernels into a "
            f"private temporary cache ({private}), deleted at exit, so they compile again in "
            "the next process; point QD_CACHE_DIR at a writable folder on a filesystem that "
            "allows executables to keep them",
            CacheWarning,
            stacklevel=_caller_level(),
        )
        self.fallback_reason = reason
        self.root = private
        return True

    def adopt(self, key: str, entry: Path) -> Path:
        """Copy a whole entry (built in a root that cannot load it) into this cache's current
        root, as `key`'s entry there: a noexec root costs a copy, not a second compile."""
        _check_key(key)
        folder = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{key[:16]}-", dir=self.root))
        try:
            for path in entry.iterdir():
                if path.is_file():
                    shutil.copy2(path, folder / path.name)
            return self._publish(folder, key)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

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
        folder = self._new_temp_folder(key)
        try:
            _build_into(folder, key, build)
            return self._publish(folder, key)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _new_temp_folder(self, key: str) -> Path:
        """A private folder in the root to build `key` in; a root that cannot hold one (a
        file, read-only) makes the cache fall back first, so the build still happens."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._remove_stale_temps()
            return Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{key[:16]}-", dir=self.root))
        except OSError as error:
            if not self.fall_back(unusable_reason(self.root, error)):
                raise
        return self._new_temp_folder(key)

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


_PACKAGE_FOLDERS = tuple(
    str(Path(__file__).resolve().parents[1] / name) + os.sep
    for name in ("runtime", "frontend", "passes", "dialects", "qdmlir")
)


def _caller_level() -> int:
    """The warnings stacklevel of the first frame outside qdmlir: the user's kernel call."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        _PACKAGE_FOLDERS
    ):
        frame, level = frame.f_back, level + 1
    return level


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
