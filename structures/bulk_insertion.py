"""Lengthen one side of an interface stack by inserting copies of its own bulk period.

A side of a relaxed stack is a crystal whose atomic planes repeat every ``period`` planes
along z (the lateral pattern and species of plane k + p are those of plane k, so the
repeat is a pure translation by d along z).  Inserting n copies of one period taken from
the middle of the side, and moving everything beyond it outwards by n d, gives the same
crystal n periods longer: the interface and its relaxation, and the free surface and its
relaxation, are unchanged; only the bulk in between grows.

Used by the AGF (:mod:`engine.interface_force_constants`): its leads are semi-infinite
bulk by construction, and the lead layers need a bulk environment one interaction range
thick around them, which the short sides of an MD cell may not have.

Pure functions (positions in Å).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["insert_bulk_periods", "inserted_plane_positions", "period_start"]


def period_start(n_planes: int, period: int) -> int:
    """Index of the first plane of the period taken from the middle of a side.

    The period and the plane after it must exist (the translation d is measured between
    plane ``start`` and plane ``start + period``).
    """
    start = max(0, n_planes // 2 - period // 2)
    if start + period >= n_planes:
        raise ValueError(f"a side of {n_planes} planes cannot show a bulk period of {period} "
                         "planes and the plane after it")
    return start


def inserted_plane_positions(plane_z_A: Sequence[float], period: int,
                             n_periods: int) -> np.ndarray:
    """z of the planes of a side (from the interface outwards) after the insertion (Å).

    The virtual counterpart of :func:`insert_bulk_periods` on plane positions alone, for
    deciding how many periods a layout needs before any atom is moved.
    """
    z = np.asarray(plane_z_A, dtype=float)
    if n_periods == 0:
        return z.copy()
    start = period_start(len(z), period)
    d = z[start + period] - z[start]  # signed: the outward direction
    copies = [z[start:start + period] + j * d for j in range(1, n_periods + 1)]
    return np.concatenate([z[:start + period], *copies, z[start + period:] + n_periods * d])


def insert_bulk_periods(positions_A: np.ndarray, planes: Sequence[np.ndarray], period: int,
                        n_periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Insert ``n_periods`` copies of a side's middle bulk period.

    Parameters
    ----------
    positions_A : (n_atoms, 3) float
        Positions of all atoms of the stack (Å).
    planes
        Atom indices of each atomic plane of the side, ordered from the interface
        outwards (either direction along z).
    period
        Planes per bulk period of the side (a pure translation along z).
    n_periods
        Copies to insert (≥ 0).

    Returns
    -------
    positions : (n_atoms + n_periods × atoms per period, 3) float
        The original atoms first (those beyond the inserted period moved outwards by
        ``n_periods`` × d), then the copies, period by period.
    source : (n_new,) int
        For each copy, the original atom it repeats (its type and mass are that atom's).
    """
    x = np.array(positions_A, dtype=float)
    if n_periods < 0:
        raise ValueError(f"n_periods must be >= 0, got {n_periods}")
    if n_periods == 0:
        return x, np.zeros(0, dtype=int)
    start = period_start(len(planes), period)
    z_first = float(np.mean(x[planes[start], 2]))
    d = float(np.mean(x[planes[start + period], 2])) - z_first
    beyond = np.concatenate([np.asarray(p, dtype=int) for p in planes[start + period:]])
    source = np.concatenate([np.asarray(p, dtype=int) for p in planes[start:start + period]])
    x[beyond, 2] += n_periods * d
    copies = [x[source] + np.array([0.0, 0.0, j * d]) for j in range(1, n_periods + 1)]
    return np.concatenate([x, *copies]), np.tile(source, n_periods)
