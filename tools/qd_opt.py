"""qd-opt: parse, verify, transform and print checkpoint IR, with mlir-opt's habits.

Built on xDSL's `xDSLOptMain`; what it adds is what lit tests written the MLIR way rely on:
`--pass-pipeline` (also `builtin.module(...)`), `--print-ir-after-all` (to stderr, every pass,
MLIR's banner), `--timing` (a report on stderr), locations on every parsed op, and a
`--verify-diagnostics` that matches `// expected-error {{...}}` annotations (see
`qdmlir.tools.verify_diagnostics`). Bad input is one `error:` line and exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from io import BytesIO
from typing import IO

from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException, ParseError
from xdsl.xdsl_opt_main import xDSLOptMain

from qdmlir.dialects import get_all_dialects
from qdmlir.passes import get_all_passes
from qdmlir.passes.pipeline import PipelineObserver, build_pipeline, print_timing_report
from qdmlir.tools.qd_opt_parser import LocatingParser
from qdmlir.tools.verify_diagnostics import (
    Diagnostic,
    diagnostics_from_exception,
    parse_expectations,
    verify_expectations,
)


def _strip_pipeline_anchor(spec: str) -> str:
    """`builtin.module(a,b{x=1})` -> `a,b{x=1}`; a plain `a,b` is returned as is."""
    spec = spec.strip()
    for anchor in ("builtin.module(", "any("):
        if spec.startswith(anchor) and spec.endswith(")"):
            spec = spec[len(anchor) : -1].strip()
            break
    if "(" in spec.split("{")[0]:
        raise ValueError(
            f"pass pipeline '{spec}' nests passes under an op; qd-opt runs module passes, "
            "so write them as a flat list: -p 'pass-a,pass-b'"
        )
    return spec


class QdOptMain(xDSLOptMain):
    """The qd-opt driver; see the module docstring for what it adds to xDSL's."""

    def __init__(self, args: Sequence[str] | None = None):
        self._printed_a_chunk = False
        self._chunk_offset = 0
        super().__init__(description="qdmlir's modular optimizer driver", args=args)

    def register_all_dialects(self) -> None:
        for name, factory in get_all_dialects().items():
            self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        for name, factory in get_all_passes().items():
            self.register_pass(name, factory)

    def register_all_frontends(self) -> None:
        super().register_all_frontends()
        self.available_frontends["mlir"] = self._parse_located

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "--pass-pipeline",
            dest="passes",
            help="same as -p; also accepts mlir-opt's 'builtin.module(a,b)' form",
        )
        arg_parser.add_argument(
            "--print-ir-after-all",
            action="store_true",
            help="print the IR after every pass to stderr, as mlir-opt does",
        )
        arg_parser.add_argument(
            "--timing", action="store_true", help="print a per-pass timing report to stderr"
        )
        arg_parser.add_argument(
            "--mlir-print-debuginfo",
            dest="print_debuginfo",
            action="store_true",
            help="same as --print-debuginfo: print op locations",
        )

    # -- pipeline ------------------------------------------------------------------------

    def setup_pipeline(self) -> None:
        """The compiler's pipeline object and observer, verifying the parsed input and the
        output of every pass, as mlir-opt does."""
        spec = _strip_pipeline_anchor(self.args.passes or "")
        names = [name for name in _pass_names(spec) if name not in self.available_passes]
        if names:
            known = ", ".join(sorted(self.available_passes))
            raise ValueError(f"unknown pass '{names[0]}' (available: {known})")
        self.observer = PipelineObserver(
            verify_each=not self.args.disable_verify,
            print_ir_after_all=self.args.print_ir_after_all or self.args.print_between_passes,
            stream=sys.stderr,
        )
        self.pipeline = build_pipeline(spec, self.observer)

    # -- parsing -------------------------------------------------------------------------

    def prepare_input(self) -> tuple[list[tuple[IO[bytes], int]], str]:
        """Split on lines that are exactly `// -----`, as mlir-opt does (xDSL splits on the
        marker anywhere, even inside a comment that mentions it)."""
        if not self.args.split_input_file:
            return super().prepare_input()
        stream, file_extension = self.get_input_stream()
        lines = stream.read().splitlines(keepends=True)
        stream.close()
        chunks: list[tuple[IO[bytes], int]] = []
        start = 0
        for index, line in enumerate([*lines, b"// -----\n"]):
            if line.rstrip() == b"// -----":
                chunks.append((BytesIO(b"".join(lines[start:index])), start))
                start = index + 1
        return chunks, self.args.frontend or file_extension

    def _parse_located(self, chunk: IO[bytes]) -> ModuleOp:
        text = chunk.read().decode("utf-8")
        parser = LocatingParser(self.ctx, text, self.get_input_name(), self._chunk_offset)
        return parser.parse_module(not self.args.no_implicit_module)

    # -- the driver loop -----------------------------------------------------------------

    def run(self) -> int:
        chunks, file_extension = self.prepare_input()
        output = self.prepare_output()
        failures: list[str] = []
        started = time.perf_counter()
        try:
            for index, (chunk, offset) in enumerate(chunks):
                text = chunk.read()
                chunk.close()
                failures += self._run_chunk(index, text, offset, file_extension, output)
        finally:
            if output is not sys.stdout:
                output.close()
        if self.args.timing or self.args.time_passes:
            total = time.perf_counter() - started
            print_timing_report(self.observer.timings, total, sys.stderr)
        for line in failures:
            print(line, file=sys.stderr)
        return 1 if failures else 0

    def _run_chunk(
        self, index: int, text: bytes, offset: int, file_extension: str, output: IO[str]
    ) -> list[str]:
        """Parse, transform and print one `// -----` chunk; return its error lines."""
        module: ModuleOp | None = None
        diagnostics: list[Diagnostic] = []
        self._chunk_offset = offset
        try:
            module = self.available_frontends[file_extension](BytesIO(text))
            self.apply_passes(module)
            if self._printed_a_chunk:
                output.write("// -----\n")
            self._printed_a_chunk = True
            output.write(self.output_resulting_program(module))
            output.flush()
        except (ParseError, DiagnosticException) as error:
            diagnostics = diagnostics_from_exception(error, module, offset, self.get_input_name())
        if not self.args.verify_diagnostics:
            return [str(d) for d in diagnostics[:1]]
        expectations = parse_expectations(text.decode("utf-8"), offset)
        return verify_expectations(expectations, diagnostics, self.get_input_name())


