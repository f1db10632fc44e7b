"""Cold compile time against Quadrants 1.3.3 (docs/performance.md), part of `make bench`.

A generated graph kernel of 4·G tasks in G checkpoints (each `with qd.checkpoint(g,
yield_on=flag)` holds four element-wise loops, every one with its own constants), compiled on
its first call in a fresh process with the caches off (qdmlir: QD_CACHE=0; Quadrants:
offline_cache=False), for each size, the implementations alternating. Writes a table, JSON and
a PNG (time against tasks, both systems) to bench/results/.

    .venv/bin/python bench/compile_time.py --reference-python .venv-bench/bin/python
    .venv/bin/python bench/compile_time.py --child qdmlir 200    # one measurement, JSON
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SIZES = (24, 48, 100, 200, 400)
TARGET_RATIO_200 = 0.5  # qdmlir / Quadrants at 200 tasks
TARGET_GROWTH = {(48, 200): 4.5, (200, 400): 2.2}  # qdmlir time ratios between sizes


def kernel_source(tasks: int) -> str:
    """`make(qd)` returning the kernel `graph_<tasks>`, in the Quadrants language."""
    lines = [
        "def make(qd):",
        "    F32 = qd.types.ndarray(qd.f32, 1)",
        "    FLAG = qd.types.ndarray(qd.i32, 0)",
        "",
        "    @qd.kernel(graph=True, checkpoints=True)",
        f"    def graph_{tasks}(a: F32, b: F32, c: F32, flag: FLAG):",
    ]
    for group in range(tasks // 4):
        lines.append(f"        with qd.checkpoint({group}, yield_on=flag):")
        for within in range(4):
            k = group * 4 + within
            lines += [
                "            for i in range(a.shape[0]):",
                f"                b[i] = a[i] * {k + 1}.0 + c[i] * {k + 2}.5",
            ]
    lines.append(f"    return graph_{tasks}")
    return "\n".join(lines) + "\n"


def child(impl: str, tasks: int) -> None:
    """Import, init, build the kernel, then time its first call: the compile."""
    folder = Path(tempfile.mkdtemp(prefix="qd-compile-time-"))
    path = folder / f"graph_{tasks}.py"
    path.write_text(kernel_source(tasks))  # the frontends read the kernel's source file
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    qd = importlib.import_module(impl)
    if impl == "quadrants":
        qd.init(arch=qd.cpu, offline_cache=False)
    else:
        qd.init(arch=qd.cpu)
    kernel = module.make(qd)
    a, b, c = (qd.ndarray(qd.f32, (16,)) for _ in range(3))
    flag = qd.ndarray(qd.i32, ())
    start = time.perf_counter()
    kernel(a, b, c, flag)
    seconds = time.perf_counter() - start
    print(json.dumps({"impl": impl, "tasks": tasks, "seconds": seconds}))


def measure(impls: dict[str, str], sizes, rounds: int) -> dict[str, dict[int, list[float]]]:
    """results[impl][tasks] = first-call seconds, one fresh process each."""
    env = {k: v for k, v in os.environ.items() if k != "QD_CACHE_DIR"}
    env["QD_CACHE"] = "0"  # qdmlir cold: no artifact cache
    results: dict[str, dict[int, list[float]]] = {i: {n: [] for n in sizes} for i in impls}
    names = list(impls)
    for round_index in range(rounds):
        for tasks in sizes:
            order = names[round_index % len(names) :] + names[: round_index % len(names)]
            for impl in order:
                command = [impls[impl], str(Path(__file__)), "--child", impl, str(tasks)]
                done = subprocess.run(command, capture_output=True, text=True, env=env)
                if done.returncode != 0:
                    tail = (done.stderr.strip().splitlines() or ["?"])[-1]
                    print(f"  {impl} {tasks} tasks failed: {tail}", file=sys.stderr)
                    continue
                value = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
                results[impl][tasks].append(value)
                print(f"  {impl:9s} {tasks:4d} tasks: {value:.2f} s", file=sys.stderr)
    return results


def verdicts(medians: dict[str, dict[int, float | None]]) -> list[dict]:
    """docs/performance.md's compile-time targets, each with its measured value."""
    ours, theirs = medians.get("qdmlir", {}), medians.get("quadrants", {})
    rows = []
    if ours.get(200) and theirs.get(200):
        ratio = ours[200] / theirs[200]
        rows.append(_row("200 tasks: qdmlir / Quadrants", ratio, TARGET_RATIO_200))
    for (small, large), limit in TARGET_GROWTH.items():
        if ours.get(small) and ours.get(large):
            rows.append(_row(f"qdmlir {large} / {small} tasks", ours[large] / ours[small], limit))
    return rows


