"""Registry of electronic parameters (potentials/electrons.yaml) and its loader."""

from __future__ import annotations

import math
import re

import pytest
import yaml

from potentials.electrons import (
    FIELDS,
    ElectronDataError,
    SOMMERFELD_LORENZ_W_Ohm_K2,
    coupling_length_nm,
    electron_parameters,
    electron_quantity,
    load_electron_registry,
    metal_coupling_length_nm,
    wiedemann_franz_kappa_W_mK,
)


def test_every_number_has_units_and_a_dated_citation():
    registry = load_electron_registry()
    assert {"Cu", "Al", "Ag", "Au"} <= set(registry)
    assert set(registry["Cu"]) == set(FIELDS)  # Cu is complete
    for metal, fields in registry.items():
        for name, quantity in fields.items():
            assert quantity.units == FIELDS[name], (metal, name)
            assert re.search(r"\((19|20)\d\d\)", quantity.citation), (metal, name)  # dated
            if "Handbook" not in quantity.citation:  # journal, volume, page (year)
                assert re.search(r" \d+, \d+ \((19|20)\d\d\)", quantity.citation), (metal, name)
            assert quantity.verified, (metal, name)


def test_copper_in_si_units():
    cu = electron_parameters("Cu")
    # 0.691 mJ/(mol K²) × 8960 kg/m³ / 0.063546 kg/mol
    assert cu.gamma_J_m3K2 == pytest.approx(0.691e-3 * 8960 / 0.063546, rel=1e-12)
    assert 90 < cu.gamma_J_m3K2 < 105
    assert cu.kappa_e_W_mK == 401.0
    assert cu.G_ep_W_m3K == 1.0e17
    assert cu.electron_heat_capacity_J_m3K(300.0) == pytest.approx(300 * cu.gamma_J_m3K2)
    assert set(cu.citations) == {"gamma_mJ_molK2", "molar_mass_g_mol", "density_g_cm3",
                                 "G_ep_W_m3K", "kappa_300K_W_mK"}


def test_wiedemann_franz_form():
    assert SOMMERFELD_LORENZ_W_Ohm_K2 == pytest.approx(2.443e-8, rel=1e-3)
    cu = electron_parameters("Cu", kappa_e_method="wiedemann_franz")
    assert cu.kappa_e_W_mK == pytest.approx(2.443e-8 * 300 / 1.725e-8, rel=1e-3)
    # the Sommerfeld L0 overestimates Cu at 300 K by a few per cent, never by a factor
    assert 1.0 < cu.kappa_e_W_mK / 401.0 < 1.1
    assert wiedemann_franz_kappa_W_mK(1e-8, 600.0) == pytest.approx(2 * wiedemann_franz_kappa_W_mK(
        1e-8, 300.0))
    with pytest.raises(ValueError, match="300 K"):
        electron_parameters("Cu", T_K=400.0)


def test_coupling_length():
    # ℓ² = κ_p κ_e / (G (κ_p + κ_e)), symmetric in the two conductivities
    value = coupling_length_nm(20.0, 380.0, 1e17)
    assert value == pytest.approx(math.sqrt(20 * 380 / (1e17 * 400)) * 1e9, rel=1e-12)
    assert value == coupling_length_nm(380.0, 20.0, 1e17)
    assert metal_coupling_length_nm("Cu", 20.0) == pytest.approx(
        coupling_length_nm(20.0, 401.0, 1e17))
    assert 10 < metal_coupling_length_nm("Cu", 20.0) < 20  # nm: Cu cells need ≳ 50 nm of metal
    with pytest.raises(ValueError):
        coupling_length_nm(0.0, 380.0, 1e17)


def test_missing_field_is_named():
    with pytest.raises(ElectronDataError, match=r"metal 'Ag' has no field 'G_ep_W_m3K'"):
        electron_parameters("Ag")
    with pytest.raises(ElectronDataError, match=r"'Zz'.*known metals"):
        electron_quantity("Zz", "G_ep_W_m3K")
    with pytest.raises(ElectronDataError, match=r"unknown field 'gamma'"):
        electron_quantity("Cu", "gamma")


def _write(tmp_path, entry):
    path = tmp_path / "electrons.yaml"
    path.write_text(yaml.safe_dump({"Cu": entry}))
    return path


def _good(value=1.0, units="g/mol"):
    return {"value": value, "units": units, "citation": "A. B., J. X 1, 2 (2000)"}


@pytest.mark.parametrize("broken, message", [
    ({"citation": None}, r"field 'molar_mass_g_mol'.*'citation' is missing"),
    ({"units": "kg/mol"}, r"field 'molar_mass_g_mol'.*units 'kg/mol', expected 'g/mol'"),
    ({"value": -1.0}, r"field 'molar_mass_g_mol'.*positive"),
    ({"value": "abc"}, r"field 'molar_mass_g_mol'.*not a number"),
])
def test_malformed_field_is_named(tmp_path, broken, message):
    path = _write(tmp_path, {"molar_mass_g_mol": _good() | broken})
    with pytest.raises(ElectronDataError, match=message):
        load_electron_registry(path)


def test_unknown_field_and_missing_field_in_custom_file(tmp_path):
    with pytest.raises(ElectronDataError, match=r"unknown fields \['G_ep'\]"):
        load_electron_registry(_write(tmp_path, {"G_ep": _good()}))
    path = tmp_path / "partial.yaml"
    path.write_text(yaml.safe_dump({"Cu": {"molar_mass_g_mol": _good()}}))
    with pytest.raises(ElectronDataError, match=r"metal 'Cu' has no field 'gamma_mJ_molK2'"):
        electron_parameters("Cu", path=path)
