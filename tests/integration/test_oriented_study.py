"""The oriented builder through Snakemake (config/test_hcp_fcc.yaml): hcp (0001) on fcc
(111), both relaxed by the potential, real LAMMPS NEMD binned by close-packed planes, a
summary row; and general sides that cannot work refused before any MD, naming the field."""

from __future__ import annotations

import csv
import json
import math

import pytest
import yaml

from study.config import ConfigError, check_config, validate_config
from tests.conftest import REPO, SNAKEMAKE, run, write_config

CONFIG = REPO / "config" / "test_hcp_fcc.yaml"
SYSTEM = "LJ-hcp-fcc"


@pytest.mark.lammps
@pytest.mark.snakemake
def test_hexagonal_on_cubic_study_runs_nemd_on_its_planes(tmp_path):
    results = tmp_path / "results"
    config_file = write_config(CONFIG, tmp_path / "hcp_fcc.yaml", results)
    spectral = results / SYSTEM / "T30K" / "spectral" / "spectral.png"
    done = run([*SNAKEMAKE, results / "summary.csv", spectral, "--cores", "2", "--nolock",
                "--configfile", config_file], timeout=900)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    info = json.loads((results / SYSTEM / "structure" / "relaxed.json").read_text())
    relaxed = info["bulk_relaxation"]
    # LJ hcp: c/a within 0.1 % of ideal; hcp and fcc share the close-packed net
    assert relaxed["side_a"]["c_A"] / relaxed["side_a"]["a_A"] == pytest.approx(
        math.sqrt(8 / 3), rel=1e-3)
    assert relaxed["side_b"]["a_A"] / math.sqrt(2) == pytest.approx(relaxed["side_a"]["a_A"],
                                                                    rel=2e-3)
    assert info["plane_a"] == [0, 0, 1] and info["plane_b"] == [1, 1, 1]
    assert info["strain_a"] < 2e-3 and min(info["lateral_A"]) >= 12.0
    assert "hcp" in info["methods_not_applicable"]["mismatch_models"]
    assert not (results / SYSTEM / "mismatch").exists()
    run_record = json.loads((results / SYSTEM / "T30K" / "nemd" / "rep0" / "run.json").read_text())
    geometry = run_record["geometry"]
    assert geometry["binning"] == "planes" and min(geometry["planes_per_side"].values()) >= 10
    rows = {r["method"]: r for r in csv.DictReader((results / "summary.csv").open())}
    assert set(rows) == {"nemd", "green-kubo", "spectral", "spectral-quantum", "agf"}
    # EMD closes the oriented cell periodically: two interfaces, each side's own atoms
    emd = json.loads((results / SYSTEM / "T30K" / "emd" / "rep0" / "emd.json").read_text())
    assert emd["n_interfaces"] == 2
    assert (emd["n_atoms_a"], emd["n_atoms_b"]) == (info["n_atoms_a"], info["n_atoms_b"])
    assert rows["nemd"]["system"] == SYSTEM
    assert 0 < float(rows["nemd"]["R_K_m2K_W"]) < 1e-7  # a finite resistance, m2K/W
    assert float(rows["nemd"]["flux_W_m2"]) == pytest.approx(5e8, rel=1e-6)  # eHEX imposes J
    # the AGF runs on the oriented cell's force constants: a positive elastic conductance
    agf = json.loads((spectral.parent / "combined_agf.json").read_text())
    assert agf["G_MW_m2K"] > 0 and agf["warnings"] == []
    assert spectral.stat().st_size > 10_000


def _raw(**side_a) -> dict:
    raw = yaml.safe_load(CONFIG.read_text())
    raw["systems"][SYSTEM]["side_a"] = side_a
    return raw


@pytest.mark.parametrize(("side_a", "expected"), [
    ({"lattice": "hcpx", "element": "Ar"}, r"side_a.lattice': 'hcpx' is not one of"),
    ({"file": "no/such/file.cif"}, r"side_a: structure file 'no/such/file.cif' .* does not exist"),
    ({"lattice": "hcp", "element": "Cu"}, r"side_a: species 'Cu' is not modelled"),
    ({"lattice": "hcp", "element": "Ar", "plane": [1, 1, 1, 1]}, r"side_a.plane: .*i must be"),
    ({"lattice": "zincblende", "species": "ArKr"}, r"side_a.a_A: give a starting lattice"),
    ({"lattice": "rocksalt", "species": "Ar"}, r"side_a.*rocksalt.*2 species"),
])
def test_bad_sides_are_refused_before_any_md(side_a, expected):
    with pytest.raises(ConfigError, match=expected):
        check_config(validate_config(_raw(**side_a)))


