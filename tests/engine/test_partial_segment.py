"""Recovery from a segment written only in part (issue 14, case 4).

LAMMPS ignores ENOSPC: with a full disk its sample files are cut short while the run goes
on, so the newest checkpoint lies beyond the last complete sample and every rerun used to
fail with "cannot stitch the energy series" (and add another empty segment).  The driver
now resumes only a checkpoint whose samples are complete -- the older one, or afresh --
and says so in its log; a failure on a full file system names the cause."""

from __future__ import annotations

import json
import subprocess
import time

import numpy as np
import pytest

from engine import run_state
from tests.conftest import PYTHON, REPO, clean_env, kill_group, run

pytestmark = pytest.mark.lammps

RUN = {"equilibration_ps": 5.0, "production_ps": 60.0, "sample_every_ps": 0.5,
       "restart_every_ps": 5.0}


def _command(stack: dict, outdir) -> list[str]:
    return [PYTHON, "-m", "engine.nemd", "--structure", str(stack["data"]),
            "--info", str(stack["info"]), "--settings", json.dumps(stack["settings"] | RUN),
            "--outdir", str(outdir)]


def _restart_step(path) -> int:
    """Step of a restart file, read as the driver does."""
    return {p.name: s for p, s in run_state._restart_steps(path.parent, None)}[path.name]


def test_a_cut_segment_is_not_resumed_and_the_run_recovers(lj_stack, tmp_path):
    outdir = tmp_path / "rep0"
    victim = subprocess.Popen(_command(lj_stack, outdir), cwd=REPO, env=clean_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:  # kill once both restart files hold production checkpoints
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and victim.poll() is None:
            energy = outdir / "energy.0.dat"
            if (outdir / "restart.b").exists() and energy.exists() and \
                    len(energy.read_text().splitlines()) > 40:
                break
            time.sleep(0.05)
        assert victim.poll() is None, "the run finished before it could be interrupted"
    finally:
        kill_group(victim)
    newest = max((outdir / n for n in run_state.RESTART_NAMES), key=_restart_step)
    step = _restart_step(newest)
    # what a full disk leaves: the samples stop before the newest checkpoint
    lines = (outdir / "energy.0.dat").read_text().splitlines()
    kept = [ln for ln in lines if ln.startswith("#") or int(float(ln.split()[0])) < step]
    (outdir / "energy.0.dat").write_text("\n".join(kept) + "\n")

    resumed = run(_command(lj_stack, outdir), timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"(step {step}) not resumed: energy.0.dat has no sample at step {step}" \
        in resumed.stderr
    assert ("resuming from the older checkpoint" in resumed.stderr
            or "no consistent checkpoint left: starting afresh" in resumed.stderr)
    raw = np.load(outdir / "raw.npz")
    assert raw["time_ps"][-1] == pytest.approx(RUN["production_ps"])
    assert np.all(np.diff(raw["step"]) > 0) and np.all(np.isfinite(raw["energy_hot_eV"]))
    again = run(_command(lj_stack, tmp_path / "second"), timeout=300)  # unaffected folder
    assert again.returncode == 0


def test_a_failure_on_a_full_file_system_names_the_cause(tmp_path, monkeypatch):
    monkeypatch.setattr(run_state, "LOW_SPACE_BYTES", 2**62)  # every disk is "full"
    message = run_state._disk_full(tmp_path)
    assert message.startswith(f"the file system of {tmp_path} is full")
    assert "rerun" in message
    monkeypatch.setattr(run_state, "LOW_SPACE_BYTES", 0)
    assert run_state._disk_full(tmp_path) is None
