"""Temperature jump from two-sided line fits: windows, signs and interval coverage."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.jump import fit_windows, hot_side, temperature_jump

Z_I = 100.0
HOT, COLD = (5.0, 25.0), (175.0, 195.0)


def _profile(z, hot="A", delta=8.0, g_a=0.12, g_b=0.04, bump=6.0):
    """Linear sides (dT/dz signed by the hot side), jump at Z_I, bends at the baths."""
    flow = 1.0 if hot == "A" else -1.0
    t_hot, t_cold = 300 + delta / 2, 300 - delta / 2
    t_a, t_b = (t_hot, t_cold) if hot == "A" else (t_cold, t_hot)
    line = np.where(z < Z_I, t_a - flow * g_a * (z - Z_I), t_b - flow * g_b * (z - Z_I))
    return line + flow * bump * (np.exp(-(z - 25.0) / 3.0) - np.exp(-(175.0 - z) / 3.0))


def test_hot_side_and_default_windows():
    assert hot_side(Z_I, HOT, COLD) == "A"
    assert hot_side(Z_I, COLD, HOT) == "B"
    with pytest.raises(ValueError):
        hot_side(Z_I, (5.0, 25.0), (30.0, 40.0))
    w = fit_windows(Z_I, HOT, COLD, bath_exclusion_A=20.0, interface_exclusion_A=5.0)
    assert w == {"A": (45.0, 95.0), "B": (105.0, 155.0)}
    assert fit_windows(Z_I, COLD, HOT, bath_exclusion_A=20.0, interface_exclusion_A=5.0) == w
    with pytest.raises(ValueError, match="empty"):
        fit_windows(Z_I, HOT, COLD, bath_exclusion_A=80.0, interface_exclusion_A=5.0)


@pytest.mark.parametrize("hot", ["A", "B"])
def test_exact_profile_recovered_with_signs(hot):
    z = np.arange(1.0, 200.0, 2.0)
    bath_hot, bath_cold = (HOT, COLD) if hot == "A" else (COLD, HOT)
    w = fit_windows(Z_I, bath_hot, bath_cold, bath_exclusion_A=20.0, interface_exclusion_A=4.0)
    res = temperature_jump(z, _profile(z, hot), np.full(z.size, 0.1), Z_I, w, hot_side=hot)
    assert res["delta_T_K"] == pytest.approx(8.0, abs=0.01)  # bends leave < 0.01 K
    flow = 1.0 if hot == "A" else -1.0
    assert res["grad_A_K_per_A"] == pytest.approx(-flow * 0.12, abs=1e-4)
    assert res["grad_B_K_per_A"] == pytest.approx(-flow * 0.04, abs=1e-4)
    # Windows reaching into the bath bends bias the jump: the exclusion matters.
    near = fit_windows(Z_I, bath_hot, bath_cold, bath_exclusion_A=1.0, interface_exclusion_A=4.0)
    biased = temperature_jump(z, _profile(z, hot), None, Z_I, near, hot_side=hot)
    assert abs(biased["delta_T_K"] - 8.0) > 0.3


def test_confidence_interval_coverage():
    rng = np.random.default_rng(2024)
    z = np.arange(2.0, 200.0, 4.0)
    w = fit_windows(Z_I, HOT, COLD, bath_exclusion_A=15.0, interface_exclusion_A=4.0)
    sigma = np.where(z < Z_I, 0.4, 0.7)
    truth = _profile(z)
    hits, hits_scaled, errors = 0, 0, []
    n_trials = 300
    for _ in range(n_trials):
        T = truth + rng.normal(0.0, sigma)
        res = temperature_jump(z, T, sigma, Z_I, w, hot_side="A")
        hits += res["delta_T_ci95_low_K"] <= 8.0 <= res["delta_T_ci95_high_K"]
        scaled = temperature_jump(z, T, sigma, Z_I, w, hot_side="A", absolute_sigma=False)
        hits_scaled += scaled["delta_T_ci95_low_K"] <= 8.0 <= scaled["delta_T_ci95_high_K"]
        errors.append((res["delta_T_K"] - 8.0) / res["delta_T_se_K"])
    assert 0.90 <= hits / n_trials <= 0.99
    assert 0.90 <= hits_scaled / n_trials <= 0.99
    assert abs(np.mean(errors)) < 0.2 and np.std(errors) == pytest.approx(1.0, abs=0.12)


def test_too_few_bins_raises():
    z = np.arange(2.0, 200.0, 4.0)
    with pytest.raises(ValueError, match="usable bins"):
        temperature_jump(z, _profile(z), None, Z_I, {"A": (90.0, 95.0), "B": (105, 150)},
                         hot_side="A")
