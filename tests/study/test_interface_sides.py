"""Which builder a config side selects, its species, LAMMPS types and mismatch models
(study.interface_sides): pure, no LAMMPS."""

import pytest

from study.interface_sides import (
    amorphous_protocol,
    crystal_spec,
    mismatch_not_applicable,
    side_species,
    system_specorder,
    uses_oriented_builder,
)

SI = {"element": "Si", "lattice": "diamond", "mass_amu": None}
CU = {"element": "Cu", "lattice": "fcc", "mass_amu": None}


def _system(a, b):
    return {"type": "interface", "side_a": a, "side_b": b}


def test_the_default_sides_stay_with_the_cubic_builder():
    system = _system(SI, CU)
    assert not uses_oriented_builder(system)
    assert system_specorder(system) == ["Si", "Cu"]
    assert mismatch_not_applicable(system) is None


@pytest.mark.parametrize("change", [{"plane": [1, 1, 1]}, {"lattice": "hcp", "element": "Mg"},
                                    {"a_A": 5.4}, {"mass_amu": {"Si": 28.0}}])
def test_any_general_field_selects_the_oriented_builder(change):
    assert uses_oriented_builder(_system(SI | change, CU))


def test_a_grain_boundary_is_neither():
    gb = {"type": "grain_boundary", "side_a": SI, "side_b": SI}
    assert not uses_oriented_builder(gb)
    assert "grain boundary" in mismatch_not_applicable(gb)


def test_types_follow_the_species_of_each_side():
    sic = {"lattice": "wurtzite", "species": "SiC", "a_A": 3.08, "c_A": 5.04}
    system = _system(SI | {"plane": [1, 1, 1]}, sic)
    assert side_species(sic) == ["Si", "C"]
    assert system_specorder(system) == ["Si", "Si", "C"]
    assert "wurtzite" in mismatch_not_applicable(system)
    glass = {"amorphous": {"composition": {"Si": 1, "O": 2}}}
    assert system_specorder(_system(SI | {"plane": [0, 0, 1]}, glass)) == ["Si", "Si", "O"]
    assert "amorphous" in mismatch_not_applicable(_system(SI, glass))


def test_single_element_cubic_sides_along_other_planes_keep_the_mismatch_models():
    assert mismatch_not_applicable(_system(SI | {"plane": [1, 1, 1]},
                                           {"element": "Ge", "lattice": "diamond",
                                            "plane": [1, 1, 1]})) is None


def test_starting_lattice_constants_come_from_the_reference_state():
    assert crystal_spec({"lattice": "fcc", "element": "Cu"})["a_A"] == pytest.approx(3.61)
    hcp = crystal_spec({"lattice": "hcp", "element": "Ar"})  # fcc Ar's bond length
    assert hcp["a_A"] == pytest.approx(5.26 / 2 ** 0.5, rel=1e-3)
    assert hcp["c_A"] / hcp["a_A"] == pytest.approx((8 / 3) ** 0.5)
    with pytest.raises(ValueError, match="a_A: give a starting lattice constant"):
        crystal_spec({"lattice": "rocksalt", "species": "MgO"})
    assert crystal_spec({"lattice": "fcc", "element": "Ar", "mass_amu": 80.0})["mass_amu"] == {
        "Ar": 80.0}


def test_the_silica_protocol_has_literature_defaults_and_others_must_be_given():
    silica = amorphous_protocol({"amorphous": {"composition": {"Si": 1, "O": 2},
                                               "melt_ps": 5.0}})
    assert silica["formula"] == "SiO2" and silica["melt_K"] == 5000.0
    assert silica["melt_ps"] == 5.0 and silica["density_g_cm3"] == 2.2
    assert silica["bond_K"] == 1500.0 and silica["bond_ps"] == 20.0
    with pytest.raises(ValueError, match=r"amorphous.density_g_cm3: no literature default"):
        amorphous_protocol({"amorphous": {"composition": {"Ge": 1, "O": 2}}})
