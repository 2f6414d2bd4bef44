# `make test` and `make serve` create .venv when it is missing (or pyproject.toml changed).
# The venv has the [gpu] extra, so the wan-animate engine's tests run (on the CPU, tiny weights). Its
# torch is the CPU build, installed first and pinned: the extra then finds torch satisfied and pip never
# fetches a CUDA build. `pip install motionctl` alone installs no torch.
PYTHON ?= python3
TORCH ?= torch==2.13.0
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint unit serve bench bench-quick eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q '$(TORCH)'
	$(BIN)/pip install -q -e '.[dev,gpu]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

test: lint
	$(BIN)/python -m pytest -q

unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser and not postgres"

serve: $(STAMP)
	$(BIN)/motionctl serve

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/matrix.py

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/matrix.py --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
