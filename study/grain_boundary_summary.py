"""Entry point: R_K of every grain boundary against its energy, and what it does to a polycrystal.

Inputs: per boundary, the relaxed structure record (``relaxed.json``: the grain-boundary
energy γ in J/m² from the periodic bicrystal) and the combined NEMD / EMD records at each
temperature.  Outputs: ``figures/grain_boundaries.png`` with

* left: R_K (NEMD and EMD, 95 % CI) against γ, one point per boundary and temperature;
* right: the conductivity of a polycrystal of grain size d built from each boundary,
  κ_eff = 1 / (1/κ_bulk + R_K/d) (series model, :func:`analysis.relations.polycrystal_conductivity`),
  with the band from R_K's interval (cut at R_K = 0; Σ1 controls, which have no boundary,
  are left out of this panel).  κ_bulk is the NEMD conductivity of the grain interiors
  fitted beside the boundary (``kappa_A_W_mK``), a size-limited value in small cells, so the
  curve shows where R_K matters (d of order the Kapitza length κ R_K), not an absolute κ.

and the same numbers in ``figures/grain_boundaries.csv``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from analysis.relations import kapitza_length, polycrystal_conductivity
from engine.atomic_io import atomic_path, write_csv

COLUMNS = ["system", "element", "sigma", "kind", "plane", "misorientation_deg", "gb_energy_J_m2",
           "temperature_K", "method", "R_K_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W",
           "G_MW_m2K", "kappa_bulk_W_mK", "kapitza_length_nm"]


def boundary_rows(structures: dict[str, dict], combined: list[dict]) -> list[dict]:
    """One row per boundary x temperature x method (``structures`` keyed by system name)."""
    rows = []
    kappa = {(r["system"], float(r["temperature_K"])): r.get("kappa_A_W_mK")
             for r in combined if r["method"] == "nemd"}
    for rec in sorted(combined, key=lambda r: (r["system"], float(r["temperature_K"]),
                                               r["method"])):
        info = structures[rec["system"]]
        k_bulk = kappa.get((rec["system"], float(rec["temperature_K"])))
        r_k = rec["R_K_m2K_W"]
        rows.append({
            "system": rec["system"], "element": info["element_a"], "sigma": info["gb_sigma"],
            "kind": info["gb_kind"], "plane": " ".join(str(v) for v in info["gb_plane"]),
            "misorientation_deg": info["gb_misorientation_deg"],
            "gb_energy_J_m2": info["gb_energy_J_m2"], "temperature_K": rec["temperature_K"],
            "method": rec["method"], "R_K_m2K_W": r_k,
            "R_K_ci95_low_m2K_W": rec.get("R_K_ci95_low_m2K_W"),
            "R_K_ci95_high_m2K_W": rec.get("R_K_ci95_high_m2K_W"), "G_MW_m2K": rec["G_MW_m2K"],
            "kappa_bulk_W_mK": k_bulk,
            "kapitza_length_nm": (float(kapitza_length(r_k, k_bulk)) * 1e9
                                  if k_bulk and r_k and r_k > 0 else None)})
    return rows


def _finite(value, default=np.nan) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def plot_boundaries(rows: list[dict], path: Path, grain_sizes_nm: np.ndarray) -> None:
    """R_K against γ (left) and κ_eff against grain size (right), units on every axis."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2)
    for method, marker in (("nemd", "o"), ("green-kubo", "s")):
        sel = [r for r in rows if r["method"] == method]
        if not sel:
            continue
        gamma = np.array([r["gb_energy_J_m2"] for r in sel], dtype=float)
        r_k = np.array([r["R_K_m2K_W"] for r in sel], dtype=float) * 1e9
        low = np.array([_finite(r["R_K_ci95_low_m2K_W"], 0.0) for r in sel]) * 1e9
        high = np.array([_finite(r["R_K_ci95_high_m2K_W"], 3 * r["R_K_m2K_W"]) for r in sel]) * 1e9
        ax1.errorbar(gamma, r_k, yerr=[r_k - low, high - r_k], fmt=marker, capsize=3,
                     label="NEMD" if method == "nemd" else "EMD (Green-Kubo)")
        for g, value, r in zip(gamma, r_k, sel, strict=True):
            ax1.annotate(f"Σ{r['sigma']} ({r['plane']}) {r['temperature_K']:g} K", (g, value),
                         fontsize=7, xytext=(4, 4), textcoords="offset points")
    ax1.axhline(0.0, color="0.6", lw=0.8)
    ax1.set(xlabel=r"grain-boundary energy $\gamma$ (J/m$^2$)",
            ylabel=r"$R_K$ ($10^{-9}$ m$^2$K/W)", title="Boundary resistance, 95 % CI")
    ax1.legend(fontsize="small")
    d_m = grain_sizes_nm * 1e-9
    # a Σ1 control has no boundary, and an interval reaching below zero is cut at R_K = 0
    for r in (r for r in rows if r["method"] == "nemd" and r["kappa_bulk_W_mK"]
              and r["sigma"] != 1 and r["R_K_m2K_W"] > 0):
        k_bulk = float(r["kappa_bulk_W_mK"])
        line = ax2.plot(grain_sizes_nm, polycrystal_conductivity(k_bulk, r["R_K_m2K_W"], d_m),
                        label=f"{r['system']} {r['temperature_K']:g} K")[0]
        lo = max(_finite(r["R_K_ci95_low_m2K_W"], 0.0), 0.0)
        hi = _finite(r["R_K_ci95_high_m2K_W"], 3 * r["R_K_m2K_W"])
        ax2.fill_between(grain_sizes_nm, polycrystal_conductivity(k_bulk, hi, d_m),
                         polycrystal_conductivity(k_bulk, lo, d_m), color=line.get_color(),
                         alpha=0.2)
    ax2.set(xscale="log", xlabel="grain size d (nm)", ylabel=r"$\kappa_{eff}$ (W m$^{-1}$K$^{-1}$)",
            title=r"Polycrystal: $1/\kappa_{eff} = 1/\kappa_{bulk} + R_K/d$")
    if ax2.lines:
        ax2.legend(fontsize="small")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=150)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--structures", nargs="+", type=Path, required=True,
                        help="relaxed.json of each boundary (folder name = system)")
    parser.add_argument("--combined", nargs="+", type=Path, required=True)
    parser.add_argument("--out-figure", required=True, type=Path)
    parser.add_argument("--out-csv", required=True, type=Path)
    args = parser.parse_args(argv)
    structures = {p.parent.parent.name: json.loads(p.read_text()) for p in args.structures}
    rows = boundary_rows(structures, [json.loads(p.read_text()) for p in args.combined])
    write_csv(rows, COLUMNS, args.out_csv)
    plot_boundaries(rows, args.out_figure, np.geomspace(1.0, 1000.0, 60))
    for r in rows:
        print(f"{r['system']}: gamma = {r['gb_energy_J_m2']:.3f} J/m2, {r['temperature_K']:g} K "
              f"{r['method']}: R_K = {r['R_K_m2K_W']:.3e} m2K/W")
    return 0


if __name__ == "__main__":
    sys.exit(main())
