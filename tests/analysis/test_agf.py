"""Atomistic Green's functions: closed-form chain junctions, channel counting, Landauer.

References for the closed forms are derived in the helpers' docstrings: a wave
u_n = e^{iq₁n} + r e^{−iq₁n} on the left chain and t e^{iq₂n} on the right; the
junction equations follow from continuing each bulk equation to a fictitious
neighbour.  The energy flux of a chain wave is ½ k ω |A|² sin q, hence
Ξ = |t|² k₂ sin q₂ / (k₁ sin q₁).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import constants

from analysis import agf
from analysis.agf import (
    RAD_PS2_PER_EV_A2_AMU,
    DecimationError,
    InterfaceBlocks,
    RealSpaceInterface,
    lateral_kmesh,
    mean_transmission,
    quantum_conductance_W_m2K,
    surface_green_function,
    transmission,
)
from analysis.phonons import OMEGA_RAD_S

C = RAD_PS2_PER_EV_A2_AMU


def band_top(k_eV_A2: float, m_amu: float) -> float:
    """ω_max = 2√(k/m) of a monatomic chain (rad/ps)."""
    return 2 * np.sqrt(k_eV_A2 / m_amu * C)


def chain_junction(m1: float, m2: float, k1: float = 1.0, k2: float = 1.0,
                   k_i: float | None = None) -> InterfaceBlocks:
    """Chains (m1, k1) | (m2, k2) joined by a spring k_i; device = the two junction sites."""
    k_i = k1 if k_i is None else k_i
    center = [[(k1 + k_i) / m1, -k_i / np.sqrt(m1 * m2)],
              [-k_i / np.sqrt(m1 * m2), (k2 + k_i) / m2]]
    return InterfaceBlocks(left_d00=[[2 * k1 / m1]], left_d01=[[-k1 / m1]],
                           left_coupling=[[-k1 / m1, 0.0]], center=center,
                           right_coupling=[[0.0], [-k2 / m2]], right_d00=[[2 * k2 / m2]],
                           right_d01=[[-k2 / m2]])


def wavenumber(omega: np.ndarray, k: float, m: float) -> np.ndarray:
    """q ∈ [0, π] of m ω² = 2k(1 − cos q) (π above the band)."""
    return 2 * np.arcsin(np.clip(omega / band_top(k, m), 0.0, 1.0))


def mass_junction_closed_form(omega: np.ndarray, m1: float, m2: float) -> np.ndarray:
    """Same springs, masses m1 | m2: Ξ = sin q₁ sin q₂ / sin²((q₁ + q₂)/2).

    From t = 2i sin q₁/(e^{iq₂} − e^{−iq₁}) (1 + r = t, e^{iq₁} + r e^{−iq₁} = t e^{iq₂});
    → 4Z₁Z₂/(Z₁ + Z₂)², Z = √(km), at low ω (acoustic mismatch).
    """
    q1, q2 = wavenumber(omega, 1.0, m1), wavenumber(omega, 1.0, m2)
    return np.sin(q1) * np.sin(q2) / np.sin((q1 + q2) / 2) ** 2


def spring_junction_reference(omega: np.ndarray, m1: float, m2: float, k1: float, k2: float,
                              k_i: float) -> np.ndarray:
    """General junction by a 2×2 solve for (r, t) at each ω in both bands.

    k₁(u₁ᴸ − u₀) = k_i(u₁ − u₀) and k₂(u₀ᴿ − u₁) = k_i(u₀ − u₁), with u₀ = 1 + r,
    u₁ᴸ = e^{iq₁} + r e^{−iq₁}, u₁ = t e^{iq₂}, u₀ᴿ = t.
    """
    out = np.zeros_like(omega)
    for n, w in enumerate(omega):
        q1, q2 = wavenumber(w, k1, m1), wavenumber(w, k2, m2)
        e1, e2 = np.exp(1j * q1), np.exp(1j * q2)
        lhs = np.array([[k1 * (1 / e1 - 1) + k_i, -k_i * e2],
                        [-k_i, k2 * (1 - e2) + k_i * e2]])
        rhs = np.array([-k1 * (e1 - 1) - k_i, k_i])
        _, t = np.linalg.solve(lhs, rhs)
        out[n] = abs(t) ** 2 * k2 * np.sin(q2) / (k1 * np.sin(q1))
    return out


# ---------------------------------------------------------------------------------------
# Units and conventions
# ---------------------------------------------------------------------------------------
def test_unit_factors():
    # eV/(amu Å²) = e N_A 10²³ s⁻² (amu = 1 g/mol / N_A to 1e-9) = F/10 ps⁻²
    faraday = constants.physical_constants["Faraday constant"][0]
    assert C == pytest.approx(faraday / 10, rel=1e-8)
    assert np.sqrt(C) == pytest.approx(OMEGA_RAD_S * 1e-12, rel=1e-14)  # as in phonons.py
    assert agf.W_M2K_PER_KB_PS_A2 == pytest.approx(1.380649e-23 * 1e12 / 1e-20, rel=1e-12)
    assert agf.omega_to_THz(2 * np.pi) == pytest.approx(1.0)
    assert agf.THz_to_omega(agf.omega_to_THz(3.7)) == pytest.approx(3.7)
    # ω of a diatomic "molecule" 2k/μ: D = [[k/m, −k/m], [−k/m, k/m]] → 0 and √(2k/m)
    w = agf.phonon_frequencies_rad_ps([[0.5, -0.5], [-0.5, 0.5]])
    np.testing.assert_allclose(w, [0.0, np.sqrt(C)], atol=1e-6)
    # the lead dispersion spans the band 0 … 2√(k/m)
    w_q = agf.lead_dispersion_rad_ps([[2 / 40]], [[-1 / 40]], [0.0, np.pi])
    np.testing.assert_allclose(w_q[:, 0], [0.0, band_top(1.0, 40.0)], atol=1e-6)
    d = agf.mass_normalised([[2.0, -1.0], [-1.0, 2.0]], [4.0, 1.0], [1.0, 9.0], dofs_per_atom=1)
    np.testing.assert_allclose(d, [[1.0, -1 / 6], [-1.0, 2 / 3]])


def test_surface_green_function_of_a_chain_is_the_analytic_root():
    """g = 1/(z − d₀₀ − d₀₁² g): the root with Im g ≤ 0, for both sides."""
    m, k = 40.0, 1.0
    omega = np.linspace(0.05, 1.3, 50) * band_top(k, m)
    d00, d01 = 2 * k / m * C, -k / m * C
    z = omega**2 + 1e-12j
    root = np.sqrt((z - d00) ** 2 - 4 * d01**2 + 0j)
    g = (z - d00 - root) / (2 * d01**2)
    g = np.where(g.imag > 0, (z - d00 + root) / (2 * d01**2), g)
    for side in ("left", "right"):
        g_s = surface_green_function(omega, [[2 * k / m]], [[-k / m]], side=side, eta=1e-12)
        np.testing.assert_allclose(g_s[:, 0, 0], g, rtol=1e-6, atol=1e-9 * np.abs(g).max())


def test_decimation_that_cannot_converge_fails_clearly():
    with pytest.raises(DecimationError, match="not converged"):
        surface_green_function([5.0], [[0.05]], [[-0.025]], side="left", eta=1e-10, max_iter=3)
    with pytest.raises(ValueError, match="Hermitian"):
        InterfaceBlocks([[1.0]], [[-0.5]], [[-0.5, 0.0]], [[1.0, 1j], [1j, 1.0]], [[0.0], [-0.5]],
                        [[1.0]], [[-0.5]])


# ---------------------------------------------------------------------------------------
# One-dimensional junctions against closed forms
# ---------------------------------------------------------------------------------------
def test_identical_chains_transmit_one_channel():
    m = 40.0
    top = band_top(1.0, m)
    omega = np.linspace(0.01, 1.5, 300) * top
    xi = transmission(omega, chain_junction(m, m))
    inside = (omega > 0.01 * top) & (omega < 0.99 * top)
    np.testing.assert_allclose(xi[inside], 1.0, atol=1e-5)
    assert np.all(np.abs(xi[omega > 1.01 * top]) < 1e-6)


@pytest.mark.parametrize(("m1", "m2"), [(40.0, 100.0), (100.0, 40.0), (28.0, 28.5), (10.0, 90.0)])
def test_mass_junction_matches_closed_form(m1, m2):
    top = min(band_top(1.0, m1), band_top(1.0, m2))
    omega = np.linspace(0.002, 1.6, 400) * top
    xi = transmission(omega, chain_junction(m1, m2))
    inside = (omega > 0.01 * top) & (omega < 0.99 * top)
    # η is scaled to the light side's band: |ΔΞ| ~ 1e-5 × (band ratio)² near ω → 0
    np.testing.assert_allclose(xi[inside], mass_junction_closed_form(omega[inside], m1, m2),
                               atol=5e-5)
    assert np.all(np.abs(xi[omega > 1.01 * top]) < 1e-6)  # no partner mode on the heavy side
    z1, z2 = np.sqrt(m1), np.sqrt(m2)
    assert xi[0] == pytest.approx(4 * z1 * z2 / (z1 + z2) ** 2, abs=1e-3)  # acoustic limit
    # reciprocity: the mirrored junction transmits the same
    np.testing.assert_allclose(transmission(omega, chain_junction(m2, m1)), xi, atol=1e-8)


@pytest.mark.parametrize(("k1", "k2", "k_i"), [(1.0, 1.0, 0.3), (1.0, 2.5, 1.7), (0.8, 0.5, 0.5)])
def test_spring_junction_matches_reference(k1, k2, k_i):
    m1, m2 = 40.0, 70.0
    top = min(band_top(k1, m1), band_top(k2, m2))
    omega = np.linspace(0.01, 0.99, 120) * top
    xi = transmission(omega, chain_junction(m1, m2, k1, k2, k_i))
    np.testing.assert_allclose(xi, spring_junction_reference(omega, m1, m2, k1, k2, k_i),
                               atol=2e-5)
    if k_i == k1 == k2:
        np.testing.assert_allclose(xi, mass_junction_closed_form(omega, m1, m2), atol=2e-5)


def test_reference_reduces_to_closed_form():
    """The two independent references agree where both apply (same springs)."""
    omega = np.linspace(0.02, 0.98, 50) * band_top(1.0, 100.0)
    np.testing.assert_allclose(spring_junction_reference(omega, 40.0, 100.0, 1.0, 1.0, 1.0),
                               mass_junction_closed_form(omega, 40.0, 100.0), rtol=1e-10)


# ---------------------------------------------------------------------------------------
# Lateral periodicity: a simple cubic lattice with two atoms per principal layer
# ---------------------------------------------------------------------------------------
A_A, MASS_AMU = 2.5, 30.0
K_LONG, K_TRANS = 1.0, 0.4  # eV/Å², along and across each nearest-neighbour bond


def bond_stiffness(axis: int) -> np.ndarray:
    """3×3 stiffness of a bond along ``axis``: k_L along it, k_T across (decoupled)."""
    k = np.full(3, K_TRANS)
    k[axis] = K_LONG
    return np.diag(k)


def simple_cubic_force_constants() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Φ00(R) (5, 6, 6), R (5, 3) and Φ01 (6, 6) of an sc layer, lateral cell (2a ŷ, a ẑ)."""
    kx, ky, kz = (bond_stiffness(ax) for ax in range(3))
    zero = np.zeros((3, 3))
    onsite = 2 * (kx + ky + kz)
    phi00 = [np.block([[onsite, -ky], [-ky, onsite]]),      # R = 0
             np.block([[zero, zero], [-ky, zero]]),          # R = +2a ŷ: site 1 → site 0
             np.block([[zero, -ky], [zero, zero]]),          # R = −2a ŷ: site 0 → site 1
             np.block([[-kz, zero], [zero, -kz]]),           # R = +a ẑ
             np.block([[-kz, zero], [zero, -kz]])]           # R = −a ẑ
    r00 = np.array([[0, 0, 0], [0, 2, 0], [0, -2, 0], [0, 0, 1], [0, 0, -1]]) * A_A
    return np.array(phi00), r00, np.block([[-kx, zero], [zero, -kx]])


