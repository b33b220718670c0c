"""Size series: R_K against the inverse system length and its extrapolation to L → ∞.

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

The members of a series are the systems the config expands ``length_series_A`` into
(``series_of: NAME``, :func:`study.config.validate_config`) plus NAME itself when its
two sides are equally long.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "SERIES_COLUMNS",
    "inverse_length_fit",
    "record_standard_error",
    "series_members",
    "series_rows",
    "side_length_A",
]

#: Columns of the size-series data file (one row per point, fit-line node or R_∞).
SERIES_COLUMNS = [
    "series", "kind", "system", "temperature_K", "method", "length_A", "inverse_length_1_A",
    "R_K_m2K_W", "R_K_se_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W",
    "slope_m2K_W_A", "slope_se_m2K_W_A", "chi2_red", "dof", "n_lengths",
]


def series_members(config: Mapping) -> dict[str, list[str]]:
    """Members of every size series of a resolved config, in order of length.

    Parameters
    ----------
    config : mapping
        Config after :func:`study.config.validate_config` (series expanded).

    Returns
    -------
    dict
        ``{NAME: [system, ...]}`` for every system NAME with a series: the systems marked
        ``series_of: NAME`` and NAME itself when ``length_a_A == length_b_A``, sorted by
        side length (Å).
    """
    systems = config["systems"]
    series: dict[str, list[str]] = {}
    for name, sysconf in systems.items():
        if sysconf.get("series_of"):
            series.setdefault(sysconf["series_of"], []).append(name)
    out = {}
    for base, members in series.items():
        if base in systems and systems[base]["length_a_A"] == systems[base]["length_b_A"]:
            members = [base, *members]
        out[base] = sorted(members, key=lambda s: systems[s]["length_a_A"])
    return out


def side_length_A(structure: Mapping) -> float:
    """Length of one side of a built interface along the transport axis (Å).

    The mean of the two sides, each a whole number of conventional cells:
    L = (n_z,A a_A + n_z,B a_B) / 2 (keys of the structure record ``relaxed.json``).
    """
    return 0.5 * sum(float(structure[f"n_z_{s}"]) * float(structure[f"lattice_constant_{s}_A"])
                     for s in ("a", "b"))


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
    from scipy import stats

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


def _has_error(record: Mapping) -> bool:
    """Whether a record carries an uncertainty of R_K (a converged run)."""
    try:
        record_standard_error(record)
    except ValueError:
        return False
    return True


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


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
    from scipy import stats

    from analysis.linear_fit import fit_line

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


def series_rows(series: str, points: Sequence[Mapping], n_line: int = 50) -> list[dict]:
    """Rows of the size-series data file: points, fitted lines and R_∞, per T and method.

    Parameters
    ----------
    series : str
        Name of the series (its base system).
    points : sequence of mapping
        One per member × temperature × method: ``system``, ``temperature_K``, ``method``,
        ``length_A`` and the combined record's ``R_K_m2K_W``, ``R_K_se_m2K_W``,
        ``R_K_ci95_low_m2K_W``, ``R_K_ci95_high_m2K_W`` and ``ci_dof`` (the weights,
        :func:`record_standard_error`).
    n_line : int, optional
        Nodes of each fitted line between 1/L = 0 and the largest 1/L.

    Returns
    -------
    list of dict
        ``kind`` "point", "fit" (line nodes) or "extrapolation" (R_∞ with its interval and
        the fit parameters); columns :data:`SERIES_COLUMNS`.
    """
    rows = []
    groups = sorted({(float(p["temperature_K"]), p["method"]) for p in points})
    for temperature, method in groups:
        sel = sorted((p for p in points if float(p["temperature_K"]) == temperature
                      and p["method"] == method), key=lambda p: float(p["length_A"]))
        common = {"series": series, "temperature_K": temperature, "method": method}
        for p in sel:
            rows.append({**common, "kind": "point", "system": p["system"],
                         "length_A": float(p["length_A"]),
                         "inverse_length_1_A": 1.0 / float(p["length_A"]),
                         **{k: p.get(k) for k in ("R_K_m2K_W", "R_K_se_m2K_W",
                                                  "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W")}})
        # a member that did not converge has no error: it is drawn, but not fitted
        fitted = [p for p in sel if _has_error(p)]
        if len({float(p["length_A"]) for p in fitted}) < 2:
            continue
        fit = inverse_length_fit([p["length_A"] for p in fitted],
                                 [p["R_K_m2K_W"] for p in fitted],
                                 [record_standard_error(p) for p in fitted])
        params = {"slope_m2K_W_A": fit["slope_m2K_W_A"],
                  "slope_se_m2K_W_A": fit["slope_se_m2K_W_A"], "chi2_red": fit["chi2_red"],
                  "dof": fit["dof"], "n_lengths": fit["n_lengths"]}
        for x in np.linspace(0.0, 1.0 / float(fitted[0]["length_A"]), n_line):
            rows.append({**common, "kind": "fit", "inverse_length_1_A": float(x),
                         "length_A": 1.0 / x if x > 0 else math.inf,
                         "R_K_m2K_W": fit["R_inf_m2K_W"] + fit["slope_m2K_W_A"] * float(x)})
        rows.append({**common, "kind": "extrapolation", "system": series, "length_A": math.inf,
                     "inverse_length_1_A": 0.0, "R_K_m2K_W": fit["R_inf_m2K_W"],
                     "R_K_se_m2K_W": fit["R_inf_se_m2K_W"],
                     "R_K_ci95_low_m2K_W": fit["R_inf_ci95_low_m2K_W"],
                     "R_K_ci95_high_m2K_W": fit["R_inf_ci95_high_m2K_W"], **params})
    return rows
