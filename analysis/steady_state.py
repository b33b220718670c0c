"""End of the initial transient of an NEMD run, and a stationarity check.

The truncation point is chosen with MSER (Marginal Standard Error Rule; White,
Simulation 69, 323 (1997)) applied to batch means of 5 samples (MSER-5; White, Cobb &
Spratt, Proc. Winter Simulation Conf. 2000, 755).  The kept part is then tested for a
remaining linear drift (t-test of the slope of batch means against time).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .blocking import block_means
from .linear_fit import fit_line

__all__ = ["detect_steady_state", "drift_p_value", "mser_truncation"]


def mser_truncation(
    x: ArrayLike, *, batch_size: int = 5, max_fraction: float = 0.5
) -> tuple[int, bool]:
    """MSER truncation index of a series.

    With batch means Y_1..Y_m, MSER(d) = Σ_{i>d} (Y_i − Ȳ_d)² / (m − d)², Ȳ_d the mean of
    the kept batches (White 1997, eq. 4).  The minimiser d* over d ≤ max_fraction·m is
    the truncation; a minimum at the search limit means the series never settles.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        Evenly sampled series (any units).
    batch_size : int, optional
        Samples per batch (5 gives MSER-5).
    max_fraction : float, optional
        Largest fraction of the series that may be discarded.

    Returns
    -------
    (index, at_limit) : tuple of (int, bool)
        First kept sample and whether d* sits at the search limit.
    """
    x = np.asarray(x, dtype=float)
    m = x.size // batch_size
    if m < 4:
        raise ValueError(f"series too short for MSER with batch_size={batch_size}")
    y = x[: m * batch_size].reshape(m, batch_size).mean(axis=1)
    tail_sum = np.cumsum(y[::-1])[::-1]
    tail_sq = np.cumsum((y * y)[::-1])[::-1]
    kept = np.arange(m, 0, -1)
    mser = (tail_sq - tail_sum**2 / kept) / kept**2
    d_max = max(1, int(max_fraction * m))
    d = int(np.argmin(mser[: d_max + 1]))
    return d * batch_size, d >= d_max


def drift_p_value(time_ps: ArrayLike, x: ArrayLike, *, n_batches: int = 10) -> float:
    """Two-sided p-value of a linear trend in a series (small = drift).

    The series is cut into ``n_batches`` batch means (to reduce the serial correlation)
    and the slope of an ordinary least-squares line through them is tested with a
    t-test on n_batches − 2 degrees of freedom.  Batches must be longer than the
    correlation time for the p-value to be trusted.

    Parameters
    ----------
    time_ps : array_like, shape (n_samples,)
        Sample times (ps).
    x : array_like, shape (n_samples,)
        Series.
    n_batches : int, optional
        Batches, at least 3.

    Returns
    -------
    float
        p-value of the null hypothesis "no linear drift".
    """
    time_ps = np.asarray(time_ps, dtype=float)
    n_batches = min(n_batches, time_ps.size)
    if n_batches < 3:
        raise ValueError("need at least 3 samples")
    length = time_ps.size // n_batches
    t_b = block_means(time_ps, length)
    x_b = block_means(x, length)
    fit = fit_line(t_b, x_b, absolute_sigma=False)
    if fit.slope_se == 0:
        return 1.0 if fit.slope == 0 else 0.0
    return float(2.0 * stats.t.sf(abs(fit.slope / fit.slope_se), fit.dof))


def detect_steady_state(
    time_ps: ArrayLike,
    signals: ArrayLike,
    *,
    min_discard_ps: float = 0.0,
    safety_factor: float = 1.5,
    batch_size: int = 5,
    max_fraction: float = 0.5,
    drift_batches: int = 10,
    drift_alpha: float = 0.01,
) -> dict:
    """Start of the steady state from one or more monitored signals.

    Each signal (e.g. the per-sample temperature jump, the difference of the side-mean
    temperatures, the bath power) gets its own MSER-5 truncation; the latest one times
    ``safety_factor``, or ``min_discard_ps`` if later, is the start.  MSER balances the
    remaining bias against the variance, so at its optimum a bias of the order of the
    standard error can remain; the safety factor (default 1.5, i.e. half as much again)
    removes most of an exponential transient's remainder at a modest cost in variance.
    The run is flagged non-stationary if any MSER minimum sits at the search limit or if
    any signal keeps a linear drift in the kept part (Bonferroni-corrected level
    ``drift_alpha / n_signals``).

    Parameters
    ----------
    time_ps : array_like, shape (n_samples,)
        Time at the END of each averaging window, from the switch-on of the baths (ps).
        Sample i averages over (time_ps[i-1], time_ps[i]], with time_ps[-1] ≡ 0.
    signals : array_like, shape (n_samples,) or (n_signals, n_samples)
        Monitored series (any units, one per row).
    min_discard_ps : float, optional
        Discard at least this much from the start (ps).
    safety_factor : float, optional
        Multiplies the MSER truncation (>= 1).
    batch_size, max_fraction : optional
        MSER parameters, see :func:`mser_truncation`.
    drift_batches, drift_alpha : optional
        Drift test parameters, see :func:`drift_p_value`.

    Returns
    -------
    dict
        ``start_index`` (first kept sample), ``start_ps`` (start of its averaging window,
        ps), ``stationary`` (bool), ``mser_indices`` (per signal), ``drift_p_values``
        (per signal), ``reasons`` (list of str explaining a non-stationary verdict).
    """
    time_ps = np.asarray(time_ps, dtype=float)
    signals = np.atleast_2d(np.asarray(signals, dtype=float))
    if signals.shape[1] != time_ps.size:
        raise ValueError("signals must have n_samples columns")
    window_start = np.concatenate([[0.0], time_ps[:-1]])
    n_min = int(np.searchsorted(window_start, min_discard_ps - 1e-9 * abs(min_discard_ps)))
    indices, reasons = [], []
    for k, s in enumerate(signals):
        index, at_limit = mser_truncation(s, batch_size=batch_size, max_fraction=max_fraction)
        indices.append(index)
        if at_limit:
            reasons.append(f"signal {k}: MSER minimum at the search limit (no steady state)")
    start = max(int(np.ceil(safety_factor * max(indices))), n_min)
    if time_ps.size - start < max(3, drift_batches):
        raise ValueError("nothing left after the transient/minimum discard time")
    p_values = [drift_p_value(time_ps[start:], s[start:], n_batches=drift_batches)
                for s in signals]
    for k, p in enumerate(p_values):
        if p < drift_alpha / len(signals):
            reasons.append(f"signal {k}: linear drift in the kept part (p = {p:.2g})")
    return {
        "start_index": int(start),
        "start_ps": float(window_start[start]),
        "stationary": not reasons,
        "mser_indices": indices,
        "drift_p_values": p_values,
        "reasons": reasons,
    }
