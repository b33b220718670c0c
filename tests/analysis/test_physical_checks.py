"""No R_K from a broken physical state (issue 14, case 3): a side that melted, baths that
pump the wrong way or a heat balance that does not close make a replica invalid: no
interval, left out of the combination, flagged in summary.csv."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.nemd import analyse_replica
from analysis.physical_checks import failed_checks, physical_checks
from analysis.replicas import combine_replicas
from analysis.synthetic import synthetic_replica
from study.summarise import summary_rows
from tests.conftest import PYTHON, run

SETTINGS = {"max_rms_displacement_fraction": 0.3, "max_flux_imbalance": 0.05}
GOOD = {"power_hot_eV_ps": 2.0, "power_hot_se_eV_ps": 0.05, "power_cold_eV_ps": -2.0,
        "power_cold_se_eV_ps": 0.05, "flux_imbalance": 0.01, "flux_imbalance_se": 0.01,
        "resistivity_A_mK_W": 0.5, "resistivity_A_se_mK_W": 0.05,
        "resistivity_B_mK_W": 0.1, "resistivity_B_se_mK_W": 0.05}
SOLID = {"max_msd_A2": np.array([0.05, 0.04]), "atomic_volume_A3": np.array([20.0, 12.0])}
# 0.3 a0 of side A: a0 = 20^(1/3) = 2.71 Å, so the limit is rms 0.81 Å (msd 0.66 Å²)


def test_a_solid_with_working_baths_passes():
    checks = physical_checks(SOLID, GOOD, SETTINGS)
    assert failed_checks(checks) == []
    assert checks["crystalline_A"]["ok"] and "a₀" in checks["crystalline_A"]["detail"]


@pytest.mark.parametrize("raw, record, failing", [
    ({**SOLID, "max_msd_A2": np.array([0.70, 0.04])}, GOOD, "crystalline_A"),  # just above
    ({**SOLID, "max_msd_A2": np.array([0.05, 400.0])}, GOOD, "crystalline_B"),  # a liquid
    (SOLID, GOOD | {"power_hot_eV_ps": -2.0, "power_cold_eV_ps": 2.0}, "bath_powers"),
    (SOLID, GOOD | {"power_cold_eV_ps": 0.2}, "bath_powers"),  # cold bath heating
    (SOLID, GOOD | {"flux_imbalance": 0.3}, "energy_balance"),
    (SOLID, GOOD | {"resistivity_B_mK_W": -0.2}, "gradients"),  # beyond 3 SE
])
def test_each_broken_state_fails_its_check(raw, record, failing):
    checks = physical_checks(raw, record, SETTINGS)
    assert [name for name, c in checks.items() if c["ok"] is False] == [failing]
    assert failed_checks(checks) == [checks[failing]["detail"]]


def test_noisy_bath_powers_of_the_right_sign_are_no_failure():
    """Short Langevin runs: |P| within 3 SE of zero (the tiny LJ studies of the tests)."""
    noisy = GOOD | {"power_hot_eV_ps": 0.0097, "power_hot_se_eV_ps": 0.006,
                    "power_cold_eV_ps": -0.011, "power_cold_se_eV_ps": 0.006}
    assert physical_checks(SOLID, noisy, SETTINGS)["bath_powers"]["ok"] is True


def test_a_conductive_side_with_a_noisy_gradient_is_no_failure():
    """Cu's gradient in the default study is within noise of zero: a wrong sign within
    3 SE is statistics, not physics."""
    noisy = GOOD | {"resistivity_B_mK_W": -0.1, "resistivity_B_se_mK_W": 0.05}
    assert physical_checks(SOLID, noisy, SETTINGS)["gradients"]["ok"] is True


def test_just_below_the_limit_passes_and_missing_data_is_not_a_failure():
    below = {**SOLID, "max_msd_A2": np.array([0.64, 0.04])}
    assert physical_checks(below, GOOD, SETTINGS)["crystalline_A"]["ok"] is True
    unknown = physical_checks({}, {}, SETTINGS)
    assert {c["ok"] for c in unknown.values()} == {None} and failed_checks(unknown) == []


def test_an_invalid_replica_has_no_interval_and_is_left_out():
    settings = {"bath_exclusion_A": 10.0, "interface_exclusion_A": 5.0, "min_discard_ps": 0.0}
    good = [analyse_replica({**synthetic_replica(seed=s)[0], **SOLID}, settings)
            for s in (51, 52)]
    melted_raw = {**synthetic_replica(seed=53)[0], **SOLID,
                  "max_msd_A2": np.array([0.05, 90.0])}
    melted = analyse_replica(melted_raw, settings)
    assert all(r["physically_valid"] and r["R_K_ci95_low_m2K_W"] is not None for r in good)
    assert melted["physically_valid"] is False
    assert melted["R_K_m2K_W"] is not None  # the point estimate stays, for the record
    assert melted["R_K_ci95_low_m2K_W"] is None and melted["R_K_se_m2K_W"] is None
    assert melted["ci_dof"] is None
    assert any("melted" in w for w in melted["warnings"])
    combined = combine_replicas([*good, melted])
    alone = combine_replicas(good)
    assert combined["excluded_replicas"] == [2] and combined["n_replicas"] == 2
    assert combined["R_K_m2K_W"] == pytest.approx(alone["R_K_m2K_W"])
    assert combined["R_K_ci95_low_m2K_W"] == pytest.approx(alone["R_K_ci95_low_m2K_W"])
    nothing = combine_replicas([melted])
    assert nothing["physically_valid"] is False and nothing["R_K_ci95_low_m2K_W"] is None
    row = summary_rows([nothing | {"system": "X", "temperature_K": 5000.0, "method": "nemd"}])[0]
    assert row["flags"].startswith("physically invalid") and "melted" in row["warnings"]


@pytest.mark.lammps
def test_lj_study_at_5000_K_gives_no_r_k(lj_stack, tmp_path):
    """The adversary's case: the LJ A/B stack (argon-like, melts near 84 K) driven at
    5000 K.  The run finishes, but its sides are no solid: no interval, flagged."""
    # binning by width: with planes the driver already refuses a side without planes
    # (tested below); here the run must finish so that the checks decide
    settings = lj_stack["settings"] | {"temperature_K": 5000.0, "equilibration_ps": 5.0,
                                       "npt_ps": 0.0, "production_ps": 60.0,
                                       "restart_every_ps": 60.0, "binning": "width"}
    outdir = tmp_path / "hot"
    done = run([PYTHON, "-m", "engine.nemd", "--structure", str(lj_stack["data"]),
                "--info", str(lj_stack["info"]), "--settings", json.dumps(settings),
                "--outdir", str(outdir)], timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    raw = dict(np.load(outdir / "raw.npz"))
    assert np.sqrt(raw["max_msd_A2"]).min() > 0.3 * raw["atomic_volume_A3"].max() ** (1 / 3)
    try:
        result = analyse_replica(raw)
    except ValueError as error:  # the gas has no steady profile to analyse at all
        assert "not a valid measurement, no R_K: side A: rms displacement" in str(error)
        return
    assert result["physically_valid"] is False
    assert not result["physical_checks"]["crystalline_A"]["ok"]
    assert result["R_K_ci95_low_m2K_W"] is None


@pytest.mark.lammps
def test_melted_side_without_planes_stops_with_a_hint(lj_stack, tmp_path):
    settings = lj_stack["settings"] | {"temperature_K": 5000.0, "equilibration_ps": 5.0,
                                       "npt_ps": 0.0, "production_ps": 20.0}
    done = run([PYTHON, "-m", "engine.nemd", "--structure", str(lj_stack["data"]),
                "--info", str(lj_stack["info"]), "--settings", json.dumps(settings),
                "--outdir", str(tmp_path / "hot")], timeout=600)
    assert done.returncode != 0
    assert "hint: a side is no longer a crystal at this temperature" in done.stderr
    assert not (tmp_path / "hot" / "raw.npz").exists()
