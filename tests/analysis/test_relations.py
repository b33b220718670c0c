"""The small relations: T³ law, fluctuation-dissipation estimate, stacks, polycrystals, spins."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.mismatch import DebyeSolid, low_temperature_conductance, radiation_conductance_debye
from analysis.relations import (
    fluctuation_dissipation_resistance,
    kapitza_length,
    one_way_flux,
    parallel_channels_resistance,
    phonon_stefan_boltzmann,
    polycrystal_conductivity,
    power_law_exponent,
    propagate_se,
    series_resistance,
    t_cubed_law,
)

SI = DebyeSolid("Si-like", 2330.0, 5.0e28, (8400.0, 5700.0, 5700.0))


def test_t_cubed_law():
    temps = np.array([1.0, 2.0, 5.0, 10.0])
    g = t_cubed_law(temps, G_ref_W_m2K=1e3, T_ref_K=2.0)
    assert g[1] == 1e3 and g[3] == pytest.approx(1.25e5)
    assert power_law_exponent(temps, g) == pytest.approx(3.0)


def test_fluctuation_dissipation_matches_the_phonon_radiation_at_low_t():
    """dQ/dT of the one-way phonon flux σ_ph T⁴ is the α = 1 conductance (S&P eq. 21)."""
    sigma = phonon_stefan_boltzmann(SI.velocities)
    t = SI.debye_temperature_K / 150
    r_fd = fluctuation_dissipation_resistance(t, prefactor=1.0, sigma=sigma, exponent=4)
    assert 1 / r_fd == pytest.approx(low_temperature_conductance(t, SI.velocities, 1.0), rel=1e-12)
    assert 1 / r_fd == pytest.approx(radiation_conductance_debye(SI, [t])[0], rel=1e-3)
    dq = one_way_flux(t * 1.0001, prefactor=1.0, sigma=sigma, exponent=4) - one_way_flux(
        t * 0.9999, prefactor=1.0, sigma=sigma, exponent=4)
    assert dq / (2e-4 * t) == pytest.approx(1 / r_fd, rel=1e-6)


def test_fluctuation_dissipation_by_hand():
    # Q = 0.5 · 2 W m⁻² K⁻³ · T³ → dQ/dT = 3 T² → R = 1/(3·100) at T = 10 K
    assert fluctuation_dissipation_resistance(10.0, prefactor=0.5, sigma=2.0, exponent=3) == \
        pytest.approx(1 / 300)


def test_series_stack_and_kapitza_length():
    r_k, kappa_a, kappa_b = 2e-9, 150.0, 400.0
    total = series_resistance(length_a_m=1e-6, kappa_a_W_mK=kappa_a, R_K_m2K_W=r_k,
                              length_b_m=2e-6, kappa_b_W_mK=kappa_b)
    assert total == pytest.approx(1e-6 / 150 + 2e-9 + 2e-6 / 400)
    l_k = kapitza_length(r_k, kappa_a)
    assert l_k == pytest.approx(300e-9)
    # a layer of thickness l_K adds exactly R_K
    assert series_resistance(length_a_m=l_k, kappa_a_W_mK=kappa_a, R_K_m2K_W=0.0, length_b_m=0.0,
                             kappa_b_W_mK=1.0) == pytest.approx(r_k)


def test_polycrystal():
    kappa, r_k = 150.0, 2e-9
    l_k = kapitza_length(r_k, kappa)
    assert polycrystal_conductivity(kappa, r_k, 1.0) == pytest.approx(kappa, rel=1e-6)
    assert polycrystal_conductivity(kappa, r_k, l_k) == pytest.approx(kappa / 2)
    assert polycrystal_conductivity(kappa, 0.0, 1e-9) == pytest.approx(kappa)


def test_two_spin_channels():
    assert parallel_channels_resistance(4e-9, 4e-9) == pytest.approx(2e-9)
    assert parallel_channels_resistance(1e-9, np.inf) == pytest.approx(1e-9)
    assert parallel_channels_resistance(1e-9, 3e-9) == pytest.approx(0.75e-9)


def test_propagate_se_linear_and_product():
    value, se = propagate_se(lambda a, b: a * b, {"a": 2.0, "b": 3.0}, {"a": 0.1, "b": 0.2})
    assert value == 6.0 and se == pytest.approx(math.hypot(3 * 0.1, 2 * 0.2), rel=1e-6)

    def length(r_k, kappa):
        return kapitza_length(r_k, kappa)

    _, se_l = propagate_se(length, {"r_k": 2e-9, "kappa": 150.0}, {"r_k": 1e-10})
    assert se_l == pytest.approx(150.0 * 1e-10, rel=1e-6)
    with pytest.raises(KeyError):
        propagate_se(length, {"r_k": 1.0, "kappa": 1.0}, {"other": 1.0})
