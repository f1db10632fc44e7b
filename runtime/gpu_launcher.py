"""What the GPU launchers share: a plan artifact's arguments, launch state and direct runs.

docs/architecture.md §7. `PlanLauncher` reads the manifest and `plan.json`, looks up one device
function per plan kernel, turns call arguments into plan values (a device ndarray or any
`__cuda_array_interface__` object: its pointer, no copy), writes the launch state and runs the
plan with `DirectRun` (cuda_direct.py). `launch(args, resume_point) -> yielded_at`.
CudaLauncher (cuda.py) adds CUDA graphs; HipLauncher (hip.py) loads an AMDGPU code object.

Both run over a GpuDevice (gpu_device.py: CudaDevice in cuda_driver.py, HipDevice in
hip_runtime.py), one class of rules with two sets of calls.
"""

from __future__ import annotations

import numbers
import os
import threading
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from . import abi
from .artifact import ArgSpec, Manifest
from .cuda_direct import DirectRun, yielded_at
from .cuda_plan import ITEM_SIZE, Buf, has_loop, read_plan
from .matrix_types import element_type_string

YIELDED_AT_OFFSET = 4 * abi.YIELDED_AT  # bytes into the launch state (two int32, runtime/abi.py)


class PlanLauncher(ABC):
    """Launches one compiled GPU kernel specialisation; subclasses load its device code."""

    target = ""  # the manifest target this launcher runs
    load_error: type[Exception] = RuntimeError

    def __init__(self, directory: str | os.PathLike, manifest: Manifest | None = None, device=None):
        self.directory = Path(directory)
        self.manifest = manifest or Manifest.read(directory)
        if self.manifest.target != self.target:
            raise self.load_error(
                f"{directory}: a {self.manifest.target} artifact, not a {self.target} one"
            )
        self.kernel = self.manifest.kernel
        self.args = [ArgSpec.coerce(a) for a in self.manifest.args]
        self.plan = read_plan(self.directory / self.manifest.plan)
        self.device = device or self.default_device()
        self.module = self._load_module()
        self.kernels = [
            dict(k, function=self.device.function(self.module, k["name"]))
            for k in self.plan["kernels"]
        ]
        self.needs_status = any(slot.yield_on for slot in self.manifest.slots)
        self.loops = has_loop(self.plan["functions"][self.kernel]["body"])
        self.state = Buf(self.device.alloc(4 * abi.STATE_WORDS), (abi.STATE_WORDS,), "i32", True)
        self._scratch: dict[int, Buf] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_artifact(cls, directory) -> PlanLauncher:
        return cls(directory)

    @abstractmethod
    def default_device(self):
        """The device this backend launches on (CUDA's or HIP's)."""

    @abstractmethod
    def _load_module(self):
        """Load the artifact's code object into the device's context."""

    def scratch(self, reg: int, shape, elem: str) -> Buf:
        """Device memory for a host `memref.alloca` (a top-level kernel variable)."""
        if reg not in self._scratch:
            size = ITEM_SIZE[elem]
            for n in shape:
                size *= n
            self._scratch[reg] = Buf(self.device.alloc(size), tuple(shape), elem)
        return self._scratch[reg]

    def check_grid(self, grid, name: str, block=None) -> None:
        """Refuse a launch the device cannot take, before the driver does less clearly.
        The default accepts every launch: a device without limits to check keeps it."""
        return None

    # launching ------------------------------------------------------------------------------

    def returning(self, table):
        """`run(args, resume_point) -> table[yielded_at + 1]` (runtime/launch.py); it carries
        `.launcher`, the tests' and the bench's way from a kernel to its launcher."""
        launch = self.launch

        def run(args: tuple, resume_point: int = 0):
            return table[launch(args, resume_point) + 1]

        run.launcher = self
        return run

    def launch(self, args: tuple, resume_point: int = 0) -> int:
        """Run the kernel with `args`; returns yielded_at (the slot that yielded, or -1)."""
        values = self.values(args)
        with self._lock:
            self.device.make_current()
            return self._launch(values, resume_point)

    def _launch(self, values: list, resume_point: int) -> int:
        return self.run_direct(values, resume_point)

    def run_direct(self, values: list, resume_point: int) -> int:
        """Interpret the plan, enqueueing each launch; read yielded_at only if it can yield."""
        run = DirectRun(self, self.plan["functions"][self.kernel], values, self.state, resume_point)
        self._write_state(resume_point)
        run.run()
        return yielded_at(run) if self.needs_status else -1

    def _write_state(self, resume_point: int) -> None:
        pointer = self.state.pointer
        self.device.memset(pointer + 4 * abi.RESUME_POINT, resume_point & 0xFFFFFFFF, 4, 1, False)
        self.device.memset(pointer + YIELDED_AT_OFFSET, abi.NOT_YIELDED & 0xFFFFFFFF, 4, 1, False)

    # arguments ------------------------------------------------------------------------------

    def values(self, args: tuple) -> list:
        """Plan values of the call's arguments, then the state; errors name the argument."""
        if len(args) != len(self.args):
            names = ", ".join(a.name for a in self.args)
            raise TypeError(
                f"kernel {self.kernel!r} takes {len(self.args)} arguments ({names}), "
                f"got {len(args)}"
            )
        values = [
            self._value(i, spec, value) for i, (spec, value) in enumerate(zip(self.args, args))
        ]
        values.append(self.state)
        return values

    def _value(self, position: int, spec: ArgSpec, value):
        where = f"kernel {self.kernel!r} argument {position} ({spec.name!r})"
        dtype = spec.qd_dtype
        if spec.kind == "ndarray":
            return device_buffer(where, value, dtype, spec.ndim, self.device, spec.element_shape)
        if spec.kind == "matrix":
            return matrix_value(where, spec, value)
        if dtype.is_float:
            if not isinstance(value, numbers.Real):
                raise TypeError(
                    f"{where}: expected a real number for qd.{dtype.name}, got "
                    f"{type(value).__name__}"
                )
            return float(value)
        if not isinstance(value, numbers.Integral):
            raise TypeError(
                f"{where}: expected an integer for qd.{dtype.name}, got {type(value).__name__}"
            )
        if not dtype.min <= int(value) <= dtype.max:
            raise OverflowError(f"{where}: {value} is out of range for qd.{dtype.name}")
        return int(value)


