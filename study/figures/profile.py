"""NEMD temperature profile: binned T(z) of the replicas, the two fitted lines, the jump.

One drawing (:func:`draw`) for the pipeline's ``profile.png`` of each replica
(:mod:`study.analyse_nemd`, quick style) and the paper's ``profiles/SYSTEM_TK`` figure of
all replicas of a system and temperature (:mod:`study.paper_figures`, paper style).  The
records are ``nemd.json`` records (:func:`analysis.nemd.analyse_replica` with its
``profile``); the combined record, when given, supplies the R_K printed above the axes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from study.figures import style as fs

__all__ = ["PROFILE_COLUMNS", "draw", "figure", "profile_rows", "result_text"]

#: Columns of the paper figure's data file.
PROFILE_COLUMNS = ["replica", "kind", "z_A", "T_K", "T_sem_K", "fitted"]


def profile_rows(replicas: Sequence[Mapping]) -> list[dict]:
    """Plotted data: binned profiles of every replica ("bin"), the two fitted lines of the
    first replica ("fit_A", "fit_B": end points) and its interface temperatures
    ("interface")."""
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


def result_text(record: Mapping, combined: Mapping | None = None) -> str:
    """ΔT and R_K with their 95 % intervals (three lines), or the point values and
    "NOT CONVERGED" when the run has no interval."""
    source = combined or record
    r_k = fs.number(source.get("R_K_m2K_W"))
    low, high = (fs.number(source.get(k)) for k in ("R_K_ci95_low_m2K_W",
                                                     "R_K_ci95_high_m2K_W"))
    unit = r"$\times 10^{-9}$ m$^2$K/W"
    who = f"{source.get('n_replicas', '')} replicas combined, " if combined else ""
    dT = fs.number(source.get("delta_T_K"))
    if not np.isfinite(low):  # not converged: never a fake interval
        window = (record.get("settings") or {}).get("window_taus", 5)
        return (rf"$\Delta T$ = {dT:.3g} K, $R_K$ = {r_k * fs.NANO:.3g} {unit}" + "\n"
                f"NOT CONVERGED: no interval (steady window < {window:g} τ_slow)")
    dT_text = fs.interval_text(dT, fs.number(source.get("delta_T_ci95_low_K")),
                               fs.number(source.get("delta_T_ci95_high_K")), "K")
    sys_ = fs.number(source.get("R_K_sys_m2K_W"))
    sys_text = f"; window systematic ±{sys_ * fs.NANO:.2g}" if np.isfinite(sys_) else ""
    return (rf"$\Delta T$ = {dT_text}" + "\n"
            + "$R_K$ = " + fs.interval_text(r_k, low, high, unit, fs.NANO) + "\n"
            + f"({who}95 % CI{sys_text})")


def draw(ax, replicas: Sequence[Mapping], combined: Mapping | None = None, *,
         style: str = "paper") -> list[dict]:
    """Draw the steady profile of every replica, the fits and the jump of the first one.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    replicas : sequence of mapping
        ``nemd.json`` records of one system and temperature; the first (lowest replica
        number) gets its fits, bath regions and jump drawn, the others are grey dots.
    combined : mapping or None
        The ``combined.json`` record: its R_K and 95 % interval are printed above the axes
        (else those of the first replica).
    style : {"paper", "quick"}
        The look (:mod:`study.figures.style`).

    Returns
    -------
    list of dict
        The plotted numbers (:func:`profile_rows`).
    """
    replicas = sorted(replicas, key=lambda r: r.get("replica") or 0)
    rows = profile_rows(replicas)
    first = replicas[0]
    own = [r for r in rows if r["kind"] == "bin" and r["replica"] == first.get("replica")]
    if not own or not any(r["fitted"] for r in own):
        raise ValueError("profile has no finite temperatures or no fitted bins")
    for key, region, name in (("hot", "hot_region_A", "hot bath"),
                              ("cold", "cold_region_A", "cold bath")):
        ax.axvspan(*first[region], color=fs.colour(key), alpha=0.15, lw=0, label=name)
    others = [r for r in rows if r["kind"] == "bin" and r["replica"] != first.get("replica")]
    if others:
        ax.plot(fs.column(others, "z_A"), fs.column(others, "T_K"), ".",
                color=fs.colour("other"), label="other replicas")
    for used, face, name in ((True, fs.colour("nemd"), "fitted"),
                             (False, "white", "not fitted")):
        sel = [r for r in own if r["fitted"] == used]
        if sel:
            ax.errorbar(fs.column(sel, "z_A"), fs.column(sel, "T_K"),
                        yerr=fs.column(sel, "T_sem_K"), fmt="o", mfc=face,
                        mec=fs.colour("nemd"), ecolor=fs.colour("nemd"), elinewidth=0.6,
                        capsize=0, label=f"replica {first.get('replica')}: {name}")
    for side in ("A", "B"):
        line = [r for r in rows if r["kind"] == f"fit_{side}"]
        ax.plot(fs.column(line, "z_A"), fs.column(line, "T_K"), "-", color=fs.colour("fit"),
                lw=0.9, label="linear fits" if side == "A" else None)
    z_i = float(first["z_interface_A"])
    ax.axvline(z_i, color="0.5", ls=":", lw=0.6)
    ax.annotate("", xy=(z_i, first["T_interface_B_K"]), xytext=(z_i, first["T_interface_A_K"]),
                arrowprops={"arrowstyle": "<->", "lw": 0.9, "shrinkA": 0, "shrinkB": 0})
    # above the axes, where it cannot cover the legend or the data
    ax.set_title(result_text(first, combined), fontsize=fs.font_size(style, -1.5))
    ax.set_xlabel(r"Position $z$ (Å)")
    ax.set_ylabel(r"Temperature $T$ (K)")
    fs.legend(ax, where="below", ncols=3)
    return rows


def figure(replicas: Sequence[Mapping], combined: Mapping | None = None, *,
           style: str = "paper"):
    """A figure holding :func:`draw` (call inside ``style(style)``); returns (fig, rows)."""
    fig, ax = fs.new_figure("column", aspect=0.85 if style == "paper" else 0.75, kind=style)
    return fig, draw(ax, replicas, combined, style=style)
