"""The imposed-flux (eHEX) bath mode of the NEMD driver, on a real tiny LJ A/B stack."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis import analyse_replica, load_replica
from analysis.units import W_M2_PER_EV_PS_A2
from tests.conftest import PYTHON, run

pytestmark = pytest.mark.lammps

FLUX_W_m2 = 1.0e9  # about 15 K across an LJ 4:1 mass interface of R_K ~ 1.5e-8 m2K/W


@pytest.fixture(scope="module")
def ehex_run(lj_stack, tmp_path_factory) -> dict:
    outdir = tmp_path_factory.mktemp("ehex")
    settings = lj_stack["settings"] | {"bath": "ehex", "heat_flux_W_m2": FLUX_W_m2,
                                       "equilibration_ps": 10.0, "production_ps": 500.0,
                                       "initial_jump_K": 15.0,
                                       "sample_every_ps": 1.0, "restart_every_ps": 50.0}
    done = run([PYTHON, "-m", "engine.nemd", "--structure", lj_stack["data"], "--info",
                lj_stack["info"], "--settings", json.dumps(settings), "--outdir", outdir],
               timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    raw = load_replica(outdir / "raw.npz")
    # the cross-section after the zero-pressure barostat stage (thermal expansion at T)
    info = json.loads(lj_stack["info"].read_text())
    assert raw["area_A2"] > info["area_A2"]
    return {"raw": raw, "area_A2": float(raw["area_A2"]),
            "log": (outdir / "log.0.lammps").read_text(),
            "run": json.loads((outdir / "run.json").read_text())}


def test_imposed_power_is_exact_and_balanced(ehex_run):
    raw = ehex_run["raw"]
    power = FLUX_W_m2 * ehex_run["area_A2"] / W_M2_PER_EV_PS_A2  # eV/ps
    np.testing.assert_allclose(raw["energy_hot_eV"], power * raw["time_ps"], rtol=1e-9)
    np.testing.assert_allclose(raw["energy_cold_eV"], -power * raw["time_ps"], rtol=1e-9)


def test_total_energy_is_conserved(ehex_run):
    """eHEX adds to the hot bath exactly what it removes from the cold one."""
    etotal = [float(line.split()[4]) for line in ehex_run["log"].splitlines()
              if line.strip() and line.split()[0].isdigit() and len(line.split()) == 7]
    injected = FLUX_W_m2 * ehex_run["area_A2"] / W_M2_PER_EV_PS_A2 * 500.0  # eV per bath
    drift = abs(etotal[-1] - etotal[len(etotal) // 2])
    assert drift < 0.02 * injected, (drift, injected)


def test_jump_is_resolved_with_exact_flux(ehex_run):
    result = analyse_replica(ehex_run["raw"], {"bath_exclusion_A": 5.0,
                                               "interface_exclusion_A": 3.0,
                                               "min_discard_ps": 20.0})
    assert result["flux_W_m2"] == pytest.approx(FLUX_W_m2, rel=1e-6)
    assert result["flux_imbalance"] == pytest.approx(0.0, abs=1e-9)
    assert result["delta_T_K"] > 0
    assert result["converged"], result["convergence"]["reasons"]
    assert result["R_K_ci95_low_m2K_W"] > 0, "the jump should be resolved at this flux"
    # R_K of the 4:1 mass LJ interface: G* between 0.3 and 5 (1 <-> 55.2 MW/m2K)
    assert 3.6e-9 < result["R_K_m2K_W"] < 6.0e-8


def test_production_starts_at_the_mean_equilibration_energy(ehex_run):
    """eHEX holds no temperature: the production keeps the energy of the switch-over, set
    to the mean total energy of the equilibration's second half, not an instantaneous
    canonical draw (whose spread is T/sqrt(3 N_mobile) in the mean temperature)."""
    switch = ehex_run["run"]["switch"]
    assert switch["energy_after_eV"] == pytest.approx(switch["mean_equilibration_energy_eV"],
                                                      abs=1e-9)
    assert switch["energy_after_eV"] != switch["energy_before_eV"]
    # scaling the kinetic energy by the energy difference changed the mobile temperature
    kinetic_change = switch["energy_after_eV"] - switch["energy_before_eV"]
    t0, t1 = switch["mobile_temperature_before_K"], switch["mobile_temperature_after_K"]
    assert np.sign(t1 - t0) == np.sign(kinetic_change)
    # the first production thermo line carries the scaled energy (NVE conserves it)
    steps = [line.split() for line in ehex_run["log"].splitlines()
             if line.strip() and line.split()[0].isdigit() and len(line.split()) == 7]
    after = [row for row in steps if int(row[0]) >= switch["step"]]
    assert float(after[0][4]) == pytest.approx(switch["energy_after_eV"], abs=1e-3)
