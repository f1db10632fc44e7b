"""Runs batches of generated programs on the CPU target and on the reference interpreter.

A batch is written to one module file and imported, as a user's kernels would be. Its kernels
compile in a small process pool into a shared on-disk cache (CPU builds spend half their time
in opt/llc/cc, so two workers keep both cores busy), then this process loads each from the
cache, runs the program's host plan on copies of its arguments with the compiled kernel and
with the interpreter (iterations forwards and backwards), and compares arrays and statuses.
"""

from __future__ import annotations

import collections
import concurrent.futures
import importlib.util
import multiprocessing
import os
import re
import shutil
import sys
import traceback
from pathlib import Path

import numpy as np
from kernel_fuzz import Program, module_source, run_plan, same_status
from reference_interpreter import ReferenceKernel, Unsupported


class Mismatch(AssertionError):
    """The compiled kernel and the reference disagree (or one of them failed)."""


def import_path(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # inspect.getsource finds the kernels through it
    spec.loader.exec_module(module)
    return module


def _worker_init(cache_root: str, test_dir: str, debug: bool) -> None:
    os.environ["QD_CACHE_DIR"] = cache_root
    os.environ["QD_CACHE"] = "1"
    sys.path.insert(0, test_dir)
    from qdmlir.frontend import config

    config._current = config.Config(debug=debug)


def _compile_one(path: str, module_name: str, kernel_name: str, arguments: list) -> str | None:
    """In a worker: compile one kernel into the shared cache; the error text if it fails."""
    try:
        from qdmlir.frontend.kernel import array_layouts

        module = sys.modules.get(module_name) or import_path(Path(path), module_name)
        arguments = tuple(arguments)  # the specialisation the call will use: views are strided
        getattr(module, kernel_name)._specialization(arguments, array_layouts(arguments))
        return None
    except Exception:  # noqa: BLE001 - reported by the parent, which compiles again to raise
        return traceback.format_exc()


class Harness:
    """One per test session: a scratch folder, the cache there and the compile pool."""

    def __init__(self, folder: Path, workers: int = 2, debug: bool = False):
        from qdmlir.runtime import cache

        self.folder = folder
        self.cache_root = folder / "cache"
        self.cache_root.mkdir(parents=True, exist_ok=True)
        self.cache = cache.ArtifactCache(self.cache_root, enabled=True)
        self._saved_cache = cache._DEFAULT
        cache._DEFAULT = self.cache
        self.batches = 0
        self.programs = 0
        self.stats: collections.Counter = collections.Counter()
        self.workers = workers
        self.debug = debug  # compile with qd.init(debug=True): bounds checks must not matter
        self.pool = self._new_pool()

    def _new_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(str(self.cache_root), str(Path(__file__).parent), self.debug),
        )

    def close(self) -> None:
        from qdmlir.runtime import cache

        cache._DEFAULT = self._saved_cache
        self.pool.shutdown(cancel_futures=True)

    def run_batch(self, batch: list[Program]) -> None:
        """Compile and check every program; raise Mismatch on the first that disagrees."""
        self.batches += 1
        name = f"qd_fuzz_batch_{os.getpid()}_{self.batches}"
        path = self.folder / f"{name}.py"
        path.write_text(module_source(batch))
        module = import_path(path, name)
        try:
            # the reference first: a generator bug shows (and shrinks) without compiling
            expected = [reference_run(module, program) for program in batch]
            self._compile(batch, path, name)
            for program, (statuses, arguments) in zip(batch, expected):
                check_compiled(module, program, statuses, arguments)
                self.programs += 1
                self._count(program, statuses)
        finally:
            sys.modules.pop(name, None)
            path.unlink(missing_ok=True)
        if self.batches % 200 == 0:  # a long run: keep the cache folder small (~20 kB each)
            for entry in self.cache_root.iterdir():
                shutil.rmtree(entry, ignore_errors=True)

    def _count(self, program: Program, statuses: list) -> None:
        """Coverage figures, printed at the end: what the programs exercised."""
        text = program.source
        self.stats["lines"] += text.count("\n")
        self.stats["launches"] += len(statuses)
        self.stats["yields"] += sum(1 for s in statuses if s is not None and s.yielded)
        self.stats["resumes"] += sum(
            1
            for step in [program.first, *program.steps[: len(statuses) - 1]]
            if step.action != "call"
        )
        self.stats["with checkpoint"] += "qd.checkpoint(" in text
        self.stats["with do-while"] += "graph.do_while" in text
        self.stats["with nested do-while"] += text.count("graph.do_while") > 1 and any(
            line.startswith("        while qd.graph.do_while") for line in text.splitlines()
        )
        self.stats["with IntEnum label"] += "(IntEnum)" in text
        self.stats["with qd.func"] += "@qd.func" in text
        self.stats["with qd.ndrange"] += "qd.ndrange" in text
        self.stats["with serialized task"] += "qd.loop_config(serialize=True)" in text
        self.stats["with strided arrays"] += any(a.layout != "contiguous" for a in program.args)
        self.stats["with atomics"] += "qd.atomic_" in text or "+= " in text
        self.stats["with vectors"] += "qd.math.vec3(" in text or "qd.Vector(" in text
        self.stats["with a vec3 ndarray"] += ": V3" in text
        self.stats["with a 3x3 product"] += ") @ " in text
        # a `//` or `%` by 0, -1 or an expression (kernel_fuzz.Gen.divisor): non-trapping selects
        self.stats["with zero/-1/runtime divisor"] += (
            re.search(r"(//|%) (0\)|\(-1\)|\()", text) is not None
        )

    def summary(self) -> str:
        figures = ", ".join(f"{key} {value}" for key, value in sorted(self.stats.items()))
        return f"{self.programs} programs in {self.batches} batches ({figures})"

    def _compile(self, batch: list[Program], path: Path, name: str) -> None:
        """Fill the cache in the workers; a compile error shows again when the kernel runs
        here, but a compiler that kills its process is found and reported here."""
        futures = [
            self.pool.submit(_compile_one, str(path), name, p.name, p.arguments()) for p in batch
        ]
        try:
            for future in futures:
                future.result()
            return
        except concurrent.futures.process.BrokenProcessPool:
            self.pool.shutdown(cancel_futures=True)
            self.pool = self._new_pool()
        for program in batch:  # one at a time, to find the program that crashes
            try:
                self.pool.submit(
                    _compile_one, str(path), name, program.name, program.arguments()
                ).result()
            except concurrent.futures.process.BrokenProcessPool:
                self.pool.shutdown(cancel_futures=True)
                self.pool = self._new_pool()
                raise Mismatch(
                    describe(
                        program,
                        "compiling the kernel killed the process "
                        "(an abort or a segfault in the compiler)",
                    )
                ) from None


