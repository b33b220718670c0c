"""Size series of a study: which systems form a series, and the rows of its data file.

The members of a series are the systems the config expands ``length_series_A`` into
(``series_of: NAME``, :func:`study.config.validate_config`) plus NAME itself when its
two sides are equally long.  The fit R_K(L) = R_∞ + c/L is
:func:`analysis.size_series.inverse_length_fit`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from analysis.size_series import inverse_length_fit, record_standard_error

__all__ = [
    "SERIES_COLUMNS",
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


def _has_error(record: Mapping) -> bool:
    """Whether a record carries an uncertainty of R_K (a converged run)."""
    try:
        record_standard_error(record)
    except ValueError:
        return False
    return True


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
