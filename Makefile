# Two commands do all set-up: `make run` and `make test`. Both create .venv when missing.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# Slow tests (the 30-kill crash loop) are left to .ci/run; `make test PYTEST_ARGS=` runs everything.
PYTEST_ARGS ?= -m "not slow"
# Test workers (pytest-xdist): one per core by default; `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= auto

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps re-install only when pyproject.toml changes.
# `make run` installs the play extra (the offline playground: simcord, rich); `pip install .` alone does not.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[play]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,play]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/ostbot start

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache .hypothesis
