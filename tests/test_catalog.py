"""The catalog is the single declaration of every table: the data dictionary, raw tables and
SQL files must agree with it."""

import pytest

from models.catalog import TABLES
from models.catalog.dictionary import DICTIONARY_PATH, render
from sources.registry import SOURCES
from warehouse.build import DOMAINS
from warehouse.lineage import PYTHON_BUILT_INPUTS, build_order, tables_read, upstream
from warehouse.reference import CACHED_TABLES
from warehouse.transform import sql_path

DERIVED = [name for domain in DOMAINS.values() for name in domain.tables]


def test_data_dictionary_is_current():
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render(), \
        "docs/data-dictionary.md is stale: run `make docs`"


def test_every_source_has_its_raw_table_declared_from_its_record_model():
    for source in SOURCES.values():
        spec = TABLES[source.raw_table]
        fields = tuple(source.record_model.model_fields)
        assert spec.column_names[-len(fields):] == fields, source.name


def test_every_derived_table_is_declared_and_has_its_sql_or_its_python_inputs():
    for name in DERIVED:
        assert name in TABLES, name
        assert name in PYTHON_BUILT_INPUTS or sql_path(name).exists(), name


@pytest.mark.parametrize("name", DERIVED)
def test_lineage_from_sql_names_only_declared_tables(name):
    assert upstream(name), name
    assert upstream(name) <= set(TABLES), sorted(upstream(name) - set(TABLES))


def test_lineage_reads_the_tables_the_sql_reads():
    assert tables_read("out.gpu__daily_price_index") == {"core.cloud__daily_gpu_offers"}
    order = build_order(DERIVED)
    assert order.index("core.cloud__daily_gpu_offers") < order.index(
        "out.gpu__daily_price_index")
    assert order.index("out.llm__daily_cost_per_1k_tokens") < order.index(
        "out.llm__daily_market_vs_projected")


def test_every_declared_table_is_written_by_something():
    pipeline_own = {"raw.source__rejects", "core.pipeline__events_source_runs",
                    "core.pipeline__quarantined_rows", "pipeline.changed_partitions",
                    "pipeline.input_fingerprints",
                    "raw.history__gpu_offers"}  # written by compute-atlas import-history
    written = ({s.raw_table for s in SOURCES.values()} | set(DERIVED) | set(CACHED_TABLES)
               | pipeline_own)
    assert set(TABLES) == written


def test_every_column_is_described_and_quantities_have_units():
    for spec in TABLES.values():
        for column in spec.columns:
            assert column.description.strip(), f"{spec.name}.{column.name}"
            if column.name.startswith("usd_per_") or column.name.endswith(("_gb", "_tflops")):
                assert column.unit, f"{spec.name}.{column.name} has no unit"
