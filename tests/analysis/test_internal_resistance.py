"""The internal-resistance correction of the lumped Green-Kubo model (pure, no LAMMPS).

Parameter sets are (G MW/m²K, L_A Å, L_B Å, κ_A W/mK, κ_B W/mK, c_A J/m³K, c_B J/m³K).
The brute-force reference is a finite-volume discretisation of the whole periodic ring
A|B (two interfaces, no symmetry assumed): its ΔT modes are picked by their projection on
ΔT = ⟨T⟩_A − ⟨T⟩_B.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import constants, linalg

from analysis.green_kubo import conductance_from_tau_MW_m2K
from analysis.internal_resistance import (
    biot_numbers,
    classical_volumetric_heat_capacity_J_m3K,
    corrected_conductance,
    corrected_conductance_from_lumped,
    integral_relaxation_time_ps,
    lumped_relaxation_time_ps,
    lumped_resistance_bias_m2K_W,
    minimum_relaxation_time_ps,
    slowest_mode_weight,
    slowest_relaxation_time_ps,
    small_biot_bias_m2K_W,
)

#: LJ A/B benchmark-like (argon ε, σ; B 4× heavier; 11 fcc cells a side, 40 K).
LJ = (55.0, 58.04, 58.04, 0.4, 0.2, 1.128e6, 1.128e6)
#: Si/Cu MEAM-like (8 Si and 12 Cu cells, R_K ≈ 3e-9 m²K/W).
SICU = (333.0, 43.45, 43.44, 5.0, 2.0, 2.068e6, 3.492e6)
#: Strongly asymmetric: thin conductive A, thick resistive B (Bi_B = 40: z_B ≈ 3 > π/2).
ASYM = (2000.0, 20.0, 100.0, 100.0, 0.5, 1.0e6, 4.0e6)
SETS = {"lj": LJ, "sicu": SICU, "asym": ASYM}


def ring_spectrum(G_MW_m2K, L_A_A, L_B_A, kappa_A, kappa_B, c_A, c_B, n_a=200, n_b=200):
    """Finite-volume periodic ring: rates λ_n (1/s, ascending) and ΔT variance shares w_n.

    Cell-centred volumes of width h; neighbours in a side coupled by κ/h, the two A|B faces
    by 1/(h_A/2κ_A + 1/G + h_B/2κ_B); capacities c h.  K T = λ M T is symmetrised with
    M^{-1/2}; with M-orthonormal modes ψ_n and local equipartition ⟨δT δT'⟩ ∝ M⁻¹, ΔT's
    variance share of mode n is (f·ψ_n)²/Σ(f·ψ_m)², f·T = ⟨T⟩_A − ⟨T⟩_B.
    """
    L_A, L_B = L_A_A * constants.angstrom, L_B_A * constants.angstrom
    h_a, h_b = L_A / n_a, L_B / n_b
    n = n_a + n_b
    h = np.r_[np.full(n_a, h_a), np.full(n_b, h_b)]
    mass = np.r_[np.full(n_a, c_A), np.full(n_b, c_B)] * h
    link = np.r_[np.full(n_a - 1, kappa_A / h_a), [0.0], np.full(n_b - 1, kappa_B / h_b), [0.0]]
    link[[n_a - 1, n - 1]] = 1.0 / (h_a / (2 * kappa_A) + 1.0 / (G_MW_m2K * 1e6)
                                    + h_b / (2 * kappa_B))
    i = np.arange(n)
    j = (i + 1) % n
    K = np.zeros((n, n))
    np.add.at(K, (i, i), link)
    np.add.at(K, (j, j), link)
    np.add.at(K, (i, j), -link)
    np.add.at(K, (j, i), -link)
    scale = 1.0 / np.sqrt(mass)
    rates, vectors = linalg.eigh(K * np.outer(scale, scale))
    modes = vectors * scale[:, None]
    f = np.r_[np.full(n_a, h_a / L_A), np.full(n_b, -h_b / L_B)]
    proj = f @ modes
    return rates, proj**2 / np.sum(proj**2)


def first_delta_T_mode(rates, shares):
    """Index of the slowest nonzero mode that carries ΔT variance."""
    carrying = np.flatnonzero(shares > 1e-9)
    return int(carrying[carrying > 0][0])


# --- (a) κ → ∞ is the lumped model --------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SETS))
def test_infinite_conductivity_recovers_lumped_tau(name):
    G, L_A, L_B, _, _, c_A, c_B = SETS[name]
    lumped = lumped_relaxation_time_ps(G, L_A, L_B, c_A, c_B)
    assert slowest_relaxation_time_ps(G, L_A, L_B, 1e9, 1e9, c_A, c_B) == pytest.approx(
        lumped, rel=1e-6)
    assert slowest_relaxation_time_ps(G, L_A, L_B, math.inf, math.inf, c_A, c_B) == \
        pytest.approx(lumped, rel=1e-14)
    assert slowest_mode_weight(G, L_A, L_B, math.inf, math.inf, c_A, c_B) == 1.0
    assert lumped_resistance_bias_m2K_W(G, L_A, L_B, math.inf, math.inf, c_A, c_B) == 0.0


def test_lumped_tau_matches_green_kubo_units():
    """τ = C_eff/(G A) with c L/2 per unit total area = 3 N k_B/(2 area): analysis.green_kubo."""
    a_si, a_cu, area = 5.431, 3.62, 117.96
    n_si, n_cu = 2 * 2 * 8 * 8, 3 * 3 * 12 * 4
    c_si = classical_volumetric_heat_capacity_J_m3K(8 / a_si**3)
    c_cu = classical_volumetric_heat_capacity_J_m3K(4 / a_cu**3)
    L_si, L_cu = n_si / (8 / a_si**3) / area, n_cu / (4 / a_cu**3) / area
    tau = lumped_relaxation_time_ps(300.0, L_si, L_cu, c_si, c_cu)
    G = conductance_from_tau_MW_m2K(tau, n_atoms_a=n_si, n_atoms_b=n_cu,
                                    area_total_A2=2 * area)
    assert float(G) == pytest.approx(300.0, rel=1e-12)
    assert c_si == pytest.approx(3 * 8 / (a_si * 1e-10) ** 3 * constants.k, rel=1e-14)


def test_internal_resistance_slows_the_mode_and_biases_R_up():
    for params in SETS.values():
        G, L_A, L_B, k_A, k_B, c_A, c_B = params
        exact = slowest_relaxation_time_ps(*params)
        lumped = lumped_relaxation_time_ps(G, L_A, L_B, c_A, c_B)
        integral = integral_relaxation_time_ps(*params)
        assert lumped < integral <= exact
        bias = lumped_resistance_bias_m2K_W(*params)
        assert bias >= small_biot_bias_m2K_W(L_A, L_B, k_A, k_B) > 0
        # the definition: A τ/C_eff − 1/G
        assert bias == pytest.approx(exact / lumped / (G * 1e6) - 1 / (G * 1e6), rel=1e-9)
    with pytest.raises(ValueError):
        slowest_relaxation_time_ps(-1.0, *LJ[1:])


# --- (b) the small-Biot expansion -----------------------------------------------------------

@pytest.mark.parametrize("params", [
    (100.0, 50.0, 50.0, 1000.0, 1000.0, 2e6, 2e6),     # Bi = 0.005 both sides
    (300.0, 40.0, 120.0, 1500.0, 400.0, 2e6, 3.5e6),   # Bi = 0.008, 0.009
    (50.0, 20.0, 200.0, 50.0, 200.0, 1e6, 4e6),        # Bi = 0.002, 0.005
])
def test_small_biot_expansion(params):
    G, L_A, L_B, k_A, k_B, *_ = params
    assert max(biot_numbers(G, L_A, L_B, k_A, k_B)) < 0.01
    exact = lumped_resistance_bias_m2K_W(*params)
    leading = small_biot_bias_m2K_W(L_A, L_B, k_A, k_B)
    assert leading == pytest.approx((L_A / k_A + L_B / k_B) * 1e-10 / 6, rel=1e-14)
    assert abs(exact / leading - 1) < 0.01
    # next order: (a/κ) z²/45 per side, z² = λ c a²/κ at the (nearly lumped) rate
    tau = slowest_relaxation_time_ps(*params) * constants.pico
    second = sum(0.5 * L * 1e-10 / k * (0.5 * L * 1e-10) ** 2 * c / (k * tau) / 45
                 for L, k, c in ((L_A, k_A, params[5]), (L_B, k_B, params[6])))
    assert exact / leading - 1 == pytest.approx(second / leading, rel=0.01)
    # ... so the deviation is linear in G (in Bi)
    rel_2 = lumped_resistance_bias_m2K_W(2 * G, *params[1:]) / leading - 1
    assert rel_2 / (exact / leading - 1) == pytest.approx(2.0, rel=0.02)


def test_small_biot_coefficient_is_one_sixth():
    """1/6 (not 1/4, 1/12 ...): bias·6κ/L → 1 as Bi → 0 for a single resistive side."""
    for bi in (1e-3, 1e-5, 1e-7):
        G, L, k = 100.0, 50.0, 100.0 * 50.0 * 1e-4 / bi
        bias = lumped_resistance_bias_m2K_W(G, L, L, k, math.inf, 2e6, 3e6)
        assert bias * 6 * k / (L * 1e-10) == pytest.approx(1.0, abs=bi)


# --- (c) against a brute-force finite-volume ring -------------------------------------------

@pytest.mark.parametrize("name", sorted(SETS))
def test_eigenvalue_matches_finite_volume_ring(name):
    params = SETS[name]
    rates, shares = ring_spectrum(*params)
    n = first_delta_T_mode(rates, shares)
    tau_fd = 1.0 / rates[n] / constants.pico
    assert slowest_relaxation_time_ps(*params) == pytest.approx(tau_fd, rel=1e-3)
    assert slowest_mode_weight(*params) == pytest.approx(shares[n], rel=1e-3)
    tau_int_fd = np.sum(shares[1:] / rates[1:]) / constants.pico
    assert integral_relaxation_time_ps(*params) == pytest.approx(tau_int_fd, rel=1e-3)


def test_asymmetric_set_is_on_the_far_branch():
    """ASYM's slowest ΔT mode changes sign inside B (z_B > π/2), where tan z_B < 0."""
    _, _, L_B, _, k_B, _, c_B = ASYM
    tau = slowest_relaxation_time_ps(*ASYM) * constants.pico
    z_b = 0.5 * L_B * constants.angstrom * math.sqrt(c_B / (k_B * tau))
    assert math.pi / 2 < z_b < math.pi
    assert slowest_mode_weight(*ASYM) < 0.2   # most of ΔT's variance is in faster modes