def check_program(module, program: Program) -> None:
    """Run `program`'s plan compiled and on the reference; raise Mismatch on any difference."""
    statuses, arguments = reference_run(module, program)
    check_compiled(module, program, statuses, arguments)


def _labels(module, program: Program) -> list:
    return [eval(text, vars(module)) for text in program.labels]  # noqa: S307 - our source


def reference_run(module, program: Program) -> tuple[list, list]:
    """The reference's statuses and final arguments, checked to be the same whichever order
    task iterations run in."""
    kernel = getattr(module, program.name)
    labels = _labels(module, program)
    reference_results = []
    for order in ("forward", "reverse"):
        arguments = program.arguments()
        try:
            statuses = run_plan(ReferenceKernel(kernel, order), program, arguments, labels)
        except (Unsupported, IndexError) as error:
            raise Mismatch(
                describe(
                    program,
                    f"the generator left the reference subset: {type(error).__name__}: {error}",
                )
            ) from None
        reference_results.append((statuses, arguments))
    (expected, want), (backwards, other) = reference_results
    if not _same(expected, want, backwards, other):
        raise Mismatch(
            describe(
                program, "the program depends on the order of task iterations (a generator bug)"
            )
        )
    return expected, want


def check_compiled(module, program: Program, expected: list, want: list) -> None:
    """Run the plan on the compiled kernel; raise Mismatch unless it matches the reference."""
    kernel = getattr(module, program.name)
    labels = _labels(module, program)
    arguments = program.arguments()
    try:
        statuses = run_plan(kernel, program, arguments, labels)
    except Exception as error:  # noqa: BLE001 - any failure of the compiled side is the finding
        raise Mismatch(
            describe(program, f"the compiled kernel raised {type(error).__name__}: {error}")
        ) from error
    if not _same(expected, want, statuses, arguments):
        detail = [f"statuses: reference {expected}, compiled {statuses}"]
        for arg, a, b in zip(program.args, want, arguments):
            if not _equal(a, b):
                detail.append(
                    f"{arg.name}: reference {np.asarray(a).tolist()}, "
                    f"compiled {np.asarray(b).tolist()}"
                )
        raise Mismatch(describe(program, "\n".join(detail)))


def _same(statuses_a, args_a, statuses_b, args_b) -> bool:
    return (
        len(statuses_a) == len(statuses_b)
        and all(same_status(a, b) for a, b in zip(statuses_a, statuses_b))
        and all(_equal(a, b) for a, b in zip(args_a, args_b))
    )


def _equal(a, b) -> bool:
    if isinstance(a, np.ndarray):
        same = a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        # a view (kernel_fuzz.laid_out): the elements around it must be untouched too
        if isinstance(a.base, np.ndarray) and isinstance(b.base, np.ndarray):
            same = same and _equal(a.base, b.base)
        return same
    return a == b


def describe(program: Program, why: str) -> str:
    arguments = ", ".join(
        f"{a.name}={a.initial!r}" + (f" ({a.layout})" if a.layout != "contiguous" else "")
        for a in program.args
    )
    plan = "\n".join(f"  {step}" for step in [program.first, *program.steps])
    return (
        f"{why}\n--- kernel {program.name} ---\n{program.source}\narguments: {arguments}\n"
        f"plan:\n{plan}"
    )


__all__ = ["Harness", "Mismatch", "check_program", "import_path"]
