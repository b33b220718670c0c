"""Entry point: combine the independent replicas of one system and temperature.

``--method nemd`` combines NEMD replicas (:func:`analysis.combine_replicas`), ``--method
green-kubo`` EMD replicas (:func:`analysis.green_kubo_combine.combine_green_kubo`),
``--method two-temperature`` two-temperature NEMD runs (R_pp, R_ep, R_total).  All give R_K
with its 95% CI over replicas and the same bookkeeping (files, seeds, provenance).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analysis.io import to_jsonable
from engine.atomic_io import write_json


def _nemd(replicas: list[dict]) -> dict:
    from analysis import combine_replicas

    return to_jsonable(combine_replicas(replicas))


def _green_kubo(replicas: list[dict]) -> dict:
    from analysis.green_kubo_combine import combine_green_kubo

    every = replicas
    valid = [r for r in every if r.get("physically_valid", True)]
    excluded = [i for i, r in enumerate(every) if not r.get("physically_valid", True)]
    replicas = valid or every
    return {
        "physically_valid": bool(valid),
        "excluded_replicas": excluded,
        "estimator": replicas[0]["estimator"],
        **combine_green_kubo(replicas),
        "replicas": [{k: r[k] for k in ("G_MW_m2K", "G_se_MW_m2K", "tau_ps")} for r in replicas],
        "n_blocks": replicas[0]["analysis"]["n_blocks"],
        # the cell (the same in every replica), for the internal-resistance correction
        **{k: replicas[0].get(k) for k in ("side_lengths_A", "n_atoms_a", "n_atoms_b",
                                           "area_A2")},
        "stationary": all(r["convergence"]["converged"] for r in replicas),
        "warnings": [f"replica {i}: {w}" for i, r in enumerate(every) for w in r["warnings"]]
        + ([f"replicas {excluded} left out of the combination: physically invalid"]
           if excluded else []),
    }


def _two_temperature(replicas: list[dict]) -> dict:
    """R_pp, R_ep and R_total over replicas: inverse-variance mean with Birge inflation
    (:func:`analysis.replicas.weighted_mean_birge`); no interval unless every replica has
    one.  R_K is R_total, G its inverse."""
    from analysis.replicas import weighted_mean_birge
    from analysis.ttm_run import RESISTANCES

    converged = all(r["converged"] for r in replicas)
    out = {"converged": converged, "n_replicas": len(replicas),
           "n_blocks": replicas[0]["n_blocks"]}
    for name in RESISTANCES:
        values = [r[f"{name}_m2K_W"] for r in replicas]
        if converged and all((r[f"{name}_se_m2K_W"] or 0.0) > 0.0 for r in replicas):
            comb = weighted_mean_birge(values, [r[f"{name}_se_m2K_W"] for r in replicas],
                                       [r["ci_dof"] for r in replicas])
            out |= {f"{name}_m2K_W": comb["mean"], f"{name}_se_m2K_W": comb["se"],
                    f"{name}_ci95_low_m2K_W": comb["low"],
                    f"{name}_ci95_high_m2K_W": comb["high"]}
        else:
            known = [v for v in values if v is not None]
            out |= {f"{name}_m2K_W": sum(known) / len(known) if known else None,
                    f"{name}_se_m2K_W": None, f"{name}_ci95_low_m2K_W": None,
                    f"{name}_ci95_high_m2K_W": None}
    r, low, high = (out[f"R_total{k}_m2K_W"] for k in ("", "_ci95_low", "_ci95_high"))
    out |= {"R_K_m2K_W": r, "R_K_se_m2K_W": out["R_total_se_m2K_W"],
            "R_K_ci95_low_m2K_W": low, "R_K_ci95_high_m2K_W": high,
            "G_MW_m2K": 1e-6 / r,
            "G_ci95_low_MW_m2K": 1e-6 / high if high and high > 0 else None,
            "G_ci95_high_MW_m2K": 1e-6 / low if low and low > 0 else None}
    for key in ("G_ep_W_m3K", "G_ep_W_m3K_ci95", "G_ep_input_within_ci95", "coupling_length_nm",
                "kappa_p_W_mK", "kappa_p_W_mK_ci95", "kappa_e_W_mK", "R_ep_MR_input_G_m2K_W",
                "R_ep_MR_input_G_ci95_m2K_W", "metal_length_A", "electrons_SI",
                "electron_capacity_factor"):
        out[key] = [rep.get(key) for rep in replicas]
    out["warnings"] = [f"replica {i}: {w}" for i, rep in enumerate(replicas)
                       for w in rep["warnings"]]
    return to_jsonable(out)


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3e}"


COMBINERS = {"nemd": _nemd, "green-kubo": _green_kubo, "two-temperature": _two_temperature}


def combine(paths: list[Path], system: str, method: str = "nemd") -> dict:
    """Combined record (R_K with its 95% CI over replicas) for one system x temperature."""
    replicas = [json.loads(p.read_text()) for p in paths]
    temperatures = {r["temperature_K"] for r in replicas}
    if len(temperatures) != 1:
        raise ValueError(f"replicas of {system} mix temperatures {sorted(temperatures)}")
    return {
        "system": system,
        "method": method,
        "temperature_K": temperatures.pop(),
        "potential": replicas[0]["potential"],
        "specorder": replicas[0]["specorder"],
        "note": replicas[0]["note"],
        **COMBINERS[method](replicas),
        "replica_files": [str(p) for p in paths],
        "seeds": [r["provenance"]["settings"]["seeds"] for r in replicas],
        "provenance": replicas[0]["provenance"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--system", required=True)
    parser.add_argument("--temperature", required=True)
    parser.add_argument("--method", choices=sorted(COMBINERS), default="nemd")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--target", type=Path, default=None,
                        help="target.json of a run to a target precision (study.nemd_target)")
    parser.add_argument("replicas", nargs="+", type=Path)
    args = parser.parse_args(argv)
    record = combine(args.replicas, args.system, args.method)
    if args.target is not None:
        from study.nemd_target import summary_fields

        record |= summary_fields(json.loads(args.target.read_text()))
    write_json(args.out, record)
    low, value, high = (_fmt(record.get(k)) for k in (
        "R_K_ci95_low_m2K_W", "R_K_m2K_W", "R_K_ci95_high_m2K_W"))
    print(f"{args.system} {record['temperature_K']} K ({args.method}): R_K = {value} m2K/W "
          f"[{low}, {high}] (95% CI; n/a = unbounded), {record['n_replicas']} replicas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
