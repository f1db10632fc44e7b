#!/bin/sh
# The device run: one call on a GPU machine, every log in $OUT (docs/targets.md, CUDA).
#   build first, where the compiler is:  .venv/bin/python tests/gpu/gpu_suite.py build
#   then on the GPU machine, from the repository root, with tests/gpu/artifacts carried along:
#                                        sh tests/gpu/device_run.sh
# Needs Python 3.10+, numpy, pytest and cuda-bindings (torch and CuPy are used where present);
# never the compiler. The machine's facts go to $OUT/machine.txt, each step's output to
# $OUT/<step>.log (gpu_suite.py run: smoke, graphs, direct, sm80, bench, each under `timeout`),
# one line per step to $OUT/summary.txt. The whole run is bounded at 9 minutes.
set -u
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/gpu-run}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 QD_STRICT_ARCH=1
PYTHON=${PYTHON:-python3}
{
  date -u
  nvidia-smi || echo "nvidia-smi: not found"
  "$PYTHON" -V
  "$PYTHON" -m pip list 2>/dev/null | grep -iE '^(cuda|cupy|torch|numpy|pytest)' || true
  git log -1 --format='qdmlir %H %s' 2>/dev/null || true
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"
timeout -k 10 540 "$PYTHON" tests/gpu/gpu_suite.py run --out "$OUT" --artifacts tests/gpu/artifacts
code=$?
[ "$code" = 124 ] && echo "device run: TIMED OUT after 540 s" | tee -a "$OUT/summary.txt"
exit "$code"
