"""docs/writing-a-pass.md works as written: its pass, its lit tests, and the pass on a real kernel.

The page's snippets are taken from the page itself: the Python block becomes a module in a
temporary folder, a small launcher registers it the way step 3 says, and the lit blocks' RUN
lines run against that launcher with LLVM's FileCheck.
"""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import llvm
import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "writing-a-pass.md"
FILECHECK = Path(llvm.__file__).parent / "bin" / "FileCheck"

LAUNCHER = """
import sys
sys.path.insert(0, {folder!r})
import qdmlir.passes as registry

def _checkpoint_strip_yield():
    from checkpoint_strip_yield import CheckpointStripYieldPass

    return CheckpointStripYieldPass

registry._PASSES["checkpoint-strip-yield"] = _checkpoint_strip_yield  # step 3 of the page
from qdmlir.tools.qd_opt import main

sys.exit(main())
"""


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), re.S)


@pytest.fixture(scope="module")
def qd_opt(tmp_path_factory) -> list[str]:
    """A qd-opt command line that knows the page's pass."""
    folder = tmp_path_factory.mktemp("plugin")
    (pass_code,) = [b for b in _blocks("python") if "class CheckpointStripYieldPass" in b]
    (folder / "checkpoint_strip_yield.py").write_text(pass_code)
    launcher = folder / "qd_opt_with_plugin.py"
    launcher.write_text(LAUNCHER.format(folder=str(folder)))
    return [sys.executable, str(launcher)]


def _joined(lines: list[str]) -> list[str]:
    commands, current = [], ""
    for line in lines:
        current += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            commands.append(current)
            current = ""
    return commands


def _run(command: str, path: Path, qd_opt: list[str]) -> None:
    """One RUN line: `[not] qd-opt ARGS [2>&1] | FileCheck %s [OPTIONS]`."""
    producer, consumer = (part.strip() for part in command.replace("%s", str(path)).split("|"))
    words = shlex.split(producer)
    expect_failure = words[0] == "not"
    words = words[1:] if expect_failure else words
    merged = words[-1] == "2>&1"
    words = words[:-1] if merged else words
    assert words[0] == "qd-opt", command
    done = subprocess.run(qd_opt + words[1:], capture_output=True, text=True)
    assert (done.returncode != 0) == expect_failure, done.stderr
    output = done.stdout + (done.stderr if merged else "")
    check = shlex.split(consumer)
    assert check[0] == "FileCheck", command
    checked = subprocess.run(
        [str(FILECHECK), *check[1:]], input=output, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("index", [0, 1], ids=["test", "invalid-twin"])
def test_the_page_lit_tests_pass(index, qd_opt, tmp_path):
    text = _blocks("mlir")[index]
    path = tmp_path / "case.mlir"
    path.write_text(text)
    commands = _joined(re.findall(r"^// RUN: (.*)$", text, re.M))
    assert commands
    for command in commands:
        _run(command, path, qd_opt)


def test_the_pass_runs_on_a_real_kernel(qd_opt, tmp_path):
    """Step 6: the demo kernel, numbered, stripped, verified and lowered."""
    kernel_ir = subprocess.run(
        [
            sys.executable,
            "-m",
            "qdmlir.tools.qd_compile",
            str(ROOT / "docs/examples/demo.py"),
            "--kernel",
            "simulate",
            "--emit",
            "kernel-ir",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = tmp_path / "demo.mlir"
    path.write_text(kernel_ir)
    assert "yield_on" in kernel_ir
    stripped = subprocess.run(
        qd_opt + [str(path), "-p", "checkpoint-number,checkpoint-strip-yield"],
        capture_output=True,
        text=True,
    )
    assert stripped.returncode == 0, stripped.stderr
    assert "label 0" in stripped.stdout and "yield_on" not in stripped.stdout
    pipeline = "checkpoint-number,checkpoint-strip-yield,checkpoint-verify,checkpoint-lower"
    lowered = subprocess.run(qd_opt + [str(path), "-p", pipeline], capture_output=True, text=True)
    assert lowered.returncode == 0, lowered.stderr
    assert "qd.lowered" in lowered.stdout and "checkpoint." not in lowered.stdout
