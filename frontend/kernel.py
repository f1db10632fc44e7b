"""`@qd.kernel` and `@qd.func`: what a decorated function becomes, and how a call runs.

A kernel compiles lazily, once per signature (the dtype and ndim of each argument), into an
artifact that the runtime launches; a warm on-disk cache loads without the compiler. The steady
call of a fully annotated kernel is one launcher call plus a list lookup for the status.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import threading
import weakref
from typing import Any

import numpy as np

from qdmlir.frontend import config
from qdmlir.frontend.errors import QuadrantsSyntaxError
from qdmlir.frontend.lang import NdarrayType, Template, template
from qdmlir.runtime import abi, dtypes
from qdmlir.runtime.artifact import CONTIGUOUS, STRIDED, ArgSpec
from qdmlir.runtime.cpu_args import NotContiguous, ndim_mismatch
from qdmlir.runtime.errors import KernelArgumentError, QuadrantsRuntimeTypeError
from qdmlir.runtime.matrix_types import MatrixType, element_type_string

_KERNELS: weakref.WeakSet = weakref.WeakSet()


def forget_compiled_kernels() -> None:
    """Drop every kernel's loaded specialisations (after `qd.init` changes the target)."""
    for kernel in list(_KERNELS):
        kernel._forget()


class QdFunc:
    """A `@qd.func`: inlined into the kernels that call it. As a method of a
    `@qd.data_oriented` class, `self.helper` is a BoundFunc whose first parameter is `self`."""

    def __init__(self, fn):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            f"qd.func '{self.__name__}' can only be called from a kernel or another qd.func"
        )

    def __get__(self, instance, owner):
        return self if instance is None else BoundFunc(self, instance)


