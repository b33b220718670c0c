"""Heat flux from the cumulative energies exchanged by the NEMD heat baths.

The baths' cumulative energy tallies (LAMMPS ``fix langevin ... tally yes``, ``fix
ehex``/``fix heat``) grow linearly in steady state; their slope is the power P through the
stack and J = P/A (Schelling, Phillpot & Keblinski, PRB 65, 144306 (2002)).  Heat crosses
the cross-section once in a non-periodic stack: no factor 2.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .blocking import flyvbjerg_petersen, t_interval
from .units import flux_W_m2

__all__ = ["heat_flux", "sample_powers", "steady_slice"]


def steady_slice(time_ps: ArrayLike, t_start_ps: float) -> int:
    """Index of the first sample whose averaging window starts at or after ``t_start_ps``.

    Parameters
    ----------
    time_ps : array_like, shape (n_samples,)
        Time at the end of each window, from the bath switch-on (ps).
    t_start_ps : float
        Start of the steady state (ps).

    Returns
    -------
    int
        First kept sample (windows start at 0, time_ps[0], time_ps[1], ...).
    """
    window_start = np.concatenate([[0.0], np.asarray(time_ps, dtype=float)[:-1]])
    return int(np.searchsorted(window_start, t_start_ps - 1e-9 * max(1.0, abs(t_start_ps))))


def sample_powers(time_ps: ArrayLike, energy_eV: ArrayLike) -> np.ndarray:
    """Mean power of each averaging window from a cumulative energy tally.

    Parameters
    ----------
    time_ps : array_like, shape (n_samples,)
        Time at the end of each window (ps); the tally is 0 at t = 0.
    energy_eV : array_like, shape (n_samples,)
        Cumulative energy added by the bath since t = 0 (eV).

    Returns
    -------
    numpy.ndarray, shape (n_samples,)
        ΔE/Δt per window (eV/ps).
    """
    t = np.concatenate([[0.0], np.asarray(time_ps, dtype=float)])
    e = np.concatenate([[0.0], np.asarray(energy_eV, dtype=float)])
    return np.diff(e) / np.diff(t)


def heat_flux(
    time_ps: ArrayLike,
    energy_hot_eV: ArrayLike,
    energy_cold_eV: ArrayLike,
    area_A2: float,
    t_start_ps: float,
) -> dict:
    """Steady-state heat flux from the hot- and cold-bath energy tallies.

    The slope of each cumulative tally over [t_start, t_end] is taken as the chord
    ΔE/Δt -- the exact time average of the bath power over the same windows over which
    the temperature profile is averaged (a least-squares slope would weight the middle
    of the interval more).  Its standard error is the Flyvbjerg–Petersen plateau of the
    per-window powers (:func:`analysis.blocking.flyvbjerg_petersen`).  The hot bath adds
    P_hot > 0, the cold bath P_cold < 0; the flux is their mean magnitude,
    J = (P_hot − P_cold) / (2A), and the imbalance |P_hot + P_cold| / ((|P_hot| + |P_cold|)/2)
    should be small (energy conservation of the NVE region; drift shows up here).

    Parameters
    ----------
    time_ps : array_like, shape (n_samples,)
        Time at the end of each averaging window, from the bath switch-on (ps).
    energy_hot_eV, energy_cold_eV : array_like, shape (n_samples,)
        Cumulative energy added by the hot / cold bath since switch-on (eV).
    area_A2 : float
        Cross-section (Å²).
    t_start_ps : float
        Start of the steady state (ps); windows starting earlier are dropped.

    Returns
    -------
    dict
        ``power_hot_eV_ps``, ``power_hot_se_eV_ps``, ``power_cold_eV_ps``,
        ``power_cold_se_eV_ps``, ``flux_hot_W_m2`` (P_hot/A), ``flux_cold_W_m2`` (−P_cold/A),
        ``flux_W_m2`` (mean), ``flux_se_W_m2``, ``flux_ci95_low_W_m2``,
        ``flux_ci95_high_W_m2``, ``flux_imbalance`` (dimensionless) and its standard
        error ``flux_imbalance_se`` (of |P_hot + P_cold| / mean |P|), ``t_start_ps``,
        ``t_end_ps``, ``n_samples``, ``warnings`` (list of str).
    """
    time_ps = np.asarray(time_ps, dtype=float)
    k0 = steady_slice(time_ps, t_start_ps)
    p_hot = sample_powers(time_ps, energy_hot_eV)[k0:]
    p_cold = sample_powers(time_ps, energy_cold_eV)[k0:]
    dt = np.diff(np.concatenate([[0.0], time_ps]))[k0:]
    if p_hot.size < 32:
        raise ValueError(
            f"only {p_hot.size} steady-state samples after t = {t_start_ps:.3g} ps; the "
            "blocking analysis needs at least 32: lengthen nemd.production_ps or shorten "
            "nemd.sample_every_ps")
    mean_hot = float(np.sum(p_hot * dt) / np.sum(dt))  # = chord ΔE/Δt
    mean_cold = float(np.sum(p_cold * dt) / np.sum(dt))
    fp_hot, fp_mean, fp_cold, fp_sum = (
        flyvbjerg_petersen(x, min_blocks=8)
        for x in (p_hot, 0.5 * (p_hot - p_cold), p_cold, p_hot + p_cold))
    to_si = float(flux_W_m2(1.0, area_A2))
    flux = 0.5 * (mean_hot - mean_cold) * to_si
    flux_se = fp_mean.se_mean * to_si
    low, high = t_interval(flux, flux_se, fp_mean.n_blocks[fp_mean.plateau_level] - 1)
    magnitude = 0.5 * (abs(mean_hot) + abs(mean_cold))
    if not magnitude > 0:
        raise ValueError("the baths exchange no energy")
    imbalance = abs(mean_hot + mean_cold) / magnitude
    imbalance_se = fp_sum.se_mean / magnitude
    warnings = []
    if not (mean_hot > 0 > mean_cold):
        warnings.append(f"bath powers have unexpected signs: hot {mean_hot:.3g}, "
                        f"cold {mean_cold:.3g} eV/ps")
    if not (fp_hot.converged and fp_cold.converged and fp_mean.converged):
        warnings.append("bath power blocking analysis did not reach a plateau")
    return {
        "power_hot_eV_ps": mean_hot,
        "power_hot_se_eV_ps": fp_hot.se_mean,
        "power_cold_eV_ps": mean_cold,
        "power_cold_se_eV_ps": fp_cold.se_mean,
        "flux_hot_W_m2": mean_hot * to_si,
        "flux_cold_W_m2": -mean_cold * to_si,
        "flux_W_m2": flux,
        "flux_se_W_m2": flux_se,
        "flux_ci95_low_W_m2": float(low),
        "flux_ci95_high_W_m2": float(high),
        "flux_imbalance": float(imbalance),
        "flux_imbalance_se": float(imbalance_se),
        "t_start_ps": float(np.concatenate([[0.0], time_ps])[k0]),
        "t_end_ps": float(time_ps[-1]),
        "n_samples": int(p_hot.size),
        "warnings": warnings,
    }
