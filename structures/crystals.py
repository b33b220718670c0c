"""Conventional cubic cells (fcc, bcc, diamond) of one element, with optional masses.

Cells come from :func:`ase.build.bulk` with ``cubic=True``; the first atom sits at the
origin and the cell edges run along [100], [010], [001].  Element symbols are labels:
for Lennard-Jones species the physical mass is set with ``mass_amu``.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import bulk

__all__ = [
    "ATOMS_PER_CELL",
    "LATTICES",
    "conventional_cell",
    "interplanar_spacing_001",
    "nearest_neighbour_distance",
    "plane_fractions_001",
]

#: Atoms in one conventional cubic cell of each lattice.
ATOMS_PER_CELL = {"fcc": 4, "bcc": 2, "diamond": 8}

#: Lattices the builders know.
LATTICES = tuple(ATOMS_PER_CELL)

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
