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
# make run serves on HOST:PORT the way a deployment looks: DEBUG off, so a wrong address or a
# refusal shows the application's own pages (页面不存在, 无权执行此操作). DEBUG=1 (or make dev)
# shows Django's debug pages instead: tracebacks, and every route on a 404.
HOST ?= 127.0.0.1
PORT ?= 8000
DEBUG ?= 0

.PHONY: install run dev test lint bench vendor clean

install: $(VENV)/.synced

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# uv itself is in the dev group at the same version, so `uv sync` keeps it in the venv. The
# installed packages are compiled to bytecode once here: otherwise every process (each test
# worker, each management command a test starts) compiles Django and the rest from source again.
$(VENV)/.synced: pyproject.toml uv.lock | $(BIN)/uv
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --locked --python $(BIN)/python --quiet --compile-bytecode
	touch $@

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) demo --members $(DEMO_MEMBERS) --seed $(DEMO_SEED) --if-empty
	@echo ""
	@echo "dangjian: http://$(HOST):$(PORT)/ (DEBUG=$(DEBUG))"
	@# The background worker (large imports) runs beside the server and stops with it. Static
	@# files are served by WhiteNoise from static/ and the apps, with DEBUG on or off.
	DEBUG=$(DEBUG) $(MANAGE) worker --no-reload & WORKER=$$!; trap 'kill $$WORKER' EXIT INT TERM; \
	DEBUG=$(DEBUG) $(MANAGE) runserver $(HOST):$(PORT)

# The developer's mode: make run with Django's debug pages.
dev:
	$(MAKE) run DEBUG=1

# -n auto: one pytest worker per CPU (pytest-xdist), each with its own test database; worksteal: a
# worker that runs out of tests takes some of the other's, so none idles while one finishes alone.
# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): each
# worker would otherwise compile and assertion-rewrite every test module again (about 5 s each).
test: install
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n auto --dist worksteal $(PYTEST_ARGS)

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
