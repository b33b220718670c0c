"""Run to a target precision (nemd.target): the decision on synthetic records, the config
checks, the Snakemake wiring (dry runs), and one tiny real LJ study stopped by its budget."""

from __future__ import annotations

import csv
import json
import random
import re

import pytest
import yaml

from study.config import (
    ConfigError,
    analysis_settings,
    load_config,
    nemd_settings,
    nemd_target,
    run_seeds,
)
from study.nemd_target import core_hours, summary_fields
from study.summarise import summary_rows, write_summary
from study.target_policy import decide, relative_half_width
from tests.conftest import MPIRUN, PYTHON, REPO, SNAKEMAKE, run

DEFAULT = REPO / "config" / "config.yaml"
TEST_LJ = REPO / "config" / "test_lj.yaml"
TARGET = {"rel_half_width": 0.10, "max_production_ps": None, "max_core_hours": None,
          "step_ps": None, "margin": 1.2}
RUN = {"equilibration_ps": 20.0, "restart_every_ps": 25.0}


def combined(r_k=1.0, half=None, converged=True):
    """A combined record with R_K and a symmetric 95% interval of ``half`` (None: none)."""
    low, high = (None, None) if half is None else (r_k - half, r_k + half)
    return {"converged": converged, "R_K_m2K_W": r_k, "R_K_ci95_low_m2K_W": low,
            "R_K_ci95_high_m2K_W": high, "n_replicas": 2}


def replica(converged=True, window=80.0, required=40.0):
    return {"converged": converged, "R_K_m2K_W": 1.0,
            "convergence": {"tau_slow_ps": required / 5, "steady_window_ps": window,
                            "required_window_ps": required, "reasons": []}}


def decision(comb, reps, production=100.0, used=0.1, **target):
    return decide(comb, reps, production_ps=production, core_hours_used=used,
                  target=TARGET | target, **RUN)


def on_restart_point(production):
    end = RUN["equilibration_ps"] + production
    return end / RUN["restart_every_ps"] == pytest.approx(round(end / RUN["restart_every_ps"]))


def test_target_met_stops():
    d = decision(combined(half=0.08), [replica(), replica()])
    assert d.status == "target_met" and d.done
    assert d.production_ps == 100.0
    assert d.rel_half_width == pytest.approx(0.08)


def test_not_converged_extends_by_at_least_the_missing_window():
    reps = [replica(), replica(converged=False, window=60.0, required=300.0)]
    d = decision(combined(half=None, converged=False), reps)
    assert d.status == "continue" and not d.done
    assert d.production_ps - 100.0 >= 300.0 - 60.0
    assert d.production_ps - 100.0 >= 1.2 * 240.0  # the margin applies
    assert on_restart_point(d.production_ps)
    assert d.rel_half_width is None and "[1] not converged" in d.reason


def test_not_converged_by_little_extends_by_one_step():
    reps = [replica(converged=False, window=79.0, required=80.0), replica()]
    d = decision(combined(converged=False), reps, step_ps=50.0)
    assert d.production_ps == pytest.approx(155.0)  # 100 + 50 -> end 170, next restart 175


def test_too_wide_follows_the_inverse_square_law():
    """Half-width 0.2 for a target 0.1: the steady window must grow 4x (x margin)."""
    window = 80.0
    for margin in (1.0, 1.2):
        d = decision(combined(half=0.2), [replica(window=window), replica(window=window)],
                     margin=margin)
        wanted = 100.0 + window * (margin * 4.0 - 1.0)
        assert d.status == "continue"
        assert wanted <= d.production_ps < wanted + RUN["restart_every_ps"]
        assert on_restart_point(d.production_ps)
    # just too wide: at least one step
    d = decision(combined(half=0.1001), [replica(), replica()], margin=1.0, step_ps=50.0)
    assert d.production_ps >= 150.0


def test_extension_is_capped_by_the_production_budget():
    d = decision(combined(half=0.3), [replica(), replica()], max_production_ps=160.0)
    assert d.status == "continue" and d.production_ps == 160.0
    assert "capped by max_production_ps" in d.reason


def test_budget_exhausted_stops_with_that_status():
    d = decision(combined(half=0.3), [replica(), replica()], production=160.0,
                 max_production_ps=160.0)
    assert d.status == "budget_exhausted" and d.done and d.production_ps == 160.0
    d = decision(combined(converged=False), [replica(converged=False)], used=2.0,
                 max_core_hours=2.0)
    assert d.status == "budget_exhausted" and "max_core_hours" in d.reason


