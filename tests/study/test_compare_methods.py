"""NEMD-vs-EMD ratio and its EET prediction; the grain-boundary table (pure functions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.method_comparison import conductance_ratio
from study.compare_methods import comparison_rows, predicted_ratios
from study.grain_boundary_summary import boundary_rows


def record(g, se, dof=4, t=300.0, method="nemd", system="S", **extra):
    return {"G_MW_m2K": g, "G_se_MW_m2K": se, "ci_dof": dof, "temperature_K": t,
            "method": method, "system": system, "R_K_m2K_W": 1e-6 / g,
            "G_ci95_low_MW_m2K": g - 2 * se, "G_ci95_high_MW_m2K": g + 2 * se,
            "R_K_ci95_low_m2K_W": 1e-6 / (g + 2 * se), "R_K_ci95_high_m2K_W": 1e-6 / (g - 2 * se),
            **extra}


def test_ratio_interval_covers_the_truth_about_95_percent():
    """Two independent normal estimates of G with known SEs: the log-delta interval of the
    ratio covers the true ratio in ~95 % of trials (large dof)."""
    rng = np.random.default_rng(11)
    truth_1, truth_2, se_1, se_2 = 60.0, 40.0, 3.0, 2.5
    hits = 0
    for _ in range(2000):
        g1, g2 = rng.normal(truth_1, se_1), rng.normal(truth_2, se_2)
        r = conductance_ratio(record(g1, se_1, dof=1000), record(g2, se_2, dof=1000))
        hits += r["ci95_low"] <= truth_1 / truth_2 <= r["ci95_high"]
    assert 0.93 <= hits / 2000 <= 0.97


def test_ratio_uses_the_smaller_dof_and_rejects_non_positive_g():
    wide = conductance_ratio(record(60, 3, dof=2), record(40, 2, dof=100))
    narrow = conductance_ratio(record(60, 3, dof=100), record(40, 2, dof=100))
    assert wide["ratio"] == narrow["ratio"] == pytest.approx(1.5)
    assert wide["ci95_high"] > narrow["ci95_high"]
    assert math.isnan(conductance_ratio(record(60, 3), record(-1, 2))["ratio"])


def test_predicted_ratio_from_model_rows():
    """One model for both predictions: the classical Debye rows (full-dispersion rows are
    not mixed in), read from ``eet_ratio`` with its interval; older tables without those
    columns give G_corr/G and no interval."""
    def row(m, f, eet, g, **extra):
        return {"source": "model", "statistics": "classical", "model": m, "form": f,
                "eet_correction": str(eet), "G_MW_m2K": g, **extra}

    rows = [row("amm", "debye", False, 100.0),
            row("amm", "debye", True, 125.0, eet_ratio="1.25", eet_ratio_ci95_low="1.2",
                eet_ratio_ci95_high="1.3"),
            row("dmm", "debye", False, 80.0),
            row("dmm", "debye", True, 90.0, eet_ratio="1.125", eet_ratio_ci95_low="1.1",
                eet_ratio_ci95_high="1.15"),
            row("dmm", "full", False, 50.0), row("dmm", "full", True, 70.0, eet_ratio="1.4")]
    rows.append({"source": "model", "statistics": "quantum", "model": "amm", "form": "debye",
                 "eet_correction": "True", "G_MW_m2K": 1.0, "eet_ratio": "9"})
    p = predicted_ratios(rows)
    assert p["amm"] == pytest.approx(1.25) and p["dmm"] == pytest.approx(1.125)  # Debye both
    assert (p["amm_ci95_low"], p["amm_ci95_high"]) == pytest.approx((1.2, 1.3))
    assert (p["dmm_ci95_low"], p["dmm_ci95_high"]) == pytest.approx((1.1, 1.15))
    assert p["form"].startswith("debye")
    old = [{k: v for k, v in r.items() if not k.startswith("eet_ratio")} for r in rows]
    p_old = predicted_ratios(old)
    assert p_old["dmm"] == pytest.approx(90 / 80) and math.isnan(p_old["dmm_ci95_low"])
    assert math.isnan(predicted_ratios([])["amm"])
    table = comparison_rows("S", [record(60, 3)], [record(40, 2, method="green-kubo")], rows)
    assert table[0]["ratio_nemd_over_emd"] == pytest.approx(1.5)
    assert table[0]["predicted_ratio_dmm"] == pytest.approx(1.125)
    assert table[0]["predicted_ratio_amm_ci95_high"] == pytest.approx(1.3)


def test_grain_boundary_rows_carry_energy_and_kapitza_length():
    info = {"element_a": "Si", "gb_sigma": 5, "gb_kind": "tilt", "gb_plane": [3, 1, 0],
            "gb_misorientation_deg": 36.87, "gb_energy_J_m2": 0.67}
    rows = boundary_rows({"GB": info}, [record(500.0, 50.0, system="GB", kappa_A_W_mK=20.0),
                                        record(400.0, 80.0, system="GB", method="green-kubo")])
    nemd = next(r for r in rows if r["method"] == "nemd")
    assert nemd["gb_energy_J_m2"] == 0.67 and nemd["plane"] == "3 1 0"
    # Kapitza length kappa R_K = 20 W/mK x 2e-9 m2K/W = 40 nm
    assert nemd["kapitza_length_nm"] == pytest.approx(40.0)
    emd = next(r for r in rows if r["method"] == "green-kubo")
    assert emd["kappa_bulk_W_mK"] == 20.0  # the NEMD interior conductivity at that T


# --- the lumped Green-Kubo model's internal resistance ---------------------------------

LJ_EMD = {"G_MW_m2K": 38.7, "G_ci95_low_MW_m2K": 30.0, "G_ci95_high_MW_m2K": 47.4,
          "side_lengths_A": [58.04, 58.04], "n_atoms_a": 396, "n_atoms_b": 396,
          "area_A2": 260.4}
LJ_NEMD = {"G_MW_m2K": 55.3, "kappa_A_W_mK": 0.4, "kappa_A_ci95_low_W_mK": 0.3,
           "kappa_A_ci95_high_W_mK": 0.5, "kappa_B_W_mK": 0.2, "kappa_B_ci95_low_W_mK": 0.15,
           "kappa_B_ci95_high_W_mK": 0.25}


def test_internal_resistance_correction_raises_the_lumped_G_and_brackets_it():
    """LJ A/B benchmark numbers: the sides' internal resistance (≈ L/6κ each, ~7e-9 m²K/W
    against R_EMD = 2.6e-8) is most of the NEMD/EMD gap."""
    from analysis.method_comparison import internal_resistance_correction

    fix = internal_resistance_correction(LJ_EMD, LJ_NEMD)
    assert fix["reason"] is None
    small_biot = 58.04e-10 / 6 * (1 / 0.4 + 1 / 0.2)
    assert fix["internal_bias_m2K_W"] == pytest.approx(small_biot, rel=0.15)
    g = fix["G_corrected_MW_m2K"]
    assert 1 / (1 / 38.7e6 - small_biot) / 1e6 == pytest.approx(g, rel=0.1)
    assert 30.0 < fix["G_corrected_ci95_low_MW_m2K"] < g < fix["G_corrected_ci95_high_MW_m2K"]
    # far more conductive sides: (almost) nothing to remove
    stiff = {k: v * 1e4 if k.startswith("kappa") else v for k, v in LJ_NEMD.items()}
    assert internal_resistance_correction(LJ_EMD, stiff)["G_corrected_MW_m2K"] == \
        pytest.approx(38.7, rel=1e-3)
    # a side whose gradient is not resolved (no upper κ): the low end is not corrected
    loose = LJ_NEMD | {"kappa_B_ci95_high_W_mK": None}
    assert internal_resistance_correction(LJ_EMD, loose)["G_corrected_ci95_low_MW_m2K"] == 30.0
    # an older EMD record without the cell: no correction, said why
    old = internal_resistance_correction({k: v for k, v in LJ_EMD.items()
                                          if k != "side_lengths_A"}, LJ_NEMD)
    assert old["G_corrected_MW_m2K"] is None and "side lengths" in old["reason"]


def test_comparison_rows_carry_the_corrected_ratio():
    nemd = [LJ_NEMD | {"temperature_K": 40.0, "G_se_MW_m2K": 1.8, "ci_dof": 10,
                       "G_ci95_low_MW_m2K": 51.9, "G_ci95_high_MW_m2K": 59.2}]
    emd = [LJ_EMD | {"temperature_K": 40.0, "G_se_MW_m2K": 4.0, "ci_dof": 20}]
    row = comparison_rows("LJ-AB", nemd, emd, [])[0]
    assert row["ratio_nemd_over_emd"] == pytest.approx(55.3 / 38.7)
    assert row["ratio_nemd_over_emd_corrected"] == pytest.approx(
        55.3 / row["G_emd_corrected_MW_m2K"])
    assert row["ratio_nemd_over_emd_corrected"] < row["ratio_nemd_over_emd"]
    assert "NEMD side conductivities" in row["internal_resistance_note"]