class BoundFunc:
    """`obj.helper` for a qd.func method: the function and the object its first parameter
    takes. Equal for the same function and the same object (kernels guard on that)."""

    __slots__ = ("func", "instance")

    def __init__(self, func: QdFunc, instance):
        self.func = func
        self.instance = instance

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, BoundFunc)
            and other.func is self.func
            and other.instance is self.instance
        )

    def __hash__(self) -> int:
        return hash((id(self.func), id(self.instance)))

    @property
    def __name__(self) -> str:
        return self.func.__name__

    def __call__(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<bound qd.func {self.func.__qualname__} of {type(self.instance).__name__}>"


def func(fn=None, *, is_real_function: bool = False, requires_top_level: bool = False):
    """Mark a function as callable from kernels (bare `@qd.func` or `@qd.func(...)`).
    `is_real_function=True` asks Quadrants for a function that is not inlined; qdmlir inlines
    every function, which gives the same results."""
    if fn is None:
        return lambda f: func(
            f, is_real_function=is_real_function, requires_top_level=requires_top_level
        )
    return QdFunc(fn)


def real_func(fn=None):
    """`@qd.real_func`: Quadrants' non-inlined function; inlined like `@qd.func` here."""
    return func(fn, is_real_function=True)


def kernel(
    _fn=None, *, pure=None, fastcache: bool = False, graph: bool = False, checkpoints: bool = False
):
    """Mark a function as a kernel: `@qd.kernel` or `@qd.kernel(graph=True, checkpoints=True)`."""
    if _fn is None:
        return lambda fn: kernel(
            fn, pure=pure, fastcache=fastcache, graph=graph, checkpoints=checkpoints
        )
    if checkpoints and not graph:
        from qdmlir.frontend.source import function_source

        try:
            span = function_source(_fn).span(function_source(_fn).tree)
        except QuadrantsSyntaxError:
            span = None
        raise QuadrantsSyntaxError(
            f"@qd.kernel('{_fn.__name__}', checkpoints=True) requires graph=True; the checkpoint "
            "resume model only applies to graph kernels",
            kernel=_fn.__name__,
            span=span,
            fix="decorate it with @qd.kernel(graph=True, checkpoints=True)",
        )
    return Kernel(_fn, graph=bool(graph), checkpoints=bool(checkpoints))


class Kernel:
    """A compiled-on-first-call kernel. Call it like the Python function; `resume(...)` starts
    from a checkpoint. As a method of a `@qd.data_oriented` class, `obj.step` is a
    BoundKernel whose first argument is `obj`."""

    def __init__(self, fn, *, graph: bool, checkpoints: bool):
        self.fn = fn
        functools.update_wrapper(self, fn)
        self.graph = graph
        self.checkpoints = checkpoints
        self._parameters = list(inspect.signature(fn).parameters.values())
        # defaults or keyword-only parameters: every call binds its arguments (no fast path)
        self._binds = any(
            p.default is not p.empty or p.kind is p.KEYWORD_ONLY for p in self._parameters
        )
        self._annotations: list | None = None  # resolved at the first call (lazily, as errors)
        self._specializations: dict[tuple, Any] = {}
        self._only = None  # the one specialisation of a fully annotated kernel, once built
        # whether calls are taken apart (frontend/flatten.py): decided at the first call
        self._flattens: bool | None = None
        self._steady = None  # the flattened specialisation whose call is installed
        self._recent: list = []  # (matcher, specialisation) of the last flattened calls
        self.is_method = False  # defined in a class body: the first parameter is the instance
        self._attribute = None  # the name it has in that class
        self._bound_class = None  # this kernel's BoundKernel subclass, made at the first bind
        self._lock = threading.RLock()
        _KERNELS.add(self)

    def __call__(self, *args, **kwargs):
        only = self._only
        if only is not None and not kwargs:
            try:
                return only.run(args, 0)
            except NotContiguous:  # a strided array: its own specialisation (below)
                pass
        return self._launch(args, kwargs, None)

    def resume(self, *args, from_checkpoint, **kwargs):
        """Launch again starting at (and including) the checkpoint labelled `from_checkpoint`."""
        if not self.checkpoints:
            raise RuntimeError(
                f"kernel '{self.__name__}' cannot be resumed: resume needs "
                "@qd.kernel(graph=True, checkpoints=True) and a qd.checkpoint(...) block"
            )
        if not isinstance(from_checkpoint, int):
            raise RuntimeError(
                f"{self.__name__}.resume(from_checkpoint={from_checkpoint!r}): the label must be "
                "an int or IntEnum value, as passed to qd.checkpoint(cp_id, ...) (typically "
                "status.checkpoint of the launch that yielded)"
            )
        only = self._only
        if only is not None and not kwargs:
            try:
                return only.run(args, only.slot_of(from_checkpoint))
            except NotContiguous:
                pass
        return self._launch(args, kwargs, from_checkpoint)

    def __set_name__(self, owner, name) -> None:
        self.is_method = True
        self._attribute = name

    def __get__(self, instance, owner):
        if instance is None:
            return self
        bound_class = self._bound_class
        if bound_class is None:
            bound_class = self._bound_class = type(
                "BoundKernel", (BoundKernel,), {"__module__": BoundKernel.__module__}
            )
        bound = bound_class(self, instance)
        # Quadrants keeps the bound kernel in the instance's __dict__ as well: later lookups
        # of `obj.step` are a dict hit (a kernel is a non-data descriptor)
        namespace = getattr(instance, "__dict__", None)
        if namespace is not None and self._attribute is not None:
            namespace[self._attribute] = bound
        return bound

    def grad(self, *args, **kwargs):
        """Quadrants' gradient kernel: autodiff is not supported (a located refusal)."""
        from qdmlir.frontend.unsupported import refuse_autodiff

        raise refuse_autodiff(f"{self.__name__}.grad (a kernel's gradient)")

    def __repr__(self) -> str:
        return f"<qd.kernel {self.__qualname__}>"

    # -- specialisation -----------------------------------------------------------------------

    def _launch(self, args: tuple, kwargs: dict, from_checkpoint):
        if kwargs or self._binds:
            args = self._positional(args, kwargs)
        layouts = array_layouts(args)
        specialization, flat = self._specialization(args, layouts)
        resume_point = 0
        if from_checkpoint is not None:
            resume_point = specialization.slot_of(from_checkpoint)
        try:
            return specialization.run(flat, resume_point)
        except NotContiguous as error:  # inside a compound argument: no strided variant
            raise ValueError(
                f"{error.where}: an array inside a qd.template(), @qd.data_oriented or "
                f"dataclass argument must be C-contiguous (this one has strides "
                f"{error.strides}); views are taken zero-copy as ndarray parameters only: "
                "pass np.ascontiguousarray(x) and read results from that copy"
            ) from None

    def _positional(self, args: tuple, kwargs: dict) -> tuple:
        try:
            bound = inspect.signature(self.fn).bind(*args, **kwargs)
        except TypeError as error:  # Quadrants: a QuadrantsSyntaxError (both catch it)
            raise KernelArgumentError(f"kernel '{self.__name__}': {error}") from None
        bound.apply_defaults()
        return tuple(bound.arguments.values())  # keyword-only ones included, in order

    def _specialization(self, args: tuple, layouts: tuple | None = None) -> tuple:
        """The specialisation for `args` and the arguments its launch takes. `layouts`
        (array_layouts: None when every array is C-contiguous) is part of the key: a strided
        array compiles a variant of its own."""
        if len(args) != len(self._parameters):
            names = ", ".join(p.name for p in self._parameters)
            raise KernelArgumentError(
                f"kernel '{self.__name__}' takes {len(self._parameters)} "
                f"argument(s) ({names}), got {len(args)}"
            )
        self.annotations()
        if self._flattens is None:
            self._flattens = self.takes_apart()
        if self._flattens:
            return self._flat_specialization(args)
        # what varies between specialisations: dtype, ndim and element type where the
        # annotation leaves them
        key = tuple(
            (getattr(a, "dtype", None), getattr(a, "ndim", None), getattr(a, "element_shape", ()))
            for a, open_ in zip(args, self._open_parameters())
            if open_
        )
        if layouts is not None:
            key += (layouts,)
        found = self._specializations.get(key)
        if found is not None:
            return found, args
        with self._lock:
            found = self._specializations.get(key)
            if found is None:
                from qdmlir.frontend.specialization import build_specialization

                specs = [
                    self._arg_spec(p, a, i, layouts[i] if layouts else CONTIGUOUS)
                    for i, (p, a) in enumerate(zip(self._parameters, args))
                ]
                specs = abi.with_hidden(specs, self.hidden_specs(config.current()))
                found = build_specialization(self, specs)
                self._specializations[key] = found
                if not any(self._open_parameters()) and not self._binds and layouts is None:
                    self._only = found
                    if getattr(found, "call", None) is not None:
                        # calls now go straight to the launcher's generated function
                        self.__class__ = _steady_kernel_class(found.call)
        return found, args

    def annotations(self) -> list:
        """Each parameter's resolved annotation (None for a method's instance), resolved at
        the first call, where an error can name the parameter."""
        if self._annotations is None:
            self._annotations = [
                None if i == 0 and self.is_method else resolve_annotation(self, p)
                for i, p in enumerate(self._parameters)
            ]
        return self._annotations

    def takes_apart(self) -> bool:
        """Whether calls go through frontend/flatten.py: a method, a qd.template() or dataclass
        parameter, an ndarray clamped at its boundary (the layout carries that to the
        compiler), or a qd.field the kernel reaches through a global."""
        from qdmlir.frontend.flatten import uses_free_fields

        if self.is_method or any(
            isinstance(a, (Template, type)) or getattr(a, "boundary", "unsafe") != "unsafe"
            for a in self.annotations()
        ):
            return True
        return uses_free_fields(self)

    def _flat_specialization(self, args: tuple) -> tuple:
        """The specialisation for a call taken apart, and its flattened arguments. The ones
        used last are tried first, each through its generated matcher (a few microseconds);
        only a call none of them fits is walked again (frontend/flatten.py)."""
        for matcher, found in self._recent:
            flat = matcher(args)
            if flat is not None:
                if found is not self._steady and found.call is not None:
                    self._install(found)
                return found, flat
        from qdmlir.frontend.flatten import flatten

        layout = flatten(self, args)
        key = layout.key()
        found = self._specializations.get(key)
        if found is None:
            with self._lock:
                found = self._specializations.get(key)
                if found is None:
                    from qdmlir.frontend.specialization import build_specialization

                    specs = abi.with_hidden(layout.specs(), self.hidden_specs(config.current()))
                    found = build_specialization(self, specs, layout=layout)
                    self._specializations[key] = found
        self._recent = [(layout.matcher(), found), *self._recent[: _RECENT - 1]]
        if found is not self._steady and found.call is not None:
            self._install(found)
        return found, layout.values

    def _install(self, specialization) -> None:
        """Make `specialization`'s generated call the steady call (the latest one wins)."""
        self._steady = specialization
        if self.is_method:
            if self._bound_class is not None:
                self._bound_class.__call__ = specialization.call
        else:
            self.__class__ = _steady_kernel_class(specialization.call)

    def hidden_specs(self, cfg: config.Config) -> list[ArgSpec]:
        """The hidden arguments (runtime/abi.py) known before compiling: the result of a kernel
        annotated `-> qd.<type>`, and the debug record of a CPU kernel under debug=True (the
        print buffer is added by the lowering, at the first print())."""
        hidden = []
        dtype = return_dtype(self)
        if isinstance(dtype, MatrixType):  # `-> qd.math.vec3`
            hidden.append(abi.RESULT.spec(dtype.dtype.name, dtype.shape))
        elif dtype is not None:
            hidden.append(abi.RESULT.spec(dtype.name))
        if cfg.debug and cfg.arch.target == "cpu":
            hidden.append(abi.DEBUG.spec())
        return hidden

    def _open_parameters(self) -> list[bool]:
        """Per parameter: does its annotation leave dtype, ndim or element type to the
        argument? (A numpy array brings its own dtype to a vector / matrix element type, as in
        Quadrants, so such a parameter follows the argument too.)"""
        return [
            isinstance(a, NdarrayType)
            and (a.dtype is None or a.ndim is None or isinstance(a.dtype, MatrixType))
            for a in self._annotations
        ]

    def _arg_spec(
        self, parameter: inspect.Parameter, value: Any, position: int, layout: str
    ) -> ArgSpec:
        annotation = self._annotations[position]
        where = f"kernel '{self.__name__}' argument {position} ('{parameter.name}')"
        if isinstance(annotation, NdarrayType):
            spec = ndarray_spec(parameter.name, annotation, value, where)
            if layout == CONTIGUOUS or not (spec.ndim or spec.element_shape):
                return spec  # a 0-d array of scalars has no strides
            return dataclasses.replace(spec, layout=layout)
        if isinstance(annotation, MatrixType):  # a vector / matrix passed by value
            return ArgSpec(parameter.name, "matrix", annotation.dtype.name, 0, annotation.shape)
        return ArgSpec(parameter.name, "scalar", annotation.name, 0)

    def _forget(self) -> None:
        with self._lock:
            self._specializations.clear()
            self._only = None
            self._steady = None
            self._recent = []
            self._flattens = None
            self.__class__ = Kernel
            if self._bound_class is not None and "__call__" in self._bound_class.__dict__:
                del self._bound_class.__call__
            self._annotations = None


class BoundKernel:
    """`obj.step` for a kernel method of a `@qd.data_oriented` class: calls and resumes the
    kernel with `obj` first. Each kernel has its own subclass, whose `__call__` becomes the
    generated steady call of its latest specialisation (runtime/cpu.py)."""

    __slots__ = ("kernel", "instance")

    def __init__(self, kernel: Kernel, instance):
        self.kernel = kernel
        self.instance = instance

    def __call__(self, *args, **kwargs):
        return self.kernel._launch((self.instance, *args), kwargs, None)

    def resume(self, *args, from_checkpoint, **kwargs):
        return self.kernel.resume(self.instance, *args, from_checkpoint=from_checkpoint, **kwargs)

    @property
    def __name__(self) -> str:
        return self.kernel.__name__

    def __reduce__(self):
        # it sits in the instance's __dict__: copying or pickling the instance binds afresh
        return (getattr, (self.instance, self.kernel._attribute))

    def __repr__(self) -> str:
        return f"<bound qd.kernel {self.kernel.__qualname__} of {type(self.instance).__name__}>"


def _bound_general_call(bound: BoundKernel, *args, **kwargs):
    """The general path of a bound call (what a generated steady call falls back to)."""
    return bound.kernel._launch((bound.instance, *args), kwargs, None)


def _steady_kernel_class(call) -> type:
    """A subclass of Kernel whose `__call__` is the specialisation's generated launch: the
    steady call of a fully annotated kernel costs the one frame Python makes for calling it
    (runtime/cpu.py `calling`). `_forget` puts the kernel back to the plain class. Made once
    per generated function: a kernel alternating between two specialisations reuses them."""
    made = _STEADY_CLASSES.get(call)
    if made is None:
        made = type("Kernel", (Kernel,), {"__call__": call, "__module__": Kernel.__module__})
        _STEADY_CLASSES[call] = made
    return made


_STEADY_CLASSES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_RECENT = 8  # matchers a flattened kernel keeps: the specialisations it alternates between


def resolve_annotation(kernel: Kernel, parameter: inspect.Parameter):
    """The parameter's annotation as an NdarrayType, a DType, a Template or a dataclass type;
    a located error otherwise."""
    reserved = abi.reserved_name_problem(parameter.name)  # a hidden argument's name
    if reserved is not None:
        raise _annotation_error(kernel, parameter, reserved)
    annotation = parameter.annotation
    if isinstance(annotation, str):
        try:
            annotation = eval(annotation, kernel.fn.__globals__)  # noqa: S307 - user annotation
        except Exception as error:  # noqa: BLE001
            raise _annotation_error(
                kernel, parameter, f"its annotation does not evaluate: {error}"
            ) from None
    if annotation is inspect.Parameter.empty:
        raise _annotation_error(kernel, parameter, "it has no type annotation")
    if annotation is template or annotation is Template or isinstance(annotation, Template):
        return Template()
    if annotation is NdarrayType:  # bare `qd.types.NDArray`: dtype and ndim from the argument
        return NdarrayType()
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return annotation
    if isinstance(annotation, NdarrayType):
        if annotation.dtype is not None and not isinstance(annotation.dtype, MatrixType):
            _refuse_unsupported(kernel, parameter, annotation.dtype)
            try:
                dtypes.as_dtype(annotation.dtype)
            except KeyError as error:
                raise _annotation_error(kernel, parameter, str(error.args[0])) from None
        return annotation
    if isinstance(annotation, MatrixType):  # a vector or matrix passed by value
        if annotation.is_open:
            raise _annotation_error(
                kernel, parameter, f"{annotation.to_string()} leaves its size or dtype open"
            )
        return annotation
    _refuse_unsupported(kernel, parameter, annotation)
    try:
        return default_type(annotation)
    except (KeyError, TypeError):
        raise _annotation_error(
            kernel, parameter, f"`{annotation!r}` is not a parameter type qdmlir supports"
        ) from None


def default_type(annotation) -> dtypes.DType:
    """A scalar annotation's DType: Python's `int` / `float` are qd.init's default types (as
    in Quadrants: `x: int` is an i64 under `default_ip=qd.i64`), any other spelling as named."""
    if annotation is int or annotation is float:
        defaults = config.current().defaults
        return defaults.ip if annotation is int else defaults.fp
    return dtypes.as_dtype(annotation)


def _refuse_unsupported(kernel: Kernel, parameter: inspect.Parameter, value: Any) -> None:
    """A vector / matrix type where a scalar type is expected: say so at the parameter."""
    refusal = getattr(value, "refusal_in_kernel", None)
    if refusal is not None:
        reason, fix = refusal()
        raise _annotation_error(kernel, parameter, reason, fix)


def return_dtype(kernel: Kernel):
    """The kernel's `-> qd.<type>` annotation as a DType, None without one."""
    annotation = inspect.signature(kernel.fn).return_annotation
    if annotation is inspect.Signature.empty or annotation is None:
        return None
    if isinstance(annotation, str):
        annotation = eval(annotation, kernel.fn.__globals__)  # noqa: S307 - user annotation
    if isinstance(annotation, MatrixType) and not annotation.is_open:
        return annotation
    try:
        return default_type(annotation)
    except (KeyError, TypeError):
        from qdmlir.frontend.source import function_source

        source = function_source(kernel.fn)
        raise QuadrantsSyntaxError(
            f"kernel '{kernel.__name__}' returns `{annotation!r}`, which is not a scalar type",
            kernel=kernel.__name__,
            span=source.span(source.tree.returns or source.tree),
            fix="annotate the result with a scalar type such as -> qd.f32",
        ) from None


def _annotation_error(
    kernel: Kernel, parameter: inspect.Parameter, why: str, fix: str | None = None
):
    from qdmlir.frontend.source import function_source

    source = function_source(kernel.fn)
    node = next((a for a in source.tree.args.args if a.arg == parameter.name), source.tree)
    return QuadrantsSyntaxError(
        f"parameter '{parameter.name}' of kernel '{kernel.__name__}' cannot be compiled: {why}",
        kernel=kernel.__name__,
        span=source.span(node),
        fix=fix
        or "annotate it with qd.types.ndarray(dtype, ndim), a scalar type such as qd.i32, "
        "qd.template(), or a dataclass type",
    )


def array_layouts(args: tuple) -> tuple | None:
    """Per argument, STRIDED for an array that is not C-contiguous (a view, Fortran order; a
    DLPack tensor seen through numpy), else CONTIGUOUS; None when nothing is strided, the
    common case, whose specialisation key stays that of the steady path. GPU targets take
    C-contiguous arrays only and refuse others themselves (runtime/gpu_launcher.py)."""
    if config.current().arch.target != "cpu":
        return None
    layouts = None
    for position, value in enumerate(args):
        if isinstance(value, np.ndarray):
            if value.flags.c_contiguous:
                continue
        elif hasattr(value, "__dlpack__") and not hasattr(value, "_words"):
            try:
                if np.from_dlpack(value).flags.c_contiguous:
                    continue
            except Exception:  # noqa: BLE001 - the packer says what is wrong with it
                continue
        else:
            continue
        layouts = layouts or [CONTIGUOUS] * len(args)
        layouts[position] = STRIDED
    return tuple(layouts) if layouts else None


def is_array(value: Any) -> bool:
    """An ndarray argument: a qd.ndarray (host or device), a numpy array, or any array object
    with a shape and a dtype (a qd.field is not one: it is taken apart, frontend/flatten.py)."""
    from qdmlir.runtime.field import Field
    from qdmlir.runtime.ndarray import Ndarray

    return isinstance(value, Ndarray) or (
        hasattr(value, "shape")
        and hasattr(value, "dtype")
        and not isinstance(value, (np.generic, Field))
    )


def ndarray_spec(name: str, annotation, value: Any, where: str) -> ArgSpec:
    """The ArgSpec of an ndarray parameter: what the annotation gives, the rest (dtype, ndim,
    the element's type) from the argument. A numpy array's last axes are the element's when
    the annotation names a vector or matrix type (`(n, 3)` for `qd.math.vec3`), and its
    dtype is used, as Quadrants does."""
    dtype, ndim = getattr(annotation, "dtype", None), getattr(annotation, "ndim", None)
    wanted = dtype if isinstance(dtype, MatrixType) else None
    if wanted is None and dtype is not None and ndim is not None:
        shape = getattr(value, "shape", None)
        if shape is not None and len(shape) != ndim:  # before compiling, as Quadrants checks
            raise ndim_mismatch(where, name, ndim, shape)
        return ArgSpec(name, "ndarray", dtypes.as_dtype(dtype).name, ndim)
    actual, actual_ndim = array_type(value, where)
    element = tuple(getattr(value, "element_shape", ()))
    if wanted is None:
        if dtype is not None:
            element = ()  # a scalar ndarray; the launch names a vector argument's mismatch
        dtype = actual if dtype is None else dtypes.as_dtype(dtype)
    elif not isinstance(value, np.ndarray):
        if not wanted.matches(element, actual):
            raise ValueError(
                f"{where}: Invalid value for argument {name} - required element type: "
                f"{wanted.to_string()}, but {element_type_string(element, actual)} is provided"
            )
        dtype = actual
    else:  # a numpy array: its last axes are the element
        if None in wanted.shape:
            raise TypeError(
                f"{where}: a numpy array does not say which of its axes make an element for "
                f"{wanted.to_string()}; pass a qd.ndarray of vectors or matrices, or annotate "
                "the parameter with a concrete type such as qd.math.vec3"
            )
        dtype, element = actual, wanted.shape
        actual_ndim -= len(element)
    if ndim is not None and actual_ndim != ndim:
        raise ndim_mismatch(where, name, ndim, tuple(value.shape)[:actual_ndim])
    return ArgSpec(name, "ndarray", dtype.name, actual_ndim if ndim is None else ndim, element)


def array_type(value: Any, where: str) -> tuple[dtypes.DType, int]:
    """The dtype and ndim of an ndarray argument; a TypeError naming `where` otherwise."""
    from qdmlir.runtime.ndarray import Ndarray

    if isinstance(value, Ndarray) or isinstance(getattr(value, "dtype", None), dtypes.DType):
        return value.dtype, value.ndim
    if not isinstance(value, np.ndarray) and hasattr(value, "__dlpack__"):
        try:  # a host DLPack tensor (torch, JAX, ...): its dtype as numpy names it
            value = np.from_dlpack(value)
        except Exception:  # noqa: BLE001 - a device tensor: described by its own attributes
            pass
    dtype = getattr(value, "dtype", None)
    shape = getattr(value, "shape", None)
    if dtype is None or shape is None or isinstance(value, (int, float, enum.Enum)):
        raise QuadrantsRuntimeTypeError(
            f"{where}: expected an ndarray (qd.ndarray or numpy.ndarray), got "
            f"{type(value).__name__}"
        )
    try:
        return dtypes.from_numpy(dtype), len(shape)
    except KeyError as error:
        raise TypeError(f"{where}: {error.args[0]}") from None
