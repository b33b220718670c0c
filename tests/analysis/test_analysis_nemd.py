"""Full single-replica analysis on synthetic NEMD data with a known R_K."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.nemd import PROFILE_COLUMNS, analyse_replica, profile_table
from analysis.synthetic import synthetic_replica

#: Fit windows the synthetic replicas were designed for: their profile bends towards the
#: baths over a few Å (:func:`analysis.synthetic.synthetic_replica`, ``bump_length_A``),
#: so these tests exclude 10 Å there; the schema's defaults (5 Å, 3 Å) suit real cells.
SYNTHETIC_WINDOWS = {"bath_exclusion_A": 10.0, "interface_exclusion_A": 5.0,
                     "min_discard_ps": 0.0}

QUANTITIES = (("R_K", "m2K_W"), ("delta_T", "K"), ("kappa_A", "W_mK"), ("kappa_B", "W_mK"))


@pytest.mark.parametrize("hot", ["A", "B"])
def test_single_replica_recovers_truth(hot):
    raw, truth = synthetic_replica(seed=5, hot_side=hot, n_samples=1500)
    res = analyse_replica(raw, SYNTHETIC_WINDOWS)
    json.dumps(res, allow_nan=False)  # strict JSON
    assert res["hot_side"] == hot
    for name, unit in QUANTITIES:
        value, se = res[f"{name}_{unit}"], res[f"{name}_se_{unit}"]
        assert 0 < se < 0.1 * abs(value)
        assert abs(value - truth[f"{name}_{unit}"]) < 4 * se, name
        assert res[f"{name}_ci95_low_{unit}"] < value < res[f"{name}_ci95_high_{unit}"]
    assert res["G_MW_m2K"] == pytest.approx(1e-6 / res["R_K_m2K_W"])
    assert res["G_ci95_low_MW_m2K"] == pytest.approx(1e-6 / res["R_K_ci95_high_m2K_W"])
    for side in "AB":
        assert np.sign(res[f"grad_{side}_K_per_A"]) == np.sign(truth[f"dTdz_{side}_K_per_A"])
    assert res["steady_state_start_ps"] >= 2 * truth["transient_tau_ps"]
    assert res["converged"] and res["linear_response"]
    assert res["n_blocks"] >= 5 and 1 < res["ci_dof"] < res["n_blocks"]
    tau = res["convergence"]["tau_slow_ps"]
    assert tau == pytest.approx(truth["slow_tau_ps"], rel=0.3)
    assert res["block_length_ps"] <= max(tau, 1.0)  # blocks of τ_slow/2, whole samples
    assert res["analysis_start_ps"] >= tau
    assert res["R_K_total_ci95_low_m2K_W"] <= res["R_K_ci95_low_m2K_W"]
    assert res["R_K_sys_m2K_W"] >= 0 and len(res["window_scan"]) == 9
    assert len(res["blocks"]["delta_T_K"]) == res["n_blocks"]
    assert res["linear_A"] and res["linear_B"] and res["stationary"]
    assert res["flux_imbalance"] < 0.05
    assert res["fit_windows_A"] == {"A": [35.0, 95.0], "B": [105.0, 165.0]}


def test_profile_table_for_csv():
    raw, _ = synthetic_replica(seed=6)
    res = analyse_replica(raw, SYNTHETIC_WINDOWS)
    table = profile_table(res)
    assert tuple(table) == PROFILE_COLUMNS
    n = len(raw["z_A"])
    assert all(len(col) == n for col in table.values())
    z = np.array(table["z_A"])
    fitted = np.array(table["in_fit_window"])
    assert fitted.sum() == 30 and np.all((z[fitted] > 35) & (z[fitted] < 165))
    assert table["side"][0] == "A" and table["side"][-1] == "B"
    assert table["T_mean_K"][0] is None  # fixed layer: no atoms
    T, fit, sem = (np.array(table[k], dtype=float) for k in ("T_mean_K", "T_fit_K", "T_sem_K"))
    assert np.all(np.abs(T[fitted] - fit[fitted]) < 5 * sem[fitted])
    assert np.all(sem[fitted] > 0)


def test_r_k_interval_coverage_and_steady_state():
    n_trials, hits, starts = 250, dict.fromkeys(QUANTITIES, 0), []
    for seed in range(1000, 1000 + n_trials):
        raw, truth = synthetic_replica(seed=seed, n_samples=1200)
        res = analyse_replica(raw, SYNTHETIC_WINDOWS)
        starts.append(res["steady_state_start_ps"])
        if not res["converged"]:  # the drift test's false alarms (~2 %)
            n_trials -= 1
            continue
        for name, unit in QUANTITIES:
            hits[(name, unit)] += (res[f"{name}_ci95_low_{unit}"] <= truth[f"{name}_{unit}"]
                                   <= res[f"{name}_ci95_high_{unit}"])
    assert n_trials >= 240
    coverage = {k: v / n_trials for k, v in hits.items()}
    assert 0.92 <= coverage[("R_K", "m2K_W")] <= 0.98, coverage
    assert all(0.88 <= c <= 0.99 for c in coverage.values()), coverage
    tau = truth["transient_tau_ps"]
    assert min(starts) >= 1.5 * tau and np.median(starts) >= 2 * tau


def test_curved_profile_is_flagged():
    # Bends reaching deep into the fit windows: both sides non-linear.
    raw, _ = synthetic_replica(seed=7, bump_length_A=25.0, bath_bump_K=15.0)
    res = analyse_replica(raw, SYNTHETIC_WINDOWS)
    assert not res["linear_A"] and not res["linear_B"]
    assert any("not linear" in w for w in res["warnings"])


def test_settings_and_validation():
    raw, _ = synthetic_replica(seed=8)
    res = analyse_replica(raw, {"fit_windows_A": {"A": [50, 90], "B": [110, 150]},
                                "min_discard_ps": 300.0})
    assert res["fit_windows_A"] == {"A": [50.0, 90.0], "B": [110.0, 150.0]}
    assert res["steady_state_start_ps"] >= 300.0
    with pytest.raises(ValueError, match="unknown"):
        analyse_replica(raw, {"bath_exclusion": 5.0})
    bad = dict(raw, time_ps=raw["time_ps"] ** 1.01)
    with pytest.raises(ValueError, match="evenly"):
        analyse_replica(bad, SYNTHETIC_WINDOWS)
    with pytest.raises(ValueError, match="lacks"):
        analyse_replica({k: v for k, v in raw.items() if k != "area_A2"})
    with pytest.raises(ValueError, match="opposite"):
        analyse_replica(dict(raw, cold_region_A=(30.0, 40.0)))


def test_run_shorter_than_its_transient_is_flagged_not_fatal():
    """A transient longer than the run: a point estimate, no interval, and the reason."""
    # a 25 Å² cell: τ_slow = C_eff R_K / A ≈ 60 ps, as long as the transient
    raw, truth = synthetic_replica(seed=11, n_samples=100, dt_ps=1.0, transient_tau_ps=60.0,
                                   area_A2=40.0)
    assert truth["slow_tau_ps"] == pytest.approx(60, rel=0.1)
    result = analyse_replica(raw, SYNTHETIC_WINDOWS | {"min_discard_ps": 20.0})
    assert result["converged"] is False
    assert result["R_K_ci95_low_m2K_W"] is None and result["R_K_se_m2K_W"] is None
    assert any("not converged" in w for w in result["warnings"])
    assert np.isfinite(result["R_K_m2K_W"])


def test_large_jump_is_flagged_outside_linear_response():
    raw, _ = synthetic_replica(seed=12, delta_T_K=80.0)  # 27 % of 300 K
    result = analyse_replica(raw, SYNTHETIC_WINDOWS)
    assert result["linear_response"] is False
    assert any("linear response" in w for w in result["warnings"])
    raw, _ = synthetic_replica(seed=12, delta_T_K=20.0)
    assert analyse_replica(raw, SYNTHETIC_WINDOWS)["linear_response"] is True


def test_unresolved_gradient_gives_a_lower_bound_on_kappa():
    """A nearly flat side: κ's interval has no upper end, never a negative value."""
    raw, truth = synthetic_replica(seed=13, grad_B_K_per_A=0.0005, n_samples=1500)
    result = analyse_replica(raw, SYNTHETIC_WINDOWS)
    assert result["converged"]
    assert result["kappa_B_ci95_high_W_mK"] is None
    bound = result["kappa_B_lower_bound_W_mK"]
    assert bound is not None and bound > 0
    assert truth["kappa_B_W_mK"] >= bound
    assert result["kappa_B_W_mK"] is None or result["kappa_B_W_mK"] > 0


def test_window_scan_sees_a_bent_profile():
    """Bends reaching into the fit window move R_K with the window: a systematic."""
    straight, _ = synthetic_replica(seed=14, n_samples=1500)
    bent, _ = synthetic_replica(seed=14, n_samples=1500, bump_length_A=8.0, bath_bump_K=10.0)
    s_straight = analyse_replica(straight, SYNTHETIC_WINDOWS)["R_K_sys_m2K_W"]
    s_bent = analyse_replica(bent, SYNTHETIC_WINDOWS)["R_K_sys_m2K_W"]
    assert s_bent > 2 * s_straight


def test_a_mean_temperature_off_nominal_is_named():
    from analysis.nemd import mean_temperature_note

    assert mean_temperature_note(310.0, 300.0) is None  # within 5 %
    note = mean_temperature_note(321.4, 300.0)
    assert "mean temperature off nominal" in note and "+21.4 K" in note
    assert "holds at 321 K" in note
    assert mean_temperature_note(280.0, 300.0).count("-20.0 K") == 1
