"""Interface builder with given lattice constants and separation (no LAMMPS needed)."""

from __future__ import annotations

import json

import ase.io
import numpy as np
import pytest
from ase.data import atomic_numbers

from structures import (
    ATOMS_PER_CELL,
    NamedPotential,
    build_bonded_interface,
    check_interface,
    conventional_cell,
    default_min_distance_A,
    rotated_cell,
    write_info_json,
    write_lammps_data,
)

SI = {"element": "Si", "lattice": "diamond"}
CU = {"element": "Cu", "lattice": "fcc"}
AR = {"element": "Ar", "lattice": "fcc", "mass_amu": 39.948}
KR = {"element": "Kr", "lattice": "fcc", "mass_amu": 2 * 39.948}


@pytest.fixture(scope="module")
def si_cu():
    """Si/Cu with the experimental lattice constants and a 2.35 Å gap, conventional cells."""
    return build_bonded_interface(side_a=SI, side_b=CU, model=NamedPotential("meam_jelinek2012"),
                                  length_a_A=22.0, length_b_A=18.0, max_lateral_A=20.0,
                                  max_strain=0.01, lattice_constants={"Si": 5.431, "Cu": 3.615},
                                  separation_A=2.35, allow_rotated=False)


def test_counts_strain_and_labels(si_cu):
    atoms, info = si_cu
    assert (info["n_lateral_a"], info["n_lateral_b"]) == (2, 3)
    assert (info["n_z_a"], info["n_z_b"]) == (4, 5)  # round(22/5.431), round(18/3.615)
    assert info["n_atoms_a"] == 8 * 2 * 2 * 4 and info["n_atoms_b"] == 4 * 3 * 3 * 5
    assert info["n_atoms"] == len(atoms) == info["n_atoms_a"] + info["n_atoms_b"]
    assert np.bincount(atoms.arrays["side"]).tolist() == [info["n_atoms_a"], info["n_atoms_b"]]
    assert set(atoms.symbols[atoms.arrays["side"] == 1]) == {"Cu"}
    assert info["strain_a"] == pytest.approx(info["lateral_A"] / (2 * 5.431) - 1, abs=1e-12)
    assert info["strain_b"] == pytest.approx(info["lateral_A"] / (3 * 3.615) - 1, abs=1e-12)
    assert info["area_A2"] == pytest.approx(info["lateral_A"] ** 2)
    assert info["specorder"] == ["Si", "Cu"] and info["potential"] == "meam_jelinek2012"
    assert tuple(atoms.pbc) == (True, True, False)
    assert np.allclose(atoms.cell, np.diag(atoms.cell.lengths()))


def test_geometry_along_z(si_cu):
    atoms, info = si_cu
    z, on_b = atoms.positions[:, 2], atoms.arrays["side"] == 1
    top_a, bottom_b = z[~on_b].max(), z[on_b].min()
    assert z.min() == pytest.approx(0.0, abs=1e-12)
    assert top_a == pytest.approx(4 * 5.431 - 5.431 / 4)
    assert bottom_b - top_a == pytest.approx(2.35)
    assert top_a < info["z_interface_A"] < bottom_b
    assert info["z_interface_A"] == pytest.approx(0.5 * (top_a + bottom_b))
    assert not np.any((z > top_a + 1e-9) & (z < bottom_b - 1e-9))  # no atom in the gap
    assert atoms.cell[2, 2] == pytest.approx(z.max() + info["z_margin_A"])
    assert info["z_range_a_A"] == pytest.approx([0.0, top_a])


def test_min_distance_above_threshold(si_cu):
    _, info = si_cu
    assert info["min_distance_A"] > default_min_distance_A(info)
    assert info["min_distance_A"] == pytest.approx(min(5.431 * np.sqrt(3) / 4, 2.35), abs=0.02)


def test_info_is_json_serialisable(si_cu, tmp_path):
    _, info = si_cu
    path = write_info_json(tmp_path / "info.json", info)
    assert json.loads(path.read_text()) == info


