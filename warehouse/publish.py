"""Publishing: the read-only snapshot analysts query (exports are in :mod:`warehouse.export`).

The working database is locked while the pipeline writes, so analysts never open it. After a
refresh, :func:`publish_snapshot` brings the published file up to date and renames it over the
previous one: readers see the old file or the new one, never half of one.

Publishing is incremental. Every write records the partitions it replaced in
``pipeline.changed_partitions``; a publish copies the previous snapshot, replaces exactly those
partitions in the copy, and swaps it in, so its cost follows the size of the change, not of the
history (plus one file copy). The first publish, and any publish after the catalog's published
tables changed shape or description, writes the whole snapshot in DuckDB's v1.2.0 storage
format, so DuckDB 1.x clients can open it, with the catalog's table and column descriptions as
COMMENTs (``duckdb_tables()``, ``duckdb_columns()``). Temporary files an interrupted publish
left behind are removed first.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from models.catalog import TABLES, TableSpec
from warehouse.export import sort_order
from warehouse.write import changed_partitions, clear_changes

log = logging.getLogger(__name__)

PUBLISHED_SCHEMAS = ("core", "out")
# Oldest storage format that holds everything we write; DuckDB >= 1.2 reads it.
PUBLISHED_STORAGE_VERSION = "v1.2.0"
PUBLISH_INFO = "main.compute_atlas_publish"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    mode: str  # full, incremental or unchanged
    partitions: int = 0


def published_tables() -> list[TableSpec]:
    return [spec for spec in TABLES.values() if spec.schema in PUBLISHED_SCHEMAS]


def catalog_fingerprint() -> str:
    """sha256 of the published tables' declarations and descriptions: when it changes,
    publish in full."""
    ddl = "\n".join(f"{spec.create_sql()}\n" + "\n".join(spec.comment_sql())
                    for spec in published_tables())
    return hashlib.sha256(ddl.encode()).hexdigest()


def _tmp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def remove_leftovers(target: Path) -> list[Path]:
    """Delete temporary files of interrupted publishes (one writer at a time, so any that
    exist are dead)."""
    leftovers = [p for p in target.parent.glob(f".{target.name}.*.tmp*") if p.is_file()]
    for path in leftovers:
        log.warning("removing %s, left by an interrupted publish", path)
        path.unlink(missing_ok=True)
    return leftovers


def _published_fingerprint(path: Path) -> str | None:
    try:
        with duckdb.connect(str(path), read_only=True) as reader:
            return reader.execute(f"SELECT catalog_sha256 FROM {PUBLISH_INFO}").fetchone()[0]
    except (duckdb.Error, TypeError):
        return None


def _write_full(con: duckdb.DuckDBPyConnection) -> None:
    for schema in PUBLISHED_SCHEMAS:
        con.execute(f"CREATE SCHEMA published.{schema}")
    for spec in published_tables():
        con.execute(f"CREATE TABLE published.{spec.name} AS "
                    f"SELECT * FROM {spec.name} ORDER BY {sort_order(spec)}")
        con.execute(";\n".join(spec.comment_sql("published")))
    con.execute(f"CREATE TABLE published.{PUBLISH_INFO} (catalog_sha256 VARCHAR)")
    con.execute(f"INSERT INTO published.{PUBLISH_INFO} VALUES (?)", [catalog_fingerprint()])


def _write_changes(con: duckdb.DuckDBPyConnection, changed: dict[str, list[dict]]) -> int:
    n = 0
    for name, partitions in changed.items():
        spec = TABLES.get(name)
        if spec is None or spec.schema not in PUBLISHED_SCHEMAS:
            continue
        for partition in partitions:
            where = " AND ".join(f"{column} = CAST(? AS {spec.column(column).type})"
                                 for column in partition) or "true"
            values = list(partition.values())
            con.execute(f"DELETE FROM published.{name} WHERE {where}", values)
            con.execute(f"INSERT INTO published.{name} BY NAME SELECT * FROM {name} "
                        f"WHERE {where} ORDER BY {sort_order(spec)}", values)
            n += 1
    return n


def publish_snapshot(con: duckdb.DuckDBPyConnection, target: Path) -> PublishResult:
    """Bring ``target`` up to date with the working warehouse's core and out schemas."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    up_to, changed = changed_partitions(con)
    incremental = target.is_file() and _published_fingerprint(target) == catalog_fingerprint()
    if incremental and not any(TABLES.get(n) and TABLES[n].schema in PUBLISHED_SCHEMAS
                               for n in changed):
        clear_changes(con, up_to)
        return PublishResult(target, "unchanged")
    tmp = _tmp_name(target)
    try:
        if incremental:
            shutil.copyfile(target, tmp)
            con.execute(f"ATTACH '{tmp}' AS published")
        else:
            con.execute(f"ATTACH '{tmp}' AS published "
                        f"(STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
        try:
            if incremental:
                n = _write_changes(con, changed)
            else:
                _write_full(con)
                n = sum(len(p) for p in changed.values())
        finally:
            con.execute("DETACH published")
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        raise
    clear_changes(con, up_to)
    return PublishResult(target, "incremental" if incremental else "full", n)

