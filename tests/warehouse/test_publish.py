"""The published snapshot: core/out only, readable read-only, swapped in atomically."""

import duckdb
import pytest

from models.catalog import TABLES
from warehouse.publish import PUBLISHED_STORAGE_VERSION, export_table, publish_snapshot
from warehouse.schema import ensure_schema


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    ensure_schema(con)
    con.execute("INSERT INTO out.gpu__daily_price_index VALUES "
                "('2026-11-20', 'h100-sxm-80gb', 'on_demand', 2.0, 3.0, 4.0, 5, 2), "
                "('2026-11-20', 'a100-sxm-80gb', 'on_demand', 1.0, 1.5, 2.0, 3, 1)")
    yield con
    con.close()


def test_snapshot_holds_core_and_out_and_opens_read_only(con, tmp_path):
    target = publish_snapshot(con, tmp_path / "pub" / "compute_atlas.duckdb")
    reader = duckdb.connect(str(target), read_only=True)
    schemas = {r[0] for r in reader.execute(
        "SELECT DISTINCT table_schema FROM information_schema.tables").fetchall()}
    assert schemas == {"core", "out"}
    assert reader.execute("SELECT count(*) FROM out.gpu__daily_price_index").fetchone()[0] == 2
    n_published = sum(1 for t in TABLES.values() if t.schema in ("core", "out"))
    assert reader.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0] \
        == n_published
    reader.close()


def test_snapshot_uses_storage_readable_by_duckdb_1x(con, tmp_path):
    target = publish_snapshot(con, tmp_path / "snap.duckdb")
    con.execute(f"ATTACH '{target}' AS snap (READ_ONLY)")
    version = con.execute("SELECT tags['storage_version'] FROM duckdb_databases() "
                          "WHERE database_name = 'snap'").fetchone()[0]
    assert version.startswith(PUBLISHED_STORAGE_VERSION.rsplit(".", 1)[0])


def test_republishing_replaces_the_file_while_a_reader_has_the_old_one(con, tmp_path):
    target = tmp_path / "snap.duckdb"
    publish_snapshot(con, target)
    reader = duckdb.connect(str(target), read_only=True)
    con.execute("DELETE FROM out.gpu__daily_price_index WHERE gpu_model = 'a100-sxm-80gb'")
    publish_snapshot(con, target)
    assert reader.execute("SELECT count(*) FROM out.gpu__daily_price_index").fetchone()[0] == 2
    reader.close()
    fresh = duckdb.connect(str(target), read_only=True)
    assert fresh.execute("SELECT count(*) FROM out.gpu__daily_price_index").fetchone()[0] == 1
    fresh.close()
    assert not list(tmp_path.glob(".*.tmp"))


def test_export_csv_is_sorted_by_primary_key(con, tmp_path):
    out = export_table(con, "out.gpu__daily_price_index", "csv", tmp_path / "idx.csv")
    lines = out.read_text().splitlines()
    assert lines[0].startswith("observation_date,gpu_model,price_type")
    assert [line.split(",")[1] for line in lines[1:]] == ["a100-sxm-80gb", "h100-sxm-80gb"]
    with pytest.raises(ValueError, match="unknown export format"):
        export_table(con, "out.gpu__daily_price_index", "xlsx", tmp_path / "x.xlsx")
