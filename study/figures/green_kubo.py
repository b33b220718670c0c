"""Equilibrium MD (Green-Kubo): the ΔT autocorrelation and the running Green-Kubo G(t).

One drawing (:func:`draw`) for the pipeline's ``emd.png`` of each replica
(:mod:`study.analyse_emd`, quick style, with a third panel: the side-energy
autocorrelation behind the ``flux`` estimator) and the paper's ``green_kubo/SYSTEM_TK``
figure of all replicas (:mod:`study.paper_figures`, paper style).  The data are the
``emd.json`` records and their ``acf.csv`` tables (columns as lists).

The models are the fitted exponentials of :mod:`analysis.green_kubo`:
⟨ΔT(t)ΔT(0)⟩ = a e^{−t/τ} (ΔT relaxation, Rajabpour & Volz 2010), the side-energy
⟨ε(t)ε(0)⟩ = a e^{−t/τ} and the running Green-Kubo integral of the finite cell
G(t) = G e^{−t/τ} (flux fit: −dC_E/dt = (a/τ) e^{−t/τ}, normalised by A k_B T²).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from study.figures import style as fs

__all__ = ["GREEN_KUBO_COLUMNS", "draw", "figure", "green_kubo_rows", "max_lag_ps"]

#: Columns of the paper figure's data file.
GREEN_KUBO_COLUMNS = ["replica", "lag_ps", "acf_dT_K2", "model_acf_dT_K2", "G_running_MW_m2K",
                      "model_G_running_MW_m2K"]


def green_kubo_rows(records: Sequence[Mapping], tables: Sequence[Mapping],
                    max_lag_ps: float) -> list[dict]:
    """Plotted data of the ΔT and G(t) panels up to ``max_lag_ps`` (the models from the
    records' ``delta_T`` and ``flux`` estimators)."""
    rows = []
    for rec, table in zip(records, tables, strict=True):
        lag = np.asarray(table["lag_ps"], dtype=float)
        keep = lag <= max_lag_ps
        est = rec.get("estimators") or {}
        dT, flux = est.get("delta_T"), est.get("flux")
        acf = table.get("acf_dT_K2")
        running = table.get("G_running_MW_m2K")
        for i in np.flatnonzero(keep):
            t = float(lag[i])
            rows.append({
                "replica": rec.get("replica"), "lag_ps": t,
                "acf_dT_K2": fs.number(acf[i]) if acf is not None else None,
                "model_acf_dT_K2": (dT["amplitude_K2"] * math.exp(-t / dT["tau_ps"])
                                    if dT else None),
                "G_running_MW_m2K": fs.number(running[i]) if running is not None else None,
                "model_G_running_MW_m2K": (flux["G_MW_m2K"] * math.exp(-t / flux["tau_ps"])
                                           if flux else None)})
    return rows


def max_lag_ps(records: Sequence[Mapping], tables: Sequence[Mapping]) -> float:
    """Longest lag shown: five relaxation times of the reported estimator (at most the
    tables' longest lag)."""
    taus = [r["tau_ps"] for r in records if fs.number(r.get("tau_ps")) > 0]
    longest = max(float(np.max(np.asarray(t["lag_ps"], float))) for t in tables)
    return min(longest, 5 * max(taus)) if taus else longest


def _sorted(records, tables):
    order = np.argsort([r.get("replica") or 0 for r in records])
    return [records[i] for i in order], [tables[i] for i in order]


def conductance_text(records: Sequence[Mapping], combined: Mapping | None) -> str:
    """G of the reported estimator with its 95 % interval, or "NOT CONVERGED"."""
    source = combined or records[0]
    g, lo, hi = (fs.number(source.get(k)) for k in ("G_MW_m2K", "G_ci95_low_MW_m2K",
                                                     "G_ci95_high_MW_m2K"))
    who = (f", {source.get('n_replicas', len(records))} replicas combined" if combined
           else f", replica {records[0].get('replica')}")
    name = f"$G$ ({records[0].get('estimator')} estimator{who})"
    if not math.isfinite(lo):
        return f"{name} = {g:.3g} MW/m²K\nNOT CONVERGED: no interval"
    return f"{name} =\n" + fs.interval_text(g, lo, hi, "MW/m²K, 95 % CI")


def draw(axes, records: Sequence[Mapping], tables: Sequence[Mapping],
         combined: Mapping | None = None, *, max_lag: float | None = None,
         style: str = "paper") -> list[dict]:
    """Draw the ΔT autocorrelation with its fit and the running G(t) with its model.

    Parameters
    ----------
    axes : sequence of Axes
        (ΔT ACF, running G) or (ΔT ACF, side-energy ACF, running G).
    records : sequence of mapping
        ``emd.json`` records of one system and temperature (the lowest replica drawn
        solid, the others faint).
    tables : sequence of mapping
        Their ``acf.csv`` columns (lists keyed by column name), same order.
    combined : mapping or None
        ``combined.json`` of the EMD replicas: G and its 95 % interval (else replica 0's).
    max_lag : float or None
        Longest lag drawn (ps); None: :func:`max_lag_ps`.
    style : {"paper", "quick"}
        The look.

    Returns
    -------
    list of dict
        The plotted numbers of the ΔT and G panels (:func:`green_kubo_rows`).
    """
    records, tables = _sorted(list(records), list(tables))
    max_lag = max_lag_ps(records, tables) if max_lag is None else max_lag
    rows = green_kubo_rows(records, tables, max_lag)
    ax_dT, ax_g = axes[0], axes[-1]
    ax_e = axes[1] if len(axes) == 3 else None
    colour = fs.colour("green-kubo")
    for k, (rec, table) in enumerate(zip(records, tables, strict=True)):
        sel = [r for r in rows if r["replica"] == rec.get("replica")]
        lag = fs.column(sel, "lag_ps")
        alpha = 1.0 if k == 0 else 0.45
        name = f"replica {rec.get('replica')}"
        ax_dT.plot(lag, fs.column(sel, "acf_dT_K2"), color=colour, alpha=alpha, lw=0.8,
                   label=f"{name}: MD")
        ax_dT.plot(lag, fs.column(sel, "model_acf_dT_K2"), "--", color=fs.colour("fit"),
                   alpha=alpha, lw=0.8, label=r"fitted models $a\,e^{-t/\tau}$, $G\,e^{-t/\tau}$"
                   if k == 0 else None)
        ax_g.plot(lag, fs.column(sel, "G_running_MW_m2K"), color=colour, alpha=alpha, lw=0.8)
        ax_g.plot(lag, fs.column(sel, "model_G_running_MW_m2K"), "--", color=fs.colour("fit"),
                  alpha=alpha, lw=0.8)
        if ax_e is not None and table.get("acf_energy_eV2") is not None:
            full = np.asarray(table["lag_ps"], float)
            keep = full <= max_lag
            ax_e.plot(full[keep], np.asarray(table["acf_energy_eV2"], float)[keep],
                      color=colour, alpha=alpha, lw=0.8, label=f"{name}: MD")
            flux = (rec.get("estimators") or {}).get("flux")
            if flux:
                ax_e.plot(full[keep], flux["amplitude_eV2"] * np.exp(-full[keep] / flux["tau_ps"]),
                          "--", color=fs.colour("fit"), alpha=alpha, lw=0.8)
    window = ((records[0].get("estimators") or {}).get("delta_T") or {}).get("fit_window_ps")
    if window:
        ax_dT.axvspan(*window, color="0.9", lw=0, label="fit window", zorder=0)
    source = combined or records[0]
    g, lo, hi = (fs.number(source.get(k)) for k in ("G_MW_m2K", "G_ci95_low_MW_m2K",
                                                     "G_ci95_high_MW_m2K"))
    if math.isfinite(g):  # in view with some room above and below
        top = max(v for v in (hi, g) if math.isfinite(v))
        bottom, upper = ax_g.get_ylim()
        pad = 0.08 * (max(upper, top) - min(bottom, lo if math.isfinite(lo) else g))
        ax_g.set_ylim(min(bottom, (lo if math.isfinite(lo) else g) - pad), max(upper, top + pad))
        ax_g.axhline(g, color=colour, lw=1.2, label="reported $G$")
        if math.isfinite(lo) and math.isfinite(hi):
            ax_g.axhspan(lo, hi, color=colour, alpha=0.15, lw=0, label="95 % CI of $G$")
    ax_g.set_title(conductance_text(records, combined), fontsize=fs.font_size(style, -1))
    tau = fs.number(records[0].get("tau_ps"))
    length = ((records[0].get("convergence") or {}).get("length_taus"))
    ax_dT.set_title(rf"$\Delta T = T_A - T_B$: $\tau$ = {tau:.3g} ps"
                    + (f", run = {length:.3g} τ (replica {records[0].get('replica')})"
                       if length else ""), fontsize=fs.font_size(style, -1))
    for ax in axes:
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_xlim(0, max_lag)
    fs.figure_legend(ax_dT.figure, axes, where="below", ncols=2 if len(axes) == 2 else 4)
    ax_dT.set_ylabel(r"$\langle\Delta T(t)\,\Delta T(0)\rangle$ (K$^2$)")
    ax_g.set_ylabel(fs.G_LABEL)
    ax_g.set_xlabel(r"Lag time $t$ (ps)")
    if ax_e is not None:
        flux = (records[0].get("estimators") or {}).get("flux") or {}
        ax_e.set_title(r"side energy $\varepsilon = (E_A - E_B)/2$"
                       + (rf": $\tau$ = {flux['tau_ps']:.3g} ps" if flux else ""),
                       fontsize=fs.font_size(style, -1))
        ax_e.set_ylabel(r"$\langle\varepsilon(t)\,\varepsilon(0)\rangle$ (eV$^2$)")
        ax_e.set_xlabel(r"Lag time $t$ (ps)")
        ax_dT.set_xlabel(r"Lag time $t$ (ps)")
    return rows


def figure(records: Sequence[Mapping], tables: Sequence[Mapping],
           combined: Mapping | None = None, *, style: str = "paper"):
    """A figure holding :func:`draw` (call inside ``style(style)``); returns (fig, rows).

    Paper: the ΔT and G panels stacked in one column, to five relaxation times.  Quick:
    the side-energy autocorrelation between them, on one row, to the end of the tables.
    """
    if style == "paper":
        fig, axes = fs.new_figure("column", aspect=1.35, nrows=2, sharex=True, kind=style)
        return fig, draw(axes, records, tables, combined, style=style)
    fig, axes = fs.new_figure("page", aspect=0.36, ncols=3, kind=style)
    longest = max(float(np.max(np.asarray(t["lag_ps"], float))) for t in tables)
    return fig, draw(axes, records, tables, combined, max_lag=longest, style=style)
