"""`compute-atlas ingest` for the inventory sources (OSM, IM3, Epoch) on the real payloads in
../shared (skipped when absent) and on the committed fixtures: each file is archived under its
report month, parsed into its raw table, and the facility tables are rebuilt from it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pipelines.cli import app
from tests.conftest import FIXTURES

runner = CliRunner()


def ingest(data, source: str, path, as_of: str = "2026-08-03") -> str:
    result = runner.invoke(app, ["ingest", source, str(path), "--as-of", as_of,
                                 "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return result.output


def query(data, sql: str) -> list[dict]:
    result = runner.invoke(app, ["query", sql, "--format", "json", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_ingest_each_inventory_source_on_the_real_payloads(tmp_path, shared_data):
    data, folder = tmp_path / "data", shared_data / "buildout"
    out = ingest(data, "osm_datacenters",
                 folder / "osm" / "overpass_san_antonio_data_centers.json")
    assert "✓ osm_datacenters 2026-08-01 (file)" in out and "│ 34 " in out
    out = ingest(data, "im3_atlas", folder / "im3" / "im3_datacenter_centroids.geojson")
    assert "│ 1,164 " in out and "│ 1       │" in out  # one repeated feature rejected
    ingest(data, "epoch_datacenters", folder / "epoch" / "data_center_timelines.csv")
    counts = query(data, "SELECT (SELECT count(*) FROM core.datacenter__epoch_timelines) AS "
                         "epoch, (SELECT count(*) FROM core.datacenter__assn_facility_records) "
                         "AS records")
    assert counts == [{"epoch": 424, "records": 34 + 1164 + 76}]
    ingest(data, "epoch_datacenters", folder / "epoch" / "data_centers.csv")
    [sites] = query(data, "SELECT count(*) AS n, count(state) AS with_state FROM "
                          "core.datacenter__facilities WHERE sources LIKE 'epoch%'")
    assert sites == {"n": 75, "with_state": 58}


def test_ingest_a_fixture_builds_its_facilities(tmp_path):
    data = tmp_path / "data"
    out = ingest(data, "osm_datacenters", FIXTURES / "osm_datacenters" /
                 "compiled_facilities_cut.csv", as_of="2026-11-20")
    assert "✓ osm_datacenters 2026-11-01 (file)" in out and "│ 8 " in out
    [row] = query(data, "SELECT count(*) AS sites, sum(n_records) AS records, "
                        "count(*) FILTER (status = 'under_construction') AS building "
                        "FROM core.datacenter__facilities")
    assert row == {"sites": 8, "records": 8, "building": 2}
