"""Comparisons between methods and estimators of the interfacial conductance.

* :func:`conductance_ratio`: G_NEMD / G_EMD of one interface with its 95 % interval.
* :func:`estimator_checks`: the Green-Kubo estimators of one run against each other and
  the measured heat capacity against 3Nk_B.
"""

from __future__ import annotations

import math

import numpy as np

from .blocking import t_interval

__all__ = ["conductance_ratio", "estimator_checks"]


def conductance_ratio(nemd: dict, emd: dict) -> dict:
    """G_NEMD / G_EMD with a 95 % interval (independent estimates; delta method on logs).

    The standard error of ln(ratio) is √((s₁/G₁)² + (s₂/G₂)²); the interval uses Student's
    t with the smaller of the two records' ``ci_dof`` (conservative).

    Parameters
    ----------
    nemd, emd : dict
        Combined records with ``G_MW_m2K``, ``G_se_MW_m2K`` and ``ci_dof``.

    Returns
    -------
    dict
        ``ratio``, ``ci95_low``, ``ci95_high`` (dimensionless; NaN if a G is not positive;
        the interval NaN when either record has no standard error: a run that did not
        converge).
    """
    g1, g2 = float(nemd["G_MW_m2K"]), float(emd["G_MW_m2K"])
    if not (g1 > 0 and g2 > 0):
        return {"ratio": math.nan, "ci95_low": math.nan, "ci95_high": math.nan}
    if nemd.get("G_se_MW_m2K") is None or emd.get("G_se_MW_m2K") is None:
        return {"ratio": g1 / g2, "ci95_low": math.nan, "ci95_high": math.nan}
    se_log = math.hypot(float(nemd["G_se_MW_m2K"]) / g1, float(emd["G_se_MW_m2K"]) / g2)
    dof = min(float(nemd.get("ci_dof") or np.inf), float(emd.get("ci_dof") or np.inf))
    low, high = t_interval(math.log(g1 / g2), se_log, dof)
    return {"ratio": g1 / g2, "ci95_low": math.exp(float(low)), "ci95_high": math.exp(float(high))}


def estimator_checks(results: dict, primary: str) -> tuple[dict, list[str]]:
    """Consistency checks of a Green-Kubo analysis: measured/theory capacity, estimator agreement.

    Parameters
    ----------
    results : dict
        Estimator name -> result of :mod:`analysis.green_kubo` (``flux``, ``delta_T``...).
    primary : str
        The reported estimator.

    Returns
    -------
    (dict, list of str)
        ``capacity_ratio`` (measured C_eff / 3Nk_B of the reported estimator, with
        ``capacity_ratio_ci95``) and ``estimators_agree`` (whether the ΔT and side-energy
        estimators' 95 % intervals of G overlap; None unless both converged), and notes for
        the record.
    """
    notes, checks = [], {"capacity_ratio": None, "capacity_ratio_ci95": None,
                         "estimators_agree": None}
    main = results.get(primary) or {}
    if "capacity_ratio" in main:
        checks["capacity_ratio"] = main["capacity_ratio"]
        checks["capacity_ratio_ci95"] = [main["capacity_ratio_ci95_low"],
                                         main["capacity_ratio_ci95_high"]]
    flux, delta = results.get("flux"), results.get("delta_T")
    if flux and delta and flux["converged"] and delta["converged"]:
        agree = (flux["G_ci95_low_MW_m2K"] <= delta["G_ci95_high_MW_m2K"]
                 and delta["G_ci95_low_MW_m2K"] <= flux["G_ci95_high_MW_m2K"])
        checks["estimators_agree"] = bool(agree)
        if not agree:
            notes.append("the ΔT and side-energy estimators disagree beyond their 95 % CIs")
    return checks, notes
