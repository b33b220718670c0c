"""Combining independent replicas."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.nemd import analyse_replica
from analysis.replicas import combine_replicas, weighted_mean_birge
from analysis.synthetic import synthetic_replica


def _fake(r_k, se, dof=9):
    """Minimal replica result with R_K = r_k ± se and other quantities alike."""
    out = {"ci_dof": dof, "hot_side": "A", "fit_windows_A": {"A": [1, 2], "B": [3, 4]},
           "n_blocks": dof + 1, "flux_imbalance": 0.01, "linear_A": True, "linear_B": True,
           "stationary": True, "steady_state_start_ps": 100.0, "warnings": []}
    for name, unit, scale in (("R_K", "m2K_W", 1.0), ("delta_T", "K", 1e10),
                              ("flux", "W_m2", 1e19), ("kappa_A", "W_mK", 1e10),
                              ("kappa_B", "W_mK", 2e10)):
        out[f"{name}_{unit}"] = r_k * scale
        out[f"{name}_se_{unit}"] = se * scale
    return out


def test_single_replica_falls_back_to_its_block_interval():
    raw, _ = synthetic_replica(seed=21)
    res = analyse_replica(raw)
    comb = combine_replicas([res])
    json.dumps(comb, allow_nan=False)
    assert comb["n_replicas"] == 1
    for key in ("R_K_m2K_W", "R_K_se_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W",
                "G_MW_m2K", "kappa_B_ci95_high_W_mK"):
        assert comb[key] == pytest.approx(res[key], rel=1e-9)


def test_consistent_replicas_narrow_as_one_over_sqrt_n():
    one = combine_replicas([_fake(1.0e-9, 0.05e-9)])
    # Four replicas agreeing to well within their errors (Birge ratio < 1).
    four = combine_replicas([_fake(v * 1e-9, 0.05e-9) for v in (0.99, 1.01, 1.0, 1.005)])
    assert four["R_K_se_m2K_W"] / one["R_K_se_m2K_W"] == pytest.approx(0.5, rel=1e-9)
    width = four["R_K_ci95_high_m2K_W"] - four["R_K_ci95_low_m2K_W"]
    width_one = one["R_K_ci95_high_m2K_W"] - one["R_K_ci95_low_m2K_W"]
    assert 0.4 < width / width_one < 0.5  # 1/2 and a smaller t quantile (36 vs 9 dof)
    assert four["ci_dof"] == pytest.approx(36.0)
    assert four["R_K_m2K_W"] == pytest.approx(1.00125e-9)
    assert four["n_replicas"] == 4 and four["n_blocks"] == 40
    assert not any("Birge" in w for w in four["warnings"])


def test_inconsistent_replicas_inflate_the_interval():
    values = (0.8, 1.2, 0.9, 1.1)
    comb = combine_replicas([_fake(v * 1e-9, 0.02e-9) for v in values])
    naive_se = 0.02e-9 / 2
    birge = np.sqrt(np.sum((np.array(values) * 1e-9 - 1e-9) ** 2 / (0.02e-9) ** 2) / 3)
    assert comb["birge_ratio"]["R_K"] == pytest.approx(birge)
    assert comb["R_K_se_m2K_W"] == pytest.approx(naive_se * birge)
    # The interval now covers the replica scatter, with n-1 = 3 dof.
    assert comb["ci_dof"] == 3
    assert comb["R_K_ci95_low_m2K_W"] < 0.9e-9 and comb["R_K_ci95_high_m2K_W"] > 1.1e-9
    assert any("Birge" in w for w in comb["warnings"])


def test_weighted_mean_weights_by_inverse_variance():
    res = weighted_mean_birge([1.0, 2.0], [1.0, 2.0], [10, 10])
    assert res["mean"] == pytest.approx((1.0 + 2.0 / 4) / 1.25)
    with pytest.raises(ValueError):
        weighted_mean_birge([1.0], [0.0], [5])


def test_real_replicas_combine_consistently():
    results = [analyse_replica(synthetic_replica(seed=s)[0]) for s in (31, 32, 33)]
    comb = combine_replicas(results)
    ses = [r["R_K_se_m2K_W"] for r in results]
    assert comb["R_K_se_m2K_W"] < min(ses) * max(1.0, comb["birge_ratio"]["R_K"]) + 1e-30
    assert comb["R_K_m2K_W"] == pytest.approx(1e-9, rel=0.05)


def test_two_consistent_replicas_coverage_and_width():
    """Two replicas that agree within errors: ~95 % coverage and a CI narrower than t(1 dof)."""
    rng = np.random.default_rng(2026)
    truth, se, dof = 2.0e-9, 0.3e-9, 9
    covered, half_widths = 0, []
    n_trials = 2000
    for _ in range(n_trials):
        # each replica: an estimate and its own (chi2-distributed) standard error estimate
        values = truth + se * rng.standard_normal(2)
        ses = se * np.sqrt(rng.chisquare(dof, 2) / dof)
        comb = weighted_mean_birge(values, ses, [dof, dof])
        covered += comb["low"] <= truth <= comb["high"]
        half_widths.append(0.5 * (comb["high"] - comb["low"]))
    coverage = covered / n_trials
    assert 0.93 <= coverage <= 0.995, coverage
    # the median half-width stays far below what t(1 dof) = 12.7 would give
    assert np.median(half_widths) < 4.0 * se / np.sqrt(2)
