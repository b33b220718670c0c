"""The EMD cell at zero pressure: a barostat stage (x, y coupled, z independent) before NVT,
the box fixed at its mean; per-side pressures in the record; a kill inside the stage."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.emd import EmdSettings
from study.schema import complete_settings
from tests.conftest import PYTHON, run

from .test_restart import kill_and_resume, loop_steps

pytestmark = pytest.mark.lammps

RUN = {"equilibration_ps": 10.0, "production_ps": 50.0, "sample_every_fs": 50.0,
       "restart_every_ps": 5.0, "barostat_damping_ps": 1.0}


def emd_settings(lj_stack, **changes) -> dict:
    base = lj_stack["settings"]
    settings = {k: base[k] for k in ("potential", "specorder", "temperature_K", "timestep_fs",
                                     "replica", "langevin_damping_ps")}
    return complete_settings("emd", settings | {"seeds": {"velocity": 17, "equilibration": 29}}
                             | RUN | changes)


def emd_record(lj_stack, outdir, **changes) -> dict:
    settings = emd_settings(lj_stack, **changes)
    done = run([PYTHON, "-m", "engine.emd", "--structure", lj_stack["data"], "--info",
                lj_stack["info"], "--settings", json.dumps(settings), "--outdir", outdir],
               timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((outdir / "run.json").read_text())


def test_emd_cell_at_zero_pressure_only_with_the_barostat(lj_stack, tmp_path):
    with_npt = emd_record(lj_stack, tmp_path / "npt", npt_ps=20.0)
    clamped = emd_record(lj_stack, tmp_path / "clamped", npt_ps=0.0)
    for stage in ("nvt", "production"):
        for side in ("A", "B"):
            p, q = with_npt["side_pressure_GPa"][stage][side], clamped["side_pressure_GPa"][stage][side]
            assert abs(p["mean"]) < 0.03 and abs(p["zz"]) < 0.03, (stage, side, p)
            assert q["mean"] > 0.08, (stage, side, q)
    box = with_npt["box"]
    before, after = np.array(box["box_before_npt_A"]), np.array(box["box_after_npt_A"])
    assert after[0] == pytest.approx(after[1])
    assert np.all(after / before > 1.005)  # the warm crystal expands along x, y and z
    np.testing.assert_allclose(after[:2], box["npt_mean_box_A"], rtol=1e-12)
    assert after[2] == pytest.approx(box["z_length_mean_A"], rel=1e-12)
    geometry = with_npt["geometry"]
    assert geometry["area_A2"] == pytest.approx(after[0] * after[1])
    assert geometry["z_hi_A"] - geometry["z_lo_A"] == pytest.approx(after[2])
    assert clamped["box"] == {}


def test_emd_killed_inside_the_barostat_stage(lj_stack, tmp_path):
    settings = emd_settings(lj_stack, npt_ps=40.0)
    s = EmdSettings(settings)
    result = kill_and_resume({**lj_stack, "settings": settings}, tmp_path,
                             3 * s.restart_steps, module="engine.emd")
    assert not result["kill"]["finished_early"]
    start = json.loads((result["resumed"] / "segment.1.json").read_text())["start_step"]
    assert 0 < start < s.npt_steps
    assert loop_steps(result["resumed"] / "log.1.lammps") == s.total_steps - start
    raws = [np.load(result[k] / "raw.npz") for k in ("resumed", "reference")]
    expected = np.arange(s.equilibration_steps + s.sample_steps, s.total_steps + 1,
                         s.sample_steps)
    for raw in raws:
        np.testing.assert_array_equal(raw["step"], expected)
    records = [json.loads((result[k] / "run.json").read_text()) for k in ("resumed", "reference")]
    assert records[0]["box"]["npt_windows"] == s.npt_steps // 2 // s.sample_steps
    np.testing.assert_allclose(records[0]["box"]["box_after_npt_A"],
                               records[1]["box"]["box_after_npt_A"], rtol=3e-3)
    assert raws[0]["area_A2"] == pytest.approx(records[0]["geometry"]["area_A2"])
