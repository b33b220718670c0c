"""Side membership of LAMMPS types (structures.sides)."""

import numpy as np
import pytest

from structures.planes import side_planes
from structures.sides import interface_types, on_side, side_group_command, side_types


def test_types_of_each_side_follow_its_species():
    specorder, sides = interface_types(["Si"], ["Si", "O"])
    assert specorder == ["Si", "Si", "O"] and sides == {"A": [1], "B": [2, 3]}
    specorder, sides = interface_types(["Ga", "N"], ["Al", "N"])
    assert specorder == ["Ga", "N", "Al", "N"] and sides == {"A": [1, 2], "B": [3, 4]}


def test_repeated_or_empty_species_are_refused():
    with pytest.raises(ValueError, match="side A"):
        interface_types(["Si", "Si"], ["O"])
    with pytest.raises(ValueError, match="side B"):
        interface_types(["Si"], [])


def test_records_without_side_types_are_two_type_interfaces():
    assert side_types({}) == {"A": (1,), "B": (2,)}
    info = {"side_types": {"A": [1], "B": [2, 3]}}
    assert side_types(info) == {"A": (1,), "B": (2, 3)}
    types = np.array([1, 2, 3, 1, 3])
    assert on_side(types, info, "B").tolist() == [False, True, True, False, True]
    assert on_side(types, {}, "B").tolist() == [False, True, False, False, False]
    assert side_group_command("side_b", info, "B") == "group side_b type 2 3"


def test_planes_of_a_two_species_side():
    """Side B of types 2 and 3 (alternating species in one set of planes) is one side."""
    z_a = np.repeat(np.arange(4) * 1.5, 4)
    z_b = np.repeat(6.5 + np.arange(4) * 2.0, 4)
    types_b = np.tile([2, 3], z_b.size // 2)
    z = np.concatenate([z_a, z_b])
    types = np.concatenate([np.ones(z_a.size, int), types_b])
    planes = side_planes(z, types, {"A": 1.5, "B": 2.0}, {"A": (1,), "B": (2, 3)})
    assert len(planes["A"].z_A) == 4 and len(planes["B"].z_A) == 4
    assert planes["B"].counts.tolist() == [4, 4, 4, 4]
