"""The published snapshot: core/out only, readable read-only by DuckDB 1.x storage, swapped in
atomically, updated incrementally with only the changed partitions, leftovers cleaned."""

from dataclasses import replace
from datetime import date

import duckdb
import pandas as pd
import pytest

from models.catalog import TABLES, table
from warehouse.publish import PUBLISHED_STORAGE_VERSION, publish_snapshot
from warehouse.schema import ensure_schema
from warehouse.write import replace_partition

INDEX = table("out.gpu__daily_price_index")
D1, D2 = date(2026, 11, 20), date(2026, 11, 21)


def _index(day, *gpus):
    return pd.DataFrame([{"observation_date": day, "gpu_model": g, "price_type": "on_demand",
                          "is_backfill": False,
                          "min_usd_per_gpu_hour": 1.0, "median_usd_per_gpu_hour": 1.5,
                          "max_usd_per_gpu_hour": 2.0, "n_offers": 3, "n_providers": 1}
                         for g in gpus])


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    ensure_schema(con)
    replace_partition(con, INDEX, _index(D1, "h100-sxm-80gb", "a100-sxm-80gb"),
                      {"observation_date": D1})
    yield con
    con.close()


def _count(path, sql):
    with duckdb.connect(str(path), read_only=True) as reader:
        return reader.execute(sql).fetchone()[0]


def test_snapshot_holds_core_and_out_and_opens_read_only(con, tmp_path):
    result = publish_snapshot(con, tmp_path / "pub" / "compute_atlas.duckdb")
    assert result.mode == "full"
    with duckdb.connect(str(result.path), read_only=True) as reader:
        schemas = {r[0] for r in reader.execute(
            "SELECT DISTINCT table_schema FROM information_schema.tables").fetchall()}
        n_tables = reader.execute("SELECT count(*) FROM information_schema.tables "
                                  "WHERE table_schema IN ('core', 'out')").fetchone()[0]
    assert schemas == {"core", "out", "main"}  # main holds the publish fingerprint only
    assert n_tables == sum(1 for t in TABLES.values() if t.schema in ("core", "out"))
    assert _count(result.path, "SELECT count(*) FROM out.gpu__daily_price_index") == 2


def test_incremental_publish_writes_only_changed_partitions_and_stays_1x_readable(con,
                                                                                  tmp_path):
    target = tmp_path / "snap.duckdb"
    publish_snapshot(con, target)
    assert publish_snapshot(con, target).mode == "unchanged"
    replace_partition(con, INDEX, _index(D2, "b200-180gb"), {"observation_date": D2})
    result = publish_snapshot(con, target)
    assert (result.mode, result.partitions) == ("incremental", 1)
    assert _count(target, "SELECT count(*) FROM out.gpu__daily_price_index") == 3
    con.execute(f"ATTACH '{target}' AS snap (READ_ONLY)")
    version = con.execute("SELECT tags['storage_version'] FROM duckdb_databases() "
                          "WHERE database_name = 'snap'").fetchone()[0]
    con.execute("DETACH snap")
    assert version.startswith(PUBLISHED_STORAGE_VERSION.rsplit(".", 1)[0])


def test_republishing_replaces_the_file_while_a_reader_has_the_old_one(con, tmp_path):
    target = tmp_path / "snap.duckdb"
    publish_snapshot(con, target)
    reader = duckdb.connect(str(target), read_only=True)
    replace_partition(con, INDEX, _index(D1, "h100-sxm-80gb"), {"observation_date": D1})
    publish_snapshot(con, target)
    assert reader.execute("SELECT count(*) FROM out.gpu__daily_price_index").fetchone()[0] == 2
    reader.close()
    assert _count(target, "SELECT count(*) FROM out.gpu__daily_price_index") == 1
    assert not list(tmp_path.glob(".*.tmp*"))


def test_leftovers_of_an_interrupted_publish_are_removed(con, tmp_path):
    target = tmp_path / "snap.duckdb"
    leftover = tmp_path / f".{target.name}.4242.tmp"
    leftover.write_bytes(b"half a database")
    (tmp_path / f".{target.name}.4242.tmp.wal").write_bytes(b"wal")
    publish_snapshot(con, target)
    assert not list(tmp_path.glob(".*.tmp*"))


def test_a_failed_publish_keeps_the_previous_file_and_the_pending_changes(con, tmp_path,
                                                                           monkeypatch):
    target = tmp_path / "snap.duckdb"
    publish_snapshot(con, target)
    replace_partition(con, INDEX, _index(D2, "b200-180gb"), {"observation_date": D2})

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("warehouse.publish._write_changes", boom)
    with pytest.raises(OSError, match="disk full"):
        publish_snapshot(con, target)
    assert _count(target, "SELECT count(*) FROM out.gpu__daily_price_index") == 2
    assert not list(tmp_path.glob(".*.tmp*"))
    monkeypatch.undo()
    assert publish_snapshot(con, target).mode == "incremental"
    assert _count(target, "SELECT count(*) FROM out.gpu__daily_price_index") == 3


def test_published_tables_and_columns_carry_the_catalog_descriptions(con, tmp_path):
    result = publish_snapshot(con, tmp_path / "pub" / "compute_atlas.duckdb")
    with duckdb.connect(str(result.path), read_only=True) as reader:
        table_comment = reader.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = 'out' "
            "AND table_name = 'gpu__daily_price_index'").fetchone()[0]
        columns = dict(reader.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'out' "
            "AND table_name = 'gpu__daily_price_index'").fetchall())
        uncommented = reader.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name IN ('core', 'out') "
            "AND comment IS NULL").fetchone()[0]
    assert table_comment == INDEX.description
    usd = INDEX.column("min_usd_per_gpu_hour")
    assert columns["min_usd_per_gpu_hour"] == f"{usd.description} (unit: {usd.unit})"
    assert uncommented == 0


def test_a_changed_description_publishes_in_full(con, tmp_path, monkeypatch):
    target = tmp_path / "pub" / "compute_atlas.duckdb"
    publish_snapshot(con, target)
    replace_partition(con, INDEX, _index(D2, "b200-180gb"), {"observation_date": D2})
    monkeypatch.setitem(TABLES, INDEX.name, replace(INDEX, description="reworded"))
    assert publish_snapshot(con, target).mode == "full"
    with duckdb.connect(str(target), read_only=True) as reader:
        assert reader.execute("SELECT comment FROM duckdb_tables() WHERE table_name = "
                              "'gpu__daily_price_index'").fetchone()[0] == "reworded"
