"""Combining independent NEMD replicas (seeds) into one estimate with a 95 % interval.

Replicas are the independent units.  Each converged replica brings its estimate v_i with
a standard error s_i from its own slow-mode-corrected blocks (:mod:`analysis.nemd`) and
the Satterthwaite dof ν_i of that error.  The combined estimate is the **equal-weight**
mean v̄ = Σ v_i / n with Var(v̄) = Σ s_i² / n² and the Welch–Satterthwaite dof of that sum
(Satterthwaite 1946; Welch 1947).  Equal weights, because inverse-variance weights built
from noisy errors favour the replicas whose error happens to be small — for a ratio like
R_K = ΔT/J those are the ones with the smaller ΔT, which biases the mean low.  The
replicas are also checked against each other: Cochran's Q = Σ (v_i − v̄)²/s_i² against
χ²(n − 1); when they disagree (p < ``DISAGREEMENT_P``) the interval falls back to the
replica means alone, v̄ ± t_{n−1} sd(v_i)/√n, which needs no within-replica error at all.
tests/analysis/test_coverage.py shows 92–98 % coverage for 2 and 3 replicas of runs with the slow
mode.  A combination with any replica that did not converge is itself not converged: it
gets the equal-weight point estimate and no interval.  We recommend ≥ 3 replicas: with
2, a disagreement leaves a t interval on 1 dof (t = 12.7).

κ of each side: the resistivities ρ = |dT/dz|/J (ratios of means, with errors) are
combined first and then inverted (:func:`analysis.nemd.kappa_from_resistivity`), so a
gradient not resolved from zero gives a lower bound on κ, never a negative one.
The fit-window systematic is the half-range of the replica-averaged window scan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from .blocking import t_interval, welch_satterthwaite_dof
from .io import to_jsonable
from .jump import SIDES
from .nemd import MK_W_PER_RESISTIVITY, kappa_from_resistivity
from .records import conductance_keys, estimate_keys, window_systematic

__all__ = ["combine_replicas", "equal_weight_mean", "weighted_mean_birge"]

#: Birge: χ² p-value below which values are taken to disagree (interval on n − 1 dof).
BIRGE_DISAGREEMENT_P = 0.05

#: Cochran's Q p-value below which replicas are taken to disagree (interval on n − 1 dof).
DISAGREEMENT_P = 0.01

_COMBINED = (("R_K", "m2K_W"), ("delta_T", "K"), ("flux", "W_m2"))


def equal_weight_mean(values, ses, dofs) -> dict:
    """Equal-weight mean of replica estimates with its error (see module docstring).

    Parameters
    ----------
    values, ses : array_like, shape (n,)
        Replica estimates and standard errors (same units), ses >= 0.
    dofs : array_like, shape (n,)
        Degrees of freedom of each replica's standard error.

    Returns
    -------
    dict
        ``mean``, ``se``, ``dof``, ``low``, ``high`` (95 %), ``q_p_value`` (Cochran's Q
        test of agreement, NaN for n = 1) and ``disagree`` (bool: interval from the
        replica scatter on n − 1 dof).
    """
    v, s, d = (np.asarray(a, dtype=float) for a in (values, ses, dofs))
    if v.ndim != 1 or v.size == 0 or s.shape != v.shape or np.any(~(s >= 0)):
        raise ValueError("need one non-negative standard error per value")
    n = v.size
    mean = float(v.mean())
    se = float(np.sqrt(np.sum(s**2)) / n)
    dof = welch_satterthwaite_dof(s**2 / n**2, d) if se > 0 else float("inf")
    p_value, disagree = float("nan"), False
    if n > 1 and np.all(s > 0):
        q = float(np.sum((v - mean) ** 2 / s**2))
        p_value = float(stats.chi2.sf(q, n - 1))
        if p_value < DISAGREEMENT_P:
            se, dof, disagree = float(v.std(ddof=1) / math.sqrt(n)), float(n - 1), True
    low, high = t_interval(mean, se, dof)
    return {"mean": mean, "se": se, "dof": dof, "low": float(low), "high": float(high),
            "q_p_value": p_value, "disagree": disagree}


def combine_replicas(replica_results: Sequence[Mapping]) -> dict:
    """Combine replicas analysed by :func:`analysis.nemd.analyse_replica`.

    Parameters
    ----------
    replica_results : sequence of mapping
        One result per independent replica (seed), n >= 1.

    Returns
    -------
    dict
        JSON-serialisable.  R_K, G, delta_T, flux, kappa_A, kappa_B (value, ``_se_``,
        ``_ci95_low_``, ``_ci95_high_``; the error fields None unless every replica
        ``converged``), ``kappa_X_lower_bound_W_mK``, ``resistivity_X_mK_W``,
        ``R_K_sys_m2K_W``, ``R_K_total_ci95_low_m2K_W``/``_high_``, ``ci_dof`` (of R_K),
        ``converged``, ``linear_response``, ``q_p_value``, ``n_replicas``,
        ``n_blocks`` (total), ``flux_imbalance`` (largest), ``linear_A``/``linear_B``/
        ``stationary`` (all replicas), ``physically_valid`` (at least one replica passed
        :mod:`analysis.physical_checks`; the others are left out and listed in
        ``excluded_replicas``), ``hot_side``, ``fit_windows_A``,
        ``steady_state_start_ps`` (latest), ``replicas`` (per replica: R_K, its SE,
        converged, tau_slow_ps, steady_window_ps), ``combination`` and ``warnings``.
    """
    if len(replica_results) == 0:
        raise ValueError("no replicas to combine")
    every = list(replica_results)
    notes = [f"replica {i}: {w}" for i, r in enumerate(every) for w in r["warnings"]]
    # a physically invalid replica (a side melted, baths the wrong way...) measures nothing:
    # it is left out; with none valid the point estimate is their mean and has no interval
    valid = [r for r in every if r.get("physically_valid", True)]
    excluded = [i for i, r in enumerate(every) if not r.get("physically_valid", True)]
    if excluded:
        notes.append(f"replicas {excluded} left out of the combination: physically invalid "
                     "(see their physical_checks)")
    reps = valid or every
    converged = bool(valid) and all(r.get("converged") for r in reps)
    out: dict = {}
    for name, unit in _COMBINED:
        comb = _combine(reps, f"{name}_{unit}", f"{name}_se_{unit}", "ci_dof", converged)
        out |= estimate_keys(name, comb["mean"], comb["se"], comb["low"], comb["high"])
        if name == "R_K":
            out["ci_dof"] = comb["dof"]
            out["q_p_value"] = comb["q_p_value"]
            if comb["disagree"]:
                notes.append(f"replicas disagree beyond their errors (Cochran's Q p = "
                             f"{comb['q_p_value']:.2g}): interval from their scatter, "
                             f"{len(reps) - 1} dof")
    out |= conductance_keys(out["R_K_m2K_W"], out["R_K_se_m2K_W"],
                             out["R_K_ci95_low_m2K_W"], out["R_K_ci95_high_m2K_W"])
    for side in SIDES:
        comb = _combine(reps, f"resistivity_{side}_mK_W", f"resistivity_{side}_se_mK_W",
                        f"resistivity_{side}_dof", converged)
        rho, rho_se = comb["mean"] / MK_W_PER_RESISTIVITY, comb["se"]
        out[f"resistivity_{side}_mK_W"] = comb["mean"]
        out |= kappa_from_resistivity(
            side, rho, (rho_se or 0.0) / MK_W_PER_RESISTIVITY, comb["dof"], converged)
    out |= window_systematic(out, _mean_scan(reps), converged)
    first = reps[0]
    if any(r["hot_side"] != first["hot_side"] or _windows_differ(r, first) for r in reps):
        notes.append("replicas differ in hot side or fit windows (by more than 1 Å)")
    if not converged:
        notes.append("not converged: at least one replica has no interval; the combined "
                     "value is a point estimate")
    imbalances = [r["flux_imbalance"] for r in reps if r.get("flux_imbalance") is not None]
    if not valid:
        notes.append("no physically valid replica: no interval")
    out |= {
        "converged": converged,
        "physically_valid": bool(valid),
        "excluded_replicas": excluded,
        "linear_response": all(r.get("linear_response", True) for r in reps),
        "n_replicas": len(reps),
        "n_blocks": int(sum(r["n_blocks"] for r in reps)),
        "flux_imbalance": max(imbalances) if imbalances else None,
        "linear_A": all(r["linear_A"] for r in reps),
        "linear_B": all(r["linear_B"] for r in reps),
        "stationary": all(r["stationary"] for r in reps),
        "hot_side": first["hot_side"],
        "fit_windows_A": first["fit_windows_A"],
        "steady_state_start_ps": max(r["steady_state_start_ps"] for r in reps),
        "replicas": [{"R_K_m2K_W": r["R_K_m2K_W"], "R_K_se_m2K_W": r["R_K_se_m2K_W"],
                      "converged": r.get("converged"), "n_blocks": r["n_blocks"],
                      "tau_slow_ps": (r.get("convergence") or {}).get("tau_slow_ps"),
                      "steady_window_ps": (r.get("convergence") or {}).get("steady_window_ps"),
                      "steady_state_start_ps": r["steady_state_start_ps"]} for r in reps],
        "combination": "equal-weight mean of replicas, Welch-Satterthwaite dof; replica "
                       "scatter on n-1 dof when Cochran's Q rejects agreement",
        "warnings": notes,
    }
    return to_jsonable(out)


def _combine(reps: list, value_key: str, se_key: str, dof_key: str, converged: bool) -> dict:
    """Equal-weight combination of one quantity; Nones for the error when not converged."""
    values = [float(r[value_key]) for r in reps]
    if not converged:
        return {"mean": float(np.mean(values)), "se": None, "dof": None, "low": None,
                "high": None, "q_p_value": None, "disagree": False}
    return equal_weight_mean(values, [float(r[se_key]) for r in reps],
                             [float(r[dof_key]) for r in reps])


def _windows_differ(a: Mapping, b: Mapping, tolerance_A: float = 1.0) -> bool:
    """Fit windows that differ by more than ``tolerance_A`` (after the barostat stage each
    replica's stack, and so its windows, differ by a fraction of an Å)."""
    return any(abs(float(x) - float(y)) > tolerance_A
               for side in ("A", "B")
               for x, y in zip(a["fit_windows_A"][side], b["fit_windows_A"][side], strict=True))


def _mean_scan(reps: list) -> list[dict]:
    """Window scan rows with R_K averaged over the replicas that have the same window."""
    keyed: dict = {}
    for r in reps:
        for row in r.get("window_scan") or []:
            key = (row["interface_bins_dropped"], row["bath_bins_dropped"])
            keyed.setdefault(key, []).append(row["R_K_m2K_W"])
    return [{"interface_bins_dropped": i, "bath_bins_dropped": j,
             "R_K_m2K_W": float(np.mean(v))} for (i, j), v in sorted(keyed.items())
            if len(v) == len(reps)]


def weighted_mean_birge(values, ses, dofs) -> dict[str, float]:
    """Inverse-variance weighted mean with Birge-ratio inflation (Green-Kubo replicas).

    Birge, Phys. Rev. 40, 207 (1932), as in the PDG averaging procedure: when the values
    scatter beyond their errors (R_B = sqrt(χ²/(n−1)) > 1) the standard error is
    multiplied by R_B, and when the scatter is significant (p < 0.05) the interval uses
    n − 1 dof.  Used by :func:`analysis.green_kubo.combine_green_kubo`; NEMD replicas use
    :func:`equal_weight_mean`.

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
            if stats.chi2.sf(chi2, v.size - 1) < BIRGE_DISAGREEMENT_P:
                dof = float(v.size - 1)
    low, high = t_interval(mean, se, dof)
    return {"mean": mean, "se": se, "dof": dof, "low": float(low), "high": float(high),
            "birge_ratio": birge, "inflated": inflated}