def test_odd_mode_can_be_slower_but_does_not_enter_delta_T():
    """A thick, slow-diffusing A weakly coupled to a thin B: the ring's slowest mode is
    internal to A, odd about the mid-planes, and has zero ΔT; the module returns the slowest
    mode that ΔT sees (the symmetric-cell argument of the module docstring)."""
    params = (25.0, 180.0, 45.0, 0.2, 10.0, 4e6, 2.5e6)
    rates, shares = ring_spectrum(*params)
    assert shares[1] < 1e-12
    n = first_delta_T_mode(rates, shares)
    assert n == 2 and rates[n] > 1.1 * rates[1]
    tau = slowest_relaxation_time_ps(*params)
    assert tau == pytest.approx(1.0 / rates[n] / constants.pico, rel=1e-3)
    # the homogeneous symmetric cell: the odd pair sin(2πz/P) carries no interface flux, its
    # rate κ(2π/P)²/c does not depend on G, and the ΔT mode is slower
    G, L, k, c = 5000.0, 50.0, 1.0, 2e6
    rates, shares = ring_spectrum(G, L, L, k, k, c, c)
    odd = k * (2 * math.pi / (2 * L * constants.angstrom)) ** 2 / c
    assert rates[2] == pytest.approx(odd, rel=1e-3) and shares[2] < 1e-12
    assert first_delta_T_mode(rates, shares) == 1
    assert slowest_relaxation_time_ps(G, L, L, k, k, c, c) == pytest.approx(
        1.0 / rates[1] / constants.pico, rel=1e-3)


