"""Which efficiencies (MFU, MBU per phase) apply to a GPU at a precision.

``efficiency_defaults.csv`` rows are keyed by GPU family and precision, with ``*`` as a
wildcard. The most specific row wins: (family, precision), (family, *), (*, precision),
(*, *). Assumption overrides replace single factors.
"""

from __future__ import annotations

import pandas as pd

from models.estimation import reference
from models.estimation.assumptions import EstimationAssumptions

EFFICIENCY_FIELDS = ("mfu_prefill", "mbu_prefill", "mfu_decode", "mbu_decode", "mfu_training")
WILDCARD = "*"


def efficiency_for(gpu_model, precision, table: pd.DataFrame | None = None,
                   families: pd.DataFrame | None = None,
                   assumptions: EstimationAssumptions | None = None) -> pd.DataFrame:
    """One row per (gpu_model, precision) pair given: gpu_family, the five factors and
    ``efficiency_source`` (which reference row or override supplied them)."""
    table = reference.efficiency_defaults() if table is None else table
    families = reference.gpu_families() if families is None else families
    query = pd.DataFrame({"gpu_model": gpu_model, "precision": precision})
    family_of = dict(zip(families["gpu_model"], families["gpu_family"], strict=True))
    query["gpu_family"] = query["gpu_model"].map(family_of).fillna(WILDCARD)
    rows = table.set_index(["gpu_family", "precision"])
    out = pd.DataFrame(index=query.index, columns=[*EFFICIENCY_FIELDS, "efficiency_source"],
                       dtype=object)
    for family_key, precision_key in (("gpu_family", "precision"), ("gpu_family", None),
                                      (None, "precision"), (None, None)):
        keys = pd.MultiIndex.from_arrays([
            query[family_key] if family_key else pd.Series(WILDCARD, index=query.index),
            query[precision_key] if precision_key else pd.Series(WILDCARD, index=query.index)])
        found = rows.reindex(keys)
        found.index = query.index
        todo = out["efficiency_source"].isna() & found["method"].notna()
        out.loc[todo, list(EFFICIENCY_FIELDS)] = found.loc[todo, list(EFFICIENCY_FIELDS)]
        out.loc[todo, "efficiency_source"] = (
            "efficiency_defaults.csv " + keys.get_level_values(0)[todo.to_numpy()]
            + "/" + keys.get_level_values(1)[todo.to_numpy()] + " ("
            + found.loc[todo, "method"].astype(str) + ")")
    out = out.astype({f: "float64" for f in EFFICIENCY_FIELDS})
    if assumptions is not None:
        overridden = [f for f in EFFICIENCY_FIELDS if getattr(assumptions, f) is not None]
        for field in overridden:
            out[field] = getattr(assumptions, field)
        if overridden:
            out["efficiency_source"] = (out["efficiency_source"] + "; override: "
                                        + ", ".join(overridden))
    return pd.concat([query[["gpu_family"]], out], axis=1)
