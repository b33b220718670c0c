"""Checkpointing of the NEMD barostat stage: SIGKILL a real run inside the stage and after
it, resume, and compare with uninterrupted runs of the same settings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.nemd import NemdSettings

from .test_restart import kill_and_resume, loop_steps

pytestmark = pytest.mark.lammps

# 576-atom LJ A/B stack: 8000 barostat + 1000 NVT + 10000 production steps (about 4 s),
# a restart file every 1000 steps, a sample every 200 steps.
RUN = {"npt_ps": 40.0, "barostat_damping_ps": 1.0, "equilibration_ps": 5.0,
       "production_ps": 50.0, "sample_every_ps": 1.0, "restart_every_ps": 5.0,
       "binning": "planes", "planes_per_bin": 1}


@pytest.fixture(scope="module")
def settings(lj_stack) -> dict:
    return lj_stack["settings"] | RUN


def killed_at(lj_stack, settings, root, kill_step) -> dict:
    stack = {**lj_stack, "settings": settings}
    result = kill_and_resume(stack, root, kill_step)
    assert not result["kill"]["finished_early"], "the run finished before it could be killed"
    second = json.loads((result["resumed"] / "segment.1.json").read_text())
    return {**result, "start": second["start_step"], "s": NemdSettings(settings)}


@pytest.fixture(scope="module")
def in_npt(lj_stack, settings, tmp_path_factory) -> dict:
    s = NemdSettings(settings)
    return killed_at(lj_stack, settings, tmp_path_factory.mktemp("kill_npt"),
                     3 * s.restart_steps)


@pytest.fixture(scope="module")
def after_npt(lj_stack, settings, tmp_path_factory) -> dict:
    s = NemdSettings(settings)
    return killed_at(lj_stack, settings, tmp_path_factory.mktemp("kill_production"),
                     s.equilibration_steps + 3 * s.restart_steps)


def read(folder, name):
    return json.loads((folder / name).read_text())


def check_complete(result) -> tuple[dict, dict]:
    """Both runs hold a contiguous production series; the resumed run ran only the rest."""
    s, start = result["s"], result["start"]
    assert loop_steps(result["resumed"] / "log.1.lammps") == s.total_steps - start
    expected = np.arange(s.equilibration_steps + s.sample_steps, s.total_steps + 1,
                         s.sample_steps)
    raws = [dict(np.load(result[k] / "raw.npz")) for k in ("resumed", "reference")]
    for raw in raws:
        np.testing.assert_array_equal(raw["step"], expected)
        np.testing.assert_array_equal(raw["atoms_per_bin"], 18)
    return raws[0], raws[1]


def test_kill_inside_the_barostat_stage_resumes_it(in_npt):
    s, start = in_npt["s"], in_npt["start"]
    assert 0 < start < s.npt_steps and start % s.restart_steps == 0
    check_complete(in_npt)
    box, box_ref = (read(in_npt[k], "run.json")["box"] for k in ("resumed", "reference"))
    assert box["npt_windows"] == box_ref["npt_windows"] == s.npt_steps // 2 // s.sample_steps
    assert box["box_before_npt_A"] == box_ref["box_before_npt_A"]
    # the stage's windows before the restart point are the same trajectory (same seeds) ...
    rows = np.loadtxt(in_npt["resumed"] / "npt.0.dat")
    rows_ref = np.loadtxt(in_npt["reference"] / "npt.0.dat")
    before = rows[:, 0] <= start
    np.testing.assert_allclose(rows[before], rows_ref[: before.sum()], rtol=1e-9)
    # ... the resumed segment drew new noise, and averaged to the same box within its noise
    np.testing.assert_allclose(box["lateral_after_npt_A"], box_ref["lateral_after_npt_A"],
                               rtol=3e-3)
    for result in (in_npt["resumed"], in_npt["reference"]):
        pressures = read(result, "run.json")["side_pressure_GPa"]["equilibration"]
        assert all(abs(pressures[side]["mean"]) < 0.03 for side in "AB"), pressures


def test_kill_after_the_barostat_stage_keeps_its_box_and_planes(after_npt):
    s, start = after_npt["s"], after_npt["start"]
    assert s.equilibration_steps < start < s.total_steps
    resumed, reference = check_complete(after_npt)
    for name in ("geometry.json", "planes.json"):
        assert read(after_npt["resumed"], name) == read(after_npt["reference"], name), name
    run_json = read(after_npt["resumed"], "run.json")
    assert run_json["box"] == read(after_npt["reference"], "run.json")["box"]
    before = resumed["step"] <= start
    assert 0 < before.sum() < before.size
    np.testing.assert_allclose(resumed["temperature_K"][before],
                               reference["temperature_K"][before], rtol=1e-9)
    assert resumed["area_A2"] == reference["area_A2"]
    production = run_json["side_pressure_GPa"]["production"]
    assert production["A"]["n_samples"] == s.production_steps // s.sample_steps


@pytest.fixture(scope="module")
def at_npt_end_ehex(lj_stack, tmp_path_factory) -> dict:
    """eHEX baths (no thermostat holds the mean temperature in production), killed just
    after the barostat stage, so that the run resumes from the stage's last checkpoint."""
    settings = lj_stack["settings"] | RUN | {"bath": "ehex", "heat_flux_W_m2": 3e8,
                                              "initial_jump_K": 4.0}
    s = NemdSettings(settings)
    return killed_at(lj_stack, settings, tmp_path_factory.mktemp("kill_npt_end"), s.npt_steps)


def test_a_run_resumed_at_the_end_of_the_barostat_stage_keeps_its_temperature(
        at_npt_end_ehex):
    """The resumed run equilibrates again at T and produces at T, like the uninterrupted
    one (a resume that lost the equilibration would drift with eHEX baths)."""
    s, start = at_npt_end_ehex["s"], at_npt_end_ehex["start"]
    assert s.npt_steps - s.restart_steps <= start <= s.npt_steps  # before the NVT stage
    resumed, reference = check_complete(at_npt_end_ehex)
    for raw in (resumed, reference):
        mean = float(np.sum(raw["temperature_K"] * raw["atoms_per_bin"])
                     / (raw["temperature_K"].shape[0] * np.sum(raw["atoms_per_bin"])))
        assert mean == pytest.approx(s.temperature_K, rel=0.05), mean
