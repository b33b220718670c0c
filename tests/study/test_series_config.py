"""Cross-section (lateral_series_A) and flux (flux_series_W_m2) series in the config:
expansion into member systems, validation errors naming the field, the lateral-size
defaults, and a Snakemake dry run of a study with both series."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from study.config import (
    ConfigError,
    check_config,
    flux_series_system_name,
    lateral_series_system_name,
    load_config,
    nemd_settings,
    registry_series_system_name,
    series_base,
    validate_config,
)
from study.paper_sweeps import flux_series_members, lateral_series_members, member_fluxes
from study.paper_targets import figure_stems, flux_table_paths
from tests.conftest import REPO, SNAKEMAKE, run

TEST_LJ = REPO / "config" / "test_lj.yaml"
DEFAULT = REPO / "config" / "config.yaml"


def lj_raw(nemd: dict | None = None, **system) -> dict:
    raw = yaml.safe_load(TEST_LJ.read_text())
    raw["systems"]["LJ-AB"].update(system)
    if nemd:
        raw["systems"]["LJ-AB"]["nemd"].update(nemd)
    return raw


EHEX = {"bath": "ehex", "heat_flux_W_m2": 1e9, "initial_jump_K": 4.0}


# -- names and expansion --------------------------------------------------------------

def test_member_names():
    assert lateral_series_system_name("SiCu", 15) == "SiCu-W15"
    assert lateral_series_system_name("SiCu", 22.5) == "SiCu-W22p5"
    assert flux_series_system_name("SiCu", 5e9) == "SiCu-J5e9"
    assert flux_series_system_name("SiCu", 1.5e10) == "SiCu-J1p5e10"
    assert flux_series_system_name("LJ", 2.5e-3) == "LJ-J0p0025"


def test_lateral_series_expands_into_systems():
    config = validate_config(lj_raw(lateral_series_A=[15.0, 20, 30]))
    # 15 is the base's own min_lateral_A: the base is that member
    assert list(config["systems"]) == ["LJ-AB", "LJ-AB-W20", "LJ-AB-W30"]
    base, member = config["systems"]["LJ-AB"], config["systems"]["LJ-AB-W30"]
    assert "lateral_series_A" not in base and series_base(base) is None
    assert member["lateral_series_of"] == "LJ-AB" and series_base(member) == "LJ-AB"
    # min raised to W, max to W + W/2 (the base's window is only 1 Å)
    assert (member["min_lateral_A"], member["max_lateral_A"]) == (30.0, 45.0)
    assert {k: v for k, v in member.items()
            if k not in ("min_lateral_A", "max_lateral_A", "lateral_series_of")} == \
        {k: v for k, v in base.items() if k not in ("min_lateral_A", "max_lateral_A")}
    assert lateral_series_members(config) == {"LJ-AB": ["LJ-AB", "LJ-AB-W20", "LJ-AB-W30"]}
    # the resolved config is valid again and expands to itself
    assert validate_config(json.loads(json.dumps(config)))["systems"] == config["systems"]
    check_config(config)


def test_lateral_series_keeps_a_larger_window():
    config = validate_config(lj_raw(min_lateral_A=10.0, max_lateral_A=40.0,
                                    lateral_series_A=[20.0]))
    member = config["systems"]["LJ-AB-W20"]
    assert (member["min_lateral_A"], member["max_lateral_A"]) == (20.0, 50.0)


def test_lateral_series_members_find_a_cell():
    """Si/Cu (MEAM) from the default study's 10-12 Å window: W = 15, 17 and 22 Å give the
    rotated 15.4 Å, the conventional 21.7 Å and the rotated 23.0 Å cells."""
    from structures import find_coincidence

    raw = yaml.safe_load(DEFAULT.read_text())
    raw["systems"]["SiCu"]["lateral_series_A"] = [15, 17, 22]
    config = validate_config(raw)
    found = []
    for width in (15, 17, 22):
        member = config["systems"][f"SiCu-W{width}"]
        match = find_coincidence(5.43099990966438, 3.619999941138584,
                                 min_lateral_A=member["min_lateral_A"],
                                 max_lateral_A=member["max_lateral_A"],
                                 max_strain=member["max_strain"])
        found.append((round(match.lateral_A, 1), match.rotated_45))
    assert found == [(15.4, True), (21.7, False), (23.0, True)]


def test_flux_series_expands_into_systems_with_their_own_flux():
    config = validate_config(lj_raw(EHEX, flux_series_W_m2=[5e8, 1e9, 2e9]))
    assert list(config["systems"]) == ["LJ-AB", "LJ-AB-J5e8", "LJ-AB-J2e9"]
    check_config(config)
    settings = {s: nemd_settings(config, s, 40.0, 0) for s in config["systems"]}
    assert [settings[s]["heat_flux_W_m2"] for s in settings] == [1e9, 5e8, 2e9]
    # the warm start scales with J; the other settings are the base's
    assert [settings[s]["initial_jump_K"] for s in settings] == [4.0, 2.0, 8.0]
    assert settings["LJ-AB-J2e9"]["timestep_fs"] == settings["LJ-AB"]["timestep_fs"] == 5.0
    assert settings["LJ-AB-J2e9"]["seeds"] != settings["LJ-AB"]["seeds"]
    members = flux_series_members(config)
    assert members == {"LJ-AB": ["LJ-AB-J5e8", "LJ-AB", "LJ-AB-J2e9"]}
    assert member_fluxes(config, members["LJ-AB"]) == {"LJ-AB-J5e8": 5e8, "LJ-AB": 1e9,
                                                       "LJ-AB-J2e9": 2e9}
    assert validate_config(json.loads(json.dumps(config)))["systems"] == config["systems"]


def test_flux_series_with_the_study_flux():
    raw = lj_raw(flux_series_W_m2=[2e9])
    raw["nemd"].update(bath="ehex", heat_flux_W_m2=1e9)
    config = validate_config(raw)
    check_config(config)
    assert config["systems"]["LJ-AB-J2e9"]["nemd"]["heat_flux_W_m2"] == 2e9
    assert "heat_flux_W_m2" not in config["systems"]["LJ-AB"]["nemd"]


def test_series_are_not_crossed():
    config = validate_config(lj_raw(EHEX, length_series_A=[40.0], lateral_series_A=[20.0],
                                    flux_series_W_m2=[2e9]))
    assert list(config["systems"]) == ["LJ-AB", "LJ-AB-L40", "LJ-AB-W20", "LJ-AB-J2e9"]
    for name, sysconf in config["systems"].items():
        assert not {"length_series_A", "lateral_series_A", "flux_series_W_m2"} & set(sysconf)
        assert series_base(sysconf) == (None if name == "LJ-AB" else "LJ-AB")
    stems = figure_stems(config, "r")
    assert {"r/paper/lateral_series/LJ-AB", "r/paper/flux_series/LJ-AB",
            "r/paper/size_series/LJ-AB"} <= set(stems)
    # R_K(T) and NEMD-vs-EMD figures only for the system itself, not for series members
    assert [s for s in stems if "R_K_vs_T" in s] == ["r/paper/R_K_vs_T/LJ-AB"]
    assert flux_table_paths(config, "r") == ["r/paper/flux_series.csv"]
    assert flux_table_paths(validate_config(lj_raw()), "r") == []


# -- validation -----------------------------------------------------------------------

GB = {"type": "grain_boundary", "element": "Si", "sigma": 5, "plane": [3, 1, 0],
      "length_a_A": 40.0, "length_b_A": 40.0}

BAD = {
    # id: (system changes, NEMD changes, text the error must contain)
    "negative_width": ({"lateral_series_A": [-15.0]}, None, "systems.LJ-AB.lateral_series_A"),
    "zero_width": ({"lateral_series_A": [0]}, None, "systems.LJ-AB.lateral_series_A"),
    "empty_widths": ({"lateral_series_A": []}, None, "systems.LJ-AB.lateral_series_A"),
    "repeated_width": ({"lateral_series_A": [20, 20.0]}, None,
                       "systems.LJ-AB.lateral_series_A"),
    "width_not_a_number": ({"lateral_series_A": ["wide"]}, None,
                           "systems.LJ-AB.lateral_series_A"),
    "negative_flux": ({"flux_series_W_m2": [-1e9]}, EHEX, "systems.LJ-AB.flux_series_W_m2"),
    "empty_fluxes": ({"flux_series_W_m2": []}, EHEX, "systems.LJ-AB.flux_series_W_m2"),
    "flux_series_with_langevin": ({"flux_series_W_m2": [1e9]}, None,
                                  "systems.LJ-AB.flux_series_W_m2: needs eHEX"),
    "negative_min_lateral": ({"min_lateral_A": -1.0}, None, "systems.LJ-AB.min_lateral_A"),
    "min_above_max": ({"min_lateral_A": 20.0, "max_lateral_A": 16.0}, None,
                      "systems.LJ-AB.min_lateral_A: 20.0 A exceeds max_lateral_A"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_series_values_are_named(case, tmp_path):
    system, nemd, expected = BAD[case]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(lj_raw(nemd, **system)))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert expected in str(info.value)


@pytest.mark.parametrize("key", ["lateral_series_A", "flux_series_W_m2"])
def test_series_on_a_grain_boundary_is_refused(key):
    raw = {"systems": {"gb": {**GB, key: [20.0]}}, "temperatures_K": [300],
           "nemd": {"bath": "ehex", "heat_flux_W_m2": 1e10}}
    with pytest.raises(ConfigError, match=rf"systems\.gb\.{key}: .*bonded interfaces only"):
        validate_config(raw)


def test_member_name_taken_by_another_system():
    raw = lj_raw(lateral_series_A=[20])
    raw["systems"]["LJ-AB-W20"] = {k: v for k, v in raw["systems"]["LJ-AB"].items()
                                   if k != "lateral_series_A"}
    with pytest.raises(ConfigError, match="LJ-AB-W20' is also a system"):
        validate_config(raw)


# -- lateral-size defaults ------------------------------------------------------------

def test_lateral_defaults_and_explicit_minimum():
    raw = lj_raw()
    for key in ("min_lateral_A", "max_lateral_A"):
        del raw["systems"]["LJ-AB"][key]
    system = validate_config(raw)["systems"]["LJ-AB"]
    assert (system["min_lateral_A"], system["max_lateral_A"]) == (15.0, 25.0)
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    props = schema["$defs"]["system"]["properties"]
    for key in ("min_lateral_A", "max_lateral_A", "lateral_series_A", "flux_series_W_m2"):
        assert "angstrom" in props[key]["description"] or "W/m^2" in props[key]["description"]
    # an explicit minimum still wins (the default study keeps its 2 x 2 Si cell)
    default = load_config(DEFAULT)["systems"]["SiCu"]
    assert (default["min_lateral_A"], default["max_lateral_A"]) == (10.0, 12.0)


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "config").glob("*.yaml")))
def test_every_study_config_still_validates(name):
    load_config(REPO / "config" / name)


# -- snakemake ------------------------------------------------------------------------

@pytest.mark.snakemake
def test_dry_run_with_both_series(tmp_path):
    raw = lj_raw(EHEX, lateral_series_A=[20.0], flux_series_W_m2=[5e8, 2e9])
    raw["results_dir"] = str(tmp_path / "results")
    path = tmp_path / "both.yaml"
    path.write_text(yaml.safe_dump(raw))
    result = run([*SNAKEMAKE, "-n", "--cores", "2", "--configfile", path], timeout=180)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    counts = {m.group(1): int(m.group(2))
              for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", output, flags=re.MULTILINE)}
    members = 4  # LJ-AB, LJ-AB-W20, LJ-AB-J5e8, LJ-AB-J2e9
    assert counts["build_structure"] == counts["combine_nemd"] == members, counts
    assert counts["nemd_run"] == members * raw["replicas"]
    assert counts["paper_lateral_series"] == counts["paper_flux_series"] == 1
    assert counts["paper_flux_table"] == 1
    assert "--flux LJ-AB-J5e8=500000000.0 LJ-AB=1000000000.0 LJ-AB-J2e9=2000000000.0" in output
    assert "min_lateral_A\": 20.0" in output  # the member's own cell search
    assert not (tmp_path / "results").exists()


# -- registry series --------------------------------------------------------------------

def test_registry_series_builds_the_next_lowest_registries():
    search = {"grid": 2, "refine": 0, "keep": 1, "cell": "reduced", "confirm": 3}
    config = validate_config(lj_raw(registry_search=search, registry_series=[1, 2, 3]))
    check_config(config)
    assert registry_series_system_name("SiCu", 2) == "SiCu-R2"
    assert list(config["systems"]) == ["LJ-AB", "LJ-AB-R2", "LJ-AB-R3"]
    base, second = config["systems"]["LJ-AB"], config["systems"]["LJ-AB-R2"]
    assert "rank" not in base["registry_search"]  # rank 1 is NAME, its settings unchanged
    assert "registry_series" not in base
    assert second["registry_search"] == {**base["registry_search"], "rank": 2}
    assert series_base(second) == "LJ-AB"
    others = ("registry_search", "registry_series_of")
    assert ({k: v for k, v in second.items() if k not in others}
            == {k: v for k, v in base.items() if k not in others})


@pytest.mark.parametrize(("system", "expected"), [
    ({"registry_series": [2]}, "registry_series: needs a registry_search block"),
    ({"registry_series": [5], "registry_search": {"confirm": 2}},
     "registry_series: rank 5 exceeds registry_search.confirm + 1 = 3"),
])
def test_bad_registry_series_is_named(system, expected):
    with pytest.raises(ConfigError, match=re.escape(f"systems.LJ-AB.{expected}")):
        validate_config(lj_raw(**system))
