"""Heat flux from cumulative bath energies."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.flux import heat_flux, sample_powers
from analysis.synthetic import ar1_noise
from analysis.units import W_M2_PER_EV_PS_A2


def _tallies(seed, p_hot, p_cold, n=2000, dt=0.5, noise=0.2):
    rng = np.random.default_rng(seed)
    t = dt * np.arange(1, n + 1)
    transient = 3.0 * np.exp(-t / 20.0)  # extra power at switch-on, to be discarded
    e_hot = np.cumsum((p_hot * (1 + transient) + ar1_noise(rng, n, (), 0.6, noise)) * dt)
    e_cold = np.cumsum((p_cold * (1 + transient) + ar1_noise(rng, n, (), 0.6, noise)) * dt)
    return t, e_hot, e_cold


def test_sample_powers_are_window_means():
    t = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(sample_powers(t, [2.0, 6.0, 7.0]), [2.0, 4.0, 1.0])


@pytest.mark.parametrize(("p_hot", "p_cold"), [(0.8, -0.8), (0.8, -0.7), (-0.0, 0.0)])
def test_known_powers_recovered(p_hot, p_cold):
    if p_hot == 0:
        with pytest.raises(ValueError, match="no energy"):
            heat_flux(*_tallies(0, 0.0, 0.0, noise=0.0), 900.0, 200.0)
        return
    t, e_hot, e_cold = _tallies(1, p_hot, p_cold)
    res = heat_flux(t, e_hot, e_cold, 900.0, 200.0)
    assert res["t_start_ps"] == 200.0 and res["n_samples"] == 1600
    assert res["power_hot_eV_ps"] == pytest.approx(p_hot, abs=4 * res["power_hot_se_eV_ps"])
    assert res["power_cold_eV_ps"] == pytest.approx(p_cold, abs=4 * res["power_cold_se_eV_ps"])
    expected = 0.5 * (p_hot - p_cold) / 900.0 * W_M2_PER_EV_PS_A2
    assert res["flux_W_m2"] == pytest.approx(expected, abs=4 * res["flux_se_W_m2"])
    assert res["flux_ci95_low_W_m2"] < res["flux_W_m2"] < res["flux_ci95_high_W_m2"]
    assert res["flux_se_W_m2"] / res["flux_W_m2"] < 0.01
    true_imbalance = abs(p_hot + p_cold) / (0.5 * (abs(p_hot) + abs(p_cold)))
    assert res["flux_imbalance"] == pytest.approx(true_imbalance, abs=0.02)
    assert res["flux_hot_W_m2"] > 0 and res["flux_cold_W_m2"] > 0
    assert res["warnings"] == []


def test_transient_is_excluded():
    t, e_hot, e_cold = _tallies(2, 0.5, -0.5, noise=0.0)
    assert heat_flux(t, e_hot, e_cold, 100.0, 300.0)["power_hot_eV_ps"] == pytest.approx(
        0.5, rel=1e-5)
    assert heat_flux(t, e_hot, e_cold, 100.0, 0.0)["power_hot_eV_ps"] > 0.52


def test_hot_bath_on_the_high_z_side_needs_nothing_special_and_bad_signs_warn():
    # heat_flux is geometry-free: only the tallies' signs matter.
    t, e_hot, e_cold = _tallies(3, 0.6, -0.6)
    res = heat_flux(t, e_hot, e_cold, 400.0, 200.0)
    swapped = heat_flux(t, -e_cold, -e_hot, 400.0, 200.0)
    assert swapped["flux_W_m2"] == pytest.approx(res["flux_W_m2"], rel=1e-12)
    wrong = heat_flux(t, e_cold, e_hot, 400.0, 200.0)
    assert wrong["flux_W_m2"] < 0 and any("signs" in w for w in wrong["warnings"])
