"""Transactional writes: replace partitions (or a whole reference table), append events.

Every write names columns (``INSERT ... BY NAME``), so column order in a DataFrame never
matters, and runs inside one transaction: a failure leaves the previous rows in place.
Writing the same partition twice gives the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from models.catalog import TableSpec


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


def _replace(con: duckdb.DuckDBPyConnection, write: PartitionWrite) -> int:
    spec, partition = write.spec, write.partition
    if set(partition) != set(spec.partition_by):
        raise ValueError(f"{spec.name} is partitioned by {spec.partition_by}, "
                         f"not {tuple(partition)}")
    frame = _conform(spec, write.frame)
    for column, value in partition.items():
        if not frame.empty and not (_comparable(frame[column], value) == value).all():
            raise ValueError(f"{spec.name}: rows outside partition {column}={value!r}")
    where = " AND ".join(f"{column} = ?" for column in partition)
    con.execute(f"DELETE FROM {spec.name}" + (f" WHERE {where}" if where else ""),
                list(partition.values()))
    _insert(con, spec, frame)
    return len(frame)


def replace_partitions(con: duckdb.DuckDBPyConnection,
                       writes: Sequence[PartitionWrite]) -> list[int]:
    """Replace several partitions in one transaction; returns rows written per partition.

    A partition is a mapping of the table's ``partition_by`` columns to values (e.g.
    ``{"observation_date": d}``); an unpartitioned table takes ``{}`` and is replaced whole.
    Rows outside the partition are refused.
    """
    with transaction(con):
        return [_replace(con, write) for write in writes]


def replace_partition(con: duckdb.DuckDBPyConnection, spec: TableSpec, frame: pd.DataFrame,
                      partition: Mapping[str, Any]) -> int:
    """Replace one partition in its own transaction; returns rows written."""
    return replace_partitions(con, [PartitionWrite(spec, frame, partition)])[0]


def replace_table(con: duckdb.DuckDBPyConnection, spec: TableSpec, frame: pd.DataFrame) -> int:
    """Replace every row of an unpartitioned table (reference data)."""
    return replace_partition(con, spec, frame, {})


def append_rows(con: duckdb.DuckDBPyConnection, spec: TableSpec, frame: pd.DataFrame) -> int:
    """Append rows to an event table (append-only, e.g. the source run log)."""
    frame = _conform(spec, frame)
    _insert(con, spec, frame)
    return len(frame)
