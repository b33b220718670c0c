"""Entry point: run the NEMD replicas of one system x temperature to a target precision.

Each round starts every replica's driver (:mod:`engine.nemd`) as a subprocess,
``{launcher} -n {ranks} python -m engine.nemd ...``, side by side, in its own folder
``<workdir>/rep<r>``; a longer ``production_ps`` continues a run from its checkpoints
(the production length is not part of the run fingerprint, :mod:`engine.run_state`).
Then every replica is analysed (:func:`study.analyse_nemd.analyse`), the replicas are
combined (:func:`study.combine.combine`), the CPU time spent is counted from the LAMMPS
logs (:func:`core_hours`), and :func:`study.target_policy.decide` stops (target met,
budget exhausted) or sets the next production.  The record ``target.json`` holds the
status, every round and the budget used; the replicas' ``raw.npz`` and ``run.json`` are
then the workflow's usual NEMD outputs.

Ranks: ``--tasks`` is the job's total (Snakemake's threads, capped by ``--cores``, or
SLURM's tasks).  Each replica gets ``max(1, tasks // n_replicas)`` ranks and as many
replicas run at once as the tasks hold, so the job never uses more cores than it was
given.  ``--launcher`` is the rule's ``resources.mpi`` (mpirun, or srun inside a SLURM
job).

The rounds are kept in ``<workdir>/rounds.json``: a job killed between rounds starts
again at its last production (the drivers continue from their checkpoints), with the
earlier rounds in its record.

    python -m study.nemd_target --structure relaxed.data --info relaxed.json \
        --system S --settings '[{replica 0}, ...]' --analysis '{...}' --target '{...}' \
        --workdir DIR --launcher mpirun --tasks N --out DIR/target.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from engine.atomic_io import write_json
from engine.run_state import run_fingerprint
from study.jobenv import export_project_path
from study.target_policy import decide

__all__ = ["core_hours", "run_replicas", "run_to_target", "with_convergence"]

REPO = Path(__file__).resolve().parents[1]
ROUNDS_FILE = "rounds.json"
LOOP = re.compile(r"Loop time of ([\d.eE+-]+) on (\d+) procs")
CPU = re.compile(r"([\d.]+)% CPU use with")


def core_hours(folder: Path) -> float:
    """CPU core-hours of one run folder: over every run of every segment, LAMMPS' loop
    time x its "% CPU use" x MPI ranks (from the segment logs ``log.<segment>.lammps``).

    CPU time rather than wall time, so the cost is right even when the machine is shared
    with other jobs; a run that was interrupted and continued still counts every step it
    ran.  The driver's start-up (a second or two per segment) is not included.
    """
    total = 0.0
    for log in Path(folder).glob("log.*.lammps"):
        lines = log.read_text().splitlines()
        for i, line in enumerate(lines):
            loop = LOOP.match(line)
            if not loop:
                continue
            seconds, ranks = float(loop[1]), int(loop[2])
            cpu = next((CPU.match(x) for x in lines[i + 1:i + 5] if CPU.match(x)), None)
            total += seconds * ranks * (float(cpu[1]) / 100.0 if cpu else 1.0)
    return total / 3600.0


def run_replicas(launcher: Sequence[str], ranks: int, python: str, structure: Path, info: Path,
                 settings: Sequence[dict], folders: Sequence[Path], at_once: int) -> None:
    """Run (or continue) every replica's NEMD driver, ``ranks`` each, ``at_once`` at a time.

    The driver's output is appended to ``<folder>/driver.log``; a failed driver raises.
    """
    export_project_path(str(REPO))  # the drivers import this checkout's packages
    # pure MPI: Snakemake sets OMP_NUM_THREADS to the job's threads (all replicas' ranks)
    env = dict(os.environ) | {"OMP_NUM_THREADS": "1"}
    for first in range(0, len(settings), max(1, at_once)):
        jobs = []
        for replica in range(first, min(first + max(1, at_once), len(settings))):
            folder = Path(folders[replica])
            folder.mkdir(parents=True, exist_ok=True)
            log = (folder / "driver.log").open("a")
            jobs.append((subprocess.Popen(
                [*launcher, "-n", str(ranks), python, "-m", "engine.nemd", "--structure",
                 str(structure), "--info", str(info), "--settings",
                 json.dumps(settings[replica]), "--outdir", str(folder)],
                env=env, stdout=log, stderr=subprocess.STDOUT), log))
        failed = []
        for job, log in jobs:
            if job.wait() != 0:
                failed.append(f"{log.name} (exit {job.returncode})")
            log.close()
        if failed:
            raise RuntimeError(f"NEMD driver failed: see {', '.join(failed)}")


def with_convergence(record: dict) -> dict:
    """``record`` with ``converged`` set: its own when the analysis gives it, else its
    ``stationary`` flag (results of analyses older than the convergence criterion)."""
    if "converged" in record:
        return record
    return record | {"converged": bool(record.get("stationary", False))}


def _analyse_round(folders: Sequence[Path], analysis: dict, system: str) -> tuple[list, dict]:
    """Analyse every replica (``<folder>/nemd.json``) and combine them."""
    from study.analyse_nemd import analyse
    from study.combine import combine

    records = []
    for folder in folders:
        record, _ = analyse(folder / "raw.npz", folder / "run.json", analysis)
        write_json(folder / "nemd.json", record)
        records.append(with_convergence(record))
    combined = combine([f / "nemd.json" for f in folders], system)
    if "converged" not in combined:
        combined["converged"] = all(r["converged"] for r in records)
    return records, combined


def _round_row(index: int, production_ps: float, records: list, combined: dict, used: float,
               decision) -> dict:
    return {
        "round": index, "production_ps": production_ps,
        "R_K_m2K_W": combined.get("R_K_m2K_W"),
        "R_K_ci95_low_m2K_W": combined.get("R_K_ci95_low_m2K_W"),
        "R_K_ci95_high_m2K_W": combined.get("R_K_ci95_high_m2K_W"),
        "rel_half_width": decision.rel_half_width, "converged": bool(combined["converged"]),
        "ci_dof": combined.get("ci_dof"),
        "replicas": [{"R_K_m2K_W": r.get("R_K_m2K_W"), "R_K_se_m2K_W": r.get("R_K_se_m2K_W"),
                      "converged": r["converged"], "convergence": r.get("convergence")}
                     for r in records],
        "core_hours": used, "decision": decision.status, "reason": decision.reason,
        "next_production_ps": decision.production_ps if not decision.done else None,
    }


def _fingerprint(settings: Sequence[dict], structure: Path) -> list[dict]:
    """What identifies the runs (:func:`engine.run_state.run_fingerprint`: settings but
    the production length, and the structure), as the drivers check it."""
    return [run_fingerprint(s, structure) for s in settings]


def _resume(workdir: Path, fingerprint: list[dict], start: float,
            target: dict) -> tuple[list, float]:
    """Earlier rounds of these same runs and the production to start at (ps)."""
    path = workdir / ROUNDS_FILE
    if not path.exists():
        return [], start
    stored = json.loads(path.read_text())
    if stored.get("runs") != fingerprint:
        return [], start
    rounds = stored["rounds"]
    last = max((r["next_production_ps"] or r["production_ps"] for r in rounds), default=start)
    if target.get("max_production_ps") is not None:
        last = min(last, float(target["max_production_ps"]))
    return rounds, max(start, last)


def run_to_target(*, structure: Path, info: Path, settings: Sequence[dict], analysis: dict,
                  target: dict, system: str, workdir: Path, launcher: Sequence[str], tasks: int,
                  python: str = sys.executable, log=print) -> dict:
    """Run, analyse, combine and extend the replicas until the target or the budget.

    Parameters
    ----------
    structure, info : Path
        Relaxed structure (LAMMPS data) and its JSON.
    settings : sequence of dict
        The NEMD driver settings of every replica (:func:`study.config.nemd_settings`);
        their ``production_ps`` is the first round's.
    analysis : dict
        Analysis settings (:func:`study.config.analysis_settings`).
    target : dict
        The ``nemd.target`` block (defaults filled).
    system : str
        System name (for the combined record).
    workdir : Path
        Folder of the runs (``rep<r>/``) and of ``rounds.json``.
    launcher : sequence of str
        MPI launcher, e.g. ``["mpirun"]`` or ``["srun", "--mpi=pmi2"]``.
    tasks : int
        MPI ranks the job may use in total.

    Returns
    -------
    dict
        The ``target.json`` record: ``status``, ``reason``, ``rounds``, ``production_ps``
        (per round), ``rel_half_width`` and ``core_hours`` (final), ``target``, ...
    """
    n = len(settings)
    ranks = max(1, tasks // n)
    at_once = max(1, tasks // ranks)
    folders = [Path(workdir) / f"rep{r}" for r in range(n)]
    equilibration, restart = (float(settings[0][k]) for k in ("equilibration_ps",
                                                              "restart_every_ps"))
    fingerprint = _fingerprint(settings, Path(structure))
    rounds, production = _resume(Path(workdir), fingerprint,
                                 float(settings[0]["production_ps"]), target)
    while True:
        run_replicas(launcher, ranks, python, structure, info,
                     [s | {"production_ps": production} for s in settings], folders, at_once)
        records, combined = _analyse_round(folders, analysis, system)
        used = sum(core_hours(f) for f in folders)
        decision = decide(combined, records, production_ps=production,
                          equilibration_ps=equilibration, restart_every_ps=restart,
                          core_hours_used=used, target=target)
        rounds.append(_round_row(len(rounds), production, records, combined, used, decision))
        write_json(Path(workdir) / ROUNDS_FILE, {"runs": fingerprint, "rounds": rounds})
        log(f"round {len(rounds) - 1}: {production:g} ps x {n} replicas, {used:.4g} core-hours: "
            f"{decision.status}: {decision.reason}")
        if decision.done:
            break
        production = decision.production_ps
    return {
        "system": system, "temperature_K": float(settings[0]["temperature_K"]),
        "status": decision.status, "reason": decision.reason, "target": dict(target),
        "production_ps": [r["production_ps"] for r in rounds], "rounds": rounds,
        "rel_half_width": decision.rel_half_width, "core_hours": used,
        "n_replicas": n, "ranks_per_replica": ranks, "replicas_at_once": at_once,
        "replica_dirs": [str(f) for f in folders],
    }


def summary_fields(record: dict) -> dict:
    """The keys a combined record takes from a ``target.json`` record."""
    return {"target_status": record["status"],
            "target": {k: record[k] for k in ("status", "reason", "target", "production_ps",
                                              "rel_half_width", "core_hours")}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--structure", required=True, type=Path, help="relaxed LAMMPS data file")
    parser.add_argument("--info", required=True, type=Path, help="structure JSON (relaxed.json)")
    parser.add_argument("--system", required=True)
    parser.add_argument("--settings", required=True,
                        help="JSON list: the NEMD driver settings of every replica")
    parser.add_argument("--analysis", default="{}", help="analysis settings as a JSON string")
    parser.add_argument("--target", required=True, help="the nemd.target block as JSON")
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--launcher", default="mpirun", help="MPI launcher (mpirun, srun ...)")
    parser.add_argument("--tasks", type=int, default=1, help="MPI ranks for all replicas")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    record = run_to_target(
        structure=args.structure, info=args.info, settings=json.loads(args.settings),
        analysis=json.loads(args.analysis), target=json.loads(args.target), system=args.system,
        workdir=args.workdir, launcher=shlex.split(args.launcher), tasks=max(1, args.tasks),
        python=args.python, log=lambda text: print(text, flush=True))
    write_json(args.out, record)
    print(f"{args.system} {record['temperature_K']:g} K: {record['status']} after "
          f"{len(record['rounds'])} round(s), {record['production_ps'][-1]:g} ps per replica, "
          f"{record['core_hours']:.4g} CPU core-hours")
    return 0


if __name__ == "__main__":
    sys.exit(main())
