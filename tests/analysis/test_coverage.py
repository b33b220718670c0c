"""Coverage of the NEMD intervals on synthetic runs with the real noise structure.

The synthetic profiles carry the slow collective mode of the jump (an OU process with
τ_slow = C_eff R_K/A ≈ 25 ps and ≈ 16 K amplitude, from a 118 Å² Si/Cu-like cell with a
30 K jump) plus correlated per-bin noise, a cold-start transient and bends at the baths,
sampled every 0.25 ps as the default study does.  Runs of 12 and 24 τ_slow are like the
real ones.  Hundreds of seeded trials: single-replica and combined 95 % intervals must
cover the truth 92–98 % of the time; the naive batch-means interval (no slow-mode
correction, blocks of a few ps) must not, or the test would prove nothing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from analysis.blocking import mean_ci
from analysis.nemd import analyse_replica
from analysis.replicas import combine_replicas
from analysis.synthetic import synthetic_replica

SETTINGS = {"bath_exclusion_A": 5.0, "interface_exclusion_A": 2.0}
TAU_PS = 25.3  # C_eff R_K / A of the cell below


def realistic(seed: int, run_taus: float):
    """A Si/Cu-like replica (see module docstring) lasting ``run_taus`` τ_slow."""
    return synthetic_replica(
        seed=seed, n_samples=int(run_taus * TAU_PS / 0.25), dt_ps=0.25, length_A=80.0,
        bin_width_A=2.0, fixed_A=4.0, bath_A=8.0, z_interface_A=40.0, delta_T_K=30.0,
        flux_W_m2=5e9, area_A2=118.0, atoms_A=10, atoms_B=20, noise_K=15.0, noise_phi=0.3,
        grad_A_K_per_A=0.25, grad_B_K_per_A=0.1, transient_tau_ps=TAU_PS)


def _analyse(run_taus: float, n_trials: int, first_seed: int):
    results, truth = [], None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for seed in range(first_seed, first_seed + n_trials):
            raw, truth = realistic(seed, run_taus)
            results.append(analyse_replica(raw, SETTINGS))
    return results, truth


def _covers(record, truth):
    return record["R_K_ci95_low_m2K_W"] <= truth <= record["R_K_ci95_high_m2K_W"]


@pytest.mark.slow
@pytest.mark.parametrize("run_taus", [12.0, 24.0])
def test_single_and_combined_intervals_cover(run_taus):
    results, truth = _analyse(run_taus, 1200, first_seed=int(run_taus) * 1000)
    r_true = truth["R_K_m2K_W"]
    assert truth["slow_tau_ps"] == pytest.approx(TAU_PS, rel=0.01)
    assert truth["slow_amplitude_K"] == pytest.approx(15.8, rel=0.02)
    converged = [r for r in results if r["converged"]]
    assert len(converged) >= 0.75 * len(results)  # the rest: transients, drift flags
    single = np.mean([_covers(r, r_true) for r in converged])
    assert 0.92 <= single <= 0.98, single
    for n in (2, 3):
        combined = [combine_replicas(results[k:k + n]) for k in range(0, len(results) - n + 1, n)]
        hits = [_covers(c, r_true) for c in combined if c["converged"]]
        assert len(hits) >= 0.4 * len(combined)  # all n replicas converged
        assert 0.92 <= np.mean(hits) <= 0.98, (n, np.mean(hits))
    # the model's τ_slow is recovered from the runs' own R_K
    taus = [r["convergence"]["tau_slow_ps"] for r in converged
            if r["convergence"]["tau_slow_ps"] is not None]  # None: R_K <= 0
    assert np.median(taus) == pytest.approx(TAU_PS, rel=0.15)


def test_naive_batch_means_undercover_on_the_same_runs():
    """Without the slow-mode correction, blocks of ~3 ps give far too narrow intervals."""
    results, truth = _analyse(16.0, 300, first_seed=5000)
    r_true = truth["R_K_m2K_W"]
    hits = []
    for r in results:
        d_t = np.asarray(r["blocks"]["delta_T_K"])  # blocks of τ_slow/2 ≈ 12 ps
        fine = d_t  # even these blocks are correlated: the naive interval ignores it
        ci = mean_ci(fine / np.asarray(r["blocks"]["flux_W_m2"]))
        hits.append(ci["low"] <= r_true <= ci["high"])
    assert np.mean(hits) < 0.85


def test_short_run_is_not_converged_and_has_no_interval():
    results, _ = _analyse(4.0, 20, first_seed=9000)
    for r in results:
        assert r["converged"] is False
        assert r["R_K_ci95_low_m2K_W"] is None and r["R_K_ci95_high_m2K_W"] is None
        assert r["R_K_se_m2K_W"] is None and r["G_ci95_low_MW_m2K"] is None
        assert r["R_K_m2K_W"] is not None
        assert r["convergence"]["reasons"]
        assert any("not converged" in w for w in r["warnings"])
    combined = combine_replicas(results[:3])
    assert combined["converged"] is False and combined["R_K_ci95_low_m2K_W"] is None
