"""Mismatch models against analytic results (no LAMMPS): AMM, DMM, radiation limit, EET."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import constants

from analysis.elastic_interface import angle_averaged_transmission
from analysis.mismatch import (
    DebyeSolid,
    SpectralSolid,
    amm_channel_transmissions,
    amm_hemispherical_transmission,
    amm_transmission,
    common_edges,
    conductance_debye,
    conductance_full,
    dmm_debye_transmission,
    dmm_full_transmission,
    eet_corrected,
    eet_ratio_debye,
    gray_eet_corrected,
    low_temperature_conductance,
    mismatch_table,
    mode_heat_capacity_J_K,
    radiation_conductance_debye,
    radiation_conductance_full,
)
from analysis.phonons import PhononMesh

KB, HBAR = constants.k, constants.hbar
SI = DebyeSolid("Si-like", 2330.0, 5.0e28, (8400.0, 5700.0, 5700.0))
CU = DebyeSolid("Cu-like", 8900.0, 8.4e28, (4400.0, 2900.0, 2900.0))
MODELS = ("amm", "dmm", "radiation")


def test_identical_materials_amm_is_one_at_every_angle():
    theta = np.linspace(0, np.pi / 2, 91)[:-1]
    for z, c in zip(SI.impedances, SI.velocities, strict=True):
        assert np.allclose(amm_transmission(theta, z, z, c, c), 1.0, atol=1e-14)
        assert amm_hemispherical_transmission(z, z, c, c) == pytest.approx(1.0, abs=1e-9)


def test_amm_solves_the_boundary_conditions():
    """Independent derivation: pressure and normal velocity continuity for a plane wave,
    1 + r = t and (1 − r) cosθ₁/Z₁ = t cosθ₂/Z₂; the transmitted fraction of the normal
    energy flux is |t|² (Z₁/Z₂)(cosθ₂/cosθ₁).  This fixes the pairing of Z and cosθ."""
    z1, z2, c1, c2 = 1.9e7, 3.9e7, 8400.0, 4400.0
    for theta1 in np.linspace(0.05, 1.5, 12):
        cos1 = math.cos(theta1)
        cos2 = math.sqrt(1 - (c2 / c1 * math.sin(theta1)) ** 2)
        r, t = np.linalg.solve([[-1.0, 1.0], [cos1 / z1, cos2 / z2]], [1.0, cos1 / z1])
        assert r + 1 == pytest.approx(t)
        expected = t**2 * (z1 / z2) * (cos2 / cos1)
        assert float(amm_transmission(theta1, z1, z2, c1, c2)) == pytest.approx(expected, rel=1e-12)
    assert float(amm_transmission(0.0, z1, z2, c1, c2)) == pytest.approx(4 * z1 * z2 / (z1 + z2) ** 2)


def test_amm_total_reflection_beyond_the_critical_angle():
    z1, z2, c1, c2 = 4e7, 2e7, 4400.0, 8400.0  # slow to fast: critical angle exists
    theta_c = math.asin(c1 / c2)
    assert float(amm_transmission(theta_c * 1.001, z1, z2, c1, c2)) == 0.0
    assert float(amm_transmission(theta_c * 0.999, z1, z2, c1, c2)) > 0.0
    # detailed balance of the angle integral: c₁⁻² ᾱ₁₂ = c₂⁻² ᾱ₂₁ (Snell + α₁₂(θ₁) = α₂₁(θ₂))
    a12 = amm_hemispherical_transmission(z1, z2, c1, c2)
    a21 = amm_hemispherical_transmission(z2, z1, c2, c1)
    assert a12 / c1**2 == pytest.approx(a21 / c2**2, rel=1e-8)


def test_sh_pairing_and_the_issue_numbers():
    """Si → Cu transverse with the MEAM [001] inputs (ρ, v_T): the fluid pairing the
    earlier code used for every branch gives ᾱ = 0.94, the SH pairing 0.75 (issue 12)."""
    z1, z2, c1, c2 = 2329.0 * 5729.66, 8897.6 * 2923.97, 5729.66, 2923.97
    assert amm_hemispherical_transmission(z1, z2, c1, c2) == pytest.approx(0.941, abs=1e-3)
    assert amm_hemispherical_transmission(z1, z2, c1, c2, polarisation="SH") == pytest.approx(
        0.750, abs=1e-3)
    theta = np.linspace(0.0, 1.5, 7)
    sh = amm_transmission(theta, z1, z2, c1, c2, polarisation="SH")
    cos2 = np.sqrt(1 - (c2 / c1 * np.sin(theta)) ** 2)
    assert sh == pytest.approx(4 * z1 * z2 * np.cos(theta) * cos2 / (z1 * np.cos(theta)
                                                                     + z2 * cos2) ** 2)
    with pytest.raises(ValueError):
        amm_transmission(theta, z1, z2, c1, c2, polarisation="SV")


def test_complete_amm_channels():
    """Branches (L, SV, SH): identical solids give the identity; L and SV convert into each
    other, SH does not; each row is the angle average of the elastic boundary problem;
    reciprocity c₁ⱼ⁻² ᾱ₁₂[j, k] = c₂ₖ⁻² ᾱ₂₁[k, j]."""
    assert amm_channel_transmissions(SI, SI) == pytest.approx(np.eye(3), abs=1e-12)
    a12, a21 = amm_channel_transmissions(SI, CU), amm_channel_transmissions(CU, SI)
    assert a12[0, 1] > 0.01 and a12[1, 0] > 0.01  # mode conversion
    assert a12[:2, 2] == pytest.approx(0.0) and a12[2, :2] == pytest.approx(0.0)
    assert np.all(a12.sum(axis=1) < 1) and np.all(a21.sum(axis=1) < 1)
    c1, c2 = SI.velocities, CU.velocities
    assert a12 / c1[:, None] ** 2 == pytest.approx((a21 / c2[:, None] ** 2).T, rel=1e-10)
    sh = angle_averaged_transmission(SI.medium("SH"), CU.medium("SH"), "SH")["transmitted"]
    assert a12[2, 2] == pytest.approx(sh)
    z = SI.impedances[2], CU.impedances[2]
    assert a12[2, 2] == pytest.approx(amm_hemispherical_transmission(
        *z, c1[2], c2[2], polarisation="SH"), rel=1e-9)


def test_amm_channels_close_at_the_partner_cut_off():
    """A channel j → k transmits only below the cut-offs of branch j on side 1 and branch k
    on side 2 (classical G by hand): e.g. a Si SV phonon above the Cu T cut-off can still
    convert into Cu L, not into Cu SV."""
    g_all = conductance_debye(SI, CU, [300.0], model="amm", classical=True)[0]
    ch = amm_channel_transmissions(SI, CU)
    # by hand: ¼ k_B Σ_j ∫ c_j D_j ᾱ_j dω with ᾱ_j piecewise constant between cut-offs
    cuts1, cuts2 = SI.cutoffs_rad_s, CU.cutoffs_rad_s
    by_hand = 0.0
    for j in range(3):
        for k in range(3):
            top = min(cuts1[j], cuts2[k])
            by_hand += ch[j, k] * top**3 / (6 * math.pi**2 * SI.velocities[j] ** 2)
    assert g_all == pytest.approx(0.25 * KB * by_hand, rel=1e-12)


def test_eet_ratio_of_one_consistent_model():
    assert eet_ratio_debye(SI, SI, model="dmm") == pytest.approx(2.0, rel=1e-10)
    assert math.isinf(eet_ratio_debye(SI, SI, model="amm"))
    for model in ("amm", "dmm"):
        ratio = eet_ratio_debye(SI, CU, model=model)
        assert 1.0 < ratio < 2.0
        assert ratio == pytest.approx(eet_ratio_debye(CU, SI, model=model), rel=1e-9)


def test_identical_materials_debye_dmm_is_one_half():
    omega = np.linspace(1e9, 0.99 * SI.cutoffs_rad_s.min(), 50)
    assert np.allclose(dmm_debye_transmission(omega, SI, SI), 0.5)


def test_dmm_detailed_balance_spectral():
    omega = np.linspace(1e10, 1.2 * SI.cutoffs_rad_s.max(), 400)
    a12, a21 = dmm_debye_transmission(omega, SI, CU), dmm_debye_transmission(omega, CU, SI)
    assert np.allclose(a12 * SI.radiation_m2(omega), a21 * CU.radiation_m2(omega), rtol=1e-12, atol=0)
    below = omega < min(SI.cutoffs_rad_s.min(), CU.cutoffs_rad_s.min())
    c1, c2 = SI.velocities, CU.velocities
    gray = np.sum(c2**-2.0) / (np.sum(c1**-2.0) + np.sum(c2**-2.0))
    assert np.allclose(a12[below], gray)


def test_dmm_mass_mismatch_only():
    """Same force field, masses m and μm: c ∝ m^-1/2, so α(A→B) = μ/(1+μ) (PHYSICS.md)."""
    mu = 4.0
    light = DebyeSolid("A", 1800.0, 2.7e28, (1500.0, 1130.0, 1130.0))
    heavy = DebyeSolid("B", mu * 1800.0, 2.7e28, tuple(c / math.sqrt(mu) for c in light.velocities_m_s))
    omega = np.linspace(1e9, 0.99 * heavy.cutoffs_rad_s.min(), 20)
    assert np.allclose(dmm_debye_transmission(omega, light, heavy), mu / (1 + mu))


@pytest.mark.parametrize("classical", [False, True])
def test_conductance_detailed_balance(classical):
    temps = [30.0, 300.0]
    for model in MODELS:
        g12 = conductance_debye(SI, CU, temps, model=model, classical=classical)
        g21 = conductance_debye(CU, SI, temps, model=model, classical=classical)
        assert np.allclose(g12, g21, rtol=1e-7), model


def test_low_temperature_t_cubed():
    theta = min(SI.debye_temperature_K, CU.debye_temperature_K)
    temps = np.array([theta / 200, theta / 100])
    for model in MODELS:
        g = conductance_debye(SI, CU, temps, model=model)
        assert g[1] / g[0] == pytest.approx(8.0, rel=0.01), model


def test_debye_numbers_by_hand():
    """Swartz & Pohl eq. 21 evaluated by hand for the DMM, T ≪ Θ_D:
    G = π² k_B⁴ T³/(30 ħ³) · Σc₁⁻² · α,  α = Σc₂⁻²/(Σc₁⁻² + Σc₂⁻²)."""
    t = 2.0
    s1 = 1 / 8400.0**2 + 2 / 5700.0**2
    s2 = 1 / 4400.0**2 + 2 / 2900.0**2
    by_hand = math.pi**2 * KB**4 * t**3 / (30 * HBAR**3) * s1 * s2 / (s1 + s2)
    assert by_hand == pytest.approx(4.8945e3, rel=1e-4)  # W/m²K: 4.9 kW/m²K at 2 K
    assert conductance_debye(SI, CU, [t], model="dmm")[0] == pytest.approx(by_hand, rel=1e-3)
    alpha = np.full(3, s2 / (s1 + s2))
    assert low_temperature_conductance(t, SI.velocities, alpha) == pytest.approx(by_hand, rel=1e-12)


def test_classical_numbers_by_hand():
    """Identical Debye solids, classical: each branch holds n modes, so
    G_AMM = k_B n Σ_j c_j / 4 and G_DMM = k_B n Σ_j c_j / 8."""
    g_amm = conductance_debye(SI, SI, [300.0], model="amm", classical=True)[0]
    g_dmm = conductance_debye(SI, SI, [300.0], model="dmm", classical=True)[0]
    by_hand = KB * SI.number_density_m3 * sum(SI.velocities_m_s) / 4
    assert g_amm == pytest.approx(by_hand, rel=1e-8)
    assert g_dmm == pytest.approx(by_hand / 2, rel=1e-8)


def test_high_temperature_classical_limit():
    temps = [50.0, 500.0, 5000.0]
    hot = 50 * max(SI.debye_temperature_K, CU.debye_temperature_K)
    for model in MODELS:
        classical = conductance_debye(SI, CU, temps, model=model, classical=True)
        assert np.ptp(classical) <= 1e-10 * classical[0]
        quantum = conductance_debye(SI, CU, [hot], model=model)[0]
        assert quantum == pytest.approx(classical[0], rel=1e-3), model


def test_mode_heat_capacity_limits():
    omega = np.array([0.0, 1e6, 1e13, 1e16])
    c = mode_heat_capacity_J_K(omega, 300.0)
    assert c[0] == KB and c[1] == pytest.approx(KB) and 0 < c[2] < KB
    assert c[3] < 1e-100 * KB and np.all(np.isfinite(c))
    assert np.all(mode_heat_capacity_J_K(omega, 300.0, classical=True) == KB)


def test_eet_correction():
    t = [100.0, 300.0]
    g1 = radiation_conductance_debye(SI, t)
    # identical, AMM: no interface left -> infinite conductance
    assert np.all(np.isinf(eet_corrected(conductance_debye(SI, SI, t, model="amm"), g1, g1)))
    # identical, DMM: G12 = G1/2 -> G_corr = G1
    assert np.allclose(eet_corrected(conductance_debye(SI, SI, t, model="dmm"), g1, g1), g1)
    # gray case (one velocity per solid, equal cut-offs): spectral and gray forms agree
    a = DebyeSolid("a", 3000.0, 5e28, (5000.0,) * 3)
    b = DebyeSolid("b", 6000.0, 5e28 * (5000 / 3000) ** 3, (3000.0,) * 3)
    assert a.cutoffs_rad_s[0] == pytest.approx(b.cutoffs_rad_s[0])
    g12 = conductance_debye(a, b, t, model="dmm")
    alpha12 = float(dmm_debye_transmission(1e12, a, b))
    alpha21 = float(dmm_debye_transmission(1e12, b, a))
    general = eet_corrected(g12, radiation_conductance_debye(a, t), radiation_conductance_debye(b, t))
    assert np.allclose(general, gray_eet_corrected(g12, alpha12, alpha21), rtol=1e-6)


def isotropic_mesh(velocity: float, number_density: float, n: int = 40) -> PhononMesh:
    """Three linear branches ω = c|q| sampled on a cube of q around the Debye sphere;
    modes outside the sphere are given zero velocity and ω above the cut-off."""
    k_d = (6 * math.pi**2 * number_density) ** (1 / 3)
    axis = (np.arange(n) + 0.5) / n * 2 * k_d - k_d
    q = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(-1, 3)
    qlen = np.linalg.norm(q, axis=1)
    inside = qlen <= k_d
    omega = np.where(inside, velocity * qlen, 2 * velocity * k_d)
    v_z = np.where(inside, velocity * q[:, 2] / qlen, 0.0)
    volume = (2 * math.pi) ** 3 / (2 * k_d) ** 3  # Σ_q/(N_q V) = ∫d³q/(2π)³
    return PhononMesh(np.repeat(omega[:, None], 3, 1), np.repeat(v_z[:, None], 3, 1), volume, 1)


def test_full_dispersion_reduces_to_debye_for_a_linear_isotropic_solid():
    """The full-dispersion sums reproduce the Debye integrals for ω = c|q|.  The phonon
    radiation (no binning) agrees to 0.1%; the DMM ratio per 1%-wide bin carries the
    sampling noise of the q-cube and the bin that straddles a cut-off: 3%."""
    a = DebyeSolid("a", 3000.0, 5e28, (5000.0,) * 3)
    b = DebyeSolid("b", 6000.0, 8e28, (3000.0,) * 3)
    fa = SpectralSolid("a", isotropic_mesh(5000.0, 5e28, 60))
    fb = SpectralSolid("b", isotropic_mesh(3000.0, 8e28, 60))
    for model in ("dmm", "radiation"):
        full = conductance_full(fa, fb, [300.0], model=model, classical=True, n_bins=100)[0]
        debye = conductance_debye(a, b, [300.0], model=model, classical=True)[0]
        assert full == pytest.approx(debye, rel=0.03), model
    g_a = radiation_conductance_full(fa, [300.0], classical=True)[0]
    assert g_a == pytest.approx(radiation_conductance_debye(a, [300.0], classical=True)[0], rel=1e-3)


def test_full_dispersion_detailed_balance_and_identity():
    rng = np.random.default_rng(1)
    meshes = [PhononMesh(rng.uniform(1e12, 6e13, (500, 6)), rng.normal(0, 3000, (500, 6)), 4e-29, 2),
              PhononMesh(rng.uniform(1e12, 3e13, (700, 3)), rng.normal(0, 2000, (700, 3)), 1.2e-29, 1)]
    s1, s2 = SpectralSolid("1", meshes[0]), SpectralSolid("2", meshes[1])
    edges = common_edges(s1, s2, 60)
    a12, a21 = dmm_full_transmission(s1, s2, edges), dmm_full_transmission(s2, s1, edges)
    assert np.allclose(a12 * s1.radiation_m2(edges), a21 * s2.radiation_m2(edges), rtol=1e-12)
    same = dmm_full_transmission(s1, s1, edges)
    assert np.allclose(same[s1.radiation_m2(edges) > 0], 0.5)
    for model in ("dmm", "radiation"):
        g12 = conductance_full(s1, s2, [300.0], model=model, classical=True, n_bins=60)
        g21 = conductance_full(s2, s1, [300.0], model=model, classical=True, n_bins=60)
        assert g12 == pytest.approx(g21, rel=1e-10), model


def test_table_covers_every_combination():
    rows = mismatch_table((SI, CU), None, [100.0, 300.0])
    keys = {(r["model"], r["form"], r["statistics"], r["eet_correction"]) for r in rows}
    assert len(keys) == 3 * 2 * 2 and len(rows) == 2 * len(keys)
    assert all(r["G_W_m2K"] > 0 for r in rows)
