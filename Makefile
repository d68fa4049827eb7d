# The two commands: `make demo` and `make test`. Each creates .venv and installs the project when needed.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.pimflow-installed

# Airflow lives inside the repo (ignored), never in ~/airflow; SQLite is the embedded default.
export AIRFLOW_HOME ?= $(CURDIR)/.airflow/home
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export PIMFLOW_PROFILES_DIR ?= $(CURDIR)/include/profiles

.PHONY: install demo test airflow bench clean test-browser test-cluster

install: $(STAMP)

# The wheel holds the runtime (plugins/) only; the dev venv also gets the dev tooling on its path:
# tools/ (pimflowdev: demo, local stack, sandbox launcher) and the repository root (sandbox, bench).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -c 'import pathlib, sys, sysconfig; pathlib.Path(sysconfig.get_path("purelib"), "pimflow-dev.pth").write_text("\n".join(sys.argv[1:]) + "\n")' '$(CURDIR)/tools' '$(CURDIR)'
	@touch $@

demo: $(STAMP)
	$(BIN)/python -m pimflowdev demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

airflow: $(STAMP)
	$(BIN)/python -m pimflowdev airflow

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf .airflow .pimflow .pytest_cache

# The end-to-end suites (`.ci/run` runs them after `make test`): each fragment installs what it needs.
include e2e/browser/browser.mk
include e2e/cluster/cluster.mk
