"""Combining independent NEMD replicas (seeds) into one estimate with a 95 % interval.

Choice: an inverse-variance weighted mean of the replica estimates, each with its own
block-jackknife standard error, with the Birge ratio R_B = sqrt(χ²/(n−1)) of the scatter
about that mean (Birge, Phys. Rev. 40, 207 (1932)) used as in the Particle Data Group's
averaging procedure (PDG, *Review of Particle Physics*, Introduction, "Averaging
procedures"): when the
replicas scatter more than their errors (R_B > 1) the standard error is multiplied by
R_B, keeping the Welch–Satterthwaite dof of the weighted sum; when the scatter is
significant (χ² test, p < 0.05: the replicas really disagree) the interval also falls
back to n − 1 degrees of freedom, the between-replica scatter being then the only
trustworthy error.  Without the significance gate, two consistent replicas would get
t(1 dof) = 12.7 half of the time by chance alone.  With one replica this is its
own block interval.  Pooling all blocks instead would ignore replica-to-replica
differences (e.g. in the initial structure) that the Birge inflation does catch.  G's
interval is the image of R_K's, 1/R.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from .blocking import t_interval, welch_satterthwaite_dof
from .io import to_jsonable
from .nemd import _conductance_keys, estimate_keys

__all__ = ["combine_replicas", "weighted_mean_birge"]

#: χ² p-value below which replicas are taken to disagree (interval on n − 1 dof).
DISAGREEMENT_P = 0.05

_COMBINED = (("R_K", "m2K_W"), ("delta_T", "K"), ("flux", "W_m2"), ("kappa_A", "W_mK"),
             ("kappa_B", "W_mK"))


def weighted_mean_birge(values, ses, dofs) -> dict[str, float]:
    """Inverse-variance weighted mean with Birge-ratio inflation (see module docstring).

    Parameters
    ----------
    values, ses : array_like, shape (n,)
        Replica estimates and standard errors (same units), ses > 0.
    dofs : array_like, shape (n,)
        Degrees of freedom of each replica's standard error.

    Returns
    -------
    dict
        ``mean``, ``se`` (after inflation), ``dof``, ``low``, ``high`` (95 %),
        ``birge_ratio`` (NaN for n = 1), ``inflated`` (bool).
    """
    v, s, d = (np.asarray(a, dtype=float) for a in (values, ses, dofs))
    if v.ndim != 1 or v.size == 0 or s.shape != v.shape or np.any(~(s > 0)):
        raise ValueError("need one positive standard error per value")
    w = 1.0 / s**2
    mean = float(np.sum(w * v) / np.sum(w))
    se = float(np.sqrt(1.0 / np.sum(w)))
    dof = welch_satterthwaite_dof((w / np.sum(w)) ** 2 * s**2, d)
    birge = float("nan")
    inflated = False
    if v.size > 1:
        birge = float(np.sqrt(np.sum(w * (v - mean) ** 2) / (v.size - 1)))
        if birge > 1.0:
            se, inflated = se * birge, True
            chi2 = birge**2 * (v.size - 1)
            if stats.chi2.sf(chi2, v.size - 1) < DISAGREEMENT_P:
                dof = float(v.size - 1)
    low, high = t_interval(mean, se, dof)
    return {"mean": mean, "se": se, "dof": dof, "low": float(low), "high": float(high),
            "birge_ratio": birge, "inflated": inflated}


def combine_replicas(replica_results: Sequence[Mapping]) -> dict:
    """Combine replicas analysed by :func:`analysis.nemd.analyse_replica`.

    Parameters
    ----------
    replica_results : sequence of mapping
        One result per independent replica (seed), n >= 1.

    Returns
    -------
    dict
        JSON-serialisable.  The estimate keys of :func:`analyse_replica` (R_K, G,
        delta_T, flux, kappa_A, kappa_B: value, ``_se_``, ``_ci95_low_``, ``_ci95_high_``)
        combined as described in the module docstring; ``ci_dof`` (of R_K),
        ``birge_ratio`` (per quantity), ``n_replicas``, ``n_blocks`` (total),
        ``flux_imbalance`` (largest), ``linear_A``/``linear_B``/``stationary`` (all
        replicas), ``hot_side``, ``fit_windows_A`` (of the first replica),
        ``steady_state_start_ps`` (latest), ``replicas`` (per-replica R_K, its SE,
        n_blocks, steady_state_start_ps), ``combination`` (method) and ``warnings``.
    """
    if len(replica_results) == 0:
        raise ValueError("no replicas to combine")
    out: dict = {}
    birge: dict = {}
    notes = [f"replica {i}: {w}" for i, r in enumerate(replica_results) for w in r["warnings"]]
    dofs = [r["ci_dof"] for r in replica_results]
    for name, unit in _COMBINED:
        comb = weighted_mean_birge([r[f"{name}_{unit}"] for r in replica_results],
                                   [r[f"{name}_se_{unit}"] for r in replica_results], dofs)
        out |= estimate_keys(name, comb["mean"], comb["se"], comb["low"], comb["high"])
        birge[name] = comb["birge_ratio"]
        if name == "R_K":
            out["ci_dof"] = comb["dof"]
            if comb["inflated"]:
                notes.append(f"replicas scatter beyond their errors (Birge ratio "
                             f"{comb['birge_ratio']:.2f}): R_K standard error inflated")
    out |= _conductance_keys(out["R_K_m2K_W"], out["R_K_se_m2K_W"],
                             out["R_K_ci95_low_m2K_W"], out["R_K_ci95_high_m2K_W"])
    first = replica_results[0]
    if any(r["hot_side"] != first["hot_side"] or r["fit_windows_A"] != first["fit_windows_A"]
           for r in replica_results):
        notes.append("replicas differ in hot side or fit windows")
    out |= {
        "birge_ratio": birge,
        "n_replicas": len(replica_results),
        "n_blocks": int(sum(r["n_blocks"] for r in replica_results)),
        "flux_imbalance": max(r["flux_imbalance"] for r in replica_results),
        "linear_A": all(r["linear_A"] for r in replica_results),
        "linear_B": all(r["linear_B"] for r in replica_results),
        "stationary": all(r["stationary"] for r in replica_results),
        "hot_side": first["hot_side"],
        "fit_windows_A": first["fit_windows_A"],
        "steady_state_start_ps": max(r["steady_state_start_ps"] for r in replica_results),
        "replicas": [{"R_K_m2K_W": r["R_K_m2K_W"], "R_K_se_m2K_W": r["R_K_se_m2K_W"],
                      "n_blocks": r["n_blocks"],
                      "steady_state_start_ps": r["steady_state_start_ps"]}
                     for r in replica_results],
        "combination": "inverse-variance weighted mean, Birge-ratio inflation (PDG)",
        "warnings": notes,
    }
    return to_jsonable(out)
