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


def test_qd_cfg_is_the_current_configuration_read_at_each_use(restore_config):
    qd.init(arch=qd.cpu, default_fp=qd.f64)
    assert qd.cfg.arch is qd.cpu and qd.cfg.default_fp is qd.f64
    qd.init(arch=qd.cpu)
    assert qd.cfg.default_fp is qd.f32  # not a snapshot taken at import
    with pytest.raises(AttributeError, match="no attribute 'cgf'"):
        qd.cgf  # noqa: B018 - a misspelt name is still an AttributeError


def test_type_predicates_and_long_type_names():
    assert qd.types.is_integral(qd.i32) and qd.types.is_integral(qd.u8)
    assert not qd.types.is_integral(qd.f32) and qd.types.is_integral(int)
    assert qd.types.is_real(qd.f64) and qd.types.is_real(float) and not qd.types.is_real(qd.i8)
    assert qd.types.is_signed(qd.i16) and qd.types.is_signed(qd.f32)
    assert not qd.types.is_signed(qd.u32)
    long_names = (qd.int8, qd.int16, qd.int32, qd.int64, qd.uint8, qd.uint16, qd.uint32)
    assert long_names + (qd.uint64, qd.float16, qd.float32, qd.float64) == (
        qd.i8, qd.i16, qd.i32, qd.i64, qd.u8, qd.u16, qd.u32, qd.u64, qd.f16, qd.f32, qd.f64
    )  # fmt: skip


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


# -- archs qdmlir does not build for --------------------------------------------------------


@qd.kernel
def adds_one(x: qd.types.ndarray(qd.i32, 1)):
    for i in range(x.shape[0]):
        x[i] += 1


@pytest.mark.parametrize("arch", [qd.vulkan, qd.metal, "vulkan", "metal"])
def test_an_arch_without_a_target_falls_back_to_the_cpu_with_one_warning(restore_config, arch):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        qd.init(arch=arch)
    assert [str(w.message) for w in caught] == [
        f"qd.init(arch={arch!r}): qdmlir has no {getattr(arch, 'name', arch)} target (it builds "
        "for qd.cpu, qd.cuda and qd.amdgpu); falling back to qd.cpu"
    ]
    assert caught[0].category is RuntimeWarning
    assert qd.lang.impl.current_cfg().arch is qd.cpu
    x = np.zeros(3, np.int32)
    adds_one(x)  # and kernels run there
    assert list(x) == [1, 1, 1]


def test_strict_arch_makes_a_missing_target_an_error(restore_config, monkeypatch):
    monkeypatch.setenv("QD_STRICT_ARCH", "1")
    with pytest.raises(RuntimeError, match=r"arch=qd.vulkan\): qdmlir has no vulkan target"):
        qd.init(arch=qd.vulkan)
    monkeypatch.delenv("QD_STRICT_ARCH")
    # Quadrants' own switch for the same thing
    with pytest.raises(RuntimeError, match="qdmlir has no metal target"):
        qd.init(arch=qd.metal, enable_fallback=False)


def test_an_arch_list_takes_the_first_that_runs(restore_config):
    qd.init(arch=[qd.vulkan, qd.cpu])  # no warning: the CPU is on the list
    assert qd.lang.impl.current_cfg().arch is qd.cpu
    assert qd.gpu == [qd.cuda, qd.metal, qd.vulkan, qd.amdgpu]  # Quadrants' order


def test_qd_gpu_without_any_gpu_names_each_reason_in_one_warning(restore_config, monkeypatch):
    from qdmlir.frontend import config

    monkeypatch.setattr(config, "_unavailable", lambda arch: f"no {arch.name} here")
    with pytest.warns(RuntimeWarning) as caught:
        qd.init(arch=qd.gpu)
    assert len(caught) == 1
    assert str(caught[0].message).endswith(
        "no cuda here; no metal here; no vulkan here; no amdgpu here; falling back to qd.cpu"
    )
    assert qd.lang.impl.current_cfg().arch is qd.cpu


# -- the qd.graph namespace -----------------------------------------------------------------


def test_graph_namespace_and_flat_names_are_the_same_objects():
    assert qd.graph.do_while is qd.graph_do_while
    assert qd.graph.parallel_context is qd.graph_parallel_context
    assert qd.graph.parallel is qd.graph_parallel


def test_sections_are_no_op_context_managers_outside_kernels():
    ran = []
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            ran.append("a")
        with qd.graph_parallel():
            ran.append("b")
    assert ran == ["a", "b"]
    with pytest.raises(TypeError):
        qd.graph.parallel(name="bx")  # takes no arguments, in Python too
