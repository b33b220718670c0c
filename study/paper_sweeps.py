"""Cross-section and flux series: R_K against the cross-section area and against J.

Two checks that a NEMD R_K is a property of the interface and not of the simulation:

* cross-section (``lateral_series_A``): the lateral cell limits the in-plane phonon wave
  vectors and lets atoms feel their periodic images; R_K should level off as the area
  grows.  The points are shown against the area of the built cell (Å², from the
  structure record), with their 95 % intervals; a run without an interval (not
  converged) is an open marker without bars.
* heat flux (``flux_series_W_m2``): in linear response R_K does not depend on J;
  :func:`analysis.linear_response.flux_independence_test` fits R_K = R_0 + s J and tests
  s = 0 (NEMD records only: J is what NEMD imposes).

The members of a series are the systems the config expands the key into
(``lateral_series_of: NAME`` or ``flux_series_of: NAME``,
:func:`study.config.validate_config`) plus NAME itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "FLUX_COLUMNS",
    "FLUX_TABLE_COLUMNS",
    "LATERAL_COLUMNS",
    "flux_series_members",
    "flux_series_rows",
    "flux_table_rows",
    "lateral_series_members",
    "lateral_series_rows",
    "member_fluxes",
]

_R_K_KEYS = ("R_K_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W")

#: Columns of a cross-section series data file (one row per member × T × method).
LATERAL_COLUMNS = [
    "series", "system", "temperature_K", "method", "lateral_A", "area_A2", "lateral_cell",
    "n_lateral_a", "n_lateral_b", *_R_K_KEYS, "has_interval",
]

#: Test results of a flux series (one "test" row per T; also the rows of flux_series.csv).
_TEST_KEYS = [
    "verdict", "p_value", "z", "slope_m4K_W2", "slope_se_m4K_W2", "slope_ci95_low_m4K_W2",
    "slope_ci95_high_m4K_W2", "R_K_0_m2K_W", "R_K_mean_m2K_W", "R_K_mean_se_m2K_W", "chi2",
    "chi2_dof", "chi2_p_value", "relative_change", "n_points", "n_used", "n_excluded",
    "flux_min_W_m2", "flux_max_W_m2", "alpha",
]

#: Columns of a flux series data file: points, fitted-line nodes and the test.
FLUX_COLUMNS = ["series", "kind", "system", "temperature_K", "method", "flux_W_m2",
                *_R_K_KEYS, "has_interval", *_TEST_KEYS]

#: Columns of ``paper/flux_series.csv``: one row per series × temperature.
FLUX_TABLE_COLUMNS = ["series", "temperature_K", "method", *_TEST_KEYS]


def _members(config: Mapping, marker: str, key) -> dict[str, list[str]]:
    systems = config["systems"]
    series: dict[str, list[str]] = {}
    for name, sysconf in systems.items():
        if sysconf.get(marker):
            series.setdefault(sysconf[marker], []).append(name)
    return {base: sorted([base, *members] if base in systems else members,
                         key=lambda s: key(systems[s]))
            for base, members in series.items()}


def lateral_series_members(config: Mapping) -> dict[str, list[str]]:
    """``{NAME: [system, ...]}`` of every cross-section series, by ``min_lateral_A``.

    Parameters
    ----------
    config : mapping
        Config after :func:`study.config.validate_config` (series expanded).
    """
    return _members(config, "lateral_series_of", lambda s: float(s["min_lateral_A"]))


def _flux(config: Mapping, system: str) -> float | None:
    """Imposed flux (W/m²) of a system: its own nemd override, else the study's."""
    own = (config["systems"][system].get("nemd") or {}).get("heat_flux_W_m2")
    return own if own is not None else config["nemd"].get("heat_flux_W_m2")


def flux_series_members(config: Mapping) -> dict[str, list[str]]:
    """``{NAME: [system, ...]}`` of every flux series, by imposed flux.

    Parameters
    ----------
    config : mapping
        Config after :func:`study.config.validate_config` (series expanded).
    """
    return {base: sorted((m for m in names if _flux(config, m) is not None),
                         key=lambda m: float(_flux(config, m)))
            for base, names in _members(config, "flux_series_of", lambda s: 0.0).items()}


def member_fluxes(config: Mapping, members: Sequence[str]) -> dict[str, float]:
    """``{system: imposed flux (W/m²)}`` of the members of a flux series."""
    return {m: float(_flux(config, m)) for m in members}