def simple_cubic_layers(m_left: float = MASS_AMU, m_right: float = MASS_AMU) -> RealSpaceInterface:
    """sc crystals of masses m_left | m_right (same springs), transport along x.

    The device holds the last m_left layer and the first m_right layer.
    """
    phi00, r00, phi01 = simple_cubic_force_constants()
    origin = np.zeros((1, 3))
    zero = np.zeros((6, 6))
    mixed = phi01 / np.sqrt(m_left * m_right)
    center = np.array([np.block([[p / m_left, mixed if i == 0 else zero],
                                 [mixed.T if i == 0 else zero, p / m_right]])
                       for i, p in enumerate(phi00)])
    return RealSpaceInterface(
        left_d00=(phi00 / m_left, r00), left_d01=((phi01 / m_left)[None], origin),
        left_coupling=(np.hstack([phi01 / m_left, zero])[None], origin),
        center=(center, r00),
        right_coupling=(np.vstack([zero, phi01 / m_right])[None], origin),
        right_d00=(phi00 / m_right, r00), right_d01=((phi01 / m_right)[None], origin))


def channel_count(omega: np.ndarray, blocks: InterfaceBlocks) -> tuple[np.ndarray, np.ndarray]:
    """Propagating channels of the sc lead at ω, and the distance of ω² to a band edge.

    Each polarisation α is a set of chains with inter-layer spring k_xα: a lateral
    eigenmode λ of D00 + 2 D01 (the q = 0 bottom) carries one channel for
    λ < ω² < λ + 4k_xα/m.
    """
    count = np.zeros_like(omega)
    edge = np.full_like(omega, np.inf)
    w2 = omega**2 / C
    for alpha in range(3):
        idx = [alpha, 3 + alpha]
        bottom = blocks.left_d00 + 2 * blocks.left_d01
        lam = np.linalg.eigvalsh(bottom[np.ix_(idx, idx)])
        width = 4 * bond_stiffness(0)[alpha, alpha] / MASS_AMU
        for low in lam:
            count += (w2 > low) & (w2 < low + width)
            edge = np.minimum(edge, np.minimum(abs(w2 - low), abs(w2 - low - width)))
    return count, edge


