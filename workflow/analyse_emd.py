"""Entry point: Green-Kubo analysis of one EMD replica (raw.npz -> emd.json, acf.csv, figure).

Both finite-size-aware estimators of :mod:`analysis.green_kubo` are run; the one named by
``estimator`` (``delta_T`` by default: Rajabpour & Volz 2010) gives the record's G/R_K
keys, the other is stored beside it as a cross-check.  The area is the total area of the
two interfaces of the periodic cell, 2 × ``area_A2``.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

import numpy as np

from analysis import green_kubo as gk
from analysis.io import load_replica, to_jsonable, write_profile_csv
from workflow.atomic_io import atomic_path, write_json

#: Analysis defaults (the config's ``emd`` block may override them).
DEFAULTS = {"estimator": "delta_T", "fit_start_ps": 2.0, "n_blocks": 8, "window_taus_dT": 1.5,
            "window_taus_flux": 3.0}


def _estimators(raw: dict, options: dict) -> tuple[dict, dict]:
    """Partial estimators of ΔT and q and their input series."""
    dt = float(raw["sample_every_ps"])
    area_total = float(raw["area_total_A2"])
    temperature = float(np.mean(0.5 * (raw["temperature_a_K"] + raw["temperature_b_K"])))
    series = {
        "delta_T": raw["temperature_a_K"] - raw["temperature_b_K"],
        "flux": gk.power_from_side_energies(raw["energy_a_eV"], raw["energy_b_eV"], dt),
    }
    funcs = {
        "delta_T": functools.partial(
            gk.delta_T_relaxation, dt_ps=dt, n_atoms_a=int(raw["n_atoms_a"]),
            n_atoms_b=int(raw["n_atoms_b"]), area_total_A2=area_total,
            fit_start_ps=options["fit_start_ps"], n_blocks=options["n_blocks"],
            window_taus=options["window_taus_dT"]),
        "flux": functools.partial(
            gk.flux_model_fit, dt_ps=dt, temperature_K=temperature, area_total_A2=area_total,
            n_blocks=options["n_blocks"], window_taus=options["window_taus_flux"]),
    }
    return series, funcs


def analyse(raw: dict, run: dict, options: dict) -> tuple[dict, dict, dict]:
    """Record (JSON), ACF table (CSV columns) and the full estimator outputs (for the figure)."""
    options = {**DEFAULTS, **options}
    series, funcs = _estimators(raw, options)
    results, notes = {}, []
    for name, func in funcs.items():
        try:
            results[name] = func(series[name])
        except (ValueError, RuntimeError) as error:
            results[name] = None
            notes.append(f"{name} estimator failed: {error}")
    primary = results[options["estimator"]]
    if primary is None:
        raise RuntimeError(f"the primary estimator '{options['estimator']}' failed: {notes}")
    conv = gk.convergence(series[options["estimator"]], funcs[options["estimator"]],
                          dt_ps=float(raw["sample_every_ps"]))
    if not conv["converged"]:
        notes.append("estimate not converged: half and full trajectory disagree beyond their CIs")
    scalar = {name: {k: v for k, v in r.items() if np.ndim(v) == 0 or k == "fit_window_ps"}
              for name, r in results.items() if r is not None}
    settings = run.get("settings", {})
    c_a = gk.classical_heat_capacity_eV_K(int(raw["n_atoms_a"]))
    c_b = gk.classical_heat_capacity_eV_K(int(raw["n_atoms_b"]))
    temperature = float(np.mean(0.5 * (raw["temperature_a_K"] + raw["temperature_b_K"])))
    record = {
        "method": "green-kubo",
        "estimator": options["estimator"],
        "temperature_K": float(raw["temperature_target_K"]),
        "temperature_measured_K": temperature,
        "potential": settings.get("potential"),
        "specorder": settings.get("specorder"),
        **gk.gk_keys(primary["G_MW_m2K"], primary["G_se_MW_m2K"], primary["G_ci95_low_MW_m2K"],
                     primary["G_ci95_high_MW_m2K"]),
        "ci_dof": primary["ci_dof"],
        "tau_ps": primary["tau_ps"],
        "estimators": scalar,
        "delta_T2_expected_K2": gk.KB_EV_K * temperature**2 * (1 / c_a + 1 / c_b),
        "G_naive_max_MW_m2K": (float(np.max(results["flux"]["G_running_MW_m2K"]))
                               if results["flux"] else None),
        "convergence": conv,
        "area_A2": float(raw["area_A2"]),
        "area_total_A2": float(raw["area_total_A2"]),
        "n_interfaces": 2,
        "n_atoms_a": int(raw["n_atoms_a"]), "n_atoms_b": int(raw["n_atoms_b"]),
        "production_ps": float(raw["time_ps"][-1]),
        "sample_every_ps": float(raw["sample_every_ps"]),
        "analysis": options,
        "warnings": notes + [f"{n}: {w}" for n, r in results.items() if r for w in r["warnings"]],
        "note": "classical MD: no electron-phonon channel; G per interface, area 2A used",
        "provenance": run,
    }
    return to_jsonable(record), acf_table(results, float(raw["sample_every_ps"])), results


def acf_table(results: dict, dt_ps: float) -> dict:
    """ACF/running-integral columns on common lags (CSV)."""
    cols = {}
    if results["delta_T"]:
        r = results["delta_T"]
        cols["acf_dT_K2"] = r["acf_K2"]
    if results["flux"]:
        r = results["flux"]
        cols |= {"acf_q_eV2_ps2": r["acf_eV2_ps2"], "running_integral_eV2_ps":
                 r["running_integral_eV2_ps"], "model_eV2_ps": r["model_eV2_ps"],
                 "G_running_MW_m2K": r["G_running_MW_m2K"]}
    n = min(len(c) for c in cols.values())
    return {"lag_ps": (np.arange(n) * dt_ps).tolist(), **{k: list(v[:n]) for k, v in cols.items()}}


def plot(record: dict, results: dict, path: Path) -> None:
    """ΔT ACF with its exponential fit; running G(t) with the model and the value's band."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2)
    r = results["delta_T"]
    if r:
        t = np.arange(r["acf_K2"].size) * r["dt_ps"]
        ax1.plot(t, r["acf_K2"], lw=0.8, label="⟨ΔT(t)ΔT(0)⟩")
        ax1.plot(t, r["amplitude_K2"] * np.exp(-t / r["tau_ps"]), "k--",
                 label=f"fit, τ = {r['tau_ps']:.3g} ps")
        ax1.axvspan(*r["fit_window_ps"], color="0.9")
        ax1.set_xlim(0, min(t[-1], 6 * r["tau_ps"]))
    ax1.set(xlabel="t (ps)", ylabel="ACF (K²)", title="ΔT relaxation")
    ax1.legend()
    f = results["flux"]
    if f:
        t = np.arange(f["G_running_MW_m2K"].size) * f["dt_ps"]
        scale = f["G_running_MW_m2K"][1:] / np.where(f["running_integral_eV2_ps"][1:] == 0, np.nan,
                                                    f["running_integral_eV2_ps"][1:])
        factor = np.nanmedian(scale)
        ax2.plot(t, f["G_running_MW_m2K"], lw=0.8, label="naive running GK integral")
        ax2.plot(t, f["model_eV2_ps"] * factor, "k--", label=f"model, τ = {f['tau_ps']:.3g} ps")
        ax2.set_xlim(0, min(t[-1], 6 * f["tau_ps"]))
    ax2.axhline(record["G_MW_m2K"], color="C3", label=f"G ({record['estimator']}) = "
                f"{record['G_MW_m2K']:.3g} MW/m²K")
    ax2.axhspan(record["G_ci95_low_MW_m2K"], record["G_ci95_high_MW_m2K"], color="C3", alpha=0.2)
    ax2.set(xlabel="t (ps)", ylabel="G (MW m⁻² K⁻¹)", title="Green-Kubo running integral")
    ax2.legend(fontsize="small")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raw", required=True, type=Path)
    parser.add_argument("--run", required=True, type=Path)
    parser.add_argument("--analysis", default="{}", help="analysis options as a JSON string")
    parser.add_argument("--out-json", required=True, type=Path)
    parser.add_argument("--out-csv", required=True, type=Path)
    parser.add_argument("--out-figure", required=True, type=Path)
    args = parser.parse_args(argv)
    record, table, results = analyse(load_replica(args.raw), json.loads(args.run.read_text()),
                                     json.loads(args.analysis))
    with atomic_path(args.out_csv) as tmp:
        write_profile_csv(table, tmp)
    plot(record, results, args.out_figure)
    write_json(args.out_json, record)
    print(f"G = {record['G_MW_m2K']:.4g} MW/m2K [{record['G_ci95_low_MW_m2K']:.4g}, "
          f"{record['G_ci95_high_MW_m2K']:.4g}] ({record['estimator']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
