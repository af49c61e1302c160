# Patrimoine — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/patrimoine
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-sqlite test-postgres lint format env services chromium oidc-provider vendor bench clean audit

$(PY): requirements.txt requirements-dev.txt
	@py=$$(tools/find-python.sh) && echo "Creating $(VENV) with $$py" && "$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(PY)

env: $(PY)

## demo: create the environment, migrate, load the demo data and serve on http://127.0.0.1:8000
demo: $(PY)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo "Patrimoine : http://$(HOST):$(PORT)/ — comptes de démonstration dans le README (mot de passe : patrimoine ; code des administrateurs : $(PY) manage.py demo_totp)."
	tools/demo-run.sh $(PY) $(HOST):$(PORT)

## test: the whole suite, on SQLite then on PostgreSQL, browser tests included
test: $(PY) services chromium oidc-provider lint
	$(PY) manage.py makemigrations --check --dry-run
	@# The two suites share nothing (own database, own SQLite file per process, free ports): on two
	@# cores they run side by side, each one's output printed whole when it ends.
	$(MAKE) -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: $(PY)
	DATABASE_URL= $(PY) -m pytest -q --durations=12

test-postgres: $(PY)
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q --durations=12

lint: $(PY)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## audit: known vulnerabilities of the installed dependencies (PyPI's advisory data; needs the network)
audit: $(PY)
	$(VENV)/bin/pip-audit --progress-spinner off $(PIP_AUDIT_FLAGS)

format: $(PY)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## services: PostgreSQL and Redis must answer; start them when they are down
services:
	@tools/services.sh

chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@command -v chromium >/dev/null || (echo "chromium is missing: apt-get install chromium" && exit 1)

## oidc-provider: the real OpenID Connect provider the SSO tests start (npm oidc-provider, pinned by its lock file)
OIDC_DIR := tools/oidc-provider
oidc-provider: $(OIDC_DIR)/node_modules/.installed
$(OIDC_DIR)/node_modules/.installed: $(OIDC_DIR)/package.json $(OIDC_DIR)/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || (echo "node and npm are missing (SSO tests): apt-get install nodejs npm" && exit 1)
	cd $(OIDC_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## bench: benchmarks on PostgreSQL, results as JSON in bench/results/ (never timed assertions in tests)
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/patrimoine_bench
BENCH_PLANS ?= 100000
# Size of the generated agglomeration the pages are measured on: tiny, commune, ville or metropole.
BENCH_SIZE ?= commune
BENCH_DATASET_DB ?= postgres://postgres@127.0.0.1:5432/patrimoine_bench_$(BENCH_SIZE)
bench: $(PY) services
	@mkdir -p bench/results
	-createdb -h 127.0.0.1 -U postgres patrimoine_bench 2>/dev/null
	DATABASE_URL=$(BENCH_DB) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_DB) $(PY) manage.py maintenance_bench --plans $(BENCH_PLANS) > bench/results/maintenance-generation.json
	@cat bench/results/maintenance-generation.json
	$(PY) -m patrimoine.field.bench > bench/results/field.json
	@cat bench/results/field.json
	-createdb -h 127.0.0.1 -U postgres patrimoine_bench_$(BENCH_SIZE) 2>/dev/null
	DATABASE_URL=$(BENCH_DATASET_DB) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_DATASET_DB) $(PY) manage.py generate_dataset --size $(BENCH_SIZE) --if-absent > bench/results/dataset-$(BENCH_SIZE).json
	DATABASE_URL=$(BENCH_DATASET_DB) $(PY) manage.py bench_pages > bench/results/pages-$(BENCH_SIZE).json
	$(PY) -m patrimoine.triage.bench > /dev/null && cat bench/results/triage.json
	$(PY) -m patrimoine.scale.summary

vendor:
	tools/vendor.sh

clean:
	rm -rf var/static

## nginx: Debian's nginx for the production-stack test (patrimoine/deploy/tests/test_production_stack.py)
.PHONY: nginx
test: nginx
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx >/dev/null)
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || (echo "nginx is missing: apt-get install nginx" && exit 1)

## audit-deps: known vulnerabilities of the installed dependencies from PyPI's advisory data, part of
## `make lint` (so of `make test`); accepted ones are listed with a reason in tools/audit-allowlist.txt.
## (`make audit`, pip-audit itself, needs PyPI's per-release documents, unreachable from the build machines.)
.PHONY: audit-deps
lint: audit-deps
audit-deps: $(PY)
	$(PY) tools/audit_dependencies.py

## bench-load: Locust (bench/locustfile.py) against gunicorn with LOAD_WORKERS workers for LOAD_SECONDS s,
## on a copy of the generated dataset (the dataset itself is not touched) → bench/results/load-<size>.json
LOAD_WORKERS ?= 4
LOAD_SECONDS ?= 60
.PHONY: bench-load
bench-load: $(PY) services
	@mkdir -p bench/results
	$(PY) -m patrimoine.scale.load --size $(BENCH_SIZE) --database-url $(BENCH_DATASET_DB) --workers $(LOAD_WORKERS) --seconds $(LOAD_SECONDS)
	$(PY) -m patrimoine.scale.summary
