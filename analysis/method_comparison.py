"""Comparisons between methods and estimators of the interfacial conductance.

* :func:`conductance_ratio`: G_NEMD / G_EMD of one interface with its 95 % interval.
* :func:`estimator_checks`: the Green-Kubo estimators of one run against each other and
  the measured heat capacity against 3Nk_B.
* :func:`internal_resistance_correction`: the Green-Kubo G without the sides' internal
  resistance, which the lumped two-reservoir model counts as interfacial
  (:mod:`analysis.internal_resistance`), using the side conductivities that the NEMD of
  the same interface measured.
"""

from __future__ import annotations

import math

import numpy as np

from .blocking import t_interval
from .internal_resistance import (
    classical_volumetric_heat_capacity_J_m3K,
    corrected_conductance_from_lumped,
)

__all__ = ["conductance_ratio", "estimator_checks", "internal_resistance_correction"]


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


def internal_resistance_correction(emd: dict, nemd: dict) -> dict:
    """Green-Kubo G corrected for the internal resistance of the sides (conservative CI).

    The lumped model behind the Green-Kubo estimate (τ = C_eff/(G A)) takes each side as
    isothermal; with finite conductivities the slowest mode of ΔT is slower, and A τ/C_eff
    also holds the sides' internal resistance, ≈ L_A/(6κ_A) + L_B/(6κ_B) at small Biot
    number (:func:`analysis.internal_resistance.corrected_conductance` inverts the exact
    relation).  κ_A, κ_B are the NEMD record's side conductivities; c_i = 3 n_i k_B of the
    EMD cell (consistent with C = 3 N k_B).  The interval combines the ends worst-case:
    its low end takes the low G_EMD and the high κ (least correction; an unbounded κ, a
    gradient not resolved from zero, means no correction), its high end the high G_EMD
    and the low κ (or the κ lower bound).  Diffusive transport inside each side is
    assumed: for sides shorter than the phonon mean free paths the NEMD κ is itself the
    size-limited, effective one, and the correction is approximate.

    Parameters
    ----------
    emd : dict
        Combined Green-Kubo record: ``G_MW_m2K`` and ``G_ci95_low/high_MW_m2K``,
        ``side_lengths_A`` [L_A, L_B] (Å), ``n_atoms_a``, ``n_atoms_b``, ``area_A2`` (Å²).
    nemd : dict
        Combined NEMD record: ``kappa_X_W_mK``, ``kappa_X_ci95_low/high_W_mK`` and
        ``kappa_X_lower_bound_W_mK`` (W/mK) for X = A, B.

    Returns
    -------
    dict
        ``G_corrected_MW_m2K`` and ``G_corrected_ci95_low/high_MW_m2K``,
        ``internal_bias_m2K_W`` (what the lumped model added to R_K at the point values),
        ``kappa_used_W_mK`` ([κ_A, κ_B]), and ``reason`` (None, or why no correction was
        made; then the G fields are None).
    """
    empty = {"G_corrected_MW_m2K": None, "G_corrected_ci95_low_MW_m2K": None,
             "G_corrected_ci95_high_MW_m2K": None, "internal_bias_m2K_W": None,
             "kappa_used_W_mK": None}
    lengths = emd.get("side_lengths_A")
    if not lengths or not emd.get("n_atoms_a") or not emd.get("area_A2"):
        return empty | {"reason": "the EMD record has no side lengths (older run)"}
    kappa = [nemd.get(f"kappa_{side}_W_mK") for side in "AB"]
    if any(k is None or not k > 0 for k in kappa):
        return empty | {"reason": "the NEMD record has no positive side conductivity"}
    g, g_lo, g_hi = (emd.get(f"G{s}_MW_m2K") for s in ("", "_ci95_low", "_ci95_high"))
    if g is None or not g > 0:
        return empty | {"reason": "no positive Green-Kubo G"}
    area = float(emd["area_A2"])
    c = [classical_volumetric_heat_capacity_J_m3K(float(n) / (area * float(length)))
         for n, length in zip((emd["n_atoms_a"], emd["n_atoms_b"]), lengths, strict=True)]

    def corrected_g(g_value: float, kappas: list) -> float:
        if any(k is None or math.isinf(k) for k in kappas):
            return g_value  # a side as conductive as one likes: nothing to remove
        return corrected_conductance_from_lumped(g_value, *lengths, *kappas, *c).G_MW_m2K

    point = corrected_conductance_from_lumped(g, *lengths, *kappa, *c)
    low = high = None
    if g_lo is not None and g_hi is not None:
        k_high = [nemd.get(f"kappa_{side}_ci95_high_W_mK") for side in "AB"]
        k_low = [nemd.get(f"kappa_{side}_ci95_low_W_mK")
                 or nemd.get(f"kappa_{side}_lower_bound_W_mK") for side in "AB"]
        low = corrected_g(g_lo, k_high) if g_lo > 0 else g_lo
        bounded = all(k is not None and k > 0 for k in k_low) and math.isfinite(g_hi)
        high = corrected_g(g_hi, k_low) if bounded else math.inf
    return {"G_corrected_MW_m2K": point.G_MW_m2K, "G_corrected_ci95_low_MW_m2K": low,
            "G_corrected_ci95_high_MW_m2K": high,
            "internal_bias_m2K_W": point.bias_m2K_W, "kappa_used_W_mK": kappa,
            "reason": None}
