"""Green-Kubo (equilibrium MD) estimators of the interfacial thermal conductance G.

Input: series sampled every ``dt_ps`` in an NVE run of a cell periodic along z holding
**two** equivalent A|B interfaces (:mod:`structures.periodic`), so every area below is the
*total* interface area ``area_total_A2 = 2 * area_A2``.  Internal units are LAMMPS
``metal`` (eV, ps, Å, K); results leave as ``G_MW_m2K`` and ``R_K_m2K_W``.

Quantities
----------
* q(t) = −dE_A/dt (eV/ps): the power flowing out of side A, through both interfaces,
  into side B (:func:`power_from_side_energies`).
* ΔT(t) = T_A(t) − T_B(t) (K).

Green-Kubo formula (Puech et al. 1986; Barrat & Chiaruttini, Mol. Phys. 101, 1605
(2003); Domingues et al., PRL 94, 085901 (2005))::

    G = 1/(A k_B T²) ∫₀^∞ ⟨q(t) q(0)⟩ dt.

In a finite cell E_A is bounded, so the integral is exactly zero at t → ∞: the running
integral rises within the phonon correlation time τ_c to a quasi-plateau and then decays
on τ = C_eff/(G A), C_eff = C_A C_B/(C_A + C_B).  :func:`naive_conductance` returns the
running G(t) for display only.  The estimates come from two finite-size-aware methods:

1. :func:`delta_T_relaxation` -- Onsager regression of the side temperatures
   (Rajabpour & Volz, J. Appl. Phys. 108, 094324 (2010)): the equilibrium fluctuation
   ΔT relaxes as the macroscopic lumped-capacitance problem, ⟨ΔT(t)ΔT(0)⟩ ∝ e^{−t/τ},
   hence G = C_A C_B / (A τ (C_A + C_B)) with the classical C = 3 N k_B.  The fit starts
   after ``fit_start_ps``: the instantaneous kinetic temperature also carries a fast
   kinetic/potential exchange that decorrelates within a phonon period.
2. :func:`flux_model_fit` -- a fit of the Green-Kubo flux ACF, integrated twice, with a
   model that contains the finite-capacity decay.  Since q = −dE_A/dt,
   ∫₀^t ∫₀^t' ⟨q(t'')q(0)⟩ dt'' dt' = C_E(0) − C_E(t), C_E(t) = ⟨δE_A(t) δE_A(0)⟩: the
   twice-integrated flux ACF *is* the side-energy ACF, which is computed directly from
   E_A = −∫q dt (:func:`side_energy_from_power`; no unknown integration constant).  The
   side energy is the lumped-capacitance (Ornstein-Uhlenbeck) variable of Onsager's
   regression hypothesis: beyond the phonon correlation time::

       C_E(t) = a e^{−t/τ},   a = k_B T² C_eff,   G = a / (A k_B T² τ),

   equivalently the running GK integral −dC_E/dt = (a/τ) e^{−t/τ} extrapolated to t = 0,
   the plateau the infinite system would show (Barrat & Chiaruttini 2003 fit the same
   exponential decay of the running integral; Chalopin et al., PRB 85, 195302 (2012)).
   The fit starts at ``fit_start_ps``: it skips the coherent oscillations that make the
   running integral of a small periodic cell useless for a plateau pick and the fast,
   zero-integral contribution of the per-atom energy partition at the interface.  Unlike
   method 1 it needs no heat capacity: ``a`` *measures* k_B T² C_eff, reported as
   ``capacity_eV_K`` so the lumped model can be checked against 3 N k_B per side.

Uncertainty: each estimate is a fit to the ACF averaged over ``n_blocks`` contiguous
blocks; its standard error is the delete-one-block jackknife
(:mod:`analysis.jackknife`; the blocks must be many τ long) with a Student-t 95 %
interval on n_blocks − 1 dof.  Independent replicas are combined by
:func:`combine_green_kubo` (inverse-variance mean with Birge inflation,
:func:`analysis.replicas.weighted_mean_birge`).  :func:`convergence` repeats an estimate
on growing leading parts of the trajectory, the diagnostic of whether the run was long
enough.  Cepstral analysis (Ercole et al., Sci. Rep. 7, 15835 (2017)) is not used: the
interfacial power spectrum vanishes at ω = 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants, optimize
from scipy.fft import irfft, next_fast_len, rfft

from .blocking import t_interval
from .io import to_jsonable
from .replicas import weighted_mean_birge
from .units import W_M2_PER_EV_PS_A2, resistance_m2K_W

__all__ = [
    "KB_EV_K",
    "autocorrelation",
    "block_autocorrelation",
    "classical_heat_capacity_eV_K",
    "combine_green_kubo",
    "conductance_from_tau_MW_m2K",
    "convergence",
    "delta_T_relaxation",
    "fit_exponential",
    "flux_model_fit",
    "gk_keys",
    "naive_conductance",
    "power_from_side_energies",
    "running_integral",
    "side_energy_from_power",
]

KB_EV_K = constants.k / constants.e  # [eV/K]
_MEGA = constants.mega


def autocorrelation(x: ArrayLike, *, max_lag: int | None = None,
                    subtract_mean: bool = True) -> np.ndarray:
    """Unbiased autocorrelation ⟨x(t+k) x(t)⟩ by FFT (Wiener-Khinchin), O(N log N).

    The series is zero-padded to at least 2N (no circular wrap-around) and the lag-k sum
    is divided by the number of pairs N − k.

    Parameters
    ----------
    x : array_like, shape (n,)
        Evenly sampled series (any unit u).
    max_lag : int, optional
        Largest lag returned (samples); default n − 1.
    subtract_mean : bool, optional
        Correlate the fluctuation x − mean(x) (default).

    Returns
    -------
    numpy.ndarray, shape (max_lag + 1,)
        C(k) in u², k = 0 .. max_lag.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError("x must be a one-dimensional series of at least 2 samples")
    n = x.size
    max_lag = n - 1 if max_lag is None else int(min(max_lag, n - 1))
    if subtract_mean:
        x = x - x.mean()
    size = next_fast_len(2 * n, real=True)
    spectrum = rfft(x, size)
    acf = irfft(spectrum.real**2 + spectrum.imag**2, size)[: max_lag + 1]
    return acf / (n - np.arange(max_lag + 1))


