# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates .venv (if missing) and installs the project with what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: demo test lint catalog bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,fast,temporal]'
	touch $(STAMP) $(DEMO_STAMP)

# The demo needs the package only, not the test tools.
$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(DEMO_STAMP)

# The demo: the connector page's first example against the embedded sandbox; its summary
# (loop iterations folded, the final result), then the debug view of one step.
demo: $(DEMO_STAMP)
	run=$$($(BIN)/intercom-connector run examples/contacts-companies.yaml --sandbox --quiet) && \
	$(BIN)/intercom-connector runs show "$$run" --summary && echo && \
	$(BIN)/intercom-connector runs show "$$run" --step 'loop-1[0].list-attached-companies'

# Two workers (pytest-xdist): tests bind port 0 and use their own temporary directories.
test: $(STAMP) lint
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

catalog: $(STAMP)
	$(BIN)/python scripts/generate_catalog.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --write

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
