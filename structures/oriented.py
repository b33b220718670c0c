"""Bulk cells oriented for a low-index plane: the plane normal along +z, periodic in 3-D.

For a plane (h k l) (Miller indices in the conventional cell; for hexagonal lattices also
Miller-Bravais (h k i l) with i = -(h + k)), :func:`oriented_cell` returns a cell of the
same crystal with

* the in-plane lattice vectors a and b in the xy plane, a along +x (a Lagrange-reduced
  basis of the plane's 2-D lattice: shortest vectors, right-handed about +z, 120° rather
  than 60° for hexagonal nets);
* the third vector c = one lattice step to the next lattice plane, c_z = d (the spacing
  of the lattice planes, Å) > 0, its in-plane component reduced into the surface cell.

The cell is a unimodular change of basis of the bulk cell (same volume, same atoms), so
it is exactly periodic along all three vectors; but c is in general *not* normal to the
plane.  An interface stacked along z needs c ∥ z: :func:`orthogonal_layers` finds the
fewest lattice planes k whose stacking offset is a lattice vector of the plane, and
:func:`orthogonalize` returns the k-plane cell with c = (0, 0, k d).  k is the period of
the stacking sequence of the Bravais lattice: 1 for cubic (001) of simple-cubic stacking
and hcp (0001) (c ⊥ basal plane), 2 for fcc/diamond (001) and (110) and bcc (001) and
(110), 3 for fcc/diamond (111) (ABC) and bcc (111) (for the hexagonal lattices a plane
with c-axis tilt, such as (10-11), has an offset that depends on c/a: no finite k exists
unless c/a is rational; an error says so).

Every function is pure geometry (ASE and NumPy); lengths in Å, angles in degrees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from ase import Atoms

from .lattice_match import reduce_basis

__all__ = [
    "DEFAULT_MAX_LAYERS",
    "OrientedCell",
    "is_hexagonal_cell",
    "miller_indices",
    "orient_about_z",
    "oriented_cell",
    "orthogonal_layers",
    "orthogonalize",
]

#: Most lattice planes :func:`orthogonal_layers` tries before giving up.
DEFAULT_MAX_LAYERS = 24

#: Tolerance on fractional coordinates (dimensionless).
_FRAC_TOL = 1e-6


@dataclass(frozen=True, eq=False)
class OrientedCell:
    """A bulk cell with a lattice plane normal to z.

    Attributes
    ----------
    atoms : ase.Atoms
        Periodic in 3-D; cell rows a, b (in xy, a along x unless rotated) and c
        (``c_z > 0``; along z if orthogonal).
    miller : tuple of int
        The plane (h, k, l) in the conventional cell (3-index also for hexagonal).
    surface_lattice_A : ndarray, shape (2, 2)
        In-plane lattice vectors a and b (rows, x and y components, Å).
    layer_spacing_A : float
        Distance d between successive lattice planes (Å); c_z is ``n_layers d``.
    n_layers : int
        Lattice planes in the cell along z (repeats times planes per repeat).
    orthogonal : bool
        True when c is along z.
    rotation : ndarray, shape (3, 3)
        Rotation taking the bulk crystal's Cartesian frame to the cell's frame
        (``positions_cell = positions_bulk @ rotation.T``, up to lattice translations).
    directions : tuple of tuple of int
        Crystal directions [uvw] (conventional cell, smallest integers) of a, b and of the
        plane normal's lattice step c of one plane (non-orthogonal c).
    """

    atoms: Atoms
    miller: tuple[int, int, int]
    surface_lattice_A: np.ndarray
    layer_spacing_A: float
    n_layers: int
    orthogonal: bool
    rotation: np.ndarray
    directions: tuple[tuple[int, ...], ...]

    @property
    def area_A2(self) -> float:
        """Area of the in-plane cell (Å²)."""
        return float(abs(np.linalg.det(self.surface_lattice_A)))


def is_hexagonal_cell(cell: np.ndarray, *, tol: float = 1e-6) -> bool:
    """True for a cell with |a| = |b|, a·b = ∓|a|²/2 (120° or 60°) and c ⊥ a, b."""
    a, b, c = np.asarray(cell, dtype=float)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    scale = max(na, nb) * max(na, np.linalg.norm(c))
    return bool(abs(na - nb) <= tol * na and abs(abs(a @ b) - 0.5 * na * nb) <= tol * na * nb
                and abs(a @ c) <= tol * scale and abs(b @ c) <= tol * scale)


def miller_indices(plane: Sequence[int], *, hexagonal: bool) -> tuple[int, int, int]:
    """Three-index Miller indices of ``plane``.

    Parameters
    ----------
    plane
        (h, k, l) or, for a hexagonal lattice, (h, k, i, l) with i = -(h + k).
    hexagonal
        Whether the conventional cell is hexagonal (4-index input allowed).

    Raises
    ------
    ValueError
        For non-integers, the zero plane, a 4-index plane of a non-hexagonal lattice or
        i != -(h + k).
    """
    values = tuple(plane)
    if len(values) not in (3, 4) or any(int(v) != v for v in values):
        raise ValueError(f"plane {values} must be 3 integers (h k l) or, for hexagonal "
                         "lattices, 4 (h k i l)")
    values = tuple(int(v) for v in values)
    if len(values) == 4:
        if not hexagonal:
            raise ValueError(f"plane {values}: Miller-Bravais (h k i l) indices need a "
                             "hexagonal lattice; give (h k l)")
        h, k, i, l_ = values
        if i != -(h + k):
            raise ValueError(f"plane {values}: i must be -(h + k) = {-(h + k)}, got {i}")
        values = (h, k, l_)
    if not any(values):
        raise ValueError("plane (0 0 0) has no normal")
    return values


def _integer_direction(vector: np.ndarray, *, max_denominator: int = 240) -> np.ndarray:
    """Smallest integer vector parallel to ``vector`` (same sense)."""
    v = np.asarray(vector, dtype=float)
    v = v / np.abs(v).max()
    fractions = [Fraction(float(x)).limit_denominator(max_denominator) for x in v]
    if np.abs(np.array([float(f) for f in fractions]) - v).max() > 1e-6:
        raise ValueError(f"direction {vector} is not rational in the conventional cell")
    lcm = math.lcm(*(f.denominator for f in fractions))
    ints = np.array([int(f * lcm) for f in fractions], dtype=np.int64)
    return ints // math.gcd(*ints.tolist())


def _unimodular_completion(m: np.ndarray) -> np.ndarray:
    """Integer matrix U, det ±1, with ``m @ U = (0, 0, 1)`` for coprime integers ``m``.

    Column operations (Euclid) on m: the first two columns of U span the integer
    vectors n with m·n = 0, the third has m·n = 1.
    """
    w, u = m.astype(np.int64).copy(), np.eye(3, dtype=np.int64)
    while np.count_nonzero(w) > 1:
        nonzero = np.flatnonzero(w)
        pivot = nonzero[np.argmin(np.abs(w[nonzero]))]
        for j in nonzero:
            if j != pivot:
                q = w[j] // w[pivot]
                w[j] -= q * w[pivot]
                u[:, j] -= q * u[:, pivot]
    last = int(np.flatnonzero(w)[0])
    order = [j for j in range(3) if j != last] + [last]
    u, w = u[:, order], w[order]
    if w[2] < 0:
        u[:, 2] *= -1
    return u


def _frame(v1: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Rotation (rows e1, e2, e3) with e1 ∥ v1 and e3 ∥ normal."""
    e1 = v1 / np.linalg.norm(v1)
    e3 = normal / np.linalg.norm(normal)
    return np.array([e1, np.cross(e3, e1), e3])