def block_autocorrelation(x: ArrayLike, n_blocks: int, max_lag: int) -> np.ndarray:
    """Autocorrelation of each of ``n_blocks`` contiguous blocks (mean of the whole series removed).

    Parameters
    ----------
    x : array_like, shape (n,)
        Series (unit u); leftover samples at the start are dropped.
    n_blocks : int
        Number of blocks, >= 2.
    max_lag : int
        Largest lag (samples), below the block length.

    Returns
    -------
    numpy.ndarray, shape (n_blocks, max_lag + 1)
        Per-block C(k) (u²).
    """
    x = np.asarray(x, dtype=float)
    length = x.size // n_blocks
    if n_blocks < 2 or length <= max_lag:
        raise ValueError(f"{n_blocks} blocks of {length} samples cannot hold lag {max_lag}")
    fluct = x[x.size - n_blocks * length:] - x.mean()
    return np.array([autocorrelation(block, max_lag=max_lag, subtract_mean=False)
                     for block in fluct.reshape(n_blocks, length)])


def running_integral(acf: ArrayLike, dt_ps: float) -> np.ndarray:
    """Cumulative trapezoid integral ∫₀^t C(t') dt', I(0) = 0.

    Parameters
    ----------
    acf : array_like, shape (m,)
        Correlation function at lags 0, dt, 2 dt, ... (unit u²).
    dt_ps : float
        Lag spacing (ps).

    Returns
    -------
    numpy.ndarray, shape (m,)
        Running integral (u² ps).
    """
    c = np.asarray(acf, dtype=float)
    out = np.zeros_like(c)
    out[1:] = np.cumsum(0.5 * (c[1:] + c[:-1])) * dt_ps
    return out


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


