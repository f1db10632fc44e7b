"""The CPU launcher: argument checking, the per-call word cache, threads, artifacts."""

import threading

import numpy as np
import pytest
from cpu_build_helpers import ARGS, build, kernel_text

from qdmlir.runtime import dtypes
from qdmlir.runtime.artifact import Manifest
from qdmlir.runtime.cpu import ArtifactLoadError, CpuLauncher, host_signature
from qdmlir.runtime.ndarray import ndarray


@pytest.fixture(scope="module")
def graph3(tmp_path_factory):
    return build("graph3", tmp_path_factory.mktemp("graph3"))


@pytest.fixture(scope="module")
def scalars(tmp_path_factory):
    return build("scalars", tmp_path_factory.mktemp("scalars"))


def _args(n=4, value=1.0):
    x, flag = ndarray(dtypes.f32, n), ndarray(dtypes.i32, ())
    x.fill(value)
    return x, flag


def test_numpy_arguments_are_zero_copy(graph3):
    x, flag = np.full(5, 3.0, np.float32), np.zeros((), np.int32)
    assert graph3.launch((x, flag, 1.0), 0) == -1
    np.testing.assert_allclose(x, 2.0)


def test_switching_arrays_between_calls_repacks_them(graph3):
    x1, flag = _args(4, 3.0)
    x2, _ = _args(9, 8.0)
    x3 = np.full(2, 15.0, np.float32)
    for x, expected in [(x1, 2.0), (x2, 3.0), (x3, 4.0), (x1, np.sqrt(3.0))]:
        graph3.launch((x, flag, 1.0), 0)
        np.testing.assert_allclose(np.asarray(x), expected, rtol=1e-6)


def test_scalars_and_flags_changed_between_calls_are_seen(graph3):
    x, flag = _args(3, 1.0)
    assert graph3.launch((x, flag, 8.0), 0) == -1  # sqrt(2 * 8) = 4
    flag[()] = 1
    assert graph3.launch((x, flag, 0.5), 0) == 1  # (4 + 1) * 0.5 = 2.5, then yield
    np.testing.assert_allclose(x.to_numpy(), 2.5)


def test_a_numpy_array_changed_in_place_is_rechecked(graph3):
    x, flag = np.zeros(6, np.float32), np.zeros((), np.int32)
    graph3.launch((x, flag, 1.0), 0)
    x.shape = (2, 3)
    with pytest.raises(ValueError, match=r"required ndim=1, but 2d ndarray with shape \(2, 3\)"):
        graph3.launch((x, flag, 1.0), 0)


@pytest.mark.parametrize(
    "position, value, error, message",
    [
        (
            0,
            np.zeros(4, np.float64),
            TypeError,
            r"argument 0 \('x'\): expected dtype float32 \(qd.f32\).*astype",
        ),
        (
            0,
            np.zeros((4, 4), np.float32)[:, 0],
            ValueError,
            # a launcher made by hand for a contiguous argument (a kernel compiles a strided one)
            r"argument 0 \('x'\): this launcher was built for a C-contiguous array.*strides "
            r"\(16,\).*np.ascontiguousarray",
        ),
        (
            0,
            np.zeros((2, 2), np.float32),
            ValueError,
            r"argument 0 \('x'\): Invalid value for argument x - required ndim=1, but 2d",
        ),
        (0, [1.0, 2.0], TypeError, r"argument 0 \('x'\): expected a 1-d f32 ndarray .* got list"),
        (
            0,
            ndarray(dtypes.f64, 4),
            TypeError,
            r"argument 0 \('x'\): Expect element type f32 for argument x, but get f64",
        ),
        (
            1,
            ndarray(dtypes.i32, 1),
            TypeError,
            r"argument 1 \('flag'\): Invalid value for argument flag - required ndim=0, but 1d",
        ),
        (2, "2.0", TypeError, r"argument 2 \('s'\): expected a real number for qd.f32"),
        (2, 1e39, OverflowError, r"argument 2 \('s'\): 1e\+39 is out of range for qd.f32"),
    ],
)
def test_bad_arguments_name_position_and_fix(graph3, position, value, error, message):
    args = [*_args(), 1.0]
    args[position] = value
    with pytest.raises(error, match=message):
        graph3.launch(tuple(args), 0)


