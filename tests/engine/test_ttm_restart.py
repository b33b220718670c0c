"""Checkpointing of the two-temperature driver (engine.ttm): SIGKILL a real run during its
production, run the same command again, and compare with an uninterrupted run.

LJ A/B stack with "electrons" in side A (test values, tests/engine/test_ttm.py): 400
equilibration + 20 000 production steps of 5 fs (about 15 s serial), a checkpoint every
1000 steps, a lattice sample every 100 steps and an electron grid every 50.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.ttm import TtmSettings, energy_balance
from tests.engine.test_restart import kill_and_resume, loop_steps
from tests.engine.test_ttm import ttm_settings

pytestmark = pytest.mark.lammps

RUN = {"production_ps": 100.0, "restart_every_ps": 5.0}


@pytest.fixture(scope="module")
def runs(lj_stack, tmp_path_factory) -> dict:
    settings = ttm_settings(**RUN)
    stack = {"data": lj_stack["data"], "info": lj_stack["info"], "settings": settings}
    s = TtmSettings(settings)
    kill_step = s.equilibration_steps + 3 * s.restart_steps
    return {"settings": s, **kill_and_resume(stack, tmp_path_factory.mktemp("ttm_restart"),
                                             kill_step, module="engine.ttm")}


def test_a_killed_run_resumes_from_its_production_checkpoint(runs):
    s, kill, outdir = runs["settings"], runs["kill"], runs["resumed"]
    assert not kill["finished_early"], "the run finished before it could be killed"
    assert not kill["raw_exists"] and not kill["run_json_exists"]
    assert kill["restarts"] == ["restart.a", "restart.b"]
    second = json.loads((outdir / "segment.1.json").read_text())
    start = second["start_step"]
    assert start % s.restart_steps == 0 and s.equilibration_steps < start < s.total_steps
    assert kill["seen_step"] - s.restart_steps <= start <= kill["seen_step"]
    assert loop_steps(outdir / "log.1.lammps") == s.total_steps - start  # no equilibration
    record = json.loads((outdir / "run.json").read_text())
    assert [seg["start_step"] for seg in record["segments"]] == [0, start]


def test_the_resumed_series_is_complete_continuous_and_balanced(runs):
    s = runs["settings"]
    resumed = dict(np.load(runs["resumed"] / "raw.npz"))
    reference = dict(np.load(runs["reference"] / "raw.npz"))
    start = json.loads((runs["resumed"] / "segment.1.json").read_text())["start_step"]
    expected = np.arange(s.equilibration_steps + s.sample_steps, s.total_steps + 1,
                         s.sample_steps)
    np.testing.assert_array_equal(resumed["step"], expected)
    np.testing.assert_array_equal(reference["step"], expected)
    np.testing.assert_array_equal(resumed["electron_step"], reference["electron_step"])
    before = resumed["step"] <= start
    assert 0 < before.sum() < len(expected)
    # the same serial trajectory up to the checkpoint (same seeds) ...
    for key in ("lattice_T_K", "E_atoms_eV", "E_electrons_eV", "transfer_eV"):
        np.testing.assert_allclose(resumed[key][before], reference[key][before], rtol=1e-9,
                                   atol=1e-12, err_msg=key)
    e_before = resumed["electron_step"] <= start
    np.testing.assert_allclose(resumed["electron_T_K"][e_before],
                               reference["electron_T_K"][e_before], rtol=1e-9)
    # ... new noise after it, and the electrons continue from the checkpoint's grid:
    assert not np.allclose(resumed["transfer_eV"][~before], reference["transfer_eV"][~before])
    seam = int(np.argmax(resumed["electron_step"] > start))
    jump = np.abs(resumed["electron_T_K"][seam] - resumed["electron_T_K"][seam - 1]).max()
    steps = np.abs(np.diff(resumed["electron_T_K"], axis=0)).max(axis=1)
    assert jump <= 2 * np.delete(steps, seam - 1).max()
    # the energy of the resumed run balances as the uninterrupted one does
    for raw in (resumed, reference):
        balance = energy_balance(raw)
        assert abs(balance["electrons_eV"]) < 1e-6 * balance["scale_eV"], balance
        assert abs(balance["atoms_eV"]) < 0.1 * balance["scale_eV"], balance
