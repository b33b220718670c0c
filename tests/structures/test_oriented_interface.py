"""General (h k l) interfaces of any two crystals (structures.oriented_interface)."""

import math

import numpy as np
import pytest
from ase.neighborlist import neighbor_list

from structures.energy_model import NamedPotential
from structures.lattice_match import LatticeMatchError
from structures.lattices import bulk_crystal
from structures.oriented_interface import build_oriented_interface

LJ = NamedPotential("lj_argon")
A_FCC = 5.2644  # LJ fcc, sigma = 3.405 A (Ar and Kr labels share it)
A_HCP, C_HCP = A_FCC / math.sqrt(2), A_FCC / math.sqrt(2) * math.sqrt(8 / 3)


def _hcp_on_fcc(**options):
    hcp = bulk_crystal("hcp", "Ar", a_A=A_HCP, c_A=C_HCP)
    fcc = bulk_crystal("fcc", "Kr", a_A=A_FCC)
    settings = {"plane_a": (0, 0, 0, 1), "plane_b": (1, 1, 1), "model": LJ,
                "length_a_A": 20, "length_b_A": 20, "max_area_A2": 200, "max_strain": 0.02,
                "min_lateral_A": 15, "separation_A": A_FCC / math.sqrt(3)}
    return build_oriented_interface(hcp, fcc, **(settings | options))


def test_hexagonal_on_cubic_is_an_orthorhombic_stack_of_whole_planes():
    atoms, info = _hcp_on_fcc()
    cell = np.array(atoms.cell)
    assert np.allclose(cell - np.diag(np.diag(cell)), 0) and list(atoms.pbc) == [1, 1, 0]
    assert min(info["lateral_A"]) >= 15 and info["area_A2"] == pytest.approx(
        cell[0, 0] * cell[1, 1])
    assert info["strain_a"] < 1e-9 and info["strain_b"] < 1e-9  # same close-packed net
    on_b = atoms.arrays["side"] == 1
    assert atoms.positions[~on_b, 2].max() < atoms.positions[on_b, 2].min()
    assert info["specorder"] == ["Ar", "Kr"] and info["side_types"] == {"A": [1], "B": [2]}
    assert set(atoms.arrays["lammps_type"][on_b]) == {2}
    # close-packed planes a/sqrt(3) apart on both sides; hcp repeats every 2, fcc every 3
    assert info["plane_spacing_a_A"] == pytest.approx(C_HCP / 2, abs=1e-6)
    assert info["plane_spacing_b_A"] == pytest.approx(A_FCC / math.sqrt(3), abs=1e-6)
    assert info["atomic_planes_per_period_a"] == 2 and info["atomic_planes_per_period_b"] == 3
    assert info["lattice_planes_per_period_a"] == 1  # one Bravais plane: hcp has a basis
    assert info["directions_a"][2] == [0, 0, 1] and info["directions_b"][2] == [1, 1, 1]
    per_cell = {0: 2, 1: 3}  # atoms per close-packed rectangle (2 sites) per period
    for label, suffix in per_cell.items():
        n = info[f"n_atoms_{'ab'[label]}"]
        det = abs(round(np.linalg.det(np.array(info["lattice_match"][f"supercell_{'ab'[label]}"]))))
        repeats = np.prod(info["lateral_repeats"])
        assert n == det * repeats * suffix * info[f"n_periods_{'ab'[label]}"]


def test_every_inner_atom_has_twelve_neighbours_across_the_periodic_seams():
    """Periodic continuity: away from the free ends and the interface, every atom of
    both close-packed sides sees the 12 neighbours of bulk fcc/hcp at the bulk distance."""
    atoms, info = _hcp_on_fcc()
    i, d = neighbor_list("id", atoms, 1.1 * A_FCC / math.sqrt(2))
    counts = np.bincount(i, minlength=len(atoms))
    z = atoms.positions[:, 2]
    inner = ((z > 3.5) & (z < info["z_interface_A"] - 3.5)) | (
        (z > info["z_interface_A"] + 3.5) & (z < z.max() - 3.5))
    assert inner.sum() > 50 and set(counts[inner]) == {12}
    assert d.min() == pytest.approx(A_FCC / math.sqrt(2), rel=1e-6)


