"""The two-temperature chain through Snakemake (config/test_ttm.yaml): fix ttm/mod run,
block analysis, combination, a 'two-temperature' row in summary.csv and its figure; and a
TTM study without a metal or without electronic parameters is refused before any MD."""

from __future__ import annotations

import csv
import json

import pytest
import yaml

from study.config import ConfigError, check_config, validate_config
from tests.conftest import REPO, SNAKEMAKE, run, write_config

CONFIG = REPO / "config" / "test_ttm.yaml"


@pytest.mark.lammps
@pytest.mark.snakemake
def test_ttm_study_writes_its_row_and_figure(tmp_path):
    results = tmp_path / "results"
    config_file = write_config(CONFIG, tmp_path / "ttm.yaml", results)
    done = run([*SNAKEMAKE, "--cores", "2", "--configfile", config_file], timeout=900)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    run_dir = results / "LJ-AB" / "T40K" / "ttm"
    record = json.loads((run_dir / "rep0" / "ttm.json").read_text())
    balance = record["energy_balance"]
    assert abs(balance["total_eV"]) < 0.05 * balance["scale_eV"]  # energy is conserved
    assert record["metal"] == "Ar" and record["n_blocks"] == 5
    assert (run_dir / "rep0" / "ttm.png").stat().st_size > 10_000
    paper = results / "paper" / "two_temperature" / "LJ-AB_T40K_rep0"  # in the paper target
    for ext in ("pdf", "svg", "png", "csv"):
        assert paper.with_suffix(f".{ext}").stat().st_size > 1_000, ext
    combined = json.loads((run_dir / "combined.json").read_text())
    assert combined["method"] == "two-temperature"
    assert combined["R_K_m2K_W"] == pytest.approx(combined["R_total_m2K_W"])
    rows = [r for r in csv.DictReader((results / "summary.csv").open())
            if r["method"] == "two-temperature"]
    assert len(rows) == 1 and rows[0]["R_pp_m2K_W"] != ""
    if combined["converged"]:
        assert rows[0]["R_K_ci95_low_m2K_W"] != ""
    else:  # this tiny cell need not resolve the relaxation: a flag, no interval
        assert "not converged" in rows[0]["flags"] and rows[0]["R_K_ci95_low_m2K_W"] == ""


@pytest.mark.parametrize(("ttm", "expected"), [
    ({"metal": "Cu"}, "ttm.metal: no bonded system has a side of 'Cu'"),
    ({"metal": "Kr", "electrons": None}, "ttm.electrons: no electronic parameters for 'Kr'"),
])
def test_a_ttm_study_without_metal_or_electrons_is_refused(ttm, expected):
    raw = yaml.safe_load(CONFIG.read_text())
    raw["ttm"] = {**raw["ttm"], **ttm}
    if "electrons" not in ttm:
        raw["ttm"]["electrons"] = None
    with pytest.raises(ConfigError, match=expected):
        check_config(validate_config(raw))
