# Thin wrappers around ordinary tools: venv, pip, alembic, uvicorn, pytest.
# Dependencies come from the lock files (exact versions with hashes); the project itself is then
# installed editable without dependencies. `make lock` regenerates the lock files from pyproject.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# the layers that start no process (tests/conftest.py marks the others)
FAST := not services and not browser and not slow

.PHONY: run test test-fast test-lowest lint install install-test migrate lock bench bench-full clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# a stamp per lock file: `make test` reinstalls only when a lock file or pyproject.toml changed
$(VENV)/.installed: requirements.lock pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --require-hashes -r requirements.lock
	$(BIN)/pip install --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.lock pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --require-hashes -r requirements-test.lock
	$(BIN)/pip install --no-deps -e .
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python -m server.storage.migrate

run: migrate
	$(BIN)/python -m server

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy server

# everything: lint, then every layer (tests/install/test_deploy.py runs deploy/check.sh)
test: lint
	$(BIN)/python -m pytest

# the in-process layer only: no server process, browser, PostgreSQL or Redis
test-fast: install-test
	$(BIN)/python -m pytest -q -m "$(FAST)"

# Python 3.11 is the oldest supported version and the Docker image's; --universal keeps the
# platform markers so one lock file serves Linux, macOS and Windows. Versions already locked
# are kept unless `make lock LOCK_FLAGS=--upgrade`.
LOCK_FLAGS ?=
lock: $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command "make lock" -q $(LOCK_FLAGS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test -c requirements.lock --universal \
	  --python-version 3.11 --generate-hashes --custom-compile-command "make lock" -q \
	  $(LOCK_FLAGS) -o requirements-test.lock

# the minimum versions of pyproject.toml are true: the lowest allowed direct dependencies in a
# venv of their own, then every test but the slow layer (occasionally, by hand; a few minutes)
test-lowest: $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra test --resolution lowest-direct \
	  --python-version 3.11 -q -o $(VENV)-lowest.txt
	$(PYTHON) -m venv $(VENV)-lowest
	$(VENV)-lowest/bin/pip install -q -r $(VENV)-lowest.txt
	$(VENV)-lowest/bin/pip install -q --no-deps -e .
	$(VENV)-lowest/bin/python -m pytest -q -m "not slow"

bench: install-test
	$(BIN)/python bench/load.py --quick
	$(BIN)/python bench/bench_summary.py

bench-full: install-test
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) $(VENV)-lowest $(VENV)-lowest.txt data build .pytest_cache .mypy_cache .ruff_cache test-artifacts
