"""The table catalog: every warehouse table is declared here once.

A declaration (:class:`TableSpec`) names the table, its columns with DuckDB types, units and
descriptions, and its primary key. DDL (``warehouse.schema``), Dagster column metadata
(``pipelines``) and the data dictionary (``docs/data-dictionary.md``) are all generated from
these declarations, so they cannot drift apart.

Domain modules (``prices``, ``estimation``, ...) each export a ``TABLES`` tuple; this module
collects them. Nothing here touches a database.
"""

from __future__ import annotations

from models.catalog import (
    buildout,
    estimation,
    gpu_clouds,
    inventories,
    permits,
    pipeline,
    power,
    prices,
)
from models.catalog.spec import Column, TableSpec

TABLES: dict[str, TableSpec] = {}
for _module in (pipeline, prices, gpu_clouds, estimation, power, buildout, permits,
                inventories):
    for _table in _module.TABLES:
        if _table.name in TABLES:
            raise ValueError(f"table {_table.name} is declared twice")
        TABLES[_table.name] = _table


def table(name: str) -> TableSpec:
    """Return the declaration of ``schema.table``; a KeyError names the known tables."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no table {name!r} in the catalog; known: {sorted(TABLES)}") from None


__all__ = ["Column", "TableSpec", "TABLES", "table"]
