"""Malformed IR into qd-opt: seeded random mutations of the lit test files must each give a
one-line `error:` (or parse and run), never a traceback, an internal error, a crash or a hang.

The mutants of one lit file go into one `--split-input-file` input, so one qd-opt process
checks many; a chunk that breaks qd-opt is then found by running the chunks one by one.
QD_MUTANTS_PER_FILE (default 12) and QD_MUTATION_SEED scale and vary the run.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

LIT = Path(__file__).parents[1] / "lit"
FILES = sorted(
    [
        *LIT.glob("passes/*.mlir"),
        *LIT.glob("dialects/checkpoint/*.mlir"),
        *LIT.glob("pipeline/*.mlir"),
    ]
)
QD_OPT = str(Path(sys.executable).parent / "qd-opt")
PER_FILE = int(os.environ.get("QD_MUTANTS_PER_FILE", "12"))
SEED = int(os.environ.get("QD_MUTATION_SEED", "1"))
PIPELINES = [
    "checkpoint-number,checkpoint-verify,checkpoint-lower,checkpoint-merge-guards,"
    "checkpoint-reuse-state-loads,cpu-parallel-sections,cpu-parallel-threshold,canonicalize,cse",
    "checkpoint-lower{target=gpu},checkpoint-merge-guards,checkpoint-reuse-state-loads",
]
# one diagnostic per line: `file:line:col: error: ...` (a verifier error may lack the line and
# column), or `qd-opt: error: ...`
ERROR_LINE = re.compile(r"^(\S+?(:\d+:\d+)?: error: |qd-opt: error: ).+")
TYPES = [
    "i32",
    "i64",
    "f32",
    "index",
    "i1",
    "memref<i32>",
    "memref<?xi32>",
    "memref<2xi32>",
    "i99999999",
    "()",
]
NUMBERS = ["-1", "0", "1", "2", "7", str(2**31), str(2**63), str(-(2**40)), "99999"]


def mutate(text: str, rng: random.Random) -> str:
    """One random edit: a byte, a line, a number, an SSA name or a type."""
    kind = rng.randrange(8)
    lines = text.split("\n")
    if kind == 0 and text:
        data = bytearray(text.encode())
        data[rng.randrange(len(data))] = rng.randrange(32, 127)
        return data.decode(errors="replace")
    if kind == 1 and len(lines) > 1:
        del lines[rng.randrange(len(lines))]
    elif kind == 2:
        lines.insert(rng.randrange(len(lines)), rng.choice(lines))
    elif kind == 3 and len(lines) > 2:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind in (4, 5, 6):
        pattern = {4: r"-?\d+", 5: r"%[\w.]+", 6: r"i32|i64|f32|index|i1\b|memref<[^>]*>"}[kind]
        found = list(re.finditer(pattern, text))
        if found:
            match = rng.choice(found)
            new = {
                4: lambda: rng.choice(NUMBERS),
                5: lambda: rng.choice(found).group(),
                6: lambda: rng.choice(TYPES),
            }[kind]()
            return text[: match.start()] + new + text[match.end() :]
    elif text:
        start = rng.randrange(len(text))
        return text[:start] + text[start + rng.randrange(1, 20) :]
    return "\n".join(lines)


def mutants(path: Path, rng: random.Random) -> list[str]:
    chunks = [c for c in path.read_text().split("// -----") if "func" in c or "module" in c]
    result = []
    for _ in range(PER_FILE):
        text = rng.choice(chunks)
        for _ in range(rng.randrange(1, 3)):
            text = mutate(text, rng)
        result.append(text.replace("// -----", "//"))
    return result


def problems(path: Path, pipeline: str) -> list[str]:
    """What is wrong with qd-opt's behaviour on `path` (empty: one error line per bad chunk)."""
    try:
        result = subprocess.run(
            [QD_OPT, str(path), "--split-input-file", "-p", pipeline],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        return ["qd-opt did not finish in 120 s"]
    found = []
    if result.returncode not in (0, 1):
        found.append(f"exit code {result.returncode}")
    for line in result.stderr.splitlines():
        if line.strip() and not ERROR_LINE.match(line):
            found.append(f"not a one-line error: {line[:200]}")
        elif "internal error" in line:
            found.append(line[:300])
    return found


@pytest.mark.parametrize("lit_file", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mutated_lit_files_give_one_line_errors(lit_file, tmp_path):
    rng = random.Random(f"{SEED}:{lit_file.name}")
    texts = mutants(lit_file, rng)
    combined = tmp_path / lit_file.name
    combined.write_text("\n// -----\n".join(texts))
    for pipeline in PIPELINES:
        if not problems(combined, pipeline):
            continue
        for index, text in enumerate(texts):  # find the chunk, for a reproducible report
            single = tmp_path / f"mutant{index}.mlir"
            single.write_text(text)
            found = problems(single, pipeline)
            assert not found, (
                f"qd-opt -p '{pipeline}' on this mutant of {lit_file.name}: {found}\n{text}"
            )
        pytest.fail(
            f"qd-opt -p '{pipeline}' misbehaves on the mutants of {lit_file.name} "
            f"together only: {problems(combined, pipeline)}"
        )
