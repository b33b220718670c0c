"""The sanity checks catch planted defects in a built interface."""

from __future__ import annotations

import pytest

from structures import (
    NamedPotential,
    build_bonded_interface,
    check_atom_counts,
    check_distinct_elements,
    check_interface,
    check_lateral_lattice,
    check_min_distance,
)


@pytest.fixture()
def built():
    return build_bonded_interface(side_a={"element": "Si", "lattice": "diamond"},
                                  side_b={"element": "Ge", "lattice": "diamond"},
                                  model=NamedPotential("tersoff_sicge"), length_a_A=11.0,
                                  length_b_A=11.0,
                                  max_lateral_A=12.0, max_strain=0.05,
                                  lattice_constants={"Si": 5.431, "Ge": 5.658},
                                  separation_A=1.39, allow_rotated=False)


def test_clean_interface_passes(built):
    check_interface(*built)


def test_planted_close_contact(built):
    atoms, info = built
    atoms.positions[1] = atoms.positions[0] + [0.3, 0.0, 0.0]
    with pytest.raises(ValueError, match="close contact"):
        check_interface(atoms, info)


def test_close_contact_across_the_periodic_boundary(built):
    atoms, _ = built
    atoms.positions[0] = [0.0, 0.0, 0.0]
    atoms.positions[1] = [atoms.cell[0, 0] - 0.2, 0.0, 0.0]  # 0.2 Å apart through x
    with pytest.raises(ValueError, match=r"close contact.* 0\.200 Å apart"):
        check_min_distance(atoms, threshold_A=1.0)


def test_wrong_count(built):
    atoms, info = built
    del atoms[5]
    with pytest.raises(ValueError, match=r"side A has 15 atoms.*expected 16"):
        check_atom_counts(atoms, info)


def test_foreign_element_on_a_side(built):
    atoms, info = built
    atoms.symbols[0] = "Ge"
    with pytest.raises(ValueError, match="side A holds"):
        check_distinct_elements(atoms, info)


def test_off_site_atom_and_wrong_lateral_cell(built):
    atoms, info = built
    moved = atoms.copy()
    moved.positions[3, 0] += 0.1
    with pytest.raises(ValueError, match="off its in-plane lattice site"):
        check_lateral_lattice(moved, info)
    with pytest.raises(ValueError, match="n_lateral_a"):
        check_lateral_lattice(atoms, {**info, "n_lateral_a": 2})


@pytest.fixture()
def built_rotated():
    """Si/Ge on the 45°-rotated 4 x 4 cell (period a/√2, 15.7 Å)."""
    return build_bonded_interface(side_a={"element": "Si", "lattice": "diamond"},
                                  side_b={"element": "Ge", "lattice": "diamond"},
                                  model=NamedPotential("tersoff_sicge"), length_a_A=11.0,
                                  length_b_A=11.0,
                                  max_lateral_A=16.0, min_lateral_A=15.0, max_strain=0.05,
                                  lattice_constants={"Si": 5.431, "Ge": 5.658},
                                  separation_A=1.39)


def test_rotated_cell_passes_and_planted_defects_are_caught(built_rotated):
    atoms, info = built_rotated
    assert info["rotated_45"] and (info["n_lateral_a"], info["n_lateral_b"]) == (4, 4)
    check_interface(atoms, info)
    with pytest.raises(ValueError, match=r"side A has 127 atoms.*expected 128 = 4 per rotated"):
        check_atom_counts(atoms[[i for i in range(len(atoms)) if i != 5]], info)
    moved = atoms.copy()
    moved.positions[3, 1] += 0.1
    with pytest.raises(ValueError, match="off its in-plane lattice site"):
        check_lateral_lattice(moved, info)
    with pytest.raises(ValueError, match="n_lateral_a"):
        check_lateral_lattice(atoms, {**info, "n_lateral_a": 5})
    # read as a conventional cell, the counts and the period are wrong
    with pytest.raises(ValueError, match="expected 256"):
        check_atom_counts(atoms, {**info, "rotated_45": False})
    with pytest.raises(ValueError, match="strained period"):
        check_lateral_lattice(atoms, {**info, "rotated_45": False})
