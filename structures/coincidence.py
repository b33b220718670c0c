"""Lateral coincidence of two cubic crystals joined on their (001) faces.

Side A repeats its conventional cell ``n_a`` times along x and along y (a square
cross-section), side B ``n_b`` times.  Both sides are then strained in-plane to the
common lateral length

    L = (n_a a_A + n_b a_B) / 2,

the mean of the two natural lengths, so the misfit is shared about equally (each side
takes roughly half of it, with opposite signs).  The strain of side X is
``L / (n_x a_X) - 1`` (dimensionless, positive = stretched).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Coincidence", "CoincidenceError", "find_coincidence"]

#: Strains closer than this are treated as equal (the smaller cell then wins).
STRAIN_TIE = 1e-9


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
        Relative misfit ``(n_b a_B - n_a a_A) / L`` (dimensionless) = strain_a - strain_b
        to first order.
    """

    n_a: int
    n_b: int
    lateral_A: float
    strain_a: float
    strain_b: float
    mismatch: float

    @property
    def max_abs_strain(self) -> float:
        """Largest in-plane strain magnitude of the two sides."""
        return max(abs(self.strain_a), abs(self.strain_b))

    def as_dict(self) -> dict:
        """JSON-serialisable copy of the fields."""
        return asdict(self)


def _candidate(n_a: int, n_b: int, a_A: float, a_B: float) -> Coincidence:
    """Build the coincidence of ``n_a`` cells of A with ``n_b`` cells of B."""
    length = 0.5 * (n_a * a_A + n_b * a_B)
    return Coincidence(n_a=n_a, n_b=n_b, lateral_A=length,
                       strain_a=length / (n_a * a_A) - 1.0,
                       strain_b=length / (n_b * a_B) - 1.0,
                       mismatch=(n_b * a_B - n_a * a_A) / length)


def find_coincidence(a_A: float, a_B: float, *, max_lateral_A: float,
                     max_strain: float, min_lateral_A: float = 0.0) -> Coincidence:
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

    Returns
    -------
    Coincidence
        The candidate with the smallest ``max_abs_strain``; among equal strains (within
        ``STRAIN_TIE``) the smallest lateral length.

    Raises
    ------
    CoincidenceError
        When no pair ``(n_a, n_b)`` fits both limits; the message names the fields to
        change and the best candidate found.
    """
    if min(a_A, a_B) <= 0 or max_lateral_A <= 0 or max_strain < 0:
        raise ValueError("a_A, a_B, max_lateral_A must be positive and max_strain >= 0")
    candidates = [_candidate(n_a, n_b, a_A, a_B)
                  for n_a in range(1, int(max_lateral_A / a_A * (1 + max_strain)) + 2)
                  for n_b in range(1, int(max_lateral_A / a_B * (1 + max_strain)) + 2)]
    fitting = [c for c in candidates
               if min_lateral_A <= c.lateral_A <= max_lateral_A and c.max_abs_strain <= max_strain]
    if not fitting:
        if min_lateral_A > max_lateral_A:
            raise CoincidenceError(f"min_lateral_A = {min_lateral_A} Å exceeds max_lateral_A = "
                                   f"{max_lateral_A} Å: lower min_lateral_A or raise max_lateral_A")
        raise CoincidenceError(_no_match_message(a_A, a_B, max_lateral_A, max_strain))
    return min(fitting, key=lambda c: (round(c.max_abs_strain / STRAIN_TIE), c.lateral_A))


def _no_match_message(a_A: float, a_B: float, max_lateral_A: float, max_strain: float) -> str:
    """Explain a failed search and what would make it succeed."""
    best = min((_candidate(n_a, n_b, a_A, a_B) for n_a in range(1, 50) for n_b in range(1, 50)
                if _candidate(n_a, n_b, a_A, a_B).max_abs_strain <= max_strain),
               key=lambda c: c.lateral_A, default=None)
    hint = (f"; the smallest cell within max_strain needs max_lateral_A >= {best.lateral_A:.3f} "
            f"({best.n_a} x {a_A} Å vs {best.n_b} x {a_B} Å)" if best else "")
    return (f"no lateral coincidence of a_A = {a_A} Å and a_B = {a_B} Å with "
            f"max_lateral_A = {max_lateral_A} Å and max_strain = {max_strain}: "
            f"increase max_lateral_A or max_strain{hint}")
