"""Entry point: R_pp, R_ep and R_total of one two-temperature NEMD run, and its figure.

Reads the run's ``raw.npz``, ``run.json`` and ``geometry.json`` (:mod:`engine.ttm`),
analyses them with :func:`analysis.ttm_run.analyse_ttm_run` and writes ``ttm.json`` (the
resistances with their 95 % intervals, the fitted G_ep, coupling length and κ's, the
Majumdar–Reddy estimate, the energy balance, provenance) and ``ttm.png``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from analysis.io import to_jsonable
from analysis.ttm_run import analyse_ttm_run
from analysis.two_temperature import R_ep_majumdar_reddy
from engine.atomic_io import write_json
from study.figures import style as fs
from study.figures import two_temperature

NOTE = ("classical MD lattice + continuum electrons in the metal (fix ttm/mod): R_total = "
        "R_pp (phonon-phonon at the interface) + R_ep (electron-phonon in the metal)")


def input_coupling_checks(result: dict, electrons_SI: dict | None) -> dict:
    """The fit against the electron–phonon coupling the run was given.

    ``G_ep_input_within_ci95``: whether the input G_ep lies in the fitted G_ep's jackknife
    interval (a two-temperature model that describes the MD profiles must find the
    coupling it was given; outside it a warning); ``R_ep_MR_input_G_m2K_W``: the
    Majumdar–Reddy estimate 1/sqrt(G_ep κ_p) (Appl. Phys. Lett. 84, 4768 (2004)) from the
    input G_ep and the fitted lattice conductivity of the metal, with the interval that
    κ_p's gives (m²K/W).
    """
    if not electrons_SI or not (result.get("kappa_p_W_mK") or 0.0) > 0.0:
        return {}
    g_in = float(electrons_SI["G_ep_W_m3K"])
    out = {"G_ep_input_W_m3K": g_in,
           "R_ep_MR_input_G_m2K_W": R_ep_majumdar_reddy(g_in, result["kappa_p_W_mK"])}
    kp_ci, g_ci = result.get("kappa_p_W_mK_ci95"), result.get("G_ep_W_m3K_ci95")
    out["R_ep_MR_input_G_ci95_m2K_W"] = (
        [R_ep_majumdar_reddy(g_in, kp_ci[1]), R_ep_majumdar_reddy(g_in, kp_ci[0])]
        if kp_ci else None)
    out["G_ep_input_within_ci95"] = (g_ci[0] <= g_in <= g_ci[1]) if g_ci else None
    if g_ci and not out["G_ep_input_within_ci95"]:
        result["warnings"].append(
            f"the fitted electron-phonon coupling {result['G_ep_W_m3K']:.3g} W/m^3K "
            f"[{g_ci[0]:.3g}, {g_ci[1]:.3g}] misses the input {g_in:.3g}: the continuum "
            "two-temperature model does not describe these profiles (non-diffusive lattice "
            "transport near the interface, or a metal too short)")
    return out


def analyse(raw: dict, run: dict, geometry: dict, options: dict) -> dict:
    """The run's record (JSON-ready)."""
    settings = run["settings"]
    result = analyse_ttm_run(raw, geometry, flux_W_m2=float(settings["heat_flux_W_m2"]),
                             **options)
    result |= input_coupling_checks(result, run.get("electrons_SI"))
    balance = run.get("energy_balance") or {}
    scale = abs(balance.get("scale_eV") or 0.0)
    if scale and abs(balance.get("total_eV", 0.0)) > 0.05 * scale:
        result["warnings"].append(f"energy balance off by {balance['total_eV']:.3g} eV of "
                                  f"{scale:.3g} eV passed through: check the time step")
    return to_jsonable({
        "method": "two-temperature", "temperature_K": float(settings["temperature_K"]),
        "potential": settings["potential"], "specorder": settings["specorder"],
        "metal": settings["metal"], "note": NOTE, **result,
        "electrons_SI": run.get("electrons_SI"),
        "electron_capacity_factor": run.get("electron_capacity_factor"),
        "energy_balance": balance, "analysis": options, "provenance": run})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raw", required=True, type=Path)
    parser.add_argument("--run", required=True, type=Path)
    parser.add_argument("--geometry", required=True, type=Path)
    parser.add_argument("--analysis", required=True, help="analysis options as JSON")
    parser.add_argument("--out-json", required=True, type=Path)
    parser.add_argument("--out-figure", required=True, type=Path)
    args = parser.parse_args(argv)
    with np.load(args.raw) as data:
        raw = {k: data[k] for k in data.files}
    record = analyse(raw, json.loads(args.run.read_text()),
                     json.loads(args.geometry.read_text()), json.loads(args.analysis))
    write_json(args.out_json, record)
    with fs.style("quick"):
        fs.save_quick(two_temperature.figure(record, f"{record['metal']} side: two-temperature "
                                             "NEMD", style="quick"), args.out_figure)
    for name in ("R_pp", "R_ep", "R_total"):
        low, high = record[f"{name}_ci95_low_m2K_W"], record[f"{name}_ci95_high_m2K_W"]
        interval = f"[{low:.3e}, {high:.3e}]" if low is not None else "(no interval)"
        print(f"{name} = {record[f'{name}_m2K_W']:.3e} m2K/W {interval}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
