"""Atomic planes normal to z: find them in a snapshot, bin them, and cut slabs between them.

A crystal stacked along [001] is a sequence of atomic planes, a/4 apart in diamond (Si:
1.36 Å) and a/2 in fcc (Cu: 1.81 Å).  At finite temperature the atoms vibrate about
their plane by about 0.1 Å, much less than the spacing, so the sorted z coordinates of
one side's atoms fall into well separated groups: a gap larger than a fraction of the
spacing starts a new plane.  Bins and slabs whose edges lie halfway between planes hold
whole planes, so a temperature profile does not alias the plane spacing (a 2.5 Å bin
over 1.81 Å Cu planes holds one or two planes: 18 or 36 atoms).

Pure NumPy; positions in Å.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .crystals import interplanar_spacing_001
from .sides import DEFAULT_SIDE_TYPES

__all__ = ["MIN_GAP_FRACTION", "PlaneBins", "Planes", "bin_planes", "check_planes",
           "find_planes", "interior_slab", "plane_edges", "plane_spacings", "side_planes",
           "snap_to_edges"]

#: A gap between sorted z coordinates wider than this fraction of the ideal plane spacing
#: separates two planes [-].  Thermal spread within a plane is ~0.1 Å; planes are ≥ 1.3 Å
#: apart in the crystals used here.
MIN_GAP_FRACTION = 0.4


@dataclass(frozen=True)
class Planes:
    """Atomic planes of one set of atoms, sorted by position.

    Attributes
    ----------
    z_A : ndarray, shape (n_planes,)
        Mean z of each plane's atoms (Å), increasing.
    counts : ndarray of int, shape (n_planes,)
        Atoms per plane.
    spread_A : ndarray, shape (n_planes,)
        Standard deviation of z within each plane (Å).
    labels : ndarray of int, shape (n_atoms,)
        Plane index of each input atom (input order).
    """

    z_A: np.ndarray
    counts: np.ndarray
    spread_A: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return int(self.z_A.size)


def find_planes(z_A: ArrayLike, *, min_gap_A: float) -> Planes:
    """Group atoms into planes: sorted z split wherever consecutive values differ by more
    than ``min_gap_A``.

    Parameters
    ----------
    z_A : array_like, shape (n_atoms,)
        z coordinates (Å) of one side's atoms (unwrapped if z is periodic).
    min_gap_A : float
        Smallest gap (Å) between two planes, e.g. ``MIN_GAP_FRACTION`` × ideal spacing.

    Returns
    -------
    Planes
    """
    z = np.asarray(z_A, dtype=float).ravel()
    if z.size == 0:
        raise ValueError("no atoms to group into planes")
    if not min_gap_A > 0:
        raise ValueError(f"min_gap_A must be positive, got {min_gap_A}")
    order = np.argsort(z, kind="stable")
    starts = np.flatnonzero(np.diff(z[order]) > min_gap_A) + 1
    sorted_labels = np.zeros(z.size, dtype=int)
    sorted_labels[starts] = 1
    sorted_labels = np.cumsum(sorted_labels)
    labels = np.empty(z.size, dtype=int)
    labels[order] = sorted_labels
    counts = np.bincount(labels)
    means = np.bincount(labels, weights=z) / counts
    spread = np.sqrt(np.maximum(np.bincount(labels, weights=z * z) / counts - means**2, 0.0))
    return Planes(z_A=means, counts=counts, spread_A=spread, labels=labels)


def check_planes(planes: Planes, spacing_A: float, *, max_spread_fraction: float = 0.25,
                 min_spacing_fraction: float = 0.5) -> list[str]:
    """Problems that show the atoms were not grouped into crystal planes (empty if none).

    A plane whose atoms spread by more than ``max_spread_fraction`` × spacing, or two
    planes closer than ``min_spacing_fraction`` × spacing, means the gap criterion merged
    or split planes (a melted or strongly disordered region, or a wrong spacing).
    """
    problems = []
    wide = np.flatnonzero(planes.spread_A > max_spread_fraction * spacing_A)
    if wide.size:
        problems.append(f"{wide.size} plane(s) spread by more than {max_spread_fraction:g} × "
                        f"{spacing_A:.3g} Å (at z = {np.round(planes.z_A[wide], 2).tolist()} Å)")
    close = np.flatnonzero(np.diff(planes.z_A) < min_spacing_fraction * spacing_A)
    if close.size:
        problems.append(f"{close.size} pair(s) of planes closer than {min_spacing_fraction:g} × "
                        f"{spacing_A:.3g} Å (at z = {np.round(planes.z_A[close], 2).tolist()} Å)")
    return problems


def plane_spacings(info: dict) -> dict[str, float] | None:
    """Ideal (001) plane spacing (Å) of each side of an interface record, or None.

    ``info`` is a structure record (:func:`structures.interface.interface_info`) with
    ``lattice_a``/``lattice_constant_a_A`` and the same for ``b``, or one of the oriented
    builder (:mod:`structures.oriented_interface`) with ``plane_spacing_a_A``/``_b_A``
    (None for a side without evenly spaced planes); a record without them, a side without
    even planes, or a grain boundary (tilted grains are not stacked along [001]) gives
    None.
    """
    if info.get("type") == "grain_boundary":
        return None
    if "plane_spacing_a_A" in info:  # the oriented builder measured them (None: uneven)
        spacings = {"A": info["plane_spacing_a_A"], "B": info.get("plane_spacing_b_A")}
        return spacings if None not in spacings.values() else None
    try:
        return {side: interplanar_spacing_001(info[f"lattice_{s}"], info[f"lattice_constant_{s}_A"])
                for side, s in (("A", "a"), ("B", "b"))}
    except (KeyError, ValueError):
        return None


def side_planes(z_A: ArrayLike, types: ArrayLike, spacings_A: dict[str, float],
                side_types: dict | None = None) -> dict[str, Planes]:
    """The atomic planes of side A and side B.

    Parameters
    ----------
    z_A : array_like, shape (n_atoms,)
        z coordinates (Å), unwrapped.
    types : array_like of int, shape (n_atoms,)
        LAMMPS atom types.
    spacings_A : dict
        Ideal plane spacing (Å) of each side, see :func:`plane_spacings`.
    side_types : dict, optional
        The types of each side, ``{"A": [...], "B": [...]}``
        (:func:`structures.sides.side_types`; default type 1 = A, type 2 = B).

    Returns
    -------
    dict
        ``{"A": Planes, "B": Planes}``.  Raises ``ValueError`` when the atoms of a side do
        not form crystal planes (:func:`check_planes`).
    """
    z, types = np.asarray(z_A, dtype=float), np.asarray(types)
    planes = {}
    owned = side_types or DEFAULT_SIDE_TYPES
    for side in ("A", "B"):
        found = find_planes(z[np.isin(types, owned[side])], min_gap_A=MIN_GAP_FRACTION * spacings_A[side])
        problems = check_planes(found, spacings_A[side])
        if problems:
            raise ValueError(f"side {side}: the atoms do not form (001) planes "
                             f"({'; '.join(problems)})")
        planes[side] = found
    return planes


def plane_edges(z_planes_A: ArrayLike) -> np.ndarray:
    """Midpoints (Å) between consecutive plane positions, shape (n_planes - 1,)."""
    z = np.asarray(z_planes_A, dtype=float)
    return 0.5 * (z[1:] + z[:-1])


def snap_to_edges(z_A: float, edges_A: ArrayLike) -> float:
    """The edge (a midpoint between planes) nearest to ``z_A`` (Å)."""
    edges = np.asarray(edges_A, dtype=float)
    if edges.size == 0:
        raise ValueError("no plane edges to snap to")
    return float(edges[np.argmin(np.abs(edges - z_A))])


@dataclass(frozen=True)
class PlaneBins:
    """Bins of whole planes on both sides of an interface, low z first.

    Attributes
    ----------
    edges_A : ndarray, shape (n_bins - 1,)
        Inner bin edges (Å), halfway between the last plane of a bin and the next plane.
    centres_A : ndarray, shape (n_bins,)
        Atom-weighted mean plane position of each bin (Å).
    atoms : ndarray of int, shape (n_bins,)
        Atoms per bin.
    planes : ndarray of int, shape (n_bins,)
        Planes per bin.
    side : list of str
        "A" or "B" for each bin.
    """

    edges_A: np.ndarray
    centres_A: np.ndarray
    atoms: np.ndarray
    planes: np.ndarray
    side: list[str]


def _groups(n: int, size: int, *, from_top: bool) -> list[np.ndarray]:
    """Consecutive index groups of ``size`` over range(n), anchored at the top or bottom
    (a remainder forms a smaller group at the other end)."""
    idx = np.arange(n)
    if from_top:
        cuts = list(range(n - size, 0, -size))[::-1]
    else:
        cuts = list(range(size, n, size))
    return np.split(idx, cuts)


def bin_planes(planes_a: Planes, planes_b: Planes, planes_per_bin: int) -> PlaneBins:
    """Bins of ``planes_per_bin`` whole planes per side, none across the interface.

    Side A (low z) is binned from the interface downwards and side B from the interface
    upwards, so the bins next to the interface are full; a remainder forms a thinner bin
    at the far end of the side.

    Parameters
    ----------
    planes_a, planes_b : Planes
        The planes of each side (all of A below all of B).
    planes_per_bin : int
        Planes per bin (≥ 1).
    """
    if planes_per_bin < 1:
        raise ValueError(f"planes_per_bin must be at least 1, got {planes_per_bin}")
    if planes_a.z_A[-1] >= planes_b.z_A[0]:
        raise ValueError("side A's planes must all lie below side B's")
    z = np.concatenate([planes_a.z_A, planes_b.z_A])
    counts = np.concatenate([planes_a.counts, planes_b.counts])
    groups = _groups(len(planes_a), planes_per_bin, from_top=True) + [
        g + len(planes_a) for g in _groups(len(planes_b), planes_per_bin, from_top=False)]
    all_edges = plane_edges(z)
    edges = np.array([all_edges[g[-1]] for g in groups[:-1]])
    atoms = np.array([counts[g].sum() for g in groups])
    centres = np.array([np.average(z[g], weights=counts[g]) for g in groups])
    side = ["A" if g[0] < len(planes_a) else "B" for g in groups]
    return PlaneBins(edges_A=edges, centres_A=centres, atoms=atoms,
                     planes=np.array([g.size for g in groups]), side=side)


def interior_slab(z_planes_A: ArrayLike, lo_A: float, hi_A: float) -> tuple[float, float, int]:
    """The slab of whole planes whose positions lie in [lo_A, hi_A].

    Its bounds are halfway between the outermost chosen planes and their neighbours
    outside the interval (or ``lo_A``/``hi_A`` where there is no neighbour), so the slab's
    volume is the volume its planes occupy.

    Returns
    -------
    (lower, upper, n_planes)
        Slab bounds (Å) and the number of planes inside.  Raises ``ValueError`` if none.
    """
    z = np.sort(np.asarray(z_planes_A, dtype=float))
    inside = np.flatnonzero((z >= lo_A) & (z <= hi_A))
    if inside.size == 0:
        raise ValueError(f"no atomic plane between z = {lo_A:.3f} and {hi_A:.3f} Å")
    first, last = inside[0], inside[-1]
    lower = 0.5 * (z[first - 1] + z[first]) if first > 0 else lo_A
    upper = 0.5 * (z[last] + z[last + 1]) if last + 1 < z.size else hi_A
    return float(lower), float(upper), int(inside.size)