def test_core_hour_budget_caps_at_the_last_affordable_restart_point():
    # 20 + 100 ps cost 1.2 core-hours: 0.01 per ps; 0.7 more buy 70 ps: end 190 -> 175
    d = decision(combined(half=0.5), [replica(), replica()], used=1.2, max_core_hours=1.9)
    assert d.status == "continue" and d.production_ps == pytest.approx(155.0)
    # 2 ps affordable, no restart point before: exhausted
    d = decision(combined(half=0.5), [replica(), replica()], used=1.2, max_core_hours=1.22)
    assert d.status == "budget_exhausted"


def test_never_beyond_the_budget():
    rng = random.Random(11)
    for _ in range(500):
        production = rng.choice([50.0, 80.0, 100.0, 130.0, 400.0])
        used = rng.uniform(0.01, 2.0)
        target = {"max_production_ps": rng.choice([None, production + rng.uniform(0, 300)]),
                  "max_core_hours": rng.choice([None, used + rng.uniform(-0.5, 3.0)])}
        if target["max_production_ps"] is None and target["max_core_hours"] is None:
            continue
        comb = combined(half=rng.choice([None, 0.05, 0.2, 1.0]), converged=rng.random() < 0.7)
        reps = [replica(converged=comb["converged"], window=rng.uniform(10, 100),
                        required=rng.uniform(10, 400))]
        d = decision(comb, reps, production=production, used=used, **target)
        if d.status != "continue":
            continue
        assert d.production_ps > production
        if target["max_production_ps"] is not None:
            assert d.production_ps <= target["max_production_ps"] + 1e-9
        if target["max_core_hours"] is not None:
            rate = used / (RUN["equilibration_ps"] + production)
            assert used + rate * (d.production_ps - production) <= target["max_core_hours"] + 1e-9


def test_relative_half_width():
    assert relative_half_width(combined(r_k=2.0, half=0.5)) == pytest.approx(0.25)
    assert relative_half_width(combined(half=None)) is None
    assert relative_half_width(combined(r_k=-2.0, half=0.5)) == pytest.approx(0.25)


def test_core_hours_from_the_lammps_logs(tmp_path):
    (tmp_path / "log.0.lammps").write_text(
        "Loop time of 3600 on 2 procs for 1000 steps with 10 atoms\n\n"
        "50.0% CPU use with 2 MPI tasks x 1 OpenMP threads\n")
    (tmp_path / "log.1.lammps").write_text(
        "Loop time of 1800 on 1 procs for 10 steps with 10 atoms\n")
    assert core_hours(tmp_path) == pytest.approx(1.0 + 0.5)


def test_a_killed_target_job_resumes_at_its_last_production(tmp_path):
    from study.nemd_target import ROUNDS_FILE, _resume

    runs = [{"settings": {"replica": 0}, "structure_sha256": "abc"}]
    rounds = [{"production_ps": 100.0, "next_production_ps": 180.0},
              {"production_ps": 180.0, "next_production_ps": 400.0}]
    (tmp_path / ROUNDS_FILE).write_text(json.dumps({"runs": runs, "rounds": rounds}))
    assert _resume(tmp_path, runs, 100.0, TARGET) == (rounds, 400.0)
    assert _resume(tmp_path, runs, 100.0, TARGET | {"max_production_ps": 300.0})[1] == 300.0
    other = [{"settings": {"replica": 0}, "structure_sha256": "def"}]  # another structure
    assert _resume(tmp_path, other, 100.0, TARGET) == ([], 100.0)
    assert _resume(tmp_path / "none", runs, 100.0, TARGET) == ([], 100.0)


