"""Green-Kubo (equilibrium MD) estimators of the interfacial thermal conductance G.

Input: series sampled every ``dt_ps`` in an NVE run of a cell periodic along z holding
**two** equivalent A|B interfaces (:mod:`structures.periodic`), so every area below is the
*total* interface area ``area_total_A2 = 2 * area_A2``.  Internal units are LAMMPS
``metal`` (eV, ps, Å, K); results leave as ``G_MW_m2K`` and ``R_K_m2K_W``.

Quantities
----------
* q(t) = −dE_A/dt (eV/ps): the power flowing out of side A, through both interfaces,
  into side B (:func:`power_from_side_energies`).
* ΔT(t) = T_A(t) − T_B(t) (K); ε(t) = (E_A − E_B)/2 = −∫q dt (eV), the side energy.

Green-Kubo formula (Puech et al. 1986; Barrat & Chiaruttini, Mol. Phys. 101, 1605
(2003); Domingues et al., PRL 94, 085901 (2005))::

    G = 1/(A k_B T²) ∫₀^∞ ⟨q(t) q(0)⟩ dt.

In a finite cell E_A is bounded, so the integral is exactly zero at t → ∞: the running
integral rises within the phonon correlation time to a quasi-plateau and then decays on
τ = C_eff/(G A), C_eff = C_A C_B/(C_A + C_B).  :func:`naive_conductance` returns the
running G(t) for display only.  The estimates use that decay instead: by Onsager's
regression hypothesis the equilibrium fluctuations of the lumped two-reservoir system
relax like the macroscopic problem (Rajabpour & Volz, J. Appl. Phys. 108, 094324 (2010)),
so ΔT and ε are Ornstein-Uhlenbeck processes of relaxation time τ, with variances
k_B T²/C_eff and k_B T² C_eff.

Estimators
----------
1. :func:`delta_T_likelihood` (reported): τ from the restricted likelihood of ΔT as OU +
   fast noise (:mod:`analysis.ou_likelihood`: bin means with gaps, the white variance of
   the bin means a free parameter, REML, parametric-bootstrap median-bias correction,
   bootstrap-calibrated profile-likelihood interval) and G = C_eff/(A τ) with the
   classical C = 3 N k_B.
2. :func:`side_energy_likelihood` (cross-check ``flux``): the same likelihood of ε; its
   variance a = k_B T² C_eff *measures* the capacity, G = a/(A k_B T² τ).
3. :func:`delta_T_relaxation` (cross-check ``delta_T_acf``): the exponential fit of the ΔT
   autocorrelation averaged over blocks with a jackknife interval, the estimator the
   workflow used before.  On OU series of 20 τ it is biased high (median G ≈ 1.3 × the
   truth with fast noise, tests/analysis/test_green_kubo.py) and its interval too narrow: the ACF of
   a block of a few τ is biased low at every lag by the block's own mean, and the jackknife
   does not see it.

A run is *converged* when it holds at least ``min_length_taus`` relaxation times (and τ's
likelihood closes); otherwise its record keeps the point estimate with every interval
None.  Replicas are combined by :func:`analysis.green_kubo_combine.combine_green_kubo` (joint likelihood of a common
τ).  Cepstral analysis (Ercole et al., Sci. Rep. 7, 15835 (2017)) is not used: the
interfacial power spectrum vanishes at ω = 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants, stats

from .blocking import t_interval
from .correlation import block_autocorrelation, fit_exponential, running_integral
from .ou_likelihood import OuNoiseFit, fit_ou_noise
from .units import W_M2_PER_EV_PS_A2, resistance_m2K_W

__all__ = [
    "KB_EV_K",
    "classical_heat_capacity_eV_K",
    "conductance_from_tau_MW_m2K",
    "delta_T_likelihood",
    "delta_T_relaxation",
    "gk_keys",
    "log_standard_error",
    "naive_conductance",
    "power_from_side_energies",
    "side_energy_from_power",
    "side_energy_likelihood",
]

KB_EV_K = constants.k / constants.e  # [eV/K]
_MEGA = constants.mega


def _G_MW_from_eV_ps_A2_K(value: ArrayLike) -> np.ndarray:
    """eV ps⁻¹ Å⁻² K⁻¹ → MW m⁻² K⁻¹."""
    return np.asarray(value, dtype=float) * W_M2_PER_EV_PS_A2 / _MEGA


def naive_conductance(acf_q: ArrayLike, dt_ps: float, *, temperature_K: float,
                      area_total_A2: float) -> np.ndarray:
    """Running G(t) = 1/(A k_B T²) ∫₀^t ⟨q q⟩ dt' (display only: → 0 at long t).

    Parameters
    ----------
    acf_q : array_like, shape (m,)
        ACF of the power q (eV²/ps²).
    dt_ps : float
        Lag spacing (ps).
    temperature_K : float
        Mean temperature (K).
    area_total_A2 : float
        Total interface area the power crosses (Å²): 2 × cross-section for a periodic cell.

    Returns
    -------
    numpy.ndarray, shape (m,)
        G(t) in MW m⁻² K⁻¹.
    """
    scale = 1.0 / (area_total_A2 * KB_EV_K * temperature_K**2)
    return _G_MW_from_eV_ps_A2_K(running_integral(acf_q, dt_ps) * scale)


def classical_heat_capacity_eV_K(n_atoms: int) -> float:
    """Classical (Dulong-Petit) heat capacity 3 N k_B of a harmonic solid (eV/K)."""
    return 3.0 * int(n_atoms) * KB_EV_K


def conductance_from_tau_MW_m2K(tau_ps: ArrayLike, *, n_atoms_a: int, n_atoms_b: int,
                                area_total_A2: float) -> np.ndarray:
    """G = C_A C_B / (A τ (C_A + C_B)) in MW m⁻² K⁻¹ (Rajabpour & Volz 2010), C = 3 N k_B.

    Parameters
    ----------
    tau_ps : array_like
        Relaxation time of ΔT (ps).
    n_atoms_a, n_atoms_b : int
        Atoms of each side.
    area_total_A2 : float
        Total interface area (Å²); 2 × cross-section for a periodic cell.
    """
    c_a, c_b = classical_heat_capacity_eV_K(n_atoms_a), classical_heat_capacity_eV_K(n_atoms_b)
    c_eff = c_a * c_b / (c_a + c_b)
    return _G_MW_from_eV_ps_A2_K(c_eff / (area_total_A2 * np.asarray(tau_ps, dtype=float)))


def power_from_side_energies(energy_a_eV: ArrayLike, energy_b_eV: ArrayLike,
                             dt_ps: float) -> np.ndarray:
    """Power from A to B, q = −dE_A/dt = dE_B/dt, by centred differences (eV/ps).

    ``q[k] = ((E_B[k+1] − E_B[k]) − (E_A[k+1] − E_A[k])) / (2 dt)`` is the mean power over
    the interval [t_k, t_k+1], i.e. centred at t_k + dt/2.  Averaging the two sides
    cancels the common drift of the NVE integrator's total energy.

    Parameters
    ----------
    energy_a_eV, energy_b_eV : array_like, shape (n,)
        Side energies (kinetic + potential, eV) sampled every ``dt_ps``.
    dt_ps : float
        Sampling interval (ps).

    Returns
    -------
    numpy.ndarray, shape (n − 1,)
        q (eV/ps), positive when energy flows from A into B.
    """
    e_a, e_b = np.asarray(energy_a_eV, float), np.asarray(energy_b_eV, float)
    return (np.diff(e_b) - np.diff(e_a)) / (2.0 * dt_ps)


def side_energy_from_power(power_eV_ps: ArrayLike, dt_ps: float) -> np.ndarray:
    """E_A(t) − E_A(0) = −∫₀^t q dt' (eV), the inverse of :func:`power_from_side_energies`.

    Parameters
    ----------
    power_eV_ps : array_like, shape (n,)
        q (eV/ps), each value the mean power over one sampling interval.
    dt_ps : float
        Sampling interval (ps).

    Returns
    -------
    numpy.ndarray, shape (n + 1,)
        Side-A energy relative to its first sample (eV).
    """
    q = np.asarray(power_eV_ps, dtype=float)
    return -np.concatenate(([0.0], np.cumsum(q) * dt_ps))


def _jackknife_fits(acfs: np.ndarray, fit: Callable[[np.ndarray], tuple]) -> tuple:
    """Fit the block-mean ACF and every delete-one-block mean; return (full, leave-one-out)."""
    n = acfs.shape[0]
    total = acfs.sum(axis=0)
    full = fit(total / n)
    loo = [fit((total - acfs[i]) / (n - 1)) for i in range(n)]
    return full, loo


def _interval(value: float, loo: ArrayLike) -> dict:
    """Jackknife SE and t-interval (n − 1 dof) of ``value`` from leave-one-out estimates."""
    loo = np.asarray(loo, dtype=float)
    n = loo.size
    se = float(np.sqrt((n - 1) / n * np.sum((loo - loo.mean()) ** 2)))
    low, high = t_interval(value, se, n - 1)
    return {"value": float(value), "se": se, "dof": n - 1, "low": float(low),
            "high": float(high)}


def _max_lag(n_samples: int, n_blocks: int, max_lag: int | None) -> int:
    length = n_samples // n_blocks
    return int(min(max_lag or length // 2, length - 1))


def delta_T_relaxation(delta_T_K: ArrayLike, dt_ps: float, *, n_atoms_a: int, n_atoms_b: int,
                       area_total_A2: float, fit_start_ps: float = 0.0, n_blocks: int = 8,
                       max_lag: int | None = None, window_taus: float = 1.5) -> dict:
    """Cross-check ``delta_T_acf``: exponential fit of the block-averaged ΔT ACF (biased).

    Parameters
    ----------
    delta_T_K : array_like, shape (n,)
        T_A − T_B (K) every ``dt_ps``.
    dt_ps : float
        Sampling interval (ps).
    n_atoms_a, n_atoms_b : int
        Atoms per side (classical C = 3 N k_B).
    area_total_A2 : float
        Total interface area (Å²): 2 × cross-section in a periodic cell.
    fit_start_ps : float
        First lag fitted (ps), past the fast kinetic/potential exchange.
    n_blocks : int
        Blocks for the jackknife (each must be many τ long).
    max_lag : int, optional
        Largest lag of the ACF (samples); default half a block.
    window_taus : float
        Fit window in units of τ.

    Returns
    -------
    dict
        ``G_MW_m2K`` with ``_se_``, ``_ci95_low_``, ``_ci95_high_`` and ``ci_dof``;
        ``tau_ps`` (+ ``tau_se_ps``), ``amplitude_K2``, ``fit_window_ps``, ``acf_K2``
        (block mean, shape (max_lag + 1,)), ``dt_ps``, ``n_blocks``,
        ``block_length_ps``, ``warnings``.
    """
    x = np.asarray(delta_T_K, dtype=float)
    lag = _max_lag(x.size, n_blocks, max_lag)
    acfs = block_autocorrelation(x, n_blocks, lag)
    start = round(fit_start_ps / dt_ps)
    full, loo = _jackknife_fits(acfs, lambda c: fit_exponential(
        c, dt_ps, start=start, window_taus=window_taus))
    amplitude, tau, end = full

    def g_of(tau_ps):
        return float(conductance_from_tau_MW_m2K(tau_ps, n_atoms_a=n_atoms_a,
                                                 n_atoms_b=n_atoms_b, area_total_A2=area_total_A2))

    g = _interval(g_of(tau), [g_of(f[1]) for f in loo])
    tau_ci = _interval(tau, [f[1] for f in loo])
    block_ps = (x.size // n_blocks) * dt_ps
    notes = _length_notes(tau, block_ps, end, lag)
    return {**_g_keys(g), "tau_ps": tau, "tau_se_ps": tau_ci["se"], "amplitude_K2": amplitude,
            "fit_window_ps": [start * dt_ps, end * dt_ps], "acf_K2": acfs.mean(axis=0),
            "dt_ps": dt_ps, "n_blocks": n_blocks, "block_length_ps": block_ps,
            "warnings": notes}


def _length_notes(tau_ps: float, block_ps: float, end: int, lag: int) -> list[str]:
    notes = []
    if block_ps < 20 * tau_ps:
        notes.append(f"blocks of {block_ps:.3g} ps are shorter than 20 τ = {20 * tau_ps:.3g} ps: "
                     "the ACF of each block is biased and the jackknife error unreliable; "
                     "run longer or use fewer blocks")
    if end >= lag:
        notes.append("the fit window reaches the largest lag: the decay is not resolved")
    return notes


def _g_keys(g: Mapping) -> dict:
    return {"G_MW_m2K": g["value"], "G_se_MW_m2K": g["se"], "G_ci95_low_MW_m2K": g["low"],
            "G_ci95_high_MW_m2K": g["high"], "ci_dof": g["dof"]}


def gk_keys(G_MW_m2K: float, G_se: float | None, low: float | None,
            high: float | None) -> dict:
    """Result keys like the NEMD record: G and R_K = 1/G, R_K's interval the image of G's.

    ``G_se``, ``low`` and ``high`` may be None (a run that did not converge has no
    interval): the matching R_K fields are then None too.

    Returns
    -------
    dict
        ``G_MW_m2K``, ``G_se_MW_m2K``, ``G_ci95_low_MW_m2K``, ``G_ci95_high_MW_m2K``,
        ``R_K_m2K_W``, ``R_K_se_m2K_W`` (delta method), ``R_K_ci95_low_m2K_W``,
        ``R_K_ci95_high_m2K_W`` (inf when the G interval reaches 0).
    """
    r = float(resistance_m2K_W(G_MW_m2K))
    if G_se is None or low is None or high is None:
        return {"G_MW_m2K": float(G_MW_m2K), "G_se_MW_m2K": None, "G_ci95_low_MW_m2K": None,
                "G_ci95_high_MW_m2K": None, "R_K_m2K_W": r, "R_K_se_m2K_W": None,
                "R_K_ci95_low_m2K_W": None, "R_K_ci95_high_m2K_W": None}
    return {
        "G_MW_m2K": float(G_MW_m2K), "G_se_MW_m2K": float(G_se),
        "G_ci95_low_MW_m2K": float(low), "G_ci95_high_MW_m2K": float(high),
        "R_K_m2K_W": r, "R_K_se_m2K_W": abs(r) * G_se / abs(G_MW_m2K),
        "R_K_ci95_low_m2K_W": float(resistance_m2K_W(high)) if high > 0 else float("inf"),
        "R_K_ci95_high_m2K_W": float(resistance_m2K_W(low)) if low > 0 else float("inf"),
    }


def log_standard_error(value: float, low: float, high: float) -> float:
    """value × standard error of ln(value) read off a 95 % interval (finite half if one)."""
    z = float(stats.norm.ppf(0.975))
    halves = [h for h in (math.log(value / low) if low > 0 else math.inf,
                          math.log(high / value) if math.isfinite(high) else math.inf)
              if math.isfinite(h)]
    return value * max(halves) / z if halves else math.inf


def _convergence(fit: OuNoiseFit, min_length_taus: float) -> dict:
    """Is the run long enough for the estimator's error model?  ``converged`` and reasons."""
    reasons = []
    if not fit.length_taus >= min_length_taus:
        reasons.append(
            f"{fit.duration_ps:.4g} ps hold {fit.length_taus:.3g} τ (τ = {fit.tau_ps:.3g} ps), "
            f"fewer than min_length_taus = {min_length_taus:g}: no interval; run at least "
            f"{min_length_taus * fit.tau_ps:.4g} ps")
    low, high = fit.tau_ci95_ps
    if not (low > 0 and math.isfinite(high)):
        reasons.append("the profile likelihood of τ does not close: τ is not resolved")
    if not fit.bootstrap:
        reasons.append("τ̂ lies outside the run: no median-bias correction")
    return {"converged": not reasons, "reasons": reasons, "length_taus": fit.length_taus,
            "min_length_taus": float(min_length_taus),
            "required_production_ps": float(min_length_taus * fit.tau_ps)}


