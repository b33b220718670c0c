"""MSER truncation and the stationarity check."""

from __future__ import annotations

import numpy as np

from analysis.steady_state import detect_steady_state, drift_p_value, mser_truncation
from analysis.synthetic import ar1_noise


def test_mser_cuts_after_an_exponential_transient():
    rng = np.random.default_rng(7)
    t = np.arange(1.0, 1001.0)
    starts = []
    for _ in range(30):
        x = 10.0 * np.exp(-t / 30.0) + ar1_noise(rng, t.size, (), 0.5, 1.0)
        index, at_limit = mser_truncation(x)
        assert not at_limit
        starts.append(index)
    # The transient is below the noise (1) after 30 ln 10 ≈ 70 samples.
    assert 50 <= np.median(starts) <= 200
    assert min(starts) >= 30


def test_stationary_series_keeps_almost_everything():
    rng = np.random.default_rng(8)
    t = np.arange(1.0, 801.0)
    res = detect_steady_state(t, ar1_noise(rng, t.size, (), 0.3, 1.0), safety_factor=1.0)
    assert res["stationary"] and res["start_index"] < 100


def test_drifting_series_is_flagged():
    rng = np.random.default_rng(9)
    t = np.arange(1.0, 801.0)
    drift = 0.01 * t + ar1_noise(rng, t.size, (), 0.3, 1.0)
    res = detect_steady_state(t, drift)
    assert not res["stationary"] and res["reasons"]
    assert drift_p_value(t, drift) < 1e-6
    assert drift_p_value(t, ar1_noise(rng, t.size, (), 0.3, 1.0)) > 1e-3


def test_several_signals_minimum_discard_and_safety_factor():
    rng = np.random.default_rng(10)
    t = 0.5 * np.arange(1, 1201)
    fast = 5.0 * np.exp(-t / 5.0) + rng.normal(size=t.size)
    slow = 5.0 * np.exp(-t / 40.0) + rng.normal(size=t.size)
    both = detect_steady_state(t, [fast, slow], safety_factor=1.0)
    assert both["start_index"] == max(both["mser_indices"])
    assert both["mser_indices"][1] > both["mser_indices"][0]
    safer = detect_steady_state(t, [fast, slow], safety_factor=1.5)
    assert safer["start_index"] == int(np.ceil(1.5 * both["start_index"]))
    forced = detect_steady_state(t, [fast, slow], min_discard_ps=400.0)
    assert forced["start_ps"] == 400.0 and forced["start_index"] == 800
