"""Entry point: combine the independent NEMD replicas of one system and temperature."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analysis import combine_replicas
from analysis.io import to_jsonable
from workflow.atomic_io import write_json


def combine(paths: list[Path], system: str) -> dict:
    """Combined record (R_K with its 95% CI over replicas) for one system x temperature."""
    replicas = [json.loads(p.read_text()) for p in paths]
    temperatures = {r["temperature_K"] for r in replicas}
    if len(temperatures) != 1:
        raise ValueError(f"replicas of {system} mix temperatures {sorted(temperatures)}")
    combined = combine_replicas(replicas)
    return {
        "system": system,
        "method": "nemd",
        "temperature_K": temperatures.pop(),
        "potential": replicas[0]["potential"],
        "specorder": replicas[0]["specorder"],
        "note": replicas[0]["note"],
        **to_jsonable(combined),
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
    print(f"{args.system} {record['temperature_K']} K: R_K = {record['R_K_m2K_W']:.3e} m2K/W "
          f"[{record['R_K_ci95_low_m2K_W']:.3e}, {record['R_K_ci95_high_m2K_W']:.3e}], "
          f"{record['n_replicas']} replicas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
