"""The GPU suite in one script: build the artifacts here, run tests and benchmarks there.

    python tests/gpu/gpu_suite.py build [--artifacts DIR]      # with the compiler (.venv), no GPU
    python tests/gpu/gpu_suite.py run --out DIR [--artifacts DIR] [--only smoke,graphs,...]
    sh tests/gpu/device_run.sh                                   # the device run: `run` into $OUT

`build` compiles every kernel the suite and bench/cuda_cases.py call into the artifact folder
(default tests/gpu/artifacts), under the keys the frontend computes, for two chips: sm_90
(cubin + PTX, do-whiles as conditional WHILE nodes) and sm_80 (PTX for the driver to JIT on the
newer GPU, do-whiles as host loops: it isolates a failure of the conditional nodes). Per chip it
runs the suite over the fake driver (kernel_build.py compiles every annotated kernel first), then
again with the compiler hidden to prove nothing is missing; it prints each set's size.

`run` needs only Python, numpy, pytest and cuda-bindings. Each step is its own process (a real
fault is sticky and would poison every later test), bounded by `timeout`, its output in
DIR/<step>.log and, for the suite, each test's outcome in DIR/<step>.json:
smoke (the driver alone loads every module and reports registers), graphs (QD_CUDA_GRAPH=1),
direct (QD_CUDA_GRAPH=0), sm80 (the sm_80 set), bench. DIR/summary.txt gets one line per step;
the exit status is the first failing step's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = HERE / "artifacts"
CHIPS = ("sm_90", "sm_80")
MISSING = "has no artifact in the cache"  # the frontend's message for a cache miss without compiler


NO_LOOP_KERNELS = {"QD_GPU_LOOP_KERNEL": "0"}  # runtime/cuda_plan.py: loops as the plan says


@dataclass
class Step:
    name: str
    command: list[str]
    env: dict = field(default_factory=dict)
    seconds: int = 110
    report: bool = False  # a pytest run: its outcomes go to <name>.json


def pytest_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "pytest", str(HERE), "-p", "no:cacheprovider", *options]


def run_steps(artifacts: Path, out: Path) -> list[Step]:
    """The device run, in order; the seconds add up to under 9 minutes."""
    return [
        Step("smoke", [sys.executable, str(HERE / "smoke_load.py"), str(artifacts)], seconds=45),
        # every call a graph; small do-whiles are loop kernels (gpu-device-loops)
        Step("graphs", pytest_command("-v", "-rs"), {"QD_CUDA_GRAPH": "1"}, 90, True),
        # every do-while a WHILE node
        Step(
            "while",
            pytest_command("-v", "-rs"),
            {**NO_LOOP_KERNELS, "QD_CUDA_GRAPH": "1"},
            90,
            True,
        ),
        # launches only, every do-while a host loop
        Step(
            "direct",
            pytest_command("-v", "-rs"),
            {**NO_LOOP_KERNELS, "QD_CUDA_GRAPH": "0"},
            90,
            True,
        ),
        Step("sm80", pytest_command("-v", "-rs"), {"QD_CUDA_ARCH": "sm_80"}, 90, True),
        Step(
            "bench",
            [sys.executable, str(ROOT / "bench" / "cuda_bench.py"), "--out", str(out)],
            seconds=120,
        ),
    ]


def execute(step: Step, env: dict, log: Path | None) -> tuple[int, float, str]:
    """Run one step under `timeout` (and a kill timer where coreutils is missing), its output
    copied to stdout and `log`; returns (exit status, seconds, its summary lines joined)."""
    command = step.command
    if shutil.which("timeout"):
        command = ["timeout", "-k", "5", str(step.seconds), *command]
    print(f"+ [{step.name}, <= {step.seconds} s] {' '.join(step.command)}", flush=True)
    start = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env={**env, **step.env}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, errors="replace",
    )  # fmt: skip
    killer = threading.Timer(step.seconds + 15, process.kill)
    killer.start()
    verdicts = []
    with open(log, "w") if log else open(os.devnull, "w") as sink:
        for line in process.stdout:
            sys.stdout.write(line)
            sink.write(line)
            verdict = summary_line(line)
            if verdict:
                verdicts.append(verdict)
    code = process.wait()
    killer.cancel()
    if code in (124, 137, -9):
        verdicts.insert(0, f"TIMED OUT after {step.seconds} s")
    return code, time.monotonic() - start, " | ".join(verdicts)


def summary_line(line: str) -> str | None:
    """pytest's closing line, the stand-in driver's summary, or a step's own verdict."""
    text = line.strip().strip("=").strip()
    if " in " in text and any(w in text for w in ("passed", "failed", "error", "skipped")):
        return text
    if text.startswith(("STUBCUDA-SUMMARY", "smoke:", "bench:", "Timeout")):
        return text
    return None


