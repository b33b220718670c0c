"""Lattice and electron temperatures of a two-temperature NEMD run, with the fitted model.

One drawing (:func:`draw`) of a record of :func:`analysis.ttm_run.analyse_ttm_run`: the
steady lattice temperature of every cell (metal and non-metal, with block standard errors),
the electron temperature of the metal's cells, and the best-fit closed form of
:mod:`analysis.two_temperature` (T_p and T_e in the metal, the line in the non-metal), the
interface plane and the resistances R_pp, R_ep and R_total with their 95 % intervals.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.two_temperature import TwoTemperatureModel
from study.figures import style as fs

__all__ = ["TTM_COLUMNS", "draw", "figure", "model_of", "ttm_rows"]

X_LABEL = r"position along the transport axis $x$ (Å)"


def model_of(record: Mapping) -> TwoTemperatureModel:
    """The full-window best fit of ``record`` as a closed-form model."""
    fit = record["full_window_fit"]
    return TwoTemperatureModel(
        T_far_K=fit["T_far_K"], flux_W_m2=record["flux_W_m2"],
        kappa_e_W_mK=fit["kappa_e_W_mK"], kappa_p_W_mK=fit["kappa_p_W_mK"],
        G_ep_W_m3K=fit["G_ep_W_m3K"], R_pp_m2K_W=fit["R_pp_m2K_W"],
        kappa_nonmetal_W_mK=fit["kappa_nonmetal_W_mK"],
        metal_length_A=record["profiles"]["x_interface_A"] - record["profiles"]["far_end_A"])


def _resistance_text(record: Mapping) -> str:
    lines = []
    for name, label in (("R_pp", "$R_{pp}$"), ("R_ep", "$R_{ep}$"), ("R_total", "$R_{total}$")):
        value, low, high = (record.get(f"{name}{k}_m2K_W") for k in ("", "_ci95_low",
                                                                        "_ci95_high"))
        text = (fs.interval_text(value, low, high, "", fs.NANO) if low is not None
                else f"{value * fs.NANO:.3g} (no interval)")
        lines.append(f"{label} = {text}")
    return "\n".join(lines) + r" $\times 10^{-9}$ m$^2$K/W"


def draw(ax, record: Mapping, *, style: str = "quick") -> None:
    """Profiles (K) against x (Å) with the fitted two-temperature model."""
    prof = record["profiles"]
    x = np.asarray(prof["x_A"], dtype=float)
    metal, nonmetal = np.asarray(prof["metal"], bool), np.asarray(prof["nonmetal"], bool)
    lattice = np.asarray(prof["lattice_T_K"], dtype=float)
    se = np.asarray(prof["lattice_se_K"], dtype=float)
    electron = np.asarray(prof["electron_T_K"], dtype=float)
    used = metal | nonmetal
    ax.errorbar(x[used], lattice[used], yerr=1.96 * se[used], fmt="o", ms=3,
                color=fs.colour("nemd"), label="lattice $T_p$ (95 % block CI)")
    ax.plot(x[~used & np.isfinite(lattice)], lattice[~used & np.isfinite(lattice)], "o",
            ms=3, mfc="white", color=fs.colour("nemd"), label="lattice, not fitted (source, sink)")
    ax.plot(x[metal], electron[metal], "s", ms=3, color=fs.colour("hot"),
            label="electrons $T_e$")
    x_int = prof["x_interface_A"]
    if record.get("physical_fit", True):
        model = model_of(record)
        s_metal = np.linspace(0.0, x_int - prof["far_end_A"], 200)
        t_e, t_p = model.metal_temperatures_K(s_metal)
        ax.plot(x_int - s_metal, t_p, "-", color=fs.colour("fit"), lw=1.0,
                label="two-temperature fit ($T_p$ solid, $T_e$ dashed)")
        ax.plot(x_int - s_metal, t_e, "--", color=fs.colour("fit"), lw=1.0)
        s_non = np.linspace(0.0, float(x[nonmetal].max()) - x_int, 50)
        ax.plot(x_int + s_non, model.nonmetal_temperature_K(s_non), "-",
                color=fs.colour("fit"), lw=1.0)
    else:
        ax.text(0.02, 0.97, "fit unphysical: no model drawn", transform=ax.transAxes,
                va="top", fontsize=fs.font_size(style, -2), color="0.3")
    ax.axvline(x_int, color="0.5", lw=0.6, ls=":")
    # bottom left: below the metal's profile and left of the colder non-metal
    ax.text(0.02, 0.03, _resistance_text(record), transform=ax.transAxes, ha="left",
            va="bottom", fontsize=fs.font_size(style, -2),
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5})
    ax.set_xlabel(X_LABEL)
    ax.set_ylabel(fs.T_LABEL)


def figure(record: Mapping, title: str = "", *, style: str = "quick"):
    """A figure holding :func:`draw` (call inside ``style(style)``), its legend below."""
    return fs.column_figure(lambda ax, rec, style: draw(ax, rec, style=style), record, title,
                            style=style)


#: Columns of the figure's data (CSV): the profiles it draws.
TTM_COLUMNS = ["x_A", "cells", "lattice_T_K", "lattice_ci95_half_K", "electron_T_K"]


def ttm_rows(record: Mapping) -> list[dict]:
    """The plotted profiles, one row per cell along the transport axis (Å, K); ``cells``
    says whether the fit used the cell as metal, non-metal, or not at all."""
    prof = record["profiles"]
    rows = []
    for i, x in enumerate(prof["x_A"]):
        kind = "metal" if prof["metal"][i] else "nonmetal" if prof["nonmetal"][i] else "unused"
        se = prof["lattice_se_K"][i]  # None (NaN in JSON) in cells without atoms
        rows.append({"x_A": x, "cells": kind, "lattice_T_K": prof["lattice_T_K"][i],
                     "lattice_ci95_half_K": None if se is None else 1.96 * se,
                     "electron_T_K": prof["electron_T_K"][i] if prof["metal"][i] else None})
    return rows
