# Two commands on a fresh machine: `make run` and `make test`. Both create or reuse .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help setup redis-server run test lint format docs bench clean

help:
	@echo "make run    ingest samples/, then run the Slack bot, REST API and scheduler"
	@echo "make test   the whole test suite"
	@echo "make lint   ruff + mypy on core"
	@echo "make bench  latency benchmark on the samples"
	@echo "make docs   regenerate the README's generated tables (settings, /gong commands)"

# Reinstalled whenever pyproject.toml changes. pip (not uv/poetry): it finds the local
# CPU build of torch; the others would download a CUDA build.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(BIN)/sophia prepare-model
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

# Index the samples, then run the bot, the REST API and the scheduler until Ctrl-C. Without
# SLACK_BOT_TOKEN and SLACK_APP_TOKEN (in .env) the bot stays off and says how to turn it on.
# Logs are plain text here unless LOG_FORMAT is set in the environment (deployments log JSON).
run: setup
	$(BIN)/sophia ingest --from-dir samples
	LOG_FORMAT=$${LOG_FORMAT:-text} $(BIN)/sophia run

test: setup redis-server
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src/sophia

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: setup
	$(BIN)/python -m sophia.cli.readme

bench: setup
	$(BIN)/python benchmarks/latency.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
