"""How a catalog table appears in Dagster: its asset key, column schema and group."""

from __future__ import annotations

import dagster as dg

from models.catalog import TABLES, TableSpec


def table_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(name.split("."))


def column_schema(spec: TableSpec) -> dg.TableSchema:
    return dg.TableSchema(columns=[
        dg.TableColumn(c.name, c.type, description=c.description + (f" [{c.unit}]" if c.unit
                                                                     else ""))
        for c in spec.columns])


def table_metadata(name: str) -> dict:
    return {"dagster/column_schema": column_schema(TABLES[name]), "dagster/table_name": name}


def domain_group(name: str) -> str:
    """``core.cloud__daily_gpu_offers`` -> ``core_cloud``."""
    schema, rest = name.split(".", 1)
    return f"{schema}_{rest.split('__', 1)[0]}"
