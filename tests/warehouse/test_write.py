"""Partition replacement is idempotent, transactional and refuses rows outside the partition."""

from datetime import date

import duckdb
import pandas as pd
import pytest

from models.catalog import TABLES, Column, TableSpec
from warehouse.schema import SchemaMismatchError, ensure_schema
from warehouse.write import (
    DuplicateKeyError,
    PartitionWrite,
    replace_partition,
    replace_partitions,
    replace_table,
    split_duplicate_keys,
)

SPEC = TableSpec(
    name="core.test__daily_things",
    description="test table",
    columns=(Column("observation_date", "DATE", "day", nullable=False),
             Column("thing", "VARCHAR", "name", nullable=False),
             Column("usd", "DOUBLE", "price", unit="USD")),
    primary_key=("observation_date", "thing"),
)
D1, D2 = date(2026, 11, 1), date(2026, 11, 2)


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    ensure_schema(con, {SPEC.name: SPEC,
                        "pipeline.changed_partitions": TABLES["pipeline.changed_partitions"]})
    yield con
    con.close()


def _rows(con):
    return con.execute(f"SELECT * FROM {SPEC.name} ORDER BY ALL").fetchall()


def test_same_partition_twice_gives_same_rows(con):
    frame = pd.DataFrame({"usd": [1.0, 2.0], "thing": ["a", "b"], "observation_date": [D1, D1]})
    replace_partition(con, SPEC, frame, {"observation_date": D1})
    first = _rows(con)
    replace_partition(con, SPEC, frame, {"observation_date": D1})
    assert _rows(con) == first and len(first) == 2


def test_other_partitions_are_untouched(con):
    replace_partition(con, SPEC, pd.DataFrame({"observation_date": [D1], "thing": ["a"]}),
                      {"observation_date": D1})
    replace_partition(con, SPEC, pd.DataFrame({"observation_date": [D2], "thing": ["b"]}),
                      {"observation_date": D2})
    replace_partition(con, SPEC, pd.DataFrame({"observation_date": [D2], "thing": ["c"]}),
                      {"observation_date": D2})
    assert [r[1] for r in _rows(con)] == ["a", "c"]


def test_failed_write_rolls_back_and_keeps_previous_rows(con):
    replace_partition(con, SPEC, pd.DataFrame({"observation_date": [D1], "thing": ["a"]}),
                      {"observation_date": D1})
    duplicate_key = pd.DataFrame({"observation_date": [D1, D1], "thing": ["x", "x"]})
    with pytest.raises(DuplicateKeyError, match=r"1 rows repeat a primary key \(observation_date"):
        replace_partition(con, SPEC, duplicate_key, {"observation_date": D1})
    assert [r[1] for r in _rows(con)] == ["a"]


def test_keys_are_checked_at_write_not_kept_as_indexes(con):
    n_indexes = con.execute("SELECT count(*) FROM duckdb_constraints() "
                            "WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE')").fetchone()[0]
    assert n_indexes == 0
    frame = pd.DataFrame({"observation_date": [D1, D1, D1], "thing": ["a", "b", "a"],
                          "usd": [1.0, 2.0, 3.0]})
    kept, dropped = split_duplicate_keys(frame, SPEC.primary_key)
    assert list(kept["thing"]) == ["a", "b"] and list(dropped["usd"]) == [3.0]


def test_multi_table_write_is_all_or_nothing(con):
    good = PartitionWrite(SPEC, pd.DataFrame({"observation_date": [D2], "thing": ["ok"]}),
                          {"observation_date": D2})
    bad = PartitionWrite(SPEC, pd.DataFrame({"observation_date": [D1], "thing": [None]}),
                         {"observation_date": D1})
    with pytest.raises(duckdb.ConstraintException):
        replace_partitions(con, [good, bad])
    assert _rows(con) == []


def test_rows_outside_the_partition_are_refused(con):
    with pytest.raises(ValueError, match="outside partition"):
        replace_partition(con, SPEC, pd.DataFrame({"observation_date": [D2], "thing": ["a"]}),
                          {"observation_date": D1})


def test_unknown_and_missing_columns_are_refused(con):
    with pytest.raises(ValueError, match="not in the catalog"):
        replace_partition(con, SPEC, pd.DataFrame({"observation_date": [D1], "thing": ["a"],
                                                   "oops": [1]}), {"observation_date": D1})
    with pytest.raises(ValueError, match="required columns missing"):
        replace_partition(con, SPEC, pd.DataFrame({"observation_date": [D1]}),
                          {"observation_date": D1})


def test_replace_table_refuses_partitioned_tables(con):
    with pytest.raises(ValueError, match="partitioned by"):
        replace_table(con, SPEC, pd.DataFrame({"observation_date": [D1], "thing": ["a"]}))


def test_schema_drift_is_a_clear_error(tmp_path):
    con = duckdb.connect(str(tmp_path / "drift.duckdb"))
    con.execute("CREATE SCHEMA core")
    con.execute(f"CREATE TABLE {SPEC.name} (observation_date DATE, thing VARCHAR)")
    with pytest.raises(SchemaMismatchError, match="Rebuild it from the raw archive"):
        ensure_schema(con, {SPEC.name: SPEC,
                        "pipeline.changed_partitions": TABLES["pipeline.changed_partitions"]})
