"""Coincidence of two 2-D surface lattices: common supercells of small area and strain.

The search follows A. Zur and T. C. McGill, J. Appl. Phys. 55, 378 (1984): list the
superlattices of each surface lattice, Lagrange-(Gauss-)reduce them, and pair those whose
reduced vectors agree in length and angle within a strain budget.  Here the pairing is
done on *oriented* lattices: side B is first rotated about the normal by each requested
angle (``rotations_deg``), and a pair must coincide as vectors, so the reported rotation
is the twist of the interface.

Algorithm (exhaustive within the budget, deterministic):

1. every superlattice of A with natural area up to ``max_area_A2 / (1 - max_strain)²``
   is listed once, as an integer matrix in Hermite normal form ``[[a, b], [0, d]]``
   (``0 <= b < d``, index ``a d``), and reduced;
2. for each reduced cell ``(u1, u2)`` of A and each rotation θ of B, every lattice vector
   ``w`` of B within ``ρ |u|`` of ``u`` is a candidate partner, where ``ρ`` bounds
   ``|F_rel - 1|`` for any pair that can meet the budget (``max_strain`` on both sides and
   ``max_twist_deg``); each pair of candidates ``(w1, w2)`` with the same handedness is a
   superlattice of B;
3. each pair is strained to the common cell and kept if it meets the budget.

Conventions
-----------
* Lattices and cells are 2 x 2 arrays whose *rows* are the in-plane vectors (Å), in
  the lab frame (x, y); a supercell matrix ``M`` (integers) gives the supercell
  ``M @ lattice`` in the basis the caller passed.
* The common cell is the mean of the two natural supercells,
  ``C = (M_A @ L_A + M_B @ R(θ) L_B) / 2``: the misfit is shared about equally, as in
  :func:`structures.coincidence.find_coincidence`, which strains both sides to the mean
  length ``(n_a p_A + n_b p_B) / 2``.
* Side X is deformed by ``F_X`` with ``C = S_X F_X^T``; its polar decomposition
  ``F_X = R(ω_X) U_X`` splits a rigid rotation from the stretch.  The reported strain is
  the Biot strain ``U_X - 1`` (2 x 2, symmetric, dimensionless, in the frame of side X
  before straining: the lab frame for A, the frame of B rotated by θ for B); for a pure
  dilation by ``1 + s`` it is ``s 1``, the strain of :mod:`structures.coincidence`.
  The Green-Lagrange strain ``(F^T F - 1) / 2`` is :meth:`LatticeMatch.green_lagrange`.
* ``max_abs_strain`` is the largest principal-strain magnitude of the two sides; the
  actual twist of B relative to A after straining is ``θ + ω_B - ω_A``, which may differ
  from θ by at most ``max_twist_deg``.
* Cost: the number of superlattices of A grows as about 0.82 (max_area / cell area)²
  (320 000 for Si(111) up to 8000 Å², about 1-2 s); the partner search is cheap when the
  strain budget is tight and grows with it.
* Ranking (deterministic): ``prefer="area"`` (default) takes the smallest area first,
  then the smallest strain; ``prefer="strain"`` the smallest strain first (equal within
  :data:`structures.coincidence.STRAIN_TIE`), then the smallest area.  Remaining ties:
  the smaller ``|θ|``, then θ, then the supercell matrices in Hermite normal form.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .coincidence import STRAIN_TIE, Coincidence, CoincidenceError, _no_match_message

__all__ = [
    "AREA_TIE_A2",
    "LatticeMatch",
    "LatticeMatchError",
    "best_lattice_match",
    "hermite_normal_form",
    "hnf_supercells",
    "match_cubic_001",
    "match_lattices",
    "reduce_basis",
]

#: Areas closer than this (Å²) are treated as equal in the ranking.
AREA_TIE_A2 = 1e-6

#: Safety cap on Lagrange reduction and Euclid steps (each halves a length or an entry).
_MAX_STEPS = 200

#: Budget on candidate pairs held in memory at once (cells x partner pairs).
_CHUNK_PAIRS = 2_000_000


class LatticeMatchError(CoincidenceError):
    """No pair of superlattices meets the area, strain and twist budget."""


def _det(m: np.ndarray) -> np.ndarray:
    """Determinants of stacked 2 x 2 matrices (..., 2, 2)."""
    return m[..., 0, 0] * m[..., 1, 1] - m[..., 0, 1] * m[..., 1, 0]


def _dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Row-wise dot products of stacked 2-vectors (..., 2)."""
    return u[..., 0] * v[..., 0] + u[..., 1] * v[..., 1]


