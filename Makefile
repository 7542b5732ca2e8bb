# Setup needs only python3 (3.11+) and make: a project-local virtualenv gets uv from PyPI,
# and uv installs the exact versions pinned in uv.lock, compiled to bytecode at install so the
# first run of every command starts as fast as the later ones.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9

.PHONY: setup run demo history test lint docs dev clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(BIN)/uv pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --locked --inexact --extra dev \
		--compile-bytecode --quiet
	touch $@

setup: $(VENV)/.synced  ## install everything into .venv

run: setup  ## the main job: refresh today's partition from the live sources, then publish
	$(BIN)/compute-atlas refresh

demo: setup  ## the whole pipeline offline, from the demo archive shipped in the repo
	$(BIN)/compute-atlas refresh --replay tests/fixtures/demo_archive --date 2026-11-20 \
		--data-dir data/demo

HISTORY_DIR ?= ../shared/data/prices
history: setup  ## import the third-party price history in ../shared/data (the index then runs from 2021)
	@for f in $(HISTORY_DIR)/trackers/cloud-gpus_com/*.json; do \
	  d=$$(basename $$f | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}'); \
	  $(BIN)/compute-atlas import-history cloud-gpus $$f --as-of $$d || exit 1; done
	@for f in $(HISTORY_DIR)/skypilot_catalog/*_20*.csv; do \
	  d=$$(basename $$f | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}'); c=$$(basename $$f | cut -d_ -f1); \
	  $(BIN)/compute-atlas import-history skypilot $$f --as-of $$d --cloud $$c || exit 1; done
	$(BIN)/compute-atlas import-history sooddvs \
	  $(HISTORY_DIR)/trackers/sooddvs_gpu-pricing/gpu_pricing_history_2026-06-15.csv --as-of 2026-06-15

test: setup  ## the test suite (offline)
	$(BIN)/pytest -n 2 -q

lint: setup
	$(BIN)/ruff check .

docs: setup  ## regenerate docs/data-dictionary.md from the catalog
	$(BIN)/python -m models.catalog.dictionary

dev: setup  ## the Dagster UI and daemon (automation runs while this is up)
	mkdir -p .dagster_home && cp dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dg dev

clean:
	rm -rf $(VENV) .dagster_home data/demo
