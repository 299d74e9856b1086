# The two commands a newcomer needs are `make run` and `make test`; the rest is for contributors.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := LDAPPLY_ENV=development $(BIN)/flask --app wsgi

.PHONY: run test lint format migrate bench bench-generate bench-queue catalogue up down system-deps

run: $(VENV)/.installed-run system-deps
	$(FLASK) db upgrade
	$(FLASK) ldapply seed
	$(BIN)/python scripts/serve.py

test: $(VENV)/.installed-dev
	@scripts/system-deps.sh --test
	$(BIN)/python scripts/test.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(VENV)/.installed-run
	$(FLASK) db migrate -m "$(or $(m),change)"

catalogue: $(VENV)/.installed-dev
	$(BIN)/python scripts/catalogue.py

bench: $(VENV)/.installed-dev
	@scripts/system-deps.sh
	$(BIN)/python bench/letters.py

# The back office at scale, on PostgreSQL (LDAPPLY_BENCH_SERVER, default postgresql://postgres@127.0.0.1:5432/) and
# Redis: `make bench-generate` loads 1,000,000 applications into a fresh database ldapply_bench (n=... for fewer),
# `make bench-queue` measures the queue, case, calls and applicant pages beside a bare Flask page.
bench-generate: $(VENV)/.installed-run
	$(BIN)/python bench/generate.py --count $(or $(n),1000000)

bench-queue: $(VENV)/.installed-run
	$(BIN)/python bench/load.py --duration $(or $(seconds),20) --clients $(or $(clients),20)

up:
	docker compose up --build -d

down:
	docker compose down

system-deps:
	@scripts/system-deps.sh

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "ldapply needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run
