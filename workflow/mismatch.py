"""Entry point: mismatch-model R_K(T) of one interface from its potential, beside the MD values.

    python -m workflow.mismatch --system JSON [--settings JSON] [--md-results combined.json ...]
        --out-json mismatch.json --out-csv mismatch.csv --out-figure R_K_models.png

For each side of the pair (same potential and LAMMPS type order as the MD) it computes,
with LAMMPS, the relaxed lattice, density, C11/C12/C44 and [001] sound velocities, and the
force constants → phonons on a q-mesh (:mod:`workflow.material_properties`,
:mod:`analysis.phonons`).  Then every model of :mod:`analysis.mismatch` (AMM, DMM Debye
and full dispersion, radiation limit; quantum and classical occupation; EET correction
off/on) on a temperature grid plus the MD temperatures.  Outputs: a JSON record (inputs,
checks, every value, provenance), a long-format CSV table (one row per temperature ×
source) and a two-panel figure (uncorrected, EET-corrected) with the MD points.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from analysis.mismatch import HBAR_J_S, KB_J_K, DebyeSolid, SpectralSolid, mismatch_table
from analysis.phonons import phonon_mesh, sound_velocities, spectral_functions
from analysis.units import conductance_MW_m2K
from potentials import get_potential
from potentials import provenance as potential_provenance
from workflow.atomic_io import atomic_path, write_csv, write_json
from workflow.material_properties import bulk_crystal, force_constants, material_properties
from workflow.provenance import provenance_record

__all__ = ["CSV_COLUMNS", "DEFAULT_SETTINGS", "main", "side_record", "table_rows"]

#: Settings of the calculation (override with --settings '{"mesh": 20}').
DEFAULT_SETTINGS = {
    "temperatures_K": None,        # explicit model temperatures (K); None: the grid below
    "t_min_over_theta": 0.02,      # grid from 0.02 × min Θ_D ...
    "t_max_over_theta": 2.0,       # ... to 2 × max Θ_D, geometric
    "n_temperatures": 41,
    "strain": 2e-3,                # finite strain δ for C11, C12, C44
    "elastic_repeat": 3,           # conventional cells per edge of the strained box
    "displacement_A": 0.01,        # finite displacement for the force constants (Å)
    "min_supercell_A": 18.0,       # least supercell edge for the force constants (Å)
    "mesh": 16,                    # q-points per reciprocal axis (conventional cell)
    "n_bins": 200,                 # frequency bins of the spectra / full-dispersion DMM
    "velocity_tolerance": 0.05,    # |v_dispersion / v_elastic − 1| above this → warning
}

CSV_COLUMNS = ["system", "temperature_K", "source", "model", "form", "statistics",
               "eet_correction", "G_MW_m2K", "R_K_m2K_W", "R_K_ci95_low_m2K_W",
               "R_K_ci95_high_m2K_W", "valid", "note"]

MODEL_NOTE = ("model (0 K harmonic inputs from the potential; AMM without mode conversion); "
              "no statistical uncertainty, the model error dominates")
PHONON_NOTE = ("Phonons only: classical MD and these models have no electronic channel, so for a "
               "metal (e.g. Cu in Si/Cu) the electron-phonon path is missing.")


def side_record(element: str, lattice: str, *, potential: str, specorder: list[str],
                mass_amu: float | None, settings: dict) -> tuple[dict, DebyeSolid, SpectralSolid]:
    """Everything about one side: properties, checks, and its Debye and spectral models."""
    crystal = bulk_crystal(element, lattice, potential=potential, specorder=specorder,
                           mass_amu=mass_amu)
    props = material_properties(crystal, strain=settings["strain"], repeat=settings["elastic_repeat"])
    fc = force_constants(crystal, displacement_A=settings["displacement_A"],
                         min_supercell_A=settings["min_supercell_A"])
    v_disp = sound_velocities(fc)  # (T, T, L) along [001]
    phonons = phonon_mesh(fc, settings["mesh"])
    spectra = spectral_functions(phonons, n_bins=settings["n_bins"])
    modes = float(np.sum(spectra["dos_s_m3"] * np.diff(spectra["edges_rad_s"])) * phonons.volume_m3)
    label = f"{element} ({potential})"
    debye = DebyeSolid.from_properties(label, props)
    record = {
        **props,
        "debye_temperature_K": debye.debye_temperature_K,
        "debye_cutoffs_rad_s": debye.cutoffs_rad_s,
        "branch_debye_temperatures_K": debye.cutoffs_rad_s * HBAR_J_S / KB_J_K,
        "dispersion_v_L_m_s": float(v_disp[2]),
        "dispersion_v_T_m_s": float(np.mean(v_disp[:2])),
        "velocity_relative_difference": {
            "L": float(v_disp[2] / props["v_L_m_s"] - 1),
            "T": float(np.mean(v_disp[:2]) / props["v_T_m_s"] - 1)},
        "atoms_per_cell": phonons.n_basis,
        "dos_modes_per_cell": modes,
        "supercell_atoms": len(fc.supercell_positions_A),
        "mesh": settings["mesh"],
        "omega_min_rad_s": phonons.omega_min_rad_s,
        "omega_max_rad_s": phonons.omega_max_rad_s,
        "min_frequency_rad_s": float(phonons.omega_rad_s.min()),
        "spectra": {k: spectra[k] for k in ("centres_rad_s", "dos_s_m3", "radiation_m2")},
    }
    return record, debye, SpectralSolid(label, phonons)


def _checks(name: str, record: dict, tolerance: float) -> list[str]:
    """Warnings for one side: slope vs elastic velocities, lost modes, unstable modes."""
    warnings = []
    for pol, diff in record["velocity_relative_difference"].items():
        if abs(diff) > tolerance:
            warnings.append(f"side {name}: {pol} velocity from the dispersion differs from the "
                            f"elastic one by {100 * diff:.1f}% (> {100 * tolerance:.0f}%): enlarge "
                            "min_supercell_A")
    if abs(record["dos_modes_per_cell"] - 3 * record["atoms_per_cell"]) > 1e-6:
        warnings.append(f"side {name}: the DOS holds {record['dos_modes_per_cell']:.4f} modes per "
                        f"cell instead of {3 * record['atoms_per_cell']}")
    if record["min_frequency_rad_s"] < 0:
        warnings.append(f"side {name}: imaginary phonon frequencies (unstable lattice)")
    return warnings


def temperature_grid(settings: dict, thetas: list[float], md_temperatures: list[float]) -> np.ndarray:
    """Model temperatures (K): the explicit list or the Θ_D-based grid, plus the MD ones."""
    if settings["temperatures_K"]:
        grid = np.asarray(settings["temperatures_K"], dtype=float)
    else:
        grid = np.geomspace(settings["t_min_over_theta"] * min(thetas),
                            settings["t_max_over_theta"] * max(thetas), settings["n_temperatures"])
    return np.unique(np.concatenate([grid, np.asarray(md_temperatures, dtype=float)]))


def load_md(paths: list[Path]) -> list[dict]:
    """MD points (NEMD or EMD combined records): T, R_K and its 95% CI, method, note."""
    points = []
    for path in paths:
        rec = json.loads(Path(path).read_text())
        missing = [k for k in ("temperature_K", "R_K_m2K_W") if rec.get(k) is None]
        if missing:
            raise ValueError(f"{path}: MD record lacks {missing}")
        points.append({key: rec.get(key) for key in (
            "temperature_K", "R_K_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W", "method",
            "note")} | {"file": str(path)})
    return sorted(points, key=lambda p: (p.get("method") or "", p["temperature_K"]))


def table_rows(system: str, model_rows: list[dict], md_points: list[dict]) -> list[dict]:
    """Long-format rows for the CSV (models first, then MD), units in the column names."""
    rows = []
    for r in model_rows:
        g = r["G_W_m2K"]
        rows.append({
            "system": system, "temperature_K": r["temperature_K"], "source": "model",
            "model": r["model"], "form": r["form"], "statistics": r["statistics"],
            "eet_correction": r["eet_correction"],
            "G_MW_m2K": float(conductance_MW_m2K(1 / g)) if math.isfinite(g) else math.inf,
            "R_K_m2K_W": 1 / g if g > 0 else math.inf, "valid": r["valid"], "note": MODEL_NOTE})
    for p in md_points:
        method = p.get("method") or "nemd"
        rows.append({
            "system": system, "temperature_K": p["temperature_K"], "source": method,
            "model": method, "form": "md", "statistics": "classical", "eet_correction": "",
            "G_MW_m2K": float(conductance_MW_m2K(p["R_K_m2K_W"])), "R_K_m2K_W": p["R_K_m2K_W"],
            "R_K_ci95_low_m2K_W": p.get("R_K_ci95_low_m2K_W"),
            "R_K_ci95_high_m2K_W": p.get("R_K_ci95_high_m2K_W"), "valid": True,
            "note": p.get("note") or ""})
    return rows


def _json_row(row: dict) -> dict:
    """A model row with G in MW/m²K and R_K in m²K/W (G = inf -> R_K = 0, G = null)."""
    g = row["G_W_m2K"]
    finite = math.isfinite(g)
    r_k = 1 / g if finite else 0.0
    return row | {"G_W_m2K": g if finite else None, "R_K_m2K_W": r_k,
                  "G_MW_m2K": float(conductance_MW_m2K(r_k)) if finite else None}


_STYLE = {("amm", "debye"): ("C0", "AMM (Debye)"), ("dmm", "debye"): ("C1", "DMM (Debye)"),
          ("dmm", "full"): ("C2", "DMM (full dispersion)"),
          ("radiation", "debye"): ("C3", "radiation limit (Debye)"),
          ("radiation", "full"): ("C4", "radiation limit (full)")}


def plot(system: str, model_rows: list[dict], md_points: list[dict], path: Path) -> None:
    """R_K(T), log-log: left uncorrected, right EET-corrected; MD points with 95% CIs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.3), sharey=True, constrained_layout=True)
    for ax, corrected in zip(axes, (False, True), strict=True):
        for (model, form), (color, label) in _STYLE.items():
            for stats, style in (("quantum", "-"), ("classical", "--")):
                sel = [r for r in model_rows if (r["model"], r["form"], r["statistics"],
                       r["eet_correction"]) == (model, form, stats, corrected) and r["valid"]
                       and 0 < r["G_W_m2K"] < math.inf]
                if sel:
                    t = [r["temperature_K"] for r in sel]
                    ax.plot(t, [1e9 / r["G_W_m2K"] for r in sel], style, color=color, lw=1.4,
                            label=f"{label}, {stats}")
        for method, marker in (("nemd", "o"), ("emd", "s")):
            pts = [p for p in md_points if (p.get("method") or "nemd") == method]
            if not pts:
                continue
            value = np.array([p["R_K_m2K_W"] for p in pts]) * 1e9
            low = np.array([p.get("R_K_ci95_low_m2K_W") or np.nan for p in pts]) * 1e9
            high = np.array([p.get("R_K_ci95_high_m2K_W") or np.nan for p in pts]) * 1e9
            # a CI reaching R_K <= 0 cannot be drawn on a log axis: it is cut at R_K/10 and
            # drawn as an open-ended bar (arrow)
            open_low = ~(low > 0.1 * value)
            err = [np.nan_to_num(value - np.where(open_low, 0.1 * value, low)),
                   np.nan_to_num(high - value)]
            temps_md = [p["temperature_K"] for p in pts]
            ax.errorbar(temps_md, value, yerr=err, fmt=marker, color="k", capsize=3,
                        label=f"{method.upper()} (95% CI)", zorder=5)
            if np.any(open_low):
                ax.plot(np.asarray(temps_md)[open_low], 0.1 * value[open_low], "v", color="k",
                        ms=5, zorder=5)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("Temperature T (K)")
        ax.set_title("EET-corrected (Zeng & Chen 2001)" if corrected else "uncorrected", fontsize=10)
    axes[0].set_ylabel(r"Kapitza resistance $R_K$ ($10^{-9}$ m$^2$K/W)")
    axes[1].legend(fontsize=7, loc="best")
    fig.suptitle(f"{system}: mismatch models (solid: Bose-Einstein, dashed: classical) and MD",
                 fontsize=10)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=150)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Run the calculation and write the JSON, CSV and figure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--system", required=True,
                        help="system JSON: name, potential, side_a/side_b {element, lattice, mass_amu}")
    parser.add_argument("--settings", default="{}", help="JSON overriding DEFAULT_SETTINGS")
    parser.add_argument("--md-results", nargs="*", default=[], type=Path,
                        help="combined.json records (NEMD or EMD) to plot beside the models")
    parser.add_argument("--out-json", required=True, type=Path)
    parser.add_argument("--out-csv", required=True, type=Path)
    parser.add_argument("--out-figure", required=True, type=Path)
    args = parser.parse_args(argv)
    start = time.perf_counter()

    system = json.loads(args.system)
    unknown = set(json.loads(args.settings)) - set(DEFAULT_SETTINGS)
    if unknown:
        raise SystemExit(f"unknown mismatch settings {sorted(unknown)}; known: {sorted(DEFAULT_SETTINGS)}")
    settings = DEFAULT_SETTINGS | json.loads(args.settings)
    potential = get_potential(system["potential"])
    sides = {"A": system["side_a"], "B": system["side_b"]}
    specorder = [sides["A"]["element"], sides["B"]["element"]]

    records, debye, spectral, warnings = {}, [], [], []
    for key, side in sides.items():
        rec, deb, spec = side_record(side["element"], side["lattice"], potential=potential.name,
                                     specorder=specorder, mass_amu=side.get("mass_amu"),
                                     settings=settings)
        records[key] = rec
        debye.append(deb)
        spectral.append(spec)
        warnings += _checks(key, rec, settings["velocity_tolerance"])
        print(f"side {key} {side['element']}: a = {rec['lattice_constant_A']:.4f} A, rho = "
              f"{rec['density_kg_m3']:.1f} kg/m3, C11/C12/C44 = {rec['C11_GPa']:.2f}/"
              f"{rec['C12_GPa']:.2f}/{rec['C44_GPa']:.2f} GPa, v_L/v_T = {rec['v_L_m_s']:.0f}/"
              f"{rec['v_T_m_s']:.0f} m/s (dispersion {rec['dispersion_v_L_m_s']:.0f}/"
              f"{rec['dispersion_v_T_m_s']:.0f}), Theta_D = {rec['debye_temperature_K']:.1f} K")

    md_points = load_md(args.md_results)
    temps = temperature_grid(settings, [d.debye_temperature_K for d in debye],
                             [p["temperature_K"] for p in md_points])
    model_rows = mismatch_table(tuple(debye), tuple(spectral), temps, n_bins=settings["n_bins"])
    name = system.get("name", "-".join(specorder))
    rows = table_rows(name, model_rows, md_points)
    notes = [PHONON_NOTE,
             "AMM: no mode conversion at the interface (each polarisation couples to itself).",
             ("Full-dispersion quantum values below 2*hbar*omega_min/k_B are flagged valid = false "
             "(the q-mesh has no modes below omega_min).")]
    write_json(args.out_json, {
        "system": name, "potential": potential.name, "specorder": specorder,
        "settings": settings, "materials": records, "temperatures_K": temps,
        "models": [_json_row(r) for r in model_rows],
        "md": md_points, "notes": notes, "warnings": warnings,
        "provenance": provenance_record(potential=potential_provenance(potential),
                                        settings=settings,
                                        timing={"wall_s": time.perf_counter() - start}),
    })
    write_csv(rows, CSV_COLUMNS, args.out_csv)
    plot(name, model_rows, md_points, args.out_figure)
    shown = {p["temperature_K"] for p in md_points} or {float(temps[np.argmin(abs(temps - 300))])}
    for r in model_rows:
        if r["temperature_K"] in shown and not r["eet_correction"]:
            print(f"{r['temperature_K']:7.1f} K {r['model']:>9} {r['form']:>5} "
                  f"{r['statistics']:>9}: G = {r['G_W_m2K'] / 1e6:8.1f} MW/m2K")
    for warning in warnings:
        print("WARNING:", warning, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