def test_two_species_side_gets_a_type_per_species_and_names_its_termination():
    """Zincblende (001) planes hold one species each: the record names the species of the
    facing plane."""
    sic = bulk_crystal("zincblende", "SiC", a_A=4.32)
    si = bulk_crystal("diamond", "Si", a_A=5.43)
    atoms, info = build_oriented_interface(
        sic, si, plane_a=(0, 0, 1), plane_b=(0, 0, 1), model=NamedPotential("tersoff_sicge"),
        length_a_A=12, length_b_A=12, max_area_A2=150, max_strain=0.12, separation_A=1.2)
    assert info["specorder"] == ["Si", "C", "Si"]
    assert info["side_types"] == {"A": [1, 2], "B": [3]}
    symbols = np.array(atoms.get_chemical_symbols())
    types = atoms.arrays["lammps_type"]
    assert set(types[symbols == "C"]) == {2} and set(types[symbols == "Si"]) == {1, 3}
    assert len(info["termination_a"]) == 1 and info["termination_b"] == ["Si"]
    assert info["plane_spacing_a_A"] == pytest.approx(4.32 / 4, abs=1e-6)
    assert max(abs(np.linalg.eigvalsh(np.array(info["strain_tensor_a"])))) == pytest.approx(
        info["strain_a"])


def test_bilayers_have_no_uniform_plane_spacing():
    si = bulk_crystal("diamond", "Si", a_A=5.43)
    ge = bulk_crystal("diamond", "Ge", a_A=5.66)
    atoms, info = build_oriented_interface(
        si, ge, plane_a=(1, 1, 1), plane_b=(1, 1, 1), model=NamedPotential("tersoff_sicge"),
        length_a_A=15, length_b_A=15, max_area_A2=100, max_strain=0.03, separation_A=2.35)
    assert info["plane_spacing_a_A"] is None and info["plane_spacing_b_A"] is None
    # the known 1 x 1 match: the 4 % misfit shared, about 2 % each
    assert info["strain_a"] == pytest.approx(0.0207, abs=1e-3)
    assert info["strain_b"] == pytest.approx(0.0207, abs=1e-3)
    # a slab starts with a whole bilayer: the facing gap is the bond-length one given
    on_b = atoms.arrays["side"] == 1
    assert atoms.positions[on_b, 2].min() - atoms.positions[~on_b, 2].max() == pytest.approx(2.35)


def test_no_rectangular_match_names_the_budget():
    with pytest.raises(LatticeMatchError, match="max_area_A2.*max_strain"):
        _hcp_on_fcc(max_area_A2=10.0)


def test_a_structure_file_cell_is_aligned_by_the_rotation_the_error_suggests(tmp_path):
    """A file's conventional cubic cell and a primitive cell orient their (001) nets 45°
    apart: the error names the rotation, and with it the sides are cube on cube."""
    from ase.build import bulk
    from ase.io import write

    from structures.lattices import read_crystal

    write(tmp_path / "POSCAR", bulk("Si", "diamond", a=5.43, cubic=True), format="vasp")
    si = read_crystal(tmp_path / "POSCAR")
    ge = bulk_crystal("diamond", "Ge", a_A=5.66)
    settings = {"plane_a": (0, 0, 1), "plane_b": (0, 0, 1), "model": NamedPotential("tersoff_sicge"),
                "length_a_A": 12, "length_b_A": 12, "max_area_A2": 150, "max_strain": 0.03,
                "min_lateral_A": 10, "separation_A": 1.4}
    with pytest.raises(LatticeMatchError, match=r"rotation_deg = 45, 135"):
        build_oriented_interface(si, ge, **settings)
    _, info = build_oriented_interface(si, ge, rotation_b_deg=45, **settings)
    assert info["lattice_a"] == "file" and info["directions_a"] == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    in_plane = np.abs(np.array(info["directions_b"][:2]))
    assert sorted(in_plane.ravel().tolist()) == [0, 0, 0, 0, 1, 1]  # <100> along x and y
    assert info["directions_b"][2] == [0, 0, 1]
    assert info["strain_a"] == pytest.approx(0.0212, abs=1e-3)
