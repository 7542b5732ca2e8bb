"""Where the warehouse lives and how to open it.

:class:`WarehouseSettings` resolves the data directory (raw archive, working database,
published snapshot, exports) and the DuckDB database string from flags or the environment:

* ``COMPUTE_ATLAS_DATA_DIR`` — data directory, default ``<repo>/data``;
* ``COMPUTE_ATLAS_DATABASE`` — any DuckDB database string (a path, ``md:<db>`` for MotherDuck,
  ``ducklake:<catalog>``); default ``<data dir>/warehouse.duckdb``.

Only one process may write (DuckDB's rule); analysts read the published copy
(``warehouse.publish``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]


class WarehouseLockedError(RuntimeError):
    """Another process holds the working warehouse's write lock."""

DATA_DIR_ENV = "COMPUTE_ATLAS_DATA_DIR"
DATABASE_ENV = "COMPUTE_ATLAS_DATABASE"


@dataclass(frozen=True)
class WarehouseSettings:
    data_dir: Path
    database: str
    threads: int = 2
    memory_limit: str = "4GB"

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None,
                 database: str | None = None) -> WarehouseSettings:
        """Flags win over environment variables, which win over the defaults."""
        resolved_dir = Path(data_dir or os.environ.get(DATA_DIR_ENV) or REPO_ROOT / "data")
        resolved_db = (database or os.environ.get(DATABASE_ENV)
                       or str(resolved_dir / "warehouse.duckdb"))
        return cls(data_dir=resolved_dir.resolve(), database=resolved_db)

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def published_path(self) -> Path:
        return self.data_dir / "published" / "compute_atlas.duckdb"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    def require_published(self) -> Path:
        """The published snapshot; FileNotFoundError saying what to run when there is none."""
        if not self.published_path.is_file():
            raise FileNotFoundError(f"no published snapshot at {self.published_path}; "
                                    "run `compute-atlas refresh` first")
        return self.published_path

    @property
    def is_local_file(self) -> bool:
        """True for a plain file path; False for ``:memory:``, ``md:…``, ``ducklake:…``."""
        return re.match(r"^:|^[a-z][a-z0-9_]+:", self.database) is None

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the working database; the connection is closed however the block ends."""
        if self.is_local_file:
            Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(self.database, read_only=read_only,
                                 config={"threads": self.threads,
                                         "memory_limit": self.memory_limit})
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            holder = str(exc).split("Conflicting lock is held in", 1)[-1].strip()[:200]
            raise WarehouseLockedError(
                f"the warehouse {self.database} is locked by another process ({holder}); "
                "wait for it to finish (one writer at a time)") from None
        try:
            yield con
        finally:
            con.close()
