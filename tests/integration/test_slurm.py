"""End to end on a real SLURM: the tiny LJ study through profiles/slurm, 2 MPI ranks per run.

The module starts a private one-node SLURM cluster (tests/integration/slurm_cluster.py: Debian's
slurmctld/slurmd/munge, installed with apt-get when missing only if
KAPITZA_SLURM_INSTALL=1; 2 CPUs on 127.0.0.1,
MpiDefault=pmi2, no accounting), runs config/test_lj.yaml, shortened and without its EMD
block, with

    cd <tmp> && python -m snakemake --snakefile <repo>/Snakefile
        --workflow-profile <repo>/profiles/slurm --configfile <copy>
        --set-resources <every entry of the profile's set-resources, with tasks=2>
        --slurm-init-seconds-before-status-checks 2 --slurm-keep-successful-logs

and checks that every job was a SLURM job and that the LAMMPS runs' 2 ranks, started by
srun, formed one MPI world (not two 1-rank copies).  The daemons are stopped at the end
of the module; results, .snakemake/ and the SLURM logs stay in pytest's temporary folder
(the working directory).  About 4-7 minutes on 2 cores, most of it the plugin's status
polling (2 s, then +10 s per poll while no job finishes), not computation.

Skipped when KAPITZA_SKIP_SLURM=1, when the SLURM executor plugin is not installed, and
when the machine cannot have SLURM (not installed and KAPITZA_SLURM_INSTALL unset, not
root or no apt-get to install it, no package source reachable, or SLURM daemons of
someone else already running).
"""

from __future__ import annotations

import csv
import json
import os
import re
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, SNAKEMAKE, clean_env, run, write_config

if os.environ.get("KAPITZA_SKIP_SLURM") == "1":
    pytest.skip("KAPITZA_SKIP_SLURM=1: SLURM end-to-end test skipped", allow_module_level=True)
pytest.importorskip("snakemake_executor_plugin_slurm",
                    reason="the Snakemake SLURM executor plugin is not installed "
                           "(pip install snakemake-executor-plugin-slurm)")

from tests.integration.slurm_cluster import LocalSlurm, SlurmUnavailable, which

pytestmark = [pytest.mark.slurm, pytest.mark.lammps, pytest.mark.snakemake, pytest.mark.slow]

PROFILE = REPO / "profiles" / "slurm"
MPI_RULES = ("relax_structure", "nemd_run")  # emd_run: EMD block dropped (time)
RANKS = 2  # the test node has 2 CPUs
T_K = 40.0
# Short runs: SLURM and Snakemake start-up dominate anyway.  200 samples of the bath
# energies (the flux analysis needs >= 32 after the transient).
NEMD = {"production_ps": 50.0, "sample_every_ps": 0.25, "restart_every_ps": 50.0}


def set_resources_args(ranks: int) -> list[str]:
    """The profile's set-resources entries with ``tasks`` replaced by ``ranks``.

    A --set-resources on the command line replaces the profile's whole key, so every
    entry (the srun launcher included) is repeated here.
    """
    profile = yaml.safe_load((PROFILE / "config.yaml").read_text())
    return [f"{rule}:{name}={value}"
            for rule, resources in profile["set-resources"].items()
            for name, value in {**resources, "tasks": ranks}.items()]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    slurm = LocalSlurm(tmp_path_factory.mktemp("slurm"), cpus=RANKS)
    try:
        slurm.start()
    except SlurmUnavailable as reason:
        pytest.skip(f"no SLURM on this machine: {reason}")
    try:
        yield slurm
    finally:
        pids = slurm.pids
        slurm.stop()
        alive = {name: pid for name, pid in pids.items() if Path(f"/proc/{pid}").exists()}
        assert not alive, f"daemons still running after stop: {alive}"


