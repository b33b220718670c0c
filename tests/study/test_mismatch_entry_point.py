"""The mismatch entry point on the MEAM Si/Cu pair of the default study (small settings)."""

from __future__ import annotations

import csv
import json
import math

import pytest

from study.mismatch import CSV_COLUMNS, main

pytestmark = pytest.mark.lammps

SYSTEM = {"name": "SiCu", "potential": "meam_jelinek2012",
          "side_a": {"element": "Si", "lattice": "diamond"},
          "side_b": {"element": "Cu", "lattice": "fcc"}}
FAST = {"min_supercell_A": 11.0, "mesh": 6, "n_temperatures": 6, "elastic_repeat": 2, "n_bins": 60,
        "n_samples": 10}


def test_meam_sicu_entry_point(tmp_path):
    md = tmp_path / "combined.json"
    md.write_text(json.dumps({"method": "nemd", "temperature_K": 300.0, "R_K_m2K_W": 2.5e-9,
                              "R_K_ci95_low_m2K_W": -1e-9, "R_K_ci95_high_m2K_W": 6e-9,
                              "note": "phonons only"}))
    out = {k: tmp_path / name for k, name in
           (("json", "m.json"), ("csv", "m.csv"), ("png", "m.png"))}
    assert main(["--system", json.dumps(SYSTEM), "--settings", json.dumps(FAST),
                 "--md-results", str(md), "--out-json", str(out["json"]),
                 "--out-csv", str(out["csv"]), "--out-figure", str(out["png"])]) == 0
    record = json.loads(out["json"].read_text())
    si, cu = record["materials"]["A"], record["materials"]["B"]
    assert si["lattice_constant_A"] == pytest.approx(5.431, abs=0.01)
    assert cu["lattice_constant_A"] == pytest.approx(3.62, abs=0.01)
    assert si["debye_temperature_K"] > cu["debye_temperature_K"] > 100
    # direction-averaged Debye solids: the elastic Θ_D, confirmed by the dispersion; the
    # [001] velocities overestimate it, strongly for Cu (Zener ratio 3)
    for side in (si, cu):
        assert side["debye_temperature_K"] == pytest.approx(side["debye_temperature_elastic_K"])
        assert side["dispersion_debye_temperature_K"] == pytest.approx(
            side["debye_temperature_K"], rel=0.01)
    assert cu["zener_ratio"] == pytest.approx(3.0, abs=0.1)
    assert cu["debye_temperature_001_K"] > 1.2 * cu["debye_temperature_K"]
    assert record["warnings"] == []
    ratio = record["classical_debye_intervals"]["amm"]["eet_ratio"]
    assert 1 < ratio["ci95_low"] <= ratio["value"] <= ratio["ci95_high"] < 2
    assert 300.0 in record["temperatures_K"]
    at300 = [r for r in record["models"] if r["temperature_K"] == 300.0]
    assert len(at300) == (3 + 2) * 2 * 2
    assert all(r["G_MW_m2K"] is None or 10 < r["G_MW_m2K"] < 1e5 for r in at300)
    with open(out["csv"]) as handle:
        rows = list(csv.DictReader(handle))
    assert set(rows[0]) == set(CSV_COLUMNS)
    nemd = [r for r in rows if r["source"] == "nemd"]
    assert len(nemd) == 1 and float(nemd[0]["G_MW_m2K"]) == pytest.approx(400.0)
    assert all(math.isfinite(float(r["R_K_m2K_W"])) for r in rows if r["source"] == "model")
    eet = [r for r in rows if r["source"] == "model" and r["form"] == "debye"
           and r["statistics"] == "classical" and r["eet_correction"] == "True"]
    assert eet and all(float(r["eet_ratio_ci95_low"]) <= float(r["eet_ratio"])
                       <= float(r["eet_ratio_ci95_high"]) for r in eet)
    assert out["png"].stat().st_size > 10_000
