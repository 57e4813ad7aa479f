# kb: make run (set up and serve) and make test (set up and test) are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
DEV_STAMP := $(VENV)/.requirements-dev-installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup setup-dev db run test lint format serve backup restore load bench eval-ingest bench-ingest clean

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# Tests, lint, benchmarks and the dev tools need requirements-dev.txt; a deployment does not.
setup-dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(DEV_STAMP)

db: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_corpus

# The development server; make serve is the one for production (docs/deployment.md), so Django's notice is not repeated.
run: db
	DJANGO_RUNSERVER_HIDE_WARNING=true $(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs in one process per core (pytest-xdist), each on its own test database.
# TEST_WORKERS=0 runs it in this process; TEST_ARGS adds pytest options, e.g. TEST_ARGS='-k api'.
TEST_WORKERS ?= auto
TEST_ARGS ?=
test: setup-dev
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(TEST_ARGS)

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Production: gunicorn with WhiteNoise static files on PostgreSQL (docs/deployment.md).
# Needs DATABASE_URL (PostgreSQL), SECRET_KEY and ALLOWED_HOSTS; BIND and WORKERS override.
BIND ?= 127.0.0.1:8000
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
serve: setup
	@case "$${DATABASE_URL:-}" in postgres://*|postgresql://*) ;; *) \
	  echo "make serve: set DATABASE_URL to a PostgreSQL database, e.g. postgres://kb:secret@127.0.0.1:5432/kb (got '$${DATABASE_URL:-}')." >&2; \
	  exit 2;; esac
	KB_ENV=production $(PY) manage.py migrate --no-input
	KB_ENV=production $(PY) manage.py collectstatic --no-input -v0
	KB_ENV=production $(PY) manage.py check --deploy
	KB_ENV=production exec $(PY) -m gunicorn kb.wsgi:application --bind $(BIND) --workers $(WORKERS) \
	  --access-logfile - --error-logfile - --timeout 60 --graceful-timeout 30

# Backup and restore (docs/deployment.md, "Backup and restore"): make backup writes backups/kb-<time>.jsonl.gz;
# make restore FILE=… loads one into an empty database (RESTORE_ARGS=--force empties it first).
backup: setup
	$(PY) manage.py kb_backup

restore: setup
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/kb-<time>.jsonl.gz [RESTORE_ARGS=--force]" >&2; exit 2; }
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py kb_restore "$(FILE)" $(RESTORE_ARGS)

# The targets below run the development tools (the kbdev app: load_check, eval_ingest, synth_kb),
# which manage.py has unless KB_ENV=production.

# Load without loss under gunicorn (LOAD_ARGS=--short is the CI run): on a throwaway SQLite
# file, or with LOAD_DATABASE_URL=postgres://…/kb_load on that scratch database, emptied first.
load: setup-dev
	@if [ -n "$(LOAD_DATABASE_URL)" ]; then \
	  DATABASE_URL="$(LOAD_DATABASE_URL)" $(PY) manage.py load_check --flush $(LOAD_ARGS); \
	else \
	  tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  DATABASE_URL=sqlite:///$$tmp/load.sqlite3 $(PY) manage.py load_check $(LOAD_ARGS); \
	fi

# Ingest evaluation and benchmark, each on a throwaway SQLite database (EVAL_ARGS/BENCH_ARGS pass options).
eval-ingest: setup-dev
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && export DATABASE_URL=sqlite:///$$tmp/eval.sqlite3 && \
	$(PY) manage.py migrate --no-input -v0 && $(PY) manage.py eval_ingest $(EVAL_ARGS)

bench-ingest: setup-dev
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && export DATABASE_URL=sqlite:///$$tmp/bench.sqlite3 && \
	$(PY) manage.py migrate --no-input -v0 && $(PY) bench/ingest_bench.py $(BENCH_ARGS)

# Performance at scale against the floor and a Datasette peer, on SQLite and PostgreSQL (docs/performance.md).
# BENCH_SCALE (default 1), BENCH_PG_URL, BENCH_REPEATS; Datasette lives in its own bench/.venv.
BENCH_VENV := bench/.venv
$(BENCH_VENV)/.installed: bench/requirements.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

bench: setup-dev $(BENCH_VENV)/.installed
	$(PY) -m bench.run --update-docs

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
