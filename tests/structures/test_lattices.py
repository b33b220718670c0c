"""Bulk crystals by lattice name and from structure files: counts, densities, nearest
distances, and the errors a config author sees."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase.io import write

from structures.lattices import (
    LATTICE_NAMES,
    bulk_crystal,
    crystal_from_spec,
    read_crystal,
    species_list,
)

A, C = 4.0, 6.5  # Å, generic lattice constants

# lattice, species, kwargs, atoms (primitive), atoms per volume (Å^-3), nearest distance (Å)
_U = 0.25 + A * A / (3 * C * C)  # ideal-tetrahedron wurtzite u (ASE's default)
CASES = [
    ("fcc", "Cu", {}, 1, 4 / A**3, A / math.sqrt(2)),
    ("bcc", "Fe", {}, 1, 2 / A**3, A * math.sqrt(3) / 2),
    ("diamond", "Si", {}, 2, 8 / A**3, A * math.sqrt(3) / 4),
    ("zincblende", "GaAs", {}, 2, 8 / A**3, A * math.sqrt(3) / 4),
    ("rocksalt", ["Na", "Cl"], {}, 2, 8 / A**3, A / 2),
    ("hcp", "Mg", {"c_A": C}, 2, 2 / (math.sqrt(3) / 2 * A * A * C),
     min(A, math.sqrt(A * A / 3 + C * C / 4))),
    ("wurtzite", "GaN", {"c_A": C}, 4, 4 / (math.sqrt(3) / 2 * A * A * C),
     min(_U * C, math.sqrt(A * A / 3 + (0.5 - _U) ** 2 * C * C))),
]


def min_distance(atoms) -> float:
    """Shortest interatomic distance (Å) with periodic images (a 3 x 3 x 3 supercell)."""
    big = atoms.repeat((3, 3, 3))
    d = big.get_all_distances(mic=True)
    return float(d[d > 1e-8].min())


@pytest.mark.parametrize("lattice, species, kw, n, density, d_min", CASES,
                         ids=[c[0] for c in CASES])
def test_named_lattices(lattice, species, kw, n, density, d_min):
    atoms = bulk_crystal(lattice, species, a_A=A, **kw)
    assert len(atoms) == n and atoms.pbc.all()
    assert len(atoms) / atoms.get_volume() == pytest.approx(density, rel=1e-12)
    assert min_distance(atoms) == pytest.approx(d_min, rel=1e-9)
    assert sorted(set(atoms.get_chemical_symbols())) == sorted(species_list(species, lattice))
    assert atoms.info["lattice"] == lattice
    assert np.shape(atoms.info["conventional_cell_A"]) == (3, 3)


@pytest.mark.parametrize("lattice, n", [("fcc", 4), ("bcc", 2), ("diamond", 8),
                                        ("zincblende", 8), ("rocksalt", 8)])
def test_cubic_cells(lattice, n):
    species = "GaAs" if lattice in ("zincblende", "rocksalt") else "Cu"
    atoms = bulk_crystal(lattice, species, a_A=A, cubic=True)
    assert len(atoms) == n
    np.testing.assert_allclose(atoms.cell[:], A * np.eye(3), atol=1e-12)
    np.testing.assert_allclose(atoms.info["conventional_cell_A"], A * np.eye(3))


def test_wurtzite_u_and_hexagonal_cell():
    atoms = bulk_crystal("wurtzite", "AlN", a_A=3.112, c_A=4.982, u=0.382)
    assert atoms.get_chemical_symbols() == ["Al", "N", "Al", "N"]
    d = atoms.repeat((3, 3, 3)).get_distances(0, range(4 * 27), mic=True)
    bonds = np.sort(d[d > 1e-8])[:4]  # four N around Al: one along c (u c), three inclined
    inclined = math.sqrt(3.112**2 / 3 + (0.5 - 0.382) ** 2 * 4.982**2)
    np.testing.assert_allclose(np.sort(bonds), np.sort([0.382 * 4.982] + [inclined] * 3),
                               rtol=1e-9)
    np.testing.assert_allclose(atoms.info["conventional_cell_A"],
                               [[3.112, 0, 0], [-1.556, 3.112 * math.sqrt(3) / 2, 0],
                                [0, 0, 4.982]], atol=1e-12)


def test_masses_override():
    atoms = bulk_crystal("rocksalt", "NaCl", a_A=5.64, mass_amu={"Na": 1.0})
    assert atoms.get_masses().tolist() == pytest.approx([1.0, 35.45], abs=0.01)


def test_unknown_lattice_names_field_and_choices():
    with pytest.raises(ValueError, match="field 'lattice'") as err:
        bulk_crystal("perovskite", "Sr", a_A=A)
    assert all(name in str(err.value) for name in LATTICE_NAMES)
    with pytest.raises(ValueError, match="field 'lattice'"):
        crystal_from_spec({"lattice": "sc", "species": "Po", "a_A": 3.3})


@pytest.mark.parametrize("lattice, species", [("fcc", "GaN"), ("zincblende", "Si"),
                                              ("wurtzite", ["Ga", "N", "O"])])
def test_wrong_number_of_species(lattice, species):
    with pytest.raises(ValueError, match=f"'{lattice}' takes .* species"):
        bulk_crystal(lattice, species, a_A=A, c_A=C if lattice == "wurtzite" else None)


def test_parameter_errors():
    with pytest.raises(ValueError, match="needs c_A"):
        bulk_crystal("hcp", "Mg", a_A=A)
    with pytest.raises(ValueError, match="c_A is only used"):
        bulk_crystal("fcc", "Cu", a_A=A, c_A=C)
    with pytest.raises(ValueError, match="a_A must be positive"):
        bulk_crystal("fcc", "Cu", a_A=-1.0)
    with pytest.raises(ValueError, match="field 'u'"):
        bulk_crystal("fcc", "Cu", a_A=A, u=0.3)
    with pytest.raises(ValueError, match="not chemical symbols"):
        bulk_crystal("fcc", ["Xx"], a_A=A)


@pytest.mark.parametrize("filename, fmt", [("cell.cif", None), ("POSCAR", "vasp"),
                                           ("cell.extxyz", None)])
def test_structure_files_round_trip(tmp_path, filename, fmt):
    original = bulk_crystal("wurtzite", "GaN", a_A=3.189, c_A=5.185)
    path = tmp_path / filename
    write(path, original, format=fmt)
    atoms = read_crystal(path, format=fmt)
    assert atoms.get_chemical_formula() == original.get_chemical_formula()
    assert atoms.get_volume() == pytest.approx(original.get_volume(), rel=1e-6)
    assert min_distance(atoms) == pytest.approx(min_distance(original), rel=1e-6)
    assert atoms.info["lattice"] == "file"
    assert crystal_from_spec({"file": str(path), "format": fmt}).get_volume() == \
        pytest.approx(original.get_volume(), rel=1e-6)


def test_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="field 'file'"):
        read_crystal(tmp_path / "missing.cif")
    garbage = tmp_path / "bad.cif"
    garbage.write_text("this is not a CIF file\n_cell_length_a oops\n")
    with pytest.raises(ValueError, match="could not be read"):
        read_crystal(garbage)
    molecule = tmp_path / "molecule.xyz"
    molecule.write_text("2\n\nH 0 0 0\nH 0 0 0.74\n")
    with pytest.raises(ValueError, match="no 3-D periodic cell"):
        read_crystal(molecule)


def test_spec_mapping():
    atoms = crystal_from_spec({"lattice": "diamond", "element": "Si", "a_A": 5.431})
    assert len(atoms) == 2
    with pytest.raises(ValueError, match="unknown crystal fields"):
        crystal_from_spec({"lattice": "fcc", "species": "Cu", "a": 3.6})
    with pytest.raises(ValueError, match="either 'lattice'"):
        crystal_from_spec({"species": "Cu", "a_A": 3.6})
