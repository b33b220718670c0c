"""The paper figures, each drawn from records the workflow wrote and saved with its data.

Every function takes already-read records (dicts from the JSON files, rows from the CSV
files), draws one figure in the paper style (:mod:`study.paper_style`) and writes
``STEM.pdf``, ``STEM.svg``, ``STEM.png`` and the plotted numbers in ``STEM.csv``.
Reading the files is left to :mod:`study.paper`, so these functions can be tested
on records in memory.  Numbers keep SI units in the CSV files (units in the column
names); axes show convenient multiples (10⁻⁹ m²K/W, MW m⁻² K⁻¹, nm⁻¹).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from study import paper_style as ps
from study.paper_series import SERIES_COLUMNS
from study.paper_sweeps import FLUX_COLUMNS, LATERAL_COLUMNS

__all__ = [
    "flux_series_figure",
    "grain_boundary_figure",
    "green_kubo_figure",
    "lateral_series_figure",
    "models_figure",
    "nemd_vs_emd_figure",
    "profile_figure",
    "size_series_figure",
]

#: R_K on linear axes is shown in units of 1e-9 m²K/W.
NANO = 1e9
R_K_LABEL = r"$R_K$ ($10^{-9}$ m$^2$ K W$^{-1}$)"
G_LABEL = r"$G$ (MW m$^{-2}$ K$^{-1}$)"
T_LABEL = r"Temperature $T$ (K)"
MARKERS = ("o", "s", "^", "v", "D", "P", "X")


def number(value) -> float:
    """``value`` as a float; None, '' and unparsable values give NaN."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _column(rows: Sequence[Mapping], key: str) -> np.ndarray:
    return np.array([number(r.get(key)) for r in rows], dtype=float)


