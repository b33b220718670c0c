"""NEMD against equilibrium MD: G(T) by both methods and the ratio G_NEMD/G_EMD.

One drawing (:func:`draw`) for the pipeline's ``figures/SYSTEM_nemd_vs_emd.png``
(:mod:`study.compare_methods`, quick style, panels side by side) and the paper's
``nemd_vs_emd/SYSTEM`` figure (:mod:`study.paper_figures`, paper style, stacked).  The
data are the rows of ``figures/SYSTEM_nemd_vs_emd.csv``
(:func:`study.compare_methods.comparison_rows`): per temperature G by NEMD and EMD
with their 95 % intervals, the measured ratio with its interval and the ratio the
equivalent-equilibrium-temperature correction predicts from the AMM and the DMM
(Simons 1974; Zeng & Chen 2001) with its interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from study.figures import style as fs

__all__ = ["COMPARISON_COLUMNS", "comparison_data", "draw", "figure"]

#: Columns of the paper figure's data file (those of the pipeline's CSV).
COMPARISON_COLUMNS = ["system", "temperature_K", "G_nemd_MW_m2K", "G_nemd_ci95_low_MW_m2K",
                      "G_nemd_ci95_high_MW_m2K", "G_emd_MW_m2K", "G_emd_ci95_low_MW_m2K",
                      "G_emd_ci95_high_MW_m2K", "ratio_nemd_over_emd", "ratio_ci95_low",
                      "ratio_ci95_high", "predicted_ratio_amm", "predicted_ratio_dmm",
                      "prediction_form", "predicted_ratio_amm_ci95_low",
                      "predicted_ratio_amm_ci95_high", "predicted_ratio_dmm_ci95_low",
                      "predicted_ratio_dmm_ci95_high"]


def comparison_data(rows: Sequence[Mapping]) -> list[dict]:
    """The rows with the columns :data:`COMPARISON_COLUMNS`, sorted by temperature."""
    return sorted(({k: r.get(k) for k in COMPARISON_COLUMNS} for r in rows),
                  key=lambda r: fs.number(r["temperature_K"]))


def draw(ax_g, ax_ratio, rows: Sequence[Mapping], *, style: str = "paper") -> list[dict]:
    """Draw G(T) by NEMD and EMD (``ax_g``) and G_NEMD/G_EMD with the EET predictions
    (``ax_ratio``, log axis); returns the plotted rows (:func:`comparison_data`)."""
    data = comparison_data(rows)
    t = fs.column(data, "temperature_K")
    span = (float(np.ptp(t)) or float(t[0])) if t.size else 1.0
    shift = 0.01 * span
    for k, (method, key) in enumerate((("nemd", "G_nemd"), ("green-kubo", "G_emd"))):
        fs.interval_points(ax_g, t + (2 * k - 1) * shift, fs.column(data, f"{key}_MW_m2K"),
                           fs.column(data, f"{key}_ci95_low_MW_m2K"),
                           fs.column(data, f"{key}_ci95_high_MW_m2K"), fs.MARKERS[k],
                           fs.colour(method), f"{fs.label(method)}, 95 % CI",
                           open_label=f"{fs.label(method)}: not converged")
    fs.interval_points(ax_ratio, t, fs.column(data, "ratio_nemd_over_emd"),
                       fs.column(data, "ratio_ci95_low"), fs.column(data, "ratio_ci95_high"),
                       "o", fs.colour("fit"), "measured ratio, 95 % CI", log=True,
                       open_label="measured ratio (no interval)")
    for model, line in (("amm", "--"), ("dmm", ":")):
        values = fs.column(data, f"predicted_ratio_{model}")
        band = [fs.column(data, f"predicted_ratio_{model}_ci95_{end}") for end in ("low", "high")]
        has_band = band[0].size and bool(np.all(np.isfinite([band[0][0], band[1][0]])))
        if values.size and np.isfinite(values[0]):
            interval = f" [{band[0][0]:.2f}, {band[1][0]:.2f}]" if has_band else ""
            ax_ratio.axhline(values[0], ls=line, color=fs.colour(model), lw=1.0,
                             label=f"EET prediction, {fs.label(model)}: {values[0]:.2f}{interval}")
        if has_band:
            ax_ratio.axhspan(band[0][0], band[1][0], color=fs.colour(model), alpha=0.15, lw=0)
    ax_ratio.axhline(1.0, color="0.6", lw=0.5)
    ax_ratio.set_yscale("log")
    ax_g.set_ylabel(fs.G_LABEL)
    ax_ratio.set_ylabel(r"$G_{NEMD}/G_{EMD}$ (1)")
    ax_ratio.set_xlabel(fs.T_LABEL)
    if t.size:
        for ax in (ax_g, ax_ratio):
            ax.set_xlim(float(t.min()) - 0.15 * span, float(t.max()) + 0.15 * span)
    return data


def figure(system: str, rows: Sequence[Mapping], *, style: str = "paper"):
    """A figure holding :func:`draw` (call inside ``style(style)``); returns (fig, rows).

    Paper: the two panels stacked in one column; quick: side by side.  One legend below,
    its title naming the system and the model behind the predictions.
    """
    if style == "paper":
        fig, (ax_g, ax_ratio) = fs.new_figure("column", aspect=1.35, nrows=2, sharex=True,
                                              kind=style)
    else:
        fig, (ax_g, ax_ratio) = fs.new_figure("page", aspect=0.4, ncols=2, kind=style)
        ax_g.set_xlabel(fs.T_LABEL)
    data = draw(ax_g, ax_ratio, rows, style=style)
    form = data[0].get("prediction_form") if data else None
    title = system + (f": EET predictions of the models with\n{form}, classical statistics"
                      if form else "")
    fs.figure_legend(fig, [ax_g, ax_ratio], where="below", ncols=1 if style == "paper" else 3,
                     title=title, title_fontsize=fs.font_size(style, -1.5))
    return fig, data
