"""MPI parallel efficiency of one NEMD run on a large (>= 20 000-atom) Si/Cu MEAM cell.

Builds the default study's Si/Cu interface with a wider cross-section and longer sides
(``structures.build_bonded_interface``), relaxes it, then runs the NEMD driver for a few
hundred steps under ``mpirun -n 1`` and ``mpirun -n 2`` and reads LAMMPS' own loop timing
of the production run.  With several ranks the driver first moves the z cuts so that
every rank holds the same number of neighbour pairs (``balance_along_z``); the imbalance
factors before and after are printed.  Reported: atom-steps per second and the parallel efficiency
rate(2) / (2 rate(1)) (target >= 85 %).

    python benchmarks/mpi_scaling.py [--lateral-A 43] [--length-A 90] [--steps 300]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from study.config import load_config, nemd_settings

LOOP = re.compile(r"Loop time of ([\d.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms")
IMBALANCE = re.compile(r"initial/final imbalance factor\s*=\s*([\d.]+)\s+([\d.]+)")


def production_rate(log: Path) -> tuple[float, int, int]:
    """Atom-steps/s of the last (production) loop in a LAMMPS log; MPI ranks; atoms."""
    seconds, ranks, steps, atoms = LOOP.findall(log.read_text())[-1]
    return int(steps) * int(atoms) / float(seconds), int(ranks), int(atoms)


def build_and_relax(python: str, mpirun: str, system: dict, folder: Path, ranks: int) -> None:
    """The wide Si/Cu cell, built and relaxed by the workflow's own entry points."""
    subprocess.run([python, "-m", "study.build_structure", "--system", json.dumps(system),
                    "--out-data", folder / "built.data", "--out-info", folder / "built.json"],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([mpirun, "-n", str(ranks), python, "-m", "engine.relax",
                    "--data", folder / "built.data", "--info", folder / "built.json",
                    "--out-data", folder / "relaxed.data", "--out-info", folder / "relaxed.json"],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def timing_breakdown(log: Path) -> list[str]:
    """LAMMPS' per-task timing table (Pair, Neigh, Comm, ...: min/avg/max over ranks) of
    the last run in ``log``."""
    text = log.read_text()
    table = text[text.rindex("MPI task timing breakdown"):].splitlines()[1:10]
    return [line for line in table if "|" in line]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lateral-A", type=float, default=43.0)
    parser.add_argument("--length-A", type=float, default=90.0)
    parser.add_argument("--steps", type=int, default=300, help="production steps (1 fs)")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the cell and the logs here (default: a temporary folder); "
                             "a relaxed cell already there is reused")
    args = parser.parse_args()
    python = sys.executable
    os.environ["OMP_NUM_THREADS"] = "1"  # pure MPI: one thread per rank
    mpirun = str(Path(python).parent / "mpirun")
    config = load_config(REPO / "config/config.yaml")
    system = {"name": "SiCu-large", **config["systems"]["SiCu"], "length_a_A": args.length_A,
              "length_b_A": args.length_A, "min_lateral_A": args.lateral_A,
              "max_lateral_A": args.lateral_A + 12.0}
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.workdir or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        if not (tmp / "relaxed.data").exists():
            build_and_relax(python, mpirun, system, tmp, max(args.ranks))
        settings = nemd_settings(config, "SiCu", 300.0, 0)
        production_ps = args.steps * settings["timestep_fs"] * 1e-3
        settings |= {"equilibration_ps": 0.05, "production_ps": production_ps,
                     "sample_every_ps": production_ps / 2, "restart_every_ps": production_ps,
                     "initial_jump_K": 0.0}
        rates = {}
        for ranks in args.ranks:
            out = tmp / f"n{ranks}"
            shutil.rmtree(out, ignore_errors=True)  # a fresh run, not a resumed one
            subprocess.run([mpirun, "-n", str(ranks), python, "-m", "engine.nemd",
                            "--structure", tmp / "relaxed.data", "--info", tmp / "relaxed.json",
                            "--settings", json.dumps(settings), "--outdir", out],
                           cwd=REPO, check=True, stdout=subprocess.DEVNULL)
            log = out / "log.0.lammps"
            rate, used, atoms = production_rate(log)
            rates[ranks] = rate
            balance = IMBALANCE.findall(log.read_text())
            print(json.dumps({"ranks": used, "atoms": atoms, "atom_steps_per_s": rate,
                              "neighbour_imbalance_initial_final": balance[-1] if balance
                              else None}))
            print("\n".join(timing_breakdown(log)))
    base = min(rates)
    for ranks, rate in sorted(rates.items()):
        efficiency = rate / (ranks / base * rates[base])
        print(f"{ranks} rank(s): {rate / 1e3:.1f} katom-step/s, parallel efficiency "
              f"{100 * efficiency:.0f} % ({atoms} atoms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
