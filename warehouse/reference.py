"""Loads the maintained reference CSVs under ``models/reference/`` into their core tables.

Reference tables are replaced whole on every refresh, so an edit to a CSV reaches the
warehouse (and every table built from it) on the next run without re-fetching anything.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from models.estimation import reference
from models.estimation.names import gpu_alias_keys
from warehouse.transform import load_reference

REFERENCE_TABLES: dict[str, Callable[[], pd.DataFrame]] = {
    "core.gpu__entity_models": reference.gpu_models,
    # aliases + each id and display name, keyed by the normalized name; a key that would
    # point at two GPUs raises here rather than mapping offers arbitrarily
    "core.gpu__codes_aliases": gpu_alias_keys,
    "core.gpu__codes_families": reference.gpu_families,
    "core.cloud__codes_azure_vm_skus": reference.azure_vm_skus,
    "core.llm__entity_architectures": reference.llm_architectures,
    "core.gpu__codes_efficiency": reference.efficiency_defaults,
    "core.llm__codes_workload_profiles": reference.workload_profiles,
}


def load_all(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Replace every reference table from its CSV; returns rows per table."""
    return {name: load_reference(con, name, build()) for name, build in REFERENCE_TABLES.items()}
