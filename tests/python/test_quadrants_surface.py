"""Names Quadrants programs use beyond kernels: `qd.lang.impl.current_cfg()` reads back what
`qd.init` chose; `qd.QuadrantsCompilationError` catches compile errors."""

import numpy as np
import pytest

import qdmlir as qd


@pytest.fixture
def restore_config():
    from qdmlir.frontend import config

    saved = config._current
    yield
    config._current = saved


def test_current_cfg_reports_the_arch_init_chose(restore_config):
    qd.init(arch=qd.cpu)
    assert qd.lang.impl.current_cfg().arch is qd.cpu
    # Quadrants' programs branch on the host arch's own names; on qdmlir they are the CPU
    assert qd.lang.impl.current_cfg().arch in (qd.x64, qd.arm64)
    assert qd.lang.impl.current_cfg().arch != qd.cuda


def test_current_cfg_follows_each_init_and_reset(restore_config):
    qd.init(arch=qd.x64, debug=True, default_fp=qd.f64, default_ip=qd.i64)
    cfg = qd.lang.impl.current_cfg()
    assert (cfg.arch, cfg.debug, cfg.default_fp, cfg.default_ip) == (qd.cpu, True, qd.f64, qd.i64)

    qd.init(arch="cpu")
    cfg = qd.lang.impl.current_cfg()
    assert (cfg.debug, cfg.default_fp, cfg.default_ip) == (False, qd.f32, qd.i32)

    qd.reset()
    assert qd.lang.impl.current_cfg().arch is qd.cpu
    assert not qd.lang.impl.current_cfg().initialized


def test_arch_name_round_trips_through_init(restore_config):
    # Quadrants' tests pass `current_cfg().arch.name` to a child process, which inits with it
    qd.init(arch=qd.cpu)
    qd.init(arch=qd.lang.impl.current_cfg().arch.name)
    assert qd.lang.impl.current_cfg().arch is qd.cpu


@qd.kernel
def multiplies_atomically(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        qd.atomic_mul(x[i], 2)  # refused: there is no atomic multiply


def test_compile_errors_are_quadrants_compilation_errors():
    assert issubclass(qd.QuadrantsSyntaxError, qd.QuadrantsCompilationError)
    assert issubclass(qd.QuadrantsSyntaxError, SyntaxError)
    with pytest.raises(qd.QuadrantsCompilationError, match="multiplies_atomically") as caught:
        multiplies_atomically(np.zeros(2, np.int32))
    assert isinstance(caught.value, qd.QuadrantsSyntaxError)
