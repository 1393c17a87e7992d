# Front door of the project. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STUDY ?= study.yaml

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## Create or update the virtual environment in .venv

report: $(STAMP) ## Set up and run the main job: clean (if inputs changed), run notebooks, export HTML
	$(BIN)/survey report --study $(STUDY)

verify: $(STAMP) ## Auditors: re-hash inputs/outputs and re-run cleaning to confirm identical bytes
	$(BIN)/survey verify --study $(STUDY)

clean-data: $(STAMP) ## Clean the data only (writes data/processed)
	$(BIN)/survey clean --study $(STUDY)

demo: $(STAMP) ## Regenerate the synthetic demo study in data/raw/demo
	$(BIN)/survey demo

test: $(STAMP) ## Set up and run the test suite
	$(BIN)/python -m pytest -n 2 -q --durations=10

lint: $(STAMP) ## Lint with ruff and type-check survey/ with mypy
	$(BIN)/ruff check survey tests benchmarks
	$(BIN)/mypy

KERNEL := survey
KERNEL_DISPLAY := 调研分析 (survey)

kernel: $(STAMP) ## Register the notebooks' named Jupyter kernel "调研分析 (survey)" inside .venv
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "$(KERNEL_DISPLAY)"
	@echo "已在 .venv 中注册内核“$(KERNEL_DISPLAY)”。"
	@echo "若要在已有的 Anaconda JupyterLab 中使用该内核，运行一次："
	@echo "  $(abspath $(BIN))/python -m ipykernel install --user --name $(KERNEL) --display-name \"$(KERNEL_DISPLAY)\""

lab: kernel ## Open JupyterLab on the notebooks with the named kernel (STUDY=... picks the study; --allow-root as root)
	PATH="$(CURDIR)/$(BIN):$$PATH" SURVEY_STUDY="$(abspath $(STUDY))" $(BIN)/jupyter lab \
		--notebook-dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

bench: $(STAMP) ## Run the benchmarks (on demand; not part of the tests)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

.PHONY: help venv report verify clean-data demo test lint kernel lab bench
