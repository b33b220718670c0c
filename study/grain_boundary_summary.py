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

(drawn by :mod:`study.figures.grain_boundaries`, whose left panel is the paper figure)
and the same numbers in ``figures/grain_boundaries.csv``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from analysis.relations import kapitza_length
from engine.atomic_io import write_csv
from study.figures import grain_boundaries
from study.figures import style as fs

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
    with fs.style("quick"):
        fig, _ = grain_boundaries.figure(rows, style="quick",
                                         grain_sizes_nm=np.geomspace(1.0, 1000.0, 60))
        fs.save_quick(fig, args.out_figure)
    for r in rows:
        print(f"{r['system']}: gamma = {r['gb_energy_J_m2']:.3f} J/m2, {r['temperature_K']:g} K "
              f"{r['method']}: R_K = {r['R_K_m2K_W']:.3e} m2K/W")
    return 0


if __name__ == "__main__":
    sys.exit(main())