@pytest.mark.parametrize("rotated", [False, True])
@pytest.mark.parametrize("lattice", ["fcc", "diamond"])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_n_plus_n_cells_equal_a_2n_cell_crystal(lattice, n, rotated):
    a = 5.3
    atoms, info = build_bonded_interface(
        side_a={"element": "Ar", "lattice": lattice}, side_b={"element": "Kr", "lattice": lattice},
        model=NamedPotential("lj_argon"), length_a_A=n * a, length_b_A=n * a,
        max_lateral_A=2 * a + 0.1, max_strain=0.0, lattice_constants={"Ar": a, "Kr": a},
        separation_A=a * (0.25 if lattice == "diamond" else 0.5), allow_rotated=rotated)
    assert info["rotated_45"] is rotated  # the rotated 1 x 1 cell (a/√2) is the smallest
    unit = rotated_cell if rotated else conventional_cell
    crystal = unit("Ar", lattice, lattice_constant_A=a).repeat((1, 1, 2 * n))
    per_cell = ATOMS_PER_CELL[lattice] // (2 if rotated else 1)
    assert len(atoms) == len(crystal) == 2 * n * per_cell
    assert np.allclose(atoms.cell.lengths()[:2], crystal.cell.lengths()[:2], atol=1e-12)
    mine = atoms.positions[np.lexsort(atoms.positions.T)]
    ref = crystal.positions[np.lexsort(crystal.positions.T)]
    assert np.allclose(mine, ref, atol=1e-9)


def test_lammps_data_round_trip(tmp_path):
    atoms, info = build_bonded_interface(side_a=AR, side_b=KR, model=NamedPotential("lj_argon"),
                                         length_a_A=11.0, length_b_A=11.0, max_lateral_A=6.0,
                                         max_strain=0.0,
                                         lattice_constants={"Ar": 5.2764, "Kr": 5.2764},
                                         separation_A=2.6382)
    path = write_lammps_data(tmp_path / "ab.data", atoms, info["specorder"])
    back = ase.io.read(path, format="lammps-data", units="metal", atom_style="atomic",
                       Z_of_type={i + 1: atomic_numbers[s] for i, s in enumerate(["Ar", "Kr"])})
    assert np.allclose(back.positions, atoms.positions, atol=1e-10)
    assert np.allclose(back.cell, atoms.cell, atol=1e-10)
    expected_types = np.where(atoms.arrays["side"] == 0, 1, 2)  # type i+1 = specorder[i]
    assert np.array_equal(back.arrays["type"], expected_types)
    assert np.allclose(back.get_masses(), np.where(expected_types == 1, 39.948, 79.896))


def test_specorder_must_cover_the_elements(tmp_path):
    atoms = conventional_cell("Cu", "fcc", lattice_constant_A=3.615)
    with pytest.raises(ValueError, match="specorder"):
        write_lammps_data(tmp_path / "cu.data", atoms, ["Si"])


def test_same_element_on_both_sides_is_refused():
    with pytest.raises(ValueError, match="distinct elements"):
        build_bonded_interface(side_a=SI, side_b=SI, model=NamedPotential("sw_si"), length_a_A=11.0,
                               length_b_A=11.0, max_lateral_A=6.0, max_strain=0.0,
                               lattice_constants={"Si": 5.431}, separation_A=1.36)


def test_mass_override_is_kept():
    atoms = conventional_cell("Kr", "fcc", lattice_constant_A=5.3, mass_amu=79.896)
    assert np.allclose(atoms.get_masses(), 79.896)


# -- 45°-rotated lateral cells --------------------------------------------------------

@pytest.fixture(scope="module")
def si_cu_rotated():
    """Si/Cu on the rotated 4 x 6 cell (15.35 Å with these lattice constants)."""
    return build_bonded_interface(side_a=SI, side_b=CU, model=NamedPotential("meam_jelinek2012"),
                                  length_a_A=22.0, length_b_A=18.0, max_lateral_A=25.0,
                                  min_lateral_A=15.0, max_strain=0.01,
                                  lattice_constants={"Si": 5.431, "Cu": 3.615},
                                  separation_A=2.35)


