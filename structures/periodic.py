"""Periodic-z variant of a bonded A/B interface, for equilibrium (Green-Kubo) MD.

:func:`structures.interface.build_bonded_interface` stacks B on A with free surfaces at
both ends of z.  Equilibrium MD needs no baths and no surfaces: closing the cell along z
joins the top plane of B to the bottom plane of A, which creates a *second* A|B interface
across the periodic boundary.  Both interfaces have the same gap ``separation_A`` between
the facing atomic planes, so the cell holds two equivalent interfaces of area ``area_A2``
each, and the heat that leaves side A crosses a total area of ``2 * area_A2``.

Layout along z (lengths in Å), with ``z_lo``/``z_hi`` the lowest (A) and highest (B)
atoms::

    0 ... z_lo [ side A ] | interface 1 | [ side B ] z_hi ... L_z  (= z_lo + L_z: interface 2)

The cell spans ``[z_lo - s/2, z_hi + s/2]`` shifted to start at 0, ``s = separation_A``.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms

__all__ = ["make_periodic_stack", "periodic_gap_A", "periodic_z_bounds"]


def periodic_z_bounds(z_min_A: float, z_max_A: float, separation_A: float) -> tuple[float, float]:
    """Lower and upper z bounds (Å) closing a stack periodically with a given gap.

    Parameters
    ----------
    z_min_A, z_max_A : float
        z of the lowest atom (first plane of A) and of the highest (last plane of B), Å.
    separation_A : float
        Gap (Å) between the last plane of B and the periodic image of the first plane
        of A; must be positive.

    Returns
    -------
    (z_lo, z_hi) : tuple of float
        Box bounds (Å); ``z_hi - z_lo = z_max - z_min + separation_A``.
    """
    if not separation_A > 0:
        raise ValueError(f"separation_A must be positive, got {separation_A!r}")
    if not z_max_A > z_min_A:
        raise ValueError("z_max_A must exceed z_min_A")
    return z_min_A - 0.5 * separation_A, z_max_A + 0.5 * separation_A


def make_periodic_stack(atoms: Atoms, info: dict, *, separation_A: float) -> tuple[Atoms, dict]:
    """Close a bonded A/B stack periodically along z (second interface across the boundary).

    Parameters
    ----------
    atoms : ase.Atoms
        Output of :func:`structures.build_bonded_interface`: A below B, orthorhombic,
        ``pbc = (True, True, False)``, with the per-atom ``"side"`` array (0 = A, 1 = B).
    info : dict
        The builder's info (``area_A2``, ``z_range_a_A``, ...); not modified.
    separation_A : float
        Gap (Å) of the new interface, between the last plane of B and the image of the
        first plane of A; pass ``info["separation_A"]`` to make it equal to the first.

    Returns
    -------
    atoms : ase.Atoms
        A copy, shifted so the cell starts at z = 0, ``pbc = (True, True, True)``.
    info : dict
        A copy with ``cell_A``, ``z_range_a_A``, ``z_range_b_A``, ``z_interface_A`` updated
        and ``periodic_z = True``, ``z_interfaces_A`` (both planes, Å),
        ``periodic_separation_A``, ``n_interfaces = 2`` and ``interface_area_total_A2 =
        2 * area_A2`` (the area entering G of an equilibrium run).
    """
    side = atoms.arrays.get("side")
    if side is None:
        raise ValueError("atoms need the 'side' array (0 = A, 1 = B) of build_bonded_interface")
    z = atoms.positions[:, 2]
    on_b = side == 1
    if z[~on_b].max() >= z[on_b].min():
        raise ValueError("side A must lie entirely below side B")
    z_lo, z_hi = periodic_z_bounds(float(z.min()), float(z.max()), separation_A)
    out = atoms.copy()
    out.positions[:, 2] -= z_lo
    cell = out.cell.copy()
    cell[2] = (0.0, 0.0, z_hi - z_lo)
    out.set_cell(cell, scale_atoms=False)
    out.pbc = (True, True, True)
    zn = out.positions[:, 2]
    first = 0.5 * (zn[~on_b].max() + zn[on_b].min())
    second = float(cell[2, 2])  # midway between the top of B and the image of A's bottom
    updated = dict(info)
    updated.update(
        periodic_z=True,
        cell_A=[float(v) for v in out.cell.lengths()],
        z_range_a_A=[float(zn[~on_b].min()), float(zn[~on_b].max())],
        z_range_b_A=[float(zn[on_b].min()), float(zn[on_b].max())],
        z_interface_A=float(first),
        z_interfaces_A=[float(first), second],
        periodic_separation_A=float(separation_A),
        n_interfaces=2,
        interface_area_total_A2=2.0 * float(info["area_A2"]),
    )
    return out, updated


def periodic_gap_A(atoms: Atoms) -> float:
    """Gap (Å) across the periodic z boundary: image of the lowest atom minus the highest."""
    z = np.asarray(atoms.positions[:, 2])
    return float(atoms.cell[2, 2] - (z.max() - z.min()))
