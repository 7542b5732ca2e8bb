"""Pydantic record models: what a source's parser emits, one model per raw table.

A record model *is* the declaration of its raw table's source columns: the catalog derives the
columns (DuckDB type, unit, description) from the fields, and the provenance columns every raw
row carries are added by :func:`models.catalog.spec.raw_table`. Field metadata: ``description``
(required) and ``json_schema_extra={"unit": ...}`` for quantities.
"""