def reduce_basis(basis: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Lagrange-Gauss reduction of 2-D lattice bases.

    Parameters
    ----------
    basis : array_like, shape (2, 2) or (n, 2, 2)
        Rows are the lattice vectors (Å or any unit).

    Returns
    -------
    reduced : ndarray of float, same shape
        A basis ``(b1, b2)`` of the same lattice with ``|b1| <= |b2|``,
        ``|b1·b2| <= |b1|²/2`` (shortest vectors), right-handed (``b1 x b2 > 0``) and,
        when ``|b1| = |b2|``, with an obtuse angle (hexagonal lattices at 120°).
    transform : ndarray of int64, same shape
        Unimodular matrices with ``reduced = transform @ basis``.

    Raises
    ------
    ValueError
        For a singular basis.
    """
    b = np.array(basis, dtype=float)
    shape = b.shape
    b = b.reshape(-1, 2, 2)
    if np.any(np.abs(_det(b)) <= 1e-12 * np.einsum("nij,nij->n", b, b)):
        raise ValueError("singular 2-D basis: the two vectors must be independent")
    t = np.broadcast_to(np.eye(2, dtype=np.int64), b.shape).copy()
    for _ in range(_MAX_STEPS):
        n1, n2 = _dot(b[:, 0], b[:, 0]), _dot(b[:, 1], b[:, 1])
        swap = n2 < n1 * (1.0 - 1e-12)
        b[swap], t[swap] = b[swap][:, ::-1], t[swap][:, ::-1]
        mu = _dot(b[:, 0], b[:, 1]) / np.minimum(n1, n2)
        k = (np.sign(mu) * np.floor(np.abs(mu) + 0.5 - 1e-9)).astype(np.int64)
        if not k.any():
            break
        b[:, 1] -= k[:, None] * b[:, 0]
        t[:, 1] -= k[:, None] * t[:, 0]
    else:  # pragma: no cover - reduction halves a length per step
        raise RuntimeError("Lagrange reduction did not converge")
    left = _det(b) < 0
    b[left, 1] *= -1.0
    t[left, 1] *= -1
    n1, n2, dot = _dot(b[:, 0], b[:, 0]), _dot(b[:, 1], b[:, 1]), _dot(b[:, 0], b[:, 1])
    tie = (dot > 1e-12 * n1) & (n2 <= n1 * (1.0 + 1e-9))
    b[tie] = np.stack([b[tie, 1], -b[tie, 0]], axis=1)
    t[tie] = np.stack([t[tie, 1], -t[tie, 0]], axis=1)
    return b.reshape(shape), t.reshape(shape)


def hermite_normal_form(matrices: ArrayLike) -> np.ndarray:
    """Row Hermite normal form ``[[a, b], [0, d]]`` of integer 2 x 2 matrices.

    ``a, d > 0`` and ``0 <= b < d``: equal forms <=> the rows span the same superlattice.

    Parameters
    ----------
    matrices : array_like of int, shape (2, 2) or (n, 2, 2)

    Returns
    -------
    ndarray of int64, same shape
    """
    m = np.array(matrices, dtype=np.int64)
    shape = m.shape
    m = m.reshape(-1, 2, 2)
    if np.any(_det(m) == 0):
        raise ValueError("singular supercell matrix")
    r0, r1 = m[:, 0].copy(), m[:, 1].copy()
    for _ in range(_MAX_STEPS):
        active = r1[:, 0] != 0
        if not active.any():
            break
        q = np.zeros(len(m), dtype=np.int64)
        q[active] = r0[active, 0] // r1[active, 0]
        remainder = r0 - q[:, None] * r1
        r0 = np.where(active[:, None], r1, r0)
        r1 = np.where(active[:, None], remainder, r1)
    r0 *= np.where(r0[:, :1] < 0, -1, 1)
    r1 *= np.where(r1[:, 1:] < 0, -1, 1)
    out = np.zeros_like(m)
    out[:, 0, 0], out[:, 0, 1], out[:, 1, 1] = r0[:, 0], r0[:, 1] % r1[:, 1], r1[:, 1]
    return out.reshape(shape)


def hnf_supercells(max_index: int) -> np.ndarray:
    """Every superlattice of index 1..``max_index`` once, in Hermite normal form.

    Returns
    -------
    ndarray of int64, shape (n, 2, 2)
        Matrices ``[[a, b], [0, d]]`` sorted by index ``a d``, then a, then b; there are
        σ(N) (the divisor sum) of index N.
    """
    blocks = []
    for a in range(1, max_index + 1):
        for d in range(1, max_index // a + 1):
            m = np.zeros((d, 2, 2), dtype=np.int64)
            m[:, 0, 0], m[:, 0, 1], m[:, 1, 1] = a, np.arange(d), d
            blocks.append(m)
    if not blocks:
        return np.zeros((0, 2, 2), dtype=np.int64)
    cells = np.concatenate(blocks)
    order = np.lexsort((cells[:, 0, 1], cells[:, 0, 0], cells[:, 0, 0] * cells[:, 1, 1]))
    return cells[order]


@dataclass(frozen=True, eq=False)
class LatticeMatch:
    """A common 2-D supercell of two surface lattices.

    Attributes
    ----------
    supercell_a, supercell_b : ndarray of int, shape (2, 2)
        Rows: the common cell's vectors in the basis of each side's lattice as passed
        (side B before its rotation).
    cell_A : ndarray, shape (2, 2)
        The common (strained) cell, rows in the lab frame (Å); Lagrange-reduced.
    strain_a, strain_b : ndarray, shape (2, 2)
        Biot strain ``U - 1`` of each side (dimensionless), in the frame of the side
        before straining (B: after its rotation by ``rotation_deg``).
    rotation_deg : float
        Rotation of side B about the normal (degrees, counter-clockwise) requested.
    twist_deg : float
        Twist of B relative to A after straining, ``rotation_deg + ω_B - ω_A`` (deg).
    area_A2 : float
        Area of the common cell (Å²).
    max_abs_strain : float
        Largest principal-strain magnitude of the two sides.
    n_cells_a, n_cells_b : int
        Surface primitive cells of each side in the common cell.
    n_atoms : int
        ``n_cells_a * atoms_per_cell[0] + n_cells_b * atoms_per_cell[1]``: atoms per
        repeat along the normal (an estimate of the cost).
    """

    supercell_a: np.ndarray
    supercell_b: np.ndarray
    cell_A: np.ndarray
    strain_a: np.ndarray
    strain_b: np.ndarray
    rotation_deg: float
    twist_deg: float
    area_A2: float
    max_abs_strain: float
    n_cells_a: int
    n_cells_b: int
    n_atoms: int

    @property
    def lengths_A(self) -> tuple[float, float]:
        """Lengths of the two common-cell vectors (Å)."""
        return tuple(float(v) for v in np.linalg.norm(self.cell_A, axis=1))

    @property
    def angle_deg(self) -> float:
        """Angle between the two common-cell vectors (degrees)."""
        u, v = self.cell_A
        return math.degrees(math.atan2(abs(_det(self.cell_A)), float(_dot(u, v))))

    def green_lagrange(self, side: str) -> np.ndarray:
        """Green-Lagrange strain ``((1 + e)² - 1) / 2`` of side ``"a"`` or ``"b"``."""
        biot = {"a": self.strain_a, "b": self.strain_b}[side]
        stretch = np.eye(2) + biot
        return 0.5 * (stretch @ stretch - np.eye(2))

    def as_dict(self) -> dict:
        """JSON-serialisable copy (lists for arrays)."""
        return {key: (value.tolist() if isinstance(value, np.ndarray) else value)
                for key, value in self.__dict__.items()}


def _as_lattice(lattice: ArrayLike, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Checked 2 x 2 lattice and its reduced basis with the transform from it."""
    lat = np.asarray(lattice, dtype=float)
    if lat.shape != (2, 2) or not np.all(np.isfinite(lat)):
        raise ValueError(f"{name} must be a 2 x 2 array of in-plane vectors (rows, Å)")
    reduced, transform = reduce_basis(lat)
    return reduced, transform


def _rotation(angle_rad: float) -> np.ndarray:
    """Counter-clockwise rotation matrix about z (2 x 2)."""
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return np.array([[c, -s], [s, c]])


def _strains(supercells: np.ndarray, common: np.ndarray) -> tuple[np.ndarray, ...]:
    """Biot strain, largest principal magnitude and polar rotation angle (rad).

    Of the deformation F that takes ``supercells`` (rows) onto ``common`` (rows).
    """
    f = np.swapaxes(np.linalg.solve(supercells, common), 1, 2)  # C = S F^T
    omega = np.arctan2(f[:, 1, 0] - f[:, 0, 1], f[:, 0, 0] + f[:, 1, 1])
    c, s = np.cos(omega), np.sin(omega)
    back = np.stack([np.stack([c, s], -1), np.stack([-s, c], -1)], 1)  # R(-ω)
    u = back @ f
    strain = 0.5 * (u + np.swapaxes(u, 1, 2)) - np.eye(2)
    mean = 0.5 * (strain[:, 0, 0] + strain[:, 1, 1])
    radius = np.hypot(0.5 * (strain[:, 0, 0] - strain[:, 1, 1]), strain[:, 0, 1])
    return strain, np.abs(mean) + radius, omega


def _partners(cells: np.ndarray, lattice_b: np.ndarray, rho: float):
    """Superlattices of ``lattice_b`` whose vectors lie near those of each cell.

    ``lattice_b`` is reduced (rows); a partner's vectors lie within ``rho |u|`` of the
    vectors ``u`` of a cell in ``cells`` (n, 2, 2).

    Returns the index of the cell and the integer matrix (in the basis ``lattice_b``) of
    each candidate partner with the same handedness.
    """
    inverse = np.linalg.inv(lattice_b)
    widths = np.linalg.norm(inverse, axis=0)  # |d coordinate_j| <= |d u| widths[j]
    radius = (rho + 1e-12) * np.linalg.norm(cells, axis=2)  # (n, 2)
    coords = cells @ inverse
    low = np.ceil(coords - radius[..., None] * widths - 1e-9).astype(np.int64)
    high = np.floor(coords + radius[..., None] * widths + 1e-9).astype(np.int64)
    span = (high - low + 1).max(axis=(0, 1)) if len(cells) else np.zeros(2, np.int64)
    grid = np.stack(np.meshgrid(np.arange(max(span[0], 0)), np.arange(max(span[1], 0)),
                                indexing="ij"), -1).reshape(-1, 2)
    n_grid = len(grid)
    found_cells, found_k = [], []
    step = max(1, _CHUNK_PAIRS // max(1, n_grid * n_grid))
    for start in range(0, len(cells), step):
        part = slice(start, start + step)
        k = low[part, :, None, :] + grid  # (m, 2, g, 2)
        ok = np.all(k <= high[part, :, None, :], axis=-1)
        miss = np.linalg.norm(k @ lattice_b - cells[part, :, None, :], axis=-1)
        ok &= miss <= radius[part, :, None] * (1 + 1e-12) + 1e-12
        idx, g0, g1 = np.nonzero(ok[:, 0, :, None] & ok[:, 1, None, :])
        pairs = np.stack([k[idx, 0, g0], k[idx, 1, g1]], axis=1)
        keep = _det(pairs) > 0
        found_cells.append(idx[keep] + start)
        found_k.append(pairs[keep])
    if not found_cells:
        return np.zeros(0, np.int64), np.zeros((0, 2, 2), np.int64)
    return np.concatenate(found_cells), np.concatenate(found_k)


def _canonical(cells: np.ndarray, ma: np.ndarray, mb: np.ndarray):
    """Reduce the common cells and carry the supercell matrices along.

    The first vector points into x >= 0 (a unique choice among ±(b1, b2)).
    """
    reduced, t = reduce_basis(cells)
    flip = (reduced[:, 0, 0] < -1e-9) | ((np.abs(reduced[:, 0, 0]) <= 1e-9)
                                         & (reduced[:, 0, 1] < 0))
    sign = np.where(flip, -1, 1)[:, None, None]
    t = t * sign
    return reduced * sign, t @ ma, t @ mb


def match_lattices(lattice_a: ArrayLike, lattice_b: ArrayLike, *, max_area_A2: float,
                   max_strain: float, rotations_deg: Iterable[float] = (0.0,),
                   min_area_A2: float = 0.0, max_twist_deg: float = 1e-3,
                   prefer: str = "area", atoms_per_cell: tuple[int, int] = (1, 1),
                   supercells_a: ArrayLike | None = None,
                   max_results: int | None = None) -> list[LatticeMatch]:
    """Common supercells of two surface lattices within an area and strain budget.

    Parameters
    ----------
    lattice_a, lattice_b : array_like, shape (2, 2)
        In-plane lattice vectors (rows, Å, lab frame) of side A and side B, e.g.
        :attr:`structures.oriented.OrientedCell.surface_lattice_A`.
    max_area_A2
        Largest area of the common cell (Å²).
    max_strain
        Largest principal-strain magnitude on either side (dimensionless, < 0.5).
    rotations_deg
        Rotations of side B about the normal (degrees, counter-clockwise) to try: a list
        or e.g. ``np.arange(0, 60, 0.5)``.
    min_area_A2
        Smallest area of the common cell (Å²).
    max_twist_deg
        Largest deviation (degrees) of the actual twist (after straining) from the
        requested rotation; the default only absorbs rounding.
    prefer
        ``"area"`` (smallest cell first) or ``"strain"`` (lowest strain first).
    atoms_per_cell
        Atoms in one surface primitive cell of each side per repeat along the normal
        (``len(OrientedCell.atoms)``), for the ``n_atoms`` estimate.
    supercells_a : array_like of int, shape (n, 2, 2), optional
        Try only these supercells of A (rows in the basis of ``lattice_a``), e.g. square
        cells; default: every superlattice in the area budget.
    max_results
        Return at most this many matches (default all).

    Returns
    -------
    list of LatticeMatch
        Best first (see the module docstring); empty when nothing meets the budget.
    """
    if not 0.0 <= max_strain < 0.5:
        raise ValueError(f"max_strain must be in [0, 0.5), got {max_strain}")
    if not max_area_A2 > 0 or min_area_A2 < 0:
        raise ValueError("max_area_A2 must be positive and min_area_A2 >= 0 (Å²)")
    if prefer not in ("area", "strain"):
        raise ValueError(f"prefer must be 'area' or 'strain', got {prefer!r}")
    if max_twist_deg < 0:
        raise ValueError(f"max_twist_deg must be >= 0, got {max_twist_deg}")
    rotations = [float(theta) for theta in rotations_deg]
    if not rotations:
        raise ValueError("rotations_deg is empty: give at least one angle (degrees)")
    red_a, _ = _as_lattice(lattice_a, "lattice_a")
    red_b, t_b = _as_lattice(lattice_b, "lattice_b")
    if supercells_a is None:
        max_index = int(max_area_A2 / ((1.0 - max_strain) ** 2 * abs(_det(red_a))) + 1e-9)
        cells_int = hnf_supercells(max_index)
    else:
        cells_int = np.array(supercells_a, dtype=np.int64).reshape(-1, 2, 2)
    cells_int, cells = _reduce_integer(cells_int, np.asarray(lattice_a, dtype=float))
    twist = math.radians(max_twist_deg)
    rho = ((1 + max_strain) * 2 * math.sin(twist / 2) + 2 * max_strain) / (1 - max_strain)
    found = [_evaluate(cells, cells_int, red_b, t_b, theta, rho, max_strain, twist,
                       (min_area_A2, max_area_A2))
             for theta in rotations]
    merged = {key: np.concatenate([f[key] for f in found]) for key in found[0]}
    return _ranked(merged, prefer, atoms_per_cell, max_results)


def _reduce_integer(cells_int: np.ndarray, lattice: np.ndarray):
    """Reduce the supercells ``cells_int @ lattice``: (reduced integer matrices, cells)."""
    if len(cells_int) == 0:
        return cells_int, np.zeros((0, 2, 2))
    cells, t = reduce_basis(cells_int @ lattice)
    return t @ cells_int, cells


def _evaluate(cells, cells_int, red_b, t_b, theta_deg, rho, max_strain, twist, areas):
    """Matches of the A cells with superlattices of B rotated by ``theta_deg``."""
    lattice_b = red_b @ _rotation(math.radians(theta_deg)).T
    index, k = _partners(cells, lattice_b, rho)
    sa, sb = cells[index], k @ lattice_b
    common = 0.5 * (sa + sb)
    strain_a, max_a, omega_a = _strains(sa, common)
    strain_b, max_b, omega_b = _strains(sb, common)
    area = np.abs(_det(common))
    worst = np.maximum(max_a, max_b)
    keep = ((worst <= max_strain) & (np.abs(omega_b - omega_a) <= twist + 1e-12)
            & (area >= areas[0]) & (area <= areas[1]))
    common, ma, mb = _canonical(common[keep], cells_int[index[keep]], k[keep] @ t_b)
    return {"cell": common, "ma": ma, "mb": mb, "strain_a": strain_a[keep],
            "strain_b": strain_b[keep], "area": area[keep], "worst": worst[keep],
            "theta": np.full(int(keep.sum()), theta_deg),
            "twist": theta_deg + np.degrees(omega_b[keep] - omega_a[keep])}


def _ranked(found: dict, prefer: str, atoms_per_cell, max_results) -> list[LatticeMatch]:
    """Deduplicate (same superlattices and rotation) and sort; build the results."""
    if len(found["area"]) == 0:
        return []
    hnf_a = hermite_normal_form(found["ma"]).reshape(-1, 4)[:, [0, 1, 3]]
    hnf_b = hermite_normal_form(found["mb"]).reshape(-1, 4)[:, [0, 1, 3]]
    area_key = np.round(found["area"] / AREA_TIE_A2)
    strain_key = np.round(found["worst"] / STRAIN_TIE)
    first, second = (area_key, strain_key) if prefer == "area" else (strain_key, area_key)
    keys = (*[hnf_b[:, i] for i in (2, 1, 0)], *[hnf_a[:, i] for i in (2, 1, 0)],
            found["theta"], np.abs(found["theta"]), second, first)
    order = np.lexsort(keys)
    ident = np.column_stack([hnf_a, hnf_b, found["theta"]])[order]
    _, unique = np.unique(ident, axis=0, return_index=True)
    order = order[np.sort(unique)][:max_results]
    n_a, n_b = np.abs(_det(found["ma"])), np.abs(_det(found["mb"]))
    return [LatticeMatch(
        supercell_a=found["ma"][i], supercell_b=found["mb"][i], cell_A=found["cell"][i],
        strain_a=found["strain_a"][i], strain_b=found["strain_b"][i],
        rotation_deg=float(found["theta"][i]), twist_deg=float(found["twist"][i]),
        area_A2=float(found["area"][i]), max_abs_strain=float(found["worst"][i]),
        n_cells_a=int(n_a[i]), n_cells_b=int(n_b[i]),
        n_atoms=int(n_a[i] * atoms_per_cell[0] + n_b[i] * atoms_per_cell[1]))
        for i in order]


def best_lattice_match(lattice_a: ArrayLike, lattice_b: ArrayLike, **options) -> LatticeMatch:
    """The first match of :func:`match_lattices` (same keyword options).

    Raises
    ------
    LatticeMatchError
        When nothing meets the budget; the message names the fields to relax.
    """
    matches = match_lattices(lattice_a, lattice_b, max_results=1, **options)
    if not matches:
        raise LatticeMatchError(
            f"no common supercell with area <= max_area_A2 = {options.get('max_area_A2')} Å², "
            f"strain <= max_strain = {options.get('max_strain')} and rotations "
            f"{list(options.get('rotations_deg', (0.0,)))} deg: increase max_area_A2 or "
            "max_strain, or try other rotations_deg")
    return matches[0]


#: Supercell of a square a/√2 (001) surface cell that is the conventional cell a x a.
_CONVENTIONAL = np.array([[1, -1], [1, 1]], dtype=np.int64)


def match_cubic_001(a_A: float, a_B: float, *, max_lateral_A: float, max_strain: float,
                    min_lateral_A: float = 0.0, allow_rotated: bool = True) -> Coincidence:
    """:func:`structures.coincidence.find_coincidence` through the general search.

    Both (001) faces are square surface lattices of period ``a/√2`` (x along [110]),
    untwisted (cube on cube).  Side A is restricted to square supercells of
    :mod:`structures.coincidence`: ``n 1`` (the 45°-rotated cell, n a/√2 wide, only if
    ``allow_rotated``) and ``n [[1, -1], [1, 1]]`` (n conventional cells a wide); side B
    must be the same kind of square.  Among those with
    ``min_lateral_A <= L <= max_lateral_A`` and strain ``<= max_strain`` the lowest strain
    wins (then the shortest L), exactly as in ``find_coincidence``, whose arguments and
    result type this takes.

    Raises
    ------
    CoincidenceError
        As ``find_coincidence`` (same message).
    """
    if min(a_A, a_B) <= 0 or max_lateral_A <= 0 or max_strain < 0:
        raise ValueError("a_A, a_B, max_lateral_A must be positive and max_strain >= 0")
    p_a, p_b = a_A / math.sqrt(2.0), a_B / math.sqrt(2.0)
    n_conv = int(max_lateral_A / a_A * (1 + max_strain)) + 1
    n_rot = int(max_lateral_A * math.sqrt(2.0) / a_A * (1 + max_strain)) + 1
    cells = [n * _CONVENTIONAL for n in range(1, n_conv + 1)]
    if allow_rotated:
        cells += [n * np.eye(2, dtype=np.int64) for n in range(1, n_rot + 1)]
    matches = match_lattices(p_a * np.eye(2), p_b * np.eye(2), supercells_a=np.array(cells),
                             max_area_A2=max_lateral_A ** 2 * (1 + 1e-9) + 1.0,
                             max_strain=max_strain, prefer="strain")
    for match in matches:
        coincidence = _as_coincidence(match, p_a, p_b)
        if (coincidence is not None
                and min_lateral_A <= coincidence.lateral_A <= max_lateral_A):
            return coincidence
    if min_lateral_A > max_lateral_A:
        raise CoincidenceError(f"min_lateral_A = {min_lateral_A} Å exceeds max_lateral_A = "
                               f"{max_lateral_A} Å: lower min_lateral_A or raise max_lateral_A")
    raise CoincidenceError(_no_match_message(a_A, a_B, max_lateral_A, max_strain,
                                             min_lateral_A, allow_rotated))


def _square_kind(matrix: np.ndarray) -> tuple[int, bool] | None:
    """``(n, rotated_45)`` of a square supercell ``n 1`` or ``n [[1, -1], [1, 1]]``."""
    (a, b), (_, d) = hermite_normal_form(matrix)
    if b == 0 and a == d:
        return int(a), True
    if b == a and d == 2 * a:
        return int(a), False
    return None


def _as_coincidence(match: LatticeMatch, p_a: float, p_b: float) -> Coincidence | None:
    """The :class:`Coincidence` of a square match (None for any other shape)."""
    kind_a, kind_b = _square_kind(match.supercell_a), _square_kind(match.supercell_b)
    if kind_a is None or kind_b is None or kind_a[1] != kind_b[1]:
        return None
    scale = 1.0 if kind_a[1] else math.sqrt(2.0)
    natural_a, natural_b = kind_a[0] * p_a * scale, kind_b[0] * p_b * scale
    length = match.lengths_A[0]
    return Coincidence(n_a=kind_a[0], n_b=kind_b[0], lateral_A=length,
                       strain_a=float(np.trace(match.strain_a) / 2),
                       strain_b=float(np.trace(match.strain_b) / 2),
                       mismatch=(natural_b - natural_a) / length, rotated_45=kind_a[1])
