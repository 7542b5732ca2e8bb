"""The declaration types of the table catalog: :class:`Column` and :class:`TableSpec`.

Only the shape of a declaration and what can be derived from it without a database (DDL text,
markdown) belong here; the declarations themselves live in the domain modules beside this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Literal, get_args, get_origin

from pydantic import BaseModel

# raw, core and out are the layers; pipeline holds the working warehouse's own bookkeeping
# (never published).
_NAME = re.compile(r"^(raw|core|out|pipeline)\.[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Column:
    """One column: DuckDB type, unit (None when dimensionless or not a quantity), description."""

    name: str
    type: str
    description: str
    unit: str | None = None
    nullable: bool = True

    def ddl(self) -> str:
        return f"{self.name} {self.type}" + ("" if self.nullable else " NOT NULL")


@dataclass(frozen=True)
class TableSpec:
    """A warehouse table: ``schema.name``, columns, primary key and what partitions it.

    The primary key is checked when rows are written (:mod:`warehouse.write`), not kept as a
    DuckDB index: such indexes were most of the warehouse's size and bought nothing else.

    ``partition_by`` lists the columns a write replaces at once (usually ``observation_date``,
    plus ``source`` for tables several sources share). An empty tuple means the table is
    replaced whole (reference tables).
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    partition_by: tuple[str, ...] = ("observation_date",)
    examples: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"table name {self.name!r} is not schema.snake_case "
                             "(raw|core|out|pipeline)")
        names = [c.name for c in self.columns]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.name}: duplicate column names")
        for key in (*self.primary_key, *self.partition_by):
            if key not in names:
                raise ValueError(f"{self.name}: key column {key!r} is not declared")

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    def create_sql(self) -> str:
        """``CREATE TABLE IF NOT EXISTS`` for this table (no index: keys are checked at write)."""
        body = ",\n  ".join(c.ddl() for c in self.columns)
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  {body}\n)"

    def comment_sql(self, database: str | None = None) -> list[str]:
        """``COMMENT ON TABLE`` and ``COMMENT ON COLUMN`` statements that store the
        descriptions (with units) in the database itself, so ``duckdb_tables()`` and
        ``duckdb_columns()`` explain the table. ``database`` prefixes an attached one."""
        name = f"{database}.{self.name}" if database else self.name
        statements = [f"COMMENT ON TABLE {name} IS {_sql_text(self.description)}"]
        for c in self.columns:
            text = f"{c.description} (unit: {c.unit})" if c.unit else c.description
            statements.append(f"COMMENT ON COLUMN {name}.{c.name} IS {_sql_text(text)}")
        return statements


def _sql_text(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


_DUCKDB_TYPES = {str: "VARCHAR", int: "BIGINT", float: "DOUBLE", bool: "BOOLEAN",
                 date: "DATE", datetime: "TIMESTAMP"}

PROVENANCE: tuple[Column, ...] = (
    Column("observation_date", "DATE", "the day the data describes (the partition)",
           nullable=False),
    Column("fetched_datetime", "TIMESTAMP", "when the payload was received (UTC)",
           nullable=False),
    Column("source_url", "VARCHAR", "URL the payload came from, secrets redacted",
           nullable=False),
    Column("snapshot_sha256", "VARCHAR", "sha256 of the archived payload "
           "(blobs/<sha[:2]>/<sha>.gz in the raw archive)", nullable=False),
    Column("parser_version", "VARCHAR", "version of the parser that produced the row",
           nullable=False),
)


def duckdb_type(annotation: object) -> tuple[str, bool]:
    """DuckDB type and nullability of a record field annotation (Optional, Literal aware)."""
    if get_origin(annotation) is Annotated:
        return duckdb_type(get_args(annotation)[0])
    args = [a for a in get_args(annotation) if a is not type(None)]
    nullable = type(None) in get_args(annotation)
    if get_origin(annotation) is Literal:
        return "VARCHAR", False
    if nullable:
        inner, _ = duckdb_type(args[0])
        return inner, True
    try:
        return _DUCKDB_TYPES[annotation], False  # type: ignore[index]
    except KeyError:
        raise TypeError(f"no DuckDB type for record field type {annotation!r}") from None


def record_columns(model: type[BaseModel]) -> tuple[Column, ...]:
    """Columns for the fields of a record model, from its annotations and field metadata."""
    columns = []
    for name, info in model.model_fields.items():
        if not info.description:
            raise ValueError(f"{model.__name__}.{name} has no description")
        sql_type, nullable = duckdb_type(info.annotation)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        columns.append(Column(name, sql_type, info.description, unit=extra.get("unit"),
                              nullable=nullable))
    return tuple(columns)


def raw_table(name: str, model: type[BaseModel], description: str,
              primary_key: tuple[str, ...]) -> TableSpec:
    """A raw table: the provenance columns followed by the record model's fields."""
    return TableSpec(name=name, description=description,
                     columns=PROVENANCE + record_columns(model),
                     primary_key=("observation_date", *primary_key))