def _fit_keys(fit: OuNoiseFit, unit: str) -> dict:
    """Scalar description of an :class:`OuNoiseFit` (amplitudes in ``unit``²)."""
    amp, amp_lo, amp_hi = fit.product_interval(1.0, 0.0)
    return {
        "tau_ps": fit.tau_ps, "tau_ci95_low_ps": fit.tau_ci95_ps[0],
        "tau_ci95_high_ps": fit.tau_ci95_ps[1], "tau_ml_ps": fit.tau_ml_ps,
        "tau_log_bias": fit.log_tau_bias, "tau_lr_statistic": fit.lr_statistic,
        f"amplitude_{unit}2": amp, f"amplitude_ci95_low_{unit}2": amp_lo,
        f"amplitude_ci95_high_{unit}2": amp_hi,
        f"noise_{unit}2": fit.noise_variance, "noise_ratio": fit.noise_ratio,
        "n_bins": fit.n_bins, "bin_ps": fit.bin_ps, "spacing_ps": fit.spacing_ps,
        "duration_ps": fit.duration_ps, "n_bootstrap": int(fit.bootstrap["log_tau"].size)
        if fit.bootstrap else 0,
        "profile": {"log_tau_ps": fit.profile_log_tau, "delta_nll": fit.profile_delta_nll},
    }


