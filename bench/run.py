"""`make bench`: docs/performance.md's cases for qdmlir, Quadrants 1.3.3 and numba, as ratios.

Every measurement is a fresh process; rounds alternate the implementations so the shared
machine's load falls on all of them alike; the table reports medians over rounds and the
ratios the targets are stated in, then bench/compile_time.py's cold compiles. Results go to
bench/results/ (JSON, Markdown, PNG).

    .venv/bin/python bench/run.py --reference-python .venv-bench/bin/python [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
STEADY_CASES = (
    "tiny",
    "tiny_method",
    "dowhile",
    "resume",
    "bandwidth",
    "particles",
    "sections",
    "sections_in_order",
)


@dataclass(frozen=True)
class Target:
    """A docs/performance.md target: qdmlir versus the anchor (Quadrants) and the ceiling (numba)."""

    label: str
    unit: str
    faster_than_quadrants: float | None  # required Quadrants-time / qdmlir-time
    within_numba: float | None  # allowed qdmlir-time / numba-time (or numba-GB/s / ours)


TARGETS = {
    "tiny": Target("tiny 3-task checkpointed kernel, steady call", "us/call", 5.0, 2.0),
    "tiny_method": Target(
        "the same as a @qd.data_oriented method, steady call", "us/call", 5.0, 2.0
    ),
    "dowhile": Target("do-while, tiny body, per iteration", "us/iteration", 10.0, 200.0),
    "resume": Target("yield + resume cycle", "us/cycle", 10.0, 3.0),
    "bandwidth": Target("3 element-wise passes over 10M f32", "GB/s", None, 1 / 0.8),
    "particles": Target("particle update over 10M vec3 f32", "GB/s", 1.0, 1 / 0.8),
    "sections": Target("two serial sections, 2 x 5M dependent steps", "ms/call", None, None),
}
SECTIONS_SPEEDUP = 1.6  # docs/performance.md: the same work unsectioned / sectioned, two cores


def run_case(
    python: str, script: str, args: list[str], env: dict | None = None, timeout: float = 600
) -> dict | None:
    """One fresh process; its last stdout line is the JSON result (None if it failed)."""
    try:
        done = subprocess.run(
            [python, str(HERE / script), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        print(f"  {script} {' '.join(args)}: timed out after {timeout:.0f} s", file=sys.stderr)
        return None
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  {script} {' '.join(args)} failed: {tail}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_steady(impls: dict[str, tuple[str, str, list[str]]], rounds: int) -> dict:
    """results[case][impl] = list of per-process values."""
    results: dict[str, dict[str, list[float]]] = {c: {i: [] for i in impls} for c in STEADY_CASES}
    names = list(impls)
    for round_index in range(rounds):
        order = names[round_index % len(names) :] + names[: round_index % len(names)]
        for case in STEADY_CASES:
            for impl in order:
                python, script, prefix = impls[impl]
                result = run_case(python, script, [*prefix, case])
                if result is not None:
                    results[case][impl].append(result["value"])
        print(f"  round {round_index + 1}/{rounds} done", file=sys.stderr)
    return results


def measure_first_call(impls: dict[str, tuple[str, str, list[str]]], rounds: int) -> dict:
    """Wall time of import + init + first call in a fresh process: with an empty cache (cold)
    and again with the cache the cold run left (warm)."""
    results = {"cold": {i: [] for i in impls}, "warm": {i: [] for i in impls}}
    for _ in range(rounds):
        for impl, (python, script, prefix) in impls.items():
            with tempfile.TemporaryDirectory(prefix="qd-bench-home-") as home:
                env = {
                    k: v
                    for k, v in os.environ.items()
                    if k not in ("QD_CACHE_DIR", "XDG_CACHE_HOME", "QD_CACHE")
                }
                env["HOME"] = home  # both implementations cache under ~/.cache
                for kind in ("cold", "warm"):
                    start = time.perf_counter()
                    if run_case(python, script, [*prefix, "first_call"], env=env) is not None:
                        results[kind][impl].append(time.perf_counter() - start)
    return results


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def ratio_rows(steady: dict, first: dict) -> list[dict]:
    rows = []
    for case, target in TARGETS.items():
        q, ours, nb = (median(steady[case].get(i, [])) for i in ("quadrants", "qdmlir", "numba"))
        higher_is_better = target.unit == "GB/s"
        vs_q = vs_nb = None
        if ours and q:
            vs_q = ours / q if higher_is_better else q / ours
        if ours and nb:
            vs_nb = nb / ours if higher_is_better else ours / nb
        met = []
        if target.faster_than_quadrants is not None and vs_q is not None:
            met.append(vs_q >= target.faster_than_quadrants)
        if target.within_numba is not None and vs_nb is not None:
            met.append(vs_nb <= target.within_numba)
        rows.append(
            {
                "case": target.label,
                "unit": target.unit,
                "qdmlir": ours,
                "quadrants": q,
                "numba": nb,
                "speedup_vs_quadrants": vs_q,
                "times_numba": vs_nb,
                "target": _target_text(target),
                "met": all(met) if met else None,
            }
        )
    rows.append(sections_row(steady))
    for kind, limit in (("cold", 1.0), ("warm", 1.0)):  # docs/performance.md
        ours, q = median(first[kind].get("qdmlir", [])), median(first[kind].get("quadrants", []))
        ratio = ours / q if ours and q else None
        rows.append(
            {
                "case": f"import + init + first call, {kind} cache",
                "unit": "s",
                "qdmlir": ours,
                "quadrants": q,
                "numba": None,
                "speedup_vs_quadrants": q / ours if ours and q else None,
                "times_numba": None,
                "target": f"<= {limit:g}x Quadrants' time",
                "met": None if ratio is None else ratio <= limit,
            }
        )
    return rows


def sections_row(steady: dict) -> dict:
    """What running two serial sections at once buys each implementation: its time for the
    same work written without sections over its time with them (Quadrants runs sections in
    order on the CPU, so ~1x there)."""

    def gain(impl: str) -> float | None:
        alone, together = (
            median(steady[c].get(impl, [])) for c in ("sections_in_order", "sections")
        )
        return alone / together if alone and together else None

    ours = gain("qdmlir")
    return {
        "case": "two serial sections: the same work unsectioned / sectioned",
        "unit": "x",
        "qdmlir": ours,
        "quadrants": gain("quadrants"),
        "numba": gain("numba"),
        "speedup_vs_quadrants": None,
        "times_numba": None,
        "target": f">= {SECTIONS_SPEEDUP:g}x on two cores",
        "met": None if ours is None else ours >= SECTIONS_SPEEDUP,
    }


def _target_text(target: Target) -> str:
    parts = []
    if target.faster_than_quadrants:
        parts.append(f">= {target.faster_than_quadrants:g}x faster than Quadrants")
    if target.within_numba:
        parts.append(
            f"within {target.within_numba:g}x numba"
            if target.unit != "GB/s"
            else f">= {1 / target.within_numba:g} of numba"
        )
    return ", ".join(parts)


def markdown(rows: list[dict]) -> str:
    def fmt(v, digits=3):
        return "—" if v is None else f"{v:.{digits}g}"

    lines = [
        "| case | unit | qdmlir | Quadrants | numba | vs Quadrants | vs numba | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def versus_quadrants(speedup):
        if speedup is None:
            return "—"
        return f"{fmt(speedup)}x faster" if speedup >= 1 else f"{fmt(1 / speedup)}x slower"

    for r in rows:
        vs_nb = r["times_numba"]
        vs_nb_text = (
            "—"
            if vs_nb is None
            else (f"{1 / vs_nb:.2f} of numba" if r["unit"] == "GB/s" else f"{vs_nb:.2f}x numba")
        )
        lines.append(
            f"| {r['case']} | {r['unit']} | {fmt(r['qdmlir'])} | {fmt(r['quadrants'])} | "
            f"{fmt(r['numba'])} | {versus_quadrants(r['speedup_vs_quadrants'])} | {vs_nb_text} | "
            f"{r['target']} | {'yes' if r['met'] else 'no' if r['met'] is False else '—'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-python", help="python of the venv with quadrants + numba")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-compile-time", action="store_true", help="skip bench/compile_time.py's cases"
    )
    args = parser.parse_args()
    impls = {"qdmlir": (sys.executable, "graph_cases.py", ["qdmlir"])}
    if args.reference_python and Path(args.reference_python).exists():
        impls["quadrants"] = (args.reference_python, "graph_cases.py", ["quadrants"])
        impls["numba"] = (args.reference_python, "numba_cases.py", [])
    else:
        print(
            "no reference venv (make bench creates .venv-bench): measuring qdmlir alone",
            file=sys.stderr,
        )
    RESULTS.mkdir(exist_ok=True)
    cache = tempfile.mkdtemp(prefix="qd-bench-cache-")
    os.environ["QD_CACHE_DIR"] = cache  # compile once per kernel, in round 1
    print(f"steady-state cases, {args.rounds} rounds, alternating processes", file=sys.stderr)
    steady = measure_steady(impls, args.rounds)
    print("first call in a fresh process", file=sys.stderr)
    first = measure_first_call({k: v for k, v in impls.items() if k != "numba"}, args.rounds)
    rows = ratio_rows(steady, first)
    table = markdown(rows)
    print(table)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    (RESULTS / "latest.json").write_text(
        json.dumps(
            {
                "when": stamp,
                "rounds": args.rounds,
                "raw": {"steady": steady, "first": first},
                "rows": rows,
            },
            indent=2,
        )
    )
    compile_table = ""
    if not args.no_compile_time:  # same run, so the ratios share the machine's load
        import compile_time

        compile_table = compile_time.run(args.reference_python, rounds=args.rounds)
        print(f"\ncold compile time (bench/compile_time.py):\n{compile_table}")
        compile_table = f"\nCold compile time (bench/compile_time.py):\n\n{compile_table}\n"
    (RESULTS / "latest.md").write_text(
        f"Measured {stamp}, {args.rounds} rounds.\n\n{table}\n{compile_table}"
    )
    if "quadrants" in impls:
        subprocess.run(
            [
                impls["quadrants"][0],
                str(HERE / "plot.py"),
                str(RESULTS / "latest.json"),
                str(RESULTS / "cpu.png"),
            ],
            check=False,
        )


if __name__ == "__main__":
    main()
