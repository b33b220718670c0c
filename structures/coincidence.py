"""Lateral coincidence of two cubic crystals joined on their (001) faces.

Side A repeats its square (001) repeat unit ``n_a`` times along x and along y (a square
cross-section), side B ``n_b`` times.  Two repeat units are considered for both sides
together (cube-on-cube epitaxy either way):

* the conventional cell, a wide, edges along [100] and [010]: lateral period ``p = a``;
* for fcc and diamond, the square (001) surface cell rotated by 45° about [001], edges
  along [110] and [-110]: ``p = a/√2`` (:func:`structures.crystals.rotated_cell`).

Both sides are then strained in-plane to the common lateral length

    L = (n_a p_A + n_b p_B) / 2,

the mean of the two natural lengths, so the misfit is shared about equally (each side
takes roughly half of it, with opposite signs).  The strain of side X is
``L / (n_x p_X) - 1`` (dimensionless, positive = stretched); it is the same for the two
orientations at the same ratio n_a/n_b, so the rotated cells fill in the lengths between
the conventional ones (Si/Cu with MEAM: 10.9 Å, 15.4 Å rotated, 21.7 Å, ...).

:func:`cross_section_warnings` flags cross-sections below a recommended size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

__all__ = [
    "RECOMMENDED_LATERAL_A",
    "RECOMMENDED_SURFACE_PERIODS",
    "Coincidence",
    "CoincidenceError",
    "cross_section_warnings",
    "find_coincidence",
    "recommended_lateral_A",
]

#: Strains closer than this are treated as equal (the smaller cell then wins).
STRAIN_TIE = 1e-9

#: Smallest lateral edge (Å) not flagged by :func:`cross_section_warnings`.
RECOMMENDED_LATERAL_A = 15.0

#: Fewest (001) surface periods a/√2 of the larger lattice along each lateral edge not
#: flagged by :func:`cross_section_warnings` (4 a/√2 = 2.83 a).
RECOMMENDED_SURFACE_PERIODS = 4


class CoincidenceError(ValueError):
    """No lateral coincidence satisfies ``max_lateral_A`` and ``max_strain``."""


@dataclass(frozen=True)
class Coincidence:
    """A square lateral supercell shared by two cubic crystals.

    Attributes
    ----------
    n_a, n_b
        Conventional cells of side A and B along x (and along y).
    lateral_A
        Common lateral cell length (Å).
    strain_a, strain_b
        In-plane strain applied to each side (signed, dimensionless).
    mismatch
        Relative misfit ``(n_b p_B - n_a p_A) / L`` (dimensionless) = strain_a - strain_b
        to first order.
    rotated_45
        False: repeat units are conventional cells (period a, x along [100]).  True: both
        sides use the (001) surface cell rotated by 45° (period a/√2, x along [110]).
    """

    n_a: int
    n_b: int
    lateral_A: float
    strain_a: float
    strain_b: float
    mismatch: float
    rotated_45: bool = False

    @property
    def cell(self) -> str:
        """``"rotated_45"`` or ``"conventional"``: the lateral repeat unit of both sides."""
        return "rotated_45" if self.rotated_45 else "conventional"

    @property
    def max_abs_strain(self) -> float:
        """Largest in-plane strain magnitude of the two sides."""
        return max(abs(self.strain_a), abs(self.strain_b))

    def as_dict(self) -> dict:
        """JSON-serialisable copy of the fields."""
        return asdict(self)


def _candidate(n_a: int, n_b: int, a_A: float, a_B: float,
               rotated_45: bool = False) -> Coincidence:
    """Build the coincidence of ``n_a`` repeat units of A with ``n_b`` of B."""
    scale = 1.0 / math.sqrt(2.0) if rotated_45 else 1.0
    p_A, p_B = a_A * scale, a_B * scale
    length = 0.5 * (n_a * p_A + n_b * p_B)
    return Coincidence(n_a=n_a, n_b=n_b, lateral_A=length,
                       strain_a=length / (n_a * p_A) - 1.0,
                       strain_b=length / (n_b * p_B) - 1.0,
                       mismatch=(n_b * p_B - n_a * p_A) / length, rotated_45=rotated_45)


def _candidates(a_A: float, a_B: float, max_lateral_A: float, max_strain: float,
                allow_rotated: bool) -> list[Coincidence]:
    """Every pair (n_a, n_b) of both orientations that could reach ``max_lateral_A``."""
    out = []
    for rotated in ((False, True) if allow_rotated else (False,)):
        scale = math.sqrt(2.0) if rotated else 1.0
        out += [_candidate(n_a, n_b, a_A, a_B, rotated)
                for n_a in range(1, int(max_lateral_A * scale / a_A * (1 + max_strain)) + 2)
                for n_b in range(1, int(max_lateral_A * scale / a_B * (1 + max_strain)) + 2)]
    return out


def _preference(c: Coincidence) -> tuple:
    """Sort key: strain (ties within STRAIN_TIE), then length, conventional first, n."""
    return (round(c.max_abs_strain / STRAIN_TIE), c.lateral_A, c.rotated_45, c.n_a, c.n_b)


def find_coincidence(a_A: float, a_B: float, *, max_lateral_A: float,
                     max_strain: float, min_lateral_A: float = 0.0,
                     allow_rotated: bool = True) -> Coincidence:
    """Lowest-strain square lateral supercell of two cubic (001) faces.

    Parameters
    ----------
    a_A, a_B
        Cubic lattice constants of side A and side B (Å).
    max_lateral_A
        Largest allowed common lateral length (Å): the cell-size budget.
    max_strain
        Largest allowed in-plane strain magnitude on either side (dimensionless).
    min_lateral_A
        Smallest allowed common lateral length (Å), e.g. to keep a cross-section wider
        than the potential's cut-off when the lattices match at every size.
    allow_rotated
        Also consider cells of the 45°-rotated (001) surface cell (period a/√2); only
        valid when both lattices are fcc or diamond
        (:data:`structures.crystals.ROTATED_45_LATTICES`).

    Returns
    -------
    Coincidence
        The candidate with the smallest ``max_abs_strain``; among equal strains (within
        ``STRAIN_TIE``) the smallest lateral length (then the conventional cell, then the
        smaller ``n_a``), so the result does not depend on the order of the search.

    Raises
    ------
    CoincidenceError
        When no pair ``(n_a, n_b)`` fits both limits; the message names the fields to
        change and the best candidate found.
    """
    if min(a_A, a_B) <= 0 or max_lateral_A <= 0 or max_strain < 0:
        raise ValueError("a_A, a_B, max_lateral_A must be positive and max_strain >= 0")
    fitting = [c for c in _candidates(a_A, a_B, max_lateral_A, max_strain, allow_rotated)
               if min_lateral_A <= c.lateral_A <= max_lateral_A and c.max_abs_strain <= max_strain]
    if not fitting:
        if min_lateral_A > max_lateral_A:
            raise CoincidenceError(f"min_lateral_A = {min_lateral_A} Å exceeds max_lateral_A = "
                                   f"{max_lateral_A} Å: lower min_lateral_A or raise max_lateral_A")
        raise CoincidenceError(_no_match_message(a_A, a_B, max_lateral_A, max_strain,
                                                 min_lateral_A, allow_rotated))
    return min(fitting, key=_preference)


def _no_match_message(a_A: float, a_B: float, max_lateral_A: float, max_strain: float,
                      min_lateral_A: float = 0.0, allow_rotated: bool = True) -> str:
    """Explain a failed search and what would make it succeed."""
    best = min((c for c in _candidates(a_A, a_B, 50 * max(a_A, a_B), 0.0, allow_rotated)
                if c.max_abs_strain <= max_strain and c.lateral_A >= min_lateral_A),
               key=lambda c: (c.lateral_A, c.rotated_45), default=None)
    unit = " / √2" if best is not None and best.rotated_45 else ""
    hint = (f"; the smallest cell within max_strain needs max_lateral_A >= {best.lateral_A:.3f} "
            f"({best.n_a} x {a_A}{unit} Å vs {best.n_b} x {a_B}{unit} Å)" if best else "")
    return (f"no lateral coincidence of a_A = {a_A} Å and a_B = {a_B} Å with "
            f"min_lateral_A = {min_lateral_A} Å, max_lateral_A = {max_lateral_A} Å and "
            f"max_strain = {max_strain}: increase max_lateral_A or max_strain{hint}")


def recommended_lateral_A(lattice_constants_A: Sequence[float]) -> float:
    """Smallest lateral edge (Å) that :func:`cross_section_warnings` does not flag.

    ``max(RECOMMENDED_LATERAL_A, RECOMMENDED_SURFACE_PERIODS * max(a) / √2)``: 15 Å and
    four (001) surface periods of the larger lattice (2.83 a; 15.4 Å for Si).

    Why these two numbers (a floor against clearly too small cells, not a convergence
    criterion):

    * images: an atom must not interact with two lateral images of the same atom, so the
      edge must exceed twice the interaction range.  The many-body potentials of the
      registry reach at most 5.5 Å (Mishin Cu EAM 5.51 Å, MEAM 5.0 Å, SW 3.77 Å, Tersoff
      3.0 Å): 11 Å, and 15 Å leaves a margin for the neighbour shells beyond the cut-off
      that carry the three-body terms.  (Lennard-Jones at 2.5 σ = 8.5 Å would need 17 Å.)
    * transverse phonons: the periodic cell admits in-plane wave vectors only on a grid
      2π/L, so a cell of n surface periods samples the 2-D Brillouin zone of the (001)
      face with n × n points and cuts off transverse wavelengths longer than L.  Below
      four periods (16 points) the acoustic branches that carry most of the heat at
      300 K are represented by one or two wave vectors per direction.

    Published NEMD interfaces of Si use 4 × 4 to 6 × 6 conventional cells (22-33 Å);
    a cell above this floor still needs a ``lateral_series_A`` to show that R_K has
    converged in cross-section.

    Parameters
    ----------
    lattice_constants_A
        Lattice constants of the two sides (Å), strained in-plane if they are (then a
        cell of exactly four strained periods is not flagged).
    """
    a_max = max(float(a) for a in lattice_constants_A)
    return max(RECOMMENDED_LATERAL_A, RECOMMENDED_SURFACE_PERIODS * a_max / math.sqrt(2.0))


def cross_section_warnings(lateral_A: float | Sequence[float],
                           lattice_constants_A: Sequence[float], *,
                           strains: Sequence[float] = (0.0, 0.0)) -> list[str]:
    """Warnings for a cross-section below :func:`recommended_lateral_A` (empty if none).

    Parameters
    ----------
    lateral_A
        Lateral edge (Å), or both edges of a rectangular cell (the shorter one counts).
    lattice_constants_A
        Bulk cubic lattice constants of the two sides (Å).
    strains
        In-plane strain of each side (dimensionless); the surface periods are counted in
        the strained lattice.

    Returns
    -------
    list of str
        One message naming the edge, the area (Å²) and the recommended edge, or nothing.
    """
    edges = ([float(lateral_A)] if isinstance(lateral_A, (int, float))
             else [float(v) for v in lateral_A])
    area = edges[0] ** 2 if len(edges) == 1 else math.prod(edges)
    strained = [float(a) * (1.0 + float(e))
                for a, e in zip(lattice_constants_A, strains, strict=True)]
    recommended = recommended_lateral_A(strained)
    if min(edges) >= recommended - 1e-9:
        return []
    message = (f"small cross-section: lateral edge {min(edges):.2f} A ({area:.0f} A^2) is below "
               f"the recommended {recommended:.2f} A (at least 15 A and 4 surface periods "
               "a/sqrt(2) of the larger lattice): few in-plane phonon wave vectors and close "
               "periodic images; raise min_lateral_A (and check convergence in cross-section, "
               "lateral_series_A)")
    return [message]
