"""Flyvbjerg–Petersen blocking, block means, t intervals and the jackknife."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.blocking import (
    block_means,
    flyvbjerg_petersen,
    mean_ci,
    t_interval,
    welch_satterthwaite_dof,
)
from analysis.jackknife import jackknife
from analysis.synthetic import ar1_noise


def test_block_means_drop_leading_remainder():
    np.testing.assert_allclose(block_means(np.arange(7.0), 3), [2.0, 5.0])
    assert block_means(np.ones((10, 4)), 5).shape == (2, 4)
    with pytest.raises(ValueError):
        block_means(np.arange(3.0), 4)


@pytest.mark.parametrize("phi", [0.0, 0.7, 0.9])
def test_fp_plateau_matches_analytic_se_of_ar1(phi):
    # AR(1) with unit variance: SE(mean)² ≈ s/n, s = (1+φ)/(1-φ) = 2 τ_int.
    rng = np.random.default_rng(10)
    n = 2**15
    s_true = (1 + phi) / (1 - phi)
    se_true = np.sqrt(s_true / n)
    ratios = []
    for _ in range(20):
        res = flyvbjerg_petersen(ar1_noise(rng, n, (), phi, 1.0))
        assert res.converged
        # Within its own error, allowing a few per cent of plateau-pick bias.
        assert abs(res.se_mean - se_true) < 4 * res.se_mean_err + 0.05 * se_true
        assert res.se_mean_err == pytest.approx(res.se_mean / np.sqrt(2 * (
            res.n_blocks[res.plateau_level] - 1)))
        ratios.append(res.se_mean / se_true)
        assert np.all(np.diff(res.block_size) > 0) and res.se_err[0] < res.se_err[-1]
    assert np.mean(ratios) == pytest.approx(1.0, abs=0.06)
    assert res.statistical_inefficiency == pytest.approx(s_true, rel=0.35)
    if phi > 0:
        assert res.se[0] < 0.8 * res.se_mean  # naive SE underestimates


def test_fp_flags_unconverged_series():
    # Random walk: the SE keeps growing with block size, no plateau.
    rng = np.random.default_rng(11)
    res = flyvbjerg_petersen(np.cumsum(rng.normal(size=4096)))
    assert not res.converged


def test_t_interval_and_mean_ci():
    low, high = t_interval(1.0, 0.5, 4)
    assert high - 1.0 == pytest.approx(0.5 * 2.7764451, rel=1e-6)
    assert low == pytest.approx(2.0 - high)
    ci = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert ci["mean"] == 2.5 and ci["dof"] == 3
    assert ci["se"] == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2)
    assert ci["high"] - 2.5 == pytest.approx(stats.t.ppf(0.975, 3) * ci["se"])


def test_welch_satterthwaite():
    assert welch_satterthwaite_dof([1.0, 1.0], [10, 10]) == pytest.approx(20.0)
    assert welch_satterthwaite_dof([1.0], [np.inf]) == np.inf


def test_jackknife_ratio_matches_delta_method():
    rng = np.random.default_rng(12)
    a = rng.normal(10.0, 1.0, 400)
    b = rng.normal(5.0, 0.5, 400) + 0.02 * a
    est, se = jackknife(np.divide, a, b)
    assert est == pytest.approx(a.mean() / b.mean())
    cov = np.cov(a, b) / a.size
    r = a.mean() / b.mean()
    grad = np.array([1 / b.mean(), -r / b.mean()])
    assert se == pytest.approx(np.sqrt(grad @ cov @ grad), rel=0.02)
    # Linear function: jackknife SE equals the usual SE of the mean.
    _, se_lin = jackknife(lambda x: x, a)
    assert se_lin == pytest.approx(a.std(ddof=1) / np.sqrt(a.size), rel=1e-10)
