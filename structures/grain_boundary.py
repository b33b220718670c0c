"""Coincidence-site-lattice (CSL) bicrystals of cubic crystals and their grain-boundary energy.

Geometry (lengths in Å): z is the boundary normal, x and y lie in the boundary plane and
the cell is orthorhombic and periodic in x, y and z.  Grain 1 fills ``0 <= z < L1``,
grain 2 fills ``L1 + t_z <= z < L1 + L2 + t_z`` and the cell is ``L1 + L2 + 2 t_z``
long, so it holds TWO boundaries (near z = L1 and near z = 0 ≡ L) with the same
opening ``t_z``; ``atoms.arrays["grain"]`` is 1 or 2.  Each grain's thickness is a
whole number of its lattice periods along z, and its first plane sits at its own lattice
origin.  Misorientations are rotations about [001] (Σ = m² + n², divided by 2 while
even, θ = 2 atan(n/m): S. Ranganathan, Acta Cryst. 21, 197 (1966), with N = 1):

* ``"tilt"``: symmetric tilt boundary on the (h k 0) plane; the grains are rotated by
  ±θ/2 about x = [001] (tilt axis, period a) with θ = 2 atan(k/h), so that the
  boundary plane is (h -k 0) in grain 1 and (h k 0) in grain 2 (a mirror plane);
* ``"twist"``: (001) twist boundary; z = [001] and x bisects the two grains' [100]
  (or [110], whichever gives the shorter CSL period: a√Σ or a√(Σ/2)).

Σ = 1 gives two grains of identical orientation: a perfect crystal cut the same way,
the null test of the energy.  The lowest-energy structure is searched over rigid in-plane
translations of grain 2 and over atom-deletion criteria (one atom of every pair closer
than a fraction of the nearest-neighbour distance across a boundary is removed), each
candidate being minimised with LAMMPS, as in M. A. Tschopp and D. L. McDowell,
Phil. Mag. 87, 3871 (2007).  The LAMMPS minimisation lives in :mod:`.lammps_minimise`.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list
from scipy.spatial import cKDTree

from engine.energy import BulkProperties, as_potential, relax_cubic_lattice
from engine.minimise import Minimised, minimise
from potentials import Potential

from .checks import min_interatomic_distance
from .crystals import conventional_cell, nearest_neighbour_distance

__all__ = [
    "DEFAULT_OVERLAP_FRACTIONS",
    "EV_PER_A2_IN_J_PER_M2",
    "CslMisorientation",
    "boundary_planes_A",
    "build_bicrystal",
    "build_grain_boundary",
    "check_grain_atom_counts",
    "check_grain_periodicity",
    "coincidence_sigma",
    "csl_frame",
    "csl_misorientation",
    "fitted_orientation",
    "grain_boundary_energy_J_m2",
    "lowest_energy_bicrystal",
    "recovered_misorientation_deg",
    "relax_bicrystal",
    "remove_boundary_overlaps",
]

#: 1 eV/Å² in J/m² (1.602176634e-19 J / 1e-20 m², CODATA 2018 exact e).
EV_PER_A2_IN_J_PER_M2 = 16.02176634

#: Atom-deletion criteria: fractions of the nearest-neighbour distance (Tschopp & McDowell).
DEFAULT_OVERLAP_FRACTIONS = (0.3, 0.5, 0.7, 0.9)

#: Lattices with an fcc Bravais lattice that the builder knows.
GB_LATTICES = ("fcc", "diamond")

#: Reference frame of a [001] tilt: crystal [001] -> lab x, [010] -> -lab y, [100] -> lab z.
_TILT_FRAME = np.array([[0.0, 0.0, 1.0], [0.0, -1.0, 0.0], [1.0, 0.0, 0.0]])

#: Fcc Bravais lattice points of the conventional cell (units of a).
_FCC_POINTS = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])

_TOL_A = 1e-6


class CslMisorientation(NamedTuple):
    """Misorientation about [001] (degrees) and each grain's rotation (crystal -> reference).

    The rotations act on column vectors of crystal coordinates; grain 1 is rotated by
    +θ/2 and grain 2 by -θ/2 about [001].
    """

    angle_deg: float
    rotation_grain1: np.ndarray
    rotation_grain2: np.ndarray


def _rotation_z(angle_rad: float) -> np.ndarray:
    """Rotation matrix by ``angle_rad`` about z."""
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _reduced_sigma(value: int) -> int:
    """m² + n² divided by 2 while even: the Σ of a [001] coincidence rotation."""
    while value > 0 and value % 2 == 0:
        value //= 2
    return value


def _normalised_plane(plane) -> tuple[int, int, int]:
    """Integer (h k l) with |h| >= |k| >= 0 and no common factor (cubic equivalents)."""
    if len(plane) != 3 or any(int(v) != v for v in plane) or not any(plane):
        raise ValueError(f"plane must be three integers (h, k, l), not all zero; got {plane!r}")
    h, k, l = sorted((abs(int(plane[0])), abs(int(plane[1]))), reverse=True) + [abs(int(plane[2]))]
    g = math.gcd(h, k, l)
    return h // g, k // g, l // g


def _twist_angle_rad(sigma: int) -> float:
    """Smallest twist angle about [001] with coincidence index ``sigma`` (radians)."""
    angles = [2 * math.atan2(n, m) for m in range(1, math.isqrt(2 * sigma) + 1)
              for n in range(1, m) if math.gcd(m, n) == 1 and _reduced_sigma(m * m + n * n) == sigma]
    if not angles:
        raise ValueError(f"Σ{sigma} is not a coincidence rotation about [001]: Σ must be m² + n² "
                         f"(divided by 2 while even) with coprime m > n > 0, e.g. 5, 13, 17, 25, 29")
    return min(min(a, math.pi / 2 - a) for a in angles)


def csl_misorientation(sigma: int, kind: str, plane) -> CslMisorientation:
    """Misorientation of a [001] CSL boundary from Σ, its kind and plane.

    Parameters
    ----------
    sigma
        Coincidence index Σ (odd); 1 gives two identically oriented grains.
    kind
        ``"tilt"`` (symmetric tilt on ``plane = (h, k, 0)``, θ = 2 atan(k/h)) or
        ``"twist"`` (``plane = (0, 0, 1)``, smallest θ with that Σ).
    plane
        Miller indices of the boundary plane (cubic equivalents are normalised).

    Raises
    ------
    ValueError
        When Σ does not match the plane, the plane does not contain (tilt) or is not
        normal to (twist) [001], or Σ is not a [001] coincidence rotation.
    """
    if int(sigma) != sigma or sigma < 1:
        raise ValueError(f"sigma must be a positive integer, got {sigma!r}")
    h, k, l = _normalised_plane(plane)
    if kind == "tilt":
        if l != 0:
            raise ValueError(f"a [001] tilt boundary plane must contain [001], i.e. be (h k 0); "
                             f"got {tuple(plane)}")
        theta, plane_sigma = 2 * math.atan2(k, h), _reduced_sigma(h * h + k * k)
        if sigma == 1:  # same orientation as grain 1 of the (h k 0) boundary
            return CslMisorientation(0.0, _rotation_z(theta / 2), _rotation_z(theta / 2))
        if sigma != plane_sigma:
            raise ValueError(f"Σ{sigma} does not match the plane {tuple(plane)}: the symmetric "
                             f"[001] tilt boundary on ({h} {k} 0) is Σ{plane_sigma} "
                             f"(θ = {math.degrees(theta):.2f}°)")
    elif kind == "twist":
        if (h, k) != (0, 0):
            raise ValueError(f"a [001] twist boundary lies on the (0 0 1) plane; got {tuple(plane)}")
        theta = 0.0 if sigma == 1 else _twist_angle_rad(int(sigma))
    else:
        raise ValueError(f"kind must be 'tilt' or 'twist', got {kind!r}")
    return CslMisorientation(math.degrees(theta), _rotation_z(theta / 2), _rotation_z(-theta / 2))


def _integer_direction(vector: np.ndarray) -> np.ndarray:
    """Smallest integer vector parallel to ``vector`` (raises if it is irrational)."""
    scaled = np.asarray(vector, float) / np.abs(vector).max()
    fractions = [Fraction(float(v)).limit_denominator(1000) for v in scaled]
    if max(abs(float(f) - v) for f, v in zip(fractions, scaled, strict=True)) > 1e-9:
        raise ValueError(f"direction {vector} is not a rational lattice direction: not a CSL")
    common = math.lcm(*(f.denominator for f in fractions))
    direction = np.array([int(f * common) for f in fractions])
    return direction // math.gcd(*direction)


def _fcc_period(direction: np.ndarray) -> float:
    """Shortest fcc lattice translation along an integer direction (units of a)."""
    steps = 1 if int(direction.sum()) % 2 == 0 else 2  # fcc: (a/2)(u v w) with u+v+w even
    return steps * 0.5 * float(np.linalg.norm(direction))


def _periods(orientations) -> np.ndarray:
    """Lattice periods (units of a) of each grain along lab x, y, z, shape (2, 3)."""
    periods = np.array([[_fcc_period(_integer_direction(u.T @ axis)) for axis in np.eye(3)]
                        for u in orientations])
    if not np.allclose(periods[0, :2], periods[1, :2]):
        raise ValueError(f"in-plane periods of the grains differ ({periods[:, :2]}): not a CSL")
    return periods


def csl_frame(misorientation: CslMisorientation, kind: str) -> tuple[list[np.ndarray], np.ndarray]:
    """Lab orientations (crystal -> lab) of both grains and their periods (units of a)."""
    grains = (misorientation.rotation_grain1, misorientation.rotation_grain2)
    if kind == "tilt":
        orientations = [_TILT_FRAME @ r for r in grains]
        return orientations, _periods(orientations)
    options = []
    for phi in (0.0, math.pi / 4):  # lab x bisecting the grains' [100] or [110]
        orientations = [_rotation_z(-phi) @ r for r in grains]
        options.append((_periods(orientations)[0, 0], orientations))
    orientations = min(options, key=lambda option: option[0])[1]
    return orientations, _periods(orientations)


def _fill_box(basis: np.ndarray, orientation: np.ndarray, a_A: float,
              lengths_A: np.ndarray) -> np.ndarray:
    """Sites ``a (n + basis)`` rotated by ``orientation`` lying in ``[0, L)`` (Å, lab)."""
    corners = np.array(list(itertools.product(*[(0.0, length) for length in lengths_A])))
    crystal = corners @ orientation / a_A  # lab rows -> crystal coordinates (units of a)
    ranges = [np.arange(math.floor(lo) - 1, math.ceil(hi) + 2)
              for lo, hi in zip(crystal.min(0), crystal.max(0), strict=True)]
    cells = np.array(list(itertools.product(*ranges)), float)
    sites = a_A * (cells[:, None, :] + basis[None, :, :]).reshape(-1, 3) @ orientation.T
    inside = np.all((sites > -_TOL_A) & (sites < lengths_A - _TOL_A), axis=1)
    return np.where(np.abs(sites[inside]) < _TOL_A, 0.0, sites[inside])


def build_bicrystal(element: str, lattice: str, *, lattice_constant_A: float, sigma: int,
                    kind: str, plane, n_periods_z: int, min_lateral_A: float = 0.0,
                    translation_A=(0.0, 0.0, 0.0)) -> Atoms:
    """Periodic orthorhombic bicrystal with two [001] CSL boundaries (not relaxed).

    Parameters
    ----------
    element, lattice
        Element and ``"fcc"`` or ``"diamond"``.
    lattice_constant_A
        Cubic lattice constant (Å).
    sigma, kind, plane
        Boundary, see :func:`csl_misorientation`.
    n_periods_z
        Lattice periods of each grain along z (its thickness).
    min_lateral_A
        The CSL cell is repeated along x and y until each edge is at least this (Å).
    translation_A
        Rigid translation of grain 2 (Å): in-plane ``(t_x, t_y)`` and the extra opening
        ``t_z`` of each boundary (negative: the grains overlap).

    Returns
    -------
    ase.Atoms
        With ``arrays["grain"]`` (1, 2) and the geometry in ``info`` (orientations,
        CSL periods, grain thicknesses, ...).
    """
    if lattice not in GB_LATTICES:
        raise ValueError(f"lattice '{lattice}' is not supported: choose one of {GB_LATTICES}")
    if int(n_periods_z) != n_periods_z or n_periods_z < 1:
        raise ValueError(f"n_periods_z must be a positive integer, got {n_periods_z!r}")
    misorientation = csl_misorientation(sigma, kind, plane)
    orientations, periods = csl_frame(misorientation, kind)
    a = float(lattice_constant_A)
    csl_A = periods[0, :2] * a
    repeats = np.maximum(1, np.ceil(min_lateral_A / csl_A - 1e-9)).astype(int)
    thickness_A = periods[:, 2] * a * n_periods_z
    basis = conventional_cell(element, lattice, lattice_constant_A=a).get_scaled_positions()
    t_x, t_y, t_z = (float(v) for v in translation_A)
    lateral_A = repeats * csl_A
    grains = []
    for label, orientation, length in zip((1, 2), orientations, thickness_A, strict=True):
        sites = _fill_box(basis, orientation, a, np.array([*lateral_A, length]))
        expected = lateral_A.prod() * length / (a**3 / len(basis))
        if len(sites) != round(expected) or abs(expected - round(expected)) > 1e-6:
            raise RuntimeError(f"grain {label}: {len(sites)} sites, expected {expected:.6f}")
        grains.append(sites)
    grains[1] = grains[1] + [t_x, t_y, thickness_A[0] + t_z]
    length_z = thickness_A.sum() + 2 * t_z
    if length_z <= 0:
        raise ValueError(f"translation t_z = {t_z} Å closes the cell (grains {thickness_A} Å)")
    atoms = Atoms(element * sum(map(len, grains)), positions=np.vstack(grains),
                  cell=[*lateral_A, length_z], pbc=True)
    atoms.wrap()
    atoms.set_array("grain", np.repeat([1, 2], [len(g) for g in grains]))
    atoms.info.update(
        element=element, lattice=lattice, lattice_constant_A=a, sigma=int(sigma), kind=kind,
        plane=list(_normalised_plane(plane)), misorientation_deg=misorientation.angle_deg,
        orientations=[u.tolist() for u in orientations], csl_periods_A=csl_A.tolist(),
        periods_z_A=(periods[:, 2] * a).tolist(), grain_thickness_A=thickness_A.tolist(),
        lateral_repeats=repeats.tolist(), translation_A=[t_x, t_y, t_z])
    return atoms


def remove_boundary_overlaps(atoms: Atoms, *, min_separation_A: float) -> Atoms:
    """Delete one atom (of grain 2) of every cross-boundary pair closer than ``min_separation_A``.

    Pairs are visited from the closest; a pair whose atom was already deleted is
    resolved.  Returns a new :class:`ase.Atoms`; ``info["n_deleted"]`` counts deletions.
    """
    i, j, d = neighbor_list("ijd", atoms, min_separation_A)
    grain = atoms.arrays["grain"]
    cross = (grain[i] == 1) & (grain[j] == 2)
    deleted: set[int] = set()
    for k in np.argsort(d[cross], kind="stable"):
        first, second = int(i[cross][k]), int(j[cross][k])
        if first not in deleted and second not in deleted:
            deleted.add(second)
    kept = atoms[[n for n in range(len(atoms)) if n not in deleted]]
    kept.info["n_deleted"] = len(deleted)
    return kept


def grain_boundary_energy_J_m2(total_energy_eV: float, n_atoms: int, cohesive_energy_eV: float,
                               area_A2: float) -> float:
    """Energy per area of each of the two boundaries of a periodic bicrystal (J/m²).

    γ = (E - N E_bulk) / (2 A) with E_bulk = -cohesive energy (eV/atom), A in Å².
    """
    excess_eV = total_energy_eV + n_atoms * cohesive_energy_eV
    return float(excess_eV / (2.0 * area_A2) * EV_PER_A2_IN_J_PER_M2)


def relax_bicrystal(atoms: Atoms, *, potential: str | Potential,
                    specorder: list[str] | None = None, **settings) -> Minimised:
    """Minimise positions and the z length of a bicrystal (see :func:`minimise`)."""
    element = atoms.get_chemical_symbols()[0]
    return minimise(atoms, potential=potential, specorder=specorder or [element], **settings)


class SearchResult(NamedTuple):
    """Lowest-energy valid bicrystal of :func:`lowest_energy_bicrystal`."""

    atoms: Atoms
    energy_eV: float
    gb_energy_J_m2: float
    translation_A: tuple[float, float, float]
    overlap_fraction: float
    n_candidates: int
    n_rejected: int


def _geometry_ok(atoms: Atoms, *, min_distance_A: float, misorientation_tol_deg: float) -> bool:
    """True if no close contact and both grains keep the nominal misorientation."""
    try:
        recovered = recovered_misorientation_deg(atoms)
    except ValueError:  # a grain lost its interior (boundaries met)
        return False
    return (abs(recovered - atoms.info["misorientation_deg"]) <= misorientation_tol_deg
            and min_interatomic_distance(atoms) > min_distance_A)


def lowest_energy_bicrystal(element: str, lattice: str, *, potential: str | Potential,
                            bulk: BulkProperties, sigma: int, kind: str, plane,
                            n_periods_z: int, min_lateral_A: float = 0.0,
                            n_translations: tuple[int, int] = (3, 3),
                            openings_A: tuple[float, ...] = (0.0,),
                            overlap_fractions: tuple[float, ...] = DEFAULT_OVERLAP_FRACTIONS,
                            min_distance_fraction: float = 0.8,
                            misorientation_tol_deg: float = 0.5,
                            specorder: list[str] | None = None) -> SearchResult:
    """Relax every (translation, deletion criterion) candidate; keep the lowest valid γ.

    In-plane translations of grain 2 form an ``n_x x n_y`` grid over one CSL period; each
    boundary opening ``t_z`` of ``openings_A`` is tried; each deletion criterion is a
    fraction of the bulk nearest-neighbour distance (:func:`remove_boundary_overlaps`).
    Candidates holding the same atoms are relaxed once (``n_candidates`` relaxations).
    A relaxed candidate that would be the new lowest is rejected (``n_rejected``) when
    two atoms are closer than ``min_distance_fraction`` x d_nn or when the misorientation
    fitted from the grain interiors is off by more than ``misorientation_tol_deg`` (e.g.
    the two boundaries met and one grain grew through the cell).  ``bulk`` gives the
    lattice constant and the cohesive energy.
    """
    a = bulk.lattice_constant_A
    d_nn = nearest_neighbour_distance(lattice, a)
    geometry = {"lattice_constant_A": a, "sigma": sigma, "kind": kind, "plane": plane,
                "n_periods_z": n_periods_z, "min_lateral_A": min_lateral_A}
    csl_A = build_bicrystal(element, lattice, **geometry).info["csl_periods_A"]
    grid = [np.arange(n) / n * period for n, period in zip(n_translations, csl_A, strict=True)]
    best, seen, rejected = None, set(), 0
    for t_x, t_y, t_z in itertools.product(*grid, openings_A):
        translation = (float(t_x), float(t_y), float(t_z))
        bicrystal = build_bicrystal(element, lattice, **geometry, translation_A=translation)
        area_A2 = float(bicrystal.cell[0, 0] * bicrystal.cell[1, 1])
        for fraction in sorted(overlap_fractions):
            candidate = remove_boundary_overlaps(bicrystal, min_separation_A=fraction * d_nn)
            key = (translation, candidate.positions.round(6).tobytes())
            if key in seen:
                continue
            seen.add(key)
            relaxed = relax_bicrystal(candidate, potential=potential, specorder=specorder)
            gamma = grain_boundary_energy_J_m2(relaxed.energy_eV, len(candidate),
                                               bulk.cohesive_energy_eV, area_A2)
            if best is not None and gamma >= best.gb_energy_J_m2 - 1e-9:
                continue
            if not _geometry_ok(relaxed.atoms, min_distance_A=min_distance_fraction * d_nn,
                                misorientation_tol_deg=misorientation_tol_deg):
                rejected += 1
                continue
            best = SearchResult(relaxed.atoms, relaxed.energy_eV, gamma, translation, fraction,
                                0, 0)
    if best is None:
        raise ValueError(f"no valid candidate among {len(seen)} relaxed bicrystals: use thicker "
                         f"grains (n_periods_z) or another search grid")
    return best._replace(n_candidates=len(seen), n_rejected=rejected)


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


def coincidence_sigma(orientations, cell_A, lattice_constant_A: float) -> float:
    """Σ = lattice sites of grain 1 in a cell / sites coinciding with grain 2's lattice.

    Both fcc Bravais lattices share the origin; ``cell_A`` is an orthorhombic CSL cell
    (e.g. one CSL period in x and y and one lattice period along z).
    """
    a = float(lattice_constant_A)
    sites = _fill_box(_FCC_POINTS, np.asarray(orientations[0]), a, np.asarray(cell_A, float))
    half_steps = sites @ np.asarray(orientations[1]) / (a / 2)  # grain-2 crystal, units a/2
    integral = np.all(np.abs(half_steps - half_steps.round()) < 1e-6, axis=1)
    coincident = integral & (half_steps.round().sum(axis=1) % 2 == 0)
    return len(sites) / max(int(coincident.sum()), 1)


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
                images = images[images[:, 2] < bottom + thickness - _TOL_A]
            distance, _ = tree.query(_wrapped(images, lengths))
            if distance.max(initial=0.0) > tol_A:
                raise ValueError(f"grain {label}: an atom translated by {shift} Å is "
                                 f"{distance.max():.3e} Å from any atom: not periodic")


def build_grain_boundary(element: str, lattice: str, potential: str | Potential, sigma: int,
                         kind: str, plane, *, min_grain_thickness_A: float = 20.0,
                         min_lateral_A: float = 0.0, n_translations: tuple[int, int] = (3, 3),
                         openings_A: tuple[float, ...] = (0.0,),
                         overlap_fractions: tuple[float, ...] = DEFAULT_OVERLAP_FRACTIONS,
                         bulk: BulkProperties | None = None,
                         min_distance_fraction: float = 0.8,
                         misorientation_tol_deg: float = 0.5) -> tuple[Atoms, dict]:
    """Build, search and relax a periodic [001] CSL bicrystal; return it and its γ.

    Parameters
    ----------
    element, lattice, potential
        Element, ``"fcc"``/``"diamond"`` and registry potential (or entry).
    sigma, kind, plane
        Boundary, see :func:`csl_misorientation`.
    min_grain_thickness_A
        Each grain is the fewest whole z periods at least this thick (Å).
    min_lateral_A, n_translations, openings_A, overlap_fractions
        Cell size and search, see :func:`lowest_energy_bicrystal`.
    bulk
        Relaxed lattice constant and cohesive energy; default
        :func:`relax_cubic_lattice` with the same potential.
    min_distance_fraction, misorientation_tol_deg
        Validity of a relaxed candidate: no two atoms closer than this fraction of the
        bulk nearest-neighbour distance, and misorientation fitted from the grain
        interiors within this tolerance (degrees) of the nominal one.

    Returns
    -------
    atoms : ase.Atoms
        Relaxed bicrystal with ``arrays["grain"]``.
    info : dict
        JSON-serialisable facts (Å, Å², eV, J/m², degrees).
    """
    bulk = bulk or relax_cubic_lattice(element, lattice, potential=potential)
    a = bulk.lattice_constant_A
    periods_z = build_bicrystal(element, lattice, lattice_constant_A=a, sigma=sigma, kind=kind,
                                plane=plane, n_periods_z=1).info["periods_z_A"]
    n_periods_z = max(1, math.ceil(min_grain_thickness_A / min(periods_z) - 1e-9))
    result = lowest_energy_bicrystal(
        element, lattice, potential=potential, bulk=bulk, sigma=sigma, kind=kind, plane=plane,
        n_periods_z=n_periods_z, min_lateral_A=min_lateral_A, n_translations=n_translations,
        openings_A=openings_A, overlap_fractions=overlap_fractions,
        min_distance_fraction=min_distance_fraction, misorientation_tol_deg=misorientation_tol_deg)
    atoms, grain = result.atoms, result.atoms.arrays["grain"]
    info = {
        "element": element, "lattice": lattice, "potential": as_potential(potential).name,
        "sigma": int(sigma), "kind": kind, "plane": atoms.info["plane"],
        "misorientation_deg": atoms.info["misorientation_deg"],
        "misorientation_relaxed_deg": recovered_misorientation_deg(atoms),
        "lattice_constant_A": a,
        "cell_A": [float(v) for v in atoms.cell.lengths()],
        "area_A2": float(atoms.cell[0, 0] * atoms.cell[1, 1]),
        "csl_periods_A": atoms.info["csl_periods_A"], "n_periods_z": n_periods_z,
        "n_atoms": len(atoms), "n_atoms_grain1": int((grain == 1).sum()),
        "n_atoms_grain2": int((grain == 2).sum()),
        "z_boundaries_A": list(boundary_planes_A(atoms)),
        "gb_energy_J_m2": result.gb_energy_J_m2, "translation_A": list(result.translation_A),
        "overlap_fraction": result.overlap_fraction, "n_candidates": result.n_candidates,
        "n_rejected": result.n_rejected,
        "energy_eV": result.energy_eV, "cohesive_energy_eV": bulk.cohesive_energy_eV,
        "min_distance_A": min_interatomic_distance(atoms),
    }
    return atoms, info
