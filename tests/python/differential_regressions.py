"""Programs the differential tests once failed on, shrunk, kept as explicit cases.

Each is a `Program` as kernel_fuzz.py makes them; test_differential.py runs every one through
the same harness (compiled vs reference). Add the shrunk program a failure prints, with a line
saying what broke and where it was fixed.
"""

from kernel_fuzz import Arg, Program, Step


def _program(name: str, body: str, args: list[Arg], labels=(), first=None, steps=()) -> Program:
    signature = ", ".join(f"{a.name}: {a.annotation}" for a in args)
    source = f"\n\n@qd.kernel(graph=True, checkpoints=True)\ndef {name}({signature}):\n{body}"
    return Program(name, source, args, list(labels), first or Step("call"), list(steps))


REGRESSIONS = [
    # A comparison assigned to a top-level variable made an i1 memory cell; MLIR's
    # memref-to-llvm asserts on i1 stores and aborted the process (fixed in
    # frontend/graph_lowering.py: the cell holds the default int).
    _program(
        "r_bool_top_level_variable",
        """\
    v0 = (not (1 > f0[()]))
    for _ in range(1):
        a0[0] = v0 + 1
""",
        [Arg("a0", "data", [0, 0]), Arg("f0", "flag", 1)],
    ),
]
