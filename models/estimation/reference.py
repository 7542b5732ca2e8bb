"""Loading the versioned reference CSVs under ``models/reference/`` (see its README.md).

Each loader returns a fresh DataFrame, typed, with NaN for unknown numbers. Nothing here
computes estimates.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"
MLPERF_INFERENCE_V4_1 = REFERENCE_DIR / "benchmarks" / "mlperf_inference_v4_1_llm.csv"


@cache
def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _fresh(name: str) -> pd.DataFrame:
    return _read(REFERENCE_DIR / name).copy()


def gpu_models() -> pd.DataFrame:
    """One row per accelerator (``gpu_models.csv``), keyed by ``gpu_model``."""
    return _fresh("gpu_models.csv")


def gpu_aliases() -> pd.DataFrame:
    """User-facing and provider GPU names with their canonical id (``gpu_aliases.csv``)."""
    return _fresh("gpu_aliases.csv")


def interconnects() -> pd.DataFrame:
    """Collective latency and link efficiency per interconnect kind (``interconnects.csv``)."""
    return _fresh("interconnects.csv")


def gpu_families() -> pd.DataFrame:
    """GPU id to efficiency family (``gpu_families.csv``)."""
    return _fresh("gpu_families.csv")


def llm_architectures() -> pd.DataFrame:
    """One row per LLM architecture (``llm_architectures.csv``), keyed by ``llm_model``."""
    return _fresh("llm_architectures.csv")


def llm_name_rules() -> pd.DataFrame:
    """Ordered regular expressions from model ids to architectures (``llm_name_rules.csv``)."""
    return _fresh("llm_name_rules.csv")


def efficiency_defaults() -> pd.DataFrame:
    """Prefill/decode/training efficiencies per GPU family and precision."""
    return _fresh("efficiency_defaults.csv")


def workload_profiles() -> pd.DataFrame:
    """Named request shapes (input/output tokens, latency target)."""
    return _fresh("workload_profiles.csv")


def azure_vm_skus() -> pd.DataFrame:
    """Azure GPU VM sizes with GPU model and count (``azure_vm_skus.csv``)."""
    return _fresh("azure_vm_skus.csv")


def mlperf_inference_v4_1() -> pd.DataFrame:
    """MLPerf Inference v4.1 LLM results (copy of shared/data/benchmarks, see PROVENANCE.md)."""
    return _read(MLPERF_INFERENCE_V4_1).copy()


def clear_cache() -> None:
    """Forget loaded files (after ``calibration`` rewrites ``efficiency_defaults.csv``)."""
    _read.cache_clear()
