"""The catalog is the single declaration of every table: the data dictionary, raw tables and
SQL files must agree with it."""

from pipelines.refresh import CORE_TABLES, ESTIMATE_TABLES, OUT_TABLES

from models.catalog import TABLES
from models.catalog.dictionary import DICTIONARY_PATH, render
from sources.registry import SOURCES
from warehouse.reference import REFERENCE_TABLES
from warehouse.transform import sql_path


def test_data_dictionary_is_current():
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render(), \
        "docs/data-dictionary.md is stale: run `make docs`"


def test_every_source_has_its_raw_table_declared_from_its_record_model():
    for source in SOURCES.values():
        spec = TABLES[source.raw_table]
        fields = tuple(source.record_model.model_fields)
        assert spec.column_names[-len(fields):] == fields, source.name


def test_every_sql_built_table_is_declared_and_has_its_sql():
    for name in (*CORE_TABLES, *OUT_TABLES):
        assert name in TABLES and sql_path(name).exists(), name


def test_every_declared_table_is_written_by_something():
    written = ({s.raw_table for s in SOURCES.values()} | set(CORE_TABLES) | set(OUT_TABLES)
               | set(ESTIMATE_TABLES) | set(REFERENCE_TABLES)
               | {"raw.source__rejects", "core.pipeline__events_source_runs",
                  "out.llm__calibration_projected_vs_measured"})
    assert set(TABLES) == written


def test_every_column_is_described_and_quantities_have_units():
    for spec in TABLES.values():
        for column in spec.columns:
            assert column.description.strip(), f"{spec.name}.{column.name}"
            if column.name.startswith("usd_per_") or column.name.endswith(("_gb", "_tflops")):
                assert column.unit, f"{spec.name}.{column.name} has no unit"