def test_target_status_reaches_the_summary(tmp_path):
    record = {"system": "S", "temperature_K": 300.0, "method": "nemd", "R_K_m2K_W": 1e-9}
    record |= summary_fields({"status": "budget_exhausted", "reason": "r", "target": TARGET,
                              "production_ps": [35.0, 60.0], "rel_half_width": 0.2,
                              "core_hours": 0.1})
    write_summary(summary_rows([record]), tmp_path / "summary.csv")
    with open(tmp_path / "summary.csv", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["target_status"] == "budget_exhausted"


# --- configuration ------------------------------------------------------------------

def _raw(**target) -> dict:
    raw = yaml.safe_load(DEFAULT.read_text())
    raw["nemd"].update(production_ps=35.0, restart_every_ps=10.0, target=target)
    return raw


BAD_TARGETS = {
    # id: (target block, text the error must contain)
    "zero_target": ({"rel_half_width": 0.0, "max_production_ps": 100.0},
                    "nemd.target.rel_half_width"),
    "negative_target": ({"rel_half_width": -0.1, "max_production_ps": 100.0},
                        "nemd.target.rel_half_width"),
    "zero_core_hours": ({"max_core_hours": 0.0}, "nemd.target.max_core_hours"),
    "margin_below_one": ({"max_production_ps": 100.0, "margin": 0.5}, "nemd.target.margin"),
    "unknown_key": ({"max_production_ps": 100.0, "max_ps": 3}, "'max_ps'"),
    "no_budget": ({"rel_half_width": 0.1}, "nemd.target: give a budget"),
    "below_initial_production": ({"max_production_ps": 30.0},
                                 "nemd.target.max_production_ps: 30.0 ps is below the initial"),
    "below_one_checkpoint": ({"max_production_ps": 40.0},
                             "40.0 ps leaves less than one checkpoint interval"),
    "step_below_checkpoint": ({"max_production_ps": 100.0, "step_ps": 5.0},
                              "nemd.target.step_ps"),
}


@pytest.mark.parametrize("case", sorted(BAD_TARGETS))
def test_bad_target_is_rejected_naming_the_field(case, tmp_path):
    target, expected = BAD_TARGETS[case]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_raw(**target)))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert expected in str(info.value)


def test_a_system_target_is_named_as_such(tmp_path):
    raw = yaml.safe_load(DEFAULT.read_text())
    raw["systems"]["SiCu"]["nemd"] = {"target": {"max_production_ps": 20.0}}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=r"systems\.SiCu\.nemd\.target\.max_production_ps"):
        load_config(path)


def test_target_defaults_and_the_runs_settings_do_not_change(tmp_path):
    plain_path = tmp_path / "plain.yaml"
    plain_raw = _raw()
    del plain_raw["nemd"]["target"]
    plain_path.write_text(yaml.safe_dump(plain_raw))
    plain = load_config(plain_path)
    assert nemd_target(plain, "SiCu") is None
    path = tmp_path / "target.yaml"
    path.write_text(yaml.safe_dump(_raw(max_production_ps=100.0)))
    config = load_config(path)
    assert nemd_target(config, "SiCu") == {"rel_half_width": 0.10, "max_production_ps": 100.0,
                                           "max_core_hours": None, "step_ps": None,
                                           "margin": 1.2}
    # the target is not a run setting: a run keeps its fingerprint and its checkpoints
    assert nemd_settings(config, "SiCu", 300.0, 0) == nemd_settings(plain, "SiCu", 300.0, 0)


# --- Snakemake wiring ---------------------------------------------------------------

def _lj_target_config(tmp_path, **target) -> tuple[dict, str]:
    """config/test_lj.yaml without EMD, 100 ps sampled every 0.5 ps, with a target."""
    config = yaml.safe_load(TEST_LJ.read_text())
    config.pop("emd")
    config["results_dir"] = str(tmp_path / "results")
    config["nemd"] |= {"production_ps": 100.0, "sample_every_ps": 0.5, "restart_every_ps": 25.0,
                       "target": target}
    path = tmp_path / "lj_target.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return config, str(path)


def _job_counts(output: str) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", output, re.MULTILINE)}