def test_identical_simple_cubic_is_a_channel_count():
    """Ξ(ω, k) is an integer step function: the number of propagating modes at k."""
    interface = simple_cubic_layers()
    ks, weights = lateral_kmesh([[0, 2 * A_A, 0], [0, 0, A_A]], 3, 3, shifted=True)
    top = np.sqrt(4 * (2 * K_LONG + 4 * K_TRANS) / MASS_AMU * C)
    omega = np.linspace(0.02, 1.05, 150) * top
    per_k, counts = [], []
    for k in ks:
        blocks = interface.at_k(k)
        xi = transmission(omega, blocks)
        count, edge = channel_count(omega, blocks)
        clear = edge > 2e-3 * top**2 / C
        np.testing.assert_allclose(xi[clear], count[clear], atol=1e-4)
        per_k.append(xi)
        counts.append(count)
    assert np.max(counts) >= 4  # several channels open at once: a real multi-channel check
    np.testing.assert_allclose(mean_transmission(omega, [interface.at_k(k) for k in ks], weights),
                               np.average(per_k, axis=0, weights=weights), rtol=1e-12)


def test_simple_cubic_mass_junction_at_each_k():
    """Masses m₁ | m₂, same springs: every lateral mode (polarisation α, lateral stiffness
    c of Φ00(k) − 2k_xα) is a chain m ω² = c + 2k_xα(1 − cos q) on both sides, so
    Ξ(ω, k) = Σ sin q₁ sin q₂ / sin²((q₁ + q₂)/2) over modes propagating on both sides."""
    m1, m2 = 30.0, 45.0
    interface = simple_cubic_layers(m1, m2)
    phi00, r00, _ = simple_cubic_force_constants()
    top = np.sqrt(4 * (2 * K_LONG + 4 * K_TRANS) / m2 * C)
    omega = np.linspace(0.02, 1.1, 120) * top
    checked, most = 0, 0.0
    for k in lateral_kmesh([[0, 2 * A_A, 0], [0, 0, A_A]], 3, 2, shifted=True)[0]:
        xi = transmission(omega, interface.at_k(k))
        expected = np.zeros_like(omega)
        clear = np.ones_like(omega, dtype=bool)
        phi_k = agf.bloch_block(phi00, r00, k)
        for alpha in range(3):
            k_x = bond_stiffness(0)[alpha, alpha]
            idx = [alpha, 3 + alpha]
            for c in np.linalg.eigvalsh(phi_k[np.ix_(idx, idx)] - 2 * k_x * np.eye(2)):
                cos1 = 1 - (m1 * omega**2 / C - c) / (2 * k_x)
                cos2 = 1 - (m2 * omega**2 / C - c) / (2 * k_x)
                both = (np.abs(cos1) < 1) & (np.abs(cos2) < 1)
                q1 = np.where(both, np.arccos(np.clip(cos1, -1, 1)), 1.0)
                q2 = np.where(both, np.arccos(np.clip(cos2, -1, 1)), 1.0)
                expected += np.where(both, np.sin(q1) * np.sin(q2)
                                     / np.sin((q1 + q2) / 2) ** 2, 0.0)
                clear &= (np.minimum(np.abs(np.abs(cos1) - 1), np.abs(np.abs(cos2) - 1))
                          > 2e-3)
        np.testing.assert_allclose(xi[clear], expected[clear], atol=2e-4)
        most = max(most, expected.max())
        checked += clear.sum()
    assert checked > 0.8 * 6 * len(omega)
    assert most > 1.5  # several partly transmitted channels at once


