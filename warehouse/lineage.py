"""Table lineage derived from the SQL that builds each table (sqlglot), never kept by hand.

A SQL-built table depends on the tables its query reads. A table computed in Python (the
estimation outputs) reads named input queries under ``warehouse/sql/inputs/``; it depends on
what those read, plus the reference tables whose CSVs the estimation engine loads itself.
:func:`build_order` sorts a set of tables so each comes after what it reads.
"""

from __future__ import annotations

from functools import cache
from graphlib import TopologicalSorter

import sqlglot
from sqlglot import exp

from warehouse.transform import query_text

# Tables computed by the estimation engine, and the input queries they are computed from.
ESTIMATION_INPUTS: dict[str, tuple[str, ...]] = {
    "out.gpu__daily_usd_per_effective_tflop": ("inputs.gpu__offers_for_tflop",),
    "out.llm__daily_cost_per_1k_tokens": ("inputs.llm__price_basis",),
    "out.llm__daily_market_vs_projected": ("inputs.llm__token_prices",
                                           "inputs.llm__projected_costs"),
}
# Every table computed in Python (the estimation outputs and the facility resolution), and the
# input queries whose rows it is computed from.
PYTHON_BUILT_INPUTS: dict[str, tuple[str, ...]] = {
    **ESTIMATION_INPUTS,
    "core.datacenter__facilities": ("inputs.datacenter__facility_candidates",
                                    "inputs.datacenter__facility_memberships"),
    "core.datacenter__assn_facility_records": ("inputs.datacenter__facility_candidates",),
}
# The estimation engine reads its reference data from models/reference/ (the same CSVs the
# reference tables are loaded from), not through SQL, so these edges are stated here.
ESTIMATION_REFERENCE = frozenset({"core.gpu__entity_models", "core.gpu__codes_efficiency",
                                  "core.llm__entity_architectures",
                                  "core.llm__codes_workload_profiles"})


@cache
def tables_read(query_name: str) -> frozenset[str]:
    """``schema.table`` names the query reads (CTE names excluded)."""
    tree = sqlglot.parse_one(query_text(query_name), read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found = set()
    for node in tree.find_all(exp.Table):
        if node.db and node.name not in ctes:
            found.add(f"{node.db}.{node.name}")
        elif node.name and node.name not in ctes:
            raise ValueError(f"{query_name} reads {node.name!r} without a schema; write "
                             "schema.table so lineage can be derived")
    return frozenset(found)


def upstream(table_name: str) -> frozenset[str]:
    """What ``table_name`` is built from."""
    if table_name not in PYTHON_BUILT_INPUTS:
        return tables_read(table_name)
    reads = frozenset().union(*(tables_read(q) for q in PYTHON_BUILT_INPUTS[table_name]))
    return reads | ESTIMATION_REFERENCE if table_name in ESTIMATION_INPUTS else reads


def build_order(table_names: tuple[str, ...] | list[str]) -> list[str]:
    """``table_names`` ordered so every table comes after the ones among them it reads."""
    names = set(table_names)
    graph = {name: upstream(name) & names for name in names}
    return list(TopologicalSorter(graph).static_order())
