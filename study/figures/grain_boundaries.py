"""Grain boundaries: R_K of every boundary against its energy γ, and what it does to a
polycrystal.

One drawing of R_K(γ) (:func:`draw`) for the pipeline's ``figures/grain_boundaries.png``
(:mod:`study.grain_boundary_summary`, quick style, beside the polycrystal panel
:func:`draw_polycrystal`) and the paper's ``grain_boundaries`` figure
(:mod:`study.paper_figures`, paper style).  The data are the rows of
``figures/grain_boundaries.csv`` (:func:`study.grain_boundary_summary.boundary_rows`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from analysis.relations import polycrystal_conductivity
from study.figures import style as fs

__all__ = ["GRAIN_BOUNDARY_COLUMNS", "draw", "draw_polycrystal", "figure"]

#: Columns of the paper figure's data file.
GRAIN_BOUNDARY_COLUMNS = ["system", "sigma", "kind", "plane", "gb_energy_J_m2",
                          "temperature_K", "method", "R_K_m2K_W", "R_K_ci95_low_m2K_W",
                          "R_K_ci95_high_m2K_W"]


def draw(ax, rows: Sequence[Mapping], *, style: str = "paper") -> list[dict]:
    """R_K (95 % CI) of every boundary against its energy γ, per method and temperature,
    each boundary named once (Σ and plane) above its highest bar; returns the plotted
    rows."""
    data = [{k: r.get(k) for k in GRAIN_BOUNDARY_COLUMNS} for r in rows]
    groups = sorted({(r["method"], fs.number(r["temperature_K"])) for r in data})
    all_gamma = fs.column(data, "gb_energy_J_m2")
    span = float(np.nanmax(all_gamma) - np.nanmin(all_gamma)) if len(data) else 0.0
    tops: dict[str, list] = {}  # boundary -> [(x, top of its bar or point)]
    for k, (method, temperature) in enumerate(groups):
        sel = [r for r in data if r["method"] == method
               and fs.number(r["temperature_K"]) == temperature]
        value, gamma = fs.column(sel, "R_K_m2K_W") * fs.NANO, fs.column(sel, "gb_energy_J_m2")
        high = fs.column(sel, "R_K_ci95_high_m2K_W") * fs.NANO
        # the groups side by side at each boundary, not on top of each other
        shifted = gamma + (k - (len(groups) - 1) / 2) * 0.015 * (span or 1.0)
        fs.interval_points(ax, shifted, value, fs.column(sel, "R_K_ci95_low_m2K_W") * fs.NANO,
                           high, fs.MARKERS[k % len(fs.MARKERS)], fs.colour(method),
                           f"{fs.label(method)}, {temperature:g} K")
        low = fs.column(sel, "R_K_ci95_low_m2K_W") * fs.NANO
        # an unbounded bar ends at 2 R_K (fs.interval_points), no interval at the point
        top = np.where(np.isfinite(high), high, np.where(np.isfinite(low), 2 * value, value))
        for x, y, r in zip(shifted, np.fmax(top, value), sel, strict=True):
            tops.setdefault(r["system"], []).append((x, y, r))
    for points in tops.values():  # each boundary named once, above its highest bar
        x = float(np.mean([p[0] for p in points]))
        y = float(np.nanmax([p[1] for p in points]))
        r = points[0][2]
        ax.annotate(f"Σ{r['sigma']} ({r['plane']})", (x, y), xytext=(0, 4), ha="center",
                    va="bottom", textcoords="offset points", fontsize=fs.font_size(style, -2))
    ax.axhline(0.0, color="0.6", lw=0.6, zorder=0)  # where a Σ1 control must sit
    ax.margins(x=0.12)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.12 * (high - low))  # room for the names above the bars
    ax.set_xlabel(r"Grain-boundary energy $\gamma$ (J m$^{-2}$)")
    ax.set_ylabel(fs.R_K_LABEL)
    return data


def draw_polycrystal(ax, rows: Sequence[Mapping], grain_sizes_nm: np.ndarray, *,
                     style: str = "quick") -> None:
    """κ_eff = 1/(1/κ_bulk + R_K/d) of a polycrystal of grain size d built from each
    boundary (NEMD rows with a bulk κ; Σ1 controls and R_K ≤ 0 left out), with the band
    from R_K's 95 % interval (cut at R_K = 0; an unbounded end at 3 R_K)."""
    d_m = np.asarray(grain_sizes_nm, float) * 1e-9
    for r in rows:
        r_k, k_bulk = fs.number(r["R_K_m2K_W"]), fs.number(r.get("kappa_bulk_W_mK"))
        if (r["method"] != "nemd" or not k_bulk > 0 or str(r["sigma"]) == "1"
                or not r_k > 0):
            continue
        line = ax.plot(grain_sizes_nm, polycrystal_conductivity(k_bulk, r_k, d_m),
                       label=f"{r['system']}, {fs.number(r['temperature_K']):g} K")[0]
        lo, hi = fs.number(r.get("R_K_ci95_low_m2K_W")), fs.number(r.get("R_K_ci95_high_m2K_W"))
        lo = max(lo, 0.0) if np.isfinite(lo) else 0.0
        hi = hi if np.isfinite(hi) else 3 * r_k
        ax.fill_between(grain_sizes_nm, polycrystal_conductivity(k_bulk, hi, d_m),
                        polycrystal_conductivity(k_bulk, lo, d_m), color=line.get_color(),
                        alpha=0.2, lw=0)
    ax.set_xscale("log")
    ax.set_xlabel(r"Grain size $d$ (nm)")
    ax.set_ylabel(r"$\kappa_{eff}$ (W m$^{-1}$ K$^{-1}$)")
    ax.set_title(r"Polycrystal: $1/\kappa_{eff} = 1/\kappa_{bulk} + R_K/d$",
                 fontsize=fs.font_size(style, -1))


def figure(rows: Sequence[Mapping], *, style: str = "paper",
           grain_sizes_nm: np.ndarray | None = None):
    """A figure holding :func:`draw` (call inside ``style(style)``); returns (fig, rows).

    Paper: R_K against γ.  Quick: beside it the polycrystal panel
    (:func:`draw_polycrystal`, grain sizes 1 nm to 1 µm unless given).
    """
    if style == "paper":
        fig, ax = fs.new_figure("column", aspect=0.85, kind=style)
        data = draw(ax, rows, style=style)
        fs.figure_legend(fig, [ax], where="below", ncols=1)
        return fig, data
    fig, (ax, ax_poly) = fs.new_figure("page", aspect=0.4, ncols=2, kind=style)
    data = draw(ax, rows, style=style)
    ax.set_title("Boundary resistance, 95 % CI", fontsize=fs.font_size(style, -1))
    draw_polycrystal(ax_poly, rows, np.geomspace(1.0, 1000.0, 60)
                     if grain_sizes_nm is None else grain_sizes_nm, style=style)
    fs.legend(ax, where="inside")
    if ax_poly.lines:
        fs.legend(ax_poly, where="inside", loc="lower right")
    return fig, data