def _without_intervals(record: dict) -> dict:
    """A record of a run that did not converge: every interval and standard error → None."""
    marks = ("_se_", "_ci95_", "ci_dof")
    return {k: (None if any(m in k for m in marks) else v) for k, v in record.items()}


def _tau_interval_G(fit: OuNoiseFit, factor: float) -> tuple[float, float, float]:
    """G = factor/τ with the image of τ's profile-likelihood interval."""
    low, high = fit.tau_ci95_ps
    return (factor / fit.tau_ps, factor / high if math.isfinite(high) else 0.0,
            factor / low if low > 0 else math.inf)


def delta_T_likelihood(delta_T_K: ArrayLike, dt_ps: float, *, n_atoms_a: int, n_atoms_b: int,
                       area_total_A2: float, temperature_K: float, bin_ps: float,
                       gap_ps: float, min_length_taus: float, n_bootstrap: int = 200,
                       seed: int | None = None) -> dict:
    """The reported estimator: G = C_A C_B/(A τ (C_A + C_B)) with τ from the likelihood of ΔT.

    ΔT = T_A − T_B is fitted as an Ornstein-Uhlenbeck process (the lumped exchange) plus
    the fast noise of instantaneous temperatures by
    :func:`analysis.ou_likelihood.fit_ou_noise`: restricted likelihood of bin means,
    median bias removed by a parametric bootstrap, 95 % profile-likelihood interval of τ
    with its cut calibrated on the same bootstrap.

    Why the classical capacity C = 3 N k_B: G then depends on τ alone, and the interval of
    τ is the one whose coverage is shown (tests/analysis/test_green_kubo.py).  Equipartition,
    k_B T²/C_eff = σ² (σ² the variance of the *slow* part; the raw Var(ΔT) is no estimate,
    since instantaneous temperatures of N atoms carry a fast noise of the same size,
    ~2T²/(3N) per side), gives G = k_B T²/(A σ² τ) = 2 k_B T²/(A S_ΔT(0)): free of any
    capacity model but set by the low-frequency spectrum alone, i.e. by the few slow
    excursions a 20–100 τ run holds, so its scatter is about twice that of C/(Aτ) and σ̂²
    carries its own small-sample bias.  It is reported beside G (``G_measured_capacity_*``,
    parametric-bootstrap interval) with the measured C_eff; classical MD of an
    anharmonic solid has C within a few % of 3 N k_B at T well below melting, so a
    measured/classical ratio whose interval excludes 1 flags the lumped model.

    Parameters
    ----------
    delta_T_K : array_like, shape (n,)
        T_A − T_B (K) every ``dt_ps``.
    dt_ps : float
        Sampling interval (ps).
    n_atoms_a, n_atoms_b : int
        Atoms per side.
    area_total_A2 : float
        Total interface area (Å²): 2 × cross-section in a periodic cell.
    temperature_K : float
        Mean temperature of the run (K).
    bin_ps, gap_ps : float
        Bin width and gap between bins (ps), see :func:`fit_ou_noise`.
    min_length_taus : float
        Runs shorter than this many τ are not converged: point estimate, no interval.
    n_bootstrap : int
        Bootstrap draws (median bias, amplitude intervals).
    seed : int, optional
        Bootstrap seed (default: from the data).

    Returns
    -------
    dict
        ``G_MW_m2K`` with ``G_se_MW_m2K`` (G × the standard error of ln G read off the
        interval), ``G_ci95_low_MW_m2K``, ``G_ci95_high_MW_m2K``, ``ci_dof`` (inf: a
        likelihood interval); ``tau_ps`` and its interval, ``tau_ml_ps``,
        ``tau_log_bias``; ``amplitude_K2`` (σ², with interval), ``noise_K2`` (variance
        of the bin-averaged fast noise); ``capacity_eV_K`` (measured C_eff, with interval),
        ``capacity_classical_eV_K``, ``capacity_ratio`` (with interval);
        ``G_measured_capacity_MW_m2K`` (with interval); ``G_tau_factor_MW_m2K_ps`` (G τ);
        ``converged``, ``convergence`` (reasons, length in τ, required length); ``profile``
        (ln τ grid and −Δℓ_p for combining replicas); bins; ``warnings``.  When not
        converged every interval and standard error is None.
    """
    fit = fit_ou_noise(delta_T_K, dt_ps, bin_ps=bin_ps, gap_ps=gap_ps, n_bootstrap=n_bootstrap,
                       seed=seed)
    c_cl = _classical_c_eff(n_atoms_a, n_atoms_b)
    factor = float(conductance_from_tau_MW_m2K(1.0, n_atoms_a=n_atoms_a, n_atoms_b=n_atoms_b,
                                               area_total_A2=area_total_A2))
    g, g_lo, g_hi = _tau_interval_G(fit, factor)
    kt2 = KB_EV_K * temperature_K**2
    inv_amp = fit.product_interval(-1.0, 0.0)  # 1/σ² (K⁻²)
    capacity = tuple(kt2 * v for v in inv_amp)
    g_meas_unit = float(_G_MW_from_eV_ps_A2_K(kt2 / area_total_A2))
    g_meas = tuple(g_meas_unit * v for v in fit.product_interval(-1.0, -1.0))
    conv = _convergence(fit, min_length_taus)
    record = {
        "G_MW_m2K": g, "G_se_MW_m2K": log_standard_error(g, g_lo, g_hi), "G_ci95_low_MW_m2K": g_lo,
        "G_ci95_high_MW_m2K": g_hi, "ci_dof": math.inf,
        **_fit_keys(fit, "K"),
        **_capacity_keys(capacity, c_cl),
        "G_measured_capacity_MW_m2K": g_meas[0], "G_measured_capacity_ci95_low_MW_m2K": g_meas[1],
        "G_measured_capacity_ci95_high_MW_m2K": g_meas[2],
        "G_tau_factor_MW_m2K_ps": factor,
        "converged": conv["converged"], "convergence": conv,
        "method": "restricted likelihood of binned OU + white noise (ΔT), classical capacity",
        "warnings": fit.warnings + _capacity_notes(capacity, c_cl),
    }
    return record if conv["converged"] else _without_intervals(record)