@pytest.mark.snakemake
def test_without_target_the_dag_has_no_target_jobs(tmp_path):
    result = run([*SNAKEMAKE, "-n", "--cores", "2", "--config", f"results_dir={tmp_path}"],
                 timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    counts = _job_counts(output)
    assert counts.get("nemd_run") == 2 and counts.get("combine_nemd") == 1, counts
    assert not [rule for rule in counts if "target" in rule], counts


@pytest.mark.snakemake
@pytest.mark.parametrize("cores", [1, 2])
def test_target_job_runs_every_replica_within_the_cores(cores, tmp_path):
    config, path = _lj_target_config(tmp_path, max_production_ps=150.0)
    summary = f"{config['results_dir']}/summary.csv"
    result = run([*SNAKEMAKE, summary, "-n", "-p", "--cores", str(cores), "--configfile", path],
                 timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    counts = _job_counts(output)
    assert counts.get("nemd_target") == 1 and counts.get("combine_nemd_target") == 1, counts
    assert counts.get("nemd_target_replica") == counts.get("analyse_nemd_run") == 2, counts
    assert "nemd_run" not in counts and "combine_nemd" not in counts
    assert re.search(rf"-m study\.nemd_target .*--tasks {min(cores, 2)} ", output)


# --- a real run ---------------------------------------------------------------------

@pytest.mark.lammps
@pytest.mark.snakemake
def test_tiny_budget_stops_with_budget_exhausted(tmp_path):
    """LJ A/B, 2 replicas of 100 ps, an unreachable target (0.1%) and at most 150 ps:
    100 ps, then on from the checkpoints (to a restart point or the budget) until 150 ps,
    then budget_exhausted (under a minute on 2 cores)."""
    _, path = _lj_target_config(tmp_path, rel_half_width=0.001, max_production_ps=150.0)
    results = tmp_path / "results"
    cmd = [*SNAKEMAKE, str(results / "summary.csv"), "--cores", "2", "--configfile", path]
    first = run(cmd, timeout=400)
    assert first.returncode == 0, (first.stdout[-3000:], first.stderr[-3000:])
    nemd = results / "LJ-AB" / "T40K" / "nemd"
    record = json.loads((nemd / "target" / "target.json").read_text())
    assert record["status"] == "budget_exhausted"
    productions = record["production_ps"]
    assert len(productions) >= 2 and productions[0] == 100.0 and productions[-1] == 150.0
    assert productions == sorted(set(productions))
    assert all(p == 150.0 or on_restart_point(p) for p in productions[1:])
    assert [r["decision"] for r in record["rounds"]] == (["continue"] * (len(productions) - 1)
                                                         + ["budget_exhausted"])
    assert 0 < record["rounds"][0]["core_hours"] < record["core_hours"] < 0.2
    for r in range(2):
        # every round continued the same trajectory from its checkpoint: one fresh start
        run_record = json.loads((nemd / f"rep{r}" / "run.json").read_text())
        starts = [s["start_step"] for s in run_record["segments"]]
        assert starts[0] == 0 and starts == sorted(starts) and len(starts) == len(productions)
        assert run_record["settings"]["production_ps"] == 150.0
        assert (nemd / f"rep{r}" / "raw.npz").read_bytes() == (
            nemd / "target" / f"rep{r}" / "raw.npz").read_bytes()
        assert json.loads((nemd / f"rep{r}" / "nemd.json").read_text())["method"] == "nemd"
        # one rank and one thread per run: the job's 2 cores hold both replicas
        for log in (nemd / "target" / f"rep{r}").glob("log.*.lammps"):
            assert set(re.findall(r"with (\d+) MPI tasks x (\d+) OpenMP", log.read_text())) <= {
                ("1", "1")}, log
    combined = json.loads((nemd / "combined.json").read_text())
    assert combined["target_status"] == "budget_exhausted" and combined["n_replicas"] == 2
    assert combined["target"]["production_ps"] == record["production_ps"]
    with open(results / "summary.csv", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["target_status"] == "budget_exhausted"
    second = run(cmd, timeout=120)
    assert second.returncode == 0 and "Nothing to be done" in second.stdout + second.stderr



@pytest.mark.lammps
def test_loose_target_is_met_after_several_rounds(lj_stack, tmp_path):
    """The entry point alone on the 576-atom LJ cell: a loose target (50%) is reached by
    continuing the runs from their checkpoints, after at least one extension."""
    settings = [lj_stack["settings"] | {"production_ps": 100.0, "sample_every_ps": 0.5,
                                        "restart_every_ps": 25.0, "replica": r,
                                        "seeds": run_seeds(7, "LJ-AB", 40.0, r)}
                for r in range(2)]
    target = TARGET | {"rel_half_width": 0.5, "max_production_ps": 1000.0}
    out = tmp_path / "target.json"
    result = run([PYTHON, "-m", "study.nemd_target", "--structure", lj_stack["data"],
                  "--info", lj_stack["info"], "--system", "LJ-AB", "--settings",
                  json.dumps(settings), "--analysis",
                  json.dumps(analysis_settings(load_config(TEST_LJ))), "--target",
                  json.dumps(target), "--workdir", tmp_path / "work", "--launcher", MPIRUN,
                  "--tasks", "2", "--out", out], timeout=400)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    record = json.loads(out.read_text())
    assert record["status"] == "target_met", record["reason"]
    assert len(record["rounds"]) >= 2 and record["rounds"][-1]["converged"]
    assert record["rel_half_width"] <= 0.5
    assert record["production_ps"][0] == 100.0 < record["production_ps"][-1] <= 1000.0
