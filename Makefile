# dangjian — the commands a developer and CI use. Python ≥ 3.11 is all a fresh machine needs:
# the first target creates .venv, installs uv into it and lets uv install the locked set.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
MANAGE := $(BIN)/python manage.py
DEMO_MEMBERS ?= 6000
DEMO_SEED ?= 1
BENCH_MEMBERS ?= 1000000

.PHONY: install run test lint bench vendor clean

install: $(VENV)/.synced

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# uv itself is in the dev group at the same version, so `uv sync` keeps it in the venv.
$(VENV)/.synced: pyproject.toml uv.lock | $(BIN)/uv
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --locked --python $(BIN)/python --quiet
	touch $@

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) demo --members $(DEMO_MEMBERS) --seed $(DEMO_SEED) --if-empty
	@echo ""
	@echo "dangjian: http://127.0.0.1:8000/"
	@# The background worker (large imports) runs beside the server and stops with it.
	$(MANAGE) worker --no-reload & WORKER=$$!; trap 'kill $$WORKER' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:8000

# -n auto: one pytest worker per CPU (pytest-xdist); each worker has its own test database.
test: install
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(MANAGE) makemigrations --check --dry-run

bench: install
	$(BIN)/python -m bench --members $(BENCH_MEMBERS)

# Refresh static/vendor/ from the npm registry (needs node and npm; a normal install does not).
vendor:
	scripts/vendor-assets.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache staticfiles
