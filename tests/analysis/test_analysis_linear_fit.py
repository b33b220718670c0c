"""Weighted line fits, propagated errors and the linearity test."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.linear_fit import fit_line, linear_functionals, quadratic_term_test


def test_fit_matches_numpy_polyfit_and_covariance():
    rng = np.random.default_rng(0)
    x = np.linspace(10.0, 50.0, 12)
    sigma = rng.uniform(0.5, 2.0, x.size)
    y = 3.0 - 0.2 * x + rng.normal(0.0, sigma)
    fit = fit_line(x, y, sigma)
    (slope, intercept), cov = np.polyfit(x, y, 1, w=1 / sigma, cov="unscaled")
    assert fit.slope == pytest.approx(slope, rel=1e-10)
    assert fit.intercept == pytest.approx(intercept, rel=1e-10)
    np.testing.assert_allclose(fit.cov, cov[::-1, ::-1], rtol=1e-8)
    scaled = fit_line(x, y, sigma, absolute_sigma=False)
    np.testing.assert_allclose(scaled.cov, fit.cov * fit.chi2_red, rtol=1e-12)


def test_extrapolated_value_error_matches_monte_carlo():
    rng = np.random.default_rng(1)
    x = np.linspace(0.0, 10.0, 8)
    sigma = np.full(x.size, 0.3)
    x0 = 15.0
    values = [fit_line(x, 1.0 + 0.5 * x + rng.normal(0, sigma), sigma).value_at(x0)[0]
              for _ in range(4000)]
    _, se = fit_line(x, 1.0 + 0.5 * x, sigma).value_at(x0)
    assert np.mean(values) == pytest.approx(8.5, abs=3 * se / np.sqrt(4000))
    assert np.std(values) == pytest.approx(se, rel=0.05)


def test_linear_functionals_equal_the_fit():
    rng = np.random.default_rng(2)
    x = np.linspace(30.0, 90.0, 10)
    w = rng.uniform(20, 60, x.size)
    y = rng.normal(300.0, 2.0, (5, x.size))
    a, b = linear_functionals(x, w, 100.0)
    for row, value, slope in zip(y, y @ a, y @ b, strict=True):
        fit = fit_line(x, row, 1 / np.sqrt(w))
        assert value == pytest.approx(fit.value_at(100.0)[0], rel=1e-12)
        assert slope == pytest.approx(fit.slope, rel=1e-10)


def test_quadratic_profile_is_flagged_and_line_is_not():
    rng = np.random.default_rng(3)
    x = np.linspace(30.0, 90.0, 15)
    noise = rng.normal(0.0, 0.2, x.size)
    curved = quadratic_term_test(x, 310 - 0.1 * x + 0.004 * (x - 60) ** 2 + noise)
    straight = quadratic_term_test(x, 310 - 0.1 * x + noise)
    assert curved["p_value"] < 1e-4
    assert curved["curvature"] == pytest.approx(0.004, rel=0.2)
    assert straight["p_value"] > 0.05


def test_linearity_test_false_alarm_rate():
    rng = np.random.default_rng(4)
    x = np.linspace(0.0, 1.0, 12)
    p = np.array([quadratic_term_test(x, x + rng.normal(0, 0.1, x.size))["p_value"]
                  for _ in range(400)])
    assert 0.02 < np.mean(p < 0.05) < 0.09  # uniform p-values under linearity


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError):
        fit_line([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        fit_line([1.0, 2.0, np.nan], [1.0, 2.0, 3.0])
