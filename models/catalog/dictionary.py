"""Generates the data dictionary (``docs/data-dictionary.md``) from the catalog.

Regenerate with ``python -m models.catalog.dictionary``; a test fails when the committed file
is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from models.catalog import TABLES

DICTIONARY_PATH = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def render() -> str:
    lines = [
        "# Data dictionary",
        "",
        "Generated from `models/catalog/` by `python -m models.catalog.dictionary`; do not edit "
        "by hand.",
        "",
        "Schemas: `raw` (as each source says it, plus provenance), `core` (conformed), "
        "`out` (what analysts and reports read), and `pipeline` (the working warehouse's own "
        "bookkeeping, never published). Analysts query the published snapshot, which holds "
        "`core` and `out`. Primary keys are checked when rows are written (a payload's "
        "duplicate rows are rejected with a reason), not kept as indexes.",
        "",
    ]
    layers = ["raw", "core", "out", "pipeline"]
    for spec in sorted(TABLES.values(), key=lambda t: (layers.index(t.schema), t.name)):
        lines += [f"## `{spec.name}`", "", spec.description, ""]
        key = ", ".join(spec.primary_key) or "none"
        part = ", ".join(spec.partition_by) or "none (replaced whole or append-only)"
        lines += [f"Primary key: {key}. Partitioned by: {part}.", "",
                  "| column | type | unit | description |", "|---|---|---|---|"]
        for c in spec.columns:
            null = "" if c.nullable else " (not null)"
            lines.append(f"| `{c.name}` | {c.type}{null} | {c.unit or ''} | "
                         f"{c.description.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    DICTIONARY_PATH.parent.mkdir(parents=True, exist_ok=True)
    DICTIONARY_PATH.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {DICTIONARY_PATH}\n")


if __name__ == "__main__":
    main()
