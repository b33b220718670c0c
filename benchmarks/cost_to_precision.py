"""Cost to a target precision: core-hours for the default Si/Cu NEMD to reach a 95% CI
half-width of 10% of R_K.

The default study's replicas (``config/config.yaml``: its system, temperature, seeds,
baths and analysis) are run by the workflow's own NEMD driver, one MPI rank each, and the
sample is grown until the target is met:

* ``--grow length`` (default): the workflow's run-to-target mode
  (:func:`study.nemd_target.run_to_target`, the same loop as a study with
  ``nemd.target``): every round continues every replica from its checkpoints to a longer
  ``production_ps`` chosen by :func:`study.target_policy.decide` (at least
  ``--step-ps``; the missing steady window of a replica that is not converged, else the
  (half-width / target)^2 law), until the target is met or ``--max-ps`` /
  ``--max-core-hours`` is reached;
* ``--grow replicas``: every step adds replicas (the next seeds of the study) of a fixed
  ``--production-ps``.

After each round every replica is analysed and the replicas are combined as in the
workflow (:func:`study.combine.combine`).  The cost is the CPU time of LAMMPS summed
over replicas (:func:`study.nemd_target.core_hours`: loop time x "% CPU use" x MPI
ranks, every segment, equilibration included), in core-hours.  One row per round is
printed; when the target is not reached, the number of replicas it would take is
estimated from the replicas' scatter (and labelled as an estimate).

    python benchmarks/cost_to_precision.py [--grow length|replicas] [--step-ps 50]
        [--max-ps 600] [--max-core-hours H] [--production-ps P] [--max-replicas 16]
        [--target 0.10] [--at-once N]

Input: the default study's relaxed structure (``results/SiCu/structure/``, made by
``make run``).  The runs are kept in ``--outdir`` (default
``results/benchmarks/cost_to_precision``), so an interrupted benchmark continues; copying
the default study's replica folders (``results/SiCu/T300K/nemd/rep*``) there first
continues the very runs of ``make run`` (same settings and seeds) and counts their cost.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np
from scipy import stats

from study.combine import combine
from study.config import (
    analysis_settings,
    load_config,
    nemd_settings,
    nemd_target,
    system_temperatures,
)
from study.nemd_target import core_hours, run_replicas, run_to_target
from study.schema import schema_defaults


def analyse(python: str, folder: Path, analysis: dict) -> Path:
    out = folder / "result.json"
    subprocess.run([python, "-m", "study.analyse_nemd", "--raw", str(folder / "raw.npz"),
                    "--run", str(folder / "run.json"), "--analysis", json.dumps(analysis),
                    "--out-json", str(out), "--out-csv", str(folder / "profile.csv"),
                    "--out-figure", str(folder / "profile.png")],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return out


def target_block(config: dict, system: str, args: argparse.Namespace) -> dict:
    """The study's ``nemd.target`` (else the schema's defaults) with the command line's
    target and budget."""
    target = nemd_target(config, system) or schema_defaults("target")
    return target | {"rel_half_width": args.target, "max_production_ps": args.max_ps,
                     "max_core_hours": args.max_core_hours, "step_ps": args.step_ps}


def grow_length(args, config, temperature, python) -> list[dict]:
    """Rounds of the run-to-target mode, as rows."""
    settings = [nemd_settings(config, args.system, temperature, r)
                | ({"production_ps": args.production_ps} if args.production_ps else {})
                for r in range(config["replicas"])]
    record = run_to_target(
        structure=args.structure / "relaxed.data", info=args.structure / "relaxed.json",
        settings=settings, analysis=analysis_settings(config),
        target=target_block(config, args.system, args), system=args.system,
        workdir=args.outdir, launcher=[str(Path(python).parent / "mpirun")],
        tasks=min(args.at_once or len(settings), len(settings)), python=python,
        log=lambda text: print(text, file=sys.stderr, flush=True))
    (args.outdir / "target.json").write_text(json.dumps(record, indent=1) + "\n")
    return [{"production_ps_per_replica": r["production_ps"], "n_replicas": len(settings),
             "R_K_m2K_W": r["R_K_m2K_W"], "R_K_ci95_low_m2K_W": r["R_K_ci95_low_m2K_W"],
             "R_K_ci95_high_m2K_W": r["R_K_ci95_high_m2K_W"],
             "relative_half_width": r["rel_half_width"], "converged": r["converged"],
             "ci_dof": r["ci_dof"],
             "replica_R_K_m2K_W": [x["R_K_m2K_W"] for x in r["replicas"]],
             "replica_R_K_se_m2K_W": [x["R_K_se_m2K_W"] for x in r["replicas"]],
             "core_hours": r["core_hours"], "decision": r["decision"]}
            for r in record["rounds"]]


def grow_replicas(args, config, temperature, python) -> list[dict]:
    """Replicas of a fixed length added until the target or ``--max-replicas``."""
    analysis = analysis_settings(config)
    n_replicas = config["replicas"]
    production = args.production_ps or nemd_settings(config, args.system, temperature,
                                                     0)["production_ps"]
    rows = []
    while True:
        settings = [nemd_settings(config, args.system, temperature, r)
                    | {"production_ps": production} for r in range(n_replicas)]
        folders = [args.outdir / f"rep{r}" for r in range(len(settings))]
        run_replicas([str(Path(python).parent / "mpirun")], 1, python,
                     args.structure / "relaxed.data", args.structure / "relaxed.json",
                     settings, folders, args.at_once or len(settings))
        records = [json.loads(analyse(python, f, analysis).read_text()) for f in folders]
        combined = combine([f / "result.json" for f in folders], args.system)
        r_k, low, high = (combined[k] for k in ("R_K_m2K_W", "R_K_ci95_low_m2K_W",
                                                "R_K_ci95_high_m2K_W"))
        rows.append({
            "production_ps_per_replica": production, "n_replicas": len(folders),
            "R_K_m2K_W": r_k, "R_K_ci95_low_m2K_W": low, "R_K_ci95_high_m2K_W": high,
            "relative_half_width": None if low is None or high is None else (high - low) / 2 / r_k,
            "converged": combined.get("converged", combined.get("stationary")),
            "ci_dof": combined.get("ci_dof"),
            "replica_R_K_m2K_W": [r["R_K_m2K_W"] for r in records],
            "replica_R_K_se_m2K_W": [r["R_K_se_m2K_W"] for r in records],
            "core_hours": sum(core_hours(f) for f in folders)})
        print(json.dumps(rows[-1]), flush=True)
        width = rows[-1]["relative_half_width"]
        if (width is not None and width <= args.target) or n_replicas >= args.max_replicas:
            return rows
        n_replicas = min(n_replicas + (args.at_once or 2), args.max_replicas)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "config/config.yaml")
    parser.add_argument("--system", default="SiCu")
    parser.add_argument("--structure", type=Path, default=REPO / "results/SiCu/structure")
    parser.add_argument("--outdir", type=Path,
                        default=REPO / "results/benchmarks/cost_to_precision")
    parser.add_argument("--step-ps", type=float, default=50.0,
                        help="smallest extension per round, per replica (ps)")
    parser.add_argument("--max-ps", type=float, default=600.0,
                        help="budget: longest production per replica (ps)")
    parser.add_argument("--max-core-hours", type=float, default=None,
                        help="budget: CPU core-hours of LAMMPS for all replicas")
    parser.add_argument("--target", type=float, default=0.10,
                        help="target 95%% CI half-width as a fraction of R_K")
    parser.add_argument("--at-once", type=int, default=None,
                        help="replicas run side by side (default: all)")
    parser.add_argument("--grow", choices=("length", "replicas"), default="length",
                        help="lengthen every replica (default) or add replicas of a fixed length")
    parser.add_argument("--production-ps", type=float, default=None,
                        help="first production per replica (--grow length) or the fixed one "
                             "(--grow replicas) (ps); default the study's")
    parser.add_argument("--max-replicas", type=int, default=16)
    args = parser.parse_args()
    python = sys.executable
    config = load_config(args.config)
    temperature = system_temperatures(config, args.system)[0]
    grow = grow_length if args.grow == "length" else grow_replicas
    rows = grow(args, config, temperature, python)
    if args.grow == "length":
        for row in rows:
            print(json.dumps(row), flush=True)
    args.outdir.mkdir(parents=True, exist_ok=True)
    (args.outdir / "cost_to_precision.json").write_text(json.dumps(rows, indent=1) + "\n")
    last = rows[-1]
    width = last["relative_half_width"]
    reached = width is not None and width <= args.target
    shown = "none (not converged)" if width is None else f"{width:.1%}"
    print(f"{args.system} at {temperature:g} K: target {args.target:.0%} "
          f"{'reached' if reached else 'NOT reached'} after "
          f"{last['production_ps_per_replica']:g} ps x {last['n_replicas']} replicas, "
          f"{last['core_hours']:.3f} CPU core-hours; R_K = {last['R_K_m2K_W']:.3e} m2K/W, "
          f"95% CI [{last['R_K_ci95_low_m2K_W']}, {last['R_K_ci95_high_m2K_W']}], "
          f"half-width {shown}")
    if not reached:
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
    known = [s for s in ses if s is not None]  # no standard error: a replica not converged
    spread = max(float(np.std(v, ddof=1)) if v.size > 1 else 0.0,
                 float(np.sqrt(np.mean(np.square(known)))) if known else 0.0)
    n = 2
    while stats.t.ppf(0.975, n - 1) * spread / np.sqrt(n) > target * abs(float(v.mean())):
        n += 1
    return n


if __name__ == "__main__":
    sys.exit(main())
