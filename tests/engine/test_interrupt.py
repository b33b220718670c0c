"""A prompt stop (issue 14, case 1): SIGINT during a long NEMD production ends the run
within seconds, leaves a checkpoint and a resumable folder; the chunked run it relies on
gives the trajectory of a single LAMMPS run bit for bit."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time

import numpy as np
import pytest

from engine.interrupt import run_until
from engine.runtime import new_lammps
from tests.conftest import PYTHON, REPO, clean_env, kill_group, run

pytestmark = pytest.mark.lammps

LJ_MELT = """
    units lj
    atom_style atomic
    lattice fcc 0.8442
    region box block 0 5 0 5 0 5
    create_box 1 box
    create_atoms 1 box
    mass 1 1.0
    velocity all create 1.5 87287 loop geom
    pair_style lj/cut 2.5
    pair_coeff 1 1 1.0 1.0 2.5
    neighbor 0.3 bin
    neigh_modify every 2 delay 4 check yes
    fix integrate all nve
    fix bath all langevin 1.2 1.2 0.5 48279
    fix average all ave/time 10 5 50 c_thermo_temp file {path}
"""


def _positions(lmp) -> np.ndarray:
    lmp.command("run 0 post no")
    return np.array(lmp.numpy.extract_atom("x")[: lmp.get_natoms()], dtype=float)


def test_chunked_run_is_the_single_run_bit_for_bit(tmp_path):
    single = new_lammps()
    single.commands_string(LJ_MELT.format(path=tmp_path / "single.dat"))
    single.command("run 1000")
    reference = np.array(single.numpy.extract_atom("x")[: single.get_natoms()], dtype=float)
    single.close()
    chunked = new_lammps()
    chunked.commands_string(LJ_MELT.format(path=tmp_path / "chunked.dat"))
    assert run_until(chunked, 1000, None, align=50, first_chunk_steps=37) is None
    assert int(chunked.extract_global("ntimestep")) == 1000
    positions = np.array(chunked.numpy.extract_atom("x")[: chunked.get_natoms()], dtype=float)
    chunked.close()
    assert np.array_equal(positions, reference)
    # the time-averaging fix saw one run: the same samples
    assert (tmp_path / "chunked.dat").read_text() == (tmp_path / "single.dat").read_text()


def test_sigint_stops_production_within_seconds_and_resumes(lj_stack, tmp_path):
    settings = lj_stack["settings"] | {"equilibration_ps": 5.0, "production_ps": 5000.0,
                                       "restart_every_ps": 2500.0}
    outdir = tmp_path / "rep0"

    def command(production_ps):
        return [PYTHON, "-m", "engine.nemd", "--structure", str(lj_stack["data"]),
                "--info", str(lj_stack["info"]),
                "--settings", json.dumps(settings | {"production_ps": production_ps}),
                "--outdir", str(outdir)]

    driver = subprocess.Popen(command(5000.0), cwd=REPO, env=clean_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        energy = outdir / "energy.0.dat"  # written from the production's first sample on
        while time.monotonic() < deadline:
            assert driver.poll() is None, driver.communicate()[1][-2000:]
            if energy.exists() and energy.stat().st_size > 2000:
                break
            time.sleep(0.1)
        sent = time.monotonic()
        driver.send_signal(signal.SIGINT)
        _, stderr = driver.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        kill_group(driver)
    assert driver.returncode == 130, stderr[-2000:]
    assert took < 15.0, f"the stop took {took:.1f} s"
    assert "stopped by SIGINT at step" in stderr and "resumes from checkpoint" in stderr
    assert not (outdir / "raw.npz").exists()  # no result from a stopped run
    step = int(re.search(r"at step (\d+)", stderr).group(1))
    # the production of 5000 ps was far from done, and no periodic restart was due yet:
    # the checkpoint is the one the stop wrote
    stopped_ps = step * settings["timestep_fs"] / 1000
    assert stopped_ps < 1000.0
    # resume, asking only for what was already run plus a little: the folder continues
    production_ps = round(stopped_ps - settings["equilibration_ps"]) + 10.0
    resumed = run(command(production_ps), timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    raw = np.load(outdir / "raw.npz")
    assert raw["time_ps"][-1] == pytest.approx(production_ps, abs=settings["sample_every_ps"])
    assert np.all(np.diff(raw["step"]) > 0)
    segment = json.loads((outdir / "segment.1.json").read_text())
    assert segment["start_step"] == step
