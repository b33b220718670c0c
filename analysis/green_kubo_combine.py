"""Combination of Green-Kubo replicas: a joint likelihood of a common relaxation time.

Independent equilibrium runs of one interface share τ = C_eff/(G A); their profile
likelihoods of ln τ (:mod:`analysis.ou_likelihood`) add, and the joint interval is read
where the summed profile rises by χ²₁(0.95)/2, widened by a quasi-likelihood dispersion
when the replicas disagree (McCullagh & Nelder, *Generalized Linear Models*, 2nd ed.
(1989), §9.2).  Records without a profile fall back to a Birge-inflated weighted mean
of ln G.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from .green_kubo import gk_keys, log_standard_error
from .io import to_jsonable
from .replicas import weighted_mean_birge

__all__ = ["combine_green_kubo"]


def combine_green_kubo(replica_results: Sequence[Mapping]) -> dict:
    """Combine independent replicas: joint likelihood of a common τ.

    Replicas of one cell share τ (and C_eff/A), while each keeps its own mean, amplitude
    and noise: the joint profile log-likelihood of ln τ is the sum of the replicas'
    profiles (each stored in its record as ``profile``).  Its minimum is the combined
    REML estimate, corrected by the replicas' bootstrap median biases averaged with
    weights 1/se²(ln τ) (the bias is a property of each run's length, not of their
    number), and its 95 % interval is where the joint −Δℓ rises by χ²₁(0.95)/2 (the
    replicas' bootstrap calibration of the cut is not carried over: summing likelihoods
    brings the statistic closer to χ², tests/analysis/test_green_kubo.py shows the coverage).  The
    replicas' agreement is tested by 2 Σ_i Δℓ_i(τ̂) ~ χ²_{R−1}; when it is significant
    (p < 0.05), −Δℓ is divided by that χ²/(R − 1) before the interval is read
    (a quasi-likelihood dispersion, McCullagh & Nelder, *Generalized Linear Models*, 1989,
    §9.2), the likelihood's counterpart of the Birge ratio.  Records without a profile or
    with different C_eff/A fall back to the inverse-variance mean of ln G with Birge
    inflation (:func:`analysis.replicas.weighted_mean_birge`).  When a replica did not
    converge, the combined record has no interval either.

    Parameters
    ----------
    replica_results : sequence of mapping
        Per-replica records of :func:`delta_T_likelihood` (or any with ``G_MW_m2K`` and,
        when converged, ``G_ci95_low_MW_m2K``/``G_ci95_high_MW_m2K``).

    Returns
    -------
    dict
        :func:`gk_keys` of the combined G, ``ci_dof``, ``tau_ps`` (None for the
        fallback), ``converged``, ``n_replicas``, ``replicas_agree_p``, ``dispersion``,
        ``combination`` (text), ``method = "green-kubo"``, ``warnings``.
    """
    reps = list(replica_results)
    if not reps:
        raise ValueError("no replicas to combine")
    converged = all(_replica_converged(r) for r in reps)
    factors = [r.get("G_tau_factor_MW_m2K_ps") for r in reps]
    joint = (all(r.get("profile") for r in reps) and None not in factors
             and np.allclose(factors, factors[0], rtol=1e-9))
    out = _joint_tau(reps, factors[0]) if joint else _log_mean(reps, converged)
    notes = []
    if out["replicas_agree_p"] is not None and out["replicas_agree_p"] < 0.05:
        notes.append(f"replicas disagree beyond their likelihoods (p = "
                     f"{out['replicas_agree_p']:.2g}): interval widened by the dispersion "
                     f"{out['dispersion']:.2f}")
    if not converged:
        notes.append("not converged: at least one replica has no interval; the combined "
                     "value is a point estimate")
        out["low"] = out["high"] = out["se"] = None
    return to_jsonable({
        **gk_keys(out["value"], out["se"], out["low"], out["high"]),
        "ci_dof": math.inf if converged else None, "tau_ps": out.get("tau_ps"),
        "converged": converged, "n_replicas": len(reps),
        "replicas_agree_p": out["replicas_agree_p"], "dispersion": out["dispersion"],
        "combination": out["combination"], "method": "green-kubo", "warnings": notes})


def _replica_converged(record: Mapping) -> bool:
    if "converged" in record:
        return bool(record["converged"])
    return bool((record.get("convergence") or {}).get("converged"))


def _joint_tau(reps: Sequence[Mapping], factor: float) -> dict:
    """Sum of the replicas' profile likelihoods of ln τ (see :func:`combine_green_kubo`)."""
    profiles = [(np.asarray(r["profile"]["log_tau_ps"], float),
                 np.asarray(r["profile"]["delta_nll"], float)) for r in reps]
    # past the replicas' own ranges the profiles continue with their end slopes
    grid = np.linspace(min(p[0][0] for p in profiles) - 4.0,
                       max(p[0][-1] for p in profiles) + 4.0, 1601)
    total = np.sum([_extrapolated(grid, x, y) for x, y in profiles], axis=0)
    i = int(np.argmin(total))
    best = float(grid[i])
    dof = len(reps) - 1
    chi2 = 2.0 * float(total[i] - sum(y.min() for _, y in profiles))
    p_value = float(stats.chi2.sf(chi2, dof)) if dof > 0 else None
    dispersion = max(1.0, chi2 / dof) if p_value is not None and p_value < 0.05 else 1.0
    excess = (total - total[i]) / dispersion - float(stats.chi2.ppf(0.95, 1)) / 2.0
    lo_lt = _crossing(grid[: i + 1][::-1], excess[: i + 1][::-1])
    hi_lt = _crossing(grid[i:], excess[i:])
    weights = []
    for r in reps:
        low, high = r.get("tau_ci95_low_ps"), r.get("tau_ci95_high_ps")
        ok = low and high and low > 0 and math.isfinite(high)
        weights.append(1.0 / (math.log(high / low) / 3.92) ** 2 if ok else 1.0)
    bias = float(np.average([float(r.get("tau_log_bias") or 0.0) for r in reps],
                            weights=weights))
    tau = math.exp(best - bias)
    tau_lo = math.exp(lo_lt) if lo_lt is not None else 0.0
    tau_hi = math.exp(hi_lt) if hi_lt is not None else math.inf
    g = factor / tau
    g_lo = factor / tau_hi if math.isfinite(tau_hi) else 0.0
    g_hi = factor / tau_lo if tau_lo > 0 else math.inf
    return {"value": g, "low": g_lo, "high": g_hi, "se": log_standard_error(g, g_lo, g_hi), "tau_ps": tau,
            "replicas_agree_p": p_value, "dispersion": dispersion,
            "combination": "joint restricted likelihood of a common τ (sum of the replicas' "
                           "profiles), bootstrap median-bias correction, likelihood-ratio "
                           "interval"}


