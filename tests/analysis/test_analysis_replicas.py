"""Combining independent replicas."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.nemd import analyse_replica
from analysis.replicas import combine_replicas, equal_weight_mean, weighted_mean_birge
from analysis.synthetic import synthetic_replica


def _fake(r_k, se, dof=9.0, converged=True):
    """Minimal converged replica result with R_K = r_k ± se and other quantities alike."""
    out = {"ci_dof": dof, "hot_side": "A", "fit_windows_A": {"A": [1, 2], "B": [3, 4]},
           "n_blocks": 10, "flux_imbalance": 0.01, "linear_A": True, "linear_B": True,
           "stationary": True, "steady_state_start_ps": 100.0, "warnings": [],
           "converged": converged, "linear_response": True, "window_scan": []}
    for name, unit, scale in (("R_K", "m2K_W", 1.0), ("delta_T", "K", 1e10),
                              ("flux", "W_m2", 1e19)):
        out[f"{name}_{unit}"] = r_k * scale
        out[f"{name}_se_{unit}"] = se * scale if converged else None
    for side, scale in (("A", 1e7), ("B", 2e7)):
        out[f"resistivity_{side}_mK_W"] = r_k * scale
        out[f"resistivity_{side}_se_mK_W"] = se * scale if converged else None
        out[f"resistivity_{side}_dof"] = dof
    return out


def test_single_replica_falls_back_to_its_block_interval():
    raw, _ = synthetic_replica(seed=21)
    res = analyse_replica(raw)
    assert res["converged"]
    comb = combine_replicas([res])
    json.dumps(comb, allow_nan=False)
    assert comb["n_replicas"] == 1 and comb["converged"]
    for key in ("R_K_m2K_W", "R_K_se_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W",
                "G_MW_m2K", "kappa_B_ci95_high_W_mK", "kappa_A_W_mK"):
        assert comb[key] == pytest.approx(res[key], rel=1e-6)


def test_equal_weights_and_one_over_sqrt_n():
    one = combine_replicas([_fake(1.0e-9, 0.05e-9)])
    four = combine_replicas([_fake(v * 1e-9, 0.05e-9) for v in (0.99, 1.01, 1.0, 1.005)])
    assert four["R_K_se_m2K_W"] / one["R_K_se_m2K_W"] == pytest.approx(0.5, rel=1e-9)
    assert four["ci_dof"] == pytest.approx(36.0)
    assert four["R_K_m2K_W"] == pytest.approx(1.00125e-9)
    # equal weights even when the errors differ (a small error must not pull the mean)
    mixed = combine_replicas([_fake(1.0e-9, 0.05e-9), _fake(1.05e-9, 0.1e-9)])
    assert mixed["R_K_m2K_W"] == pytest.approx(1.025e-9)
    assert mixed["R_K_se_m2K_W"] == pytest.approx(np.hypot(0.05e-9, 0.1e-9) / 2)
    assert four["kappa_A_W_mK"] == pytest.approx(1 / (four["resistivity_A_mK_W"]))


def test_disagreeing_replicas_use_their_scatter():
    values = (0.8, 1.2, 0.9, 1.1)
    comb = combine_replicas([_fake(v * 1e-9, 0.02e-9) for v in values])
    assert comb["ci_dof"] == 3
    assert comb["R_K_se_m2K_W"] == pytest.approx(np.std(values, ddof=1) / 2 * 1e-9)
    assert comb["R_K_ci95_low_m2K_W"] < 0.9e-9 and comb["R_K_ci95_high_m2K_W"] > 1.1e-9
    assert any("disagree" in w for w in comb["warnings"])


def test_one_unconverged_replica_leaves_no_interval():
    comb = combine_replicas([_fake(1.0e-9, 0.05e-9), _fake(1.1e-9, None, converged=False)])
    assert comb["converged"] is False
    assert comb["R_K_m2K_W"] == pytest.approx(1.05e-9)
    for key in ("R_K_se_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W",
                "G_ci95_low_MW_m2K", "kappa_A_ci95_low_W_mK", "R_K_total_ci95_low_m2K_W"):
        assert comb[key] is None, key
    json.dumps(comb, allow_nan=False)


def test_kappa_from_combined_gradients_is_a_bound_when_unresolved():
    """Resistivities straddling zero combine first: κ gets a lower bound, never < 0."""
    reps = [_fake(1e-9, 0.1e-9) for _ in range(3)]
    for rep, rho in zip(reps, (-0.5e-4, 1.0e-4, 0.2e-4), strict=True):
        rep["resistivity_B_mK_W"], rep["resistivity_B_se_mK_W"] = rho, 1.0e-4
    comb = combine_replicas(reps)
    assert comb["kappa_B_ci95_high_W_mK"] is None
    assert comb["kappa_B_lower_bound_W_mK"] > 0
    assert comb["kappa_B_ci95_low_W_mK"] == comb["kappa_B_lower_bound_W_mK"]


def test_equal_weight_mean_validation():
    with pytest.raises(ValueError):
        equal_weight_mean([1.0], [-1.0], [5])
    res = weighted_mean_birge([1.0, 2.0], [1.0, 2.0], [10, 10])  # the Green-Kubo combiner
    assert res["mean"] == pytest.approx((1.0 + 2.0 / 4) / 1.25)


def test_real_replicas_combine_consistently():
    results = [analyse_replica(synthetic_replica(seed=s)[0]) for s in (31, 32, 33)]
    comb = combine_replicas(results)
    assert comb["converged"]
    assert comb["R_K_se_m2K_W"] < max(r["R_K_se_m2K_W"] for r in results)
    assert comb["R_K_m2K_W"] == pytest.approx(1e-9, rel=0.1)
    assert comb["R_K_total_ci95_low_m2K_W"] <= comb["R_K_ci95_low_m2K_W"]