def side_energy_likelihood(energy_eV: ArrayLike, dt_ps: float, *, n_atoms_a: int,
                           n_atoms_b: int, area_total_A2: float, temperature_K: float,
                           bin_ps: float, gap_ps: float, min_length_taus: float,
                           n_bootstrap: int = 200, seed: int | None = None) -> dict:
    """Cross-check (``flux``): G = a/(A k_B T² τ) from the likelihood of the side energy.

    The side energy ε = (E_A − E_B)/2 = −∫q dt (the flux integrated once; the common NVE
    drift cancels) is the lumped-capacitance variable itself: its slow part is an OU
    process of variance a = k_B T² C_eff and time τ, so G = a/(A k_B T² τ) measures the
    capacity it needs (Onsager regression; the running Green-Kubo integral of the finite
    cell is (a/τ) e^{−t/τ}/(A k_B T²)).  Its fast noise is the energy of the interface
    bonds shared between the sides, smaller than that of temperatures.  Fitted like ΔT
    (:func:`delta_T_likelihood`); G's interval is the parametric-bootstrap one of a/τ;
    ``G_classical_capacity_*`` is C_eff/(Aτ) with τ's profile interval.

    Parameters
    ----------
    energy_eV : array_like, shape (n,)
        ε(t) (eV) every ``dt_ps``.
    dt_ps, n_atoms_a, n_atoms_b, area_total_A2, temperature_K, bin_ps, gap_ps,
    min_length_taus, n_bootstrap, seed
        As in :func:`delta_T_likelihood`.

    Returns
    -------
    dict
        The keys of :func:`delta_T_likelihood` with ``amplitude_eV2``, ``noise_eV2`` and
        ``G_classical_capacity_*`` in place of the ΔT-specific ones.
    """
    fit = fit_ou_noise(energy_eV, dt_ps, bin_ps=bin_ps, gap_ps=gap_ps, n_bootstrap=n_bootstrap,
                       seed=seed)
    c_cl = _classical_c_eff(n_atoms_a, n_atoms_b)
    kt2 = KB_EV_K * temperature_K**2
    unit = float(_G_MW_from_eV_ps_A2_K(1.0 / (area_total_A2 * kt2)))
    g = tuple(unit * v for v in fit.product_interval(1.0, -1.0))
    capacity = tuple(v / kt2 for v in fit.product_interval(1.0, 0.0))
    factor = float(conductance_from_tau_MW_m2K(1.0, n_atoms_a=n_atoms_a, n_atoms_b=n_atoms_b,
                                               area_total_A2=area_total_A2))
    g_cl = _tau_interval_G(fit, factor)
    conv = _convergence(fit, min_length_taus)
    record = {
        "G_MW_m2K": g[0], "G_se_MW_m2K": log_standard_error(*g), "G_ci95_low_MW_m2K": g[1],
        "G_ci95_high_MW_m2K": g[2], "ci_dof": math.inf,
        **_fit_keys(fit, "eV"),
        **_capacity_keys(capacity, c_cl),
        "G_classical_capacity_MW_m2K": g_cl[0], "G_classical_capacity_ci95_low_MW_m2K": g_cl[1],
        "G_classical_capacity_ci95_high_MW_m2K": g_cl[2],
        "G_tau_factor_MW_m2K_ps": None,
        "converged": conv["converged"], "convergence": conv,
        "method": "restricted likelihood of binned OU + white noise (side energy), measured "
                  "capacity",
        "warnings": fit.warnings + _capacity_notes(capacity, c_cl),
    }
    return record if conv["converged"] else _without_intervals(record)


