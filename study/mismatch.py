"""Entry point: mismatch-model R_K(T) of one interface from its potential, beside the MD values.

    python -m study.mismatch --system JSON [--settings JSON] [--md-results combined.json ...]
        --out-json mismatch.json --out-csv mismatch.csv --out-figure R_K_models.png

For each side of the pair (same potential and LAMMPS type order as the MD) it computes,
with LAMMPS, the relaxed lattice, density, C11/C12/C44 and the sound velocities (along
[001] and direction-averaged over the Christoffel equation), and the force constants
(phonopy with LAMMPS forces, :mod:`engine.phonopy_forces`) → phonons on a q-mesh
(:mod:`engine.material_properties`, :mod:`analysis.phonons`).  The
Debye solids use the direction-averaged (mode-count) velocities by default
(``velocities`` setting, :func:`analysis.mismatch.isotropic_velocities`); their elastic
Θ_D is checked against the potential's own dispersion (the low-frequency limit of its
DOS from the small-q phase velocities over the same directions, and, coarsely, the mode
count of the q-mesh).  Then every model of :mod:`analysis.mismatch` (the complete AMM
with mode conversion, DMM Debye and full dispersion, radiation limit; quantum and
classical occupation; EET correction off/on) on a temperature grid plus the MD
temperatures.

The classical Debye rows, the ones comparable with MD, carry a 95 % interval
(:func:`model_intervals`): C11, C12, C44 of both sides are drawn from their recorded
standard errors (``n_samples``), and the interval is widened to include the values
given by the other defensible isotropisations of the crystals (:data:`ISOTROPISATIONS`,
a systematic).  The EET-corrected rows also carry G_corr/G (``eet_ratio``), the NEMD/EMD
ratio the equivalent-temperature correction predicts: one model (Debye, the same
transmission model and inputs for G₁₂, G₁, G₂) with that interval, which
:mod:`study.compare_methods` reads.

Outputs: a JSON record (inputs, checks, every value, provenance), a long-format CSV table
(one row per temperature × source) and a two-panel figure (uncorrected, EET-corrected)
with the MD points (:mod:`study.figures.models`, the drawing of the paper figure too).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from analysis.elastic import (
    debye_temperature_K,
    debye_velocity_from_mode_count,
    dispersion_phase_velocities,
    sphere_quadrature,
)
from analysis.mismatch import (
    HBAR_J_S,
    KB_J_K,
    VELOCITY_SETS,
    DebyeSolid,
    SpectralSolid,
    conductance_debye,
    eet_corrected,
    mismatch_table,
    radiation_conductance_debye,
)
from analysis.phonons import phonon_mesh, sound_velocities, spectral_functions
from analysis.units import conductance_MW_m2K
from engine.atomic_io import write_csv, write_json
from engine.material_properties import bulk_crystal, material_properties
from engine.phonopy_forces import force_constants
from engine.provenance import provenance_record
from potentials import get_potential
from potentials import provenance as potential_provenance
from study.figures import models as model_figures
from study.figures import style as fs
from study.interface_sides import mismatch_side

__all__ = ["CSV_COLUMNS", "DEFAULT_SETTINGS", "ISOTROPISATIONS", "draw_elastic_constants",
           "main", "model_intervals", "side_record", "table_rows"]

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
    "velocities": "averaged",      # isotropisation of the Debye solids (VELOCITY_SETS)
    "n_samples": 200,              # elastic-constant draws for the model intervals
    "seed": 12,                    # their random seed
}

#: Isotropisations of a cubic crystal whose spread is the systematic part of the model
#: intervals (the [001] velocities, exact along one axis only, are not among them).
ISOTROPISATIONS = ("averaged", "hill", "radiation")

CSV_COLUMNS = ["system", "temperature_K", "source", "model", "form", "statistics",
               "eet_correction", "G_MW_m2K", "R_K_m2K_W", "R_K_ci95_low_m2K_W",
               "R_K_ci95_high_m2K_W", "eet_ratio", "eet_ratio_ci95_low", "eet_ratio_ci95_high",
               "valid", "note"]

MODEL_NOTE = ("model (0 K harmonic inputs from the potential; complete AMM with mode conversion; "
              "Debye solids with direction-averaged velocities)")
INTERVAL_NOTE = ("; 95% interval: elastic-constant errors, widened to the other isotropisations "
                 "(averaged, Hill, (001) radiation); the model-form error is larger")
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
    debye = DebyeSolid.from_properties(label, props, velocities=settings["velocities"])
    record = {
        **props,
        "debye_velocities": settings["velocities"],
        "debye_velocities_m_s": debye.velocities_m_s,
        "debye_temperature_K": debye.debye_temperature_K,
        **dispersion_debye_check(fc, phonons, props),
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


def dispersion_debye_check(fc, phonons, props: dict) -> dict:
    """Θ_D of the potential's own dispersion against the elastic (Christoffel) Θ_D.

    * ``dispersion_debye_temperature_K``: the low-frequency limit of the full-dispersion
      DOS, D(ω) → 3ω²/(2π² v_D³), with v_D from the small-q phase velocities of the
      dynamical matrix averaged like the Christoffel ones
      (:func:`analysis.elastic.dispersion_phase_velocities`, 512 directions); it differs
      from the elastic value only through the force constants (cut-off, finite
      displacement) and the elastic-constant fit.
    * ``mesh_count_debye_temperature_K``: from the mode count of the q-mesh below
      0.4 ω_D (:func:`analysis.elastic.debye_velocity_from_mode_count`), a coarse check
      (a few per cent, ``mesh_count_rel_spread``); None when the mesh is too coarse.
    """
    dirs, weights = sphere_quadrature(16)
    v = dispersion_phase_velocities(fc, dirs)
    inv3 = weights @ v**-3.0
    v_d = float((3 / inv3.sum()) ** (1 / 3))
    n = props["number_density_m3"]
    theta_el = props["debye_temperature_elastic_K"]
    out = {"dispersion_v_D_m_s": v_d,
           "dispersion_v_L_avg_m_s": float(inv3[2] ** (-1 / 3)),
           "dispersion_v_T_avg_m_s": float((inv3[:2].sum() / 2) ** (-1 / 3)),
           "dispersion_debye_temperature_K": debye_temperature_K(v_d, n)}
    out["debye_temperature_relative_difference"] = out["dispersion_debye_temperature_K"] / theta_el - 1
    omega_d = theta_el * KB_J_K / HBAR_J_S
    try:
        count = debye_velocity_from_mode_count(phonons.omega_rad_s, phonons.volume_m3, phonons.n_q,
                                               omega_top_rad_s=0.4 * omega_d)
        out["mesh_count_debye_temperature_K"] = debye_temperature_K(count["debye_m_s"], n)
        out["mesh_count_rel_spread"] = count["rel_spread"]
    except ValueError:
        out["mesh_count_debye_temperature_K"] = out["mesh_count_rel_spread"] = None
    return out


def _checks(name: str, record: dict, tolerance: float) -> list[str]:
    """Warnings for one side: slope vs elastic velocities and Θ_D, lost modes, unstable modes."""
    warnings = []
    diff = record["debye_temperature_relative_difference"]
    if abs(diff) > tolerance:
        warnings.append(f"side {name}: the Debye temperature of the dispersion differs from the "
                        f"elastic one by {100 * diff:.1f}% (> {100 * tolerance:.0f}%)")
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


def draw_elastic_constants(props: dict, rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 3) draws of (C11, C12, C44) in GPa, independent normals with the recorded SEs."""
    mean = np.array([props[k] for k in ("C11_GPa", "C12_GPa", "C44_GPa")], dtype=float)
    se = np.array([props.get(k) or 0.0 for k in ("C11_se_GPa", "C12_se_GPa", "C44_se_GPa")],
                  dtype=float)
    return mean + se * rng.standard_normal((n, 3))


