"""The sanity checks catch planted defects in a built interface."""

from __future__ import annotations

import pytest

from structures import (
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
                                  potential="tersoff_sicge", length_a_A=11.0, length_b_A=11.0,
                                  max_lateral_A=12.0, max_strain=0.05,
                                  lattice_constants={"Si": 5.431, "Ge": 5.658},
                                  separation_A=1.39)


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
