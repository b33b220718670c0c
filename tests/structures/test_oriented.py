"""Oriented bulk cells: the plane normal along z, in-plane vectors in xy, exact 3-D
periodicity (every atom keeps its bulk neighbour shells), orthogonal periods, rotation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase.neighborlist import neighbor_list

from structures.crystals import rotated_cell
from structures.lattices import bulk_crystal
from structures.oriented import miller_indices, oriented_cell, orthogonal_layers

A_SI, A_CU = 5.431, 3.615
CRYSTALS = {
    "fcc": lambda: bulk_crystal("fcc", "Cu", a_A=A_CU),
    "bcc": lambda: bulk_crystal("bcc", "Fe", a_A=2.87),
    "diamond": lambda: bulk_crystal("diamond", "Si", a_A=A_SI),
    "zincblende": lambda: bulk_crystal("zincblende", "GaAs", a_A=5.653),
    "rocksalt": lambda: bulk_crystal("rocksalt", "NaCl", a_A=5.64),
    "hcp": lambda: bulk_crystal("hcp", "Mg", a_A=3.209, c_A=5.211),
    "wurtzite": lambda: bulk_crystal("wurtzite", "AlN", a_A=3.112, c_A=4.982),
}
#: (lattice, plane, lattice planes per orthogonal period)
PLANES = [
    ("fcc", (0, 0, 1), 2), ("fcc", (1, 1, 0), 2), ("fcc", (1, 1, 1), 3),
    ("fcc", (2, 1, 0), 10), ("bcc", (0, 0, 1), 2), ("bcc", (1, 1, 0), 2),
    ("bcc", (1, 1, 1), 3), ("diamond", (0, 0, 1), 2), ("diamond", (1, 1, 1), 3),
    ("diamond", (1, 1, 0), 2), ("zincblende", (1, 1, 1), 3), ("rocksalt", (1, 1, 1), 3),
    ("hcp", (0, 0, 0, 1), 1), ("hcp", (1, 0, -1, 0), 2), ("hcp", (1, 1, -2, 0), 2),
    ("wurtzite", (0, 0, 0, 1), 1), ("wurtzite", (1, 0, -1, 0), 2),
]
CUTOFF_A = 6.0


def environments(atoms) -> dict[str, set[tuple]]:
    """Per species, the set of neighbour shells (distance to 1e-6 Å, species) of its atoms."""
    i, j, d = neighbor_list("ijd", atoms, CUTOFF_A)
    symbols = np.array(atoms.get_chemical_symbols())
    out: dict[str, set[tuple]] = {}
    for atom in range(len(atoms)):
        mine = i == atom
        shell = tuple(sorted(zip(np.round(d[mine], 6).tolist(), symbols[j[mine]].tolist(),
                                 strict=True)))
        out.setdefault(symbols[atom], set()).add(shell)
    return out


def plane_normal(lattice: str, plane) -> np.ndarray:
    """Unit normal of ``plane`` in the bulk frame, from the conventional cell."""
    bulk = CRYSTALS[lattice]()
    conv = np.array(bulk.info["conventional_cell_A"])
    hkl = miller_indices(plane, hexagonal=lattice in ("hcp", "wurtzite"))
    g = np.array(hkl, dtype=float) @ np.linalg.inv(conv).T
    return g / np.linalg.norm(g)


@pytest.mark.parametrize("lattice, plane, k", PLANES, ids=[f"{p[0]}{p[1]}" for p in PLANES])
def test_oriented_cell_is_the_bulk(lattice, plane, k):
    bulk = CRYSTALS[lattice]()
    cell = oriented_cell(bulk, plane)
    atoms = cell.atoms
    lab = np.array(atoms.cell)
    assert lab[0, 0] > 0 and np.all(lab[0, 1:] == 0) and lab[1, 2] == 0  # a ∥ x, b in xy
    assert lab[1, 1] > 0 and lab[2, 2] > 0  # right-handed, c points up
    np.testing.assert_allclose(cell.rotation @ plane_normal(lattice, plane), [0, 0, 1],
                               atol=1e-12)  # the plane normal is +z
    assert len(atoms) == len(bulk)  # a unimodular cell of the same crystal
    assert atoms.get_volume() == pytest.approx(bulk.get_volume(), rel=1e-12)
    assert cell.area_A2 * cell.layer_spacing_A == pytest.approx(bulk.get_volume(), rel=1e-12)
    assert environments(atoms) == environments(bulk)
    assert orthogonal_layers(lab) == k


@pytest.mark.parametrize("lattice, plane, k", PLANES[::2], ids=[f"{p[0]}{p[1]}"
                                                                 for p in PLANES[::2]])
def test_orthogonal_cell_is_the_bulk(lattice, plane, k):
    bulk = CRYSTALS[lattice]()
    cell = oriented_cell(bulk, plane, orthogonal=True, n_repeats=2)
    lab = np.array(cell.atoms.cell)
    np.testing.assert_allclose(lab[2, :2], 0.0, atol=1e-12)  # c ∥ z
    assert lab[2, 2] == pytest.approx(2 * k * cell.layer_spacing_A, rel=1e-12)
    assert cell.n_layers == 2 * k and len(cell.atoms) == 2 * k * len(bulk)
    density = len(cell.atoms) / cell.atoms.get_volume()
    assert density == pytest.approx(len(bulk) / bulk.get_volume(), rel=1e-12)
    assert environments(cell.atoms) == environments(bulk)


def test_layer_spacings_and_surface_lattices():
    fcc = CRYSTALS["fcc"]()
    for plane, d in (((0, 0, 1), A_CU / 2), ((1, 1, 1), A_CU / math.sqrt(3)),
                     ((1, 1, 0), A_CU / (2 * math.sqrt(2)))):
        assert oriented_cell(fcc, plane).layer_spacing_A == pytest.approx(d, rel=1e-12)
    si111 = oriented_cell(CRYSTALS["diamond"](), (1, 1, 1)).surface_lattice_A
    p = A_SI / math.sqrt(2)  # hexagonal net of period a/√2 at 120°
    np.testing.assert_allclose(si111, [[p, 0], [-p / 2, p * math.sqrt(3) / 2]], atol=1e-12)
    aln = CRYSTALS["wurtzite"]()
    np.testing.assert_allclose(oriented_cell(aln, (0, 0, 0, 1)).atoms.cell[:],
                               aln.cell[:], atol=1e-12)  # (0001): ASE's hexagonal cell


def test_diamond_001_orthogonal_cell_is_the_rotated_cell():
    cell = oriented_cell(CRYSTALS["diamond"](), (0, 0, 1), orthogonal=True)
    reference = rotated_cell("Si", "diamond", lattice_constant_A=A_SI)
    np.testing.assert_allclose(cell.atoms.cell[:], reference.cell[:], atol=1e-12)
    assert len(cell.atoms) == len(reference) == 4
    assert np.allclose(np.sort(cell.atoms.positions[:, 2]), np.sort(reference.positions[:, 2]))


def test_rotation_keeps_z():
    bulk = CRYSTALS["diamond"]()
    plain = oriented_cell(bulk, (1, 1, 1), orthogonal=True)
    turned = oriented_cell(bulk, (1, 1, 1), orthogonal=True, rotation_deg=17.0)
    np.testing.assert_allclose(turned.atoms.positions[:, 2], plain.atoms.positions[:, 2],
                               atol=1e-12)
    np.testing.assert_allclose(turned.atoms.cell[2], plain.atoms.cell[2], atol=1e-12)
    a = turned.atoms.cell[0]
    assert math.degrees(math.atan2(a[1], a[0])) == pytest.approx(17.0, abs=1e-12)
    assert a[2] == 0 and turned.area_A2 == pytest.approx(plain.area_A2, rel=1e-12)
    assert environments(turned.atoms) == environments(bulk)


def test_miller_bravais_indices():
    mg = CRYSTALS["hcp"]()
    four = oriented_cell(mg, (1, 0, -1, 0))
    three = oriented_cell(mg, (1, 0, 0))
    np.testing.assert_allclose(four.atoms.cell[:], three.atoms.cell[:], atol=1e-12)
    assert four.miller == (1, 0, 0)
    with pytest.raises(ValueError, match=r"i must be -\(h \+ k\)"):
        oriented_cell(mg, (1, 0, 1, 0))
    with pytest.raises(ValueError, match="need a hexagonal lattice"):
        oriented_cell(CRYSTALS["fcc"](), (1, 1, -2, 0))
    with pytest.raises(ValueError, match="no normal"):
        oriented_cell(mg, (0, 0, 0))


def test_irrational_stacking_has_no_orthogonal_cell():
    with pytest.raises(ValueError, match="no lattice vector along the normal"):
        oriented_cell(CRYSTALS["hcp"](), (1, 0, -1, 1), orthogonal=True)


def test_opposite_normal_and_determinism():
    fcc = CRYSTALS["fcc"]()
    up, down = oriented_cell(fcc, (1, 1, 1)), oriented_cell(fcc, (-1, -1, -1))
    assert up.area_A2 == pytest.approx(down.area_A2) and \
        up.layer_spacing_A == pytest.approx(down.layer_spacing_A)
    again = oriented_cell(fcc, (1, 1, 1))
    np.testing.assert_array_equal(again.atoms.cell[:], up.atoms.cell[:])
    np.testing.assert_array_equal(again.atoms.positions, up.atoms.positions)
