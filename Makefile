# kb: make run (set up and serve) and make test (set up and test) are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup db run test lint format serve bench eval-ingest bench-ingest clean

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

db: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_corpus

run: db
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Ingest evaluation and benchmark, each on a throwaway SQLite database (EVAL_ARGS/BENCH_ARGS pass options).
eval-ingest: setup
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && export DATABASE_URL=sqlite:///$$tmp/eval.sqlite3 && \
	$(PY) manage.py migrate --no-input -v0 && $(PY) manage.py eval_ingest $(EVAL_ARGS)

bench-ingest: setup
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && export DATABASE_URL=sqlite:///$$tmp/bench.sqlite3 && \
	$(PY) manage.py migrate --no-input -v0 && $(PY) bench/ingest_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