def test_minimum_tau_is_the_infinite_G_limit():
    _, L_A, L_B, k_A, k_B, c_A, c_B = SICU
    tau_min = minimum_relaxation_time_ps(L_A, L_B, k_A, k_B, c_A, c_B)
    rates, shares = ring_spectrum(1e12, L_A, L_B, k_A, k_B, c_A, c_B)
    n = first_delta_T_mode(rates, shares)
    assert tau_min == pytest.approx(1.0 / rates[n] / constants.pico, rel=1e-3)
    assert slowest_relaxation_time_ps(1e9, L_A, L_B, k_A, k_B, c_A, c_B) == pytest.approx(
        tau_min, rel=1e-5)


# --- (d) the inversion ------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SETS))
@pytest.mark.parametrize("factor", [0.1, 1.0, 10.0])
def test_inversion_returns_the_generating_G(name, factor):
    G, *rest = SETS[name]
    G *= factor
    tau = slowest_relaxation_time_ps(G, *rest)
    result = corrected_conductance(tau, *rest)
    assert result.G_MW_m2K == pytest.approx(G, rel=1e-9)
    assert result.R_K_m2K_W == pytest.approx(1 / (G * 1e6), rel=1e-9)
    assert result.bias_m2K_W == pytest.approx(lumped_resistance_bias_m2K_W(G, *rest), rel=1e-6)
    assert result.G_lumped_MW_m2K < result.G_MW_m2K
    assert lumped_relaxation_time_ps(result.G_lumped_MW_m2K, rest[0], rest[1], *rest[4:]) \
        == pytest.approx(tau, rel=1e-12)


