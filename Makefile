# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run    set up .venv, migrate the database, load the regency's areas, run the bot
#   make test   set up .venv, then ruff, mypy and the whole test suite
#   make bench  set up .venv, then the benchmarks (BENCH_ARGS="--quick --out /tmp/r.json")
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
BENCH_ARGS ?=

.PHONY: run test lint typecheck pytest migrate backup clean bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 atau lebih baru diperlukan / Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot run

test: lint typecheck pytest

lint: $(STAMP)
	$(PY) -m ruff check .

typecheck: $(STAMP)
	$(PY) -m mypy

pytest: $(STAMP)
	$(PY) -m pytest

migrate: $(STAMP)
	$(PY) -m bot migrate

bench: $(STAMP)
	$(PY) -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
