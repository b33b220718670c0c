"""Sanity checks run on every built interface; each raises a clear ``ValueError``.

The checks read the ``info`` dict of :func:`structures.interface.interface_info`
(lengths in Å).  Distances use periodic images along the periodic directions
(:func:`ase.neighborlist.neighbor_list`).
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list

from .crystals import (
    atoms_per_lateral_cell,
    lateral_period_A,
    nearest_neighbour_distance,
    plane_fractions_001,
)

__all__ = [
    "check_atom_counts",
    "check_distinct_elements",
    "check_interface",
    "check_lateral_lattice",
    "check_min_distance",
    "default_min_distance_A",
    "min_interatomic_distance",
]

#: Default close-contact threshold as a fraction of the smaller bulk nearest-neighbour
#: distance of the two sides.
MIN_DISTANCE_FRACTION = 0.6

_SIDES = (("a", 0), ("b", 1))


def min_interatomic_distance(atoms: Atoms, *, cutoff_A: float = 6.0) -> float:
    """Smallest distance (Å) between two atoms, periodic images included."""
    distances = neighbor_list("d", atoms, cutoff_A)
    if distances.size == 0:
        raise ValueError(f"no two atoms within {cutoff_A} Å: cannot measure a minimum distance")
    return float(distances.min())


def check_min_distance(atoms: Atoms, *, threshold_A: float) -> None:
    """Raise if two atoms (or an atom and a periodic image) are closer than ``threshold_A``."""
    i, j, d = neighbor_list("ijd", atoms, threshold_A)
    if d.size:
        k = int(np.argmin(d))
        raise ValueError(f"{d.size // 2} close contact(s) below {threshold_A:.3f} Å: atoms "
                         f"{i[k]} ({atoms.symbols[i[k]]}) and {j[k]} ({atoms.symbols[j[k]]}) "
                         f"are {d[k]:.3f} Å apart")


def default_min_distance_A(info: dict) -> float:
    """``MIN_DISTANCE_FRACTION`` x the smaller bulk nearest-neighbour distance (Å)."""
    return MIN_DISTANCE_FRACTION * min(
        nearest_neighbour_distance(info[f"lattice_{s}"], info[f"lattice_constant_{s}_A"])
        for s, _ in _SIDES)


def check_atom_counts(atoms: Atoms, info: dict) -> None:
    """Each side holds atoms-per-cell x n_lateral² x n_z atoms of its own element.

    A cell is the lateral repeat unit one lattice constant deep: the conventional cell,
    or the 45°-rotated (001) cell of half its volume when ``info["rotated_45"]``.
    """
    sides = atoms.arrays["side"]
    rotated = bool(info.get("rotated_45", False))
    for s, label in _SIDES:
        per_cell = atoms_per_lateral_cell(info[f"lattice_{s}"], rotated)
        expected = per_cell * info[f"n_lateral_{s}"] ** 2 * info[f"n_z_{s}"]
        found = int((sides == label).sum())
        if found != expected or info.get(f"n_atoms_{s}", found) != found:
            raise ValueError(f"side {s.upper()} has {found} atoms (info n_atoms_{s} = "
                             f"{info.get(f'n_atoms_{s}')}), expected {expected} = "
                             f"{per_cell} per {'rotated ' if rotated else ''}cell x "
                             f"{info[f'n_lateral_{s}']}² x {info[f'n_z_{s}']}")
    if len(atoms) != int((sides == 0).sum() + (sides == 1).sum()):
        raise ValueError("some atoms have a side label other than 0 or 1")


def check_distinct_elements(atoms: Atoms, info: dict) -> None:
    """Sides have distinct elements, and each side only its own element."""
    if info["element_a"] == info["element_b"]:
        raise ValueError(f"element_a and element_b are both '{info['element_a']}': LAMMPS types "
                         f"are per element, so the sides could not be told apart")
    symbols = np.array(atoms.get_chemical_symbols())
    for s, label in _SIDES:
        found = set(symbols[atoms.arrays["side"] == label])
        if found != {info[f"element_{s}"]}:
            raise ValueError(f"side {s.upper()} holds elements {sorted(found)}, expected "
                             f"only '{info[f'element_{s}']}'")


def check_lateral_lattice(atoms: Atoms, info: dict, *, tol_A: float = 1e-6) -> None:
    """Check that the lateral cell is n x strained period and every atom sits on a site.

    The period is the strained lattice constant a, or a/√2 for the 45°-rotated (001)
    cell (``info["rotated_45"]``); in-plane site coordinates are multiples of
    :func:`structures.crystals.plane_fractions_001` periods in both cases.  With the cell
    equal to ``n_lateral`` strained periods, an atom translated by a lateral cell vector
    lands on a site of the same lattice, so periodic images continue each crystal
    without defects.
    """
    lengths = atoms.cell.lengths()
    if not np.allclose(lengths[:2], info["lateral_A"], atol=tol_A, rtol=0):
        raise ValueError(f"lateral cell {lengths[:2]} Å differs from lateral_A = "
                         f"{info['lateral_A']} Å")
    rotated = bool(info.get("rotated_45", False))
    for s, label in _SIDES:
        period = lateral_period_A(info[f"lattice_constant_{s}_A"] * (1 + info[f"strain_{s}"]),
                                  rotated)
        if abs(info[f"n_lateral_{s}"] * period - info["lateral_A"]) > tol_A:
            raise ValueError(f"lateral_A = {info['lateral_A']} Å is not n_lateral_{s} x "
                             f"strained period = {info[f'n_lateral_{s}']} x {period} Å"
                             f"{' (a/sqrt(2), rotated cell)' if rotated else ''}")
        xy = atoms.positions[atoms.arrays["side"] == label, :2]
        steps = (xy - xy[0]) / (plane_fractions_001(info[f"lattice_{s}"]) * period)
        off = np.abs(steps - np.round(steps)).max() * period
        if off > tol_A:
            raise ValueError(f"side {s.upper()}: an atom is {off:.2e} Å off its in-plane lattice "
                             f"site (strained period = {period:.6f} Å)")


def check_interface(atoms: Atoms, info: dict, *, min_distance_A: float | None = None) -> None:
    """Run every check; ``min_distance_A`` defaults to :func:`default_min_distance_A`."""
    check_distinct_elements(atoms, info)
    check_atom_counts(atoms, info)
    check_min_distance(atoms, threshold_A=min_distance_A or default_min_distance_A(info))
    check_lateral_lattice(atoms, info)
