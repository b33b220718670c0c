"""The slow-mode statistics: τ_slow, block covariance, corrected batch means."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import constants, stats

from analysis.slow_mode import (
    integrated_time_samples,
    ou_batch_mean,
    ou_block_covariance,
    slow_relaxation_time_ps,
)
from analysis.synthetic import ar1_noise


def test_tau_slow_by_hand():
    # 100 + 300 atoms: C_eff = 3 k_B * 75; R_K = 1e-9 m2K/W; A = 100 Å² = 1e-18 m².
    expected_s = 3 * constants.k * 75 * 1e-9 / 1e-18
    assert slow_relaxation_time_ps(100, 300, 1e-9, 100.0) == pytest.approx(expected_s / 1e-12)
    assert np.isnan(slow_relaxation_time_ps(100, 300, -1e-9, 100.0))


def test_block_covariance_matches_brute_force():
    m, b, phi = 4, 7, 0.83
    lag = np.abs(np.subtract.outer(np.arange(m * b), np.arange(m * b)))
    full = phi**lag
    brute = full.reshape(m, b, m, b).mean(axis=(1, 3))
    np.testing.assert_allclose(ou_block_covariance(m, b, phi), brute, rtol=1e-12)


def test_corrected_batch_means_are_unbiased_and_cover():
    """AR(1) with τ = 40 samples, blocks of 20: the naive error is far too small."""
    rng = np.random.default_rng(3)
    phi, n, b = np.exp(-1 / 40), 2000, 20
    var_hats, hits, naive_hits, means = [], 0, 0, []
    for _ in range(1500):
        x = ar1_noise(rng, n, (), phi, 1.0)
        est = ou_batch_mean(x, b, phi)
        means.append(est.mean)
        var_hats.append(est.se**2)
        hits += abs(est.mean) <= stats.t.ppf(0.975, est.dof) * est.se
        naive = est.block_means.std(ddof=1) / np.sqrt(est.n_blocks)
        naive_hits += abs(est.mean) <= stats.t.ppf(0.975, est.n_blocks - 1) * naive
    true_var = np.var(means)
    assert np.mean(var_hats) == pytest.approx(true_var, rel=0.1)
    assert 0.93 <= hits / 1500 <= 0.97
    assert naive_hits / 1500 < 0.8
    assert est.inflation > 1.5


def test_integrated_time_of_ar1():
    rng = np.random.default_rng(4)
    phi = np.exp(-1 / 10)
    taus = [integrated_time_samples(ar1_noise(rng, 20000, (), phi, 1.0)) for _ in range(20)]
    assert np.median(taus) == pytest.approx((1 + phi) / (2 * (1 - phi)), rel=0.1)
    assert integrated_time_samples(rng.standard_normal(5000)) < 1.0
