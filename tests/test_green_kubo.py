"""Green-Kubo estimators on synthetic processes with known answers (analysis.green_kubo)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from analysis import green_kubo as gk

AREA_TOTAL_A2 = 2 * 250.0  # periodic cell: two interfaces of 250 Å² each
N_A, N_B = 288, 288
TEMPERATURE_K = 40.0


def ou(rng, n: int, tau: float, dt: float, sigma: float) -> np.ndarray:
    """Exactly discretised Ornstein-Uhlenbeck process, stationary start."""
    phi = np.exp(-dt / tau)
    noise = rng.standard_normal(n) * sigma * np.sqrt(1 - phi**2)
    noise[0] = rng.standard_normal() * sigma
    from scipy.signal import lfilter

    return lfilter([1.0], [1.0, -phi], noise)


def test_fft_autocorrelation_matches_direct_sum():
    x = np.random.default_rng(1).standard_normal(300)
    d = x - x.mean()
    direct = np.array([np.dot(d[: d.size - k], d[k:]) / (d.size - k) for k in range(50)])
    assert np.allclose(gk.autocorrelation(x, max_lag=49), direct, rtol=1e-10, atol=1e-12)


def test_autocorrelation_of_a_million_samples_is_fast():
    x = np.random.default_rng(2).standard_normal(1_000_000)
    gk.autocorrelation(x)  # warm-up (FFT plan, imports)
    t0 = time.process_time()  # CPU time: not inflated by other jobs on a busy machine
    acf = gk.autocorrelation(x)
    elapsed = time.process_time() - t0
    assert elapsed < 0.5, f"ACF of 1e6 samples took {elapsed:.2f} s of CPU"
    assert acf[0] == pytest.approx(1.0, rel=0.01) and abs(acf[1:100]).max() < 0.01


def test_area_factor_two_interfaces():
    """Doubling the area (two interfaces of a periodic cell) halves G, for both routes."""
    one = gk.conductance_from_tau_MW_m2K(20.0, n_atoms_a=N_A, n_atoms_b=N_B, area_total_A2=250.0)
    two = gk.conductance_from_tau_MW_m2K(20.0, n_atoms_a=N_A, n_atoms_b=N_B, area_total_A2=500.0)
    assert one == pytest.approx(2 * two)
    acf = np.exp(-np.arange(100) / 5.0)
    g1 = gk.naive_conductance(acf, 0.1, temperature_K=40.0, area_total_A2=250.0)
    g2 = gk.naive_conductance(acf, 0.1, temperature_K=40.0, area_total_A2=500.0)
    assert np.allclose(g1, 2 * g2) and g1[-1] > 0


def test_conductance_from_tau_units():
    """C_eff/(Aτ) by hand in SI: 3 N k_B per side, Å² → m², ps → s."""
    kb = 1.380649e-23
    c_eff = 3 * N_A * kb / 2
    expected = c_eff / (AREA_TOTAL_A2 * 1e-20 * 20e-12) / 1e6
    got = gk.conductance_from_tau_MW_m2K(20.0, n_atoms_a=N_A, n_atoms_b=N_B,
                                         area_total_A2=AREA_TOTAL_A2)
    assert got == pytest.approx(expected, rel=1e-9)


def test_delta_T_relaxation_covers_truth_about_95_percent():
    """OU ΔT with τ = 20 ps: G recovered, 95 % CI covers the truth in ~95 % of trials."""
    tau, dt = 20.0, 1.0
    truth = gk.conductance_from_tau_MW_m2K(tau, n_atoms_a=N_A, n_atoms_b=N_B,
                                           area_total_A2=AREA_TOTAL_A2)
    rng = np.random.default_rng(3)
    hits, errors = 0, []
    n_trials = 60
    for _ in range(n_trials):
        x = ou(rng, 40_000, tau, dt, sigma=1.5)
        r = gk.delta_T_relaxation(x, dt, n_atoms_a=N_A, n_atoms_b=N_B,
                                  area_total_A2=AREA_TOTAL_A2, n_blocks=8)
        hits += r["G_ci95_low_MW_m2K"] <= truth <= r["G_ci95_high_MW_m2K"]
        errors.append(r["G_MW_m2K"] / truth - 1)
    coverage = hits / n_trials
    # binomial(60, 0.95): 2.5 % quantile 53/60 = 0.883; allow a little jackknife conservatism
    assert 0.85 <= coverage <= 1.0, coverage
    assert abs(np.mean(errors)) < 0.03  # unbiased to within a few per cent
    assert np.std(errors) < 0.1


def test_delta_T_relaxation_skips_fast_initial_drop():
    """A fast (kinetic) component on top of the slow ΔT does not bias τ once skipped."""
    rng = np.random.default_rng(4)
    tau, dt = 20.0, 0.5
    x = ou(rng, 80_000, tau, dt, 1.0) + ou(rng, 80_000, 0.5, dt, 1.5)
    truth = gk.conductance_from_tau_MW_m2K(tau, n_atoms_a=N_A, n_atoms_b=N_B,
                                           area_total_A2=AREA_TOTAL_A2)
    r = gk.delta_T_relaxation(x, dt, n_atoms_a=N_A, n_atoms_b=N_B,
                              area_total_A2=AREA_TOTAL_A2, fit_start_ps=3.0)
    assert r["G_ci95_low_MW_m2K"] <= truth <= r["G_ci95_high_MW_m2K"]
    assert r["tau_ps"] == pytest.approx(tau, rel=0.1)
    assert not r["warnings"]


def synthetic_side_energy(rng, n: int, tau: float, dt: float, sigma: float):
    """E_A = slow OU exchange (τ, σ) + fast bounded partition noise + a coherent oscillation.

    The fast terms mimic what a real cell adds (the interface energy shared between the
    per-atom energies of both sides, standing waves): zero-integral contributions to ⟨qq⟩.
    Returns q = −dE_A/dt (E_B = −E_A) and the true G (MW/m²K) = σ²/(k_B T² A τ).
    """
    t = np.arange(n) * dt
    energy = (ou(rng, n, tau, dt, sigma) + ou(rng, n, 0.2, dt, 0.6 * sigma)
              + 0.3 * sigma * np.sin(2 * np.pi * t / 3.7 + rng.uniform(0, 2 * np.pi)))
    truth = gk._G_MW_from_eV_ps_A2_K(
        sigma**2 / (tau * AREA_TOTAL_A2 * gk.KB_EV_K * TEMPERATURE_K**2))
    return gk.power_from_side_energies(energy, -energy, dt), float(truth)


def test_flux_model_fit_recovers_G_tau_and_capacity():
    rng = np.random.default_rng(5)
    tau, dt, sigma = 15.0, 0.05, 0.05
    q, truth = synthetic_side_energy(rng, 400_000, tau, dt, sigma)
    r = gk.flux_model_fit(q, dt, temperature_K=TEMPERATURE_K, area_total_A2=AREA_TOTAL_A2,
                          fit_start_ps=2.0, n_blocks=8)
    assert r["G_ci95_low_MW_m2K"] <= truth <= r["G_ci95_high_MW_m2K"], (r["G_MW_m2K"], truth)
    assert r["G_MW_m2K"] == pytest.approx(truth, rel=0.15)
    assert r["tau_ps"] == pytest.approx(tau, rel=0.2)
    assert r["capacity_eV_K"] == pytest.approx(sigma**2 / (gk.KB_EV_K * TEMPERATURE_K**2),
                                               rel=0.15)
    # the naive running integral is no estimate: it oscillates and decays back to zero
    g_run = r["G_running_MW_m2K"]
    assert g_run[-1] < 0.5 * g_run.max() and g_run.max() > 1.5 * truth
    # output keys shared with NEMD records
    keys = gk.gk_keys(r["G_MW_m2K"], r["G_se_MW_m2K"], r["G_ci95_low_MW_m2K"],
                      r["G_ci95_high_MW_m2K"])
    assert keys["R_K_m2K_W"] == pytest.approx(1e-6 / r["G_MW_m2K"])
    assert keys["R_K_ci95_low_m2K_W"] < keys["R_K_m2K_W"] < keys["R_K_ci95_high_m2K_W"]


def test_flux_model_fit_covers_truth_about_95_percent():
    rng = np.random.default_rng(8)
    tau, dt, sigma = 15.0, 0.1, 0.05
    hits, errors, n_trials = 0, [], 50
    for _ in range(n_trials):
        q, truth = synthetic_side_energy(rng, 60_000, tau, dt, sigma)
        r = gk.flux_model_fit(q, dt, temperature_K=TEMPERATURE_K, area_total_A2=AREA_TOTAL_A2,
                              fit_start_ps=2.0, n_blocks=8)
        hits += r["G_ci95_low_MW_m2K"] <= truth <= r["G_ci95_high_MW_m2K"]
        errors.append(r["G_MW_m2K"] / truth - 1)
    # binomial(50, 0.95): 2.5 % quantile 44/50 = 0.88
    assert 0.86 <= hits / n_trials <= 1.0, hits / n_trials
    assert abs(np.mean(errors)) < 0.06


def test_convergence_and_replica_combination():
    rng = np.random.default_rng(6)
    tau, dt = 20.0, 1.0
    x = ou(rng, 64_000, tau, dt, 1.0)

    def estimate(s):
        return gk.delta_T_relaxation(s, dt, n_atoms_a=N_A, n_atoms_b=N_B,
                                     area_total_A2=AREA_TOTAL_A2, n_blocks=8)

    conv = gk.convergence(x, estimate, dt_ps=dt)
    assert conv["length_ps"] == [8000.0, 16000.0, 32000.0, 64000.0]
    widths = np.subtract(conv["G_ci95_high_MW_m2K"], conv["G_ci95_low_MW_m2K"])
    assert widths[-1] < widths[0]
    assert conv["converged"]
    reps = [estimate(ou(rng, 32_000, tau, dt, 1.0)) for _ in range(3)]
    comb = gk.combine_green_kubo(reps)
    assert comb["n_replicas"] == 3 and comb["method"] == "green-kubo"
    assert comb["G_ci95_low_MW_m2K"] < comb["G_MW_m2K"] < comb["G_ci95_high_MW_m2K"]
    assert comb["G_se_MW_m2K"] < min(r["G_se_MW_m2K"] for r in reps) * 1.5
