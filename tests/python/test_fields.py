"""`qd.field`: dense scalar fields with Quadrants' host API and errors, used by kernels as
globals, closure variables, members and `qd.template()` arguments. A field is storage passed
at every launch: new contents or another field of the same type never recompile."""

import numpy as np
import pytest

import qdmlir as qd


def test_shape_dtype_offset_and_zeroed_contents():
    f = qd.field(qd.f32, shape=(6, 12))
    assert f.shape == (6, 12) and f.dtype is qd.f32 and f.ndim == 2 and f.offset == (0, 0)
    assert (f.to_numpy() == 0).all() and f.to_numpy().dtype == np.float32
    assert qd.field(qd.i64, 8).shape == (8,)
    scalar = qd.field(qd.i32, shape=())
    scalar[None] = 5
    assert scalar[None] == 5 and scalar[()] == 5 and scalar.shape == ()
    assert qd.field(int, 3).dtype is qd.i32 and qd.field(float, 3).dtype is qd.f32
    assert (
        repr(qd.field(qd.f32, (2,), offset=(-1,), name="a")) == "<qd.field 'a' f32[2] offset [-1]>"
    )


def test_offsets_shift_every_host_index():
    f = qd.field(qd.i32, shape=(3, 2), offset=(-1, 4))
    f.from_numpy(np.arange(6, dtype=np.int32).reshape(3, 2))
    assert f[-1, 4] == 0 and f[1, 5] == 5 and f.offset == (-1, 4)
    f[0, 4] = 9
    assert f.to_numpy()[1, 0] == 9
    with pytest.raises(IndexError, match="index 2 is out of bounds for axis 0 .* indices -1..1"):
        f[2, 4]


def test_host_writes_fill_and_copies_convert_as_quadrants_does():
    u = qd.field(qd.u64, shape=())
    u[None] = 2**64 - 1
    assert u[None] == 2**64 - 1
    ints = qd.field(qd.i32, shape=3)
    ints.fill(2.7)  # fill converts (truncates), as Quadrants does
    assert ints.to_numpy().tolist() == [2, 2, 2]
    with pytest.raises(TypeError):
        ints[0] = 3.5  # an element write does not
    floats = qd.field(qd.f32, shape=3, offset=-4)
    floats.copy_from(ints)
    assert floats.to_numpy().tolist() == [2.0, 2.0, 2.0] and floats[-4] == 2.0
    assert ints[np.int32(1)] == 2  # numpy integers index too
    floats.from_numpy(np.array([1, 2, 3], np.int64))  # converted to the field's dtype
    assert floats.to_numpy().dtype == np.float32


@pytest.mark.parametrize(
    ("action", "error", "phrase"),
    [
        (lambda f: f[0], AssertionError, "Slicing is not supported on qd.field"),
        (lambda f: f[0, :], TypeError, "Detected illegal element of type: <class 'slice'>"),
        (lambda f: f[1.0, 0], TypeError, "slicing a qd.field is not supported so far"),
        (lambda f: f.from_numpy(np.zeros((3, 2))), ValueError, r"Mismatch shape: \(2, 3\)"),
        (lambda f: f.from_numpy([[0] * 3] * 2), TypeError, "expected"),
        (lambda f: f.copy_from(np.zeros((2, 3))), TypeError, "copy_from expects a qd.field"),
        (lambda f: f.copy_from(qd.field(qd.f32, (3, 2))), ValueError, "shape mismatch"),
        (
            lambda f: [i for i in f],
            NotImplementedError,
            "Struct for is only available in Quadrants scope",
        ),
    ],
)
def test_host_errors_keep_quadrants_classes_and_phrases(action, error, phrase):
    with pytest.raises(error, match=phrase):
        action(qd.field(qd.f32, shape=(2, 3)))


def test_creation_errors():
    with pytest.raises(
        qd.QuadrantsRuntimeError, match="Every dimension of a Quadrants field should be positive"
    ):
        qd.field(qd.f32, shape=0)
    with pytest.raises(ValueError, match="offset .* has 1 entries for a 2-d field"):
        qd.field(qd.f32, shape=(2, 2), offset=(1,))
    with pytest.raises(TypeError, match=r"qd.field\('x', 3\): unknown qd dtype 'x'"):
        qd.field("x", 3)


# -- fields in kernels ---------------------------------------------------------------------

GLOBAL = qd.field(qd.f32, shape=(4,))
SHIFTED = qd.field(qd.i32, shape=(4,), offset=(-2,))
FLAG = qd.field(qd.i32, shape=())
COUNTER = qd.field(qd.i32, shape=())


@qd.func
def add_global(i):
    GLOBAL[i] += 1.0


@qd.kernel
def bump_global(times: qd.i32):
    for i in range(GLOBAL.shape[0]):
        for _ in range(times):
            add_global(i)


