"""Checkpointing of the EMD driver: SIGKILL a real NVE production run, resume it, and
compare with an uninterrupted run of the same settings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.emd import EmdSettings
from study.schema import complete_settings

from .test_restart import kill_and_resume, loop_steps

pytestmark = pytest.mark.lammps

# 576-atom LJ A/B cell closed periodically: 1000 NVT + 20000 NVE steps (about 15 s),
# a restart file every 2000 steps, a sample every 10 steps.
RUN = {"equilibration_ps": 5.0, "production_ps": 100.0, "sample_every_fs": 50.0,
       "restart_every_ps": 10.0, "npt_ps": 0.0}


@pytest.fixture(scope="module")
def runs(lj_stack, tmp_path_factory) -> dict:
    base = lj_stack["settings"]
    settings = {k: base[k] for k in ("potential", "specorder", "temperature_K", "timestep_fs",
                                     "replica", "langevin_damping_ps")}
    settings = complete_settings("emd", settings | {"seeds": {"velocity": 17,
                                                               "equilibration": 29}, **RUN})
    s = EmdSettings(settings)
    stack = {**lj_stack, "settings": settings}
    kill_step = s.equilibration_steps + 3 * s.restart_steps
    return {"settings": s, **kill_and_resume(stack, tmp_path_factory.mktemp("emd_restart"),
                                             kill_step, module="engine.emd")}


def test_killed_emd_run_resumes_from_a_production_restart(runs):
    kill, s, outdir = runs["kill"], runs["settings"], runs["resumed"]
    assert not kill["finished_early"], "the run finished before it could be killed"
    assert not kill["raw_exists"] and not kill["run_json_exists"]
    second = json.loads((outdir / "segment.1.json").read_text())
    start = second["start_step"]
    assert s.equilibration_steps < start < s.total_steps and start % s.restart_steps == 0
    assert loop_steps(outdir / "log.1.lammps") == s.total_steps - start
    record = json.loads((outdir / "run.json").read_text())
    assert [seg["start_step"] for seg in record["segments"]] == [0, start]
    # the NVT -> NVE switch happened once, in the first segment, at the canonical mean energy
    switch = record["nve_switch"]
    assert switch["energy_after_eV"] == pytest.approx(switch["mean_nvt_energy_eV"], abs=1e-9)


def test_resumed_emd_series_is_contiguous_and_continues_the_same_trajectory(runs):
    s = runs["settings"]
    resumed = dict(np.load(runs["resumed"] / "raw.npz"))
    reference = dict(np.load(runs["reference"] / "raw.npz"))
    expected = np.arange(s.equilibration_steps + s.sample_steps, s.total_steps + 1,
                         s.sample_steps)
    np.testing.assert_array_equal(resumed["step"], expected)
    np.testing.assert_array_equal(reference["step"], expected)
    start = json.loads((runs["resumed"] / "segment.1.json").read_text())["start_step"]
    before = resumed["step"] <= start
    for key in ("energy_a_eV", "energy_b_eV", "temperature_a_K"):
        np.testing.assert_allclose(resumed[key][before], reference[key][before], rtol=1e-12,
                                   err_msg=key)
    # NVE continues from the restart: the total energy is conserved across the seam and
    # the first samples after it still follow the uninterrupted trajectory closely.
    total = resumed["energy_a_eV"] + resumed["energy_b_eV"]
    assert np.ptp(total) < 0.05 * np.std(resumed["energy_a_eV"])
    seam = int(np.argmax(~before))
    np.testing.assert_allclose(resumed["energy_a_eV"][seam:seam + 5],
                               reference["energy_a_eV"][seam:seam + 5], rtol=1e-6)
