"""Run Quadrants' own test files, unmodified, against qdmlir (docs/upstream-tests.md).

    python tools/upstream/run.py /path/to/quadrants [test_graph.py ...] [--json out.json]

It builds a scratch directory outside the repository that holds a copy of the checkout's
`tests/` folder, untouched, beside tools/upstream/alias/quadrants (`import quadrants as qd` over
qdmlir), runs pytest there on each file in its own process, one after another, and prints
passed / failed / errors / skipped per file. Exit status 1 when any test failed or errored.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# The files issues 13, 14 and 15 name; run.py takes others by name too.
DEFAULT_FILES = (
    "test_checkpoint.py",
    "test_checkpoint_resume_offset.py",
    "test_graph.py",
    "test_graph_do_while.py",
    "test_graph_namespace.py",
    "test_graph_parallel.py",
    "test_matrix.py",
    "test_math_module.py",
    "test_matrix_arg.py",
    "test_ndarray.py",
    "test_field.py",
)
COLUMNS = ("passed", "failed", "errors", "skipped", "xfailed")


def build_scratch(upstream: Path, scratch: Path, alias: Path) -> None:
    """tests/ as upstream has it, the alias package, and the outcome plugin; nothing else."""
    shutil.copytree(upstream / "tests", scratch / "tests")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(alias, scratch / "quadrants", ignore=ignore)
    shutil.copy(HERE / "outcomes.py", scratch / "qdmlir_upstream_outcomes.py")


def run_file(scratch: Path, name: str, args) -> dict:
    """One upstream file in its own pytest process; its outcomes and log."""
    stem = Path(name).stem
    outcomes = scratch / f"{stem}.outcomes.jsonl"
    log = scratch / f"{stem}.log"
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(scratch),
        QD_WANTED_ARCHS=args.arch,
        QD_UPSTREAM_OUTCOMES=str(outcomes),
    )
    command = [
        args.python,
        "-m",
        "pytest",
        f"tests/python/{name}",
        "-p",
        "qdmlir_upstream_outcomes",
    ]
    command += ["-p", "no:cacheprovider", "-q", "-rN", *args.pytest_args]
    with open(log, "w") as out:
        try:
            result = subprocess.run(
                command,
                cwd=scratch,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=args.timeout,
            )
            returncode = result.returncode
        except subprocess.TimeoutExpired:
            returncode = "timeout"
    records = [json.loads(line) for line in outcomes.open()] if outcomes.exists() else []
    return summarise(records, returncode, log)


def summarise(records: list[dict], returncode, log: Path) -> dict:
    """Per-test outcomes from the phase records: an error outside `call` is an error, as pytest
    counts it; a file that stopped early (crash, timeout) says so."""
    tests: dict[str, dict] = {}
    collection = [r for r in records if r["when"] == "collect"]
    for record in records:
        if record["when"] == "collect":
            continue
        test = tests.setdefault(record["nodeid"], {"outcome": "passed"})
        if record["outcome"] == "failed":
            if test["outcome"] in ("passed", "skipped"):
                test["outcome"] = "failed" if record["when"] == "call" else "errors"
                test["message"] = record.get("message", "")
        elif record["outcome"] == "skipped" and test["outcome"] == "passed":
            test["outcome"] = "xfailed" if record.get("xfail") else "skipped"
            test["message"] = record.get("message", "")
    counts = Counter(test["outcome"] for test in tests.values())
    if collection:
        status = "collection error: " + collection[0]["message"]
    elif returncode in (0, 1, 5):
        status = "ok"
    else:
        status = f"pytest stopped ({returncode}); see {log}"
    return {"status": status, "counts": {c: counts.get(c, 0) for c in COLUMNS}, "tests": tests}


def print_table(results: dict[str, dict]) -> None:
    width = max(len(name) for name in results)
    print(f"{'file':<{width}}  " + "  ".join(f"{c:>7}" for c in COLUMNS) + "  collection")
    for name, result in results.items():
        counts = "  ".join(f"{result['counts'][c]:>7}" for c in COLUMNS)
        print(f"{name:<{width}}  {counts}  {result['status']}")
    totals = Counter()
    for result in results.values():
        totals.update(result["counts"])
    print(f"{'total':<{width}}  " + "  ".join(f"{totals[c]:>7}" for c in COLUMNS))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", type=Path, help="a Quadrants checkout (holds tests/python)")
    parser.add_argument(
        "files",
        nargs="*",
        help=f"files under tests/python (default: the {len(DEFAULT_FILES)} of issues 13-15)",
    )
    parser.add_argument("--json", type=Path, help="write every test's outcome and message here")
    parser.add_argument(
        "--arch", default="cpu", help="QD_WANTED_ARCHS for test_utils (default cpu)"
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per file")
    parser.add_argument(
        "--python", default=sys.executable, help="the interpreter with qdmlir installed"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch directory (logs in it)"
    )
    parser.add_argument(
        "--alias",
        type=Path,
        default=HERE / "alias" / "quadrants",
        help="another `quadrants` alias package (triage: a copy with local stubs)",
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    args.pytest_args = argv[split + 1 :]  # after --: passed to pytest as they are
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    upstream = args.upstream.resolve()
    if not (upstream / "tests" / "python" / "conftest.py").is_file():
        print(
            f"run.py: {upstream} is not a Quadrants checkout (no tests/python/conftest.py)",
            file=sys.stderr,
        )
        return 2
    names = [Path(f).name for f in args.files] or list(DEFAULT_FILES)
    missing = [n for n in names if not (upstream / "tests" / "python" / n).is_file()]
    if missing:
        print(f"run.py: not in {upstream}/tests/python: {', '.join(missing)}", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="qdmlir-upstream-"))
    if scratch.is_relative_to(REPO) or scratch.is_relative_to(upstream):
        print(
            f"run.py: the scratch directory {scratch} must lie outside both trees", file=sys.stderr
        )
        return 2
    results: dict[str, dict] = {}
    try:
        build_scratch(upstream, scratch, args.alias)
        for name in names:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            results[name] = run_file(scratch, name, args)
        print_table(results)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    finally:
        if args.keep:
            print(f"scratch directory (logs): {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    failing = any(
        r["counts"]["failed"] or r["counts"]["errors"] or r["status"] != "ok"
        for r in results.values()
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
