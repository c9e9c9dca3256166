# Thin wrappers around ordinary tools: venv, pip, alembic, uvicorn, pytest.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test migrate bench bench-full clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -e .

install-test: $(BIN)/python
	$(BIN)/pip install -e ".[test]"

migrate: install
	$(BIN)/python -m server.storage.migrate

run: migrate
	$(BIN)/python -m server

test: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy server
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python bench/load.py --quick
	$(BIN)/python bench/bench_summary.py

bench-full: install-test
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache test-artifacts