def _has_interval(record: Mapping) -> bool:
    values = [_number(record.get(k)) for k in _R_K_KEYS[1:]]
    return all(math.isfinite(v) for v in values)


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def lateral_series_rows(series: str, records: Sequence[Mapping],
                        structures: Mapping[str, Mapping]) -> list[dict]:
    """Rows of a cross-section series data file, sorted by T, method and area.

    Parameters
    ----------
    series : str
        Name of the series (its base system).
    records : sequence of mapping
        ``combined.json`` records of the members (``system``, ``temperature_K``,
        ``method`` and R_K with its interval, which may be None).
    structures : mapping
        ``{system: relaxed.json record}`` (``lateral_A`` in Å, ``area_A2`` in Å²,
        ``lateral_cell``, ``n_lateral_a``, ``n_lateral_b``).

    Returns
    -------
    list of dict
        Columns :data:`LATERAL_COLUMNS`; ``has_interval`` False marks a run without a
        95 % interval (drawn as an open marker without bars).
    """
    rows = []
    for rec in records:
        info = structures[rec["system"]]
        lateral = info["lateral_A"]
        rows.append({
            "series": series, "system": rec["system"], "temperature_K": float(rec["temperature_K"]),
            "method": rec["method"],
            "lateral_A": float(min(lateral) if isinstance(lateral, list) else lateral),
            "area_A2": float(info["area_A2"]),
            "lateral_cell": info.get("lateral_cell", "conventional"),
            "n_lateral_a": info.get("n_lateral_a"), "n_lateral_b": info.get("n_lateral_b"),
            **{k: rec.get(k) for k in _R_K_KEYS}, "has_interval": _has_interval(rec)})
    return sorted(rows, key=lambda r: (r["temperature_K"], r["method"], r["area_A2"]))


def flux_series_rows(series: str, records: Sequence[Mapping], fluxes: Mapping[str, float], *,
                     alpha: float = 0.05, n_line: int = 20) -> list[dict]:
    """Rows of a flux series data file: points, the fitted line and the test, per T.

    Parameters
    ----------
    series : str
        Name of the series (its base system).
    records : sequence of mapping
        NEMD ``combined.json`` records of the members (other methods are ignored).
    fluxes : mapping
        ``{system: imposed flux (W/m²)}``.
    alpha : float, optional
        Significance level of the test.
    n_line : int, optional
        Nodes of each fitted line between the smallest and largest flux.

    Returns
    -------
    list of dict
        ``kind`` "point", "fit" (line R_0 + s J) or "test" (one per temperature, the
        result of :func:`analysis.linear_response.flux_independence_test`); columns
        :data:`FLUX_COLUMNS`.
    """
    from analysis.linear_response import flux_independence_test

    nemd = [r for r in records if r["method"] == "nemd"]
    rows = []
    for temperature in sorted({float(r["temperature_K"]) for r in nemd}):
        sel = sorted((r for r in nemd if float(r["temperature_K"]) == temperature),
                     key=lambda r: fluxes[r["system"]])
        common = {"series": series, "temperature_K": temperature, "method": "nemd"}
        for rec in sel:
            rows.append({**common, "kind": "point", "system": rec["system"],
                         "flux_W_m2": float(fluxes[rec["system"]]),
                         **{k: rec.get(k) for k in _R_K_KEYS}, "has_interval": _has_interval(rec)})
        test = flux_independence_test([fluxes[r["system"]] for r in sel],
                                      [r.get("R_K_m2K_W") for r in sel],
                                      [r.get("R_K_ci95_low_m2K_W") for r in sel],
                                      [r.get("R_K_ci95_high_m2K_W") for r in sel], alpha=alpha)
        if test["slope_m4K_W2"] is not None:
            for flux in np.linspace(test["flux_min_W_m2"], test["flux_max_W_m2"], n_line):
                rows.append({**common, "kind": "fit", "flux_W_m2": float(flux),
                             "R_K_m2K_W": test["R_K_0_m2K_W"] + test["slope_m4K_W2"] * float(flux)})
        rows.append({**common, "kind": "test", "system": series,
                     **{k: test[k] for k in _TEST_KEYS}})
    return rows


def flux_table_rows(rows: Sequence[Mapping]) -> list[dict]:
    """The "test" rows of flux series data files, as rows of ``paper/flux_series.csv``."""
    return [{k: r.get(k) for k in FLUX_TABLE_COLUMNS} for r in rows if r.get("kind") == "test"]
