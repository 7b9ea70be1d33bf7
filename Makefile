# UniBridge: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test test-e2e lint format check demo serve clean bench bench-data screenshots

help:
	@echo "make run    - install, load the demo data and serve UniBridge at http://$(HOST):$(PORT)"
	@echo "make test   - install and run the test suite (SQLite, or DATABASE_URL if set)"
	@echo "make lint   - ruff check, ruff format --check, makemigrations --check"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --verbosity 0
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo
	DEBUG=$${DEBUG:-1} $(PY) manage.py demo_admin
	@# The background worker (exports too long for a request) beside the server, stopped with it.
	DEBUG=$${DEBUG:-1} $(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs on every core (pytest-xdist; PYTEST_WORKERS=0 runs it in one process), a
# test file to a worker, each worker on its own test database. Schemathesis runs apart, in
# one process: under xdist its 57 generated tests collapse into one that checks nothing.
PYTEST_WORKERS ?= auto
SCHEMATHESIS_TESTS := tests/api/test_schemathesis.py
test: install
	$(PY) -m pytest -m "not e2e" -n $(PYTEST_WORKERS) --dist loadfile \
		--ignore=$(SCHEMATHESIS_TESTS) $(PYTEST_ARGS)
	$(PY) -m pytest $(SCHEMATHESIS_TESTS) $(PYTEST_ARGS)

# The browser tests too: each worker its own live server, test database and Chromium.
test-e2e: install
	$(PY) -m pytest -m e2e -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# docs/pages/<page>-<390|1400>.png: every public page and the main back-office pages, on a
# throwaway demo database served on 127.0.0.1 (docs/screenshots.py; Chromium: CHROMIUM).
screenshots: install
	$(PY) docs/screenshots.py

# Production-like serving: collected static files (whitenoise) behind gunicorn. Needs the
# environment of README "Production": DJANGO_ENV=production, SECRET_KEY, ALLOWED_HOSTS,
# DATABASE_URL; WEB_CONCURRENCY workers (default 4).
serve: install
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py db_worker --no-startup-delay --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn cooperation.wsgi:application --bind $(HOST):$(PORT) \
		--workers $${WEB_CONCURRENCY:-4} --access-logfile - --timeout 60

# Benchmarks (bench/RESULTS.md) on their own PostgreSQL database, never the default one.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/unibridge_bench
BENCH_SIZE ?= L

bench-data: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/generate.py --size $(BENCH_SIZE)

bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles unibridge.sqlite3
