"""Energies and relaxed structures from LAMMPS with the registry potentials."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.energy import LammpsEnergy, potential_energy
from engine.lammps_model import LammpsModel
from potentials import get_potential
from structures import build_bonded_interface, conventional_cell, relax_cubic_lattice

pytestmark = pytest.mark.lammps

SIGMA_A, EPSILON_EV, CUTOFF_SIGMA = 3.405, 0.01032, 2.5  # lj_argon in registry.yaml
AR = {"element": "Ar", "lattice": "fcc", "mass_amu": 39.948}
KR = {"element": "Kr", "lattice": "fcc", "mass_amu": 2 * 39.948}


def lj_fcc_by_hand() -> tuple[float, float]:
    """Lattice constant (σ) and cohesive energy (ε) of fcc LJ cut at 2.5σ and shifted.

    Shells of fcc at r_k = r_nn √k hold n_k = 12, 6, 24, 12, 24 neighbours for
    k = 1..5; at r_nn ≈ 1.09σ shells 1-5 lie inside 2.5σ and shell 6 outside.  The
    shift is a constant per pair inside the cut-off, so dE/dr_nn = 0 gives
    r_nn⁶ = 2 S12 / S6 with S12 = Σ n_k k⁻⁶ and S6 = Σ n_k k⁻³, and
    E/N = 2 Σ n_k [r_k⁻¹² − r_k⁻⁶ − (r_c⁻¹² − r_c⁻⁶)] (units of σ and ε).
    """
    k = np.arange(1, 6)
    n = np.array([12, 6, 24, 12, 24])
    r_nn = (2 * (n * k**-6.0).sum() / (n * k**-3.0).sum()) ** (1 / 6)
    assert np.sqrt(5) * r_nn < CUTOFF_SIGMA < np.sqrt(6) * r_nn
    r = r_nn * np.sqrt(k)
    shift = CUTOFF_SIGMA**-12 - CUTOFF_SIGMA**-6
    energy = 2 * (n * (r**-12 - r**-6 - shift)).sum()
    return np.sqrt(2) * r_nn, -energy


def tersoff_sicge():
    """The registry's Tersoff entry, mapping Si to 'Si(D)' (the 1989 Si parameters).

    SiCGe.tersoff names its 1989 silicon 'Si(D)'; registry.yaml lacks that species
    mapping (reported to the lead), so it is added here when missing.
    """
    potential = get_potential("tersoff_sicge")
    if "Si" not in potential.species:
        potential = dataclasses.replace(potential, species={**potential.species, "Si": "Si(D)"})
    return potential


def test_lj_fcc_matches_the_hand_value():
    a_sigma, e_coh_eps = lj_fcc_by_hand()  # 1.5496 σ, 7.4634 ε
    bulk = relax_cubic_lattice("Ar", "fcc", model=LammpsModel("lj_argon"), specorder=["Ar", "Kr"])
    assert bulk.lattice_constant_A / SIGMA_A == pytest.approx(a_sigma, abs=1e-5)
    assert bulk.cohesive_energy_eV / EPSILON_EV == pytest.approx(e_coh_eps, rel=1e-6)


def test_sw_silicon():
    bulk = relax_cubic_lattice("Si", "diamond", model=LammpsModel("sw_si"))
    assert bulk.lattice_constant_A == pytest.approx(5.431, abs=0.002)
    assert bulk.cohesive_energy_eV == pytest.approx(4.3366, abs=1e-3)  # 2.1683 eV x 2


def test_eam_mishin_copper():
    bulk = relax_cubic_lattice("Cu", "fcc", model=LammpsModel("eam_cu_mishin"))
    assert bulk.lattice_constant_A == pytest.approx(3.615, abs=0.001)
    assert bulk.cohesive_energy_eV == pytest.approx(3.54, abs=0.001)


@pytest.mark.parametrize(("element", "lattice", "alat_A", "ec_eV"),
                         [("Si", "diamond", 5.431, 4.63), ("Cu", "fcc", 3.62, 3.54)])
def test_meam_jelinek_reproduces_its_reference_states(element, lattice, alat_A, ec_eV):
    # 2NN MEAM builds its pair term so that the reference structure (library.meam:
    # alat, Ec) is the equilibrium exactly; only the numerical tolerance remains.
    bulk = relax_cubic_lattice(element, lattice, model=LammpsModel("meam_jelinek2012"),
                               specorder=["Si", "Cu"])
    assert bulk.lattice_constant_A == pytest.approx(alat_A, abs=1e-4)
    assert bulk.cohesive_energy_eV == pytest.approx(ec_eV, abs=1e-4)


@pytest.mark.parametrize(("element", "alat_A"), [("Si", 5.432), ("Ge", 5.657)])
def test_tersoff_si_and_ge(element, alat_A):
    bulk = relax_cubic_lattice(element, "diamond", model=LammpsModel(tersoff_sicge()),
                               specorder=["Si", "Ge"])
    assert bulk.lattice_constant_A == pytest.approx(alat_A, abs=0.002)


def test_energy_is_extensive_and_positions_can_be_reset():
    cell = conventional_cell("Cu", "fcc", lattice_constant_A=3.615)
    e1 = potential_energy(cell, potential="eam_cu_mishin", specorder=["Cu"])
    e8 = potential_energy(cell.repeat(2), potential="eam_cu_mishin", specorder=["Cu"])
    assert e8 == pytest.approx(8 * e1, rel=1e-10) and e1 < 0
    big = cell.repeat(2)
    with LammpsEnergy(big, potential="eam_cu_mishin", specorder=["Cu"]) as calc:
        moved = big.positions.copy()
        moved[0] += [0.1, 0.0, 0.0]
        assert calc.energy(moved) > calc.energy(big.positions) > calc.energy(moved) - 1.0


def test_lj_separation_is_the_bulk_plane_spacing():
    _, info = build_bonded_interface(side_a=AR, side_b=KR, model=LammpsModel("lj_argon"),
                                         length_a_A=16.0, length_b_A=16.0, max_lateral_A=12.0,
                                         max_strain=0.0)
    a = info["lattice_constant_a_A"]
    assert info["lattice_constant_b_A"] == a and info["strain_a"] == info["strain_b"] == 0.0
    assert (info["n_lateral_a"], info["n_lateral_b"]) == (1, 1)
    assert info["separation_method"] == "energy_minimised"
    assert info["separation_A"] == pytest.approx(a / 2, rel=0.02)
    assert info["mass_b_amu"] == pytest.approx(2 * info["mass_a_amu"])


def test_si_cu_meam_interface():
    _, info = build_bonded_interface(side_a={"element": "Si", "lattice": "diamond"},
                                         side_b={"element": "Cu", "lattice": "fcc"},
                                         model=LammpsModel("meam_jelinek2012"), length_a_A=11.0,
                                         length_b_A=11.0, max_lateral_A=12.0, max_strain=0.01)
    assert (info["n_lateral_a"], info["n_lateral_b"]) == (2, 3)
    assert abs(info["strain_a"]) < 1e-3 and abs(info["strain_b"]) < 1e-3
    assert 1.0 < info["separation_A"] < 3.5
    assert info["min_distance_A"] > 0.6 * 5.431 * np.sqrt(3) / 4


def test_two_types_of_one_element_give_the_same_energy(tmp_path):
    """Grains of a bicrystal are two LAMMPS types of one element (specorder [Cu, Cu]):
    the explicit-type data file must give exactly the single-type energy."""
    import numpy as np
    from ase.build import bulk

    from engine.runtime import new_lammps
    from potentials import get_potential, pair_commands
    from structures.io import write_lammps_data

    atoms = bulk("Cu", "fcc", a=3.615, cubic=True).repeat((3, 3, 3))
    reference = potential_energy(atoms, potential="eam_cu_mishin", specorder=["Cu"])
    atoms.arrays["lammps_type"] = np.where(atoms.positions[:, 2] > 5.0, 2, 1)
    data = write_lammps_data(tmp_path / "typed.data", atoms, ["Cu", "Cu"])
    lmp = new_lammps()
    try:
        lmp.commands_list(["units metal", "atom_style atomic", "boundary p p p",
                           f"read_data {data}",
                           *pair_commands(get_potential("eam_cu_mishin"), ["Cu", "Cu"]),
                           "run 0 post no"])
        assert float(lmp.get_thermo("pe")) == pytest.approx(reference, abs=1e-9)
        lmp.command("group two type 2")
        lmp.command("variable n equal count(two)")
        assert int(lmp.extract_variable("n")) == int(np.sum(atoms.arrays["lammps_type"] == 2)) > 0
    finally:
        lmp.close()
    atoms.arrays["lammps_type"][0] = 3
    with pytest.raises(ValueError, match="lammps_type"):
        write_lammps_data(tmp_path / "bad.data", atoms, ["Cu", "Cu"])


def test_rotated_cell_is_the_same_interface():
    """The 45°-rotated 4 x 6 Si/Cu cell (15.4 Å) and the conventional 4 x 6 cell (21.7 Å)
    hold the same cube-on-cube interface: the energy-minimising gap is the same."""
    sides = {"side_a": {"element": "Si", "lattice": "diamond"},
             "side_b": {"element": "Cu", "lattice": "fcc"}}
    gaps = {}
    for low, high in ((15.0, 16.0), (20.0, 22.0)):
        _, info = build_bonded_interface(**sides, model=LammpsModel("meam_jelinek2012"),
                                         length_a_A=11.0, length_b_A=11.0, min_lateral_A=low,
                                         max_lateral_A=high, max_strain=0.01)
        gaps[info["lateral_cell"]] = info["separation_A"]
        assert (info["n_lateral_a"], info["n_lateral_b"]) == (4, 6)
    assert gaps["rotated_45"] == pytest.approx(gaps["conventional"], abs=1e-4)
