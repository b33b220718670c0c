"""Bulk inputs of the mismatch models from LAMMPS: elastic constants, density, phonons."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.phonons import phonon_mesh, sound_velocities, spectral_functions
from engine.material_properties import bulk_crystal, material_properties
from engine.phonopy_forces import force_constants

pytestmark = pytest.mark.lammps

# Cheap potentials: (element, lattice, potential, published C11, C12, C44 in GPa or None)
CASES = {
    # Stillinger & Weber silicon, relaxed: e.g. Balamane, Halicioglu & Tiller, PRB 46, 2250 (1992)
    "sw_si": ("Si", "diamond", "sw_si", (151.4, 76.4, 56.4)),
    # Mishin et al., PRB 63, 224106 (2001), Table I
    "eam_cu": ("Cu", "fcc", "eam_cu_mishin", (169.9, 122.6, 76.2)),
    "lj_ar": ("Ar", "fcc", "lj_argon", None),
}


@pytest.fixture(scope="module", params=list(CASES))
def material(request):
    element, lattice, potential, published = CASES[request.param]
    crystal = bulk_crystal(element, lattice, potential=potential)
    props = material_properties(crystal, repeat=2)
    fc = force_constants(crystal, min_supercell_A=10.0)
    return crystal, props, fc, published


def test_density_and_number_density(material):
    crystal, props, _, _ = material
    atoms = crystal.cell()
    volume_m3 = atoms.get_volume() * 1e-30
    assert props["number_density_m3"] == pytest.approx(len(atoms) / volume_m3)
    assert props["density_kg_m3"] == pytest.approx(
        atoms.get_masses().sum() * 1.66053906660e-27 / volume_m3, rel=1e-8)


def test_elastic_constants(material):
    _, props, _, published = material
    c11, c12, c44 = props["C11_GPa"], props["C12_GPa"], props["C44_GPa"]
    assert c11 > c12 > 0 and c44 > 0  # Born stability of a cubic crystal
    if published is None:  # central pair potential, static lattice: Cauchy relation
        assert c12 == pytest.approx(c44, rel=1e-3)
    else:
        assert (c11, c12, c44) == pytest.approx(published, rel=0.01)
    assert props["v_L_m_s"] == pytest.approx(np.sqrt(c11 * 1e9 / props["density_kg_m3"]))
    assert props["v_T_m_s"] == pytest.approx(np.sqrt(c44 * 1e9 / props["density_kg_m3"]))
    assert max(props["C11_se_GPa"], props["C44_se_GPa"]) < 1e-3 * c11
    # direction averages (analysis.elastic): mode-count velocities hold v_D, [001] is one axis
    assert 1 / props["v_L_avg_m_s"] ** 3 + 2 / props["v_T_avg_m_s"] ** 3 == pytest.approx(
        3 / props["v_D_m_s"] ** 3, rel=1e-10)
    assert props["zener_ratio"] == pytest.approx(2 * c44 / (c11 - c12))
    assert props["velocities_axes_m_s"]["001"][2] == pytest.approx(props["v_L_m_s"])
    assert 0 < props["v_D_se_m_s"] < 1e-3 * props["v_D_m_s"]
    assert 50 < props["debye_temperature_elastic_K"] < 1000


def test_dispersion_slope_matches_elastic_velocities(material):
    _, props, fc, _ = material
    v_t1, v_t2, v_l = sound_velocities(fc)
    assert v_t1 == pytest.approx(v_t2, rel=1e-6)  # [001] transverse branches are degenerate
    assert v_l == pytest.approx(props["v_L_m_s"], rel=0.03)
    assert v_t1 == pytest.approx(props["v_T_m_s"], rel=0.03)


def test_dos_integrates_to_3n_modes(material):
    crystal, props, fc, _ = material
    phonons = phonon_mesh(fc, 4)
    assert phonons.omega_rad_s.min() > 0  # stable lattice, Γ excluded by the shifted mesh
    spectra = spectral_functions(phonons, n_bins=50)
    per_volume = np.sum(spectra["dos_s_m3"] * np.diff(spectra["edges_rad_s"]))
    assert per_volume * phonons.volume_m3 == pytest.approx(3 * len(crystal.cell()), rel=1e-12)
    assert per_volume == pytest.approx(3 * props["number_density_m3"], rel=1e-9)
    assert np.any(spectra["radiation_m2"] > 0)
