# Two commands on a fresh machine: `make demo` and `make test` (each sets up .venv first).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# the reference implementations for `make bench` (Quadrants, numba) live in their own venv
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
ROUNDS ?= 3

.PHONY: venv demo test lit pytest bench clean

venv: $(STAMP)

# Reinstall when the dependency pins change; the editable install tracks source edits itself.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: venv
	$(BIN)/python docs/examples/demo.py

test: lit pytest

lit: venv
	$(BIN)/lit tests/lit -sv

pytest: venv
	$(BIN)/python -m pytest tests/python -q -p no:cacheprovider

$(BENCH_STAMP): bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements.txt
	touch $@

bench: venv $(BENCH_STAMP)
	$(BIN)/python bench/run.py --reference-python $(BENCH_VENV)/bin/python --rounds $(ROUNDS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) build *.egg-info .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
	find tests/lit -name Output -prune -exec rm -rf {} +