def _classical_c_eff(n_atoms_a: int, n_atoms_b: int) -> float:
    c_a, c_b = classical_heat_capacity_eV_K(n_atoms_a), classical_heat_capacity_eV_K(n_atoms_b)
    return c_a * c_b / (c_a + c_b)


def _capacity_keys(capacity: tuple[float, float, float], classical: float) -> dict:
    value, low, high = capacity
    return {"capacity_eV_K": value, "capacity_ci95_low_eV_K": min(low, high),
            "capacity_ci95_high_eV_K": max(low, high), "capacity_classical_eV_K": classical,
            "capacity_ratio": value / classical,
            "capacity_ratio_ci95_low": min(low, high) / classical,
            "capacity_ratio_ci95_high": max(low, high) / classical}


def _capacity_notes(capacity: tuple[float, float, float], classical: float) -> list[str]:
    value, low, high = capacity
    low, high = min(low, high), max(low, high)
    if low <= classical <= high or not (math.isfinite(low) and math.isfinite(high)):
        return []
    return [(f"the slow fluctuation gives C_eff = {value / classical:.2f} × 3Nk_B "
             f"[{low / classical:.2f}, {high / classical:.2f}]: the two-reservoir (lumped) "
             "model does not describe this cell (sides not internally equilibrated on the "
             "exchange time, or a strongly anharmonic solid); treat G as indicative")]