def _classical_debye(props_a: dict, props_b: dict, velocities: str,
                     elastic: tuple | None = None) -> dict:
    """Classical Debye G₁₂ and EET-corrected G of every model (W/m²K; T-independent)."""
    sides = [DebyeSolid.from_properties(k, p, velocities=velocities,
                                        elastic_GPa=None if elastic is None else elastic[i])
             for i, (k, p) in enumerate((("A", props_a), ("B", props_b)))]
    g1, g2 = (radiation_conductance_debye(s, [300.0], classical=True)[0] for s in sides)
    out = {}
    for model in ("amm", "dmm", "radiation"):
        g12 = conductance_debye(*sides, [300.0], model=model, classical=True)[0]
        out[model] = (g12, float(eet_corrected(g12, g1, g2)))
    return out


def model_intervals(props_a: dict, props_b: dict, settings: dict) -> dict:
    """95 % intervals of the classical Debye conductances and of the EET ratio G_corr/G.

    The statistical part: ``n_samples`` draws of (C11, C12, C44) for each side
    (:func:`draw_elastic_constants`), propagated through the isotropic velocities of the
    ``velocities`` setting into G₁₂, G_corr and their ratio (2.5 and 97.5 percentiles).
    The systematic part: the nominal values with the other :data:`ISOTROPISATIONS`.  The
    reported interval is the smallest one holding both.

    Returns
    -------
    dict
        Per model: ``G_W_m2K``, ``G_corr_W_m2K``, ``eet_ratio``, each a dict with
        ``value`` (nominal, chosen isotropisation), ``ci95_low``, ``ci95_high``,
        ``sampled`` ([low, high] of the sampling alone) and ``by_isotropisation``.
    """
    choice = settings["velocities"]
    nominal = {v: _classical_debye(props_a, props_b, v) for v in {choice, *ISOTROPISATIONS}}
    rng = np.random.default_rng(settings["seed"])
    n = int(settings["n_samples"])
    draws = list(zip(draw_elastic_constants(props_a, rng, n),
                     draw_elastic_constants(props_b, rng, n), strict=True))
    samples = [_classical_debye(props_a, props_b, choice, d) for d in draws]
    out = {}
    for model in ("amm", "dmm", "radiation"):
        quantities = {"G_W_m2K": lambda r, m=model: r[m][0],
                      "G_corr_W_m2K": lambda r, m=model: r[m][1],
                      "eet_ratio": lambda r, m=model: r[m][1] / r[m][0]}
        out[model] = {}
        for name, get in quantities.items():
            values = np.array([get(r) for r in samples or [nominal[choice]]])
            low, high = np.percentile(values, [2.5, 97.5]) if np.all(np.isfinite(values)) \
                else (math.nan, math.nan)
            others = [get(nominal[v]) for v in ISOTROPISATIONS]
            with np.errstate(invalid="ignore"):  # inf - inf when a G_corr is infinite
                edges = float(np.nanmin([low, *others])), float(np.nanmax([high, *others]))
            out[model][name] = {
                "value": float(get(nominal[choice])),
                "ci95_low": edges[0], "ci95_high": edges[1],
                "sampled": [float(low), float(high)],
                "by_isotropisation": {v: float(get(nominal[v])) for v in sorted(nominal)}}
    return out


