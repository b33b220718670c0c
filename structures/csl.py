"""Coincidence-site-lattice (CSL) maths of [001] misorientations in cubic crystals.

Misorientations are rotations about [001] (Σ = m² + n², divided by 2 while even,
θ = 2 atan(n/m): S. Ranganathan, Acta Cryst. 21, 197 (1966), with N = 1):

* ``"tilt"``: symmetric tilt boundary on the (h k 0) plane; the grains are rotated by
  ±θ/2 about x = [001] (tilt axis, period a) with θ = 2 atan(k/h), so that the
  boundary plane is (h -k 0) in grain 1 and (h k 0) in grain 2 (a mirror plane);
* ``"twist"``: (001) twist boundary; z = [001] and x bisects the two grains' [100]
  (or [110], whichever gives the shorter CSL period: a√Σ or a√(Σ/2)).

Σ = 1 gives two grains of identical orientation.  The lab frame has z along the
boundary normal and x, y in the boundary plane; periods are in units of the lattice
constant a unless named ``_A`` (Å).  The bicrystal builder is
:mod:`structures.grain_boundary`, its verification :mod:`structures.grain_boundary_checks`.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np

__all__ = [
    "SITE_TOL_A",
    "CslMisorientation",
    "coincidence_sigma",
    "csl_frame",
    "csl_misorientation",
    "fill_box",
    "normalised_plane",
]

#: Reference frame of a [001] tilt: crystal [001] -> lab x, [010] -> -lab y, [100] -> lab z.
_TILT_FRAME = np.array([[0.0, 0.0, 1.0], [0.0, -1.0, 0.0], [1.0, 0.0, 0.0]])

#: Fcc Bravais lattice points of the conventional cell (units of a).
_FCC_POINTS = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])

#: Tolerance (Å) of a lattice site on a cell face: sites within it of the lower face are
#: inside (and snapped to 0), within it of the upper face outside.
SITE_TOL_A = 1e-6


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


def normalised_plane(plane) -> tuple[int, int, int]:
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
    h, k, l = normalised_plane(plane)
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


def fill_box(basis: np.ndarray, orientation: np.ndarray, a_A: float,
             lengths_A: np.ndarray) -> np.ndarray:
    """Sites ``a (n + basis)`` rotated by ``orientation`` lying in ``[0, L)`` (Å, lab).

    ``basis`` holds fractional positions in the conventional cell (units of a, crystal
    frame), ``orientation`` maps crystal to lab coordinates, ``a_A`` is the lattice
    constant (Å) and ``lengths_A`` the orthorhombic box (Å); faces are resolved with
    :data:`SITE_TOL_A`.
    """
    corners = np.array(list(itertools.product(*[(0.0, length) for length in lengths_A])))
    crystal = corners @ orientation / a_A  # lab rows -> crystal coordinates (units of a)
    ranges = [np.arange(math.floor(lo) - 1, math.ceil(hi) + 2)
              for lo, hi in zip(crystal.min(0), crystal.max(0), strict=True)]
    cells = np.array(list(itertools.product(*ranges)), float)
    sites = a_A * (cells[:, None, :] + basis[None, :, :]).reshape(-1, 3) @ orientation.T
    inside = np.all((sites > -SITE_TOL_A) & (sites < lengths_A - SITE_TOL_A), axis=1)
    return np.where(np.abs(sites[inside]) < SITE_TOL_A, 0.0, sites[inside])


def coincidence_sigma(orientations, cell_A, lattice_constant_A: float) -> float:
    """Σ = lattice sites of grain 1 in a cell / sites coinciding with grain 2's lattice.

    Both fcc Bravais lattices share the origin; ``cell_A`` is an orthorhombic CSL cell
    (e.g. one CSL period in x and y and one lattice period along z).
    """
    a = float(lattice_constant_A)
    sites = fill_box(_FCC_POINTS, np.asarray(orientations[0]), a, np.asarray(cell_A, float))
    half_steps = sites @ np.asarray(orientations[1]) / (a / 2)  # grain-2 crystal, units a/2
    integral = np.all(np.abs(half_steps - half_steps.round()) < 1e-6, axis=1)
    coincident = integral & (half_steps.round().sum(axis=1) % 2 == 0)
    return len(sites) / max(int(coincident.sum()), 1)

