"""Direction-averaged sound velocities of cubic crystals (Christoffel equation), no LAMMPS."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase.build import bulk
from scipy import constants

from analysis.elastic import (
    averaged_velocities,
    christoffel,
    cubic_stiffness_GPa,
    debye_temperature_K,
    debye_velocity_from_mode_count,
    dispersion_phase_velocities,
    hill_velocities,
    sphere_quadrature,
)
from analysis.mismatch import VELOCITY_SETS, DebyeSolid, isotropic_velocities
from analysis.phonons import ForceConstants, phonon_mesh

AMU = constants.atomic_mass
GPA_PER_EV_A3 = constants.electron_volt / constants.angstrom**3 / 1e9


def number_density(rho_kg_m3: float, mass_amu: float) -> float:
    return rho_kg_m3 / (mass_amu * AMU)


def test_quadrature_is_a_normalised_average():
    dirs, w = sphere_quadrature(24)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    assert np.linalg.norm(dirs, axis=1) == pytest.approx(1.0, abs=1e-14)
    assert w @ dirs[:, 2] ** 2 == pytest.approx(1 / 3, abs=1e-14)
    assert w @ dirs[:, 0] ** 4 == pytest.approx(1 / 5, abs=1e-14)
    assert w @ np.abs(dirs[:, 2]) == pytest.approx(0.5, abs=1e-14)  # exact across the kink


def test_christoffel_along_symmetry_axes():
    """Textbook velocities along [001], [110], [111] of a cubic crystal (e.g. Kittel ch. 3),
    and the trace identity Σ_j ρv_j² = C11 + 2C44 in every direction."""
    c11, c12, c44, rho = 168.4, 121.4, 75.4, 8960.0
    dirs = np.array([[0, 0, 1], [1, 1, 0], [1, 1, 1]], dtype=float)
    v, e, group = christoffel(cubic_stiffness_GPa(c11, c12, c44), rho, dirs)
    rv2 = rho * v**2 / 1e9
    assert rv2[0] == pytest.approx([c44, c44, c11])
    assert rv2[1] == pytest.approx(sorted([(c11 - c12) / 2, c44, (c11 + c12 + 2 * c44) / 2]))
    assert rv2[2] == pytest.approx([(c11 - c12 + c44) / 3] * 2 + [(c11 + 2 * c12 + 4 * c44) / 3])
    # along a pure-mode axis: L polarised along it, group velocity = phase velocity
    assert np.abs(e[0][:, 2]) == pytest.approx([0, 0, 1])
    assert group[0, 2] == pytest.approx([0, 0, math.sqrt(c11 * 1e9 / rho)])
    rng = np.random.default_rng(3)
    v, _, _ = christoffel(cubic_stiffness_GPa(c11, c12, c44), rho, rng.normal(size=(200, 3)))
    assert np.sum(rho * v**2 / 1e9, axis=1) == pytest.approx(np.full(200, c11 + 2 * c44))
    # v_g · n = v (the group velocity projects on the wave normal as the phase velocity)
    n = rng.normal(size=(200, 3))
    v, _, group = christoffel(cubic_stiffness_GPa(c11, c12, c44), rho, n)
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    assert np.einsum("nbm,nm->nb", group, n) == pytest.approx(v, rel=1e-10)


def test_isotropic_limit_gives_the_exact_isotropic_velocities():
    lam, mu, rho = 60.0, 40.0, 5000.0  # 2C44 = C11 - C12
    avg = averaged_velocities(lam + 2 * mu, lam, mu, rho)
    v_l, v_t = math.sqrt((lam + 2 * mu) * 1e9 / rho), math.sqrt(mu * 1e9 / rho)
    for value, exact in ((avg.longitudinal_m_s, v_l), (avg.transverse_m_s, v_t),
                         (avg.hill_longitudinal_m_s, v_l), (avg.hill_transverse_m_s, v_t),
                         (avg.radiation_longitudinal_m_s, v_l), (avg.radiation_transverse_m_s, v_t),
                         (avg.axis_longitudinal_m_s, v_l), (avg.axis_transverse_m_s, v_t)):
        assert value == pytest.approx(exact, rel=1e-12)
    assert avg.debye_m_s == pytest.approx((3 / (1 / v_l**3 + 2 / v_t**3)) ** (1 / 3), rel=1e-12)
    assert avg.zener_ratio == pytest.approx(1.0)
    for choice in VELOCITY_SETS:
        assert isotropic_velocities(lam + 2 * mu, lam, mu, rho, choice) == pytest.approx((v_l, v_t))


def test_averages_converge_and_agree_with_a_random_rule():
    """Cu (A = 3.2): the product rule converges fast; an independent Monte Carlo average
    of Σ v⁻³ over 400 000 random directions agrees within its sampling error."""
    c, rho = (168.4, 121.4, 75.4), 8960.0
    coarse, fine = (averaged_velocities(*c, rho, n_polar=n) for n in (32, 96))
    assert coarse.debye_m_s == pytest.approx(fine.debye_m_s, rel=1e-8)
    assert coarse.radiation_transverse_m_s == pytest.approx(fine.radiation_transverse_m_s, rel=2e-3)
    rng = np.random.default_rng(7)
    v, _, _ = christoffel(cubic_stiffness_GPa(*c), rho, rng.normal(size=(400_000, 3)))
    terms = np.sum(v**-3.0, axis=1)
    mc = (3 / terms.mean()) ** (1 / 3)
    err = mc * terms.std() / terms.mean() / math.sqrt(terms.size) / 3
    assert fine.debye_m_s == pytest.approx(mc, abs=4 * err)
    # the mode-count branch velocities hold the Debye average exactly
    assert 1 / fine.longitudinal_m_s**3 + 2 / fine.transverse_m_s**3 == pytest.approx(
        3 / fine.debye_m_s**3, rel=1e-12)
    # [001] overestimates v_D for Cu: its T velocity √(C44/ρ) is the fast shear
    assert fine.axis_transverse_m_s > 1.25 * fine.transverse_m_s


def test_published_debye_temperatures():
    """Elastic Θ_D against calorimetry (Kittel, *Introduction to Solid State Physics*, 8th
    ed., Table 5.1: Cu 343 K, Si 645 K).

    * Cu, 0 K elastic constants of Overton & Gaffney, Phys. Rev. 98, 969 (1955): C11 =
      176.2, C12 = 124.94, C44 = 81.77 GPa, ρ(0 K) = 9.018 g/cm³ → 344.4 K (the classic
      agreement of the elastic and calorimetric Θ₀).
    * Cu, room-temperature constants (168.4, 121.4, 75.4 GPa, 8.96 g/cm³; Kittel Table 3.2):
      331.1 K -- lower than 343 K because the 300 K constants are ~5% softer; Anderson's
      Voigt-Reuss-Hill approximation (J. Phys. Chem. Solids 24, 909, 1963) gives 337.9 K,
      2% above the exact average for this strongly anisotropic metal.
    * Si, room temperature (165.8, 63.9, 79.6 GPa, 2.329 g/cm³): 645.8 K.
    """
    cu0 = averaged_velocities(176.2, 124.94, 81.77, 9018.0)
    assert debye_temperature_K(cu0.debye_m_s, number_density(9018.0, 63.546)) == pytest.approx(
        343.5, abs=1.5)
    cu = averaged_velocities(168.4, 121.4, 75.4, 8960.0)
    n_cu = number_density(8960.0, 63.546)
    assert debye_temperature_K(cu.debye_m_s, n_cu) == pytest.approx(331.1, abs=0.1)
    assert debye_temperature_K(cu.hill_debye_m_s(), n_cu) == pytest.approx(337.9, abs=0.1)
    si = averaged_velocities(165.8, 63.9, 79.6, 2329.0)
    assert debye_temperature_K(si.debye_m_s, number_density(2329.0, 28.0855)) == pytest.approx(
        645.0, rel=0.01)


def test_hill_velocities_by_hand():
    c11, c12, c44, rho = 168.4, 121.4, 75.4, 8960.0
    g_v, g_r = (c11 - c12 + 3 * c44) / 5, 5 * (c11 - c12) * c44 / (4 * c44 + 3 * (c11 - c12))
    k, g = (c11 + 2 * c12) / 3, (g_v + g_r) / 2
    v_l, v_t = hill_velocities(c11, c12, c44, rho)
    assert rho * v_t**2 / 1e9 == pytest.approx(g) and rho * v_l**2 / 1e9 == pytest.approx(k + 4 * g / 3)


def test_debye_solid_from_properties_carries_the_elastic_debye_temperature():
    props = {"C11_GPa": 168.4, "C12_GPa": 121.4, "C44_GPa": 75.4, "density_kg_m3": 8960.0,
             "number_density_m3": number_density(8960.0, 63.546)}
    solid = DebyeSolid.from_properties("Cu", props)
    avg = averaged_velocities(168.4, 121.4, 75.4, 8960.0)
    assert solid.debye_velocity_m_s == pytest.approx(avg.debye_m_s, rel=1e-12)
    axis = DebyeSolid.from_properties("Cu", props, velocities="axis")
    assert axis.velocities_m_s[1] == pytest.approx(math.sqrt(75.4e9 / 8960.0))
    assert axis.debye_temperature_K > 1.2 * solid.debye_temperature_K  # the [001] error
    with pytest.raises(ValueError):
        isotropic_velocities(168.4, 121.4, 75.4, 8960.0, "nonsense")
    with pytest.raises(ValueError):  # not Born-stable
        averaged_velocities(100.0, 120.0, 50.0, 8960.0)


def fcc_springs(a_A: float = 3.6, k_eV_A2: float = 2.0, mass_amu: float = 63.5,
                n: int = 3) -> ForceConstants:
    """fcc with nearest-neighbour central springs k: C11 = 2k/a, C12 = C44 = k/a (A = 2)."""
    unit = bulk("Cu", "fcc", a=a_A, cubic=True)
    sc = unit.repeat(n)
    pos, cell = sc.get_positions(), np.array(sc.cell)
    phi = np.zeros((len(unit), 3, len(sc), 3))
    for i in range(len(unit)):
        frac = (pos - pos[i]) @ np.linalg.inv(cell)
        d = (frac - np.round(frac)) @ cell
        r = np.linalg.norm(d, axis=1)
        for j in np.flatnonzero(np.abs(r - a_A / math.sqrt(2)) < 1e-6):
            phi[i, :, j, :] = -k_eV_A2 * np.outer(d[j], d[j]) / r[j] ** 2
    return ForceConstants(unit_cell_A=np.array(unit.cell), basis_A=unit.get_positions(),
                          masses_amu=np.full(len(unit), mass_amu), supercell_A=cell,
                          supercell_positions_A=pos, phi_eV_A2=phi)


def test_debye_temperature_of_the_full_dispersion():
    """A lattice model with known elastic constants: the low-frequency limit of its own
    DOS (small-q phase velocities, averaged) reproduces the elastic Θ_D to 1e-4, and the
    mode count of a 16³ mesh to a few per cent."""
    a, k, m = 3.6, 2.0, 63.5
    fc = fcc_springs(a, k, m)
    c = k / a * GPA_PER_EV_A3
    rho, n = 4 * m * AMU / (a * 1e-10) ** 3, 4 / (a * 1e-10) ** 3
    elastic = averaged_velocities(2 * c, c, c, rho)
    theta = debye_temperature_K(elastic.debye_m_s, n)
    dirs, w = sphere_quadrature(16)
    v = dispersion_phase_velocities(fc, dirs)
    v_d = (3 / (w @ np.sum(v**-3.0, axis=1))) ** (1 / 3)
    assert debye_temperature_K(v_d, n) == pytest.approx(theta, rel=1e-4)
    mesh = phonon_mesh(fc, 16)
    omega_d = theta * constants.k / constants.hbar
    count = debye_velocity_from_mode_count(mesh.omega_rad_s, mesh.volume_m3, mesh.n_q,
                                           omega_top_rad_s=0.4 * omega_d)
    assert count["debye_m_s"] == pytest.approx(elastic.debye_m_s, rel=0.05)
    assert count["rel_spread"] < 0.05
    with pytest.raises(ValueError):
        debye_velocity_from_mode_count(mesh.omega_rad_s, mesh.volume_m3, mesh.n_q,
                                       omega_top_rad_s=0.01 * omega_d)