def _interval_columns(r: dict, intervals: dict | None) -> dict:
    """R_K and EET-ratio interval columns of a classical Debye model row."""
    if not intervals or r["form"] != "debye" or r["statistics"] != "classical":
        return {}
    block = intervals[r["model"]]
    g = block["G_corr_W_m2K" if r["eet_correction"] else "G_W_m2K"]
    inv = {"R_K_ci95_low_m2K_W": 1 / g["ci95_high"] if g["ci95_high"] > 0 else math.nan,
           "R_K_ci95_high_m2K_W": 1 / g["ci95_low"] if g["ci95_low"] > 0 else math.nan}
    if r["eet_correction"]:
        inv |= {"eet_ratio_ci95_low": block["eet_ratio"]["ci95_low"],
                "eet_ratio_ci95_high": block["eet_ratio"]["ci95_high"]}
    return inv


def table_rows(system: str, model_rows: list[dict], md_points: list[dict],
               intervals: dict | None = None) -> list[dict]:
    """Long-format rows for the CSV (models first, then MD), units in the column names.

    EET-corrected model rows carry ``eet_ratio`` = G_corr/G of the same model, form,
    statistics and T; classical Debye rows carry the intervals of :func:`model_intervals`.
    """
    uncorrected = {(r["model"], r["form"], r["statistics"], r["temperature_K"]): r["G_W_m2K"]
                   for r in model_rows if not r["eet_correction"]}
    rows = []
    for r in model_rows:
        g = r["G_W_m2K"]
        ratio = {}
        if r["eet_correction"]:
            base = uncorrected.get((r["model"], r["form"], r["statistics"], r["temperature_K"]))
            ratio = {"eet_ratio": g / base if base and base > 0 else math.nan}
        extra = _interval_columns(r, intervals)
        rows.append({
            "system": system, "temperature_K": r["temperature_K"], "source": "model",
            "model": r["model"], "form": r["form"], "statistics": r["statistics"],
            "eet_correction": r["eet_correction"],
            "G_MW_m2K": float(conductance_MW_m2K(1 / g)) if math.isfinite(g) else math.inf,
            "R_K_m2K_W": 1 / g if g > 0 else math.inf, "valid": r["valid"],
            "note": MODEL_NOTE + (INTERVAL_NOTE if extra else ""), **ratio, **extra})
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
    if settings["velocities"] not in VELOCITY_SETS:
        raise SystemExit(f"mismatch setting 'velocities' must be one of {VELOCITY_SETS}")
    potential = get_potential(system["potential"])
    sides = {"A": mismatch_side(system["side_a"]), "B": mismatch_side(system["side_b"])}
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
              f"{rec['C12_GPa']:.2f}/{rec['C44_GPa']:.2f} GPa (Zener {rec['zener_ratio']:.2f}); "
              f"[001] v_L/v_T = {rec['v_L_m_s']:.0f}/{rec['v_T_m_s']:.0f} m/s (dispersion "
              f"{rec['dispersion_v_L_m_s']:.0f}/{rec['dispersion_v_T_m_s']:.0f}); averaged "
              f"{rec['v_L_avg_m_s']:.0f}/{rec['v_T_avg_m_s']:.0f} m/s; Theta_D = "
              f"{rec['debye_temperature_K']:.1f} K (elastic "
              f"{rec['debye_temperature_elastic_K']:.1f}, dispersion "
              f"{rec['dispersion_debye_temperature_K']:.1f}, mesh count "
              f"{rec['mesh_count_debye_temperature_K'] or math.nan:.0f}, [001] "
              f"{rec['debye_temperature_001_K']:.1f})")

    md_points = load_md(args.md_results)
    temps = temperature_grid(settings, [d.debye_temperature_K for d in debye],
                             [p["temperature_K"] for p in md_points])
    model_rows = mismatch_table(tuple(debye), tuple(spectral), temps, n_bins=settings["n_bins"])
    intervals = model_intervals(records["A"], records["B"], settings)
    name = system.get("name", "-".join(specorder))
    rows = table_rows(name, model_rows, md_points, intervals)
    notes = [PHONON_NOTE,
             ("AMM: complete elastic boundary conditions between isotropic solids (L, SV, SH "
              "incident; L <-> SV mode conversion; critical angles)."),
             (f"Debye solids: '{settings['velocities']}' isotropic velocities of the cubic "
              "crystals (analysis.mismatch.isotropic_velocities); the [001] velocities are "
              "recorded for comparison only."),
             ("Classical Debye rows: 95% interval from the elastic-constant standard errors "
              f"({settings['n_samples']} draws), widened to the isotropisations "
              f"{', '.join(ISOTROPISATIONS)}; eet_ratio = G_corr/G is the NEMD/EMD ratio the "
              "EET correction predicts."),
             ("Full-dispersion quantum values below 2*hbar*omega_min/k_B are flagged valid = false "
             "(the q-mesh has no modes below omega_min).")]
    write_json(args.out_json, {
        "system": name, "potential": potential.name, "specorder": specorder,
        "settings": settings, "materials": records, "temperatures_K": temps,
        "models": [_json_row(r) for r in model_rows],
        "classical_debye_intervals": intervals,
        "md": md_points, "notes": notes, "warnings": warnings,
        "provenance": provenance_record(potential=potential_provenance(potential),
                                        settings=settings,
                                        timing={"wall_s": time.perf_counter() - start}),
    })
    write_csv(rows, CSV_COLUMNS, args.out_csv)
    with fs.style("quick"):
        fig, _ = model_figures.figure(name, rows, md_points, style="quick")
        fs.save_quick(fig, args.out_figure)
    shown = {p["temperature_K"] for p in md_points} or {float(temps[np.argmin(abs(temps - 300))])}
    for r in model_rows:
        if r["temperature_K"] in shown and not r["eet_correction"]:
            print(f"{r['temperature_K']:7.1f} K {r['model']:>9} {r['form']:>5} "
                  f"{r['statistics']:>9}: G = {r['G_W_m2K'] / 1e6:8.1f} MW/m2K")
    for model in ("amm", "dmm"):
        ratio = intervals[model]["eet_ratio"]
        print(f"EET-predicted G_NEMD/G_EMD, {model.upper()} (classical Debye): "
              f"{ratio['value']:.3f} [{ratio['ci95_low']:.3f}, {ratio['ci95_high']:.3f}]")
    for warning in warnings:
        print("WARNING:", warning, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
