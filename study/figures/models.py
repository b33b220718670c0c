"""R_K(T) of one interface by MD beside the acoustic and diffuse mismatch models.

One drawing (:func:`draw`) for the pipeline's ``mismatch/R_K_models.png``
(:mod:`study.mismatch`, quick style: every model, form and statistics, uncorrected and
EET-corrected side by side) and the paper's ``R_K_vs_T/SYSTEM`` figure
(:mod:`study.paper_figures`, paper style: the curves of :data:`MODEL_CURVES` on one
axes).  The data are rows of ``R_K_models.csv`` (:func:`study.mismatch.table_rows`) and
MD points (``summary.csv`` rows or combined records: ``method``, ``temperature_K``, R_K
and its 95 % interval).  Log-log axes; colours name the model (and form), line styles
the statistics and the EET correction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from study.figures import style as fs

__all__ = ["FORMS", "LINES", "MODEL_COLUMNS", "MODEL_CURVES", "draw", "figure", "models_rows"]

#: Columns of the paper figure's data file.
MODEL_COLUMNS = ["kind", "model", "form", "statistics", "eet_correction", "method",
                 "temperature_K", "R_K_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W"]
#: (statistics, EET correction) -> line style and legend words of the paper's curves.
MODEL_CURVES = {("classical", "True"): ("-", "classical, EET-corrected"),
                ("classical", "False"): ("--", "classical, uncorrected"),
                ("quantum", "True"): (":", "Bose–Einstein, EET-corrected")}
#: Line style and words of every (statistics, EET correction), the paper's and the rest.
LINES = MODEL_CURVES | {("quantum", "False"): ("-.", "Bose–Einstein, uncorrected")}
#: Names of the model forms in the legend.
FORMS = {"debye": "Debye", "full": "full dispersion"}
_MODELS = ("amm", "dmm", "radiation")


def models_rows(model_rows: Sequence[Mapping], md_rows: Sequence[Mapping], *,
                every_curve: bool = False) -> list[dict]:
    """Plotted data: model curves and MD points.

    Model curves (``R_K_models.csv`` rows, ``source == "model"``, valid, finite R_K): by
    default (the paper) AMM in the Debye form, DMM in full dispersion when the table has
    it, else Debye, with the statistics and EET corrections of :data:`MODEL_CURVES`;
    ``every_curve``: every model, form, statistics and correction.  MD points: the rows
    of ``md_rows`` (``method`` missing: NEMD).
    """
    models = [r for r in model_rows if r.get("source") == "model"
              and str(r.get("valid")) == "True"]
    forms = {"amm": "debye",
             "dmm": "full" if any(r["model"] == "dmm" and r["form"] == "full" for r in models)
             else "debye"}
    rows = []
    for r in models:
        key = (r["statistics"], str(r["eet_correction"]))
        r_k = fs.number(r["R_K_m2K_W"])
        chosen = every_curve or (forms.get(r["model"]) == r["form"] and key in MODEL_CURVES)
        if chosen and key in LINES and 0 < r_k < math.inf:
            rows.append({"kind": "model", "model": r["model"], "form": r["form"],
                         "statistics": r["statistics"], "eet_correction": key[1],
                         "temperature_K": fs.number(r["temperature_K"]), "R_K_m2K_W": r_k})
    for r in md_rows:
        rows.append({"kind": "md", "method": r.get("method") or "nemd", "statistics": "classical",
                     "temperature_K": fs.number(r["temperature_K"]),
                     **{k: fs.number(r.get(k)) for k in ("R_K_m2K_W", "R_K_ci95_low_m2K_W",
                                                         "R_K_ci95_high_m2K_W")}})
    return sorted(rows, key=lambda r: (r["kind"], r.get("model") or r.get("method"),
                                       r["statistics"], str(r.get("eet_correction")),
                                       r["temperature_K"]))


def _curve_colour(model: str, form: str) -> str:
    return fs.colour(model if form == "debye" else f"{model}-{form}")


def draw(ax, rows: Sequence[Mapping], *, corrections: Sequence[str] = ("True", "False"),
         style: str = "paper") -> None:
    """Draw the model curves of ``rows`` (those with ``eet_correction`` in
    ``corrections``) and the MD points with their 95 % intervals, on log-log axes.

    The legend is made of proxies: one colour per model and form, one line style per
    statistics and correction (:data:`LINES`), then the MD points.
    """
    from matplotlib.lines import Line2D

    curves = sorted({(r["model"], r["form"]) for r in rows if r["kind"] == "model"},
                    key=lambda mf: (_MODELS.index(mf[0]) if mf[0] in _MODELS else 9, mf[1]))
    present = [k for k in LINES if any(
        r["kind"] == "model" and (r["statistics"], r["eet_correction"]) == k for r in rows)]
    lines = [k for k in present if k[1] in corrections]
    for model, form in curves:
        for key in lines:
            sel = sorted((r for r in rows if r["kind"] == "model" and r["model"] == model
                          and r["form"] == form
                          and (r["statistics"], r["eet_correction"]) == key),
                         key=lambda r: r["temperature_K"])
            if sel:
                ax.plot(fs.column(sel, "temperature_K"), fs.column(sel, "R_K_m2K_W"),
                        LINES[key][0], color=_curve_colour(model, form), lw=0.9)
    for model, form in curves:
        ax.plot([], [], "-", color=_curve_colour(model, form), lw=1.5,
                label=f"{fs.label(model)} ({FORMS.get(form, form)})")
    for key in present:  # every panel names every line style: one legend for all
        ax.add_line(Line2D([], [], ls=LINES[key][0], color="0.3", lw=0.9, label=LINES[key][1]))
    for k, method in enumerate(sorted({r["method"] for r in rows if r["kind"] == "md"},
                                      key=lambda m: (m != "nemd", m))):
        sel = [r for r in rows if r["kind"] == "md" and r["method"] == method]
        t = fs.column(sel, "temperature_K") * (1 + 0.03 * (k - 0.5))
        fs.interval_points(ax, t, fs.column(sel, "R_K_m2K_W"),
                           fs.column(sel, "R_K_ci95_low_m2K_W"),
                           fs.column(sel, "R_K_ci95_high_m2K_W"), fs.MARKERS[k % len(fs.MARKERS)],
                           fs.colour(method), f"{fs.label(method)}, 95 % CI", log=True,
                           open_label=f"{fs.label(method)}: not converged",
                           zorder=5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(fs.T_LABEL)
    ax.set_ylabel(r"$R_K$ (m$^2$ K W$^{-1}$)")


def figure(system: str, model_rows: Sequence[Mapping], md_rows: Sequence[Mapping], *,
           style: str = "paper"):
    """A figure holding :func:`draw` (call inside ``style(style)``); returns (fig, rows).

    Paper: the curves of :data:`MODEL_CURVES` on one axes.  Quick: every curve, the
    uncorrected ones on the left and the EET-corrected ones on the right.
    """
    if style == "paper":
        rows = models_rows(model_rows, md_rows)
        fig, ax = fs.new_figure("column", aspect=1.05, kind=style)
        draw(ax, rows, style=style)
        fs.figure_legend(fig, [ax], where="below", ncols=2, title=system, columnspacing=1.0,
                         handlelength=1.8,
                         title_fontsize=fs.font_size(style, -1.5))
        return fig, rows
    rows = models_rows(model_rows, md_rows, every_curve=True)
    fig, axes = fs.new_figure("page", aspect=0.42, ncols=2, sharey=True, kind=style)
    for ax, eet, title in zip(axes, ("False", "True"),
                              ("uncorrected", "EET-corrected (Zeng & Chen 2001)"), strict=True):
        draw(ax, rows, corrections=(eet,), style=style)
        ax.set_title(title)
    axes[1].set_ylabel("")
    axes[1].yaxis.label.set_visible(False)
    fs.figure_legend(fig, axes, where="right", ncols=1,
                     title=f"{system}: mismatch models and MD",
                     title_fontsize=fs.font_size(style))
    return fig, rows