def fit_exponential(acf: ArrayLike, dt_ps: float, *, start: int = 0,
                    window_taus: float = 1.5, max_iter: int = 4) -> tuple[float, float, int]:
    """Fit a e^{−t/τ} to a decaying ACF from lag ``start`` to ``start + window_taus τ``.

    The window end is refined with τ (the relative noise of an ACF grows with lag).

    Parameters
    ----------
    acf : array_like, shape (m,)
        Correlation function (unit u²), lags 0 .. m − 1 in steps of ``dt_ps``.
    dt_ps : float
        Lag spacing (ps).
    start : int
        First lag fitted (skips a fast initial drop).
    window_taus : float
        Window length in units of the fitted τ.
    max_iter : int
        Window refinements.

    Returns
    -------
    (amplitude, tau_ps, end) : tuple
        a (u², extrapolated to t = 0), τ (ps), last lag fitted.
    """
    c = np.asarray(acf, dtype=float)
    if not 0 <= start < c.size - 3 or not c[start] > 0:
        raise ValueError("the ACF must be positive at the first fitted lag")
    below = np.nonzero(c[start:] < c[start] / np.e)[0]
    tau = (below[0] if below.size else c.size - start) * dt_ps
    amplitude = c[start]
    end = c.size - 1
    for _ in range(max_iter):
        end = int(min(c.size - 1, max(start + 4, start + round(window_taus * tau / dt_ps))))
        t = np.arange(start, end + 1) * dt_ps
        (amplitude, tau), _ = optimize.curve_fit(
            lambda t, a, s: a * np.exp(-t / s), t, c[start:end + 1], p0=(amplitude, tau),
            bounds=((0.0, 1e-3 * dt_ps), (np.inf, np.inf)))
    return float(amplitude), float(tau), end


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
    """Estimator 1: G from the relaxation of ΔT = T_A − T_B (Rajabpour & Volz 2010).

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


def flux_model_fit(power_eV_ps: ArrayLike, dt_ps: float, *, temperature_K: float,
                   area_total_A2: float, fit_start_ps: float = 2.0, n_blocks: int = 8,
                   max_lag: int | None = None, window_taus: float = 1.5) -> dict:
    """Estimator 2: G, τ and C_eff from the twice-integrated flux ACF (module docstring).

    Parameters
    ----------
    power_eV_ps : array_like, shape (n,)
        q = −dE_A/dt (eV/ps), e.g. from :func:`power_from_side_energies`.
    dt_ps : float
        Sampling interval (ps).
    temperature_K : float
        Mean temperature of the run (K).
    area_total_A2 : float
        Total interface area (Å²): 2 × cross-section in a periodic cell.
    fit_start_ps : float
        First lag fitted (ps), past the phonon correlation time.
    n_blocks, max_lag
        As in :func:`delta_T_relaxation`.
    window_taus : float
        Fit window in units of the decay time τ.

    Returns
    -------
    dict
        ``G_MW_m2K`` (+ SE, CI, ``ci_dof``), ``tau_ps`` (+ ``tau_se_ps``),
        ``amplitude_eV2`` (a), ``capacity_eV_K`` (C_eff = a/(k_B T²)), ``fit_window_ps``;
        block-mean ``acf_eV2_ps2``, ``running_integral_eV2_ps``, ``energy_acf_eV2``
        (C_E), the fitted ``model_eV2`` (a e^{−t/τ}) and ``model_running_eV2_ps``,
        ``G_running_MW_m2K`` (naive running G), ``dt_ps``, ``n_blocks``,
        ``block_length_ps``, ``warnings``.
    """
    q = np.asarray(power_eV_ps, dtype=float)
    lag = _max_lag(q.size, n_blocks, max_lag)
    energy_acfs = block_autocorrelation(side_energy_from_power(q, dt_ps), n_blocks, lag)
    start = round(fit_start_ps / dt_ps)
    full, loo = _jackknife_fits(energy_acfs, lambda c: fit_exponential(
        c, dt_ps, start=start, window_taus=window_taus))
    amplitude, tau, end = full
    kt2 = KB_EV_K * temperature_K**2
    scale = 1.0 / (area_total_A2 * kt2)
    g = _interval(float(_G_MW_from_eV_ps_A2_K(amplitude / tau * scale)),
                  [float(_G_MW_from_eV_ps_A2_K(f[0] / f[1] * scale)) for f in loo])
    acf = block_autocorrelation(q, n_blocks, lag).mean(axis=0)
    t = np.arange(lag + 1) * dt_ps
    block_ps = (q.size // n_blocks) * dt_ps
    return {**_g_keys(g), "tau_ps": tau, "tau_se_ps": _interval(tau, [f[1] for f in loo])["se"],
            "amplitude_eV2": amplitude, "capacity_eV_K": amplitude / kt2,
            "fit_window_ps": [start * dt_ps, end * dt_ps], "acf_eV2_ps2": acf,
            "running_integral_eV2_ps": running_integral(acf, dt_ps),
            "energy_acf_eV2": energy_acfs.mean(axis=0),
            "model_eV2": amplitude * np.exp(-t / tau),
            "model_running_eV2_ps": amplitude / tau * np.exp(-t / tau),
            "G_running_MW_m2K": naive_conductance(acf, dt_ps, temperature_K=temperature_K,
                                                  area_total_A2=area_total_A2),
            "dt_ps": dt_ps, "n_blocks": n_blocks, "block_length_ps": block_ps,
            "warnings": _length_notes(tau, block_ps, end, lag)}


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


def gk_keys(G_MW_m2K: float, G_se: float, low: float, high: float) -> dict:
    """Result keys like the NEMD record: G and R_K = 1/G, R_K's interval the image of G's.

    Returns
    -------
    dict
        ``G_MW_m2K``, ``G_se_MW_m2K``, ``G_ci95_low_MW_m2K``, ``G_ci95_high_MW_m2K``,
        ``R_K_m2K_W``, ``R_K_se_m2K_W`` (delta method), ``R_K_ci95_low_m2K_W``,
        ``R_K_ci95_high_m2K_W`` (inf when the G interval reaches 0).
    """
    r = float(resistance_m2K_W(G_MW_m2K))
    return {
        "G_MW_m2K": float(G_MW_m2K), "G_se_MW_m2K": float(G_se),
        "G_ci95_low_MW_m2K": float(low), "G_ci95_high_MW_m2K": float(high),
        "R_K_m2K_W": r, "R_K_se_m2K_W": abs(r) * G_se / abs(G_MW_m2K),
        "R_K_ci95_low_m2K_W": float(resistance_m2K_W(high)) if high > 0 else float("inf"),
        "R_K_ci95_high_m2K_W": float(resistance_m2K_W(low)) if low > 0 else float("inf"),
    }


def convergence(series: ArrayLike, estimator: Callable[[np.ndarray], Mapping], *,
                dt_ps: float, fractions: Sequence[float] = (0.125, 0.25, 0.5, 1.0)) -> dict:
    """The estimate on growing leading parts of a trajectory (is the run long enough?).

    Parameters
    ----------
    series : array_like, shape (n,)
        Input of ``estimator``.
    estimator : callable
        ``series -> dict`` with ``G_MW_m2K`` and its CI keys (e.g. a partial
        :func:`delta_T_relaxation`); failures give NaN.
    dt_ps : float
        Sampling interval (ps).
    fractions : sequence of float
        Leading fractions of the trajectory, increasing, the last 1.

    Returns
    -------
    dict
        ``length_ps``, ``G_MW_m2K``, ``G_ci95_low_MW_m2K``, ``G_ci95_high_MW_m2K`` (lists)
        and ``converged``: the half-length estimate lies within the full-length 95 % CI
        and vice versa.
    """
    x = np.asarray(series, dtype=float)
    rows = []
    for f in fractions:
        n = round(f * x.size)
        try:
            r = estimator(x[:n])
            rows.append((n * dt_ps, r["G_MW_m2K"], r["G_ci95_low_MW_m2K"], r["G_ci95_high_MW_m2K"]))
        except (ValueError, RuntimeError):
            rows.append((n * dt_ps, np.nan, np.nan, np.nan))
    length, g, lo, hi = (list(col) for col in zip(*rows, strict=True))
    converged = False
    if len(rows) >= 2 and np.all(np.isfinite(rows[-1])) and np.all(np.isfinite(rows[-2])):
        converged = bool(lo[-1] <= g[-2] <= hi[-1] and lo[-2] <= g[-1] <= hi[-2])
    return {"length_ps": length, "G_MW_m2K": g, "G_ci95_low_MW_m2K": lo,
            "G_ci95_high_MW_m2K": hi, "converged": converged}


def combine_green_kubo(replica_results: Sequence[Mapping]) -> dict:
    """Combine independent replicas' G (inverse-variance mean, Birge inflation).

    Parameters
    ----------
    replica_results : sequence of mapping
        Per-replica records with ``G_MW_m2K``, ``G_se_MW_m2K`` and ``ci_dof``.

    Returns
    -------
    dict
        :func:`gk_keys` of the combined G, ``ci_dof``, ``birge_ratio``, ``n_replicas``,
        ``method = "green-kubo"``.
    """
    if not replica_results:
        raise ValueError("no replicas to combine")
    comb = weighted_mean_birge([r["G_MW_m2K"] for r in replica_results],
                               [r["G_se_MW_m2K"] for r in replica_results],
                               [r["ci_dof"] for r in replica_results])
    return to_jsonable({**gk_keys(comb["mean"], comb["se"], comb["low"], comb["high"]),
                        "ci_dof": comb["dof"], "birge_ratio": comb["birge_ratio"],
                        "n_replicas": len(replica_results), "method": "green-kubo"})
