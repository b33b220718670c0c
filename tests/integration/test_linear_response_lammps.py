"""Linear response on a real tiny LJ A/B cell: R_K does not depend on the imposed flux.

A flux series (``flux_series_W_m2``) of the tiny LJ interface with eHEX baths at two
fluxes whose jumps are ~9 % and ~14 % of T (40 K), two replicas each, run through
Snakemake up to ``paper/flux_series.csv``.  Both fluxes must converge (their steady
windows hold ≥ 5 τ_slow), stay in linear response by the analysis' own flag, and give the
same R_K within the intervals (the slope test of :mod:`analysis.linear_response`).  A
units error that made R_K scale with 1/J or J, or a flux applied to the wrong area,
fails it: at these errors (~10 %) a factor 1.6 between the fluxes is far outside.
"""

from __future__ import annotations

import csv
import json

import pytest
import yaml

from tests.conftest import REPO, SNAKEMAKE, run, write_config

pytestmark = [pytest.mark.lammps, pytest.mark.snakemake]

FLUXES_W_m2 = (2.0e8, 3.2e8)  # R_K ~ 1.7e-8 m2K/W: jumps of ~3.4 K and ~5.4 K at 40 K


def test_r_k_does_not_depend_on_the_flux(tmp_path):
    base = yaml.safe_load((REPO / "config" / "test_lj.yaml").read_text())
    system = {**base["systems"]["LJ-AB"], "length_a_A": 30.0, "length_b_A": 30.0,
              "flux_series_W_m2": [FLUXES_W_m2[1]]}
    nemd = {**base["nemd"], "bath": "ehex", "heat_flux_W_m2": FLUXES_W_m2[0],
            "initial_jump_K": 3.4, "equilibration_ps": 10.0, "npt_ps": 10.0,
            "production_ps": 600.0, "sample_every_ps": 1.0, "restart_every_ps": 100.0,
            "bath_thickness_A": 6.0}
    results = tmp_path / "results"
    config = {k: v for k, v in base.items() if k != "emd"}
    config_file = tmp_path / "flux.yaml"
    config_file.write_text(yaml.safe_dump(config))
    write_config(config_file, config_file, results, systems={"LJ-AB": system}, nemd=nemd,
                 analysis={"bath_exclusion_A": 2.0, "interface_exclusion_A": 3.0,
                           "min_discard_ps": 10.0})
    table = results / "paper" / "flux_series.csv"
    done = run([*SNAKEMAKE, table, "--cores", "2", "--configfile", config_file], timeout=900)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    records = {}
    for name, flux in (("LJ-AB", FLUXES_W_m2[0]), ("LJ-AB-J3p2e8", FLUXES_W_m2[1])):
        record = json.loads((results / name / "T40K" / "nemd" / "combined.json").read_text())
        assert record["flux_W_m2"] == pytest.approx(flux, rel=1e-9)
        assert record["converged"], record["warnings"]
        assert record["linear_response"], record["warnings"]
        assert 0.04 < record["delta_T_K"] / 40.0 < 0.2
        records[name] = record
    (test,) = list(csv.DictReader(table.open()))
    assert test["verdict"] == "independent", test
    assert int(test["n_used"]) == 2 and float(test["p_value"]) > 0.05
    # the two R_K overlap within their intervals (an R_K scaling with J or 1/J would
    # differ by the flux ratio 1.6)
    low = max(r["R_K_ci95_low_m2K_W"] for r in records.values())
    high = min(r["R_K_ci95_high_m2K_W"] for r in records.values())
    assert low < high
