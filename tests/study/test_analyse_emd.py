"""The Green-Kubo entry points on synthetic EMD runs (no LAMMPS): study.analyse_emd and
the green-kubo combination of study.combine, with the record keys downstream code reads."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis import green_kubo as gk
from study import analyse_emd, combine
from tests.analysis.test_green_kubo import ou

N_SIDE, T_K, DT_PS, TAU_PS, AREA_A2 = 288, 40.0, 0.05, 12.0, 250.0


def synthetic_raw(seed: int, length_taus: float) -> dict:
    """raw.npz contents of a lumped two-reservoir cell with a known G.

    The exchanged energy δE is an OU process (τ, variance k_B T² C_eff); E_A = E₀ + δE and
    E_B = E₀ − δE up to a fast interface-partition noise; T_A = T + δE/C_A and T_B = T − δE/C_B
    plus each side's fast kinetic/potential noise (variance T²/3N, 0.1 ps).
    """
    rng = np.random.default_rng(seed)
    n = round(length_taus * TAU_PS / DT_PS)
    c_side = gk.classical_heat_capacity_eV_K(N_SIDE)
    c_eff = c_side / 2
    exchange = ou(rng, n, TAU_PS, DT_PS, np.sqrt(gk.KB_EV_K * T_K**2 * c_eff))
    partition = ou(rng, n, 0.1, DT_PS, 0.2 * np.sqrt(gk.KB_EV_K * T_K**2 * c_eff))
    fast = T_K / np.sqrt(3 * N_SIDE)
    return {
        "time_ps": (np.arange(n) + 1) * DT_PS, "step": np.arange(n) + 1,
        "temperature_a_K": T_K + exchange / c_side + ou(rng, n, 0.1, DT_PS, fast),
        "temperature_b_K": T_K - exchange / c_side + ou(rng, n, 0.1, DT_PS, fast),
        "energy_a_eV": -1000.0 + exchange + partition,
        "energy_b_eV": -1000.0 - exchange - partition,
        "n_atoms_a": N_SIDE, "n_atoms_b": N_SIDE, "n_atoms": 2 * N_SIDE,
        "area_A2": AREA_A2, "area_total_A2": 2 * AREA_A2, "sample_every_ps": DT_PS,
        "temperature_target_K": T_K,
    }


def true_G() -> float:
    return float(gk.conductance_from_tau_MW_m2K(TAU_PS, n_atoms_a=N_SIDE, n_atoms_b=N_SIDE,
                                                area_total_A2=2 * AREA_A2))


RUN = {"settings": {"potential": "lj_test", "specorder": ["A", "B"], "replica": 0,
                    "seeds": {"velocity": 1}}}
OPTIONS = {"n_bootstrap": 60}


def test_defaults_come_from_the_schema():
    assert analyse_emd.DEFAULTS["estimator"] == "delta_T"
    assert set(analyse_emd.DEFAULTS) == set(analyse_emd.OPTION_KEYS)
    assert analyse_emd.DEFAULTS["min_length_taus"] > 0 and analyse_emd.DEFAULTS["gap_ps"] >= 0


def test_record_of_a_converged_run(tmp_path):
    record, table, results = analyse_emd.analyse(synthetic_raw(1, 80), RUN, OPTIONS)
    assert record["method"] == "green-kubo" and record["estimator"] == "delta_T"
    assert record["converged"] is True and record["convergence"]["converged"] is True
    assert set(record["estimators"]) == {"delta_T", "flux", "delta_T_acf"}
    for key in ("G_MW_m2K", "G_se_MW_m2K", "G_ci95_low_MW_m2K", "G_ci95_high_MW_m2K",
                "R_K_m2K_W", "R_K_se_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W",
                "tau_ps", "capacity_eV_K", "profile", "G_tau_factor_MW_m2K_ps"):
        assert record[key] is not None, key
    assert record["G_ci95_low_MW_m2K"] <= true_G() <= record["G_ci95_high_MW_m2K"]
    assert record["ci_dof"] is None  # a likelihood (normal) interval: infinite dof
    flux = record["estimators"]["flux"]
    assert flux["G_ci95_low_MW_m2K"] <= true_G() <= flux["G_ci95_high_MW_m2K"]
    assert record["checks"]["estimators_agree"] is True
    assert {"lag_ps", "acf_dT_K2", "acf_q_eV2_ps2", "running_integral_eV2_ps",
            "acf_energy_eV2", "G_running_MW_m2K", "model_acf_dT_K2"} <= set(table)
    assert table["acf_dT_K2"][0] > 0
    json.dumps(record)  # JSON-ready
    path = tmp_path / "emd.png"
    analyse_emd.plot(record, results, path)
    assert path.stat().st_size > 10_000


def test_record_of_a_short_run_has_no_interval(tmp_path):
    record, _, results = analyse_emd.analyse(synthetic_raw(2, 4), RUN, OPTIONS)
    assert record["converged"] is False
    assert record["G_MW_m2K"] > 0
    for key in ("G_se_MW_m2K", "G_ci95_low_MW_m2K", "G_ci95_high_MW_m2K", "R_K_se_m2K_W",
                "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W", "tau_ci95_low_ps"):
        assert record[key] is None, key
    assert any("not converged" in w for w in record["warnings"])
    analyse_emd.plot(record, results, tmp_path / "emd.png")


def test_combined_record_keeps_the_keys_downstream_reads(tmp_path):
    paths = []
    for seed in (3, 4):
        record, _, _ = analyse_emd.analyse(synthetic_raw(seed, 60),
                                           {**RUN, "settings": {**RUN["settings"],
                                                                "replica": seed}}, OPTIONS)
        path = tmp_path / f"rep{seed}.json"
        path.write_text(json.dumps(record))
        paths.append(path)
    comb = combine.combine(paths, "LJ-AB", "green-kubo")
    assert comb["method"] == "green-kubo" and comb["estimator"] == "delta_T"
    assert comb["n_replicas"] == 2 and comb["converged"] is True and comb["stationary"] is True
    assert comb["G_ci95_low_MW_m2K"] < comb["G_MW_m2K"] < comb["G_ci95_high_MW_m2K"]
    assert comb["R_K_ci95_low_m2K_W"] < comb["R_K_m2K_W"] < comb["R_K_ci95_high_m2K_W"]
    assert comb["G_ci95_low_MW_m2K"] <= true_G() <= comb["G_ci95_high_MW_m2K"]
    assert comb["tau_ps"] == pytest.approx(TAU_PS, rel=0.5)
    assert len(comb["replicas"]) == 2 and comb["G_se_MW_m2K"] > 0


def test_flux_estimator_can_be_the_reported_one(tmp_path):
    """``estimator: flux``: G from the side energy (measured capacity); replicas combine by
    the log-space inverse-variance mean (no common-τ likelihood for a/τ)."""
    paths = []
    for seed in (5, 6):
        record, _, _ = analyse_emd.analyse(synthetic_raw(seed, 80), RUN,
                                           {**OPTIONS, "estimator": "flux"})
        assert record["estimator"] == "flux" and record["converged"] is True
        assert record["G_MW_m2K"] == record["estimators"]["flux"]["G_MW_m2K"]
        path = tmp_path / f"rep{seed}.json"
        path.write_text(json.dumps(record))
        paths.append(path)
    comb = combine.combine(paths, "LJ-AB", "green-kubo")
    assert comb["estimator"] == "flux" and "ln G" in comb["combination"]
    assert comb["G_ci95_low_MW_m2K"] <= true_G() <= comb["G_ci95_high_MW_m2K"]


def test_estimators_that_disagree_give_no_interval(tmp_path):
    """ΔT and the side energy relaxing on different times (here τ and 4τ: no single
    lumped relaxation describes both) -- what a model that misreads real data shows:
    the run is flagged not converged and neither interval is claimed."""
    raw = synthetic_raw(3, 80)
    rng = np.random.default_rng(33)
    n = raw["time_ps"].size
    c_eff = gk.classical_heat_capacity_eV_K(N_SIDE) / 2
    slow = ou(rng, n, 4 * TAU_PS, DT_PS, np.sqrt(gk.KB_EV_K * T_K**2 * c_eff))
    raw["energy_a_eV"], raw["energy_b_eV"] = -1000.0 + slow, -1000.0 - slow
    record, _, _ = analyse_emd.analyse(raw, RUN, OPTIONS)
    assert record["checks"]["estimators_agree"] is False
    assert record["converged"] is False and record["convergence"]["converged"] is False
    assert any("disagree" in why for why in record["convergence"]["reasons"])
    assert record["G_MW_m2K"] > 0
    for key in ("G_se_MW_m2K", "G_ci95_low_MW_m2K", "G_ci95_high_MW_m2K",
                "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W"):
        assert record[key] is None, key
