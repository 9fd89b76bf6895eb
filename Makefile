# Two commands for a fresh machine: `make demo` and `make test`. Both build .venv from the
# pinned lock files; the stamp files make a second run start at once.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test bench lint run serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-run: $(BIN)/python requirements.lock pyproject.toml
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-run requirements-test.lock
	$(PIP) install -r requirements-test.lock
	touch $@

demo: $(VENV)/.stamp-run
	$(BIN)/motcua demo

serve: $(VENV)/.stamp-run
	$(BIN)/motcua serve

test: $(VENV)/.stamp-test
	@$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: treating as a failure"; exit 1; fi; \
	exit $$rc

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(VENV)/.stamp-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
