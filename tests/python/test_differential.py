"""Differential tests: random checkpointed kernels, compiled for the CPU and interpreted by the
reference (reference_interpreter.py), must leave the same arrays and return the same statuses.

CI runs QD_FUZZ_PROGRAMS (default 520) programs from the fixed seed QD_FUZZ_SEED. The long run
is `make fuzz N=20000 SEED=1` (docs/testing.md). A failure prints the shrunk program, its
arguments and its host plan; keep it as an explicit case in differential_regressions.py.
"""

from __future__ import annotations

import math
import os

import pytest
from differential_harness import Harness
from differential_regressions import REGRESSIONS
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from kernel_fuzz import programs

PROGRAMS = int(os.environ.get("QD_FUZZ_PROGRAMS", "520"))
SEED = int(os.environ.get("QD_FUZZ_SEED", "8"))
BATCH = 10
# QD_FUZZ_DEBUG=1 compiles with qd.init(debug=True): every access checked, same results
DEBUG = os.environ.get("QD_FUZZ_DEBUG") == "1"
# QD_FUZZ_SHRINK=0 reports the first failing batch as found (shrinking compiles many variants)
PHASES = [p for p in Phase if p is not Phase.shrink or os.environ.get("QD_FUZZ_SHRINK") != "0"]


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    from qdmlir.frontend import config

    saved = config._current
    config._current = config.Config(debug=DEBUG)  # the compile workers use the same
    harness = Harness(tmp_path_factory.mktemp("differential"), debug=DEBUG)
    yield harness
    harness.close()
    config._current = saved


def test_random_programs_match_the_reference(harness):
    @seed(SEED)
    @settings(
        max_examples=math.ceil(PROGRAMS / BATCH),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
        phases=PHASES,
    )
    @given(st.lists(programs(runtime_divisors=not DEBUG), min_size=BATCH, max_size=BATCH))
    def check(batch):
        harness.run_batch(batch)

    check()
    print(f"differential, seed {SEED}: {harness.summary()}")
    assert harness.programs >= PROGRAMS, (
        f"only {harness.programs} programs ran (wanted {PROGRAMS}): Hypothesis stopped early"
    )


@pytest.mark.parametrize("program", REGRESSIONS, ids=lambda p: p.name)
def test_regressions_match_the_reference(harness, program):
    harness.run_batch([program])