def test_bloch_sum_and_kmesh():
    ks, weights = lateral_kmesh([[0, 2 * A_A, 0], [0, 0, A_A]], 4, 2)
    assert ks.shape == (8, 3) and weights.sum() == pytest.approx(1.0)
    assert np.all(np.abs(ks @ [0, 2 * A_A, 0]) <= np.pi + 1e-12)
    assert np.all(np.abs(ks @ [0, 0, A_A]) <= np.pi + 1e-12)
    blocks, r = simple_cubic_layers().left_d00
    np.testing.assert_allclose(agf.bloch_block(blocks, r, [0, 0, 0]), blocks.sum(axis=0))
    d_k = agf.bloch_block(blocks, r, ks[3])
    np.testing.assert_allclose(d_k, d_k.conj().T, atol=1e-15)
    # at Γ the sc lead has a zero-frequency acoustic mode in every polarisation
    w = agf.lead_dispersion_rad_ps(agf.bloch_block(blocks, r, [0, 0, 0]),
                                   simple_cubic_layers().left_d01[0][0], [0.0])
    np.testing.assert_allclose(w[0, :3], 0.0, atol=1e-6)


# ---------------------------------------------------------------------------------------
# Landauer conductance
# ---------------------------------------------------------------------------------------
AREA_A2 = 12.0


