"""Entry point: the study's summary table (results/summary.csv) and R_K(T) figure.

One row per system x temperature x method, R_K in m^2K/W with its 95% confidence
interval, G in MW/m^2K, and the bookkeeping a reader needs (replicas, blocks, flags).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

from engine.atomic_io import atomic_path
from study.figures import conductance
from study.figures import style as fs

COLUMNS = [
    "system", "temperature_K", "method", "R_K_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W",
    "G_MW_m2K", "G_ci95_low_MW_m2K", "G_ci95_high_MW_m2K", "R_K_sys_m2K_W",
    "R_K_total_ci95_low_m2K_W", "R_K_total_ci95_high_m2K_W", "delta_T_K", "flux_W_m2",
    "kappa_A_W_mK", "kappa_A_lower_bound_W_mK", "kappa_B_W_mK", "kappa_B_lower_bound_W_mK",
    "n_replicas", "n_blocks", "flux_imbalance", "converged", "linear_response", "stationary",
    "potential", "gamma_a_J_m2", "gamma_b_J_m2", "gamma_int_J_m2", "work_of_adhesion_J_m2",
    "registry_rank", "R_pp_m2K_W", "R_pp_ci95_low_m2K_W", "R_pp_ci95_high_m2K_W", "R_ep_m2K_W",
    "R_ep_ci95_low_m2K_W", "R_ep_ci95_high_m2K_W", "note", "target_status", "flags", "warnings",
]
#: Columns taken from the system's structure record (bonded interfaces built with
#: registry_search: surface, interface and adhesion energies in J/m², structures/adhesion.py).
STRUCTURE_COLUMNS = ("gamma_a_J_m2", "gamma_b_J_m2", "gamma_int_J_m2", "work_of_adhesion_J_m2",
                     "registry_rank")
# Short aliases required by downstream users (same numbers).
ALIASES = {"R_K_ci95_low": "R_K_ci95_low_m2K_W", "R_K_ci95_high": "R_K_ci95_high_m2K_W"}


def flags(record: dict) -> str:
    """Why a result must be read with care, in a few words separated by "; " (or "")."""
    out = []
    if record.get("physically_valid") is False:
        out.append("physically invalid: no valid replica (a side melted or the baths failed; "
                   "see physical_checks in the replica records)")
    elif record.get("excluded_replicas"):
        out.append(f"replicas {record['excluded_replicas']} physically invalid, left out")
    if record.get("converged") is False:
        out.append("not converged: no interval, run longer (see its record's convergence)")
    if record.get("linear_response") is False:
        out.append("outside linear response: Delta T > max_jump_fraction x T, lower the flux")
    if record.get("stationary") is False:
        out.append("not stationary")
    if record.get("linear_A") is False or record.get("linear_B") is False:
        out.append("profile not linear")
    if any("disagree" in w for w in record.get("warnings", [])):
        out.append("replicas disagree")
    if any("wrong sign" in w for w in record.get("warnings", [])):
        out.append("gradient of wrong sign")
    if any("mean temperature off nominal" in w for w in record.get("warnings", [])):
        out.append("mean temperature off nominal")
    out += record.get("summary_flags") or []  # the method's own (e.g. AGF: deterministic)
    return "; ".join(out)


def summary_rows(records: list[dict], structures: dict[str, dict] | None = None) -> list[dict]:
    """Rows of the summary table, sorted by system, method and temperature.

    ``structures`` maps a system name to its structure record (``relaxed.json``), whose
    :data:`STRUCTURE_COLUMNS` join the rows of that system (empty when absent).
    """
    rows = []
    for rec in records:
        structure = (structures or {}).get(rec.get("system")) or {}
        row = {key: rec.get(key) for key in COLUMNS}
        row.update({key: structure.get(key) for key in STRUCTURE_COLUMNS})
        row["flags"] = flags(rec)
        row["warnings"] = " | ".join(rec.get("warnings") or [])
        row.update({alias: rec.get(source) for alias, source in ALIASES.items()})
        rows.append(row)
    return sorted(rows, key=lambda r: (r["system"], r["method"], float(r["temperature_K"])))


def _finite(value, default):
    """``value`` as a float when it is a finite number, else ``default`` (None/inf/NaN)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def write_summary(rows: list[dict], path: Path) -> None:
    """Write the table atomically (values as given; None -> empty cell)."""
    fields = COLUMNS[:6] + list(ALIASES) + COLUMNS[6:]
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in fields})


def plot_summary(rows: list[dict], path: Path, study: str) -> None:
    """R_K against temperature per system and method, with 95% CI error bars
    (:mod:`study.figures.conductance`)."""
    with fs.style("quick"):
        fs.save_quick(conductance.figure(rows, study, style="quick"), path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--study", default="kapitza")
    parser.add_argument("--out-csv", required=True, type=Path)
    parser.add_argument("--out-figure", required=True, type=Path)
    parser.add_argument("--structures", nargs="*", type=Path, default=[],
                        help="structure records RESULTS/SYSTEM/structure/relaxed.json")
    parser.add_argument("combined", nargs="+", type=Path)
    args = parser.parse_args(argv)
    structures = {p.parent.parent.name: json.loads(p.read_text()) for p in args.structures}
    rows = summary_rows([json.loads(p.read_text()) for p in args.combined], structures)
    write_summary(rows, args.out_csv)
    plot_summary(rows, args.out_figure, args.study)
    for row in rows:
        low, high = (_finite(row[k], math.inf) for k in ("R_K_ci95_low_m2K_W",
                                                         "R_K_ci95_high_m2K_W"))
        interval = (f"[{low:.3e}, {high:.3e}] (95% CI, inf = unbounded)"
                    if row.get("R_K_ci95_low_m2K_W") is not None
                    else "deterministic: no statistical interval" if "deterministic" in row["flags"]
                    else "no interval: not converged")
        print(f"{row['system']:>12} {row['temperature_K']:>7} K {row['method']:>10}: "
              f"R_K = {row['R_K_m2K_W']:.3e} m2K/W {interval}, "
              f"G = {row['G_MW_m2K']:.1f} MW/m2K" + (f"  [{row['flags']}]" if row['flags'] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
