"""Loads the maintained reference CSVs under ``models/reference/`` into their core tables.

Reference tables are replaced whole on every refresh, so an edit to a CSV reaches the
warehouse (and every table built from it) on the next run without re-fetching anything.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from models.estimation.names import normalize_name
from warehouse.transform import load_reference

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "models" / "reference"


def read_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / name)


def gpu_aliases() -> pd.DataFrame:
    """Maintained aliases plus each canonical id and display name as an alias of itself."""
    models = read_csv("gpu_models.csv")
    aliases = pd.concat([
        read_csv("gpu_aliases.csv")[["alias", "gpu_model"]],
        models[["gpu_model"]].assign(alias=models["gpu_model"]),
        models[["gpu_model", "name"]].rename(columns={"name": "alias"}),
    ], ignore_index=True)
    aliases["alias_key"] = aliases["alias"].map(normalize_name)
    return aliases.drop_duplicates(["alias_key", "gpu_model"])


REFERENCE_TABLES: dict[str, Callable[[], pd.DataFrame]] = {
    "core.gpu__entity_models": lambda: read_csv("gpu_models.csv"),
    "core.gpu__codes_aliases": gpu_aliases,
    "core.cloud__codes_azure_vm_skus": lambda: read_csv("azure_vm_skus.csv"),
}


def load_all(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Replace every reference table from its CSV; returns rows per table."""
    return {name: load_reference(con, name, build()) for name, build in REFERENCE_TABLES.items()}