def _error_bars(value: np.ndarray, low: np.ndarray, high: np.ndarray, *,
                log: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bar lengths and the mask of open (unbounded or clipped) ends.

    An unbounded upper end (NaN) is drawn to twice the value and marked; on a log axis a
    lower end at or below a tenth of the value is drawn to a tenth and marked.
    """
    high_open = ~np.isfinite(high)
    high = np.where(high_open, 2 * value, high)
    low_open = ~np.isfinite(low) | (log & (low <= 0.1 * value))
    low = np.where(low_open, 0.1 * value if log else low, low)
    low = np.where(np.isfinite(low), low, value)
    err = np.vstack([np.maximum(value - low, 0), np.maximum(high - value, 0)])
    return err, high_open | low_open


def _points(ax, x, value, low, high, marker, colour, label, *, log=False, **kw):
    """Points with 95 % interval bars; an open (unbounded or clipped) end gives an open
    symbol (see :func:`_error_bars`)."""
    err, open_end = _error_bars(value, low, high, log=log)
    ax.errorbar(x, value, yerr=err, fmt=marker, color=colour, label=label, **kw)
    if np.any(open_end):
        ax.plot(np.asarray(x)[open_end], value[open_end], marker, mfc="white", color=colour,
                zorder=kw.get("zorder", 2) + 1)


def _interval_text(value: float, low: float, high: float, unit: str, scale: float = 1.0) -> str:
    """"1.58 [1.41, 1.75]" in ``unit`` (an unbounded end reads ∞)."""
    def fmt(x):
        return f"{x * scale:.3g}" if math.isfinite(x) else "∞"
    return f"{fmt(value)} [{fmt(low)}, {fmt(high)}] {unit}"


def _finish(fig, stem, rows, columns) -> dict[str, Path]:
    return ps.write_figure(fig, stem, rows, columns)


# -- temperature profiles -------------------------------------------------------------

PROFILE_COLUMNS = ["replica", "kind", "z_A", "T_K", "T_sem_K", "fitted"]


def profile_rows(replicas: Sequence[Mapping]) -> list[dict]:
    """Plotted data of :func:`profile_figure`: binned profiles of every replica ("bin"),
    the two fitted lines of the first replica ("fit_A", "fit_B": end points) and its
    interface temperatures ("interface")."""
    rows = []
    for rec in replicas:
        prof, rep = rec["profile"], rec.get("replica")
        fitted = np.asarray(prof["fit_bin_A"], bool) | np.asarray(prof["fit_bin_B"], bool)
        for z, t, sem, used in zip(prof["z_A"], prof["T_mean_K"], prof["T_sem_K"], fitted,
                                   strict=True):
            if t is not None:
                rows.append({"replica": rep, "kind": "bin", "z_A": z, "T_K": t, "T_sem_K": sem,
                             "fitted": bool(used)})
    first = replicas[0]
    z_i = float(first["z_interface_A"])
    for side in ("A", "B"):
        line = first["fit_lines"][side]
        lo, hi = first["fit_windows_A"][side]
        for z in ((lo, z_i) if side == "A" else (z_i, hi)):
            rows.append({"replica": first.get("replica"), "kind": f"fit_{side}", "z_A": float(z),
                         "T_K": line["intercept_K"] + line["slope_K_per_A"] * float(z)})
    for side in ("A", "B"):
        rows.append({"replica": first.get("replica"), "kind": "interface", "z_A": z_i,
                     "T_K": first[f"T_interface_{side}_K"]})
    return rows


def profile_figure(replicas: Sequence[Mapping], combined: Mapping | None,
                   stem: str | Path) -> dict[str, Path]:
    """Steady temperature profile of every replica, the fits and the jump of replica 0.

    Parameters
    ----------
    replicas : sequence of mapping
        ``nemd.json`` records of one system and temperature (replica 0 first).
    combined : mapping or None
        The ``combined.json`` record: its R_K and 95 % interval are printed on the figure.
    stem : str or Path
        Output path without suffix.
    """
    replicas = sorted(replicas, key=lambda r: r.get("replica") or 0)
    rows = profile_rows(replicas)
    first = replicas[0]
    with ps.style():
        fig, ax = ps.new_figure("column", aspect=0.72)
        for key, region, name in (("hot", "hot_region_A", "hot bath"),
                                  ("cold", "cold_region_A", "cold bath")):
            ax.axvspan(*first[region], color=ps.colour(key), alpha=0.15, lw=0, label=name)
        bins = [r for r in rows if r["kind"] == "bin"]
        others = [r for r in bins if r["replica"] != first.get("replica")]
        if others:
            ax.plot(_column(others, "z_A"), _column(others, "T_K"), ".", ms=2.5,
                    color=ps.colour("other"), label="other replicas")
        own = [r for r in bins if r["replica"] == first.get("replica")]
        for used, face, name in ((True, ps.colour("nemd"), "fitted bins"),
                                 (False, "white", "not fitted")):
            sel = [r for r in own if r["fitted"] == used]
            if sel:
                ax.errorbar(_column(sel, "z_A"), _column(sel, "T_K"), yerr=_column(sel, "T_sem_K"),
                            fmt="o", ms=3, mfc=face, mec=ps.colour("nemd"),
                            ecolor=ps.colour("nemd"), elinewidth=0.6, capsize=0,
                            label=f"replica {first.get('replica')}, {name}")
        for side in ("A", "B"):
            line = [r for r in rows if r["kind"] == f"fit_{side}"]
            ax.plot(_column(line, "z_A"), _column(line, "T_K"), "-", color=ps.colour("fit"),
                    lw=0.9, label="linear fits" if side == "A" else None)
        z_i = float(first["z_interface_A"])
        ax.axvline(z_i, color="0.5", ls=":", lw=0.6)
        ax.annotate("", xy=(z_i, first["T_interface_B_K"]), xytext=(z_i, first["T_interface_A_K"]),
                    arrowprops={"arrowstyle": "<->", "lw": 0.9, "shrinkA": 0, "shrinkB": 0})
        source = combined or first
        if source.get("R_K_ci95_low_m2K_W") is None:  # not converged: no interval to show
            label = (f"$R_K$ = {number(source['R_K_m2K_W']) * NANO:.3g}"
                     r" $\times 10^{-9}$ m$^2$K/W, no interval: not converged")
        else:
            label = "$R_K$ = " + _interval_text(
                number(source["R_K_m2K_W"]), number(source.get("R_K_ci95_low_m2K_W")),
                number(source.get("R_K_ci95_high_m2K_W")), r"$\times 10^{-9}$ m$^2$K/W",
                NANO) + (", replicas combined, 95 % CI" if combined else ", 95 % CI")
        # above the axes, where it cannot cover the legend or the data
        ax.set_title(label, fontsize=ps.FONT_SIZE_PT - 1.5)
        ax.set_xlabel(r"Position $z$ (Å)")
        ax.set_ylabel(r"Temperature $T$ (K)")
        ax.legend(loc="best", ncols=2)
        return _finish(fig, stem, rows, PROFILE_COLUMNS)


# -- Green-Kubo -----------------------------------------------------------------------

GREEN_KUBO_COLUMNS = ["replica", "lag_ps", "acf_dT_K2", "model_acf_dT_K2", "G_running_MW_m2K",
                      "model_G_running_MW_m2K"]


def green_kubo_rows(records: Sequence[Mapping], tables: Sequence[Mapping],
                    max_lag_ps: float) -> list[dict]:
    """Plotted data of :func:`green_kubo_figure` up to ``max_lag_ps``.

    The models are the fitted exponentials of :mod:`analysis.green_kubo`:
    ⟨ΔT(t)ΔT(0)⟩ = a e^{−t/τ} (ΔT relaxation, Rajabpour & Volz 2010) and the running
    Green-Kubo integral of the finite cell G(t) = G e^{−t/τ} (flux fit: −dC_E/dt =
    (a/τ) e^{−t/τ}, normalised by A k_B T²).
    """
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
                "acf_dT_K2": number(acf[i]) if acf is not None else None,
                "model_acf_dT_K2": (dT["amplitude_K2"] * math.exp(-t / dT["tau_ps"])
                                    if dT else None),
                "G_running_MW_m2K": number(running[i]) if running is not None else None,
                "model_G_running_MW_m2K": (flux["G_MW_m2K"] * math.exp(-t / flux["tau_ps"])
                                           if flux else None)})
    return rows


def green_kubo_figure(records: Sequence[Mapping], tables: Sequence[Mapping],
                      combined: Mapping | None, stem: str | Path) -> dict[str, Path]:
    """(a) ΔT autocorrelation with its exponential fit; (b) running Green-Kubo G(t).

    Parameters
    ----------
    records : sequence of mapping
        ``emd.json`` records of one system and temperature.
    tables : sequence of mapping
        Their ``acf.csv`` columns (lists keyed by column name), same order.
    combined : mapping or None
        ``combined.json`` of the EMD replicas: G and its 95 % interval as a band.
    stem : str or Path
        Output path without suffix.
    """
    order = np.argsort([r.get("replica") or 0 for r in records])
    records, tables = [records[i] for i in order], [tables[i] for i in order]
    taus = [r["tau_ps"] for r in records if number(r.get("tau_ps")) > 0]
    longest = max(float(np.max(np.asarray(t["lag_ps"], float))) for t in tables)
    max_lag = min(longest, 5 * max(taus)) if taus else longest
    rows = green_kubo_rows(records, tables, max_lag)
    colour = ps.colour("green-kubo")
    with ps.style():
        fig, (ax1, ax2) = ps.new_figure("column", aspect=1.25, nrows=2, sharex=True)
        for k, rec in enumerate(records):
            sel = [r for r in rows if r["replica"] == rec.get("replica")]
            lag = _column(sel, "lag_ps")
            alpha = 1.0 if k == 0 else 0.45
            name = f"replica {rec.get('replica')}"
            ax1.plot(lag, _column(sel, "acf_dT_K2"), color=colour, alpha=alpha, lw=0.8,
                     label=f"{name}: MD")
            ax1.plot(lag, _column(sel, "model_acf_dT_K2"), "--", color=ps.colour("fit"),
                     alpha=alpha, lw=0.8, label=r"fit $a\,e^{-t/\tau}$" if k == 0 else None)
            ax2.plot(lag, _column(sel, "G_running_MW_m2K"), color=colour, alpha=alpha, lw=0.8,
                     label=f"{name}: running integral")
            ax2.plot(lag, _column(sel, "model_G_running_MW_m2K"), "--", color=ps.colour("fit"),
                     alpha=alpha, lw=0.8, label=r"model $G\,e^{-t/\tau}$" if k == 0 else None)
        window = ((records[0].get("estimators") or {}).get("delta_T") or {}).get("fit_window_ps")
        if window:
            ax1.axvspan(*window, color="0.9", lw=0, label="fit window", zorder=0)
        source = combined or records[0]
        g, lo, hi = (number(source.get(k)) for k in ("G_MW_m2K", "G_ci95_low_MW_m2K",
                                                       "G_ci95_high_MW_m2K"))
        if math.isfinite(g):
            ax2.axhline(g, color=colour, lw=1.2,
                        label=f"G ({records[0].get('estimator')}) = "
                              + _interval_text(g, lo, hi, "MW/m²K"))
            if math.isfinite(lo) and math.isfinite(hi):
                ax2.axhspan(lo, hi, color=colour, alpha=0.15, lw=0)
        ax1.axhline(0, color="0.6", lw=0.5)
        ax2.axhline(0, color="0.6", lw=0.5)
        ax1.set_ylabel(r"$\langle\Delta T(t)\,\Delta T(0)\rangle$ (K$^2$)")
        ax2.set_ylabel(G_LABEL)
        ax2.set_xlabel(r"Lag time $t$ (ps)")
        ax2.set_xlim(0, max_lag)
        ax1.legend(loc="upper right")
        ax2.legend(loc="upper right")
        return _finish(fig, stem, rows, GREEN_KUBO_COLUMNS)


# -- R_K(T) with the mismatch models ----------------------------------------------------

MODEL_COLUMNS = ["kind", "model", "form", "statistics", "eet_correction", "method",
                 "temperature_K", "R_K_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W"]
#: (statistics, EET correction) -> line style and legend words.
MODEL_CURVES = {("classical", "True"): ("-", "classical, EET-corrected"),
                ("classical", "False"): ("--", "classical, uncorrected"),
                ("quantum", "True"): (":", "Bose–Einstein, EET-corrected")}


#: Names of the model forms in the legend.
FORMS = {"debye": "Debye", "full": "full dispersion"}


def models_rows(model_rows: Sequence[Mapping], md_rows: Sequence[Mapping]) -> list[dict]:
    """Plotted data of :func:`models_figure`.

    Model curves (``R_K_models.csv`` rows, ``source == "model"``, valid, finite): AMM in
    the Debye form; DMM in full dispersion when the table has it, else Debye; the
    statistics and EET corrections of :data:`MODEL_CURVES`.  MD points: the summary rows
    (``summary.csv``) of the system, NEMD and EMD.
    """
    models = [r for r in model_rows if r.get("source") == "model"
              and str(r.get("valid")) == "True"]
    forms = {"amm": "debye",
             "dmm": "full" if any(r["model"] == "dmm" and r["form"] == "full" for r in models)
             else "debye"}
    rows = []
    for r in models:
        key = (r["statistics"], str(r["eet_correction"]))
        r_k = number(r["R_K_m2K_W"])
        if forms.get(r["model"]) == r["form"] and key in MODEL_CURVES and 0 < r_k < math.inf:
            rows.append({"kind": "model", "model": r["model"], "form": r["form"],
                         "statistics": r["statistics"], "eet_correction": key[1],
                         "temperature_K": number(r["temperature_K"]), "R_K_m2K_W": r_k})
    for r in md_rows:
        rows.append({"kind": "md", "method": r["method"], "statistics": "classical",
                     "temperature_K": number(r["temperature_K"]),
                     **{k: number(r.get(k)) for k in ("R_K_m2K_W", "R_K_ci95_low_m2K_W",
                                                      "R_K_ci95_high_m2K_W")}})
    return sorted(rows, key=lambda r: (r["kind"], r.get("model") or r.get("method"),
                                       r["statistics"], str(r.get("eet_correction")),
                                       r["temperature_K"]))


def models_figure(system: str, model_rows: Sequence[Mapping], md_rows: Sequence[Mapping],
                  stem: str | Path) -> dict[str, Path]:
    """R_K(T) of one interface by MD (95 % CIs) and by the AMM and DMM (log-log axes).

    Parameters
    ----------
    system : str
        System name (for the legend title).
    model_rows : sequence of mapping
        Rows of ``{system}/mismatch/R_K_models.csv``.
    md_rows : sequence of mapping
        Rows of ``summary.csv`` for this system.
    stem : str or Path
        Output path without suffix.
    """
    rows = models_rows(model_rows, md_rows)
    with ps.style():
        fig, ax = ps.new_figure("column", aspect=0.8)
        for model in ("amm", "dmm"):
            for (stats, eet), (line, words) in MODEL_CURVES.items():
                sel = sorted((r for r in rows if r["kind"] == "model" and r["model"] == model
                              and r["statistics"] == stats and r["eet_correction"] == eet),
                             key=lambda r: r["temperature_K"])
                if sel:
                    ax.plot(_column(sel, "temperature_K"), _column(sel, "R_K_m2K_W"), line,
                            color=ps.colour(model), lw=0.9,
                            label=f"{ps.label(model)} ({FORMS[sel[0]['form']]}), {words}")
        for k, method in enumerate(("nemd", "green-kubo")):
            sel = [r for r in rows if r["kind"] == "md" and r["method"] == method]
            if not sel:
                continue
            t = _column(sel, "temperature_K") * (1 + 0.03 * (k - 0.5))
            _points(ax, t, _column(sel, "R_K_m2K_W"), _column(sel, "R_K_ci95_low_m2K_W"),
                    _column(sel, "R_K_ci95_high_m2K_W"), MARKERS[k], ps.colour(method),
                    f"{ps.label(method)}, 95 % CI", log=True, zorder=5)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(T_LABEL)
        ax.set_ylabel(r"$R_K$ (m$^2$ K W$^{-1}$)")
        ax.legend(title=system, loc="best", fontsize=ps.FONT_SIZE_PT - 2.5,
                  title_fontsize=ps.FONT_SIZE_PT - 1.5)
        return _finish(fig, stem, rows, MODEL_COLUMNS)


# -- size series ----------------------------------------------------------------------

def size_series_figure(series: str, rows: Sequence[Mapping], stem: str | Path) -> dict[str, Path]:
    """R_K against 1/L with the weighted fit R_K = R_∞ + c/L and R_∞ (95 % CI) at 1/L = 0.

    Parameters
    ----------
    series : str
        Name of the series (its base system).
    rows : sequence of mapping
        :func:`study.paper_series.series_rows` (written as the data file).
    stem : str or Path
        Output path without suffix.
    """
    groups = sorted({(float(r["temperature_K"]), r["method"]) for r in rows})
    with ps.style():
        fig, ax = ps.new_figure("column", aspect=0.75)
        for k, (temperature, method) in enumerate(groups):
            sel = [r for r in rows if float(r["temperature_K"]) == temperature
                   and r["method"] == method]
            colour, marker = ps.colour(method), MARKERS[k % len(MARKERS)]
            name = f"{ps.label(method)}, {temperature:g} K"
            pts = [r for r in sel if r["kind"] == "point"]
            _points(ax, _column(pts, "inverse_length_1_A") * 10, _column(pts, "R_K_m2K_W") * NANO,
                    _column(pts, "R_K_ci95_low_m2K_W") * NANO,
                    _column(pts, "R_K_ci95_high_m2K_W") * NANO, marker, colour, name)
            line = [r for r in sel if r["kind"] == "fit"]
            if line:
                ax.plot(_column(line, "inverse_length_1_A") * 10,
                        _column(line, "R_K_m2K_W") * NANO, "-", color=colour, lw=0.8)
            for ext in (r for r in sel if r["kind"] == "extrapolation"):
                r_inf = number(ext["R_K_m2K_W"]) * NANO
                low, high = (number(ext[k]) * NANO for k in ("R_K_ci95_low_m2K_W",
                                                             "R_K_ci95_high_m2K_W"))
                bars = [[r_inf - low], [high - r_inf]] if math.isfinite(low) else None
                ax.errorbar([0.0], [r_inf], yerr=bars, fmt="D", mfc="white", color=colour,
                            label=r"$R_\infty$ = " + _interval_text(
                                r_inf, low, high, r"$\times 10^{-9}$ m$^2$K/W"))
        ax.set_xlim(left=-0.02 * max(ax.get_xlim()[1], 1e-3))
        ax.set_xlabel(r"Inverse side length $1/L$ (nm$^{-1}$)")
        ax.set_ylabel(R_K_LABEL)
        ax.legend(title=f"{series}: $R_K = R_\\infty + c/L$", loc="best",
                  title_fontsize=ps.FONT_SIZE_PT - 1.5)
        return _finish(fig, stem, rows, SERIES_COLUMNS)


# -- cross-section and flux series ----------------------------------------------------

def _points_or_open(ax, x, rows, marker, colour, label):
    """R_K points with 95 % bars; points without an interval (``has_interval`` false) as
    open markers without bars (a run that did not converge)."""
    closed = [r for r in rows if str(r.get("has_interval")) == "True"]
    open_ = [r for r in rows if str(r.get("has_interval")) != "True"]
    if closed:
        _points(ax, x(closed), _column(closed, "R_K_m2K_W") * NANO,
                _column(closed, "R_K_ci95_low_m2K_W") * NANO,
                _column(closed, "R_K_ci95_high_m2K_W") * NANO, marker, colour, label)
    if open_:
        ax.plot(x(open_), _column(open_, "R_K_m2K_W") * NANO, marker, mfc="white",
                color=colour, linestyle="none",
                label=None if closed else f"{label} (no interval)")


def lateral_series_figure(series: str, rows: Sequence[Mapping],
                          stem: str | Path) -> dict[str, Path]:
    """R_K against the cross-section area (95 % CI; open markers: no interval).

    Parameters
    ----------
    series : str
        Name of the series (its base system).
    rows : sequence of mapping
        :func:`study.paper_sweeps.lateral_series_rows` (written as the data file).
    stem : str or Path
        Output path without suffix.
    """
    groups = sorted({(float(r["temperature_K"]), r["method"]) for r in rows})
    with ps.style():
        fig, ax = ps.new_figure("column", aspect=0.75)
        for k, (temperature, method) in enumerate(groups):
            sel = sorted((r for r in rows if float(r["temperature_K"]) == temperature
                          and r["method"] == method), key=lambda r: number(r["area_A2"]))
            colour, marker = ps.colour(method), MARKERS[k % len(MARKERS)]
            ax.plot(_column(sel, "area_A2") / 100, _column(sel, "R_K_m2K_W") * NANO, "-",
                    color=colour, lw=0.6, alpha=0.6)
            _points_or_open(ax, lambda pts: _column(pts, "area_A2") / 100, sel, marker, colour,
                            f"{ps.label(method)}, {temperature:g} K")
            for r in sel:
                cell = "45°" if r.get("lateral_cell") == "rotated_45" else "conv."
                ax.annotate(f"{number(r['lateral_A']):.1f} Å ({cell})",
                            (number(r["area_A2"]) / 100, number(r["R_K_m2K_W"]) * NANO),
                            textcoords="offset points", xytext=(3, 3),
                            fontsize=ps.FONT_SIZE_PT - 2.5, color=colour)
        ax.margins(x=0.15)  # room for the labels of the first and last points
        ax.set_xlabel(r"Cross-section area $A$ (nm$^2$)")
        ax.set_ylabel(R_K_LABEL)
        ax.legend(title=f"{series}: cross-section series", loc="best",
                  title_fontsize=ps.FONT_SIZE_PT - 1.5)
        return _finish(fig, stem, rows, LATERAL_COLUMNS)


def flux_series_figure(series: str, rows: Sequence[Mapping], stem: str | Path) -> dict[str, Path]:
    """R_K against the imposed flux J with the weighted line and the linear-response test.

    Parameters
    ----------
    series : str
        Name of the series (its base system).
    rows : sequence of mapping
        :func:`study.paper_sweeps.flux_series_rows` (written as the data file).
    stem : str or Path
        Output path without suffix.
    """
    temperatures = sorted({float(r["temperature_K"]) for r in rows})
    with ps.style():
        fig, ax = ps.new_figure("column", aspect=0.75)
        for k, temperature in enumerate(temperatures):
            sel = [r for r in rows if float(r["temperature_K"]) == temperature]
            colour, marker = ps.colour("nemd"), MARKERS[k % len(MARKERS)]
            test = next((r for r in sel if r["kind"] == "test"), {})
            p_value = number(test.get("p_value"))
            depends = "independent of" if test.get("verdict") == "independent" else "depends on"
            verdict = f"p = {p_value:.2g}, {depends} J" if math.isfinite(p_value) else "no test"
            _points_or_open(ax, lambda pts: _column(pts, "flux_W_m2") / 1e10,
                            [r for r in sel if r["kind"] == "point"], marker, colour,
                            f"{temperature:g} K: {verdict}")
            line = [r for r in sel if r["kind"] == "fit"]
            if line:
                ax.plot(_column(line, "flux_W_m2") / 1e10, _column(line, "R_K_m2K_W") * NANO,
                        "--", color=colour, lw=0.8)
        ax.set_xlim(left=0)
        ax.set_xlabel(r"Imposed heat flux $J$ ($10^{10}$ W m$^{-2}$)")
        ax.set_ylabel(R_K_LABEL)
        ax.legend(title=f"{series}: $R_K = R_0 + sJ$, test of $s = 0$", loc="best",
                  title_fontsize=ps.FONT_SIZE_PT - 1.5)
        return _finish(fig, stem, rows, FLUX_COLUMNS)


# -- grain boundaries -----------------------------------------------------------------

GRAIN_BOUNDARY_COLUMNS = ["system", "sigma", "kind", "plane", "gb_energy_J_m2",
                          "temperature_K", "method", "R_K_m2K_W", "R_K_ci95_low_m2K_W",
                          "R_K_ci95_high_m2K_W"]


def grain_boundary_figure(rows: Sequence[Mapping], stem: str | Path) -> dict[str, Path]:
    """R_K of every grain boundary against its energy γ, per method and temperature.

    Parameters
    ----------
    rows : sequence of mapping
        Rows of ``figures/grain_boundaries.csv``
        (:func:`study.grain_boundary_summary.boundary_rows`).
    stem : str or Path
        Output path without suffix.
    """
    data = [{k: r.get(k) for k in GRAIN_BOUNDARY_COLUMNS} for r in rows]
    groups = sorted({(r["method"], number(r["temperature_K"])) for r in data})
    with ps.style():
        fig, ax = ps.new_figure("column", aspect=0.75)
        named = set()
        for k, (method, temperature) in enumerate(groups):
            sel = [r for r in data if r["method"] == method
                   and number(r["temperature_K"]) == temperature]
            value, gamma = _column(sel, "R_K_m2K_W") * NANO, _column(sel, "gb_energy_J_m2")
            _points(ax, gamma, value, _column(sel, "R_K_ci95_low_m2K_W") * NANO,
                    _column(sel, "R_K_ci95_high_m2K_W") * NANO, MARKERS[k % len(MARKERS)],
                    ps.colour(method), f"{ps.label(method)}, {temperature:g} K")
            for g, v, r in zip(gamma, value, sel, strict=True):
                if r["system"] not in named:  # one label per boundary
                    named.add(r["system"])
                    ax.annotate(f"Σ{r['sigma']} ({r['plane']})", (g, v), xytext=(3, 3),
                                textcoords="offset points", fontsize=ps.FONT_SIZE_PT - 2)
        ax.axhline(0.0, color="0.6", lw=0.6, zorder=0)  # where a Σ1 control must sit
        ax.set_xlabel(r"Grain-boundary energy $\gamma$ (J m$^{-2}$)")
        ax.set_ylabel(R_K_LABEL)
        ax.legend(loc="best")
        return _finish(fig, stem, data, GRAIN_BOUNDARY_COLUMNS)


# -- NEMD against EMD -----------------------------------------------------------------

COMPARISON_COLUMNS = ["system", "temperature_K", "G_nemd_MW_m2K", "G_nemd_ci95_low_MW_m2K",
                      "G_nemd_ci95_high_MW_m2K", "G_emd_MW_m2K", "G_emd_ci95_low_MW_m2K",
                      "G_emd_ci95_high_MW_m2K", "ratio_nemd_over_emd", "ratio_ci95_low",
                      "ratio_ci95_high", "predicted_ratio_amm", "predicted_ratio_dmm",
                      "prediction_form", "predicted_ratio_amm_ci95_low",
                      "predicted_ratio_amm_ci95_high", "predicted_ratio_dmm_ci95_low",
                      "predicted_ratio_dmm_ci95_high"]


def nemd_vs_emd_figure(system: str, rows: Sequence[Mapping], stem: str | Path) -> dict[str, Path]:
    """(a) G(T) by NEMD and EMD with 95 % CIs; (b) G_NEMD/G_EMD and the EET predictions.

    Parameters
    ----------
    system : str
        System name.
    rows : sequence of mapping
        Rows of ``figures/{system}_nemd_vs_emd.csv`` (:mod:`study.compare_methods`).
    stem : str or Path
        Output path without suffix.
    """
    data = sorted(({k: r.get(k) for k in COMPARISON_COLUMNS} for r in rows),
                  key=lambda r: number(r["temperature_K"]))
    t = _column(data, "temperature_K")
    span = (float(np.ptp(t)) or float(t[0])) if t.size else 1.0
    shift = 0.01 * span
    with ps.style():
        fig, (ax1, ax2) = ps.new_figure("column", aspect=1.2, nrows=2, sharex=True)
        for k, (method, key) in enumerate((("nemd", "G_nemd"), ("green-kubo", "G_emd"))):
            _points(ax1, t + (2 * k - 1) * shift, _column(data, f"{key}_MW_m2K"),
                    _column(data, f"{key}_ci95_low_MW_m2K"),
                    _column(data, f"{key}_ci95_high_MW_m2K"), MARKERS[k], ps.colour(method),
                    f"{ps.label(method)}, 95 % CI")
        _points(ax2, t, _column(data, "ratio_nemd_over_emd"), _column(data, "ratio_ci95_low"),
                _column(data, "ratio_ci95_high"), "o", ps.colour("fit"), "measured, 95 % CI",
                log=True)
        for model, line in (("amm", "--"), ("dmm", ":")):
            values = _column(data, f"predicted_ratio_{model}")
            if values.size and np.isfinite(values[0]):
                ax2.axhline(values[0], ls=line, color=ps.colour(model), lw=1.0,
                            label=f"EET correction, {ps.label(model)}: {values[0]:.2f}")
            band = [_column(data, f"predicted_ratio_{model}_ci95_{end}") for end in ("low", "high")]
            if band[0].size and np.all(np.isfinite([band[0][0], band[1][0]])):
                ax2.axhspan(band[0][0], band[1][0], color=ps.colour(model), alpha=0.15, lw=0)
        ax2.axhline(1.0, color="0.6", lw=0.5)
        ax2.set_yscale("log")
        ax1.set_ylabel(G_LABEL)
        ax2.set_ylabel(r"$G_{NEMD}/G_{EMD}$ (1)")
        ax2.set_xlabel(T_LABEL)
        if t.size:
            ax2.set_xlim(float(t.min()) - 0.15 * span, float(t.max()) + 0.15 * span)
        ax1.legend(title=system, loc="best", title_fontsize=ps.FONT_SIZE_PT - 1.5)
        ax2.legend(loc="best")
        return _finish(fig, stem, data, COMPARISON_COLUMNS)
