"""CUDA benchmarks (docs/performance.md): qdmlir beside Quadrants' CUDA backend, in one run.

    python bench/cuda_bench.py [--rounds 3] [--out DIR]   # a GPU machine (tests/gpu/artifacts)
    python bench/cuda_bench.py --host-overhead            # the host cost of a steady call

Each round runs bench/cuda_cases.py once per implementation, in fresh processes, alternating
which goes first; the table reports medians over rounds, the ratios the targets are stated in,
and the device-to-device copy ceiling measured in the same processes. A wrong result in a
qdmlir case (a do-while that exits early, kernels that never ran) fails the run; Quadrants is
compared where it imports (`pip install quadrants==1.3.3`, or wheels carried to the machine).
Writes cuda.json, cuda.md and cuda.png to bench/results/ and to --out.

--host-overhead times the steady call of the tiny 3-task kernel (a CUDA graph replayed, the
launch state read back) from Python: over the stand-in driver (tests/stubcuda, LD_LIBRARY_PATH)
nothing runs on a device, so the figure is the runtime's own Python cost (`make cuda-overhead`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
IMPLS = ("qdmlir", "quadrants")


@dataclass(frozen=True)
class Target:
    """A CUDA target of docs/performance.md for one case."""

    label: str
    faster_than_quadrants: float | None = None  # Quadrants-time / qdmlir-time at least
    at_most: float | None = None  # qdmlir's own value at most (us)
    of_copy: float | None = None  # fraction of the copy ceiling at least (GB/s cases)
    # the same work without sections: its time / this case's time at least (overlap)
    overlap_of: str | None = None
    overlap: float | None = None


TARGETS = {
    "dowhile": Target("do-while, tiny tasks, per iteration (device-side)", 3.0, at_most=5.0),
    "tiny": Target("steady call of a tiny 3-task checkpointed kernel", 1.0),
    "resume": Target("yield + resume cycle", 3.0),
    "bandwidth": Target("3 element-wise passes over 100M f32", of_copy=0.8),
    "sections": Target(
        "two independent one-thread sections", overlap_of="sections_in_order", overlap=1.8
    ),
}


def run_cases(impl: str, timeout: float) -> tuple[dict[str, dict], str]:
    """One fresh process of bench/cuda_cases.py: its JSON lines by case, and its output."""
    env = dict(os.environ, QD_BENCH_IMPL=impl, PYTHONUNBUFFERED="1")
    command = [sys.executable, str(HERE / "cuda_cases.py")]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as err:
        return {}, f"{impl}: timed out after {timeout:.0f} s\n{err.stdout or ''}"
    found = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            result = json.loads(line)
            found[result["case"]] = result
    return found, done.stdout + done.stderr


def measure(impls: list[str], rounds: int, timeout: float) -> tuple[dict, list[str]]:
    """values[case][impl] = per-process values; the problems met on the way. Each process's
    output is copied to ours (the device log keeps it); a wrong qdmlir result ends the run."""
    values: dict[str, dict[str, list[float]]] = {}
    problems = []
    for round_ in range(rounds):
        order = impls if round_ % 2 == 0 else impls[::-1]
        for impl in order:
            found, output = run_cases(impl, timeout)
            sys.stdout.write(output)
            errors = [r for r in found.values() if "error" in r]
            if errors or not found:
                tail = "\n".join(output.strip().splitlines()[-6:])
                why = errors[0]["error"] if errors else tail
                problems.append(f"{impl} (round {round_ + 1}): {why}")
                if impl == "qdmlir":
                    return values, problems
            for case, result in found.items():
                if "value" in result:
                    values.setdefault(case, {}).setdefault(impl, []).append(result["value"])
    return values, problems


def median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def table(values: dict) -> list[dict]:
    copy = median([v for per_impl in values.get("copy", {}).values() for v in per_impl])
    rows = []
    for case, target in TARGETS.items():
        ours = median(values.get(case, {}).get("qdmlir"))
        theirs = median(values.get(case, {}).get("quadrants"))
        row = {"case": target.label, "qdmlir": ours, "quadrants": theirs, "copy_gbs": None}
        verdicts = []
        if target.overlap_of is not None:
            row["unit"] = "us"
            for impl in IMPLS:
                alone = median(values.get(target.overlap_of, {}).get(impl))
                both = row[impl]
                row[f"{impl}_overlap"] = alone / both if alone and both else None
            row["target"] = f"the same work unsectioned takes >= {target.overlap:g}x as long"
            verdicts.append((row["qdmlir_overlap"] or 0) >= target.overlap)
        elif target.of_copy is not None:
            row["unit"] = "GB/s"
            row["copy_gbs"] = copy
            row["qdmlir_of_copy"] = ours / copy if ours and copy else None
            row["quadrants_of_copy"] = theirs / copy if theirs and copy else None
            row["target"] = f">= {target.of_copy:.0%} of the copy ceiling"
            verdicts.append(
                row["qdmlir_of_copy"] is not None and row["qdmlir_of_copy"] >= target.of_copy
            )
        else:
            row["unit"] = "us"
            speedup = theirs / ours if ours and theirs else None
            row["speedup_vs_quadrants"] = speedup
            parts = []
            if target.at_most is not None:
                parts.append(f"<= {target.at_most:g} us")
                verdicts.append(ours is not None and ours <= target.at_most)
            if target.faster_than_quadrants is not None:
                parts.append(
                    "no slower than Quadrants"
                    if target.faster_than_quadrants == 1.0
                    else f">= {target.faster_than_quadrants:g}x faster than Quadrants"
                )
                verdicts.append(speedup is not None and speedup >= target.faster_than_quadrants)
            row["target"] = ", ".join(parts)
        row["met"] = all(verdicts)
        rows.append(row)
    return rows


def markdown(rows: list[dict], device: str) -> str:
    def number(value, unit):
        return "-" if value is None else (f"{value:,.0f}" if unit == "GB/s" else f"{value:.2f}")

    lines = [
        f"CUDA bench on {device}, {time.strftime('%Y-%m-%d')}",
        "",
        "| case | qdmlir | Quadrants | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        unit = row["unit"]
        if unit == "GB/s":
            ours = row.get("qdmlir_of_copy")
            ratio = "-" if ours is None else f"{ours:.0%} of copy ({number(row['copy_gbs'], unit)})"
        elif "qdmlir_overlap" in row:
            ours, theirs = row["qdmlir_overlap"], row["quadrants_overlap"]
            ratio = "-" if ours is None else f"{ours:.2f}x overlap"
            ratio += "" if theirs is None else f" (Quadrants {theirs:.2f}x)"
        else:
            speedup = row.get("speedup_vs_quadrants")
            ratio = (
                "-"
                if speedup is None
                else f"{speedup:.2f}x faster"
                if speedup >= 1
                else (f"{1 / speedup:.2f}x slower")
            )
        lines.append(
            f"| {row['case']} ({unit}) | {number(row['qdmlir'], unit)} | "
            f"{number(row['quadrants'], unit)} | {ratio} | {row['target']} | "
            f"{'yes' if row['met'] else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], path: Path) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "no matplotlib: cuda.png not drawn"
    times = [r for r in rows if r["unit"] == "us" and r["qdmlir"] is not None]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
    labels = [r["case"].replace(", ", ",\n") for r in times]
    positions = range(len(times))
    left.barh([p + 0.2 for p in positions], [r["qdmlir"] for r in times], 0.4, label="qdmlir")
    left.barh(
        [p - 0.2 for p in positions], [r["quadrants"] or 0 for r in times], 0.4, label="Quadrants"
    )
    left.set_yticks(list(positions), labels)
    left.set_xscale("log")
    left.set_xlabel("microseconds (lower is better)")
    left.legend()
    band = [r for r in rows if r["unit"] == "GB/s"]
    names = ["qdmlir", "Quadrants", "device copy"]
    if band:
        row = band[0]
        right.bar(names, [row["qdmlir"] or 0, row["quadrants"] or 0, row["copy_gbs"] or 0])
        right.set_ylabel("GB/s (higher is better)")
        right.set_title(row["case"])
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return None


def device_name() -> str:
    try:
        done = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20,
        )  # fmt: skip
        return done.stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "an unknown GPU"


def compare(rounds: int, out: Path | None, timeout: float) -> int:
    impls = list(IMPLS)
    try:
        import quadrants  # noqa: F401
    except ImportError as err:
        print(f"bench: Quadrants not compared ({err}); pip install quadrants==1.3.3")
        impls = ["qdmlir"]
    values, problems = measure(impls, rounds, timeout)
    for problem in problems:
        print(f"bench: problem: {problem}")
    rows = table(values)
    text = markdown(rows, device_name())
    print(text)
    folders = [RESULTS] + ([out] if out else [])
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        payload = {"rows": rows, "values": values, "problems": problems}
        (folder / "cuda.json").write_text(json.dumps(payload, indent=2) + "\n")
        (folder / "cuda.md").write_text(text)
        note = plot(rows, folder / "cuda.png")
    if note:
        print(f"bench: {note}")
    ours_failed = any(p.startswith("qdmlir") for p in problems)
    print(
        f"bench: {'FAILED' if ours_failed else 'passed'} (QD_CUDA_GRAPH={os.environ.get('QD_CUDA_GRAPH', 'auto')})"
    )
    return 1 if ours_failed else 0


def host_overhead(calls: int, rounds: int) -> int:
    """Steady calls of tiny3 (graph replay); prints the median of `rounds` per-call means."""
    sys.path.insert(0, str(HERE))
    import cuda_cases

    qd = cuda_cases.qd
    os.environ.setdefault("QD_STRICT_ARCH", "1")
    qd.init(arch=qd.cuda)
    x, flag = qd.ndarray(qd.f32, (64,)), qd.ndarray(qd.i32, ())
    tiny3 = cuda_cases.tiny3
    for _ in range(3):
        tiny3(x, flag)
    launcher = tiny3._only.run.launcher
    if not launcher._graphs:
        print(f"bench: FAILED: tiny3 replays no graph: {launcher.graph_disabled}")
        return 1
    per_call = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            tiny3(x, flag)
        per_call.append((time.perf_counter() - start) / calls)
    middle = statistics.median(per_call)
    spread = f"{min(per_call) * 1e6:.2f}-{max(per_call) * 1e6:.2f}"
    device = launcher.device
    print(f"device: {device.arch} (driver {getattr(device, 'version', '?')})")
    print(
        f"bench: host overhead of a steady tiny 3-task call (graph replay): {middle * 1e6:.2f} us "
        f"median of {rounds} x {calls} calls (range {spread} us; target <= 8)"
    )
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host-overhead", action="store_true")
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--timeout", type=float, default=150.0, help="seconds per process")
    args = parser.parse_args(argv)
    if args.host_overhead:
        return host_overhead(args.calls, args.rounds if args.rounds != 3 else 5)
    return compare(args.rounds, args.out, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