def test_read_only_numpy_arrays_are_refused(graph3):
    x = np.zeros(4, np.float32)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        graph3.launch((x, np.zeros((), np.int32), 1.0), 0)


def test_wrong_argument_count(graph3):
    with pytest.raises(TypeError, match=r"takes 3 arguments \(x, flag, s\), got 2"):
        graph3.launch(_args(), 0)


@pytest.mark.parametrize(
    "position, value, error, message",
    [
        (1, 2**31, OverflowError, r"argument 1 \('a'\): 2147483648 is out of range for qd.i32"),
        (2, -(2**63) - 1, OverflowError, "out of range for qd.i64"),
        (5, -1, OverflowError, r"argument 5 \('e'\): -1 is out of range for qd.u8 \[0, 255\]"),
        (6, 2**32, OverflowError, "out of range for qd.u32"),
        (
            1,
            1.5,
            TypeError,
            r"argument 1 \('a'\): expected an integer for qd.i32, got float 1.5; convert it with int",
        ),
        (2, None, TypeError, "expected an integer for qd.i64, got NoneType"),
    ],
)
def test_scalars_are_range_checked(scalars, position, value, error, message):
    args = [np.zeros(6), 0, 0, 0.0, 0.0, 0, 0]
    args[position] = value
    with pytest.raises(error, match=message):
        scalars.launch(tuple(args), 0)


def test_numpy_scalars_and_bools_are_accepted(scalars):
    out = np.zeros(6)
    scalars.launch(
        (out, np.int32(-3), True, np.float32(0.5), np.float64(2.0), np.uint8(200), np.uint32(9)), 0
    )
    assert out.tolist() == [-3, 1, 0.5, 2.0, 200, 9]


def test_a_failed_call_leaves_the_previous_words_usable(graph3):
    x, flag = _args(4, 3.0)
    graph3.launch((x, flag, 1.0), 0)
    with pytest.raises(TypeError):
        graph3.launch((x, flag, "bad"), 0)
    x.fill(3.0)
    graph3.launch((x, flag, 1.0), 0)
    np.testing.assert_allclose(x.to_numpy(), 2.0)


def test_concurrent_launches_do_not_mix_words_or_state(graph3):
    errors = []

    def worker(seed):
        n = 64 + seed
        x, flag = _args(n)
        flag[()] = seed % 2
        for round_ in range(300):
            x.fill(float(seed))
            yielded_at = graph3.launch((x, flag, float(seed + round_ % 3)), 0)
            scale = np.float32(seed + round_ % 3)
            expected = (np.float32(seed) + 1) * scale
            if seed % 2 == 0:
                expected = np.sqrt(expected)
            if yielded_at != (1 if seed % 2 else -1) or not np.allclose(x.to_numpy(), expected):
                errors.append((seed, round_, yielded_at))
                return

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_from_artifact_reads_the_manifest(tmp_path):
    from qdmlir.passes.targets.cpu import build_cpu_artifact

    manifest = Manifest("sum", "cpu", "", ARGS["sum"], key="ab" * 8)
    build_cpu_artifact(kernel_text("sum"), manifest, tmp_path)
    launcher = CpuLauncher.from_artifact(tmp_path)
    x, out = np.arange(10.0), np.zeros(())
    assert launcher.launch((x, out), 0) == -1 and out[()] == 45.0
    assert Manifest.read(tmp_path).library == "qd_sum.so"


@pytest.mark.parametrize("content", [b"not an ELF file", None], ids=["garbage", "missing"])
def test_an_unloadable_library_is_an_artifact_load_error(tmp_path, content):
    # (a truncated ELF can crash dlopen with SIGBUS: the cache's checksums keep those away)
    broken = tmp_path / "broken.so"
    if content is not None:
        broken.write_bytes(content)
    with pytest.raises(ArtifactLoadError, match="broken.so"):
        CpuLauncher(broken, ARGS["sum"])


def test_host_signature_is_stable_hex():
    assert host_signature() == host_signature() and len(host_signature()) == 16
    int(host_signature(), 16)
