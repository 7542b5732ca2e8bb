"""Exports and streamed query results: column subsets, conditions, date ranges, monthly
Parquet partitions (hive layout), full precision, and a reader that goes away."""

import io
import json
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from models.catalog import table
from warehouse import export
from warehouse.export import export_table, stream_query
from warehouse.schema import ensure_schema
from warehouse.write import replace_partition

INDEX = table("out.gpu__daily_price_index")
DAYS = [date(2026, 10, 30) + timedelta(days=i) for i in range(4)]  # Oct 30 .. Nov 2


def _index(day: date) -> pd.DataFrame:
    return pd.DataFrame([{"observation_date": day, "gpu_model": gpu, "price_type": "on_demand",
                          "is_backfill": False, "min_usd_per_gpu_hour": price,
                          "median_usd_per_gpu_hour": price, "max_usd_per_gpu_hour": price,
                          "n_offers": 1, "n_providers": 1}
                         for gpu, price in (("h100-sxm-80gb", 2.0 + 0.1 + 0.2),
                                            ("a100-sxm-80gb", 1.25))])


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    ensure_schema(con)
    for day in DAYS:
        replace_partition(con, INDEX, _index(day), {"observation_date": day})
    yield con
    con.close()


def test_csv_is_sorted_by_primary_key_and_keeps_full_precision(con, tmp_path):
    result = export_table(con, INDEX.name, "csv", tmp_path / "idx.csv")
    lines = result.path.read_text().splitlines()
    assert result.rows == 8 and not result.by_month
    assert lines[0].startswith("observation_date,gpu_model,price_type")
    assert [line.split(",")[1] for line in lines[1:3]] == ["a100-sxm-80gb", "h100-sxm-80gb"]
    assert "2.3000000000000003" in lines[2]


def test_columns_where_and_date_range_select_rows(con, tmp_path):
    result = export_table(con, INDEX.name, "csv", tmp_path / "h100.csv",
                          columns=["observation_date", "min_usd_per_gpu_hour"],
                          where="gpu_model = 'h100-sxm-80gb'", since=date(2026, 10, 31),
                          until=date(2026, 11, 1))
    assert result.rows == 2
    assert result.path.read_text().splitlines() == [
        "observation_date,min_usd_per_gpu_hour", "2026-10-31,2.3000000000000003",
        "2026-11-01,2.3000000000000003"]


def test_bad_selections_are_refused_with_the_closest_names(con, tmp_path):
    with pytest.raises(ValueError, match="unknown export format"):
        export_table(con, INDEX.name, "xlsx", tmp_path / "x.xlsx")
    with pytest.raises(KeyError, match="closest: out.gpu__daily_price_index"):
        export_table(con, "out.gpu_daily_price_index", "csv", tmp_path / "x.csv")
    with pytest.raises(ValueError, match="closest: gpu_model"):
        export_table(con, INDEX.name, "csv", tmp_path / "x.csv", columns=["gpu_modl"])
    with pytest.raises(ValueError, match="no date column"):
        export_table(con, "core.gpu__entity_models", "csv", tmp_path / "x.csv",
                     since=DAYS[0])
    with pytest.raises(ValueError, match="need --format parquet"):
        export_table(con, INDEX.name, "csv", tmp_path / "x.csv", by_month=True)


def test_parquet_by_month_is_a_hive_directory_that_reads_back_whole(con, tmp_path):
    out = tmp_path / "index"
    result = export_table(con, INDEX.name, "parquet", out, by_month=True)
    assert result.by_month and result.rows == 8
    assert sorted(p.name for p in out.iterdir()) == ["month=2026-10", "month=2026-11"]
    rows = con.execute(f"SELECT month, count(*) FROM read_parquet('{out}/**/*.parquet', "
                       "hive_partitioning = true) GROUP BY ALL ORDER BY 1").fetchall()
    assert rows == [("2026-10", 4), ("2026-11", 4)]
    # a second export replaces the first; any other directory is left alone
    export_table(con, INDEX.name, "parquet", out, by_month=True, since=DAYS[2])
    assert sorted(p.name for p in out.iterdir()) == ["month=2026-11"]
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(ValueError, match="not a monthly export"):
        export_table(con, INDEX.name, "parquet", tmp_path / "mine", by_month=True)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_parquet_splits_by_month_above_the_row_threshold_only(con, tmp_path, monkeypatch):
    assert not export_table(con, INDEX.name, "parquet", tmp_path / "small.parquet").by_month
    monkeypatch.setattr(export, "PARTITION_ROWS", 5)
    assert export_table(con, INDEX.name, "parquet", tmp_path / "large").by_month
    assert not export_table(con, INDEX.name, "csv", tmp_path / "large.csv").by_month


def test_stream_query_writes_csv_and_json_with_full_precision(con):
    sql = ("SELECT 0.1::DOUBLE + 0.2 AS x, 4::BIGINT AS n, NULL::BIGINT AS missing, "
           "DATE '2026-11-20' AS d")
    as_csv = io.BytesIO()
    stream_query(con.sql(sql), "csv", as_csv)
    assert as_csv.getvalue().decode().splitlines() == ["x,n,missing,d",
                                                       "0.30000000000000004,4,,2026-11-20"]
    as_json = io.BytesIO()
    stream_query(con.sql(sql), "json", as_json)
    assert json.loads(as_json.getvalue()) == [{"x": 0.30000000000000004, "n": 4,
                                               "missing": None, "d": "2026-11-20"}]


def test_stream_query_passes_every_row_of_a_large_result_in_chunks(con):
    class Counting(io.RawIOBase):
        def __init__(self):
            self.writes = self.size = self.lines = 0

        def write(self, chunk):
            self.writes += 1
            self.size += len(chunk)
            self.lines += bytes(chunk).count(b"\n")
            return len(chunk)

    out = Counting()
    stream_query(con.sql("SELECT range AS i, 'row' || range AS label FROM range(200000)"),
                 "csv", out)
    assert out.lines == 200_001 and out.writes > 10
    assert out.size > 200_000 * len("1,row1\n")


def test_a_query_error_is_raised_after_the_pipe_drains(con):
    with pytest.raises(duckdb.ConversionException):
        stream_query(con.sql("SELECT 'x'::INTEGER AS broken"), "csv", io.BytesIO())


def test_a_reader_that_goes_away_ends_the_copy(con):
    class ClosedPipe(io.RawIOBase):
        def write(self, chunk):
            raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(BrokenPipeError):
        stream_query(con.sql("SELECT range FROM range(10000000)"), "csv", ClosedPipe())
