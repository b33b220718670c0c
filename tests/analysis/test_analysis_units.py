"""Unit conversions of analysis.units."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import units


def test_flux_conversion_constant():
    # 1 eV/(ps Å²) = 1.602176634e-19 J / (1e-12 s 1e-20 m²) = 1.602176634e13 W/m².
    assert units.W_M2_PER_EV_PS_A2 == pytest.approx(1.602176634e13, rel=1e-12)
    assert units.flux_W_m2(1.0, 1.0) == pytest.approx(1.602176634e13, rel=1e-12)


def test_flux_scales_with_power_and_area_no_factor_two():
    # 0.5 eV/ps through 25 Å x 40 Å = 1000 Å²: 0.5 * 1.602176634e13 / 1000 W/m².
    assert units.flux_W_m2(0.5, 1000.0) == pytest.approx(8.01088317e9, rel=1e-9)
    np.testing.assert_allclose(units.flux_W_m2([1.0, 2.0], 2.0), [8.01088317e12, 1.602176634e13])


def test_flux_rejects_bad_area():
    with pytest.raises(ValueError, match="area"):
        units.flux_W_m2(1.0, 0.0)


def test_power_kappa_conductance():
    assert units.power_W(1.0) == pytest.approx(1.602176634e-7, rel=1e-12)
    # 1e10 W/m² over 0.1 K/Å = 1e9 K/m gives 10 W/mK.
    assert units.kappa_W_mK(1e10, 0.1) == pytest.approx(10.0, rel=1e-12)
    assert units.W_MK_PER_EV_PS_A_K == pytest.approx(1.602176634e3, rel=1e-12)
    # R_K = 1e-9 m²K/W  <->  G = 1e9 W/m²K = 1000 MW/m²K.
    assert units.conductance_MW_m2K(1e-9) == pytest.approx(1000.0)
    assert units.resistance_m2K_W(1000.0) == pytest.approx(1e-9)


def test_lj_argon_reference_conductance():
    # PHYSICS.md: G* = 1 in LJ argon units is 55.2 MW/m²K; G* = k_B / (σ² τ).
    from scipy import constants

    sigma_m, eps_eV, mass_amu = 3.405e-10, 0.01032, 39.95
    tau_s = sigma_m * np.sqrt(mass_amu * constants.atomic_mass / (eps_eV * constants.eV))
    g = constants.k / (sigma_m**2 * tau_s) / 1e6
    assert tau_s == pytest.approx(2.156e-12, rel=2e-3)
    assert g == pytest.approx(55.2, rel=2e-3)