def test_a_global_field_is_read_from_the_global_at_every_call():
    global GLOBAL
    bump_global(2)
    assert GLOBAL.to_numpy().tolist() == [2.0] * 4
    GLOBAL.fill(10.0)  # new contents: the same build
    bump_global(1)
    assert GLOBAL[3] == 11.0
    old, GLOBAL = GLOBAL, qd.field(qd.f32, shape=(4,))  # another field of that type
    try:
        bump_global(1)
        assert GLOBAL.to_numpy().tolist() == [1.0] * 4 and old[0] == 11.0
        assert len(bump_global._specializations) == 1
    finally:
        GLOBAL = old


@qd.kernel
def struct_for_with_offset():
    for i in SHIFTED:
        SHIFTED[i] = i * 10


def test_struct_for_over_a_field_runs_over_its_offset_indices():
    struct_for_with_offset()
    assert SHIFTED.to_numpy().tolist() == [-20, -10, 0, 10]
    assert SHIFTED[-2] == -20


def test_a_closure_field_a_template_field_and_field_flags():
    local = qd.field(qd.i32, shape=(3,))

    @qd.kernel(graph=True, checkpoints=True)
    def staged(out: qd.Template):
        with qd.checkpoint(1, yield_on=FLAG):
            for i in range(out.shape[0]):
                out[i] += local[i]
                if COUNTER[None] == 0:
                    FLAG[None] = 1
        while qd.graph.do_while(COUNTER):
            for i in range(out.shape[0]):
                out[i] += 100
            for _ in range(1):
                COUNTER[None] -= 1

    local.from_numpy(np.array([1, 2, 3], np.int32))
    out = qd.field(qd.i32, shape=(3,))
    assert staged(out) == qd.GraphStatus(True, 1)
    assert out.to_numpy().tolist() == [1, 2, 3]
    FLAG[None] = 0
    COUNTER[None] = 2
    other = qd.field(qd.i32, shape=(3,))  # the same type: the same build
    assert staged(other) == qd.GraphStatus(False, None)
    assert other.to_numpy().tolist() == [201, 202, 203] and COUNTER[None] == 0
    assert len(staged._specializations) == 1


@qd.kernel
def number_by_index(out: qd.template()):
    for i in out:
        out[i] = i


def test_a_template_field_of_another_offset_is_another_specialisation():
    shifted, plain = qd.field(qd.i32, shape=3, offset=5), qd.field(qd.i32, shape=3)
    number_by_index(shifted)
    number_by_index(plain)
    assert shifted.to_numpy().tolist() == [5, 6, 7] and plain.to_numpy().tolist() == [0, 1, 2]
    assert len(number_by_index._specializations) == 2


@qd.data_oriented
class Grid:
    def __init__(self):
        self.cells = qd.field(qd.f64, shape=(2, 3))

    @qd.kernel
    def number(self):
        for i, j in self.cells:
            self.cells[i, j] = i * 10 + j


def test_a_field_member_of_a_data_oriented_object():
    grid = Grid()
    grid.number()
    assert grid.cells.to_numpy().tolist() == [[0, 1, 2], [10, 11, 12]]


FIELDS = [qd.field(qd.i32, shape=(2,))]


@qd.kernel
def field_in_a_list():
    for i in range(2):
        FIELDS[0][i] = 1


def test_a_field_reached_through_a_subscript_is_refused():
    with pytest.raises(qd.QuadrantsSyntaxError, match="is a qd.field that qdmlir cannot pass"):
        field_in_a_list()


@qd.data_oriented
class Scaled:
    def __init__(self):
        self.f = qd.field(qd.f32, shape=(4,), offset=(1,))
        self.k = 2.0

    @qd.kernel
    def scale(self):
        for i in self.f:
            self.f[i] *= self.k


def test_on_cuda_a_field_is_device_memory_passed_like_an_ndarray(monkeypatch, tmp_path):
    """Against the fake driver (tests/python/fake_cuda_driver.py): the storage is a device
    ndarray, host access copies, and the kernel's launch gets the storage's pointer."""
    from fake_cuda_driver import FakeDriver

    from qdmlir.runtime import cuda_driver
    from qdmlir.runtime.cuda_ndarray import DeviceNdarray

    fake = FakeDriver()
    cuda_driver.use_driver(fake)
    monkeypatch.setenv("QD_CUDA_ARCH", "sm_90")
    monkeypatch.setenv("QD_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr("qdmlir.runtime.cache._DEFAULT", None)
    qd.init(arch=qd.cuda)
    try:
        obj = Scaled()
        storage = obj.f._storage
        assert isinstance(storage, DeviceNdarray)
        obj.f.from_numpy(np.arange(4, dtype=np.float32))
        obj.f[4] = 7.0
        assert obj.f[2] == 1.0 and obj.f.to_numpy().tolist() == [0.0, 1.0, 2.0, 7.0]
        obj.scale()
        obj.scale()  # new contents, same storage type: the same build
        pointers = {launch.u64(i) for launch in fake.launches for i in range(len(launch.params))}
        assert storage._pointer in pointers
        assert len(Scaled.scale._specializations) == 1
    finally:
        qd.init(arch=qd.cpu)
        cuda_driver.use_driver(None)
