"""Checkpointing of the NEMD driver: SIGKILL a real run mid-production, run the same
command again, and compare with an uninterrupted run of the same settings."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from engine.nemd import NemdSettings
from tests.conftest import PYTHON, REPO, clean_env, kill_group, run

pytestmark = pytest.mark.lammps

# Serial runs of a 576-atom LJ A/B stack: 1000 equilibration + 20000 production steps
# (about 10 s), a restart file every 1000 steps, a sample every 200 steps.
RUN = {"equilibration_ps": 5.0, "production_ps": 100.0, "sample_every_ps": 1.0,
       "restart_every_ps": 5.0}
KILL_AFTER_RESTARTS = 3  # kill once the log shows this many production restart points
THERMO = re.compile(r"^\s*(\d+)\s+[-+0-9.eE]+\s+[-+0-9.eE]+\s+[-+0-9.eE]+")


@pytest.fixture(scope="module")
def stack(lj_stack) -> dict:
    """The relaxed LJ A/B stack with this module's run settings."""
    return {**lj_stack, "settings": lj_stack["settings"] | RUN}


def driver(stack: dict, outdir: Path, module: str = "engine.nemd") -> list[str]:
    return [PYTHON, "-m", module, "--structure", str(stack["data"]),
            "--info", str(stack["info"]), "--settings", json.dumps(stack["settings"]),
            "--outdir", str(outdir)]


def last_thermo_step(log: Path) -> int:
    """Largest step of a thermo line in a LAMMPS log (0 if none yet)."""
    if not log.exists():
        return 0
    steps = [int(m.group(1)) for line in log.read_text(errors="replace").splitlines()
             if (m := THERMO.match(line))]
    return max(steps, default=0)


def loop_steps(log: Path) -> int:
    """Steps run in a LAMMPS log ('Loop time of ... for N steps')."""
    return sum(int(n) for n in re.findall(r"Loop time of .* for (\d+) steps", log.read_text()))


