"""Concurrency and fault injection, end to end through @qd.kernel with real CPU builds (issue 8).

Threads share one compile; processes share one cache folder and never see half an artifact;
a damaged cache entry is rebuilt; a build that fails or dies part-way publishes nothing and
leaves the user's arrays alone; a kernel that yields on every launch cannot hang the host
inside qdmlir (docs/testing.md has the guidance for resume loops).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import qdmlir as qd
from qdmlir.frontend import specialization
from qdmlir.runtime import cache as cache_module
from qdmlir.runtime.cache import ArtifactCache

I1 = qd.types.ndarray(qd.i32, 1)
I0 = qd.types.ndarray(qd.i32, 0)


@pytest.fixture
def disk_cache(tmp_path, monkeypatch):
    """A real on-disk cache for this test, whatever QD_CACHE says."""
    cache = ArtifactCache(tmp_path / "cache", enabled=True)
    monkeypatch.setattr(cache_module, "_DEFAULT", cache)
    return cache


@pytest.fixture
def compile_count(monkeypatch):
    """How many times the compiler ran (a cache hit does not count)."""
    calls = []
    original = specialization._compile_into

    def counting(*args, **kwargs):
        calls.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(specialization, "_compile_into", counting)
    return calls


def make_kernel(offset: int):
    """A fresh, never compiled kernel that adds `offset + i` to x[i]."""

    @qd.kernel
    def add(x: I1):
        for i in range(x.shape[0]):
            x[i] += i + offset

    return add


def run_together(count: int, work) -> list:
    """Call `work(index)` on `count` threads released at the same moment; re-raise failures."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def target(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    if errors:
        raise errors[0]
    return results


# -- threads -------------------------------------------------------------------------------------


def test_threads_calling_one_uncompiled_kernel_compile_it_once(disk_cache, compile_count):
    kernel = make_kernel(100)

    def call(index: int):
        x = np.full(64, index, np.int32)
        for _ in range(20):  # launches overlap compiles and other launches
            kernel(x)
        return x

    results = run_together(16, call)
    assert len(compile_count) == 1
    for index, x in enumerate(results):
        assert list(x) == [index + 20 * (i + 100) for i in range(64)]


def test_threads_compiling_different_kernels_at_once(disk_cache, compile_count):
    kernels = [make_kernel(k) for k in range(4)]  # one source, four closure values: four keys

    def call(k: int):
        x = np.zeros(8, np.int32)
        kernels[k](x)
        return x

    results = run_together(4, call)
    assert len(compile_count) == 4
    for k, x in enumerate(results):
        assert list(x) == [i + k for i in range(8)]


# -- processes sharing a cache folder ------------------------------------------------------------

WORKER = textwrap.dedent("""\
    import os, sys, time
    from pathlib import Path
    import numpy as np
    go = Path(sys.argv[1])
    while not go.exists():  # start together
        time.sleep(0.001)
    sys.path.insert(0, sys.argv[2])
    import shared_kernels
    x = np.zeros(1000, np.int32)
    shared_kernels.scale(x, int(sys.argv[3]))
    assert list(x[:3]) == [0, int(sys.argv[3]), 2 * int(sys.argv[3])], x[:3]
    print("ok")
""")

SHARED_KERNELS = textwrap.dedent("""\
    import qdmlir as qd


    @qd.kernel
    def scale(x: qd.types.ndarray(qd.i32, 1), k: qd.i32):
        for i in range(x.shape[0]):
            x[i] = i * k
""")


