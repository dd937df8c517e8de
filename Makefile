# duibiao — the newcomer's path: `make demo` and `make test` do all their own set-up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FRONT := frontend/node_modules/.installed
DIST := src/duibiao/web/static/dist/.built
MO := src/duibiao/locale/en/LC_MESSAGES/django.mo
export DUIBIAO_VAR_DIR ?= $(CURDIR)/var
# `make demo PORT=8080` serves the demo on another port.
PORT ?= 8000

.PHONY: demo test setup serve migrate lint bench messages screenshots clean

setup: $(STAMP) $(DIST) $(MO)

# Python packages: exact pins from pyproject.toml, the rest held by requirements.lock.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test,bench]'
	touch $@

# Front-end packages from npm (lock file), copied into static files; nothing vendored.
$(FRONT): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(DIST): $(FRONT) frontend/build.mjs
	node frontend/build.mjs
	touch $@

$(MO): src/duibiao/locale/en/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/pybabel compile --statistics -d src/duibiao/locale -D django

migrate: setup
	$(BIN)/duibiao migrate --noinput -v0

demo: migrate
	$(BIN)/duibiao collectstatic --noinput -v0
	$(BIN)/duibiao demo-data
	@echo
	@echo "对标 duibiao 已启动 / serving at http://127.0.0.1:$(PORT)  (Ctrl-C 停止 / to stop)"
	$(BIN)/duibiao serve --bind 127.0.0.1:$(PORT)

serve: migrate
	$(BIN)/duibiao collectstatic --noinput -v0
	$(BIN)/duibiao serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/mypy src/duibiao

# Two workers on two cores: the browser and live-server tests wait on I/O, so the suite runs in
# about two thirds of the serial time (875 tests: 300 s serially, 188 s on two workers, same load); whole files go to one worker (--dist loadfile) so a module's
# shared fixture is built once. PYTEST_ARGS="-n 0" runs it serially.
PYTEST_ARGS ?= -n 2 --dist loadfile
test: setup lint
	$(BIN)/pytest -q $(PYTEST_ARGS)

# Every benchmark with its default (bounded) sizes, then one summary table, also written at the
# top of docs/benchmarks.md; a failing bench does not stop the others (exit 1 at the end).
# `make bench BENCH_ARGS=--no-docs` leaves the page alone; `BENCH_ARGS="warm_start results"` runs those.
BENCH_ARGS ?=
bench: setup
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Refresh the translation catalogue after changing strings (needs gettext's xgettext).
messages: setup
	cd src/duibiao && ../../$(BIN)/duibiao makemessages -l en --no-obsolete --no-location \
		--ignore='engine/*' --ignore='schemes/*'

clean:
	rm -rf $(VENV) frontend/node_modules src/duibiao/web/static/dist var
