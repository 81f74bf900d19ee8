# certcredit: the two set-up commands are `make run` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE := certcredit.web.settings
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint fix format unit integration pg-start pg-stop browser-deps documents-deps documents-test-deps bench clean

$(BIN)/python:
	@$(PYTHON) -c "import sys; assert sys.version_info[:2] == (3, 11)" 2>/dev/null || { echo "Python 3.11 is required (found: $(PYTHON))" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamps make both commands idempotent: pip runs again only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed documents-deps
	$(BIN)/certcredit migrate
	$(BIN)/certcredit demo
	$(BIN)/certcredit keys create --if-missing
	$(BIN)/certcredit serve --host 127.0.0.1 --port 8000

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench training
	$(BIN)/ruff format --check src tests bench training
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

fix: $(VENV)/.installed-test
	$(BIN)/ruff check --fix src tests bench training
	$(BIN)/ruff format src tests bench training

# Unit and integration tests on SQLite, then the store tests again on a real PostgreSQL server.
test: lint browser-deps documents-test-deps pg-start
	$(BIN)/pytest -n 2 -p no:cacheprovider
	DATABASE_URL="$$(scripts/pg.sh url)" $(BIN)/pytest -n 2 -p no:cacheprovider -m store tests/integration

unit: $(VENV)/.installed-test
	$(BIN)/pytest -n 2 tests/unit

pg-start:
	@scripts/pg.sh start

pg-stop:
	@scripts/pg.sh stop

browser-deps:
	@scripts/browser.sh

# Pango for WeasyPrint's PDF documents; with the tests, also poppler-utils (pdftoppm renders PDF pages to PNG).
documents-deps:
	@scripts/documents.sh

documents-test-deps:
	@scripts/documents.sh --test

bench: $(VENV)/.installed-test
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/evaluate.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