def test_processes_sharing_a_cache_never_read_a_half_written_artifact(tmp_path):
    root = tmp_path / "cache"
    (tmp_path / "shared_kernels.py").write_text(SHARED_KERNELS)
    go = tmp_path / "go"
    env = {**os.environ, "QD_CACHE": "1", "QD_CACHE_DIR": str(root)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(go), str(tmp_path), str(k)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for k in (2, 3, 5)
    ]
    reader = ArtifactCache(root, enabled=True)
    go.touch()
    seen_entries = set()
    while any(worker.poll() is None for worker in workers):
        # every entry that is visible at all must be whole: published by one rename
        for entry in root.iterdir() if root.exists() else []:
            if not entry.name.startswith("."):
                assert reader.lookup(entry.name) == entry, f"{entry} is visible but not whole"
                seen_entries.add(entry.name)
        time.sleep(0.002)
    for worker in workers:
        out, err = worker.communicate()
        assert worker.returncode == 0 and out.decode().strip() == "ok", err.decode()[-2000:]
    published = [p for p in root.iterdir() if not p.name.startswith(".")]
    assert len(published) == 1 and published[0].name in seen_entries | {published[0].name}


# -- damaged cache entries -----------------------------------------------------------------------


def _edit_manifest(entry: Path, **changes) -> None:
    path = entry / "manifest.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def _garbage_library_with_a_good_checksum(entry: Path) -> None:
    """A library that passes the checksum but is no ELF: a foreign or corrupted-at-build file."""
    import hashlib

    manifest = json.loads((entry / "manifest.json").read_text())
    library = entry / manifest["library"]
    library.write_bytes(b"not a shared object")
    manifest["checksums"][library.name] = hashlib.sha256(library.read_bytes()).hexdigest()
    (entry / "manifest.json").write_text(json.dumps(manifest))


DAMAGE = {
    "truncated-library": lambda e: [p.write_bytes(p.read_bytes()[:200]) for p in e.glob("*.so")],
    "missing-library": lambda e: [p.unlink() for p in e.glob("*.so")],
    "garbage-manifest": lambda e: (e / "manifest.json").write_text("{not json"),
    "empty-manifest": lambda e: (e / "manifest.json").write_text(""),
    "foreign-key": lambda e: _edit_manifest(e, key="f" * 64),
    "future-format": lambda e: _edit_manifest(e, format=99),
    "unloadable-library": _garbage_library_with_a_good_checksum,
}


RUN_SCALE = textwrap.dedent("""\
    import sys
    import numpy as np
    sys.path.insert(0, sys.argv[1])
    import shared_kernels
    x = np.zeros(4, np.int32)
    shared_kernels.scale(x, 3)
    assert list(x) == [0, 3, 6, 9], x
    print("ok")
""")


def run_scale(folder: Path, root: Path) -> None:
    """`shared_kernels.scale` in a fresh process over the cache at `root`."""
    env = {**os.environ, "QD_CACHE": "1", "QD_CACHE_DIR": str(root)}
    result = subprocess.run(
        [sys.executable, "-c", RUN_SCALE, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]


@pytest.fixture(scope="module")
def pristine_cache(tmp_path_factory):
    """A cache folder holding the one entry `shared_kernels.scale` compiles to."""
    folder = tmp_path_factory.mktemp("pristine")
    (folder / "shared_kernels.py").write_text(SHARED_KERNELS)
    run_scale(folder, folder / "cache")
    return folder


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_cache_entry_is_rebuilt(pristine_cache, tmp_path, damage):
    # damaged between runs, as a disk error or another tool would leave it; a library this
    # process has loaded must not be edited in place (docs/testing.md: the mapping is shared)
    root = tmp_path / "cache"
    shutil.copytree(pristine_cache / "cache", root)
    (entry,) = [p for p in root.iterdir() if not p.name.startswith(".")]
    DAMAGE[damage](entry)
    assert ArtifactCache(root, enabled=True).lookup(entry.name) is None or (
        damage == "unloadable-library"
    )
    run_scale(pristine_cache, root)
    assert ArtifactCache(root, enabled=True).lookup(entry.name) == entry  # whole again


# -- builds that fail or die part-way ------------------------------------------------------------


def test_a_build_that_fails_part_way_publishes_nothing_and_leaves_arrays_alone(
    disk_cache, monkeypatch
):
    from qdmlir.passes.targets import cpu

    def half_a_build(module, kernel_name, args, out_dir, **options):
        (Path(out_dir) / f"qd_{kernel_name}.so").write_bytes(b"\x7fELF half")
        raise cpu.CpuBuildError(f"kernel {kernel_name}: llc failed (injected)")

    monkeypatch.setattr(cpu, "build_cpu_library", half_a_build)
    kernel = make_kernel(1)
    x = np.arange(4, dtype=np.int32)
    with pytest.raises(cpu.CpuBuildError, match="injected"):
        kernel(x)
    assert list(x) == [0, 1, 2, 3]
    assert list(disk_cache.root.iterdir()) == []  # neither an entry nor a temp folder
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "_DEFAULT", disk_cache)
    kernel(x)
    assert list(x) == [0 + 1, 1 + 2, 2 + 3, 3 + 4]


