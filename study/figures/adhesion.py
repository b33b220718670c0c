"""R_K against the work of adhesion W_ad: how much the bonding of an interface matters.

One drawing (:func:`draw`) of the summary rows (``summary.csv``) that carry a work of
adhesion (systems built with ``registry_search``, :mod:`structures.adhesion`): each
system's NEMD R_K with its 95 % interval against W_ad = γ_A + γ_B − γ_int (J/m²), the
members of a registry series (``NAME-R2``, ...) beside NAME, each point named.  Better
bonded interfaces tend to conduct better (measured: Losego et al., Nat. Mater. 11, 502
(2012)); the figure shows whether this study's interfaces follow it, with their
intervals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from study.figures import style as fs

__all__ = ["W_AD_LABEL", "adhesion_rows", "draw", "figure"]

W_AD_LABEL = r"work of adhesion $W_{ad}$ (J m$^{-2}$)"


def adhesion_rows(rows: Sequence[Mapping], method: str = "nemd") -> list[Mapping]:
    """The rows of ``method`` that carry a finite work of adhesion, by increasing W_ad."""
    out = [r for r in rows if r.get("method") == method
           and np.isfinite(fs.number(r.get("work_of_adhesion_J_m2")))]
    return sorted(out, key=lambda r: (fs.number(r["work_of_adhesion_J_m2"]), r["system"],
                                      fs.number(r["temperature_K"])))


def draw(ax, rows: Sequence[Mapping], *, style: str = "quick") -> None:
    """NEMD R_K (10⁻⁹ m²K/W, 95 % CI) against W_ad (J/m²), one marker per temperature."""
    sel = adhesion_rows(rows)
    temperatures = sorted({fs.number(r["temperature_K"]) for r in sel})
    for k, temperature in enumerate(temperatures):
        group = [r for r in sel if fs.number(r["temperature_K"]) == temperature]
        w = fs.column(group, "work_of_adhesion_J_m2")
        fs.interval_points(ax, w, fs.column(group, "R_K_m2K_W") * fs.NANO,
                           fs.column(group, "R_K_ci95_low_m2K_W") * fs.NANO,
                           fs.column(group, "R_K_ci95_high_m2K_W") * fs.NANO,
                           fs.MARKERS[k % len(fs.MARKERS)], fs.colour("nemd"),
                           f"NEMD, {temperature:g} K, 95 % CI",
                           open_label=f"NEMD, {temperature:g} K: NOT CONVERGED (no interval)")
        for x, y, r in zip(w, fs.column(group, "R_K_m2K_W") * fs.NANO, group, strict=True):
            ax.annotate(r["system"], (x, y), xytext=(5, 3), textcoords="offset points",
                        fontsize=fs.font_size(style, -2))
    if sel:
        w = fs.column(sel, "work_of_adhesion_J_m2")
        span = float(np.ptp(w)) or 0.5
        ax.set_xlim(float(np.min(w)) - 0.3 * span, float(np.max(w)) + 0.5 * span)
    else:
        ax.text(0.5, 0.5, "no system with a work of adhesion\n(add registry_search to a "
                "bonded system)", transform=ax.transAxes, ha="center", va="center")
    ax.axhline(0.0, color="0.6", lw=0.5, zorder=0)
    fs.annotations_inward(ax)
    ax.set_xlabel(W_AD_LABEL)
    ax.set_ylabel(fs.R_K_LABEL)


def figure(rows: Sequence[Mapping], study: str = "", *, style: str = "quick"):
    """A figure holding :func:`draw` (call inside ``style(style)``), its legend below."""
    return fs.column_figure(draw, rows, f"{study}: $R_K$ against the work of adhesion" if study else "", style=style)