@pytest.fixture(scope="module")
def study(cluster, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("slurm_study")  # also the working directory:
    results = root / "results"                     # .snakemake/ goes there, not into
    slurm_logs = root / ".snakemake" / "slurm_logs"  # the repository
    base = yaml.safe_load((REPO / "config" / "test_lj.yaml").read_text())
    config_file = write_config(REPO / "config" / "test_lj.yaml", root / "lj.yaml", results,
                               nemd={**base["nemd"], **NEMD})
    config = yaml.safe_load(config_file.read_text())
    config.pop("emd", None)  # NEMD only: the EMD runs would add ~4 minutes of polling
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    cmd = [*SNAKEMAKE, "--snakefile", REPO / "Snakefile", "--workflow-profile", PROFILE,
           "--configfile", config_file, "--set-resources", *set_resources_args(RANKS),
           "--slurm-init-seconds-before-status-checks", "2", "--slurm-keep-successful-logs"]
    start = time.monotonic()
    result = run(cmd, timeout=1200, cwd=root, env=clean_env())
    wall = time.monotonic() - start
    print(f"\nsnakemake on SLURM: {wall:.0f} s")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    return {"cmd": cmd, "output": output, "results": results, "slurm_logs": slurm_logs,
            "wall_s": wall}


def submitted_jobs(output: str) -> dict[str, str]:
    """SLURM job id -> SLURM log path, from Snakemake's 'submitted with SLURM jobid' lines."""
    return dict(re.findall(r"has been submitted with SLURM jobid (\d+) \(log: ([^)]+)\)",
                           output))


def scontrol_job(job_id: str) -> str:
    out = run([which("scontrol"), "show", "job", job_id], timeout=30, env=clean_env())
    assert out.returncode == 0, out.stderr  # MinJobAge=3600 keeps finished jobs
    return out.stdout


def test_snakemake_succeeded_and_wrote_the_summary(study):
    using = next(line for line in study["output"].splitlines() if line.startswith("Using"))
    assert str(PROFILE) in using and "profiles/default" not in using, using
    with open(study["results"] / "summary.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["method"] for r in rows] == ["nemd"]
    (row,) = rows
    assert row["system"] == "LJ-AB" and float(row["temperature_K"]) == T_K
    assert int(row["n_replicas"]) == 2 and float(row["R_K_m2K_W"]) > 0
    assert (study["results"] / "figures" / "R_K_vs_T.png").stat().st_size > 10_000


def test_every_job_was_a_slurm_job(study):
    """Each job but `all` went through sbatch, ran to completion, and left <jobid>.log."""
    output = study["output"]
    jobs = submitted_jobs(output)
    n_steps = int(re.search(r"(\d+) of \1 steps \(100%\) done", output).group(1))
    assert len(jobs) == n_steps - 1, (jobs, n_steps)  # the target rule `all` is local
    for job_id, log in jobs.items():
        log = Path(log)
        assert log.name == f"{job_id}.log" and study["slurm_logs"] in log.parents
        text = log.read_text()  # the Snakemake inside the job: one job, done
        assert "--executor slurm-jobstep" in text and "1 of 1 steps (100%) done" in text
        assert "JobState=COMPLETED" in scontrol_job(job_id)
    for rule in MPI_RULES:
        assert list((study["slurm_logs"] / f"rule_{rule}").rglob("*.log")), rule


def test_mpi_jobs_had_two_tasks_of_one_cpu(study):
    """sbatch --ntasks=2 --cpus-per-task=1 for the MPI rules (threads 1, tasks 2)."""
    for job_id, log in submitted_jobs(study["output"]).items():
        record = scontrol_job(job_id)
        if any(f"/rule_{rule}/" in log for rule in MPI_RULES):
            assert re.search(r"NumTasks=2\b", record), record
            assert re.search(r"CPUs/Task=1\b", record), record
        else:
            assert re.search(r"NumTasks=1\b", record), record


def test_lammps_runs_had_two_mpi_ranks_under_srun(study):
    """srun (PMI-2) started 2 ranks that form one MPI world: LAMMPS reports 2 tasks."""
    output = study["output"]
    assert "srun --mpi=pmi2 -n 2 " in output and "mpirun" not in output
    nemd = study["results"] / "LJ-AB" / f"T{T_K:g}K" / "nemd"
    runs = sorted(nemd.glob("rep*"))
    assert len(runs) == 2
    for folder in runs:
        record = json.loads((folder / "run.json").read_text())
        assert record["timing"]["mpi_ranks"] == RANKS, (folder, record["timing"])
        log = (folder / "log.0.lammps").read_text()
        assert re.search(r"Loop time of \S+ on 2 procs for \d+ steps", log), folder
        assert "with 2 MPI tasks x 1 OpenMP threads" in log, folder
    # relax: rank 0 alone prints its summary; two 1-rank copies would print it twice
    relax_log = study["results"] / "logs" / "LJ-AB" / "relax_structure.log"
    assert relax_log.read_text().count('"energy_before_eV"') == 1, relax_log.read_text()
