"""Spectral conductance G(f) of an interface: MD, AGF and DMM on one frequency axis.

One drawing (:func:`draw`) of a combined spectral record (:mod:`study.analyse_spectral`):

* top panel: G(f) = q(f)/(A ΔT) from MD (mean over replicas) with its 95 % band, the
  AGF's classical Landauer Ξ(ω) k_B/A and, when the mismatch record allows it, the
  full-dispersion DMM's classical spectrum, all per unit frequency (MW m⁻² K⁻¹ THz⁻¹);
* bottom panel: the cumulative G up to f, ∫₀^f G df', of each (MW m⁻² K⁻¹), with the
  conductances of the summary rows in a text box.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from study.figures import style as fs

__all__ = ["draw", "figure"]

F_LABEL = r"frequency $f$ (THz)"
DENSITY_LABEL = r"$G(f)$ (MW m$^{-2}$K$^{-1}$THz$^{-1}$)"
CUMULATIVE_LABEL = r"$G$ below $f$ (MW m$^{-2}$K$^{-1}$)"
#: Colours of the three sources (Okabe & Ito, as the methods' elsewhere).
COLOURS = {"md": fs.colour("nemd"), "agf": "#E69F00", "dmm": fs.colour("dmm-full")}


def _text(spectral: Mapping, quantum: Mapping | None, agf: Mapping | None) -> str:
    """The summary conductances (MW m⁻² K⁻¹) with their intervals."""
    def line(name, rec):
        low, high = rec.get("G_ci95_low_MW_m2K"), rec.get("G_ci95_high_MW_m2K")
        value = rec["G_MW_m2K"]
        if low is None or high is None:
            return f"{name}: {value:.3g}"
        return f"{name}: {fs.interval_text(value, low, high, '')}".rstrip()
    lines = [line("MD classical", spectral)]
    if quantum is not None:
        lines.append(line(f"MD quantum {quantum['temperature_K']:g} K", quantum))
    if agf is not None:
        plain = agf.get("G_plain_MW_m2K")
        if plain is not None and not np.isclose(plain, agf["G_MW_m2K"]):
            lines += [f"AGF (deterministic): {plain:.3g} as drawn,",
                      f"    {agf['G_MW_m2K']:.3g} without the leads' contact resistance"]
        else:
            lines.append(f"AGF (deterministic): {agf['G_MW_m2K']:.3g}")
    rule = spectral.get("sum_rule") or {}
    if rule.get("ratio") is not None:
        lines.append(f"sum rule: {rule['ratio']:.2f}")
    return "\n".join(lines) + "\n(MW m$^{-2}$ K$^{-1}$)"


def draw(axes, spectral: Mapping, quantum: Mapping | None = None, agf: Mapping | None = None,
         *, style: str = "quick") -> None:
    """G(f) with band, AGF and DMM (``axes[0]``) and the cumulative G (``axes[1]``)."""
    top, bottom = axes
    spec = spectral["spectrum"]
    f = np.asarray(spec["frequency_THz"], dtype=float)
    df = float(spec["delta_f_THz"])
    g = np.asarray(spec["G_W_m2K_THz"], dtype=float) * 1e-6
    low = np.asarray(spec["ci95_low_W_m2K_THz"], dtype=float) * 1e-6
    high = np.asarray(spec["ci95_high_W_m2K_THz"], dtype=float) * 1e-6
    top.fill_between(f, low, high, color=COLOURS["md"], alpha=0.25, lw=0,
                     label="MD, 95 % band")
    top.plot(f, g, "-", color=COLOURS["md"], label="MD (spectral heat current)")
    curves = {"agf": (r"AGF $\Xi k_B/A$ (elastic, classical)", spectral.get("agf_density_W_m2K_THz"), "--"),
              "dmm": ("DMM, full dispersion (classical)", spectral.get("dmm_density_W_m2K_THz"),
                      ":")}
    for key, (name, values, ls) in curves.items():
        if values is None:
            continue
        values = np.asarray(values, dtype=float) * 1e-6
        top.plot(f, values, ls, color=COLOURS[key], lw=1.2, label=name)
        bottom.plot(f, np.cumsum(values) * df, ls, color=COLOURS[key], lw=1.2)
    bottom.plot(f, np.cumsum(g) * df, "-", color=COLOURS["md"])
    top.axhline(0.0, color="0.6", lw=0.5, zorder=0)
    bottom.axhline(0.0, color="0.6", lw=0.5, zorder=0)
    shown = f[np.abs(g) > 0.02 * np.abs(g).max()] if np.any(g) else f
    right = float(min(f.max(), 1.15 * shown.max())) if shown.size else float(f.max())
    for ax in axes:
        ax.set_xlim(0.0, right)
    # the conductances in the upper left, above the curves (room made by the y limit)
    lo, hi = bottom.get_ylim()
    bottom.set_ylim(lo, lo + 1.7 * (hi - lo))
    bottom.text(0.02, 0.97, _text(spectral, quantum, agf), transform=bottom.transAxes,
                ha="left", va="top", fontsize=fs.font_size(style, -2))
    top.set_ylabel(DENSITY_LABEL)
    bottom.set_ylabel(CUMULATIVE_LABEL)
    bottom.set_xlabel(F_LABEL)
    top.tick_params(labelbottom=False)


def figure(spectral: Mapping, quantum: Mapping | None = None, agf: Mapping | None = None,
           title: str = "", *, style: str = "quick"):
    """A two-panel figure holding :func:`draw` (call inside ``style(style)``), legend below."""
    fig, axes = fs.new_figure("column", aspect=1.45, nrows=2, kind=style, sharex=True)
    draw(axes, spectral, quantum, agf, style=style)
    if title:
        fig.suptitle(title, fontsize=fs.font_size(style))
    fs.figure_legend(fig, axes, where="below", ncols=1)
    fig.align_ylabels(axes)
    return fig
