"""Entry point: combine the independent replicas of one system and temperature.

``--method nemd`` combines NEMD replicas (:func:`analysis.combine_replicas`), ``--method
green-kubo`` EMD replicas (:func:`analysis.green_kubo_combine.combine_green_kubo`).  Both give R_K
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


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3e}"


COMBINERS = {"nemd": _nemd, "green-kubo": _green_kubo}


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