def _row(what: str, value: float, limit: float) -> dict:
    return {"target": what, "value": value, "limit": limit, "met": value <= limit}


def markdown(medians: dict[str, dict[int, float | None]], rows: list[dict]) -> str:
    sizes = sorted({n for per in medians.values() for n in per})
    lines = [
        "| tasks | qdmlir first call (s) | Quadrants first call (s) | qdmlir / Quadrants |",
        "|---|---|---|---|",
    ]
    for tasks in sizes:
        ours, theirs = medians.get("qdmlir", {}).get(tasks), medians.get("quadrants", {}).get(tasks)
        ratio = f"{ours / theirs:.2f}" if ours and theirs else "—"
        lines.append(f"| {tasks} | {_fmt(ours)} | {_fmt(theirs)} | {ratio} |")
    lines += ["", "| target | measured | limit | met |", "|---|---|---|---|"]
    for row in rows:
        met = "yes" if row["met"] else "no"
        lines.append(f"| {row['target']} | {row['value']:.2f} | ≤ {row['limit']:g} | {met} |")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def plot(source: Path, target: Path) -> None:
    """Time against tasks, both systems (runs where matplotlib is: the reference venv)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    medians = json.loads(source.read_text())["medians"]
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for impl, per in medians.items():
        points = sorted((int(n), v) for n, v in per.items() if v is not None)
        axis.plot([n for n, _ in points], [v for _, v in points], marker="o", label=impl)
    axis.set_xlabel("tasks (4 per checkpoint)")
    axis.set_ylabel("first call, cold (s)")
    axis.set_title("Cold compile time of a checkpointed graph kernel")
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    print(f"wrote {target}")


def run(reference_python: str | None, sizes=SIZES, rounds: int = 1) -> str:
    """Measure, write bench/results/compile_time.{json,md,png}; return the Markdown."""
    impls = {"qdmlir": sys.executable}
    if reference_python and Path(reference_python).exists():
        impls["quadrants"] = reference_python
    print(f"cold compile time, {rounds} round(s), sizes {list(sizes)}", file=sys.stderr)
    raw = measure(impls, sizes, rounds)
    medians = {
        impl: {n: (statistics.median(v) if v else None) for n, v in per.items()}
        for impl, per in raw.items()
    }
    rows = verdicts(medians)
    table = markdown(medians, rows)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    data = {"when": stamp, "rounds": rounds, "raw": raw, "medians": medians, "targets": rows}
    (RESULTS / "compile_time.json").write_text(json.dumps(data, indent=2))
    (RESULTS / "compile_time.md").write_text(f"Measured {stamp}, {rounds} round(s).\n\n{table}\n")
    if "quadrants" in impls:
        subprocess.run(
            [
                impls["quadrants"],
                str(Path(__file__)),
                "--plot",
                str(RESULTS / "compile_time.json"),
                str(RESULTS / "compile_time.png"),
            ],
            check=False,
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-python", help="python of the venv with quadrants")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="task counts")
    parser.add_argument("--child", nargs=2, metavar=("IMPL", "TASKS"), help=argparse.SUPPRESS)
    parser.add_argument("--plot", nargs=2, metavar=("JSON", "PNG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
    elif args.plot:
        plot(Path(args.plot[0]), Path(args.plot[1]))
    else:
        sizes = tuple(int(n) for n in args.sizes.split(","))
        print(run(args.reference_python, sizes, args.rounds))


if __name__ == "__main__":
    main()
