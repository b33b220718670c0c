"""Linear-response check of NEMD: R_K must not depend on the imposed heat flux J.

NEMD measures the Kapitza resistance in linear response only when the temperature jump
is proportional to the flux, ΔT = R_K J.  At large J the jump grows faster or slower
(the two sides sit at temperatures T ± ΔT/2 where R_K differs, anharmonic channels open),
and to leading order

    ΔT(J) = R_0 J + c J²   ⇒   R_K(J) = ΔT / J = R_0 + c J,

so the departure from linear response is, first of all, a slope of R_K against J.

The test (:func:`flux_independence_test`): a weighted least-squares line R_K = R_0 + s J
through the combined R_K of two or more fluxes, weights 1/σ², with the σ taken as known
(``absolute_sigma``: they are the records' own uncertainties); H0: s = 0, two-sided
z = ŝ/σ_ŝ, p = 2 Φ(−|z|).  The verdict "R_K independent of J" holds when p ≥ α (0.05),
i.e. when the 95 % interval of the slope contains 0.  Why a slope and not only a χ² of
the values about their mean: the slope is the leading-order alternative above, and a
test aimed at it has more power than an omnibus test against scatter in any direction;
the χ² consistency test (χ² of the values about their weighted mean, n − 1 degrees of
freedom) is reported beside it, since a small χ² p-value with an acceptable slope means
scatter beyond the stated errors rather than a J dependence.  With two fluxes the two
tests are the same test (z² = χ², one degree of freedom).

σ of each point: the half-width of its 95 % interval divided by the normal quantile
1.96.  Combined records give Student-t intervals with few degrees of freedom, wider than
normal ones; the σ so defined has a normal interval equal to the record's, which makes
the normal z and χ² tests conservative (they reject H0 less often than α).  Points
without a finite interval (a run that did not converge: low or high is None/NaN) carry
no weight and are left out of the test (counted in ``n_excluded``).

Units: J in W/m², R_K in m²K/W, the slope in (m²K/W)/(W/m²) = m⁴K/W².
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

__all__ = ["Z95", "flux_independence_test", "sigma_from_ci95"]

#: Two-sided 95 % quantile of the standard normal distribution.
Z95 = float(stats.norm.ppf(0.975))


def _floats(values: Sequence) -> np.ndarray:
    """``values`` as floats, None -> NaN."""
    return np.array([math.nan if v is None else float(v) for v in values], dtype=float)


def sigma_from_ci95(low: Sequence, high: Sequence) -> np.ndarray:
    """Effective standard errors ``(high - low) / (2 × 1.96)``; NaN for a missing end.

    Parameters
    ----------
    low, high : sequence of float or None, shape (n,)
        Ends of the 95 % intervals (m²K/W).

    Returns
    -------
    numpy.ndarray, shape (n,), float
        σ (m²K/W); NaN where an end is None, NaN or infinite, or the interval is empty.
    """
    lo, hi = _floats(low), _floats(high)
    sigma = (hi - lo) / (2.0 * Z95)
    return np.where(np.isfinite(sigma) & (sigma > 0), sigma, math.nan)


def flux_independence_test(flux_W_m2: Sequence[float], R_K_m2K_W: Sequence,
                           ci95_low_m2K_W: Sequence, ci95_high_m2K_W: Sequence, *,
                           alpha: float = 0.05) -> dict:
    """Test that R_K does not depend on the imposed flux J within the confidence intervals.

    Parameters
    ----------
    flux_W_m2 : sequence of float, shape (n,)
        Imposed heat flux of each point (W/m²), positive.
    R_K_m2K_W : sequence of float or None, shape (n,)
        Combined R_K at each flux (m²K/W).
    ci95_low_m2K_W, ci95_high_m2K_W : sequence of float or None, shape (n,)
        Its 95 % interval (m²K/W); None/NaN for a run without one (left out).
    alpha : float, optional
        Significance level of the verdict (0.05).

    Returns
    -------
    dict
        ``verdict`` ("independent", "depends_on_J" or "undetermined" with fewer than two
        usable distinct fluxes), ``consistent`` (bool, or None when undetermined),
        ``p_value`` (slope test, two-sided), ``z``, ``slope_m4K_W2`` with ``slope_se_m4K_W2``
        and ``slope_ci95_low_m4K_W2``/``slope_ci95_high_m4K_W2``, ``R_K_0_m2K_W`` (line at
        J = 0) and ``R_K_0_se_m2K_W``, ``R_K_mean_m2K_W`` (weighted mean) and
        ``R_K_mean_se_m2K_W``, ``chi2``, ``chi2_dof``, ``chi2_p_value`` (consistency about
        the weighted mean), ``relative_change`` (slope × (J_max − J_min) / weighted mean:
        the fitted change of R_K across the fluxes, dimensionless), ``n_points``,
        ``n_used``, ``n_excluded``, ``flux_min_W_m2``, ``flux_max_W_m2``, ``alpha`` and
        ``test`` (a one-line description).  Numbers not available are None.

    Raises
    ------
    ValueError
        Arrays of different lengths, or a flux that is not positive and finite.
    """
    flux = _floats(flux_W_m2)
    r_k = _floats(R_K_m2K_W)
    sigma = sigma_from_ci95(ci95_low_m2K_W, ci95_high_m2K_W)
    if not (flux.shape == r_k.shape == sigma.shape) or flux.ndim != 1:
        raise ValueError("fluxes, R_K and their intervals must be 1-D and of equal length")
    if not np.all(np.isfinite(flux) & (flux > 0)):
        raise ValueError(f"fluxes must be positive and finite, got {flux.tolist()}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    used = np.isfinite(r_k) & np.isfinite(sigma)
    out = {
        "test": "weighted line R_K = R_0 + s J, z test of s = 0 (sigma = CI95 half-width / 1.96)",
        "alpha": float(alpha), "n_points": int(flux.size), "n_used": int(used.sum()),
        "n_excluded": int((~used).sum()),
        "flux_min_W_m2": float(flux.min()) if flux.size else None,
        "flux_max_W_m2": float(flux.max()) if flux.size else None,
        **dict.fromkeys(("p_value", "z", "slope_m4K_W2", "slope_se_m4K_W2",
                         "slope_ci95_low_m4K_W2", "slope_ci95_high_m4K_W2", "R_K_0_m2K_W",
                         "R_K_0_se_m2K_W", "R_K_mean_m2K_W", "R_K_mean_se_m2K_W", "chi2",
                         "chi2_dof", "chi2_p_value", "relative_change", "consistent")),
        "verdict": "undetermined",
    }
    x, y, w = flux[used], r_k[used], 1.0 / sigma[used] ** 2
    if x.size < 2 or np.ptp(x) == 0:
        return out
    # weighted mean and the chi-square of the values about it (n - 1 dof)
    mean = float(np.sum(w * y) / np.sum(w))
    chi2 = float(np.sum(w * (y - mean) ** 2))
    # weighted line in the centred flux u = J - J̄_w (mean and slope uncorrelated)
    x_mean = float(np.sum(w * x) / np.sum(w))
    u = x - x_mean
    s_uu = float(np.sum(w * u * u))
    slope = float(np.sum(w * u * y) / s_uu)
    slope_se = 1.0 / math.sqrt(s_uu)
    z = slope / slope_se
    p_value = float(2.0 * stats.norm.sf(abs(z)))
    intercept = mean - slope * x_mean
    intercept_se = math.sqrt(1.0 / float(np.sum(w)) + x_mean**2 / s_uu)
    consistent = p_value >= alpha
    out.update(
        p_value=p_value, z=float(z), slope_m4K_W2=slope, slope_se_m4K_W2=slope_se,
        slope_ci95_low_m4K_W2=slope - Z95 * slope_se, slope_ci95_high_m4K_W2=slope + Z95 * slope_se,
        R_K_0_m2K_W=float(intercept), R_K_0_se_m2K_W=float(intercept_se),
        R_K_mean_m2K_W=mean, R_K_mean_se_m2K_W=float(1.0 / math.sqrt(np.sum(w))),
        chi2=chi2, chi2_dof=int(x.size - 1),
        chi2_p_value=float(stats.chi2.sf(chi2, x.size - 1)),
        relative_change=float(slope * np.ptp(x) / mean) if mean != 0 else None,
        consistent=bool(consistent), verdict="independent" if consistent else "depends_on_J",
    )
    return out
