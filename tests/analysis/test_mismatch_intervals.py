"""The EET-predicted NEMD/EMD ratio and the classical Debye rows with their intervals (no MD)."""

from __future__ import annotations

import math

import pytest

from analysis.mismatch import DebyeSolid, eet_ratio_debye, mismatch_table
from study.mismatch import DEFAULT_SETTINGS, ISOTROPISATIONS, model_intervals, table_rows

# MEAM Si and Cu (0 K, meam_jelinek2012) with inflated standard errors (1 GPa)
SI = {"C11_GPa": 163.79, "C12_GPa": 64.56, "C44_GPa": 76.46, "C11_se_GPa": 1.0,
      "C12_se_GPa": 1.0, "C44_se_GPa": 1.0, "density_kg_m3": 2329.0,
      "number_density_m3": 4.994e28}
CU = {"C11_GPa": 172.50, "C12_GPa": 121.89, "C44_GPa": 76.07, "C11_se_GPa": 1.0,
      "C12_se_GPa": 1.0, "C44_se_GPa": 1.0, "density_kg_m3": 8897.6,
      "number_density_m3": 8.432e28}


def test_prediction_is_one_model_with_an_interval():
    settings = DEFAULT_SETTINGS | {"n_samples": 60}
    out = model_intervals(SI, CU, settings)
    sides = [DebyeSolid.from_properties(k, p) for k, p in (("Si", SI), ("Cu", CU))]
    for model in ("amm", "dmm"):
        ratio = out[model]["eet_ratio"]
        assert ratio["value"] == pytest.approx(eet_ratio_debye(*sides, model=model), rel=1e-12)
        assert ratio["ci95_low"] < ratio["value"] < ratio["ci95_high"]
        assert ratio["ci95_low"] <= min(ratio["by_isotropisation"].values())
        assert ratio["ci95_high"] >= max(ratio["by_isotropisation"].values())
        assert set(ratio["by_isotropisation"]) == set(ISOTROPISATIONS)
        g = out[model]["G_W_m2K"]
        assert g["ci95_low"] <= g["value"] <= g["ci95_high"]
    assert 1.2 < out["amm"]["eet_ratio"]["value"] < 1.35  # Si/Cu, MEAM
    assert 1.35 < out["dmm"]["eet_ratio"]["value"] < 1.55
    # reproducible, and without draws the interval is the isotropisation spread alone
    assert model_intervals(SI, CU, settings) == out
    bare = model_intervals(SI, CU, settings | {"n_samples": 0})["amm"]["eet_ratio"]
    spread = bare["by_isotropisation"].values()
    assert (bare["ci95_low"], bare["ci95_high"]) == pytest.approx((min(spread), max(spread)))


def test_table_rows_carry_the_ratio_and_the_intervals():
    sides = tuple(DebyeSolid.from_properties(k, p) for k, p in (("Si", SI), ("Cu", CU)))
    model_rows = mismatch_table(sides, None, [100.0, 300.0])
    intervals = model_intervals(SI, CU, DEFAULT_SETTINGS | {"n_samples": 0})
    rows = table_rows("SiCu", model_rows, [], intervals)
    assert len(rows) == len(model_rows)
    for row in rows:
        classical = row["statistics"] == "classical"
        if row["eet_correction"]:
            base = next(r for r in rows if not r["eet_correction"] and all(
                r[k] == row[k] for k in ("model", "form", "statistics", "temperature_K")))
            assert row["eet_ratio"] == pytest.approx(base["R_K_m2K_W"] / row["R_K_m2K_W"])
            assert ("eet_ratio_ci95_low" in row) == classical
        assert ("R_K_ci95_low_m2K_W" in row) == classical
        if classical:
            assert row["R_K_ci95_low_m2K_W"] <= row["R_K_m2K_W"] <= row["R_K_ci95_high_m2K_W"]
            assert "interval" in row["note"]
    amm = next(r for r in rows if (r["model"], r["statistics"], r["eet_correction"])
               == ("amm", "classical", True))
    assert amm["eet_ratio"] == pytest.approx(intervals["amm"]["eet_ratio"]["value"])
    assert not math.isnan(amm["eet_ratio_ci95_high"])
