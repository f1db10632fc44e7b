"""`@qd.kernel` and `@qd.func`: what a decorated function becomes, and how a call runs.

A kernel compiles lazily, once per signature (the dtype and ndim of each argument), into an
artifact that the runtime launches; a warm on-disk cache loads without the compiler. The steady
call of a fully annotated kernel is one launcher call plus a list lookup for the status.
"""

from __future__ import annotations

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
from qdmlir.runtime.artifact import ArgSpec

_KERNELS: weakref.WeakSet = weakref.WeakSet()


def forget_compiled_kernels() -> None:
    """Drop every kernel's loaded specialisations (after `qd.init` changes the target)."""
    for kernel in list(_KERNELS):
        kernel._forget()


class QdFunc:
    """A `@qd.func`: inlined into the kernels that call it."""

    def __init__(self, fn):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            f"qd.func '{self.__name__}' can only be called from a kernel or another qd.func"
        )


def func(fn=None, *, is_real_function: bool = False, requires_top_level: bool = False):
    """Mark a function as callable from kernels (bare `@qd.func` or `@qd.func(...)`)."""
    if fn is None:
        return lambda f: func(
            f, is_real_function=is_real_function, requires_top_level=requires_top_level
        )
    return QdFunc(fn)


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
    from a checkpoint."""

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
        self._lock = threading.RLock()
        _KERNELS.add(self)

    def __call__(self, *args, **kwargs):
        only = self._only
        if only is not None and not kwargs:
            return only.run(args, 0)
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
            return only.run(args, only.slot_of(from_checkpoint))
        return self._launch(args, kwargs, from_checkpoint)

    def __get__(self, instance, owner):
        return self if instance is None else functools.partial(self.__call__, instance)

    def __repr__(self) -> str:
        return f"<qd.kernel {self.__qualname__}>"

    # -- specialisation -----------------------------------------------------------------------

    def _launch(self, args: tuple, kwargs: dict, from_checkpoint):
        if kwargs or self._binds:
            args = self._positional(args, kwargs)
        specialization = self._specialization(args)
        resume_point = 0
        if from_checkpoint is not None:
            resume_point = specialization.slot_of(from_checkpoint)
        return specialization.run(args, resume_point)

    def _positional(self, args: tuple, kwargs: dict) -> tuple:
        try:
            bound = inspect.signature(self.fn).bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"kernel '{self.__name__}': {error}") from None
        bound.apply_defaults()
        return tuple(bound.arguments.values())  # keyword-only ones included, in order

    def _specialization(self, args: tuple):
        if len(args) != len(self._parameters):
            names = ", ".join(p.name for p in self._parameters)
            raise TypeError(
                f"kernel '{self.__name__}' takes {len(self._parameters)} "
                f"argument(s) ({names}), got {len(args)}"
            )
        if self._annotations is None:
            self._annotations = [resolve_annotation(self, p) for p in self._parameters]
        # what varies between specialisations: dtype and ndim where the annotation leaves
        # them, and the values of qd.template() numbers
        key = tuple(
            self._signature_of(a, i)
            for i, (a, open_) in enumerate(zip(args, self._open_parameters()))
            if open_
        )
        found = self._specializations.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._specializations.get(key)
            if found is None:
                from qdmlir.frontend.specialization import build_specialization

                constants = {
                    p.name: a
                    for i, (p, a) in enumerate(zip(self._parameters, args))
                    if self._is_constant(i, a)
                }
                specs = [
                    self._arg_spec(p, a, i)
                    for i, (p, a) in enumerate(zip(self._parameters, args))
                    if p.name not in constants
                ]
                specs = abi.with_hidden(specs, self.hidden_specs(config.current()))
                found = build_specialization(self, specs, constants)
                self._specializations[key] = found
                if not any(self._open_parameters()) and not self._binds:
                    self._only = found
                    if getattr(found, "call", None) is not None:
                        # calls now go straight to the launcher's generated function
                        self.__class__ = _steady_kernel_class(found.call)
        return found

    def hidden_specs(self, cfg: config.Config) -> list[ArgSpec]:
        """The hidden arguments (runtime/abi.py) known before compiling: the result of a kernel
        annotated `-> qd.<type>`, and the debug record of a CPU kernel under debug=True (the
        print buffer is added by the lowering, at the first print())."""
        hidden = []
        dtype = return_dtype(self)
        if dtype is not None:
            hidden.append(abi.RESULT.spec(dtype.name))
        if cfg.debug and cfg.arch.target == "cpu":
            hidden.append(abi.DEBUG.spec())
        return hidden

    def _open_parameters(self) -> list[bool]:
        """Per parameter: does its annotation leave dtype, ndim or value to the argument?"""
        return [
            isinstance(a, Template)
            or isinstance(a, NdarrayType)
            and (a.dtype is None or a.ndim is None)
            for a in self._annotations
        ]

    def _is_constant(self, position: int, value: Any) -> bool:
        """A qd.template() argument that is not an array: a compile-time constant."""
        return isinstance(self._annotations[position], Template) and not _is_array(value)

    def _signature_of(self, value: Any, position: int) -> tuple:
        if not self._is_constant(position, value):
            return (getattr(value, "dtype", None), getattr(value, "ndim", None))
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, (bool, int, float)):
            parameter = self._parameters[position]
            raise TypeError(
                f"kernel '{self.__name__}' argument {position} "
                f"('{parameter.name}'): a qd.template() argument must be a number, "
                f"a bool, an IntEnum member or an ndarray, got "
                f"{type(value).__name__}"
            )
        return (type(value), value)

    def _arg_spec(self, parameter: inspect.Parameter, value: Any, position: int) -> ArgSpec:
        annotation = self._annotations[position]
        where = f"kernel '{self.__name__}' argument {position} ('{parameter.name}')"
        if isinstance(annotation, (NdarrayType, Template)):
            dtype, ndim = getattr(annotation, "dtype", None), getattr(annotation, "ndim", None)
            if dtype is None or ndim is None:
                actual = _array_type(value, where)
                dtype = actual[0] if dtype is None else dtype
                ndim = actual[1] if ndim is None else ndim
            return ArgSpec(parameter.name, "ndarray", dtypes.as_dtype(dtype).name, ndim)
        return ArgSpec(parameter.name, "scalar", annotation.name, 0)

    def _forget(self) -> None:
        with self._lock:
            self._specializations.clear()
            self._only = None
            self.__class__ = Kernel
            self._annotations = None


def _steady_kernel_class(call) -> type:
    """A subclass of Kernel whose `__call__` is the specialisation's generated launch: the
    steady call of a fully annotated kernel costs the one frame Python makes for calling it
    (runtime/cpu.py `calling`). `_forget` puts the kernel back to the plain class."""
    return type("Kernel", (Kernel,), {"__call__": call, "__module__": Kernel.__module__})


def resolve_annotation(kernel: Kernel, parameter: inspect.Parameter):
    """The parameter's annotation as an NdarrayType or a DType; a located error otherwise."""
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
    if annotation is template or isinstance(annotation, Template):
        return Template()
    if isinstance(annotation, NdarrayType):
        if annotation.dtype is not None:
            try:
                dtypes.as_dtype(annotation.dtype)
            except KeyError as error:
                raise _annotation_error(kernel, parameter, str(error.args[0])) from None
        return annotation
    try:
        return dtypes.as_dtype(annotation)
    except (KeyError, TypeError):
        raise _annotation_error(
            kernel, parameter, f"`{annotation!r}` is not a parameter type qdmlir supports"
        ) from None