def test_inversion_maps_the_interval_end_for_end():
    _, *rest = LJ
    taus = [slowest_relaxation_time_ps(g, *rest) for g in (30.0, 55.0, 90.0)]
    result = corrected_conductance(taus[1], *rest, tau_ci95_ps=(taus[2], taus[0]))
    assert result.G_ci95_MW_m2K == pytest.approx((30.0, 90.0), rel=1e-9)
    assert result.R_K_ci95_m2K_W == pytest.approx((1 / 90e6, 1 / 30e6), rel=1e-9)
    # unbounded τ above: G down to 0; τ below the G → ∞ limit: G unbounded, R = 0
    tau_min = minimum_relaxation_time_ps(*rest)
    open_ = corrected_conductance(taus[1], *rest, tau_ci95_ps=(0.5 * tau_min, math.inf))
    assert open_.G_ci95_MW_m2K == (0.0, math.inf)
    assert open_.R_K_ci95_m2K_W == (0.0, math.inf)
    fast = corrected_conductance(0.9 * tau_min, *rest)
    assert fast.G_MW_m2K == math.inf and fast.R_K_m2K_W == 0.0


def test_inversion_from_the_lumped_estimate():
    G, *rest = SICU
    tau = slowest_relaxation_time_ps(G, *rest)
    g_lumped = lumped_relaxation_time_ps(1.0, rest[0], rest[1], *rest[4:]) / tau
    lo, hi = (slowest_relaxation_time_ps(g, *rest) for g in (200.0, 500.0))
    ci_lumped = tuple(g_lumped * tau / t for t in (lo, hi))
    result = corrected_conductance_from_lumped(g_lumped, *rest, G_lumped_ci95_MW_m2K=ci_lumped)
    assert result.G_MW_m2K == pytest.approx(G, rel=1e-9)
    assert result.G_ci95_MW_m2K == pytest.approx((200.0, 500.0), rel=1e-9)
    assert result.G_lumped_MW_m2K == pytest.approx(g_lumped, rel=1e-12)
    # isothermal sides: nothing to correct
    plain = corrected_conductance_from_lumped(g_lumped, rest[0], rest[1], math.inf, math.inf,
                                              *rest[4:])
    assert plain.G_MW_m2K == pytest.approx(g_lumped, rel=1e-12)