def test_an_unparsable_structure_file_is_refused(tmp_path):
    bad = tmp_path / "bad.cif"
    bad.write_text("this is not a CIF file\n")
    with pytest.raises(ConfigError, match=r"side_a: structure file .*bad.cif.* could not be read"):
        check_config(validate_config(_raw(file=str(bad))))


def test_the_registry_search_is_refused_for_an_oriented_side():
    raw = _raw(lattice="hcp", element="Ar", plane=[0, 0, 0, 1])
    raw["systems"][SYSTEM]["registry_search"] = {}
    with pytest.raises(ConfigError, match=r"registry_search: the in-plane registry search"):
        check_config(validate_config(raw))


AMORPHOUS = REPO / "config" / "test_si_asio2.yaml"


@pytest.mark.lammps
@pytest.mark.snakemake
def test_crystal_on_amorphous_study_bonds_and_runs_nemd(tmp_path):
    results = tmp_path / "results"
    config_file = write_config(AMORPHOUS, tmp_path / "si_asio2.yaml", results)
    done = run([*SNAKEMAKE, results / "summary.csv", "--cores", "2", "--nolock",
                "--configfile", config_file], timeout=900)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    info = json.loads((results / "Si-aSiO2" / "structure" / "relaxed.json").read_text())
    assert info["builder"] == "amorphous" and info["lattice_b"] == "amorphous"
    assert info["specorder"] == ["Si", "Si", "O"] and info["side_types"] == {"A": [1], "B": [2, 3]}
    assert info["element_b"] == "SiO2" and info["plane_spacing_b_A"] is None
    block = info["amorphous"]["block"]
    checks = {c["check"]: c for c in block["checks"]}
    assert checks["melt_msd_A2"]["passed"]  # the melt forgot its random start
    assert checks["density_g_cm3"]["passed"] and checks["coordination:Si-O"]["passed"]
    # the block is SiO2 and fills length_b_A at about its density
    counts = block["inputs"]["species_counts"]
    assert counts["O"] == 2 * counts["Si"]
    assert info["n_atoms_b"] == sum(counts.values())
    bonding = info["bonding"]
    assert bonding["bonds_after"]["bonds"] > 0 and bonding["energy_after_eV"] < bonding[
        "energy_before_eV"]
    assert "amorphous" in info["methods_not_applicable"]["mismatch_models"]
    if not all(c["passed"] for c in block["checks"]):  # a failed check is a warning
        assert any("structure check(s) failed" in w for w in info["warnings"])
    rows = list(csv.DictReader((results / "summary.csv").open()))
    assert len(rows) == 1 and rows[0]["potential"] == "tersoff_sio_munetoh2007"
    assert float(rows[0]["flux_W_m2"]) > 0  # heat flows from the hot Si bath to the glass


def _amorphous_raw(**amorphous) -> dict:
    raw = yaml.safe_load(AMORPHOUS.read_text())
    raw["systems"]["Si-aSiO2"]["side_b"] = {"amorphous": amorphous}
    return raw


@pytest.mark.parametrize(("amorphous", "expected"), [
    ({"composition": {"Si": 1, "N": 1}}, (r"side_b.amorphous.density_g_cm3: no literature default "
                                         r"for SiN")),
    ({"composition": {"Si": 1, "Cu": 2}, "density_g_cm3": 5.0, "melt_K": 3000.0,
      "melt_ps": 5.0, "quench_rate_K_ps": 100.0, "final_K": 300.0, "anneal_ps": 5.0,
      "timestep_fs": 1.0}, r"side_b.amorphous.composition: 'Cu' is not modelled"),
    ({"composition": {"Si": 1, "O": 2}, "final_K": 6000.0}, (r"amorphous.final_K: .* not "
                                                            r"below melt_K")),
])
def test_bad_amorphous_sides_are_refused_before_any_md(amorphous, expected):
    with pytest.raises(ConfigError, match=expected):
        check_config(validate_config(_amorphous_raw(**amorphous)))


def test_two_amorphous_sides_are_refused():
    raw = _amorphous_raw(composition={"Si": 1, "O": 2})
    raw["systems"]["Si-aSiO2"]["side_a"] = {"amorphous": {"composition": {"Si": 1, "O": 2}}}
    with pytest.raises(ConfigError, match=r"both sides are amorphous"):
        check_config(validate_config(raw))


def test_the_agf_is_refused_for_an_amorphous_side():
    raw = yaml.safe_load(AMORPHOUS.read_text())
    spectral = yaml.safe_load((REPO / "config" / "test_spectral.yaml").read_text())["spectral"]
    raw["spectral"] = spectral
    with pytest.raises(ConfigError, match=r"side_b is amorphous: the AGF transmission needs"):
        check_config(validate_config(raw))
