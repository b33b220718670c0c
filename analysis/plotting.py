"""Figure of one NEMD run: steady temperature profile, fitted lines and the interface jump.

Uses the object-oriented Matplotlib API with the Agg canvas, so it never touches the
global backend and works headless; Matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["plot_nemd_profile"]


def _column(table: Mapping, key: str) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in table[key]], dtype=float)


def _r_k_label(result: Mapping) -> str:
    """Title: ΔT and R_K with their 95 % intervals, or the point values and "not converged"."""
    r, lo, hi = (result[k] for k in ("R_K_m2K_W", "R_K_ci95_low_m2K_W",
                                     "R_K_ci95_high_m2K_W"))
    exp = int(np.floor(np.log10(abs(r)))) if r else 0
    scale = 10.0**exp
    if lo is None or hi is None:  # not converged: point estimates only, never a fake CI
        return (f"ΔT = {result['delta_T_K']:.3g} K, $R_K$ = {r / scale:.3f} × 10$^{{{exp}}}$"
                " m²K/W\nNOT CONVERGED: no interval (steady window < "
                f"{result.get('settings', {}).get('window_taus', 5):g} τ_slow)")
    sys = result.get("R_K_sys_m2K_W")
    sys_text = f", window systematic ±{sys / scale:.3f}" if sys is not None else ""
    return (f"ΔT = {result['delta_T_K']:.3g} K "
            f"[{result['delta_T_ci95_low_K']:.3g}, {result['delta_T_ci95_high_K']:.3g}]\n"
            f"$R_K$ = {r / scale:.3f} [{lo / scale:.3f}, {hi / scale:.3f}]"
            f" × 10$^{{{exp}}}$ m²K/W (95 % CI{sys_text})")


def plot_nemd_profile(
    profile_table: Mapping[str, list], result: Mapping, path: str | Path
) -> Path:
    """Plot the binned profile, both fitted lines extended to the interface and the jump.

    Parameters
    ----------
    profile_table : mapping
        Output of :func:`analysis.nemd.profile_table` (z in Å, T in K).
    result : mapping
        Output of :func:`analysis.nemd.analyse_replica` for the same run.
    path : str or Path
        Output file; the suffix (.png, .pdf, .svg) sets the format.

    Returns
    -------
    Path
        The file written (non-empty; raises ``ValueError`` if the profile has no data).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    z, T, sem = (_column(profile_table, k) for k in ("z_A", "T_mean_K", "T_sem_K"))
    used = np.asarray(profile_table["in_fit_window"], dtype=bool)
    if not np.any(np.isfinite(T)) or not used.any():
        raise ValueError("profile has no finite temperatures or no fitted bins")
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for key, colour, label in (("hot_region_A", "tab:red", "hot bath"),
                               ("cold_region_A", "tab:blue", "cold bath")):
        ax.axvspan(*result[key], color=colour, alpha=0.15, lw=0, label=label)
    ax.errorbar(z[~used], T[~used], yerr=sem[~used], fmt="o", ms=3, color="0.6",
                label="not fitted")
    ax.errorbar(z[used], T[used], yerr=sem[used], fmt="o", ms=3, color="k", label="fitted")
    z_i = result["z_interface_A"]
    for side, colour in (("A", "tab:orange"), ("B", "tab:green")):
        line = result["fit_lines"][side]
        lo, hi = result["fit_windows_A"][side]
        zz = np.array([lo, z_i]) if side == "A" else np.array([z_i, hi])
        ax.plot(zz, line["intercept_K"] + line["slope_K_per_A"] * zz, "-", color=colour,
                label=f"fit side {side}")
    T_a, T_b = result["T_interface_A_K"], result["T_interface_B_K"]
    ax.axvline(z_i, color="0.3", ls=":", lw=1)
    ax.annotate("", xy=(z_i, T_b), xytext=(z_i, T_a),
                arrowprops={"arrowstyle": "<->", "color": "tab:purple", "lw": 1.5})
    ax.set_title(_r_k_label(result), fontsize=9)
    ax.set_xlabel("z (Å)")
    ax.set_ylabel("T (K)")
    ax.legend(fontsize=7, loc="best", ncols=2)
    fig.savefig(path, dpi=150)
    if path.stat().st_size == 0:
        raise OSError(f"nothing written to {path}")
    return path
