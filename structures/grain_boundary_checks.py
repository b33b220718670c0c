"""Verification of [001] CSL bicrystals: boundary positions, grain orientations, counts, periods.

Reads the geometry that :func:`structures.grain_boundary.build_bicrystal` leaves in
``atoms.info`` (lattice, lattice constant, orientations, CSL periods, grain thicknesses;
lengths in Å).  :func:`boundary_planes_A` and :func:`recovered_misorientation_deg` also
hold after relaxation (the search rejects candidates with them); the count and
periodicity checks are for the unrelaxed cell.  Each check raises a clear ``ValueError``.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list
from scipy.spatial import cKDTree

from .crystals import conventional_cell, nearest_neighbour_distance
from .csl import SITE_TOL_A

__all__ = [
    "boundary_planes_A",
    "check_grain_atom_counts",
    "check_grain_periodicity",
    "fitted_orientation",
    "recovered_misorientation_deg",
]


def boundary_planes_A(atoms: Atoms) -> tuple[float, float]:
    """z (Å, in [0, L)) of both boundaries: midpoints of the gaps between the grains.

    Each grain is unwrapped about its circular mean along the periodic z axis, so the
    result is valid after relaxation moved atoms across the cell boundary.
    """
    length = float(atoms.cell[2, 2])
    z, grain = atoms.positions[:, 2] % length, atoms.arrays["grain"]
    ranges = {}
    for label in (1, 2):
        phase = 2 * np.pi * z[grain == label] / length
        centre = length * (np.angle(np.exp(1j * phase).mean()) / (2 * np.pi) % 1.0)
        unwrapped = (z[grain == label] - centre + length / 2) % length + centre - length / 2
        ranges[label] = (unwrapped.min(), unwrapped.max())
    planes = [top + ((bottom - top) % length) / 2 for top, bottom in
              ((ranges[1][1], ranges[2][0]), (ranges[2][1], ranges[1][0]))]
    return tuple(sorted(float(p % length) for p in planes))


def _ideal_neighbour_vectors(lattice: str) -> np.ndarray:
    """Nearest-neighbour vectors of the ideal crystal (units of a, crystal frame)."""
    cell = conventional_cell("Cu" if lattice == "fcc" else "Si", lattice, lattice_constant_A=1.0)
    vectors = neighbor_list("D", cell, 1.1 * nearest_neighbour_distance(lattice, 1.0))
    return np.unique(vectors.round(8), axis=0)


def fitted_orientation(atoms: Atoms, grain: int, *, depth_A: float | None = None) -> np.ndarray:
    """Rotation (crystal -> lab) best mapping ideal neighbour vectors onto a grain's bonds.

    Bonds start at atoms of ``grain`` farther than ``depth_A`` (default: a quarter of the
    grain thickness) from both boundaries.  Each bond is paired with the nearest ideal
    neighbour vector in the nominal orientation (``info["orientations"]``), and the
    rotation is the least-squares (Kabsch) fit of those pairs.
    """
    info, length = atoms.info, float(atoms.cell[2, 2])
    a, lattice = info["lattice_constant_A"], info["lattice"]
    depth = depth_A if depth_A is not None else 0.25 * info["grain_thickness_A"][grain - 1]
    distance = np.min([np.abs((atoms.positions[:, 2] - p + length / 2) % length - length / 2)
                       for p in boundary_planes_A(atoms)], axis=0)
    deep = (atoms.arrays["grain"] == grain) & (distance > depth)
    i, bonds = neighbor_list("iD", atoms, 1.2 * nearest_neighbour_distance(lattice, a))
    bonds = bonds[deep[i]]
    if len(bonds) < 6:
        raise ValueError(f"grain {grain}: only {len(bonds)} bonds deeper than {depth:.2f} Å")
    ideal = _ideal_neighbour_vectors(lattice) * a
    nominal = ideal @ np.asarray(info["orientations"][grain - 1]).T
    pairs = np.argmin(np.linalg.norm(bonds[:, None, :] - nominal[None], axis=2), axis=1)
    u, _, vt = np.linalg.svd(ideal[pairs].T @ bonds)
    flip = np.diag([1.0, 1.0, np.sign(np.linalg.det(u @ vt))])
    return (u @ flip @ vt).T


def recovered_misorientation_deg(atoms: Atoms, **kwargs) -> float:
    """Misorientation angle (degrees) between the fitted orientations of the two grains."""
    rotation = fitted_orientation(atoms, 1, **kwargs).T @ fitted_orientation(atoms, 2, **kwargs)
    return float(np.degrees(np.arccos(np.clip((np.trace(rotation) - 1) / 2, -1.0, 1.0))))


def check_grain_atom_counts(atoms: Atoms) -> dict[int, int]:
    """Each grain holds exactly (its cell volume) / (volume per atom) atoms (unrelaxed).

    Returns ``{grain: count}``; raises ``ValueError`` otherwise.
    """
    info = atoms.info
    per_atom_A3 = info["lattice_constant_A"] ** 3 / len(
        conventional_cell(info["element"], info["lattice"], lattice_constant_A=1.0))
    counts = {}
    for label, thickness in zip((1, 2), info["grain_thickness_A"], strict=True):
        expected = atoms.cell[0, 0] * atoms.cell[1, 1] * thickness / per_atom_A3
        counts[label] = int((atoms.arrays["grain"] == label).sum())
        if abs(counts[label] - expected) > 1e-6:
            raise ValueError(f"grain {label} holds {counts[label]} atoms, its volume "
                             f"{expected * per_atom_A3:.4f} Å³ holds {expected:.4f}")
    return counts


def _wrapped(positions_A: np.ndarray, lengths_A: np.ndarray) -> np.ndarray:
    """Positions wrapped into ``[0, L)`` strictly (for periodic KD-trees)."""
    wrapped = np.mod(positions_A, lengths_A)
    return np.where(wrapped >= lengths_A, wrapped - lengths_A, wrapped)


def check_grain_periodicity(atoms: Atoms, *, tol_A: float = 1e-5) -> None:
    """Every atom's image under a CSL or z lattice period of its grain is an atom.

    In-plane translations are one CSL period along x and y (so the crystal continues
    across the periodic cell edges); along z, each grain's own period, for the atoms
    whose image stays inside the grain (unrelaxed geometry, ``t_z`` opening included).
    """
    info, lengths = atoms.info, np.diag(atoms.cell).copy()
    positions = _wrapped(atoms.positions, lengths)
    t_z = info["translation_A"][2]
    for label, period_z, thickness in zip((1, 2), info["periods_z_A"],
                                          info["grain_thickness_A"], strict=True):
        mine = positions[atoms.arrays["grain"] == label]
        tree = cKDTree(mine, boxsize=lengths)
        bottom = 0.0 if label == 1 else info["grain_thickness_A"][0] + t_z
        for shift in ([info["csl_periods_A"][0], 0, 0], [0, info["csl_periods_A"][1], 0],
                      [0, 0, period_z]):
            images = mine + shift
            if shift[2]:
                images = images[images[:, 2] < bottom + thickness - SITE_TOL_A]
            distance, _ = tree.query(_wrapped(images, lengths))
            if distance.max(initial=0.0) > tol_A:
                raise ValueError(f"grain {label}: an atom translated by {shift} Å is "
                                 f"{distance.max():.3e} Å from any atom: not periodic")

