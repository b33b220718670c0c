"""Cost to a target precision: core-hours for the default Si/Cu NEMD to reach a 95% CI
half-width of 10% of R_K.

The default study's replicas (``config/config.yaml``: its system, temperature, seeds,
baths and analysis) are run by the workflow's own NEMD driver, one MPI rank each, and the
sample is grown step by step until the target is met:

* ``--grow length`` (default): every step raises ``production_ps`` of every replica by
  ``--step-ps`` and the driver continues from its checkpoints (the production length is
  not part of a run's fingerprint);
* ``--grow replicas``: every step adds replicas (the next seeds of the study) of a fixed
  ``--production-ps``.

After each step every replica is analysed by ``workflow.analyse_nemd`` and the replicas
are combined as in the workflow (:func:`workflow.combine.combine`: inverse-variance mean,
inflated by the Birge ratio, t interval with n-1 degrees of freedom when the replicas
disagree).  The cost is the CPU time of LAMMPS summed over replicas (loop time x "% CPU
use" x MPI ranks, every segment, equilibration included), in core-hours.  One row per
step is printed; when the target is not reached, the number of replicas it would take is
estimated from the replicas' scatter (and labelled as an estimate).

    python benchmarks/cost_to_precision.py [--grow length|replicas] [--step-ps 50]
        [--max-ps 600] [--production-ps P] [--max-replicas 16] [--target 0.10] [--at-once N]

Input: the default study's relaxed structure (``results/SiCu/structure/``, made by
``make run``).  The runs are kept in ``--outdir`` (default
``results/benchmarks/cost_to_precision``), so an interrupted benchmark continues; copying
the default study's replica folders (``results/SiCu/T300K/nemd/rep*``) there first
continues the very runs of ``make run`` (same settings and seeds) and counts their cost.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np
from scipy import stats

from workflow.combine import combine
from workflow.config import analysis_settings, load_config, nemd_settings, system_temperatures

LOOP = re.compile(r"Loop time of ([\d.eE+-]+) on (\d+) procs")
CPU = re.compile(r"([\d.]+)% CPU use with")


def run_replicas(python: str, structure: Path, settings: list[dict], outdir: Path,
                 at_once: int) -> None:
    """Run (or continue) every replica's NEMD driver, one rank each, ``at_once`` at a time."""
    mpirun = str(Path(python).parent / "mpirun")
    env = os.environ | {"OMP_NUM_THREADS": "1"}
    for first in range(0, len(settings), at_once):
        jobs = []
        for replica in range(first, min(first + at_once, len(settings))):
            folder = outdir / f"rep{replica}"
            folder.mkdir(parents=True, exist_ok=True)
            log = (folder / "driver.log").open("a")
            jobs.append((subprocess.Popen(
                [mpirun, "-n", "1", python, "-m", "workflow.nemd", "--structure",
                 str(structure / "relaxed.data"), "--info", str(structure / "relaxed.json"),
                 "--settings", json.dumps(settings[replica]), "--outdir", str(folder)],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT), log))
        for job, log in jobs:
            code = job.wait()
            log.close()
            if code != 0:
                raise RuntimeError(f"NEMD driver failed (exit {code}); see {log.name}")


def core_hours(folder: Path) -> float:
    """CPU core-hours of one replica: over every run of every segment, LAMMPS' loop time x
    its "% CPU use" x MPI ranks (from the segment logs ``log.<segment>.lammps``).

    CPU time rather than wall time, so the cost is right even when the machine is shared
    with other jobs; a benchmark that was interrupted and continued still counts every
    step it ran.  The driver's start-up (a second or two per segment) is not included.
    """
    total = 0.0
    for log in folder.glob("log.*.lammps"):
        lines = log.read_text().splitlines()
        for i, line in enumerate(lines):
            loop = LOOP.match(line)
            if not loop:
                continue
            seconds, ranks = float(loop[1]), int(loop[2])
            cpu = next((CPU.match(x) for x in lines[i + 1:i + 5] if CPU.match(x)), None)
            total += seconds * ranks * (float(cpu[1]) / 100.0 if cpu else 1.0)
    return total / 3600.0


