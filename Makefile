# The verbs people type. Everything runs from the virtual environment in .venv,
# created on first use from pyproject.toml.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUT ?= dist

.PHONY: install system run build dev api test test-pg bench lint format clean axe

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed (found " + sys.version.split()[0] + ")")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[build,dev]'
	touch $(STAMP)

## Build the site and serve it with the API on http://127.0.0.1:8080 (data in ~/_timetagger).
run: build
	$(PY) -m timetagger --site_dir=$(OUT)

## Compile site_src/ into dist/ (API_URL=https://api.example.com/timetagger/api/v2/ for a split deploy).
build: install
	$(PY) build.py --out $(OUT) $(if $(API_URL),--api-url $(API_URL))

## Rebuild on every change and serve dist/ and the API together on 127.0.0.1:8080.
dev: install
	$(PY) build.py --out $(OUT) --watch --serve

## axe-core for the accessibility checks of the browser tests, from the npm registry
## into tests/e2e/axe/node_modules (the versions of its package-lock.json).
AXE_STAMP := tests/e2e/axe/node_modules/.installed

axe: $(AXE_STAMP)

$(AXE_STAMP): tests/e2e/axe/package-lock.json
	cd tests/e2e/axe && npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE_STAMP)

## Run the API process only.
api: install
	$(PY) -m timetagger

## The system packages the tests need: installed if missing and allowed, else the command.
system:
	@$(PYTHON) tools/setup_system.py

## Everything, layer by layer: package and build, API, client logic in node, end to end
## in headless Chromium (LAYERS=api,browser for some; PYTEST_ARGS=-x goes to each).
## The system packages come first: python3-venv may be needed to create .venv.
test: system
	@$(MAKE) --no-print-directory install axe
	@$(PY) tools/run_tests.py $(if $(LAYERS),--layers=$(LAYERS)) $(PYTEST_ARGS)

## The API layer with every test against PostgreSQL too (make test runs the files of
## PG_IN_EVERY_RUN in tests/api/conftest.py there, the rest against SQLite only).
test-pg: install
	TIMETAGGER_TEST_PG=all $(PY) -m pytest tests/api -q $(PYTEST_ARGS)

## Fuzz the API from docs/openapi.yaml for about ten minutes, with a new seed each run (FUZZ_SEED=n, FUZZ_EXAMPLES=n to choose).
fuzz: install
	@seed=$${FUZZ_SEED:-$$(date +%s)}; echo "fuzzing with FUZZ_SEED=$$seed"; \
	FUZZ_SEED=$$seed FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-600} $(PY) -m pytest tests/api/test_fuzz.py -q -s

.PHONY: fuzz

## Benchmarks, side by side with the original TimeTagger where that applies.
bench: install build
	$(PY) bench/run.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(OUT) dist.tmp-* dist.old-* .pytest_cache .ruff_cache test-artifacts bench/results
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
