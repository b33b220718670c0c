"""The study's R_K(T): every system and method with its 95 % interval.

One drawing (:func:`draw`) of the summary rows (:func:`study.summarise.summary_rows`, or
``summary.csv`` rows): the pipeline's ``figures/R_K_vs_T.png`` (quick style).  A run
that did not converge is an open marker without bars; an unbounded upper end (G's
interval reaching 0) ends in a caret; a run that is not stationary is marked so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from study.figures import style as fs

__all__ = ["draw", "figure"]

#: Colours of the systems when a study has several (Okabe & Ito, after the methods').
_SYSTEM_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                   "#000000", "#F0E442")
_METHOD_MARKERS = {"nemd": "o", "green-kubo": "s"}
#: Methods whose value has no statistical error (AGF: exact harmonic transmission).
DETERMINISTIC = {"agf"}


def draw(ax, rows: Sequence[Mapping], *, style: str = "quick") -> None:
    """R_K against temperature per system and method (R_K in 10⁻⁹ m²K/W)."""
    systems = sorted({r["system"] for r in rows})
    temperatures = fs.column(rows, "temperature_K")
    span = float(np.ptp(temperatures)) or float(temperatures[0]) if len(rows) else 1.0
    groups = sorted({(r["system"], r["method"]) for r in rows})
    for k, (system, method) in enumerate(groups):
        sel = sorted((r for r in rows if r["system"] == system and r["method"] == method),
                     key=lambda r: fs.number(r["temperature_K"]))
        colour = (fs.colour(method) if len(systems) == 1
                  else _SYSTEM_COLOURS[systems.index(system) % len(_SYSTEM_COLOURS)])
        marker = _METHOD_MARKERS.get(method, fs.MARKERS[k % len(fs.MARKERS)])
        name = f"{system}, {fs.label(method)}"
        t = fs.column(sel, "temperature_K")
        if method in _METHOD_MARKERS:  # NEMD and EMD side by side
            t = t + 0.01 * span * (2 * list(_METHOD_MARKERS).index(method) - 1)
        value = fs.column(sel, "R_K_m2K_W") * fs.NANO
        if method in DETERMINISTIC:  # an exact model of the potential: no sampling error
            ax.plot(t, value, marker, color=colour, linestyle="none",
                    label=f"{name} (deterministic: no statistical interval)")
            continue
        fs.interval_points(ax, t, value, fs.column(sel, "R_K_ci95_low_m2K_W") * fs.NANO,
                           fs.column(sel, "R_K_ci95_high_m2K_W") * fs.NANO, marker, colour,
                           f"{name}, 95 % CI", open_label=f"{name}: NOT CONVERGED (no interval)")
        for x, y, r in zip(t, value, sel, strict=True):
            if str(r.get("stationary")) == "False":
                ax.annotate("not stationary", (x, y), xytext=(4, -8), textcoords="offset points",
                            fontsize=fs.font_size(style, -2), color=colour)
    ax.axhline(0.0, color="0.6", lw=0.5, zorder=0)
    if len(rows):
        ax.set_xlim(float(np.min(temperatures)) - 0.15 * span,
                    float(np.max(temperatures)) + 0.15 * span)
    fs.annotations_inward(ax)
    ax.set_xlabel(fs.T_LABEL)
    ax.set_ylabel(fs.R_K_LABEL)


def figure(rows: Sequence[Mapping], study: str = "", *, style: str = "quick"):
    """A figure holding :func:`draw` (call inside ``style(style)``), its legend below."""
    return fs.column_figure(draw, rows, f"{study}: $R_K$ with 95 % confidence intervals" if study else "", style=style)