def _plane_basis(primitive: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Integer rows (3 x 3) of the oriented basis in the primitive basis.

    Two reduced in-plane vectors (right-handed about ``normal``) and one step to the next
    lattice plane.
    """
    miller = _integer_direction(primitive @ normal)  # plane in the primitive basis
    u = _unimodular_completion(miller).T  # rows: in-plane, in-plane, out-of-plane
    frame = _frame(u[0] @ primitive, normal)
    flat = (u[:2] @ primitive @ frame.T)[:, :2]
    _, t = reduce_basis(flat)
    in_plane = t @ u[:2]
    flat = (in_plane @ primitive @ frame.T)[:, :2]
    offset = np.linalg.solve(flat.T, ((u[2] @ primitive @ frame.T)[:2]))
    step = u[2] - np.floor(offset + 0.5 - _FRAC_TOL).astype(np.int64) @ in_plane
    return np.vstack([in_plane, step])


def orient_about_z(atoms: Atoms, angle_deg: float) -> Atoms:
    """Copy of ``atoms`` (cell and positions) rotated counter-clockwise about z."""
    out = atoms.copy()
    angle = math.radians(angle_deg)
    rot = np.array([[math.cos(angle), -math.sin(angle), 0.0],
                    [math.sin(angle), math.cos(angle), 0.0], [0.0, 0.0, 1.0]])
    out.set_cell(np.array(atoms.cell) @ rot.T, scale_atoms=False)
    out.positions = atoms.positions @ rot.T
    return out


def _clean_cell(cell: np.ndarray, tol: float = 1e-10) -> np.ndarray:
    """Zero the components that are zero by construction (a_y, a_z, b_z) and rounding."""
    cell = np.array(cell, dtype=float)
    cell[0, 1:] = 0.0
    cell[1, 2] = 0.0
    cell[np.abs(cell) < tol] = 0.0
    return cell


def _wrapped(atoms: Atoms) -> Atoms:
    """Positions wrapped into [0, 1) fractional coordinates (edges to 0, no -0.0)."""
    frac = atoms.get_scaled_positions(wrap=False)
    frac -= np.floor(frac + _FRAC_TOL)
    atoms.set_scaled_positions(frac)
    atoms.positions = atoms.positions + 0.0
    return atoms


def oriented_cell(crystal: Atoms, plane: Sequence[int], *, rotation_deg: float = 0.0,
                  n_repeats: int = 1, orthogonal: bool = False,
                  conventional_cell_A: np.ndarray | None = None,
                  max_layers: int = DEFAULT_MAX_LAYERS) -> OrientedCell:
    """Bulk cell of ``crystal`` with the plane ``plane`` normal to +z.

    Parameters
    ----------
    crystal
        A periodic bulk cell (primitive or not), e.g. from
        :func:`structures.lattices.bulk_crystal`.
    plane
        (h k l), or (h k i l) for a hexagonal lattice, in the conventional cell.
    rotation_deg
        Rotation of the whole oriented cell about z (degrees, counter-clockwise); a then
        points at this angle from x.
    n_repeats
        Repeats of the cell along c (one lattice plane each, or one orthogonal period
        of :func:`orthogonal_layers` planes when ``orthogonal``).
    orthogonal
        Make c normal to the plane (:func:`orthogonalize`).
    conventional_cell_A
        Cell (rows, Å) of the Miller indices; default ``crystal.info
        ["conventional_cell_A"]`` (set by :mod:`structures.lattices`), else the crystal's
        own cell.
    max_layers
        Most lattice planes tried when ``orthogonal``.

    Returns
    -------
    OrientedCell
    """
    if n_repeats < 1 or int(n_repeats) != n_repeats:
        raise ValueError(f"n_repeats must be a positive integer, got {n_repeats}")
    conventional = np.asarray(crystal.info.get("conventional_cell_A", crystal.cell)
                              if conventional_cell_A is None else conventional_cell_A,
                              dtype=float)
    hkl = miller_indices(plane, hexagonal=is_hexagonal_cell(conventional))
    normal = np.asarray(hkl, dtype=float) @ np.linalg.inv(conventional).T
    primitive = np.array(crystal.cell)
    basis = _plane_basis(primitive, normal) @ primitive
    rotation = _frame(basis[0], normal)
    atoms = crystal.copy()
    atoms.set_cell(_clean_cell(basis @ rotation.T), scale_atoms=False)
    atoms.positions = crystal.positions @ rotation.T
    atoms = _wrapped(atoms)
    directions = tuple(tuple(int(x) for x in _integer_direction(v @ np.linalg.inv(conventional)))
                       for v in basis)
    spacing = float(atoms.cell[2, 2])
    layers = 1
    if orthogonal:
        atoms, layers = orthogonalize(atoms, max_layers=max_layers)
    atoms = atoms.repeat((1, 1, int(n_repeats)))
    if rotation_deg:
        atoms = orient_about_z(atoms, rotation_deg)
    return OrientedCell(atoms=atoms, miller=hkl, surface_lattice_A=np.array(atoms.cell)[:2, :2],
                        layer_spacing_A=spacing, n_layers=layers * int(n_repeats),
                        orthogonal=orthogonal, rotation=rotation, directions=directions)


def orthogonal_layers(cell: np.ndarray, *, max_layers: int = DEFAULT_MAX_LAYERS) -> int:
    """Fewest lattice planes k whose stacking offset is an in-plane lattice vector.

    ``k c`` minus that in-plane vector is then the shortest lattice vector along the
    normal (length ``k c_z``).

    Parameters
    ----------
    cell : array_like, shape (3, 3)
        Rows a, b in the xy plane and c with ``c_z > 0`` (an oriented cell of one plane).
    max_layers
        Largest k tried.

    Raises
    ------
    ValueError
        When no k <= ``max_layers`` works (irrational offset, e.g. hcp (10-11) at a
        non-ideal c/a, or a high-index plane).
    """
    cell = np.asarray(cell, dtype=float)
    offset = np.linalg.solve(cell[:2, :2].T, cell[2, :2])  # in units of a, b
    for k in range(1, max_layers + 1):
        shifted = k * offset
        if np.abs(shifted - np.round(shifted)).max() < _FRAC_TOL * k:
            return k
    raise ValueError(f"no lattice vector along the normal within {max_layers} planes "
                     f"(in-plane stacking offset {offset.round(6).tolist()} of a, b): the "
                     "plane has no orthogonal cell of that size; raise max_layers or "
                     "choose another plane")


def orthogonalize(atoms: Atoms, *, max_layers: int = DEFAULT_MAX_LAYERS) -> tuple[Atoms, int]:
    """The oriented one-plane cell ``atoms`` made orthogonal: c = (0, 0, k c_z).

    Returns
    -------
    atoms : ase.Atoms
        k times as many atoms, same a and b, c along z, positions wrapped into the cell.
    k : int
        Lattice planes per orthogonal period (:func:`orthogonal_layers`).
    """
    cell = np.array(atoms.cell)
    k = orthogonal_layers(cell, max_layers=max_layers)
    stacked = atoms.repeat((1, 1, k))
    new = cell.copy()
    new[2] = (0.0, 0.0, k * cell[2, 2])
    stacked.set_cell(new, scale_atoms=False)
    return _wrapped(stacked), k
