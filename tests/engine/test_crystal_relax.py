"""Zero-stress relaxation of bulk crystals (engine.crystal_relax) with real LAMMPS: known
lattice constants of registry potentials, the input representation kept (primitive cells,
Cartesian frame, atom order, masses), symmetry-keeping box relaxations, and errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.calculators.lj import LennardJones
from ase.io import write
from ase.neighborlist import neighbor_list

from engine.crystal_relax import box_relax_style, relax_crystal
from potentials import Potential
from structures.lattices import bulk_crystal, read_crystal

#: Stillinger-Weber silicon a0 (Å) and Mishin's EAM copper a0 (Å).
A0_SW_SI = 5.431
A0_MISHIN_CU = 3.615


def assert_json(record: dict) -> None:
    """The record survives a JSON round trip unchanged."""
    assert json.loads(json.dumps(record)) == record


@pytest.mark.lammps
def test_primitive_diamond_si_relaxes_to_sw_lattice_constant_and_stays_primitive():
    crystal = bulk_crystal("diamond", "Si", a_A=5.30)
    start = crystal.copy()
    relaxed, record = relax_crystal(crystal, potential="sw_si")
    assert abs(record["a_A"] - A0_SW_SI) < 1e-3
    assert abs(record["pressure_GPa"]) < 0.01 and record["converged"]
    assert record["box_relax"] == "iso 0.0" and record["lattice"] == "diamond"
    # same primitive cell, scaled in the input's frame: rows parallel to the input's
    np.testing.assert_allclose(relaxed.cell.angles(), [60.0, 60.0, 60.0], atol=1e-8)
    np.testing.assert_allclose(np.array(relaxed.cell), np.array(start.cell) * record["a_A"] / 5.30,
                               atol=1e-9)
    np.testing.assert_allclose(relaxed.info["conventional_cell_A"], record["a_A"] * np.eye(3),
                               atol=1e-9)
    assert relaxed.get_chemical_symbols() == start.get_chemical_symbols()
    np.testing.assert_allclose(relaxed.get_scaled_positions(wrap=False),
                               start.get_scaled_positions(wrap=False), atol=1e-6)
    np.testing.assert_allclose(record["volume_per_atom_A3"], record["a_A"] ** 3 / 8, rtol=1e-9)
    # the input is left alone
    np.testing.assert_array_equal(crystal.cell, start.cell)
    assert crystal.info["conventional_cell_A"] == start.info["conventional_cell_A"]
    assert_json(record)


@pytest.mark.lammps
def test_primitive_fcc_cu_relaxes_to_mishin_lattice_constant():
    relaxed, record = relax_crystal(bulk_crystal("fcc", "Cu", a_A=3.5),
                                    potential="eam_cu_mishin")
    assert abs(record["a_A"] - A0_MISHIN_CU) < 2e-3
    assert len(relaxed) == 1
    np.testing.assert_allclose(relaxed.cell.angles(), [60.0, 60.0, 60.0], atol=1e-8)
    assert record["energy_per_atom_eV"] == pytest.approx(-3.54, abs=1e-2)  # Mishin E_coh
    assert "c_A" not in record and "u" not in record
    assert_json(record)


@pytest.mark.lammps
def test_hcp_lj_argon_relaxes_a_and_c_keeping_the_hexagonal_cell():
    mass = 50.0  # an overridden label mass is kept
    crystal = bulk_crystal("hcp", "Ar", a_A=3.9, c_A=6.0, mass_amu={"Ar": mass})
    # shifted at the cut-off, as lj_argon
    lj = {"sigma": 3.405, "epsilon": 0.01032, "rc": 8.5125, "smooth": False}
    start = crystal.copy()
    start.calc = LennardJones(**lj)
    e_start = start.get_potential_energy() / len(start)
    relaxed, record = relax_crystal(crystal, potential="lj_argon")
    a, c = record["a_A"], record["c_A"]
    assert a != pytest.approx(3.9, abs=0.01) and c != pytest.approx(6.0, abs=0.01)
    assert c / a == pytest.approx(np.sqrt(8 / 3), rel=0.01)
    angles = relaxed.cell.angles()
    assert abs(angles[2] - 120.0) < 1e-6 and np.abs(angles[:2] - 90.0).max() < 1e-6
    cell = np.array(relaxed.cell)
    assert np.abs(cell[0, 1:]).max() < 1e-9 and np.abs(cell[2, :2]).max() < 1e-9
    np.testing.assert_allclose(relaxed.info["conventional_cell_A"], cell, atol=1e-9)
    assert record["box_relax"] == "x 0.0 y 0.0 z 0.0 couple xy"
    assert abs(record["pressure_GPa"]) < 0.01
    nearest = neighbor_list("d", relaxed, 4.5).min()
    assert 3.7 < nearest < 3.9
    assert record["energy_per_atom_eV"] < e_start
    # LAMMPS' energy agrees with ASE's shifted Lennard-Jones on the relaxed crystal
    check = relaxed.copy()
    check.calc = LennardJones(**lj)
    assert record["energy_per_atom_eV"] == pytest.approx(
        check.get_potential_energy() / len(check), abs=1e-6)
    np.testing.assert_array_equal(relaxed.get_masses(), [mass, mass])
    assert_json(record)


@pytest.mark.lammps
def test_strained_poscar_relaxes_its_full_cell_to_cubic(tmp_path):
    strained = bulk("Si", "diamond", a=A0_SW_SI, cubic=True)
    strained.set_cell(np.array(strained.cell) * [[1.02], [1.0], [1.0]], scale_atoms=True)
    write(tmp_path / "POSCAR", strained, format="vasp")
    crystal = read_crystal(tmp_path / "POSCAR")
    relaxed, record = relax_crystal(crystal, potential="sw_si")
    assert record["box_relax"] == "tri 0.0" and record["lattice"] == "file"
    cell = np.array(record["cell_A"])
    np.testing.assert_allclose(np.diag(cell), A0_SW_SI, atol=2e-3)
    assert np.abs(cell - np.diag(np.diag(cell))).max() < 1e-4
    assert max(abs(v) for v in record["stress_GPa"].values()) < 0.01
    np.testing.assert_allclose(relaxed.info["conventional_cell_A"], cell, atol=1e-9)
    assert_json(record)


@pytest.mark.lammps
def test_zincblende_sic_tersoff_relaxes_with_ideal_positions():
    relaxed, record = relax_crystal(bulk_crystal("zincblende", "SiC", a_A=4.40),
                                    potential="tersoff_sicge")
    assert 4.2 < record["a_A"] < 4.4
    assert abs(record["pressure_GPa"]) < 0.01
    assert relaxed.get_chemical_symbols() == ["Si", "C"]
    np.testing.assert_allclose(relaxed.get_scaled_positions(wrap=False),
                               [[0.0, 0.0, 0.0], [0.25, 0.25, 0.25]], atol=1e-5)
    assert record["specorder"] == ["Si", "C"]


@pytest.mark.lammps
def test_wurtzite_records_c_and_internal_parameter():
    # 2H-SiC: Tersoff's first-neighbour cut-off makes the ideal tetrahedral wurtzite
    relaxed, record = relax_crystal(bulk_crystal("wurtzite", "SiC", a_A=3.2, c_A=5.1),
                                    potential="tersoff_sicge")
    assert record["c_A"] / record["a_A"] == pytest.approx(np.sqrt(8 / 3), rel=1e-3)
    assert record["u"] == pytest.approx(3 / 8, abs=1e-3)
    assert abs(relaxed.cell.angles()[2] - 120.0) < 1e-6


def test_box_relax_style_by_lattice():
    assert box_relax_style("rocksalt") == "iso 0.0"
    assert box_relax_style("wurtzite") == "x 0.0 y 0.0 z 0.0 couple xy"
    assert box_relax_style("file") == "tri 0.0"


@pytest.mark.lammps
def test_element_the_potential_does_not_model_is_named():
    with pytest.raises(ValueError, match="Cu") as info:
        relax_crystal(bulk_crystal("fcc", "Cu", a_A=3.6), potential="sw_si")
    assert "sw_si" in str(info.value)


def test_non_periodic_crystal_is_refused():
    crystal = bulk_crystal("fcc", "Cu", a_A=3.6)
    crystal.pbc = [True, True, False]
    with pytest.raises(ValueError, match="periodic in 3-D"):
        relax_crystal(crystal, potential="eam_cu_mishin")


def test_hexagonal_cell_with_c_not_third_is_refused():
    crystal = bulk_crystal("hcp", "Mg", a_A=3.2, c_A=5.2)
    crystal.set_cell(np.array(crystal.cell)[[2, 0, 1]], scale_atoms=True)
    with pytest.raises(ValueError, match="perpendicular"):
        relax_crystal(crystal, potential="meam_jelinek2012")


@pytest.mark.lammps
def test_lammps_failure_is_wrapped():
    broken = Potential(name="broken", pair_style="no_such_style", pair_coeff="* *",
                       elements=("Cu",))
    with pytest.raises(RuntimeError, match="LAMMPS failed.*broken"):
        relax_crystal(bulk_crystal("fcc", "Cu", a_A=3.6), potential=broken)


@pytest.mark.lammps
def test_skewed_rotated_cell_keeps_its_basis_and_frame():
    """A strongly tilted basis (b' = b + 2a) of conventional Si, rotated: LAMMPS relaxes a
    reduced box, the result comes back in the input's basis and Cartesian frame."""
    crystal = bulk("Si", "diamond", a=5.35, cubic=True)
    basis = np.array([[1, 0, 0], [2, 1, 0], [0, 0, 1]])
    theta = np.radians(25.0)
    rotation = np.array([[np.cos(theta), -np.sin(theta), 0.0],
                         [np.sin(theta), np.cos(theta), 0.0], [0.0, 0.0, 1.0]])
    cell = basis @ np.array(crystal.cell) @ rotation.T
    crystal = Atoms(crystal.symbols, positions=crystal.positions @ rotation.T, cell=cell,
                    pbc=True)
    crystal.info["lattice"] = "file"
    relaxed, record = relax_crystal(crystal, potential="sw_si")
    assert record["converged"] and abs(record["pressure_GPa"]) < 0.01
    # the cell is the input's, scaled by a0 / 5.35 (a cubic crystal relaxes isotropically)
    np.testing.assert_allclose(np.array(relaxed.cell), cell * A0_SW_SI / 5.35, atol=2e-3)
    np.testing.assert_allclose(relaxed.get_scaled_positions(wrap=False),
                               crystal.get_scaled_positions(wrap=False), atol=1e-5)
