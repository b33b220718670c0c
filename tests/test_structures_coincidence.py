"""Lateral coincidence search for cubic (001)/(001) interfaces."""

from __future__ import annotations

import pytest

from structures import CoincidenceError, find_coincidence


def test_si_cu_two_to_three_with_signed_strains():
    a_si, a_cu = 5.431, 3.615
    match = find_coincidence(a_si, a_cu, max_lateral_A=30.0, max_strain=0.01)
    assert (match.n_a, match.n_b) == (2, 3)
    length = 0.5 * (2 * a_si + 3 * a_cu)  # the mean of the two natural lengths
    assert match.lateral_A == pytest.approx(length, abs=1e-12)
    assert match.strain_a == pytest.approx(length / (2 * a_si) - 1, abs=1e-12)
    assert match.strain_b == pytest.approx(length / (3 * a_cu) - 1, abs=1e-12)
    assert match.strain_a < 0 < match.strain_b  # Si compressed, Cu stretched
    assert match.mismatch == pytest.approx(-0.00157, abs=2e-5)  # ~0.16 % misfit
    assert match.strain_a - match.strain_b == pytest.approx(match.mismatch, rel=2e-3)


def test_si_ge_pseudomorphic_one_to_one():
    match = find_coincidence(5.431, 5.658, max_lateral_A=25.0, max_strain=0.05)
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


def test_no_match_names_the_fields():
    with pytest.raises(CoincidenceError, match=r"max_lateral_A.*max_strain") as err:
        find_coincidence(5.431, 3.615, max_lateral_A=8.0, max_strain=0.01)
    assert "10.85" in str(err.value)  # and says what budget would work
