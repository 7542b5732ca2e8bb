"""The assumptions that turn datacenter MW into a GPU compute equivalent
(``models/reference/gpu_power_assumptions.csv``) as a frame for
``core.buildout__codes_gpu_power_assumptions``, checked on load: every GPU model exists in
``gpu_models.csv`` with a TDP, every factor is a number of at least 1, every range holds its
central value, and every row cites its source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from models.estimation import reference

ASSUMPTIONS_CSV = Path(__file__).resolve().parent / "reference" / "gpu_power_assumptions.csv"
FACTORS = ("overhead_factor", "pue")


def gpu_power_assumptions(path: Path = ASSUMPTIONS_CSV) -> pd.DataFrame:
    """The assumptions table; ValueError naming the line for an unknown GPU model, a GPU without
    TDP, a factor that is not a number >= 1, a range that does not hold its central value, or a
    row without source."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    tdp_w = reference.gpu_models().set_index("gpu_model")["tdp_w"]
    for number, row in enumerate(frame.to_dict("records"), start=2):
        where = f"{path.name} line {number}"
        if pd.isna(tdp_w.get(row["gpu_model"])):
            raise ValueError(f"{where}: {row['gpu_model']!r} is not a gpu_models.csv id with "
                             "a tdp_w")
        if not row["source"].strip():
            raise ValueError(f"{where}: no source")
        for factor in FACTORS:
            names = (f"{factor}_low", factor, f"{factor}_high")
            values = pd.to_numeric(pd.Series([row[n] for n in names]), errors="coerce")
            if values.isna().any() or (values < 1).any():
                raise ValueError(f"{where}: {', '.join(names)} must be numbers >= 1, got "
                                 f"{[row[n] for n in names]}")
            if not values.is_monotonic_increasing:
                raise ValueError(f"{where}: {factor} range must hold its central value "
                                 f"(low <= central <= high), got {values.tolist()}")
    for factor in FACTORS:
        for name in (f"{factor}_low", factor, f"{factor}_high"):
            frame[name] = frame[name].astype(float)
    frame["notes"] = frame["notes"].replace("", None)
    return frame
