# Two commands on a fresh machine: `make run` and `make test`.
# The interpreter: $(PYTHON) if given, else python3.13/python3.12 on PATH, else pyenv's
# installed 3.12+/3.13+ versions. Each candidate is test-run (pyenv shims exist on PATH even
# when the version is not selected, and fail when called).
SHELL := /bin/bash
VENV  := .venv
VPY   := $(VENV)/bin/python
STAMP := $(VENV)/.installed

define FIND_PY
for c in "$(PYTHON)" python3.13 python3.12 python3 \
         $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
  [ -n "$$c" ] || continue; \
  if "$$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then echo "$$c"; exit 0; fi; \
done; exit 1
endef
export FIND_PY

.PHONY: run test test-nojit fuzz soak validate bench venv clean-venv quick map help view

help:
	@echo "make run       set up .venv, run the default Ustyurt scenario set, print the report path"
	@echo "make test      set up .venv (with optional extras) and run the test suite"
	@echo "make test-nojit  the model's tests with numba switched off (NUMBA_DISABLE_JIT=1: plain Python)"
	@echo "make fuzz      property-based check of malformed scenarios and layer files, thousands of cases"
	@echo "make soak      kill soak: 20+ random kills and resumes of a batch, outputs compared with a clean run"
	@echo "make validate  run the validation checks and write docs/validation.md"
	@echo "make bench     run the speed benchmark (bench/results/)"
	@echo "make view      watch one replicate in the browser: SCENARIO=file [NAME=name] [SEED=n] [PORT=n] (Ctrl-C stops it)"

$(STAMP): pyproject.toml
	@py=$$(bash -c "$$FIND_PY") || { echo "error: no Python >= 3.12 found. Install one (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12'." >&2; exit 1; }; \
	echo "using $$py ($$($$py --version))"; \
	[ -x $(VPY) ] || "$$py" -m venv $(VENV); \
	$(VPY) -m pip install -q --upgrade pip >/dev/null; \
	$(VPY) -m pip install -q -e ".[gis,cluster,dev,viz]"
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(VPY) run_scenarios.py run scenarios/

test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(VPY) -m pytest -q -W error::FutureWarning tests/

# The compiled loops run as plain Python: the same rules, checked without numba (slower; a subset).
test-nojit: $(STAMP)
	NUMBA_DISABLE_JIT=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(VPY) -m pytest -q -W error::FutureWarning \
	  tests/test_population.py tests/test_model.py tests/test_plugins.py tests/test_genetics.py tests/test_prey.py \
	  tests/test_bulk_life.py tests/test_fused_events.py tests/test_fused_glue.py tests/test_hunting_fused.py tests/test_movement.py tests/test_ranges.py tests/test_geometry.py tests/test_prey_diffusion.py

# tests/test_fuzz.py runs 250 cases of each property in `make test`; here 3,000 (docs/reliability.md).
fuzz: $(STAMP)
	SIM_FUZZ_EXAMPLES=$${SIM_FUZZ_EXAMPLES:-3000} OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
	  $(VPY) -m pytest -q -p no:cacheprovider tests/test_fuzz.py

# Not part of `make test` (several minutes): bench/soak.py --help for the options.
soak: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(VPY) bench/soak.py --seed $${SOAK_SEED:-1}

validate: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(VPY) -m sim.validation --out docs/validation.md

bench: $(STAMP)
	$(VPY) bench/run_bench.py

# The browser view of one replicate (docs/view.md); prints the address (127.0.0.1 only).
SCENARIO ?= scenarios/baseline.yaml
view: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(VPY) run_scenarios.py view $(SCENARIO) $(if $(NAME),--name $(NAME)) \
	  $(if $(SEED),--seed $(SEED)) $(if $(PORT),--port $(PORT))

clean-venv:
	rm -rf $(VENV)
