"""Reference tables (loaded from the maintained CSVs under ``models/reference/``) and other
unpartitioned tables computed from fixed inputs, rebuilt only when their inputs change.

A table's inputs are fingerprinted (sha256 of the files it is computed from, the code that
computes it included); the fingerprint is stored in ``pipeline.input_fingerprints`` and the
table is rebuilt only when it differs. So an edit to a CSV reaches the warehouse on the next
run, and an unchanged day costs nothing (the calibration fit took 1.1 s and 240 MiB each time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from models import buildout_reference, power_reference
from models.catalog import table
from models.estimation import reference
from models.estimation.calibration import calibration_projected_vs_measured
from models.estimation.names import gpu_alias_keys
from warehouse.write import PartitionWrite, transaction, write_partition

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
REFERENCE_DIR = MODELS_DIR / "reference"
ESTIMATION_DIR = MODELS_DIR / "estimation"
FINGERPRINTS = "pipeline.input_fingerprints"

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
    "core.power__codes_normalization": power_reference.power_codes,
    "core.buildout__codes_gpu_power_assumptions": buildout_reference.gpu_power_assumptions,
}
CALIBRATION_TABLE = "out.llm__calibration_projected_vs_measured"
# Every file an unpartitioned table is computed from: the reference data and the code.
CACHED_TABLES: dict[str, Callable[[], pd.DataFrame]] = REFERENCE_TABLES | {
    CALIBRATION_TABLE: calibration_projected_vs_measured}


def fingerprint(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(MODELS_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_fingerprint() -> str:
    """One fingerprint for all cached tables: they share their inputs (reference CSVs and the
    estimation code that reads them)."""
    files = [p for p in REFERENCE_DIR.rglob("*") if p.is_file()]
    files += list(ESTIMATION_DIR.glob("*.py"))
    return fingerprint(files)


def stored_fingerprint(con: duckdb.DuckDBPyConnection, table_name: str) -> str | None:
    row = con.execute(f"SELECT inputs_sha256 FROM {FINGERPRINTS} WHERE table_name = ?",
                      [table_name]).fetchone()
    return row[0] if row else None


_FRAMES: dict[tuple[str, str], pd.DataFrame] = {}


def _computed(name: str, inputs_sha256: str) -> pd.DataFrame:
    """The table's rows for these inputs, computed once per process (another warehouse in the
    same process, e.g. a backfill into a second data directory, reuses them)."""
    key = (name, inputs_sha256)
    if key not in _FRAMES:
        _FRAMES[key] = CACHED_TABLES[name]()
    return _FRAMES[key]


def refresh_cached(con: duckdb.DuckDBPyConnection, names: Iterable[str] | None = None,
                   *, force: bool = False) -> dict[str, int | None]:
    """Rebuild the chosen cached tables whose inputs changed; returns rows written per table
    (None where the stored table was current and kept)."""
    current = inputs_fingerprint()
    written: dict[str, int | None] = {}
    for name in names or CACHED_TABLES:
        if not force and stored_fingerprint(con, name) == current:
            written[name] = None
            continue
        frame = _computed(name, current)
        with transaction(con):
            written[name] = write_partition(con, PartitionWrite(table(name), frame, {}))
            con.execute(f"DELETE FROM {FINGERPRINTS} WHERE table_name = ?", [name])
            con.execute(f"INSERT INTO {FINGERPRINTS} VALUES (?, ?, ?)",
                        [name, current, datetime.now(UTC).replace(tzinfo=None)])
    return written