def kill_and_resume(stack: dict, root: Path, kill_step: int,
                    module: str = "engine.nemd") -> dict:
    """An uninterrupted run and a killed-then-resumed run of the same settings (the two
    first segments run concurrently, one per core)."""
    reference = subprocess.Popen(driver(stack, root / "reference", module), cwd=REPO,
                                 env=clean_env(), stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    killed = root / "killed"
    victim = subprocess.Popen(driver(stack, killed, module), cwd=REPO, env=clean_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    seen = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and victim.poll() is None:
            seen = last_thermo_step(killed / "log.0.lammps")
            if seen >= kill_step and (killed / "restart.a").exists():
                break
            time.sleep(0.02)
        finished_early = victim.poll() is not None
    finally:
        kill_group(victim)
    state_after_kill = {
        "finished_early": finished_early,
        "seen_step": seen,
        "raw_exists": (killed / "raw.npz").exists(),
        "run_json_exists": (killed / "run.json").exists(),
        "restarts": sorted(p.name for p in killed.glob("restart.*")),
    }
    resumed = run(driver(stack, killed, module), timeout=180)
    out, _ = reference.communicate(timeout=180)
    assert reference.returncode == 0, out[-3000:]
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    return {"kill": state_after_kill, "reference": root / "reference", "resumed": killed}


@pytest.fixture(scope="module")
def runs(stack, tmp_path_factory) -> dict:
    s = NemdSettings(stack["settings"])
    kill_step = s.equilibration_steps + KILL_AFTER_RESTARTS * s.restart_steps
    return {"settings": s, **kill_and_resume(stack, tmp_path_factory.mktemp("restart"),
                                             kill_step)}


def test_kill_left_no_result_but_restart_files(runs):
    kill = runs["kill"]
    assert not kill["finished_early"], "the run finished before it could be killed"
    s = runs["settings"]
    assert s.equilibration_steps < kill["seen_step"] < s.total_steps
    assert not kill["raw_exists"]  # no half-written result after a kill
    assert not kill["run_json_exists"]
    assert kill["restarts"] == ["restart.a", "restart.b"]


def test_second_run_resumed_from_a_production_restart(runs):
    s, outdir = runs["settings"], runs["resumed"]
    first = json.loads((outdir / "segment.0.json").read_text())
    second = json.loads((outdir / "segment.1.json").read_text())
    assert first["start_step"] == 0 and first["resumed_from"] is None
    start = second["start_step"]
    assert Path(second["resumed_from"]).name in ("restart.a", "restart.b")
    assert start % s.restart_steps == 0
    # the newest complete restart: at the step seen in the log or one interval earlier
    assert runs["kill"]["seen_step"] - s.restart_steps <= start <= runs["kill"]["seen_step"]
    assert s.equilibration_steps < start < s.total_steps
    assert second["seed_shift"] != first["seed_shift"]  # the resumed segment draws new noise
    assert not (outdir / "segment.2.json").exists()
    # only the remaining steps were run again
    assert loop_steps(outdir / "log.1.lammps") == s.total_steps - start
    assert loop_steps(runs["reference"] / "log.0.lammps") == s.total_steps
    run_record = json.loads((outdir / "run.json").read_text())
    assert [seg["start_step"] for seg in run_record["segments"]] == [0, start]


def test_resumed_series_is_complete_and_matches_the_uninterrupted_one(runs):
    s = runs["settings"]
    resumed = dict(np.load(runs["resumed"] / "raw.npz"))
    reference = dict(np.load(runs["reference"] / "raw.npz"))
    start = json.loads((runs["resumed"] / "segment.1.json").read_text())["start_step"]

    expected = np.arange(s.equilibration_steps + s.sample_steps, s.total_steps + 1,
                         s.sample_steps)
    assert len(expected) == 100
    np.testing.assert_array_equal(resumed["step"], expected)  # contiguous, to the end
    np.testing.assert_array_equal(reference["step"], expected)
    assert resumed["temperature_K"].shape == reference["temperature_K"].shape
    np.testing.assert_allclose(resumed["time_ps"], reference["time_ps"])
    # bins of atomic planes: z_A is each bin's mean atom position, measured over the run
    np.testing.assert_allclose(resumed["z_A"], reference["z_A"], atol=0.1)
    np.testing.assert_array_equal(resumed["atoms_per_bin"], reference["atoms_per_bin"])

    # Before the restart point both runs are the same serial trajectory (same seeds).
    before = resumed["step"] <= start
    assert 0 < before.sum() < len(expected)
    for key in ("temperature_K", "energy_hot_eV", "energy_cold_eV"):
        np.testing.assert_allclose(resumed[key][before], reference[key][before],
                                   rtol=1e-9, atol=1e-12, err_msg=key)
    # After it the resumed segment used new noise: the trajectories differ ...
    assert not np.allclose(resumed["energy_hot_eV"][~before], reference["energy_hot_eV"][~before])
    # ... but the cumulative bath energies continue across the seam (no reset to zero):
    # the increment over the seam looks like every other increment.
    for key in ("energy_hot_eV", "energy_cold_eV"):
        increments = np.diff(np.concatenate([[0.0], resumed[key]]))
        seam = int(np.argmax(~before))
        others = np.delete(increments, seam)
        spread = others.max() - others.min()
        assert others.min() - 0.5 * spread <= increments[seam] <= others.max() + 0.5 * spread, key
    # Heat flows from the hot to the cold bath in both runs, at a similar rate.
    for raw in (resumed, reference):
        assert raw["energy_hot_eV"][-1] > 0 > raw["energy_cold_eV"][-1]
    ratio = resumed["energy_hot_eV"][-1] / reference["energy_hot_eV"][-1]
    assert 0.5 < ratio < 2.0


def test_a_folder_holding_another_runs_state_starts_afresh(runs, stack, tmp_path):
    """Snakemake re-runs a job after its settings change but leaves the checkpoints: the
    driver must not resume the old run (here: a finished run with other settings)."""
    import shutil

    folder = tmp_path / "rep0"
    shutil.copytree(runs["resumed"], folder)
    changed = {**stack, "settings": stack["settings"] | {"production_ps": 10.0,
                                                         "delta_T_K": 20.0}}
    again = run(driver(changed, folder), timeout=120)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "starting afresh" in again.stderr
    segments = sorted(p.name for p in folder.glob("segment.*.json"))
    assert segments == ["segment.0.json"]
    assert json.loads((folder / "segment.0.json").read_text())["resumed_from"] is None
    s = NemdSettings(changed["settings"])
    assert loop_steps(folder / "log.0.lammps") == s.total_steps  # run from step 0
    raw = np.load(folder / "raw.npz")
    assert raw["step"][-1] == s.total_steps and len(raw["step"]) == 10
    # the same settings again: nothing is removed, the finished run is resumed at its end
    same = run(driver(changed, folder), timeout=120)
    assert same.returncode == 0 and "starting afresh" not in same.stderr
    assert (folder / "segment.1.json").exists()
    assert loop_steps(folder / "log.1.lammps") == 0


def test_a_lengthened_run_continues_from_its_checkpoints(runs, stack, tmp_path):
    """Only the production length changed: the finished run is extended, not redone."""
    import shutil

    folder = tmp_path / "rep0"
    shutil.copytree(runs["reference"], folder)
    s_old = NemdSettings(stack["settings"])
    longer = {**stack, "settings": stack["settings"] | {"production_ps": 110.0}}
    s_new = NemdSettings(longer["settings"])
    again = run(driver(longer, folder), timeout=120)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "starting afresh" not in again.stderr
    second = json.loads((folder / "segment.1.json").read_text())
    assert second["start_step"] == s_old.total_steps
    assert loop_steps(folder / "log.1.lammps") == s_new.total_steps - s_old.total_steps
    raw, reference = np.load(folder / "raw.npz"), np.load(runs["reference"] / "raw.npz")
    np.testing.assert_array_equal(raw["step"], np.arange(
        s_new.equilibration_steps + s_new.sample_steps, s_new.total_steps + 1, s_new.sample_steps))
    n = reference["step"].size
    np.testing.assert_allclose(raw["temperature_K"][:n], reference["temperature_K"], rtol=1e-12)
    # and shortened again below what was run: nothing is run, the series is cut
    shorter = {**stack, "settings": stack["settings"] | {"production_ps": 50.0}}
    cut = run(driver(shorter, folder), timeout=120)
    assert cut.returncode == 0, cut.stderr[-3000:]
    assert np.load(folder / "raw.npz")["step"].size == 50


def test_a_changed_checkpoint_interval_keeps_the_run(runs, stack, tmp_path):
    """restart_every_ps changes no trajectory: a finished run is kept, not redone (a newer
    version adding the key, or a user changing it, must not throw a long run away)."""
    import shutil

    folder = tmp_path / "rep0"
    shutil.copytree(runs["reference"], folder)
    changed = {**stack, "settings": stack["settings"] | {"restart_every_ps": 10.0}}
    again = run(driver(changed, folder), timeout=120)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "starting afresh" not in again.stderr
    assert loop_steps(folder / "log.1.lammps") == 0
    np.testing.assert_array_equal(np.load(folder / "raw.npz")["temperature_K"],
                                  np.load(runs["reference"] / "raw.npz")["temperature_K"])
