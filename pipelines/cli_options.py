"""Options and helpers that several CLI commands share: the data directory and database
flags, dates, and opening the published snapshot read-only.

Light on purpose (no pandas, no dagster): the fast commands (``gpus``, ``query``, ``export``)
import it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipelines.cli_output import fail

if TYPE_CHECKING:
    import duckdb

    from warehouse.connection import WarehouseSettings

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="Data directory (archive, warehouse, published snapshot). "
                       "Env: COMPUTE_ATLAS_DATA_DIR. Default: ./data in the repo.")]
Database = Annotated[str | None, typer.Option(
    "--database", help="DuckDB database string for the working warehouse. "
                       "Env: COMPUTE_ATLAS_DATABASE. Default: <data-dir>/warehouse.duckdb.")]


def parse_day(value: str, flag: str = "date") -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{flag}: not a date (YYYY-MM-DD): {value!r}") from None


def settings_for(data_dir: Path | None, database: str | None = None) -> WarehouseSettings:
    from warehouse.connection import WarehouseSettings

    return WarehouseSettings.from_env(data_dir, database)


def open_published(data_dir: Path | None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot, or a one-line error when there is
    none yet."""
    import duckdb

    path = settings_for(data_dir).published_path
    if not path.is_file():
        raise fail(f"no published snapshot at {path}; run `compute-atlas refresh` first "
                   "(or `make demo` and --data-dir data/demo)")
    return duckdb.connect(str(path), read_only=True)


def duckdb_message(error: Exception) -> str:
    """The first line of a DuckDB error (the rest repeats the SQL)."""
    text = str(error)
    return text.splitlines()[0] if text else type(error).__name__
