# Two commands for a fresh machine: `make demo` and `make test`. Both build .venv from the
# pinned lock files; the stamp files make a second run start at once.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test bench lint run serve clean reliability soak

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

# The reliability suite, then docs/reliability.md from the figures it recorded (var/reliability/)
# and its JUnit outcome; on PostgreSQL when TEST_DATABASE_URL is set (run it once per database:
# the document keeps both). It is written even when a test fails (it says which); the target
# then fails.
RELIABILITY_TESTS ?= tests/test_crash.py tests/test_inbox.py tests/test_database_outage.py \
	tests/test_hostile_input.py tests/test_malformed_http.py tests/test_log_privacy.py \
	tests/test_api_errors.py
RELIABILITY_DB = $(if $(TEST_DATABASE_URL),postgresql,sqlite)
reliability: $(VENV)/.stamp-test
	@mkdir -p var/reliability
	@rc=0; $(BIN)/python -m pytest $(RELIABILITY_TESTS) \
		--junitxml=var/reliability/pytest-$(RELIABILITY_DB).xml || rc=$$?; \
	$(BIN)/python -m bench.reliability_report || rc=1; exit $$rc

# The long run: 1,000 users for 60 s on PostgreSQL with two workers (bench/load.py; set
# MOTCUA_LOAD_DATABASE_URL to a database it may empty), then the document again.
soak: $(VENV)/.stamp-test
	MOTCUA_CRASH_TRIALS=100 $(BIN)/python -m pytest tests/test_crash.py
	$(BIN)/python -m bench.load --users 1000 --seconds 60
	$(BIN)/python -m bench.reliability_report

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