def return_dtype(kernel: Kernel):
    """The kernel's `-> qd.<type>` annotation as a DType, None without one."""
    annotation = inspect.signature(kernel.fn).return_annotation
    if annotation is inspect.Signature.empty or annotation is None:
        return None
    if isinstance(annotation, str):
        annotation = eval(annotation, kernel.fn.__globals__)  # noqa: S307 - user annotation
    try:
        return dtypes.as_dtype(annotation)
    except (KeyError, TypeError):
        from qdmlir.frontend.source import function_source

        source = function_source(kernel.fn)
        raise QuadrantsSyntaxError(
            f"kernel '{kernel.__name__}' returns `{annotation!r}`, which is not a scalar type",
            kernel=kernel.__name__,
            span=source.span(source.tree.returns or source.tree),
            fix="annotate the result with a scalar type such as -> qd.f32",
        ) from None


def _annotation_error(kernel: Kernel, parameter: inspect.Parameter, why: str):
    from qdmlir.frontend.source import function_source

    source = function_source(kernel.fn)
    node = next((a for a in source.tree.args.args if a.arg == parameter.name), source.tree)
    return QuadrantsSyntaxError(
        f"parameter '{parameter.name}' of kernel '{kernel.__name__}' cannot be compiled: {why}",
        kernel=kernel.__name__,
        span=source.span(node),
        fix="annotate it with qd.types.ndarray(dtype, ndim), a scalar type such as qd.i32, or "
        "qd.template()",
    )


def _is_array(value: Any) -> bool:
    from qdmlir.runtime.ndarray import Ndarray

    return isinstance(value, Ndarray) or (
        hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, np.generic)
    )


def _array_type(value: Any, where: str) -> tuple[dtypes.DType, int]:
    from qdmlir.runtime.ndarray import Ndarray

    if isinstance(value, Ndarray):
        return value.dtype, value.ndim
    dtype = getattr(value, "dtype", None)
    shape = getattr(value, "shape", None)
    if dtype is None or shape is None or isinstance(value, (int, float, enum.Enum)):
        raise TypeError(
            f"{where}: expected an ndarray (qd.ndarray or numpy.ndarray), got "
            f"{type(value).__name__}"
        )
    try:
        return dtypes.from_numpy(dtype), len(shape)
    except KeyError as error:
        raise TypeError(f"{where}: {error.args[0]}") from None