def chain_spectrum(m: float = 40.0) -> tuple[np.ndarray, np.ndarray]:
    """Ξ(ω) of a uniform chain on a grid from 0 to 1.2 ω_max (tight η for low ω)."""
    omega = np.linspace(0.0, 1.2, 4801) * band_top(1.0, m)
    return omega, transmission(omega, chain_junction(m, m), eta_rel=1e-12)


def test_classical_conductance_of_a_chain():
    """Ξ = 1 below ω_max: G = k_B ω_max /(2π A), in W/m²K and MW/m²K."""
    omega, xi = chain_spectrum()
    expected = constants.k * band_top(1.0, 40.0) * 1e12 / (2 * np.pi * AREA_A2 * 1e-20)
    res = agf.classical_conductance_W_m2K(omega, xi, AREA_A2)
    assert res["G_W_m2K"] == pytest.approx(expected, rel=1e-3)
    assert res["quadrature_error_W_m2K"] < 1e-3 * expected
    mw = agf.classical_conductance_MW_m2K(omega, xi, AREA_A2)
    assert mw["G_MW_m2K"] == pytest.approx(res["G_W_m2K"] / 1e6)


def test_quantum_conductance_limits_of_a_chain():
    """High T → classical; low T → the thermal conductance quantum π²k_B²T/(3h) per channel."""
    omega, xi = chain_spectrum()
    classical = agf.classical_conductance_W_m2K(omega, xi, AREA_A2)["G_W_m2K"]
    t_debye = constants.hbar * band_top(1.0, 40.0) * 1e12 / constants.k  # ≈ 237 K
    temps = np.array([0.03, 0.05, 20.0, 1e3, 1e5]) * t_debye
    res = quantum_conductance_W_m2K(omega, xi, AREA_A2, temps)
    g = res["G_W_m2K"]
    assert g[-1] == pytest.approx(classical, rel=1e-6)
    assert g[2] == pytest.approx(classical, rel=3e-4)  # 1 − x²/12 corrections
    quantum = np.pi**2 * constants.k**2 * temps[:2] / (3 * constants.h) / (AREA_A2 * 1e-20)
    np.testing.assert_allclose(g[:2], quantum, rtol=2e-3)
    assert np.all(np.diff(g) > 0)
    mw = agf.quantum_conductance_MW_m2K(omega, xi, AREA_A2, temps)
    np.testing.assert_allclose(mw["G_MW_m2K"], g / 1e6)