def analyse(python: str, folder: Path, analysis: dict) -> Path:
    out = folder / "result.json"
    subprocess.run([python, "-m", "workflow.analyse_nemd", "--raw", str(folder / "raw.npz"),
                    "--run", str(folder / "run.json"), "--analysis", json.dumps(analysis),
                    "--out-json", str(out), "--out-csv", str(folder / "profile.csv"),
                    "--out-figure", str(folder / "profile.png")],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "config/config.yaml")
    parser.add_argument("--system", default="SiCu")
    parser.add_argument("--structure", type=Path, default=REPO / "results/SiCu/structure")
    parser.add_argument("--outdir", type=Path,
                        default=REPO / "results/benchmarks/cost_to_precision")
    parser.add_argument("--step-ps", type=float, default=50.0,
                        help="production added per step, per replica (ps)")
    parser.add_argument("--max-ps", type=float, default=600.0,
                        help="give up beyond this production per replica (ps)")
    parser.add_argument("--target", type=float, default=0.10,
                        help="target 95%% CI half-width as a fraction of R_K")
    parser.add_argument("--at-once", type=int, default=None,
                        help="replicas run side by side (default: all)")
    parser.add_argument("--grow", choices=("length", "replicas"), default="length",
                        help="lengthen every replica (default) or add replicas of a fixed length")
    parser.add_argument("--production-ps", type=float, default=None,
                        help="with --grow replicas: the fixed production per replica (ps)")
    parser.add_argument("--max-replicas", type=int, default=16)
    args = parser.parse_args()
    python = sys.executable
    config = load_config(args.config)
    temperature = system_temperatures(config, args.system)[0]
    analysis = analysis_settings(config)
    n_replicas = config["replicas"]
    production = args.production_ps or nemd_settings(config, args.system, temperature,
                                                     0)["production_ps"]
    rows = []
    while True:
        settings = [nemd_settings(config, args.system, temperature, r)
                    | {"production_ps": production} for r in range(n_replicas)]
        run_replicas(python, args.structure, settings, args.outdir,
                     args.at_once or len(settings))
        folders = [args.outdir / f"rep{r}" for r in range(len(settings))]
        records = [json.loads(analyse(python, f, analysis).read_text()) for f in folders]
        combined = combine([f / "result.json" for f in folders], args.system)
        r_k = combined["R_K_m2K_W"]
        half = (combined["R_K_ci95_high_m2K_W"] - combined["R_K_ci95_low_m2K_W"]) / 2
        row = {"production_ps_per_replica": production, "n_replicas": len(folders),
               "R_K_m2K_W": r_k, "R_K_ci95_low_m2K_W": combined["R_K_ci95_low_m2K_W"],
               "R_K_ci95_high_m2K_W": combined["R_K_ci95_high_m2K_W"],
               "relative_half_width": half / r_k, "stationary": combined["stationary"],
               "ci_dof": combined["ci_dof"],
               "replica_R_K_m2K_W": [r["R_K_m2K_W"] for r in records],
               "replica_R_K_se_m2K_W": [r["R_K_se_m2K_W"] for r in records],
               "core_hours": sum(core_hours(f) for f in folders)}
        rows.append(row)
        print(json.dumps(row), flush=True)
        if row["relative_half_width"] <= args.target:
            break
        if args.grow == "length":
            if production >= args.max_ps:
                break
            production = min(production + args.step_ps, args.max_ps)
        else:
            if n_replicas >= args.max_replicas:
                break
            n_replicas = min(n_replicas + (args.at_once or 2), args.max_replicas)
    (args.outdir / "cost_to_precision.json").write_text(json.dumps(rows, indent=1) + "\n")
    last = rows[-1]
    reached = "reached" if last["relative_half_width"] <= args.target else "NOT reached"
    print(f"{args.system} at {temperature:g} K: target {args.target:.0%} {reached} after "
          f"{last['production_ps_per_replica']:g} ps x {last['n_replicas']} replicas, "
          f"{last['core_hours']:.3f} CPU core-hours; R_K = "
          f"{last['R_K_m2K_W']:.3e} m2K/W, 95% CI [{last['R_K_ci95_low_m2K_W']:.3e}, "
          f"{last['R_K_ci95_high_m2K_W']:.3e}], half-width {last['relative_half_width']:.1%}")
    if reached == "NOT reached":
        estimate = replicas_for_target(last["replica_R_K_m2K_W"], last["replica_R_K_se_m2K_W"],
                                       args.target)
        per_replica = last["core_hours"] / last["n_replicas"]
        print(f"estimate (not run): {estimate} replicas of "
              f"{last['production_ps_per_replica']:g} ps, about {estimate * per_replica:.2f} "
              f"CPU core-hours, from the scatter of these {last['n_replicas']} replicas")
    return 0


def replicas_for_target(values: list[float], ses: list[float], target: float) -> int:
    """Smallest n with t(0.975, n-1) s/sqrt(n) <= target x mean: replicas of this length
    needed for the target when they are combined by their scatter.  ``s`` is the larger of
    the replicas' sample standard deviation and their rms standard error (an estimate:
    with few replicas ``s`` itself is uncertain)."""
    v = np.asarray(values, dtype=float)
    spread = max(float(np.std(v, ddof=1)) if v.size > 1 else 0.0,
                 float(np.sqrt(np.mean(np.square(ses)))))
    n = 2
    while stats.t.ppf(0.975, n - 1) * spread / np.sqrt(n) > target * abs(float(v.mean())):
        n += 1
    return n


if __name__ == "__main__":
    sys.exit(main())
