"""Draw bench/results/latest.json as a PNG: qdmlir's speed-up over Quadrants and its distance
from numba, per case, against docs/performance.md. Runs in the reference venv (matplotlib).

    python bench/plot.py bench/results/latest.json bench/results/cpu.png
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402


def main(source: str, target: str) -> None:
    rows = [r for r in json.load(open(source))["rows"] if r["speedup_vs_quadrants"]]
    labels = [r["case"].replace(", ", ",\n") for r in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    left.barh(labels, [r["speedup_vs_quadrants"] for r in rows], color="#3a7bd5")
    left.axvline(1.0, color="black", linewidth=0.8)
    left.set_xscale("log")
    left.set_title("qdmlir speed-up over Quadrants 1.3.3 (higher is better)")
    numba_rows = [r for r in rows if r["times_numba"]]
    right.barh(
        [r["case"].replace(", ", ",\n") for r in numba_rows],
        [r["times_numba"] for r in numba_rows],
        color="#d5773a",
    )
    right.axvline(1.0, color="black", linewidth=0.8)
    right.set_xscale("log")
    right.set_title("qdmlir time / numba time (lower is better)")
    for axis in (left, right):
        axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        axis.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
