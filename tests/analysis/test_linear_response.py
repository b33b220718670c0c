"""Linear-response check R_K(J) on synthetic numbers with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.linear_response import Z95, flux_independence_test, sigma_from_ci95

FLUXES = np.array([5e9, 1e10, 1.5e10, 2e10])   # W/m²
R0 = 2.0e-9                                    # m²K/W
SIGMA = 0.05e-9                                # m²K/W


def intervals(r_k, sigma):
    """95 % intervals whose effective σ is ``sigma``."""
    r_k = np.asarray(r_k, float)
    return r_k - Z95 * sigma, r_k + Z95 * sigma


def test_consistent_values_pass():
    """Constant R_K with offsets well inside the errors: independent of J."""
    r_k = R0 + SIGMA * np.array([0.3, -0.4, 0.2, -0.1])
    result = flux_independence_test(FLUXES, r_k, *intervals(r_k, SIGMA))
    assert result["verdict"] == "independent" and result["consistent"] is True
    assert result["p_value"] > 0.5 and result["chi2_p_value"] > 0.5
    low, high = result["slope_ci95_low_m4K_W2"], result["slope_ci95_high_m4K_W2"]
    assert low < 0 < high
    assert result["R_K_mean_m2K_W"] == pytest.approx(R0, abs=0.2 * SIGMA)
    assert result["n_used"] == 4 and result["n_excluded"] == 0


def test_a_clear_flux_dependence_fails():
    """R_K = R_0 + c J rising by 50 % over the fluxes, errors of 2.5 %: rejected."""
    slope = 0.5 * R0 / 1.5e10
    r_k = R0 + slope * (FLUXES - FLUXES[0])
    result = flux_independence_test(FLUXES, r_k, *intervals(r_k, SIGMA))
    assert result["verdict"] == "depends_on_J" and result["consistent"] is False
    assert result["p_value"] < 1e-10
    assert result["slope_m4K_W2"] == pytest.approx(slope, rel=1e-9)
    assert result["slope_ci95_low_m4K_W2"] > 0
    assert result["R_K_0_m2K_W"] == pytest.approx(R0 - slope * FLUXES[0], rel=1e-9)
    assert result["relative_change"] == pytest.approx(slope * 1.5e10 / np.mean(r_k), rel=1e-9)


def test_two_fluxes_known_p_value_and_chi2_equal_to_z_squared():
    """R_K 1.0 and 1.3 (×1e-9) with σ = 0.1e-9 each: z = 0.3/√0.02 = 2.1213, p = 0.0339."""
    r_k = np.array([1.0e-9, 1.3e-9])
    result = flux_independence_test([5e9, 1e10], r_k, *intervals(r_k, 0.1e-9))
    z = 0.3 / math.sqrt(0.02)
    assert result["z"] == pytest.approx(z, rel=1e-9)
    assert result["p_value"] == pytest.approx(0.033895, abs=2e-6)
    assert result["chi2"] == pytest.approx(z**2, rel=1e-9) and result["chi2_dof"] == 1
    assert result["chi2_p_value"] == pytest.approx(result["p_value"], rel=1e-9)
    assert result["verdict"] == "depends_on_J"
    assert flux_independence_test([5e9, 1e10], r_k, *intervals(r_k, 0.1e-9),
                                  alpha=0.01)["verdict"] == "independent"


def test_slope_matches_the_weighted_normal_equations():
    rng = np.random.default_rng(3)
    sigma = SIGMA * np.array([1.0, 2.0, 0.5, 1.5])
    r_k = R0 + rng.normal(0, sigma)
    result = flux_independence_test(FLUXES, r_k, *intervals(r_k, sigma))
    a = np.column_stack([np.ones_like(FLUXES), FLUXES]) / sigma[:, None]
    params, *_ = np.linalg.lstsq(a, r_k / sigma, rcond=None)
    cov = np.linalg.inv(a.T @ a)
    assert result["R_K_0_m2K_W"] == pytest.approx(params[0], rel=1e-8)
    assert result["slope_m4K_W2"] == pytest.approx(params[1], rel=1e-8)
    assert result["slope_se_m4K_W2"] == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-8)
    assert result["R_K_0_se_m2K_W"] == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-8)


def test_runs_without_an_interval_are_left_out():
    r_k = [R0, 1.5 * R0, R0 * 1.01]
    low = [R0 - 0.1e-9, None, R0 * 1.01 - 0.1e-9]
    high = [R0 + 0.1e-9, None, R0 * 1.01 + 0.1e-9]
    result = flux_independence_test([5e9, 1e10, 2e10], r_k, low, high)
    assert (result["n_used"], result["n_excluded"]) == (2, 1)
    assert result["verdict"] == "independent"
    alone = flux_independence_test([5e9, 1e10], r_k[:2], low[:2], high[:2])
    assert alone["verdict"] == "undetermined" and alone["p_value"] is None
    assert alone["consistent"] is None


def test_false_alarm_rate_is_about_alpha():
    """Under H0 (constant R_K, Gaussian errors of the stated size) the test rejects in
    about 5 % of trials."""
    rng = np.random.default_rng(11)
    rejected = 0
    trials = 4000
    for _ in range(trials):
        r_k = R0 + rng.normal(0, SIGMA, FLUXES.size)
        rejected += not flux_independence_test(FLUXES, r_k, *intervals(r_k, SIGMA))["consistent"]
    assert 0.04 < rejected / trials < 0.06


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="positive"):
        flux_independence_test([-5e9, 1e10], [R0, R0], [R0, R0], [R0, R0])
    with pytest.raises(ValueError, match="equal length"):
        flux_independence_test([5e9], [R0, R0], [R0, R0], [R0, R0])


def test_sigma_from_interval():
    sigma = sigma_from_ci95([1.0, None, 2.0], [1.0 + 2 * Z95, 3.0, 2.0])
    assert sigma[0] == pytest.approx(1.0) and math.isnan(sigma[1]) and math.isnan(sigma[2])
