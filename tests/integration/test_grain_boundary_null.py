"""Null test of the grain-boundary pipeline: a Σ1 "bicrystal" has no boundary.

The Σ1 (310) cell of Stillinger-Weber Si is a perfect crystal built the way every
bicrystal is built (two grains, overlap removal, translation search, cut at the seam
boundary into the NEMD stack).  Its boundary energy must vanish, and a real NEMD run of
the workflow's own drivers must find no extra resistance at the seam: the 95 % CI of R_K
contains zero and is narrow enough (half-width < 1.5e-9 m²K/W in 60 ps) that a defective
seam (a gap or a misfit layer) would be seen.  ``config/grain_boundaries.yaml``
runs the same control next to the Σ5 boundaries for much longer.
"""

from __future__ import annotations

import json

import pytest

from study.config import analysis_settings, nemd_settings, validate_config
from tests.conftest import PYTHON, run

pytestmark = pytest.mark.lammps

NAME = "Si-S1-310"
CONFIG = validate_config({
    "systems": {NAME: {"type": "grain_boundary", "element": "Si", "sigma": 1,
                       "plane": [3, 1, 0], "length_a_A": 28.0, "length_b_A": 28.0,
                       "min_lateral_A": 8.0, "translations_per_edge": 2}},
    "temperatures_K": [300.0], "replicas": 1, "seed": 101,
    "nemd": {"bath": "ehex", "heat_flux_W_m2": 2.0e10, "initial_jump_K": 0.0,
             "equilibration_ps": 5.0, "production_ps": 60.0, "sample_every_ps": 0.5,
             "restart_every_ps": 60.0, "fixed_thickness_A": 4.0, "bath_thickness_A": 8.0,
             "bin_width_A": 2.5},
    "analysis": {"bath_exclusion_A": 4.0, "interface_exclusion_A": 3.0, "min_discard_ps": 10.0},
})


@pytest.fixture(scope="module")
def control(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("sigma1")
    system = json.dumps({"name": NAME, **CONFIG["systems"][NAME]})
    steps = [
        ["-m", "study.build_structure", "--system", system, "--out-data",
         folder / "built.data", "--out-info", folder / "built.json"],
        ["-m", "engine.relax", "--data", folder / "built.data", "--info",
         folder / "built.json", "--out-data", folder / "relaxed.data", "--out-info",
         folder / "relaxed.json"],
        ["-m", "engine.nemd", "--structure", folder / "relaxed.data", "--info",
         folder / "relaxed.json", "--settings",
         json.dumps(nemd_settings(CONFIG, NAME, 300.0, 0)), "--outdir", folder / "nemd"],
        ["-m", "study.analyse_nemd", "--raw", folder / "nemd" / "raw.npz", "--run",
         folder / "nemd" / "run.json", "--analysis", json.dumps(analysis_settings(CONFIG)),
         "--out-json", folder / "nemd.json", "--out-csv", folder / "profile.csv",
         "--out-figure", folder / "profile.png"],
    ]
    for step in steps:
        done = run([PYTHON, *step], timeout=600)
        assert done.returncode == 0, (step[1], done.stderr[-3000:])
    return {"info": json.loads((folder / "relaxed.json").read_text()),
            "nemd": json.loads((folder / "nemd.json").read_text())}


def test_sigma1_control_has_zero_boundary_energy(control):
    info = control["info"]
    assert info["gb_sigma"] == 1 and info["gb_misorientation_deg"] == 0.0
    assert abs(info["gb_energy_J_m2"]) < 0.01


def test_sigma1_control_has_no_kapitza_resistance(control):
    nemd = control["nemd"]
    assert nemd["flux_W_m2"] == pytest.approx(2.0e10, rel=1e-6)  # eHEX imposes the flux
    low, high = nemd["R_K_ci95_low_m2K_W"], nemd["R_K_ci95_high_m2K_W"]
    assert low < 0.0 < high, (low, nemd["R_K_m2K_W"], high)
    # sharp enough to matter: a gap or a misfit layer at the seam (a few 1e-9 m²K/W and
    # more) would lie outside this interval
    assert high - low < 3.0e-9, (low, high)
