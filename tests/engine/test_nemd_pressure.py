"""Zero pressure at T and bins of atomic planes in the NEMD driver, on the tiny LJ A/B stack.

With the barostat stage (``npt_ps`` > 0) the interior of both sides is at zero pressure
during the NVT equilibration and the production; without it the stack stays clamped at
its 0 K box and a warm LJ crystal is clearly compressed (~0.13 GPa at 40 K), so the test
can fail.  The temperature bins hold whole (001) planes: 18 atoms per plane here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.nemd import validate_replica
from tests.conftest import PYTHON, run

pytestmark = pytest.mark.lammps

RUN = {"equilibration_ps": 20.0, "production_ps": 50.0, "sample_every_ps": 2.5,
       "restart_every_ps": 25.0, "binning": "planes", "barostat_damping_ps": 1.0}
ATOMS_PER_PLANE = 18  # 3 x 3 fcc cells laterally, 2 atoms per cell and (001) plane
LJ_D001_A = 2.638  # a/2 of the relaxed LJ lattice (0 K)


def nemd(lj_stack, outdir, **changes) -> dict:
    settings = lj_stack["settings"] | RUN | changes
    done = run([PYTHON, "-m", "engine.nemd", "--structure", lj_stack["data"], "--info",
                lj_stack["info"], "--settings", json.dumps(settings), "--outdir", outdir],
               timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"record": json.loads((outdir / "run.json").read_text()),
            "raw": dict(np.load(outdir / "raw.npz")),
            "planes": json.loads((outdir / "planes.json").read_text())}


@pytest.fixture(scope="module")
def with_npt(lj_stack, tmp_path_factory) -> dict:
    return nemd(lj_stack, tmp_path_factory.mktemp("npt"), npt_ps=20.0, planes_per_bin=1)


@pytest.fixture(scope="module")
def clamped(lj_stack, tmp_path_factory) -> dict:
    return nemd(lj_stack, tmp_path_factory.mktemp("clamped"), npt_ps=0.0, planes_per_bin=2)


def test_sides_are_at_zero_pressure_after_the_barostat_stage(with_npt):
    pressures = with_npt["record"]["side_pressure_GPa"]
    for stage in ("equilibration", "production"):
        for side in ("A", "B"):
            p = pressures[stage][side]
            assert p["n_samples"] >= 4
            assert abs(p["mean"]) < 0.03, (stage, side, p)
            assert abs(p["zz"]) < 0.03, (stage, side, p)


def test_barostat_stage_expands_the_lateral_box(with_npt):
    box = with_npt["record"]["box"]
    before, after = np.array(box["lateral_before_npt_A"]), np.array(box["lateral_after_npt_A"])
    assert after[0] == pytest.approx(after[1])  # x and y coupled
    assert 1.01 < after[0] / before[0] < 1.04  # LJ argon expands by ~2 % from 0 to 40 K
    np.testing.assert_allclose(after, box["npt_mean_box_A"][:2], rtol=1e-12)
    assert box["npt_windows"] == 4  # the second half of 20 ps in 2.5 ps windows
    for component in ("xx", "yy"):
        assert abs(box["npt_mean_pressure_GPa"][component]) < 0.01
    # the flux uses the area at T
    assert with_npt["raw"]["area_A2"] == pytest.approx(after[0] * after[1])


def test_clamped_warm_stack_is_compressed(clamped, with_npt):
    pressures = clamped["record"]["side_pressure_GPa"]
    assert clamped["record"]["box"] == {}
    for stage in ("equilibration", "production"):
        for side in ("A", "B"):
            p = pressures[stage][side]
            assert p["mean"] > 0.08, (stage, side, p)
            assert p["mean"] > 5 * abs(with_npt["record"]["side_pressure_GPa"][stage][side]["mean"])


def test_bins_hold_whole_planes(with_npt, clamped):
    for result, per_bin in ((with_npt, 1), (clamped, 2)):
        raw, planes = result["raw"], result["planes"]
        validate_replica(raw)  # the analysis' input contract
        counts = raw["atoms_per_bin"]
        assert planes["planes_per_bin"] == per_bin
        n_planes = len(planes["planes"]["A"]["z_A"]) + len(planes["planes"]["B"]["z_A"])
        assert counts.size == len(planes["centres_A"]) == -(-len(planes["planes"]["A"]["z_A"])
                                                             // per_bin) - (
            -len(planes["planes"]["B"]["z_A"]) // per_bin)
        assert sum(planes["planes_in_bin"]) == n_planes
        # every bin holds its planes' atoms at every sample (no atom counted twice)
        np.testing.assert_array_equal(counts, ATOMS_PER_PLANE * np.array(planes["planes_in_bin"]))
        for side in ("A", "B"):
            np.testing.assert_array_equal(planes["planes"][side]["atoms"], ATOMS_PER_PLANE)
        # bin centres are the mean plane positions, one plane spacing apart for single planes
        z = raw["z_A"]
        if per_bin == 1:
            within = np.diff(z)[np.diff(np.array(planes["side"]) == "A") == 0]
            assert np.all((within > 0.9 * LJ_D001_A) & (within < 1.15 * LJ_D001_A)), within
            # the planes move a little as the hot side expands and the cold one contracts,
            # far less than the half spacing to the bin edges
            np.testing.assert_allclose(z, planes["centres_A"], atol=0.25 * LJ_D001_A)
        side_a = np.array(planes["side"]) == "A"
        assert z[side_a].max() < raw["z_interface_A"] < z[~side_a].min()
