# Two commands set everything up on a fresh machine:
#   make run    create .venv, install, ingest seeds/, serve the chat on http://127.0.0.1:7860
#   make test   create .venv, install, run the test suite (CI runs this)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 7860

# Offline always: no model hub, no Gradio or Chroma telemetry.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install browser postgres run ingest serve lint test test-fast test-unit bench screenshot readme clean

install: $(VENV)/.installed

# torch first, pinned: the CPU wheel on this machine. A bare `torch` requirement pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

ingest: install
	$(BIN)/assistant ingest seeds/

run: ingest
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium (Playwright's own browser download does not work offline).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium" >&2; fi; }

# The PostgreSQL catalogue's tests start a throwaway server of their own: Debian's postgresql gives initdb and pg_ctl.
postgres:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  else echo "PostgreSQL catalogue tests need Debian's postgresql: sudo apt-get install postgresql" >&2; fi; }

# ruff and mypy first: a lint or type error fails `make test` (and so CI) before the suite runs.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint browser postgres
	$(BIN)/python -m pytest

test-fast: lint postgres
	$(BIN)/python -m pytest -m "not slow"

# The unit layer: no model (a small fake embedding), no processes or browsers; seconds.
test-unit: lint postgres
	$(BIN)/python -m pytest -m "not slow and not model"

# Writes docs/BENCHMARKS.md (about an hour on 2 cores; growth.py to 100k chunks is most of it).
bench: install postgres
	$(BIN)/python bench/evaluate.py
	$(BIN)/python bench/calibrate_refusal.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/backends.py
	$(BIN)/python bench/coldstart.py
	$(BIN)/python bench/growth.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/quotes.py
	$(BIN)/python bench/support.py
	$(BIN)/python bench/llm_support.py
	$(BIN)/python bench/near_miss.py
	$(BIN)/python bench/refusal_curve.py
	$(BIN)/python bench/catalogue.py

# The README's settings table, from assistant.Settings (tests/test_readme.py checks it is current).
readme: install
	$(BIN)/python -m assistant.config README.md

screenshot: install browser
	$(BIN)/python docs/make_screenshot.py

clean:
	rm -rf $(VENV) .assistant .pytest_cache
