"""Lateral coincidence search for cubic (001)/(001) interfaces: conventional cells
(n a) and 45°-rotated (001) cells (n a/√2), and the cross-section warnings."""

from __future__ import annotations

import math

import pytest

from structures import (
    CoincidenceError,
    cross_section_warnings,
    find_coincidence,
    recommended_lateral_A,
)

#: Lattice constants relaxed with the MEAM of Jelinek et al. (2012), in Å.
A_SI_MEAM, A_CU_MEAM = 5.43099990966438, 3.619999941138584


def test_si_cu_two_to_three_with_signed_strains():
    a_si, a_cu = 5.431, 3.615
    match = find_coincidence(a_si, a_cu, max_lateral_A=30.0, max_strain=0.01,
                             allow_rotated=False)
    assert (match.n_a, match.n_b, match.rotated_45) == (2, 3, False)
    length = 0.5 * (2 * a_si + 3 * a_cu)  # the mean of the two natural lengths
    assert match.lateral_A == pytest.approx(length, abs=1e-12)
    assert match.strain_a == pytest.approx(length / (2 * a_si) - 1, abs=1e-12)
    assert match.strain_b == pytest.approx(length / (3 * a_cu) - 1, abs=1e-12)
    assert match.strain_a < 0 < match.strain_b  # Si compressed, Cu stretched
    assert match.mismatch == pytest.approx(-0.00157, abs=2e-5)  # ~0.16 % misfit
    assert match.strain_a - match.strain_b == pytest.approx(match.mismatch, rel=2e-3)


def test_si_ge_pseudomorphic_one_to_one():
    match = find_coincidence(5.431, 5.658, max_lateral_A=25.0, max_strain=0.05,
                             allow_rotated=False)
    assert (match.n_a, match.n_b) == (1, 1)  # 2:2, 3:3 ... tie: the smallest cell wins
    assert match.strain_a == pytest.approx(0.0209, abs=1e-4)
    assert match.strain_b == pytest.approx(-0.0201, abs=1e-4)
    assert match.max_abs_strain <= 0.05


def test_larger_budget_finds_lower_strain_within_budget():
    small = find_coincidence(5.431, 5.658, max_lateral_A=25.0, max_strain=0.05)
    large = find_coincidence(5.431, 5.658, max_lateral_A=140.0, max_strain=0.05)
    assert large.max_abs_strain < small.max_abs_strain
    assert large.lateral_A <= 140.0


def test_identical_lattices_give_one_to_one_without_strain():
    match = find_coincidence(5.27, 5.27, max_lateral_A=20.0, max_strain=0.0)
    assert (match.n_a, match.n_b, match.strain_a, match.strain_b) == (1, 1, 0.0, 0.0)
    assert match.rotated_45 and match.lateral_A == pytest.approx(5.27 / math.sqrt(2))
    conventional = find_coincidence(5.27, 5.27, max_lateral_A=20.0, max_strain=0.0,
                                    min_lateral_A=5.0)
    assert (conventional.n_a, conventional.rotated_45) == (1, False)


def test_no_match_names_the_fields():
    with pytest.raises(CoincidenceError, match=r"max_lateral_A.*max_strain") as err:
        find_coincidence(5.431, 3.615, max_lateral_A=8.0, max_strain=0.01, allow_rotated=False)
    assert "10.85" in str(err.value)  # and says what budget would work
    with pytest.raises(CoincidenceError, match="max_lateral_A >= 7.67") as err:
        find_coincidence(5.431, 3.615, max_lateral_A=7.0, max_strain=0.01)
    assert "/ √2" in str(err.value)  # the smallest cell is a rotated one


def test_min_above_max_is_named():
    with pytest.raises(CoincidenceError, match="min_lateral_A = 20.0 Å exceeds max_lateral_A"):
        find_coincidence(5.431, 3.615, max_lateral_A=12.0, min_lateral_A=20.0, max_strain=0.01)


# -- 45°-rotated cells ----------------------------------------------------------------

def test_rotated_candidates_fill_in_between_the_conventional_lengths():
    """Si/Cu (MEAM, ratio 1.5003): 2 x 3 conventional 10.9 Å, 4 x 6 rotated 15.4 Å,
    4 x 6 conventional 21.7 Å, 6 x 9 rotated 23.0 Å, all at the same strain."""
    lengths = []
    for low in (0.0, 10.0, 15.0, 16.0, 22.0):
        match = find_coincidence(A_SI_MEAM, A_CU_MEAM, max_lateral_A=25.0, max_strain=0.01,
                                 min_lateral_A=low)
        lengths.append((match.n_a, match.n_b, match.rotated_45, round(match.lateral_A, 2)))
    assert lengths == [(2, 3, True, 7.68), (2, 3, False, 10.86), (4, 6, True, 15.36),
                       (4, 6, False, 21.72), (6, 9, True, 23.04)]