def run(artifacts: Path, out: Path, only: list[str] | None) -> int:
    if not artifacts.is_dir():
        print(f"no {artifacts}: run `python tests/gpu/gpu_suite.py build` where the compiler is")
        return 2
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QD_CACHE_DIR=str(artifacts), PYTHONUNBUFFERED="1", QD_STRICT_ARCH="1")
    env.pop("QD_CUDA_ARCH", None)  # the device's own chip, except in the sm80 step
    lines, first_failure = [], 0
    for step in run_steps(artifacts, out):
        if only and step.name not in only:
            continue
        step_env = dict(env, QD_GPU_REPORT=str(out / f"{step.name}.json")) if step.report else env
        code, seconds, last = execute(step, step_env, out / f"{step.name}.log")
        lines.append(f"{step.name}: rc={code} {seconds:.0f}s | {last}")
        first_failure = first_failure or code
    (out / "summary.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(["== device run summary =="] + lines))
    return first_failure


def build(artifacts: Path) -> int:
    artifacts.mkdir(parents=True, exist_ok=True)
    base = dict(os.environ, QD_CACHE_DIR=str(artifacts), QD_GPU_DRIVER="fake", PYTHONUNBUFFERED="1")
    for chip in CHIPS:
        env = dict(base, QD_CUDA_ARCH=chip)
        # assertions fail here (nothing executes): only the compiled kernels count
        step = Step(f"build-{chip}", pytest_command("-q", "--tb=no", "-rN"), seconds=300)
        execute(step, env, None)
        report = artifacts / f".verify-{chip}.json"
        check = Step(f"verify-{chip}", step.command, seconds=300)
        execute(check, dict(env, QD_GPU_NO_COMPILER="1", QD_GPU_REPORT=str(report)), None)
        missing = [t for t in json.loads(report.read_text())["tests"] if MISSING in t["message"]]
        report.unlink()
        if missing:
            for test in missing:
                print(f"build: {chip}: {test['test']}: {test['message']}")
            return 1
    return print_sizes(artifacts)


def print_sizes(artifacts: Path) -> int:
    sets: dict[str, list[int]] = {}
    for manifest in artifacts.glob("*/manifest.json"):
        chip = json.loads(manifest.read_text()).get("arch") or "?"
        size = sum(f.stat().st_size for f in manifest.parent.rglob("*") if f.is_file())
        sets.setdefault(chip, []).append(size)
    total = 0
    for chip in sorted(sets):
        total += sum(sets[chip])
        print(f"build: {chip}: {len(sets[chip])} artifacts, {sum(sets[chip]) / 2**20:.2f} MiB")
    print(f"build: {artifacts}: {total / 2**20:.2f} MiB in all; every kernel the suite calls")
    return 0 if set(CHIPS) <= set(sets) else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["build", "run"])
    parser.add_argument("--artifacts", type=Path, default=ARTIFACTS)
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", "gpu-run")))
    parser.add_argument("--only", help="comma-separated steps of `run`")
    args = parser.parse_args(argv)
    if args.action == "build":
        return build(args.artifacts.resolve())
    only = args.only.split(",") if args.only else None
    return run(args.artifacts.resolve(), args.out.resolve(), only)


if __name__ == "__main__":
    sys.exit(main())
