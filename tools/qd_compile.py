"""qd-compile: a Python kernel file to IR at any stage, or to an artifact (docs/architecture.md).

    qd-compile model.py --kernel step --emit kernel-ir
    qd-compile model.py --kernel step --emit upstream-ir --target cpu
    qd-compile model.py --kernel step --emit artifact -o build/step
    qd-compile model.py --kernel step --target cuda --arch sm_90 --emit ptx
    qd-compile model.py --kernel step --target rocm --arch gfx90a --emit hsaco -o step.hsaco

It drives the same `Compilation` that `@qd.kernel` uses on a cache miss. Parameters annotated
without dtype or ndim take them from `--arg name=f32:2`; a `qd.template()` parameter takes an
ndarray type the same way, or a compile-time value: `--arg n=4`, `--arg mode=Mode.ADD`
(evaluated in the kernel's module).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

STAGES = ("kernel-ir", "lowered-ir", "upstream-ir", "llvm-ir", "ptx", "cubin", "hsaco", "artifact")
CUDA_ONLY = ("ptx", "cubin")
ROCM_ONLY = ("hsaco",)
TARGETS = ("cpu", "cuda", "rocm")


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qd-compile", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="the Python file that defines the kernel")
    parser.add_argument("--kernel", required=True, help="name of the @qd.kernel in the file")
    parser.add_argument("--emit", choices=STAGES, default="kernel-ir", help="what to produce")
    parser.add_argument("--target", choices=TARGETS, default="cpu")
    parser.add_argument(
        "--arch", help="GPU architecture: sm_80, sm_90 (cuda); gfx90a, gfx942 (rocm)"
    )
    parser.add_argument("-o", "--output", help="output file (artifact: output folder)")
    parser.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="NAME=DTYPE[:NDIM]",
        help="the type of a parameter annotated without one, e.g. x=f32:2, or "
        "the value of a qd.template() number, e.g. n=4",
    )
    parser.add_argument(
        "--print-ir-after-all",
        action="store_true",
        help="print the IR after every pass of the default pipeline to stderr",
    )
    parser.add_argument(
        "--mlir-print-debuginfo",
        action="store_true",
        help="print locations (file:line:col of the Python source)",
    )
    parser.add_argument(
        "--timing",
        action="store_true",
        help="print the wall time of every compile stage (frontend, each pass, hand-off, "
        "upstream lowering, LLVM, link) to stderr",
    )
    return parser


def load_kernel(path: str, name: str):
    """Import the file as a module (its `__main__` block does not run) and find the kernel."""
    from qdmlir.frontend.kernel import BoundKernel, Kernel

    file = Path(path)
    if not file.is_file():
        raise UsageError(f"cannot open '{path}': no such file")
    spec = importlib.util.spec_from_file_location(f"qd_compile_{file.stem}", file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(file.parent.resolve()))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    kernel = module
    for part in name.split("."):  # `sim.step`: a kernel method of a module-level object
        kernel = getattr(kernel, part, None)
    if isinstance(kernel, BoundKernel):
        return kernel
    if not isinstance(kernel, Kernel):
        found = sorted(n for n, v in vars(module).items() if isinstance(v, Kernel))
        raise UsageError(
            f"'{path}' has no @qd.kernel named '{name}' (kernels: {', '.join(found) or 'none'}); "
            "a kernel method is named through a module-level object: obj.method"
        )
    return kernel


def kernel_compilation(kernel, overrides: list[str], cfg=None, **options):
    """The Compilation of a kernel (or a bound kernel method) whose parameters' types come from
    their annotations and the `--arg` overrides: taken apart as a call would be (a method, a
    qd.template() or dataclass parameter, a global field), or one ArgSpec per parameter."""
    from qdmlir.frontend.compiler import Compilation

    if hasattr(kernel, "instance") or kernel.takes_apart():
        specs, layout = flattened_specs(kernel, overrides)
        kernel = getattr(kernel, "kernel", kernel)
        return Compilation.for_kernel(kernel, specs, cfg, layout=layout, **options)
    return Compilation.for_kernel(kernel, argument_specs(kernel, overrides), cfg, **options)


def argument_specs(kernel, overrides: list[str]):
    """The ArgSpec of every parameter of a kernel whose arguments are not taken apart, from
    its annotation or an --arg override (`flattened_specs` serves the others)."""
    from qdmlir.frontend.kernel import resolve_annotation
    from qdmlir.frontend.lang import NdarrayType
    from qdmlir.runtime import dtypes
    from qdmlir.runtime.artifact import ArgSpec
    from qdmlir.runtime.matrix_types import MatrixType

    given, texts = {}, {}
    for item in overrides:
        name, _, kind = item.partition("=")
        texts[name] = kind
        dtype, _, ndim = kind.partition(":")
        try:
            given[name] = (dtypes.from_name(dtype), int(ndim) if ndim else None)
        except (KeyError, ValueError):
            given[name] = None  # a mistake, reported below
    specs = []
    for parameter in kernel._parameters:
        annotation = resolve_annotation(kernel, parameter)
        if parameter.name in given and given[parameter.name] is None:
            raise UsageError(
                f"--arg {parameter.name}={texts[parameter.name]}: expected "
                "NAME=DTYPE[:NDIM], e.g. x=f32:2"
            )
        dtype, ndim = given.get(parameter.name, (None, None))
        if isinstance(annotation, MatrixType):  # a vector / matrix parameter
            specs.append(
                ArgSpec(parameter.name, "matrix", annotation.dtype.name, 0, annotation.shape)
            )
            continue
        element = ()
        if isinstance(annotation, NdarrayType) and isinstance(annotation.dtype, MatrixType):
            if annotation.dtype.is_open:
                raise UsageError(
                    f"parameter '{parameter.name}' has an open element type "
                    f"{annotation.dtype.to_string()}; annotate it with a concrete one"
                )
            element = annotation.dtype.shape
            annotation = NdarrayType(annotation.dtype.dtype, annotation.ndim)
        if isinstance(annotation, NdarrayType):
            dtype = dtype or (annotation.dtype and dtypes.as_dtype(annotation.dtype))
            ndim = ndim if ndim is not None else annotation.ndim
            if dtype is None or ndim is None:
                raise UsageError(
                    f"parameter '{parameter.name}' has no fixed dtype/ndim; give "
                    f"it with --arg {parameter.name}=f32:1"
                )
            specs.append(ArgSpec(parameter.name, "ndarray", dtype.name, ndim, element))
        else:
            specs.append(ArgSpec(parameter.name, "scalar", (dtype or annotation).name, 0))
    from qdmlir.frontend import config
    from qdmlir.runtime import abi

    return abi.with_hidden(specs, kernel.hidden_specs(config.current()))


def flattened_specs(kernel, overrides: list[str]):
    """The ArgSpecs and layout of a kernel whose arguments are taken apart (frontend/flatten.py)
    from example arguments: a bound method's object, `--arg name=EXPR` (a qd.template() or
    dataclass argument, evaluated in the kernel's module), `--arg name=f32:1` (an ndarray
    parameter without a fixed type; a zero numpy array of that type stands in)."""
    import numpy as np

    from qdmlir.frontend import config
    from qdmlir.frontend.flatten import flatten
    from qdmlir.frontend.lang import NdarrayType, Template
    from qdmlir.runtime import abi, dtypes

    instance = getattr(kernel, "instance", None)
    kernel = getattr(kernel, "kernel", kernel)
    texts = dict(item.partition("=")[::2] for item in overrides)
    examples = []
    for index, (parameter, annotation) in enumerate(zip(kernel._parameters, kernel.annotations())):
        if index == 0 and kernel.is_method:
            if instance is None:
                raise UsageError(
                    f"'{kernel.__name__}' is a kernel method: name it through a module-level "
                    f"object, --kernel obj.{kernel.__name__}"
                )
            examples.append(instance)
            continue
        text = texts.get(parameter.name)
        dtype, _, ndim = (text or "").partition(":")
        if text is not None and dtype in dtypes._BY_NAME and (ndim or "0").isdigit():
            examples.append(np.zeros((1,) * int(ndim or 0), dtypes.from_name(dtype).np_dtype))
        elif isinstance(annotation, NdarrayType) and text is not None:
            raise UsageError(f"--arg {parameter.name}={text}: expected NAME=DTYPE[:NDIM]")
        elif text is not None:
            try:
                examples.append(eval(text, kernel.fn.__globals__))  # noqa: S307 - the user's text
            except Exception as error:  # noqa: BLE001 - any failure is a usage error
                raise UsageError(f"--arg {parameter.name}={text}: {error}") from None
        elif isinstance(annotation, (NdarrayType, dtypes.DType)):
            examples.append(None)  # a fixed type needs no example
        elif isinstance(annotation, Template):
            raise UsageError(
                f"parameter '{parameter.name}' is a qd.template(): give its value with --arg "
                f"{parameter.name}=4 (a number, or e.g. Mode.ADD) or its type with --arg "
                f"{parameter.name}=f32:1 (an ndarray)"
            )
        else:
            raise UsageError(
                f"parameter '{parameter.name}' needs an example argument: --arg "
                f"{parameter.name}=EXPR (evaluated in the kernel's module)"
            )
    layout = flatten(kernel, tuple(examples))
    return abi.with_hidden(layout.specs(), kernel.hidden_specs(config.current())), layout


def run(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from qdmlir.frontend import config

    started = time.perf_counter()
    _check_target_options(args)
    kernel = load_kernel(args.file, args.kernel)
    compilation = kernel_compilation(
        kernel,
        args.arg,
        config.current(),
        target=args.target,
        arch=args.arch,
        print_ir_after_all=args.print_ir_after_all,
    )
    try:
        return _produce(compilation, args)
    finally:  # a failed compile reports the stages it got through
        if args.timing:
            from qdmlir.passes.pipeline import print_timing_report

            total = time.perf_counter() - started
            print_timing_report(compilation.timings.entries, total, sys.stderr)


def _produce(compilation, args) -> int:
    """Write what --emit asks for; 0 on success."""
    if args.emit == "cubin":
        return _write_cubin(compilation, args.output)
    if args.emit == "hsaco":
        return _write_hsaco(compilation, args.output)
    if args.emit == "artifact":
        if not args.output:
            raise UsageError("--emit artifact needs -o FOLDER")
        folder = Path(args.output)
        folder.mkdir(parents=True, exist_ok=True)
        compilation.write_artifact(folder)
        print(f"wrote {folder / 'manifest.json'}")
        return 0
    text = _emit_text(compilation, args.emit, args.mlir_print_debuginfo)
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def _check_target_options(args) -> None:
    """Reject option mixes before compiling; a bad --arch before LLVM can abort on it."""
    if args.emit in CUDA_ONLY and args.target != "cuda":
        raise UsageError(f"--emit {args.emit} needs --target cuda")
    if args.emit in ROCM_ONLY and args.target != "rocm":
        raise UsageError(f"--emit {args.emit} needs --target rocm")
    if args.emit == "llvm-ir" and args.target == "cuda":
        raise UsageError(
            "--emit llvm-ir is the CPU and ROCm targets' LLVM IR; for cuda use --emit ptx"
        )
    if args.target == "cuda":
        from qdmlir.passes.targets.cuda_arch import CudaArchError, parse_arch

        try:
            parse_arch(args.arch)
        except CudaArchError as error:
            raise UsageError(str(error)) from None
    elif args.target == "rocm":
        _check_rocm_options(args)
    elif args.arch is not None:
        raise UsageError(f"--arch applies to GPU targets, not --target {args.target}")


def _check_rocm_options(args) -> None:
    """The chip first (nothing has run yet); then, for a code object, LLVM 19's tools, so a
    missing toolchain is reported before the compile instead of after it."""
    from qdmlir.passes.targets.rocm_arch import RocmArchError, parse_arch
    from qdmlir.passes.targets.rocm_toolchain import require_tools

    try:
        parse_arch(args.arch)
    except RocmArchError as error:
        raise UsageError(str(error)) from None
    if args.emit in ("hsaco", "artifact"):
        require_tools()


def _write_hsaco(compilation, output: str | None) -> int:
    from qdmlir.passes.targets.rocm import check_linkable
    from qdmlir.passes.targets.rocm_toolchain import build_hsaco

    if not output:
        raise UsageError("--emit hsaco needs -o FILE.hsaco")
    build = compilation.rocm_build()
    check_linkable(build)
    build_hsaco(build.llvm_ir, build.arch.chip, Path(output), build.kernel)
    print(f"wrote {output}")
    return 0


def _write_cubin(compilation, output: str | None) -> int:
    from qdmlir.passes.targets.cuda import assemble_cubin

    if not output:
        raise UsageError("--emit cubin needs -o FILE.cubin")
    build = compilation.cuda_build()
    assemble_cubin(build.ptx, build.arch, Path(output), build.kernel)
    print(f"wrote {output}")
    return 0


def _emit_text(compilation, stage: str, debuginfo: bool) -> str:
    from io import StringIO

    from xdsl.printer import Printer

    if stage in ("kernel-ir", "lowered-ir"):
        module = compilation.kernel_ir() if stage == "kernel-ir" else compilation.lowered_ir()
        out = StringIO()
        Printer(stream=out, print_debuginfo=debuginfo).print_op(module)
        return out.getvalue() + "\n"
    if stage == "ptx":
        return compilation.cuda_build().ptx
    if stage == "llvm-ir" and compilation.target == "rocm":
        return compilation.rocm_build().llvm_ir
    upstream = compilation.upstream_ir()
    if stage == "upstream-ir":
        return upstream.operation.get_asm(enable_debug_info=debuginfo) + "\n"
    from qdmlir.passes.targets.cpu import lower_to_llvm_ir

    return lower_to_llvm_ir(
        upstream,
        compilation.kernel.__name__,
        compilation.args,
        consume=True,
        timings=compilation.timings,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `qd-compile` console script: errors are short, never tracebacks."""
    from qdmlir.frontend.errors import LocatedError

    try:
        return run(argv)
    except LocatedError as error:  # any located compile error: its message is the report
        print(str(error), file=sys.stderr)
        return 1
    except UsageError as error:
        print(f"qd-compile: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - one readable line unless QD_DEBUG is set
        if os.environ.get("QD_DEBUG"):
            raise
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        print(f"qd-compile: error: {type(error).__name__}: {first}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