def matrix_value(where: str, spec: ArgSpec, value) -> tuple:
    """A vector / matrix argument as the plan's `extract` reads it: its entries as nested
    tuples of Python numbers of the element type."""
    entries = getattr(value, "entries", value)
    try:
        array = np.asarray(entries)
    except (TypeError, ValueError):
        array = None
    if array is None or array.shape != spec.element_shape:
        raise TypeError(
            f"{where}: expected a {element_type_string(spec.element_shape, spec.qd_dtype)} "
            f"value (a qd.Vector / qd.Matrix or a nested list of that shape), got {value!r}"
        )
    return _tuples(array.astype(spec.qd_dtype.np_dtype).tolist())


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def device_buffer(where: str, value, dtype, ndim: int, device, element: tuple = ()) -> Buf:
    """A device ndarray, or a torch/CuPy array through `__cuda_array_interface__` (zero copy,
    C-contiguous, the kernel's dtype and rank; ROCm builds of torch and CuPy export it too);
    numpy arrays are host memory and refused. An ndarray of vectors or matrices (`element`)
    has their entries as its last axes."""
    words = getattr(value, "_words", None)
    if words is not None and hasattr(value, "__cuda_array_interface__"):
        if (
            value.dtype is not dtype
            or len(value.shape) != ndim
            or tuple(getattr(value, "element_shape", ())) != tuple(element)
        ):
            wanted = element_type_string(element, dtype)
            raise TypeError(f"{where}: expected a {ndim}-d {wanted} ndarray, got {value!r}")
        return Buf(words[0], tuple(words[1:]) + tuple(element), dtype.mlir)
    ndim += len(element)
    try:
        interface = value.__cuda_array_interface__
    except AttributeError:
        raise TypeError(
            f"{where}: expected a {ndim}-d {dtype.name} {device.kind} array (qd.ndarray on "
            f"{device.qd_arch}, or a torch/CuPy tensor on the GPU), got {type(value).__name__}; "
            "a numpy array is host memory: copy it with a = qd.ndarray(...); a.from_numpy(x)"
        ) from None
    shape = tuple(interface["shape"])
    if (
        interface["typestr"][1:] != dtype.np_dtype.str[1:]
        or len(shape) != ndim
        or shape[ndim - len(element) :] != tuple(element)
    ):
        raise TypeError(
            f"{where}: expected a {ndim}-d {dtype.name} array, got typestr "
            f"{interface['typestr']} with shape {shape}"
        )
    strides = interface.get("strides")
    if strides is not None and tuple(strides) != _contiguous(shape, dtype.itemsize):
        raise ValueError(
            f"{where}: the array is not C-contiguous (strides {strides}); pass "
            "x.contiguous() (torch) or cupy.ascontiguousarray(x)"
        )
    stream = interface.get("stream")
    if stream not in (None, 0, 1):  # CAI v3: None and the legacy default stream need nothing
        device.wait_for_stream(stream)
    return Buf(int(interface["data"][0]), shape, dtype.mlir)


def _contiguous(shape, itemsize: int) -> tuple:
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))