@qd.kernel
def fails_in_its_second_task(x: I1):
    for i in range(x.shape[0]):
        x[i] = -1
    for i in range(x.shape[0]):
        x[i] = {1: 2}[i]


def test_a_compile_error_after_valid_tasks_runs_nothing():
    x = np.arange(4, dtype=np.int32)
    with pytest.raises(qd.QuadrantsSyntaxError, match="dict literal"):
        fails_in_its_second_task(x)
    assert list(x) == [0, 1, 2, 3]


DYING_BUILD = textwrap.dedent("""\
    import sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from qdmlir.passes.targets import cpu
    real = cpu.build_cpu_library
    def slow(module, kernel_name, args, out_dir, **options):
        library = real(module, kernel_name, args, out_dir, **options)
        library.write_bytes(library.read_bytes()[:100])  # half written when the process dies
        print("building", flush=True)
        time.sleep(60)
    cpu.build_cpu_library = slow
    import numpy as np
    import shared_kernels
    shared_kernels.scale(np.zeros(4, np.int32), 2)
""")


def test_a_process_killed_mid_build_leaves_no_entry(tmp_path, disk_cache):
    root = disk_cache.root
    (tmp_path / "shared_kernels.py").write_text(SHARED_KERNELS)
    env = {**os.environ, "QD_CACHE": "1", "QD_CACHE_DIR": str(root)}
    dying = subprocess.Popen(
        [sys.executable, "-c", DYING_BUILD, str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert dying.stdout.readline().decode().strip() == "building", dying.stderr.read().decode()
    dying.send_signal(signal.SIGKILL)
    dying.wait(timeout=30)
    left = list(root.iterdir())
    assert left and all(p.name.startswith(".tmp-") for p in left)  # only its temp folder
    sys.path.insert(0, str(tmp_path))
    try:
        import shared_kernels
    finally:
        sys.path.remove(str(tmp_path))
    x = np.zeros(4, np.int32)
    shared_kernels.scale(x, 3)
    assert list(x) == [0, 3, 6, 9]
    sys.modules.pop("shared_kernels", None)


# -- resume loops --------------------------------------------------------------------------------


@qd.kernel(graph=True, checkpoints=True)
def always_yields(x: I1, flag: I0):
    with qd.checkpoint(1, yield_on=flag):
        for _ in range(1):
            x[0] += 1
            flag[()] = 1


def test_a_kernel_that_yields_on_every_launch_returns_every_time():
    # the host loop is the user's; every launch returns at once, so a bounded loop ends
    x, flag = np.zeros(1, np.int32), np.zeros((), np.int32)
    status = always_yields(x, flag)
    started = time.perf_counter()
    resumes = 0
    while status.yielded and resumes < 10_000:
        flag[()] = 0
        status = always_yields.resume(x, flag, from_checkpoint=status.checkpoint)
        resumes += 1
    assert status.yielded and resumes == 10_000 and x[0] == 10_001
    assert time.perf_counter() - started < 30
