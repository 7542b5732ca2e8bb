"""The conforming SQL of the new price sources, on an in-memory warehouse: every registered GPU
offer source and token list is in its shared fragment, each fixture's offers reach
core.cloud__daily_gpu_offers with their price type, commitment, GPU count, price basis and
live origin, and their GPU names map as the parse-time mapping rate says."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd
import pytest

from models.catalog import table
from models.records.gpu_clouds import GpuOffer, TokenPrice
from sources.registry import SOURCES
from tests.conftest import DEMO_DATE
from tests.sources.offer_specs import SPECS, mapping_rate
from tests.sources.test_gpu_offer_sources import snapshots_of
from warehouse import reference
from warehouse.build import PRICES, build_domain_partition
from warehouse.schema import ensure_schema
from warehouse.transform import sql_path
from warehouse.write import replace_partition


def test_every_offer_source_is_in_its_fragment():
    offers = (sql_path("core.cloud__daily_gpu_offers") / "gpu_offer_sources.sql").read_text()
    tokens = (sql_path("core.llm__daily_token_prices") / "token_price_lists.sql").read_text()
    for source in SOURCES.values():
        if source.record_model is GpuOffer:
            assert f"FROM {source.raw_table}" in offers, source.name
        if source.record_model is TokenPrice:
            assert f"FROM {source.raw_table}" in tokens, source.name


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("wh") / "w.duckdb"))
    ensure_schema(con)
    reference.refresh_cached(con, reference.REFERENCE_TABLES)
    yield con
    con.close()


def load(con, make_snapshot, name: str) -> list:
    spec = SPECS[name]
    result = spec.source.parse(snapshots_of(make_snapshot, spec))
    rows = [{"observation_date": DEMO_DATE, "fetched_datetime": datetime(2026, 11, 20, tzinfo=UTC)
             .replace(tzinfo=None), "source_url": snapshot.url,
             "snapshot_sha256": snapshot.sha256, "parser_version": spec.source.parser_version,
             **record.model_dump()} for snapshot, record in result.records]
    replace_partition(con, table(spec.source.raw_table), pd.DataFrame(rows),
                      {"observation_date": DEMO_DATE})
    return [record for _, record in result.records]


def test_fixture_offers_reach_the_conformed_table(warehouse, make_snapshot):
    parsed = {name: load(warehouse, make_snapshot, name) for name, spec in SPECS.items()}
    build_domain_partition(warehouse, PRICES, DEMO_DATE, tables=(
        "core.cloud__daily_gpu_offers", "core.llm__daily_token_prices"))
    core = warehouse.execute(
        "SELECT source, count(*), count(gpu_model), bool_and(NOT is_backfill), "
        "bool_and(origin = 'live'), count(DISTINCT price_basis) "
        "FROM core.cloud__daily_gpu_offers GROUP BY source").fetchall()
    by_source = {row[0]: row[1:] for row in core}
    for name, spec in SPECS.items():
        if spec.source.family != "gpu_prices":
            continue
        n, mapped, live, origin, _ = by_source[name]
        assert (n, live, origin) == (len(parsed[name]), True, True), name
        assert mapped / n == pytest.approx(mapping_rate(parsed[name])), name
    tokens = dict(warehouse.execute(
        "SELECT provider, count(*) FROM core.llm__daily_token_prices GROUP BY provider"
    ).fetchall())
    assert tokens == {"deepinfra": SPECS["deepinfra"].records,
                      "together": SPECS["together"].records}
    p5 = warehouse.execute(
        "SELECT price_type, commitment_months, gpu_count, gpu_model, price_basis "
        "FROM core.cloud__daily_gpu_offers WHERE source = 'aws_ec2' AND region = 'us-east-1' "
        "AND sku LIKE 'p5.48xlarge%' ORDER BY commitment_months, sku").fetchall()
    assert p5[0] == ("on_demand", 0, 8, "h100-sxm-80gb", "instance")
    assert {row[:2] for row in p5[1:]} == {("reserved", 12), ("reserved", 36)}