def test_si_cu_rotated_cell_of_15_4_A():
    match = find_coincidence(A_SI_MEAM, A_CU_MEAM, max_lateral_A=25.0, max_strain=0.01,
                             min_lateral_A=15.0)
    assert (match.n_a, match.n_b, match.rotated_45, match.cell) == (4, 6, True, "rotated_45")
    p_si, p_cu = A_SI_MEAM / math.sqrt(2), A_CU_MEAM / math.sqrt(2)
    length = 0.5 * (4 * p_si + 6 * p_cu)
    assert match.lateral_A == pytest.approx(length, abs=1e-12)
    assert match.lateral_A == pytest.approx(15.36, abs=0.01)
    assert match.lateral_A ** 2 == pytest.approx(236.0, abs=0.5)
    assert match.strain_a == pytest.approx(length / (4 * p_si) - 1, abs=1e-12)
    assert match.strain_b == pytest.approx(length / (6 * p_cu) - 1, abs=1e-12)
    assert match.strain_a < 0 < match.strain_b and match.max_abs_strain < 1e-4
    # the same ratio gives the same strain in both orientations
    conventional = find_coincidence(A_SI_MEAM, A_CU_MEAM, max_lateral_A=25.0, max_strain=0.01,
                                    min_lateral_A=20.0)
    assert (conventional.n_a, conventional.n_b, conventional.rotated_45) == (4, 6, False)
    assert conventional.strain_a == pytest.approx(match.strain_a, abs=1e-12)
    assert match.as_dict()["rotated_45"] is True


def test_lower_strain_beats_a_smaller_cell_in_either_orientation():
    """Si/Ge (4 % misfit): n:n cells all take ±2 %; the 25:24 pair (0.006 %) wins when
    the budget holds it, rotated (96 Å) before conventional (136 Å)."""
    small = find_coincidence(5.431, 5.658, max_lateral_A=25.0, max_strain=0.05)
    assert (small.n_a, small.n_b, small.rotated_45) == (1, 1, True)
    assert small.strain_a == pytest.approx(0.0209, abs=1e-4)
    large = find_coincidence(5.431, 5.658, max_lateral_A=140.0, max_strain=0.05)
    assert (large.n_a, large.n_b, large.rotated_45) == (25, 24, True)
    assert large.max_abs_strain < 1e-4
    assert large.lateral_A == pytest.approx(25 * 5.431 / math.sqrt(2), rel=1e-4)


def test_search_is_deterministic_and_ordered():
    """Equal strains: the smaller cell, then the conventional one, then the smaller n_a."""
    first = [find_coincidence(5.2764, 5.2764, max_lateral_A=30.0, max_strain=0.0,
                              min_lateral_A=low) for low in (15.0, 18.0, 26.0)]
    again = [find_coincidence(5.2764, 5.2764, max_lateral_A=30.0, max_strain=0.0,
                              min_lateral_A=low) for low in (15.0, 18.0, 26.0)]
    assert first == again
    assert [(m.n_a, m.rotated_45) for m in first] == [(3, False), (5, True), (7, True)]


# -- cross-section warnings -----------------------------------------------------------

def test_recommended_cross_section():
    # Si: four surface periods a/√2 (15.36 Å) exceed 15 Å; LJ argon: 15 Å (4 periods = 14.9)
    assert recommended_lateral_A([5.431, 3.62]) == pytest.approx(4 * 5.431 / math.sqrt(2))
    assert recommended_lateral_A([5.2764, 5.2764]) == 15.0
    assert cross_section_warnings(15.8292, [5.2764, 5.2764]) == []
    (message,) = cross_section_warnings(5.27, [5.2764, 5.2764])
    assert "5.27 A" in message and "28 A^2" in message and "min_lateral_A" in message
    # a rectangular cell: the shorter edge counts
    assert cross_section_warnings([14.0, 30.0], [5.2764, 5.2764])
    assert not cross_section_warnings([15.0, 30.0], [5.2764, 5.2764])


def test_si_cu_cells_against_the_recommendation():
    """10.9 Å (2 x 2 Si) is flagged; the rotated 15.4 Å cell holds exactly four strained
    Si periods and is not (the strains count)."""
    for low, flagged in ((10.0, True), (15.0, False), (20.0, False)):
        m = find_coincidence(A_SI_MEAM, A_CU_MEAM, max_lateral_A=25.0, max_strain=0.01,
                             min_lateral_A=low)
        warnings = cross_section_warnings(m.lateral_A, [A_SI_MEAM, A_CU_MEAM],
                                          strains=[m.strain_a, m.strain_b])
        assert bool(warnings) is flagged, (low, m)
