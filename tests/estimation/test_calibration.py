"""Calibration on MLPerf Inference v4.1: plausible factors, reported errors, every row
projected, and the committed efficiency table equal to a fresh fit."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from models.catalog import estimation as catalog
from models.estimation import reference
from models.estimation.calibration import (
    CALIBRATION_COLUMNS,
    calibrate,
    calibration_projected_vs_measured,
    report,
    write_fitted_rows,
)


@pytest.fixture(scope="module")
def calibration():
    return calibrate()


@pytest.fixture(scope="module")
def projected(calibration):
    return calibration_projected_vs_measured(calibration=calibration)


def test_fitted_factors_are_plausible_efficiencies(calibration):
    fitted = calibration.fitted
    assert len(fitted) >= 3
    factors = fitted[["mfu_prefill", "mbu_prefill", "mfu_decode", "mbu_decode", "mfu_training"]]
    assert ((factors > 0) & (factors <= 1)).all().all()
    assert (fitted["fit_n_rows"] > 0).all()


def test_leave_one_out_error_is_reported(calibration):
    fitted = calibration.fitted.set_index("gpu_family")
    assert fitted["loo_median_ratio"].notna().all()
    assert (fitted["loo_median_ratio"] >= 1).all()
    assert (fitted["loo_max_ratio"] >= fitted["loo_median_ratio"]).all()
    # Hopper carries most rows; its unseen-GPU error stays within the 1.5x target at the median.
    assert fitted.loc["nvidia-hopper", "loo_median_ratio"] <= 1.5


def test_committed_table_matches_a_fresh_fit(calibration):
    table = reference.efficiency_defaults()
    committed = table[table["method"] == "fitted"].set_index(["gpu_family", "precision"])
    fresh = calibration.fitted.set_index(["gpu_family", "precision"])
    assert sorted(committed.index) == sorted(fresh.index)
    for column in ("mfu_prefill", "mfu_decode", "loo_median_ratio", "loo_max_ratio"):
        assert committed.loc[fresh.index, column].to_numpy() == pytest.approx(
            fresh[column].to_numpy()), column


def test_every_benchmark_row_is_reported(projected):
    assert tuple(projected.columns) == CALIBRATION_COLUMNS == catalog.CALIBRATION.column_names
    assert len(projected) == len(reference.mlperf_inference_v4_1())
    assert projected["source_path"].is_unique
    used = projected[projected["used_in_fit"]]
    assert used["projected_tokens_per_second_per_gpu"].gt(0).all()
    assert used["loo_ratio_projected_to_measured"].notna().all()
    excluded = projected[~projected["used_in_fit"]]
    assert excluded["exclusion_reason"].notna().all()
    gptj = projected[projected["benchmark"].str.startswith("gptj")]
    assert not gptj["used_in_fit"].any()
    assert (used["precision"].isin(["fp8", "fp4"])).all()


def test_in_sample_projection_is_close(projected):
    used = projected[projected["used_in_fit"]]
    error = np.maximum(used["ratio_projected_to_measured"],
                       1 / used["ratio_projected_to_measured"])
    assert error.median() < 1.25


def test_write_fitted_rows_keeps_literature_rows(tmp_path, calibration):
    path = tmp_path / "efficiency_defaults.csv"
    shutil.copy(reference.REFERENCE_DIR / "efficiency_defaults.csv", path)
    try:
        write_fitted_rows(calibration.fitted.assign(mfu_prefill=0.123), path)
    finally:
        reference.clear_cache()
    written = pd.read_csv(path, keep_default_na=False, na_values=[""])
    assert (written["method"] == "literature").sum() == 1
    assert (written.loc[written["method"] == "fitted", "mfu_prefill"] == 0.123).all()
    assert written.iloc[0]["gpu_family"] == "*"


def test_report_names_the_errors(calibration, projected):
    text = report(calibration, projected)
    assert "leave-one-GPU-out" in text and "nvidia-hopper" in text and "Not fitted" in text