def _extrapolated(grid: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """y(x) on ``grid``: linear interpolation, continued beyond x with the end slopes."""
    out = np.interp(grid, x, y)
    left, right = grid < x[0], grid > x[-1]
    slope_l = (y[1] - y[0]) / (x[1] - x[0])
    slope_r = (y[-1] - y[-2]) / (x[-1] - x[-2])
    out[left] = y[0] + slope_l * (grid[left] - x[0])
    out[right] = y[-1] + slope_r * (grid[right] - x[-1])
    return out


def _crossing(x: np.ndarray, excess: np.ndarray) -> float | None:
    """First x where ``excess`` (starting < 0) reaches 0, linearly interpolated; None if never."""
    above = np.nonzero(excess >= 0.0)[0]
    if not above.size:
        return None
    j = int(above[0])
    if j == 0:
        return float(x[0])
    t = -excess[j - 1] / (excess[j] - excess[j - 1])
    return float(x[j - 1] + t * (x[j] - x[j - 1]))


def _log_mean(reps: Sequence[Mapping], converged: bool) -> dict:
    """Fallback: inverse-variance mean of ln G with Birge inflation (or the plain mean)."""
    values = np.array([float(r["G_MW_m2K"]) for r in reps])
    if not converged:
        return {"value": float(np.exp(np.mean(np.log(values)))), "low": None, "high": None,
                "se": None, "replicas_agree_p": None, "dispersion": 1.0,
                "combination": "geometric mean of the replicas' G (no intervals)"}
    ses = [log_standard_error(float(r["G_MW_m2K"]), float(r["G_ci95_low_MW_m2K"]),
                   float(r["G_ci95_high_MW_m2K"])) / float(r["G_MW_m2K"]) for r in reps]
    comb = weighted_mean_birge(np.log(values), ses, [math.inf] * len(reps))
    value = math.exp(comb["mean"])
    return {"value": value, "low": math.exp(comb["low"]), "high": math.exp(comb["high"]),
            "se": value * comb["se"], "replicas_agree_p": None,
            "dispersion": comb["birge_ratio"] if comb["inflated"] else 1.0,
            "combination": "inverse-variance mean of ln G, Birge inflation"}
