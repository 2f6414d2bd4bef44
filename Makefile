# `make test` and `make serve` create .venv when it is missing (or pyproject.toml changed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint unit serve bench bench-quick eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
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