def test_quantum_conductance_is_debye_t_cubed_for_xi_proportional_to_omega_squared():
    """Ξ = c ω² (3-D acoustic channels): G = c k_B⁴T³ (4π⁴/15)/(2π ħ³ A) exactly."""
    omega = np.linspace(0.0, 60.0, 6001)  # rad/ps; ħω/k_BT up to ≈ 46 at 10 K
    c = 0.02  # per (rad/ps)²
    temps = np.array([2.0, 4.0, 8.0, 10.0])
    g = quantum_conductance_W_m2K(omega, c * omega**2, AREA_A2, temps)["G_W_m2K"]
    c_si = c * 1e-24  # per (rad/s)²
    expected = (c_si * constants.k**4 * temps**3 * 4 * np.pi**4 / 15
                / (2 * np.pi * constants.hbar**3 * AREA_A2 * 1e-20))
    np.testing.assert_allclose(g, expected, rtol=1e-4)
    slopes = np.diff(np.log(g)) / np.diff(np.log(temps))
    np.testing.assert_allclose(slopes, 3.0, atol=1e-3)


def test_landauer_rejects_bad_grids():
    with pytest.raises(ValueError, match="increasing"):
        agf.classical_conductance_W_m2K([0.0, 2.0, 1.0], [1, 1, 1], AREA_A2)
    with pytest.raises(ValueError, match="area"):
        agf.classical_conductance_W_m2K([0.0, 1.0, 2.0], [1, 1, 1], 0.0)
