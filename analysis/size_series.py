"""Size extrapolation of R_K: R_K against the inverse system length, extrapolated to L → ∞.

A finite NEMD cell cuts off phonon mean free paths longer than the cell, and the
resistance measured between the baths grows as the cell shrinks.  To first order in the
inverse length (Schelling, Phillpot & Keblinski, PRB 65, 144306 (2002); Liang &
Keblinski, PRB 90, 075411 (2014))::

    R_K(L) = R_∞ + c / L,

so a weighted straight line in x = 1/L gives R_∞ as its intercept.  The weights are
1/σ², σ the standard error of each combined record, and, since those σ come from a few
replicas and may miss the scatter between lengths, the covariance is scaled by the
reduced χ² and the 95 % interval of R_∞ uses Student's t with n − 2 degrees of freedom
(weighted least squares: Bevington & Robinson, *Data Reduction and Error Analysis*, 3rd
ed., ch. 6-7; :func:`analysis.linear_fit.fit_line`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from .linear_fit import fit_line

__all__ = ["inverse_length_fit", "record_standard_error"]


def _number(value) -> float:
    """A table cell as a float (NaN when empty or not a number)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def record_standard_error(record: Mapping) -> float:
    """Standard error of R_K of a combined record (m²K/W).

    ``R_K_se_m2K_W`` when it is a positive number; otherwise the half-width of the 95 %
    interval divided by Student's t quantile for ``ci_dof`` (the lower half when the upper
    end is unbounded).

    Raises
    ------
    ValueError
        When the record has neither.
    """
    se = _number(record.get("R_K_se_m2K_W"))
    if se > 0:
        return se
    r_k = _number(record.get("R_K_m2K_W"))
    low, high = (_number(record.get(k)) for k in ("R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W"))
    dof = _number(record.get("ci_dof"))
    quantile = float(stats.t.ppf(0.975, dof if dof > 0 else np.inf))
    half = (high - low) / 2 if math.isfinite(high) else r_k - low
    if not (math.isfinite(half) and half > 0):
        raise ValueError(f"record of {record.get('system')} at {record.get('temperature_K')} K "
                         "has neither a standard error nor a bounded interval of R_K")
    return half / quantile


def inverse_length_fit(lengths_A: Sequence[float], r_k_m2K_W: Sequence[float],
                       se_m2K_W: Sequence[float], confidence: float = 0.95) -> dict:
    """Weighted fit R_K = R_∞ + c/L and the confidence interval of R_∞.

    Parameters
    ----------
    lengths_A : sequence of float
        Side lengths L (Å), at least two different ones.
    r_k_m2K_W : sequence of float
        R_K at each length (m²K/W).
    se_m2K_W : sequence of float
        Standard errors of R_K (m²K/W), positive; weights 1/se².
    confidence : float, optional
        Coverage of the interval (0.95).

    Returns
    -------
    dict
        ``R_inf_m2K_W`` and its ``R_inf_se_m2K_W``, ``R_inf_ci95_low_m2K_W``,
        ``R_inf_ci95_high_m2K_W`` (Student t, n − 2 dof); ``slope_m2K_W_A`` (c, m²K/W·Å)
        and ``slope_se_m2K_W_A``; ``chi2_red`` (weighted residual sum of squares / dof),
        ``dof`` and ``n_lengths``.  With two lengths the line passes through both points
        and the errors and interval are NaN (no degree of freedom left).
    """
    x = 1.0 / np.asarray(lengths_A, dtype=float)
    y = np.asarray(r_k_m2K_W, dtype=float)
    se = np.asarray(se_m2K_W, dtype=float)
    if x.shape != y.shape or x.shape != se.shape or x.ndim != 1:
        raise ValueError("lengths, R_K and standard errors must be 1-D and of equal length")
    if x.size < 2 or np.ptp(x) == 0:
        raise ValueError("a 1/L fit needs at least two different lengths")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and np.all(se > 0)):
        raise ValueError("lengths and R_K must be finite and standard errors positive")
    if x.size == 2:
        slope = float((y[1] - y[0]) / (x[1] - x[0]))
        return {"R_inf_m2K_W": float(y[0] - slope * x[0]), "R_inf_se_m2K_W": math.nan,
                "R_inf_ci95_low_m2K_W": math.nan, "R_inf_ci95_high_m2K_W": math.nan,
                "slope_m2K_W_A": slope, "slope_se_m2K_W_A": math.nan, "chi2_red": math.nan,
                "dof": 0, "n_lengths": 2}
    line = fit_line(x, y, se, absolute_sigma=False)
    r_inf, r_inf_se = line.value_at(0.0)
    half = float(stats.t.ppf(0.5 + confidence / 2, line.dof)) * r_inf_se
    return {"R_inf_m2K_W": r_inf, "R_inf_se_m2K_W": r_inf_se,
            "R_inf_ci95_low_m2K_W": r_inf - half, "R_inf_ci95_high_m2K_W": r_inf + half,
            "slope_m2K_W_A": line.slope, "slope_se_m2K_W_A": line.slope_se,
            "chi2_red": line.chi2_red, "dof": line.dof, "n_lengths": line.n_points}
