# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)

.PHONY: install browser demo test lint format db-start db-stop db-status clean-venv

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: install
	$(BIN)/deltaworks demo

# Debian's Chromium for the dashboard's browser tests (Playwright cannot download its own here).
browser:
	test -x /usr/bin/chromium || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; } \
		|| echo "could not install chromium: the browser tests will be skipped"

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

db-start: install
	$(BIN)/deltaworks db start

db-stop: install
	$(BIN)/deltaworks db stop

db-status: install
	$(BIN)/deltaworks db status

clean-venv:
	rm -rf $(VENV)
