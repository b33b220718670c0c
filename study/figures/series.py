"""Series of one interface: R_K against the size 1/L, the cross-section and the flux.

The drawings of the paper's ``size_series/``, ``lateral_series/`` and ``flux_series/``
figures (:mod:`study.paper_figures`), from the rows of their data files
(:func:`study.paper_series.series_rows`, :func:`study.paper_sweeps.lateral_series_rows`,
:func:`study.paper_sweeps.flux_series_rows`).  Points carry 95 % intervals; a member
without an interval (not converged) is an open marker without bars.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from study.figures import style as fs

__all__ = ["draw_flux", "draw_lateral", "draw_size", "figure"]


def draw_size(ax, series: str, rows: Sequence[Mapping], *, style: str = "paper") -> str:
    """R_K against 1/L with the weighted fit R_K = R_∞ + c/L and R_∞ (95 % CI) at 1/L = 0;
    returns the legend title."""
    groups = sorted({(float(r["temperature_K"]), r["method"]) for r in rows})
    for k, (temperature, method) in enumerate(groups):
        sel = [r for r in rows if float(r["temperature_K"]) == temperature
               and r["method"] == method]
        colour, marker = fs.colour(method), fs.MARKERS[k % len(fs.MARKERS)]
        name = f"{fs.label(method)}, {temperature:g} K"
        pts = [r for r in sel if r["kind"] == "point"]
        fs.interval_points(ax, fs.column(pts, "inverse_length_1_A") * 10,
                           fs.column(pts, "R_K_m2K_W") * fs.NANO,
                           fs.column(pts, "R_K_ci95_low_m2K_W") * fs.NANO,
                           fs.column(pts, "R_K_ci95_high_m2K_W") * fs.NANO, marker, colour, name)
        line = [r for r in sel if r["kind"] == "fit"]
        if line:
            ax.plot(fs.column(line, "inverse_length_1_A") * 10,
                    fs.column(line, "R_K_m2K_W") * fs.NANO, "-", color=colour, lw=0.8)
        for ext in (r for r in sel if r["kind"] == "extrapolation"):
            r_inf = fs.number(ext["R_K_m2K_W"]) * fs.NANO
            low, high = (fs.number(ext[key]) * fs.NANO for key in ("R_K_ci95_low_m2K_W",
                                                                   "R_K_ci95_high_m2K_W"))
            bars = [[r_inf - low], [high - r_inf]] if math.isfinite(low) else None
            ax.errorbar([0.0], [r_inf], yerr=bars, fmt="D", mfc="white", color=colour,
                        label=r"$R_\infty$ = " + fs.interval_text(
                            r_inf, low, high, r"$\times 10^{-9}$ m$^2$K/W"))
    ax.set_xlim(left=-0.02 * max(ax.get_xlim()[1], 1e-3))
    ax.set_xlabel(r"Inverse side length $1/L$ (nm$^{-1}$)")
    ax.set_ylabel(fs.R_K_LABEL)
    return f"{series}: $R_K = R_\\infty + c/L$"


def draw_lateral(ax, series: str, rows: Sequence[Mapping], *, style: str = "paper") -> str:
    """R_K against the cross-section area, each point named by its lateral edge and cell
    (conventional or rotated 45°); returns the legend title."""
    groups = sorted({(float(r["temperature_K"]), r["method"]) for r in rows})
    for k, (temperature, method) in enumerate(groups):
        sel = sorted((r for r in rows if float(r["temperature_K"]) == temperature
                      and r["method"] == method), key=lambda r: fs.number(r["area_A2"]))
        colour, marker = fs.colour(method), fs.MARKERS[k % len(fs.MARKERS)]
        area = fs.column(sel, "area_A2") / 100
        value = fs.column(sel, "R_K_m2K_W") * fs.NANO
        ax.plot(area, value, "-", color=colour, lw=0.6, alpha=0.6)
        fs.interval_points(ax, area, value, fs.column(sel, "R_K_ci95_low_m2K_W") * fs.NANO,
                           fs.column(sel, "R_K_ci95_high_m2K_W") * fs.NANO, marker, colour,
                           f"{fs.label(method)}, {temperature:g} K")
        for a, v, r in zip(area, value, sel, strict=True):
            cell = "45°" if r.get("lateral_cell") == "rotated_45" else "conv."
            ax.annotate(f"{fs.number(r['lateral_A']):.1f} Å ({cell})", (a, v),
                        textcoords="offset points", xytext=(4, 3),
                        fontsize=fs.font_size(style, -2.5), color=colour)
    ax.margins(x=0.15)  # room for the labels of the first and last points
    fs.annotations_inward(ax)
    ax.set_xlabel(r"Cross-section area $A$ (nm$^2$)")
    ax.set_ylabel(fs.R_K_LABEL)
    return f"{series}: cross-section series"


def draw_flux(ax, series: str, rows: Sequence[Mapping], *, style: str = "paper") -> str:
    """R_K against the imposed flux J with the weighted line R_K = R_0 + sJ and the test
    of s = 0 per temperature; returns the legend title."""
    points = [r for r in rows if r["kind"] in ("point", "fit")]
    top = float(np.nanmax(fs.column(points, "flux_W_m2"))) if points else 1.0
    exponent = math.floor(math.log10(top)) if top > 0 else 0
    scale = 10.0 ** exponent
    temperatures = sorted({float(r["temperature_K"]) for r in rows})
    for k, temperature in enumerate(temperatures):
        sel = [r for r in rows if float(r["temperature_K"]) == temperature]
        colour, marker = fs.colour("nemd"), fs.MARKERS[k % len(fs.MARKERS)]
        test = next((r for r in sel if r["kind"] == "test"), {})
        p_value = fs.number(test.get("p_value"))
        depends = "independent of" if test.get("verdict") == "independent" else "depends on"
        verdict = f"p = {p_value:.2g}, {depends} J" if math.isfinite(p_value) else "no test"
        pts = [r for r in sel if r["kind"] == "point"]
        fs.interval_points(ax, fs.column(pts, "flux_W_m2") / scale,
                           fs.column(pts, "R_K_m2K_W") * fs.NANO,
                           fs.column(pts, "R_K_ci95_low_m2K_W") * fs.NANO,
                           fs.column(pts, "R_K_ci95_high_m2K_W") * fs.NANO, marker, colour,
                           f"{temperature:g} K: {verdict}")
        line = [r for r in sel if r["kind"] == "fit"]
        if line:
            ax.plot(fs.column(line, "flux_W_m2") / scale, fs.column(line, "R_K_m2K_W") * fs.NANO,
                    "--", color=colour, lw=0.8)
    ax.set_xlim(left=0, right=1.1 * top / scale)
    ax.set_xlabel(rf"Imposed heat flux $J$ ($10^{{{exponent}}}$ W m$^{{-2}}$)")
    ax.set_ylabel(fs.R_K_LABEL)
    return f"{series}: $R_K = R_0 + sJ$, test of $s = 0$"


_DRAW = {"size": draw_size, "lateral": draw_lateral, "flux": draw_flux}


def figure(kind: str, series: str, rows: Sequence[Mapping], *, style: str = "paper"):
    """A figure of the ``kind`` ("size", "lateral" or "flux") series (call inside
    ``style(style)``), its legend below the axes."""
    fig, ax = fs.new_figure("column", aspect=0.8, kind=style)
    title = _DRAW[kind](ax, series, rows, style=style)
    fs.figure_legend(fig, [ax], where="below", ncols=1, title=title,
                     title_fontsize=fs.font_size(style, -1.5))
    return fig
