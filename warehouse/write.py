"""Writes: replace partitions (or a whole reference table), append events, all by column name.

Every write names columns (``INSERT ... BY NAME``), so column order in a DataFrame never
matters. :func:`replace_partitions` runs its writes in one transaction: a failure leaves the
previous rows in place; callers that must commit more than partitions together (raw rows with
their rejects and run-log row; a day's core and out tables with their quarantine) open one
:func:`transaction` and call :func:`write_partition` inside it. Writing the same partition
twice gives the same rows.

Keys are checked here rather than kept as DuckDB indexes: a write whose rows repeat a primary
key is refused (:class:`DuplicateKeyError`); parsers drop such rows earlier, with a reason,
through :func:`split_duplicate_keys`. Every partition written is recorded in
``pipeline.changed_partitions`` so that publishing copies only what changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from models.catalog import TableSpec

CHANGES = "pipeline.changed_partitions"


class DuplicateKeyError(ValueError):
    """Rows written to one table repeat its primary key."""


@dataclass(frozen=True)
class PartitionWrite:
    """The new content of one partition of one table."""

    spec: TableSpec
    frame: pd.DataFrame
    partition: Mapping[str, Any]


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit the block's writes together, or none of them."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _conform(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Check the frame against the declaration and order it like the table."""
    unknown = [c for c in frame.columns if c not in spec.column_names]
    if unknown:
        raise ValueError(f"{spec.name}: columns not in the catalog: {unknown}")
    missing = [c.name for c in spec.columns if c.name not in frame.columns and not c.nullable]
    if missing:
        raise ValueError(f"{spec.name}: required columns missing: {missing}")
    return frame.reindex(columns=list(spec.column_names))


def split_duplicate_keys(frame: pd.DataFrame, key: Sequence[str]) -> tuple[pd.DataFrame,
                                                                           pd.DataFrame]:
    """``frame`` without the rows that repeat an earlier row's ``key``, and those rows."""
    if frame.empty or not key:
        return frame, frame.iloc[0:0]
    repeated = frame.duplicated(subset=list(key), keep="first")
    return frame[~repeated], frame[repeated]


def _check_unique(spec: TableSpec, frame: pd.DataFrame) -> None:
    _, duplicates = split_duplicate_keys(frame, spec.primary_key)
    if not duplicates.empty:
        example = duplicates.iloc[0][list(spec.primary_key)].to_dict()
        raise DuplicateKeyError(f"{spec.name}: {len(duplicates)} rows repeat a primary key "
                                f"({', '.join(spec.primary_key)}), e.g. {example}")


def _insert(con: duckdb.DuckDBPyConnection, spec: TableSpec, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    # DuckDB's replacement scan reads the local DataFrame `incoming` by name (no registration,
    # so nothing needs cleaning up inside an aborted transaction).
    incoming = frame  # noqa: F841
    con.execute(f"INSERT INTO {spec.name} BY NAME SELECT * FROM incoming")


def _comparable(values: pd.Series, like: Any) -> pd.Series:
    """Values as the partition key's type (DuckDB hands DATE columns to pandas as datetime64)."""
    if isinstance(like, date) and not isinstance(like, datetime):
        return pd.to_datetime(values).dt.date
    return values


def partition_json(partition: Mapping[str, Any]) -> str:
    return json.dumps({k: str(v) for k, v in sorted(partition.items())})


def record_change(con: duckdb.DuckDBPyConnection, table_name: str,
                  partition: Mapping[str, Any]) -> None:
    """Mark a partition as changed since the last publish."""
    con.execute(f"INSERT INTO {CHANGES} SELECT coalesce(max(change_id), 0) + 1, ?, ? "
                f"FROM {CHANGES}", [table_name, partition_json(partition)])


def write_partition(con: duckdb.DuckDBPyConnection, write: PartitionWrite) -> int:
    """Replace one partition inside the caller's transaction; returns rows written."""
    spec, partition = write.spec, write.partition
    if set(partition) != set(spec.partition_by):
        raise ValueError(f"{spec.name} is partitioned by {spec.partition_by}, "
                         f"not {tuple(partition)}")
    frame = _conform(spec, write.frame)
    for column, value in partition.items():
        if not frame.empty and not (_comparable(frame[column], value) == value).all():
            raise ValueError(f"{spec.name}: rows outside partition {column}={value!r}")
    _check_unique(spec, frame)
    where = " AND ".join(f"{column} = ?" for column in partition)
    con.execute(f"DELETE FROM {spec.name}" + (f" WHERE {where}" if where else ""),
                list(partition.values()))
    _insert(con, spec, frame)
    record_change(con, spec.name, partition)
    return len(frame)


def replace_partitions(con: duckdb.DuckDBPyConnection,
                       writes: Sequence[PartitionWrite]) -> list[int]:
    """Replace several partitions in one transaction; returns rows written per partition.

    A partition is a mapping of the table's ``partition_by`` columns to values (e.g.
    ``{"observation_date": d}``); an unpartitioned table takes ``{}`` and is replaced whole.
    Rows outside the partition are refused.
    """
    with transaction(con):
        return [write_partition(con, write) for write in writes]


def replace_partition(con: duckdb.DuckDBPyConnection, spec: TableSpec, frame: pd.DataFrame,
                      partition: Mapping[str, Any]) -> int:
    """Replace one partition in its own transaction; returns rows written."""
    return replace_partitions(con, [PartitionWrite(spec, frame, partition)])[0]


def replace_table(con: duckdb.DuckDBPyConnection, spec: TableSpec, frame: pd.DataFrame) -> int:
    """Replace every row of an unpartitioned table (reference data)."""
    return replace_partition(con, spec, frame, {})


def append_rows(con: duckdb.DuckDBPyConnection, spec: TableSpec, frame: pd.DataFrame) -> int:
    """Append rows to an event table (append-only, e.g. the source run log), inside the
    caller's transaction if there is one."""
    frame = _conform(spec, frame)
    _insert(con, spec, frame)
    if spec.schema != "pipeline":
        record_change(con, spec.name, {})
    return len(frame)


def changed_partitions(con: duckdb.DuckDBPyConnection) -> tuple[int, dict[str, list[dict]]]:
    """The newest change id and, per table, the distinct partitions changed since the last
    publish (``[{}]`` for a table changed whole)."""
    rows = con.execute(f"SELECT table_name, partition_json, max(change_id) FROM {CHANGES} "
                       "GROUP BY ALL").fetchall()
    changed: dict[str, list[dict]] = {}
    for name, partition, _ in rows:
        changed.setdefault(name, []).append(json.loads(partition))
    return max((r[2] for r in rows), default=0), changed


def clear_changes(con: duckdb.DuckDBPyConnection, up_to: int) -> None:
    con.execute(f"DELETE FROM {CHANGES} WHERE change_id <= ?", [up_to])

