# Two commands on a fresh machine: `make run` and `make test`. Both create or reuse .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help setup redis-server run test lint format docs bench clean

help:
	@echo "make run    ingest samples/ and print cited answers (no accounts, no network)"
	@echo "make test   the whole test suite"
	@echo "make lint   ruff + mypy on core"
	@echo "make bench  latency benchmark on the samples"
	@echo "make docs   regenerate the README configuration table"

# Reinstalled whenever pyproject.toml changes. pip (not uv/poetry): it finds the local
# CPU build of torch; the others would download a CUDA build.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

setup: $(STAMP)

# The Redis tests start redis-server themselves on a free port (no service is used). Installed
# with apt-get when missing, through sudo unless root. Outside CI a failed install only warns:
# those tests then skip with the reason; under CI=true it stops the run.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
		echo "installing redis-server (apt-get)"; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		{ $$sudo apt-get update -qq && \
		  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } \
			>/dev/null || { \
			echo "could not install redis-server: the Redis tests will skip" >&2; \
			[ "$$CI" != true ]; }; }

run: setup
	$(BIN)/sophia ingest --from-dir samples
	$(BIN)/sophia search "pricing objections" --account "Moss & Co" --side customer --limit 3
	$(BIN)/sophia search "security review SSO and data residency" --limit 3
	$(BIN)/sophia search "which competitors are they evaluating" --side customer --limit 3

test: setup redis-server
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy core

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: setup
	$(BIN)/python -c 'from core.config import write_readme_table; write_readme_table()'

bench: setup
	$(BIN)/python benchmarks/latency.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
