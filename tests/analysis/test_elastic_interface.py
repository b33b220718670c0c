"""Complete acoustic mismatch: plane elastic waves at a welded interface between isotropic solids."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from analysis.elastic_interface import (
    INCIDENT_MODES,
    IsotropicMedium,
    angle_averaged_transmission,
    energy_coefficients,
    fluid_transmission,
    sh_transmission,
    transmission_vs_angle,
)

# Si- and Cu-like (MEAM, direction-averaged velocities): Si is light and fast
SI = IsotropicMedium(2329.0, 8927.0, 5228.0)
CU = IsotropicMedium(8898.0, 4902.0, 2299.0)
# the example of Aki & Richards (2002), p. 147: km/s and g/cm³ -> SI
AR_TOP = IsotropicMedium(3000.0, 6000.0, 3500.0)
AR_BOTTOM = IsotropicMedium(4000.0, 7000.0, 4200.0)
PAIRS = [(SI, CU), (CU, SI), (AR_TOP, AR_BOTTOM), (AR_BOTTOM, AR_TOP)]


def test_aki_richards_energy_matrix():
    """Aki & Richards (2002) p. 147 tabulate the square roots of the energy coefficients
    for α/β/ρ = 6/3.5/3 over 7/4.2/4 (km/s, g/cm³) at p = 0.1 s/km.  Rows: incident P and S
    from above, P and S from below; columns: P, S going up, P, S going down."""
    published = np.array([[0.1065, 0.1766, 0.9701, 0.1277],
                          [0.1766, 0.0807, 0.1326, 0.9720],
                          [0.9701, 0.1326, 0.0567, 0.1950],
                          [0.1277, 0.9720, 0.1950, 0.0309]])
    p = 0.1e-3  # s/m
    ours = []
    for upper, lower, order in ((AR_TOP, AR_BOTTOM, ("reflected", "transmitted")),
                                (AR_BOTTOM, AR_TOP, ("transmitted", "reflected"))):
        for mode in ("L", "SV"):
            e = energy_coefficients(upper, lower, [p], mode)
            ours.append([e[f"{order[0]}_L"][0], e[f"{order[0]}_SV"][0],
                         e[f"{order[1]}_L"][0], e[f"{order[1]}_SV"][0]])
    assert np.sqrt(ours) == pytest.approx(published, abs=1e-4)
    # SH: |r| = 0.2157 and amplitude transmission 0.7843 (same example)
    sh = energy_coefficients(AR_TOP, AR_BOTTOM, [p], "SH")
    assert math.sqrt(sh["reflected_SH"][0]) == pytest.approx(0.2157, abs=1e-4)
    eta1, eta2 = math.sqrt(1 / 3500.0**2 - p**2), math.sqrt(1 / 4200.0**2 - p**2)
    amplitude = math.sqrt(sh["transmitted_SH"][0] * 3000.0 * 3500.0**2 * eta1
                          / (4000.0 * 4200.0**2 * eta2))
    assert amplitude == pytest.approx(0.7843, abs=1e-4)


@pytest.mark.parametrize("pair", PAIRS)
def test_normal_incidence_is_the_impedance_formula_for_every_branch(pair):
    m1, m2 = pair
    for mode in ("L", "SV", "SH"):
        e = energy_coefficients(m1, m2, [0.0], mode)
        z1, z2 = m1.density_kg_m3 * m1.velocity(mode), m2.density_kg_m3 * m2.velocity(mode)
        same = f"transmitted_{mode}"
        assert e[same][0] == pytest.approx(4 * z1 * z2 / (z1 + z2) ** 2, rel=1e-12)
        converted = [k for k in e if k.startswith("transmitted") and k != same]
        assert all(e[k][0] == pytest.approx(0.0, abs=1e-15) for k in converted)


def test_identical_media_transmit_everything_without_conversion():
    theta = np.linspace(0.0, 0.999 * math.pi / 2, 60)
    for mode in ("L", "SV", "SH"):
        e = transmission_vs_angle(SI, SI, theta, mode)
        assert e[f"transmitted_{mode}"] == pytest.approx(1.0, abs=1e-12)
        assert sum(v for k, v in e.items() if k != f"transmitted_{mode}") == pytest.approx(
            0.0, abs=1e-12)
        avg = angle_averaged_transmission(SI, SI, mode)
        assert avg["transmitted"] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("pair", PAIRS)
def test_energy_is_conserved_at_every_angle(pair):
    """Reflected + transmitted flux = incident flux, below and beyond every critical angle
    (the evanescent waves carry none), for incident L, SV and SH in both directions."""
    m1, m2 = pair
    for mode in INCIDENT_MODES:
        p = np.linspace(0.0, 0.99999, 4001) / m1.velocity(mode)
        e = energy_coefficients(m1, m2, p, mode)
        total = sum(e.values())
        assert np.max(np.abs(total - 1.0)) < 1e-12, mode
        assert all(np.all(v >= -1e-15) for v in e.values())
    # a critical angle really is crossed: SV incident from Si, reflected L evanescent beyond
    # sin θ = β₁/α₁, and every wave of a Cu→Si SV incidence is evanescent in Si beyond
    # sin θ = β_Cu/β_Si
    e = transmission_vs_angle(CU, SI, [math.asin(CU.v_T_m_s / SI.v_T_m_s) * 1.01], "SV")
    assert e["transmitted_L"][0] == 0.0 and e["transmitted_SV"][0] == 0.0
    assert e["reflected_SV"][0] + e["reflected_L"][0] == pytest.approx(1.0, abs=1e-12)


def test_fluid_limit_is_the_longitudinal_formula():
    """Zero shear modulus on both sides: exactly the fluid formula; a vanishing shear
    velocity converges to it (the shear waves carry O(β/α) of the energy)."""
    f1, f2 = IsotropicMedium(1000.0, 1500.0, 0.0), IsotropicMedium(3000.0, 4000.0, 0.0)
    theta = np.linspace(0.0, 1.5, 40)
    exact = fluid_transmission(theta, 1000.0 * 1500.0, 3000.0 * 4000.0, 1500.0, 4000.0)
    assert transmission_vs_angle(f1, f2, theta, "L")["transmitted_L"] == pytest.approx(
        exact, abs=1e-13)
    assert exact[-1] == 0.0  # beyond the critical angle arcsin(1500/4000)
    errors = []
    for small in (1e-3, 1e-4):
        s1 = IsotropicMedium(1000.0, 1500.0, small * 1500.0)
        s2 = IsotropicMedium(3000.0, 4000.0, small * 4000.0)
        errors.append(np.max(np.abs(transmission_vs_angle(s1, s2, theta, "L")["transmitted_L"]
                                    - exact)))
    assert errors[1] < 1e-5 and errors[1] < 0.2 * errors[0]  # O(β/α)


@pytest.mark.parametrize("pair", PAIRS)
def test_sh_alone_has_the_z_cos_pairing(pair):
    m1, m2 = pair
    z1, z2 = m1.density_kg_m3 * m1.v_T_m_s, m2.density_kg_m3 * m2.v_T_m_s
    theta = np.linspace(0.0, 1.55, 80)
    expected = sh_transmission(theta, z1, z2, m1.v_T_m_s, m2.v_T_m_s)
    cos1 = np.cos(theta)
    sin2 = m2.v_T_m_s / m1.v_T_m_s * np.sin(theta)
    cos2 = np.sqrt(np.clip(1 - sin2**2, 0, None))
    by_hand = np.where(sin2 < 1, 4 * z1 * z2 * cos1 * cos2 / (z1 * cos1 + z2 * cos2) ** 2, 0.0)
    ours = transmission_vs_angle(m1, m2, theta, "SH")["transmitted_SH"]
    assert ours == pytest.approx(expected, abs=1e-13)
    assert ours == pytest.approx(by_hand, abs=1e-13)


@pytest.mark.parametrize("pair", PAIRS[::2])
def test_reciprocity_and_detailed_balance(pair):
    """E(1, i → 2, k; p) = E(2, k → 1, i; p) at every common slowness, hence
    c_i⁻² ᾱ(1i→2k) = c_k⁻² ᾱ(2k→1i) for the angle averages."""
    m1, m2 = pair
    for i in ("L", "SV"):
        for k in ("L", "SV"):
            top = min(1 / m1.velocity(i), 1 / m2.velocity(k))
            p = np.linspace(0.0, 0.9999 * top, 500)
            forward = energy_coefficients(m1, m2, p, i)[f"transmitted_{k}"]
            backward = energy_coefficients(m2, m1, p, k)[f"transmitted_{i}"]
            assert forward == pytest.approx(backward, abs=1e-12)
            a12 = angle_averaged_transmission(m1, m2, i)[f"transmitted_{k}"]
            a21 = angle_averaged_transmission(m2, m1, k)[f"transmitted_{i}"]
            assert a12 / m1.velocity(i) ** 2 == pytest.approx(a21 / m2.velocity(k) ** 2,
                                                              rel=1e-10, abs=1e-22)
    sh12 = angle_averaged_transmission(m1, m2, "SH")["transmitted_SH"]
    sh21 = angle_averaged_transmission(m2, m1, "SH")["transmitted_SH"]
    assert sh12 / m1.v_T_m_s**2 == pytest.approx(sh21 / m2.v_T_m_s**2, rel=1e-10)


def test_angle_average_matches_adaptive_quadrature():
    for mode in INCIDENT_MODES:
        avg = angle_averaged_transmission(SI, CU, mode)
        for key in (k for k in avg if k.startswith("transmitted_")):
            def integrand(u, key=key, mode=mode):
                p = math.sqrt(u) / SI.velocity(mode)
                return float(energy_coefficients(SI, CU, [p], mode)[key][0])
            u_c = sorted({(SI.velocity(mode) / c) ** 2 for c in (CU.v_L_m_s, CU.v_T_m_s,
                                                                  SI.v_L_m_s, SI.v_T_m_s)})
            points = [u for u in u_c if 0 < u < 1]
            ref, _ = quad(integrand, 0, 1, points=points or None, limit=400, epsabs=1e-12)
            assert avg[key] == pytest.approx(ref, abs=1e-9), (mode, key)


def test_si_to_cu_averages_and_mode_conversion():
    """Si → Cu: mode conversion is real (L → SV ≈ 0.10, SV → L ≈ 0.21) and the SH average
    sits far below the fluid pairing the earlier code used for every branch (0.95)."""
    l, sv, sh = (angle_averaged_transmission(SI, CU, m) for m in ("L", "SV", "SH"))
    assert 0.05 < l["transmitted_SV"] < 0.2 and 0.1 < sv["transmitted_L"] < 0.3
    z = (SI.density_kg_m3 * SI.v_T_m_s, CU.density_kg_m3 * CU.v_T_m_s)
    fluid, _ = quad(lambda u: float(fluid_transmission(math.asin(math.sqrt(u)), *z,
                                                       SI.v_T_m_s, CU.v_T_m_s)), 0, 1)
    assert fluid > 0.9 and sh["transmitted"] < fluid - 0.1
    for avg in (l, sv, sh):
        assert 0 < avg["transmitted"] < 1


def test_bad_input():
    with pytest.raises(ValueError):
        IsotropicMedium(-1.0, 1.0, 0.5)
    with pytest.raises(ValueError):  # incident wave beyond grazing
        energy_coefficients(SI, CU, [1.01 / SI.v_L_m_s], "L")
    with pytest.raises(NotImplementedError):
        energy_coefficients(SI, IsotropicMedium(1000.0, 1500.0, 0.0), [0.0], "L")
