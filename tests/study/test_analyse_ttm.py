"""The two-temperature record against the coupling the run was given (study.analyse_ttm)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.ttm_run import analyse_ttm_run
from study.analyse_ttm import input_coupling_checks
from tests.analysis.test_ttm_run import TRUTH, synthetic_run


def test_a_fit_that_finds_the_input_coupling_passes_and_gives_the_mr_estimate():
    raw, geometry = synthetic_run(np.random.default_rng(3), n_windows=300)
    result = analyse_ttm_run(raw, geometry, flux_W_m2=TRUTH.flux_W_m2, n_blocks=5)
    low, high = result["G_ep_W_m3K_ci95"]
    assert low < TRUTH.G_ep_W_m3K < high and low > 0
    checks = input_coupling_checks(result, {"G_ep_W_m3K": TRUTH.G_ep_W_m3K})
    assert checks["G_ep_input_within_ci95"] is True
    expected = 1 / math.sqrt(TRUTH.G_ep_W_m3K * result["kappa_p_W_mK"])
    assert checks["R_ep_MR_input_G_m2K_W"] == pytest.approx(expected, rel=1e-12)
    mr_low, mr_high = checks["R_ep_MR_input_G_ci95_m2K_W"]
    assert mr_low < checks["R_ep_MR_input_G_m2K_W"] < mr_high
    assert not any("misses the input" in w for w in result["warnings"])


def test_a_fit_that_misses_the_input_coupling_is_warned():
    raw, geometry = synthetic_run(np.random.default_rng(3), n_windows=300)
    result = analyse_ttm_run(raw, geometry, flux_W_m2=TRUTH.flux_W_m2, n_blocks=5)
    checks = input_coupling_checks(result, {"G_ep_W_m3K": 100 * TRUTH.G_ep_W_m3K})
    assert checks["G_ep_input_within_ci95"] is False
    assert "misses the input" in result["warnings"][-1]
    assert input_coupling_checks(result, None) == {}
