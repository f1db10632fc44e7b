"""A kernel cache folder that cannot be used never stops a kernel (issue 17, item 4).

Each case runs a fresh process with QD_CACHE_DIR pointing at an unusable folder: it must print
the right results, warn exactly once (naming QD_CACHE_DIR and the reason) for two kernels, and
build into a private temporary cache (runtime/cache.py `fall_back`). Read-only and noexec
folders are real mounts where this process may mount (root with CAP_SYS_ADMIN: a tmpfs with
`-o ro` / `-o noexec`); elsewhere read-only is a folder without write permission, and noexec
is simulated as a noexec mount fails: dlopen says "failed to map segment from shared object".
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = """
import os
import sys

import numpy as np
import qdmlir as qd
{prelude}

@qd.kernel
def first(a: qd.types.ndarray(qd.i32, 1)):
    for i in range(a.shape[0]):
        a[i] = i + 1


@qd.kernel
def second(a: qd.types.ndarray(qd.i32, 1)):
    for i in range(a.shape[0]):
        a[i] *= 10


a = np.zeros(3, np.int32)
first(a)
second(a)
print("RESULT", a.tolist())
if os.environ.get("EXPECT_NOTHING_COMPILED"):
    # the warm path never imports the compiler: no xDSL module means nothing was compiled
    assert not [m for m in sys.modules if m.startswith("xdsl")], "a kernel was compiled"
"""

# dlopen's message for a library on a noexec mount, raised for libraries under the cache folder
SIMULATED_NOEXEC = """
import os
from qdmlir.runtime import cpu
_real_load = cpu.load_library

def _noexec_load(path):
    if str(path).startswith(os.environ["QD_CACHE_DIR"]):
        raise cpu.ArtifactLoadError(
            f"cannot load the kernel library {path}: {path}: failed to map segment from "
            "shared object"
        )
    return _real_load(path)

cpu.load_library = _noexec_load
"""


def run_kernels(
    cache_dir: Path, prelude: str = "", warm: bool = False
) -> subprocess.CompletedProcess:
    """Run SCRIPT in a fresh process (from a file beside `cache_dir`: kernels need source)."""
    env = {**os.environ, "QD_CACHE_DIR": str(cache_dir), "PYTHONWARNINGS": "default"}
    env.pop("QD_CACHE", None)
    if warm:
        env["EXPECT_NOTHING_COMPILED"] = "1"
    script = cache_dir.parent / "kernels.py"
    script.write_text(SCRIPT.format(prelude=textwrap.dedent(prelude)))
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "RESULT [10, 20, 30]" in result.stdout
    return result


def assert_one_warning(result: subprocess.CompletedProcess, cache_dir: Path, reason: str) -> None:
    warnings = [line for line in result.stderr.splitlines() if "CacheWarning" in line]
    assert len(warnings) == 1, result.stderr
    assert f"QD_CACHE_DIR={cache_dir} cannot be used: {reason}" in warnings[0]
    assert "private temporary cache" in warnings[0]


@contextlib.contextmanager
def tmpfs(folder: Path, options: str):
    """A tmpfs mounted at `folder` with `options`, or None where this process cannot mount."""
    folder.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"{options},size=16m", "tmpfs", str(folder)],
            capture_output=True,
        ).returncode
        == 0
    )
    try:
        yield folder if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def test_a_regular_file_as_cache_dir(tmp_path):
    cache_file = tmp_path / "cache"
    cache_file.write_text("not a folder")
    result = run_kernels(cache_file)
    assert_one_warning(result, cache_file, "it is a regular file, not a folder")
    assert cache_file.read_text() == "not a folder"


def test_a_read_only_cache_dir(tmp_path):
    with tmpfs(tmp_path / "ro", "ro") as mounted:
        if mounted is not None:
            result = run_kernels(mounted)
            assert_one_warning(result, mounted, "it is read-only (Read-only file system)")
            return
    if os.geteuid() == 0:
        pytest.skip(
            "read-only cache folder: root writes through permissions and this process cannot "
            "mount a read-only tmpfs, so no folder here is read-only to it"
        )
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    try:
        result = run_kernels(folder)
    finally:
        folder.chmod(0o755)
    assert_one_warning(result, folder, "it is read-only (Permission denied)")
    assert not list(folder.iterdir())


def test_a_read_only_cache_with_entries_is_still_read(tmp_path):
    # prebuilt artifacts on a read-only share (docs/targets.md, CUDA) load without a warning
    with tmpfs(tmp_path / "share", "rw") as mounted:
        if mounted is None:
            pytest.skip("needs a tmpfs this process can remount read-only (root)")
        first = run_kernels(mounted)
        assert "CacheWarning" not in first.stderr
        subprocess.run(["mount", "-o", "remount,ro", str(mounted)], check=True)
        again = run_kernels(mounted, warm=True)
        assert "CacheWarning" not in again.stderr, again.stderr


def test_a_noexec_cache_dir(tmp_path):
    with tmpfs(tmp_path / "noexec", "noexec") as mounted:
        if mounted is None:
            pytest.skip("needs a noexec tmpfs (root); test_a_simulated_noexec_cache_dir covers it")
        result = run_kernels(mounted)
        assert_one_warning(result, mounted, "it is on a filesystem mounted noexec")
        # the first kernel was built there (its entry copied out, not compiled again); the
        # second was built in the private cache from the start
        assert len([p for p in mounted.iterdir() if not p.name.startswith(".")]) == 1


def test_a_simulated_noexec_cache_dir(tmp_path):
    # the loader fails as on a noexec mount; statvfs knows nothing of it, the message does
    folder = tmp_path / "cache"
    result = run_kernels(folder, SIMULATED_NOEXEC)
    assert_one_warning(result, folder, "kernel libraries there cannot be mapped executable")
    assert "failed to map segment from shared object" in result.stderr
    assert len(list(folder.iterdir())) == 1  # the first kernel's entry; the second's is private
    # a second process finds that entry (valid, unloadable) and copies it out, warning again
    again = run_kernels(folder, SIMULATED_NOEXEC)
    assert_one_warning(again, folder, "kernel libraries there cannot be mapped executable")