def _pass_names(spec: str) -> list[str]:
    from xdsl.utils.arg_spec import parse_pipeline
    from xdsl.utils.exceptions import ArgSpecParseError

    try:
        return [p.name for p in parse_pipeline(spec)]
    except ArgSpecParseError as error:  # a BaseException in xDSL 0.74: turn it into an error
        detail = str(error).strip().splitlines()[-1].strip()
        raise ValueError(f"bad pass pipeline '{spec}': {detail}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `qd-opt` console script."""
    try:
        return QdOptMain(argv).run()
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # one line for the user; QD_DEBUG=1 shows the traceback
        if os.environ.get("QD_DEBUG"):
            raise
        print(f"qd-opt: error: {_one_line(error)}", file=sys.stderr)
        return 1


def _one_line(error: Exception) -> str:
    if isinstance(error, OSError) and error.filename:
        return f"cannot open '{error.filename}': {error.strerror}"
    if isinstance(error, ParseError):
        loc = error.span.get_location()
        return f"{loc.name}:{loc.line}:{loc.col}: {error.msg}"
    text = str(error).strip().splitlines()
    message = text[0] if text else type(error).__name__
    if isinstance(error, NotImplementedError):  # xDSL's own limits, e.g. printing i99999
        return f"not supported by xDSL: {message}"
    return (
        message
        if isinstance(error, (ValueError, DiagnosticException))
        else (
            f"internal error ({type(error).__name__}: {message}); rerun with QD_DEBUG=1 for the "
            "traceback and report it"
        )
    )


if __name__ == "__main__":
    sys.exit(main())
