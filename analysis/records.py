"""The keys of a result record: an estimate with its error and interval, named with units.

Shared by the single-replica analysis (:mod:`analysis.nemd`) and the combination of
replicas (:mod:`analysis.replicas`), so both write the same record layout.
"""

from __future__ import annotations

import math

from .units import conductance_MW_m2K

__all__ = ["QUANTITY_UNITS", "conductance_keys", "estimate_keys", "window_systematic"]

#: Unit suffix of each quantity in the record keys.
QUANTITY_UNITS = {"R_K": "m2K_W", "G": "MW_m2K", "delta_T": "K", "flux": "W_m2",
                  "kappa_A": "W_mK", "kappa_B": "W_mK"}


def estimate_keys(name: str, value: float, se: float, low: float, high: float) -> dict:
    """Name an estimate's keys ``<name>[_se|_ci95_low|_ci95_high]_<unit>``.

    Parameters
    ----------
    name : str
        One of "R_K", "G", "delta_T", "flux", "kappa_A", "kappa_B".
    value, se, low, high : float or None
        Estimate, standard error and 95 % interval (None: not available).

    Returns
    -------
    dict
        Four entries named with the quantity's unit.
    """
    unit = QUANTITY_UNITS[name]
    number = (lambda v: None if v is None else float(v))
    return {f"{name}_{unit}": number(value), f"{name}_se_{unit}": number(se),
            f"{name}_ci95_low_{unit}": number(low), f"{name}_ci95_high_{unit}": number(high)}


def window_systematic(out: dict, scan: list[dict], converged: bool) -> dict:
    """Fit-window systematic error and the total interval.

    The systematic is the half-range h of R_K over the window scan, read as a rectangular
    distribution (σ_sys = h/√3, GUM type B, JCGM 100:2008 §4.3.7); the total 95 % half-width
    is sqrt(w_stat² + (1.96 σ_sys)²) about the statistical estimate.
    """
    values = [row["R_K_m2K_W"] for row in scan]
    half_range = 0.5 * (max(values) - min(values)) if len(values) > 1 else 0.0
    total_low = total_high = None
    if converged:
        w_stat = 0.5 * (out["R_K_ci95_high_m2K_W"] - out["R_K_ci95_low_m2K_W"])
        w_total = math.hypot(w_stat, 1.96 * half_range / math.sqrt(3.0))
        total_low, total_high = out["R_K_m2K_W"] - w_total, out["R_K_m2K_W"] + w_total
    return {"R_K_sys_m2K_W": half_range, "R_K_total_ci95_low_m2K_W": total_low,
            "R_K_total_ci95_high_m2K_W": total_high, "window_scan": scan}


def conductance_keys(r: float, r_se, r_lo, r_hi) -> dict:
    """G = 1/R_K; SE by the delta method, interval = image of the R_K interval."""
    g = float(conductance_MW_m2K(r))
    if r_se is None:
        return estimate_keys("G", g, None, None, None)
    g_lo = float(conductance_MW_m2K(r_hi)) if r_hi > 0 else float("inf")
    g_hi = float(conductance_MW_m2K(r_lo)) if r_lo > 0 else float("inf")
    return estimate_keys("G", g, abs(g) * r_se / abs(r), g_lo, g_hi)