def test_rotated_cell_counts_strain_and_record(si_cu_rotated):
    atoms, info = si_cu_rotated
    assert info["rotated_45"] is True and info["lateral_cell"] == "rotated_45"
    assert info["x_direction"] == [1, 1, 0] and info["y_direction"] == [-1, 1, 0]
    assert (info["n_lateral_a"], info["n_lateral_b"]) == (4, 6)
    assert (info["n_z_a"], info["n_z_b"]) == (4, 5)
    # 4 Si atoms per rotated cell (half of 8), 2 Cu atoms (half of 4)
    assert info["n_atoms_a"] == 4 * 4 * 4 * 4 and info["n_atoms_b"] == 2 * 6 * 6 * 5
    assert np.bincount(atoms.arrays["side"]).tolist() == [info["n_atoms_a"], info["n_atoms_b"]]
    p_si, p_cu = 5.431 / np.sqrt(2), 3.615 / np.sqrt(2)
    assert info["lateral_A"] == pytest.approx(0.5 * (4 * p_si + 6 * p_cu), abs=1e-12)
    assert info["strain_a"] == pytest.approx(info["lateral_A"] / (4 * p_si) - 1, abs=1e-12)
    assert info["strain_b"] == pytest.approx(info["lateral_A"] / (6 * p_cu) - 1, abs=1e-12)
    assert info["area_A2"] == pytest.approx(235.6, abs=0.1)
    assert np.allclose(atoms.cell, np.diag(atoms.cell.lengths()))
    check_interface(atoms, info)  # counts, distances, lateral periodicity
    assert info["min_distance_A"] == pytest.approx(2.35, abs=0.01)
    assert info["warnings"] == []  # four strained Si surface periods: not flagged


def test_rotated_cell_continues_both_crystals_across_the_lateral_boundary(si_cu_rotated):
    """Bulk coordination (Si 4 at a√3/4, Cu 12 at a/√2) for every atom away from the
    interface and the free ends, periodic images included."""
    from ase.neighborlist import neighbor_list

    atoms, info = si_cu_rotated
    z, side = atoms.positions[:, 2], atoms.arrays["side"]
    i = neighbor_list("i", atoms, 2.8)  # between the Si (2.35) and Cu (2.56) shells, < Si 2nd
    counts = np.bincount(i, minlength=len(atoms))
    inner_si = (side == 0) & (z > 2.0) & (z < info["z_range_a_A"][1] - 3.0)
    inner_cu = (side == 1) & (z > info["z_range_b_A"][0] + 3.0) & (z < z.max() - 2.0)
    assert inner_si.sum() > 100 and inner_cu.sum() > 100
    assert set(counts[inner_si]) == {4} and set(counts[inner_cu]) == {12}


def test_rotated_cell_is_the_conventional_crystal_turned_by_45_degrees():
    """A 2 x 2 x 1 rotated diamond cell holds the same sites as the conventional crystal
    rotated by 45° about z (compared on a common periodic grid)."""
    a = 5.431
    rotated = rotated_cell("Si", "diamond", lattice_constant_A=a)
    assert len(rotated) == 4 and np.allclose(rotated.cell.lengths(), [a / np.sqrt(2)] * 2 + [a])
    big = conventional_cell("Si", "diamond", lattice_constant_A=a).repeat((4, 4, 1))
    x, y, z = big.positions.T
    turned = np.column_stack([(x + y) / np.sqrt(2), (y - x) / np.sqrt(2), z])
    frac = np.mod(turned / rotated.cell.lengths() + 1e-9, 1.0)
    mine = np.mod(rotated.get_scaled_positions() + 1e-9, 1.0)
    as_set = {tuple(np.round(f, 6)) for f in frac}
    assert as_set == {tuple(np.round(f, 6)) for f in mine}


def test_bcc_has_no_rotated_cell():
    with pytest.raises(ValueError, match="rotated"):
        rotated_cell("Fe", "bcc", lattice_constant_A=2.87)


def test_small_cross_section_is_flagged_in_the_record(si_cu):
    _, info = si_cu  # 2 x 2 conventional Si cells, 10.9 Å
    (warning,) = info["warnings"]
    assert "small cross-section" in warning and "10.85 A" in warning
