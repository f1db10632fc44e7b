# Two commands on a fresh machine: `make demo` and `make test` (each sets up .venv first).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# the reference implementations for `make bench` (Quadrants, numba) live in their own venv
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
ROUNDS ?= 3

.PHONY: venv demo test lit pytest lint format bench clean rocm-toolchain fuzz cuda-overhead upstream

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

# ruff's formatter and linter, configured in pyproject.toml; `make format` applies both
lint: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The long differential run (docs/testing.md): N random kernels from seed SEED, compiled for the
# CPU and checked against the reference interpreter; a failure prints the shrunk program.
N    ?= 20000
SEED ?= 1
fuzz: venv
	QD_FUZZ_PROGRAMS=$(N) QD_FUZZ_SEED=$(SEED) $(BIN)/python -m pytest \
	  tests/python/test_differential.py -k random -q -s -p no:cacheprovider

# Quadrants' own test files, unmodified, against qdmlir (docs/upstream-tests.md):
#   make upstream UPSTREAM=/path/to/quadrants [UPSTREAM_FILES="test_graph.py ..."] [UPSTREAM_JSON=out.json]
UPSTREAM_STAMP := $(VENV)/.upstream-installed
$(UPSTREAM_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,upstream]'
	touch $@

upstream: $(UPSTREAM_STAMP)
	@test -n "$(UPSTREAM)" || { echo "usage: make upstream UPSTREAM=/path/to/quadrants (a checkout with tests/)"; exit 2; }
	$(BIN)/python tools/upstream/run.py $(UPSTREAM) $(UPSTREAM_FILES) $(if $(UPSTREAM_JSON),--json $(UPSTREAM_JSON))

# The ROCm target's code objects (hsaco) need LLVM 19's AMDGPU back end, which the MLIR/LLVM 22
# wheels lack: Debian's llvm-19 and lld-19 (--emit llvm-ir needs neither). Installs them as root
# on Debian/Ubuntu; otherwise prints the command and fails.
ROCM_TOOLS := opt-19 llc-19 ld.lld-19 llvm-readelf-19
ROCM_APT   := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends llvm-19 lld-19

rocm-toolchain:
	@missing=; for t in $(ROCM_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -z "$$missing" ]; then \
	  echo "rocm-toolchain: llvm-19 and lld-19 are installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  $(ROCM_APT) || { apt-get update -qq && $(ROCM_APT); }; \
	else \
	  echo "rocm-toolchain:$$missing not found; install LLVM 19 with: sudo apt-get install llvm-19 lld-19"; \
	  exit 1; \
	fi

$(BENCH_STAMP): bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements.txt
	touch $@

bench: venv $(BENCH_STAMP)
	$(BIN)/python bench/run.py --reference-python $(BENCH_VENV)/bin/python --rounds $(ROUNDS)

# The host cost of a steady tiny 3-task call on the CUDA path (a graph replayed), timed over the
# stand-in libcuda.so.1 of tests/stubcuda (real cuda-bindings, no GPU, nothing executes): only
# qdmlir's own Python is measured. Needs a C compiler and CUDA's cuda.h (nvcc).
STUBCUDA := build/stubcuda
cuda-overhead: venv
	sh tests/stubcuda/build.sh $(STUBCUDA)
	LD_LIBRARY_PATH=$(STUBCUDA) $(BIN)/python bench/cuda_bench.py --host-overhead

clean:
	rm -rf $(VENV) $(BENCH_VENV) build *.egg-info .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
	find tests/lit -name Output -prune -exec rm -rf {} +
