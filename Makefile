# Kapitza: `make run` runs the default study, `make test` runs the test suite.
# Both create the virtual environment (.venv, pinned versions from requirements.txt) first.

PYTHON ?= python3
VENV ?= .venv
CORES ?= all
STAMP := $(VENV)/.kapitza-installed
BIN := $(VENV)/bin

.PHONY: run test test-fast venv lint dry-run clean help

help:
	@echo "make run      run the default study (config/config.yaml) on all cores"
	@echo "make test     run the test suite (real, tiny LAMMPS simulations included)"
	@echo "make test-fast  the pure tests only (no LAMMPS, MPI or Snakemake; under 2 minutes)"
	@echo "make dry-run  show the jobs of the default study without running them"
	@echo "make lint     ruff and snakemake --lint"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is required"'
	@$(PYTHON) -m venv $(VENV) || { echo "error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . || \
		$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

run: venv
	$(BIN)/snakemake --cores $(CORES)
	@echo
	@echo "Results: results/summary.csv (R_K in m2K/W with 95% CI, G in MW/m2K)"
	@echo "         results/figures/R_K_vs_T.png, per-run profiles in results/<system>/T<T>K/nemd/rep<r>/"

dry-run: venv
	$(BIN)/snakemake -n

test: venv
	$(BIN)/python -m pytest -q

# Pure tests: analysis, geometry, config, figures.  The guard (tests/pure_guard.py) fails
# any test that reaches LAMMPS, MPI or Snakemake without its marker.
test-fast: venv
	KAPITZA_PURE_TESTS=1 $(BIN)/python -m pytest -q -m "not lammps and not snakemake and not slurm and not slow"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/snakemake --lint

clean:
	rm -rf results .snakemake
