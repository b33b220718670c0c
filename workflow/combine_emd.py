"""Entry point: combine the independent EMD (Green-Kubo) replicas of one system and temperature."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analysis.green_kubo import combine_green_kubo
from workflow.atomic_io import write_json


def combine(paths: list[Path], system: str) -> dict:
    """Combined record (G, R_K = 1/G with 95 % CIs over replicas), ``method = "green-kubo"``."""
    replicas = [json.loads(p.read_text()) for p in paths]
    temperatures = {r["temperature_K"] for r in replicas}
    if len(temperatures) != 1:
        raise ValueError(f"replicas of {system} mix temperatures {sorted(temperatures)}")
    return {
        "system": system,
        "temperature_K": temperatures.pop(),
        "potential": replicas[0]["potential"],
        "specorder": replicas[0]["specorder"],
        "note": replicas[0]["note"],
        "estimator": replicas[0]["estimator"],
        **combine_green_kubo(replicas),
        "replicas": [{k: r[k] for k in ("G_MW_m2K", "G_se_MW_m2K", "tau_ps")} for r in replicas],
        "warnings": [f"replica {i}: {w}" for i, r in enumerate(replicas) for w in r["warnings"]],
        "replica_files": [str(p) for p in paths],
        "seeds": [r["provenance"]["settings"]["seeds"] for r in replicas],
        "provenance": replicas[0]["provenance"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--system", required=True)
    parser.add_argument("--temperature", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("replicas", nargs="+", type=Path)
    args = parser.parse_args(argv)
    record = combine(args.replicas, args.system)
    write_json(args.out, record)
    print(f"{args.system} {record['temperature_K']} K: G = {record['G_MW_m2K']:.4g} MW/m2K "
          f"[{record['G_ci95_low_MW_m2K']:.4g}, {record['G_ci95_high_MW_m2K']:.4g}], "
          f"{record['n_replicas']} replicas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
