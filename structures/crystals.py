"""Conventional cubic cells (fcc, bcc, diamond) of one element, with optional masses.

Cells come from :func:`ase.build.bulk` with ``cubic=True``; the first atom sits at the
origin and the cell edges run along [100], [010], [001].  Element symbols are labels:
for Lennard-Jones species the physical mass is set with ``mass_amu``.

The (001) face of fcc and diamond also has a square cell a/√2 wide, rotated 45° about
[001] (:func:`rotated_cell`: edges along [110], [-110], [001], half the conventional
volume).  Lateral supercells of it are n a/√2 wide, between the conventional n a.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import bulk, make_supercell

__all__ = [
    "ATOMS_PER_CELL",
    "LATTICES",
    "ROTATED_45_LATTICES",
    "atoms_per_lateral_cell",
    "conventional_cell",
    "interplanar_spacing_001",
    "lateral_cell",
    "lateral_period_A",
    "nearest_neighbour_distance",
    "plane_fractions_001",
    "rotated_cell",
]

#: Atoms in one conventional cubic cell of each lattice.
ATOMS_PER_CELL = {"fcc": 4, "bcc": 2, "diamond": 8}

#: Lattices the builders know.
LATTICES = tuple(ATOMS_PER_CELL)

#: Lattices whose (001) face has the square cell a/√2 wide rotated by 45° (a bcc (001)
#: face does not: (a/2, a/2, 0) is not a bcc lattice vector).
ROTATED_45_LATTICES = ("fcc", "diamond")

#: Cell vectors [110]/2, [-110]/2, [001] in the basis of ASE's fcc primitive vectors
#: (0, a/2, a/2), (a/2, 0, a/2), (a/2, a/2, 0); determinant 2.
_ROTATED_IN_PRIMITIVE = ((0, 0, 1), (1, -1, 0), (1, 1, -1))

#: Nearest-neighbour distance in units of the lattice constant.
_NN_OVER_A = {"fcc": np.sqrt(2) / 2, "bcc": np.sqrt(3) / 2, "diamond": np.sqrt(3) / 4}

#: Distance between successive (001) atomic planes, in units of the lattice constant.
_D001_OVER_A = {"fcc": 0.5, "bcc": 0.5, "diamond": 0.25}


def _check_lattice(lattice: str) -> None:
    """Raise a clear error for an unknown lattice name."""
    if lattice not in ATOMS_PER_CELL:
        raise ValueError(f"lattice '{lattice}' is not supported: choose one of {list(LATTICES)}")


def conventional_cell(element: str, lattice: str, *, lattice_constant_A: float,
                      mass_amu: float | None = None) -> Atoms:
    """Conventional cubic cell of ``element``.

    Parameters
    ----------
    element
        Chemical symbol (also used as a label, e.g. ``"Ar"``/``"Kr"`` for LJ A/B).
    lattice
        ``"fcc"``, ``"bcc"`` or ``"diamond"``.
    lattice_constant_A
        Cubic lattice constant (Å).
    mass_amu
        Mass of every atom (amu); default: the element's standard atomic mass.

    Returns
    -------
    ase.Atoms
        ``ATOMS_PER_CELL[lattice]`` atoms in a periodic cubic cell of edge
        ``lattice_constant_A``.
    """
    _check_lattice(lattice)
    if lattice_constant_A <= 0:
        raise ValueError(f"lattice_constant_A must be positive, got {lattice_constant_A}")
    atoms = bulk(element, lattice, a=lattice_constant_A, cubic=True)
    if mass_amu is not None:
        if mass_amu <= 0:
            raise ValueError(f"mass_amu must be positive, got {mass_amu}")
        atoms.set_masses([float(mass_amu)] * len(atoms))
    return atoms


def nearest_neighbour_distance(lattice: str, lattice_constant_A: float) -> float:
    """Bulk nearest-neighbour distance (Å) of a cubic lattice."""
    _check_lattice(lattice)
    return float(_NN_OVER_A[lattice] * lattice_constant_A)


def interplanar_spacing_001(lattice: str, lattice_constant_A: float) -> float:
    """Distance (Å) between successive (001) atomic planes of a cubic lattice."""
    _check_lattice(lattice)
    return float(_D001_OVER_A[lattice] * lattice_constant_A)


def plane_fractions_001(lattice: str) -> float:
    """In-plane site spacing in units of the lattice constant (sites at multiples of it).

    All in-plane coordinates of fcc and bcc sites are multiples of a/2, those of
    diamond multiples of a/4.
    """
    _check_lattice(lattice)
    return 0.25 if lattice == "diamond" else 0.5


def _check_rotatable(lattice: str) -> None:
    """Raise for a lattice without the 45° rotated (001) cell."""
    _check_lattice(lattice)
    if lattice not in ROTATED_45_LATTICES:
        raise ValueError(f"lattice '{lattice}' has no 45-degree rotated (001) cell: "
                         f"only {list(ROTATED_45_LATTICES)} do")


def rotated_cell(element: str, lattice: str, *, lattice_constant_A: float,
                 mass_amu: float | None = None) -> Atoms:
    """Cell of ``element`` rotated by 45° about [001]: a/√2 x a/√2 x a, orthorhombic.

    Built with :func:`ase.build.make_supercell` from the primitive cell, then turned by
    -45° about z so that x runs along [110] and y along [-110] of the crystal; z stays
    [001] and the (001) planes keep their heights.  The first atom sits at the origin.

    Parameters
    ----------
    element, lattice, lattice_constant_A, mass_amu
        As for :func:`conventional_cell`; ``lattice`` is ``"fcc"`` or ``"diamond"``
        (:data:`ROTATED_45_LATTICES`).

    Returns
    -------
    ase.Atoms
        ``ATOMS_PER_CELL[lattice] // 2`` atoms in a periodic orthorhombic cell with
        edges (a/√2, a/√2, a) (Å).
    """
    _check_rotatable(lattice)
    if lattice_constant_A <= 0:
        raise ValueError(f"lattice_constant_A must be positive, got {lattice_constant_A}")
    primitive = bulk(element, lattice, a=lattice_constant_A)
    atoms = make_supercell(primitive, np.array(_ROTATED_IN_PRIMITIVE))
    width = lattice_constant_A / np.sqrt(2)
    x, y, z = atoms.positions.T
    xy = np.column_stack([(x + y), (y - x)]) / np.sqrt(2)  # -45° about z
    frac = xy / width
    frac -= np.floor(frac + 1e-9)  # wrap into [0, 1), sites on an edge go to 0
    atoms.set_cell(np.diag([width, width, lattice_constant_A]), scale_atoms=False)
    z = z - lattice_constant_A * np.floor(z / lattice_constant_A + 1e-9)
    atoms.positions = np.column_stack([frac * width, z]) + 0.0  # no -0.0
    if mass_amu is not None:
        if mass_amu <= 0:
            raise ValueError(f"mass_amu must be positive, got {mass_amu}")
        atoms.set_masses([float(mass_amu)] * len(atoms))
    return atoms


def lateral_cell(element: str, lattice: str, *, lattice_constant_A: float,
                 mass_amu: float | None = None, rotated_45: bool = False) -> Atoms:
    """The repeat unit of a lateral supercell: :func:`rotated_cell` or :func:`conventional_cell`."""
    build = rotated_cell if rotated_45 else conventional_cell
    return build(element, lattice, lattice_constant_A=lattice_constant_A, mass_amu=mass_amu)


def lateral_period_A(lattice_constant_A: float, rotated_45: bool = False) -> float:
    """Edge (Å) of the square (001) repeat unit: a, or a/√2 when rotated by 45°."""
    return float(lattice_constant_A / np.sqrt(2) if rotated_45 else lattice_constant_A)


def atoms_per_lateral_cell(lattice: str, rotated_45: bool = False) -> int:
    """Atoms in one repeat unit (one lattice constant deep along z)."""
    if rotated_45:
        _check_rotatable(lattice)
        return ATOMS_PER_CELL[lattice] // 2
    _check_lattice(lattice)
    return ATOMS_PER_CELL[lattice]
