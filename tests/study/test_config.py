"""Study configuration: loading, field-naming errors, and the Snakemake front end
(dry runs, a bad config failing fast, lint, MPI ranks bounded by --cores)."""

from __future__ import annotations

import copy
import re
import time
from pathlib import Path

import pytest
import yaml

from study.config import (
    ConfigError,
    check_config,
    emd_replicas,
    load_config,
    nemd_settings,
    validate_config,
)
from tests.conftest import REPO, SNAKEMAKE, run, write_config

DEFAULT = REPO / "config" / "config.yaml"
TEST_LJ = REPO / "config" / "test_lj.yaml"


def default_raw() -> dict:
    return yaml.safe_load(DEFAULT.read_text())


def test_default_config_loads():
    config = load_config(DEFAULT)
    assert "SiCu" in config["systems"]
    system = config["systems"]["SiCu"]
    assert system["potential"] == "meam_jelinek2012"
    assert (system["side_a"]["element"], system["side_b"]["element"]) == ("Si", "Cu")
    assert config["replicas"] >= 1 and all(t > 0 for t in config["temperatures_K"])
    # schema defaults are filled in
    assert config["results_dir"] == "results"
    assert config["nemd"]["hot_side"] == "A"
    assert config["analysis"]["min_blocks"] >= 2


def test_test_lj_config_loads_and_gives_run_settings():
    config = load_config(TEST_LJ)
    system = config["systems"]["LJ-AB"]
    assert system["side_b"]["mass_amu"] == pytest.approx(4 * system["side_a"]["mass_amu"])
    settings = nemd_settings(config, "LJ-AB", 40.0, 1)
    assert settings["timestep_fs"] == 5.0  # the per-system override wins
    assert settings["langevin_damping_ps"] == 1.0
    assert settings["specorder"] == ["Ar", "Kr"]
    seeds = settings["seeds"]
    assert set(seeds) == {"velocity", "equilibration", "hot", "cold"}
    assert len(set(seeds.values())) == 4 and all(1 <= v <= 900_000_000 for v in seeds.values())
    # replicas get different seeds, the same replica the same ones
    assert nemd_settings(config, "LJ-AB", 40.0, 0)["seeds"] != seeds
    assert nemd_settings(config, "LJ-AB", 40.0, 1)["seeds"] == seeds


def _with(raw: dict, path: str, value) -> dict:
    """A deep copy of ``raw`` with the dotted ``path`` set to ``value``."""
    out = copy.deepcopy(raw)
    *parents, last = path.split(".")
    node = out
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return out


BAD_FIELDS = {
    # id: (dotted path, bad value, text the error must contain)
    "negative_temperature": ("temperatures_K", [-300.0], "temperatures_K"),
    "unknown_element": ("systems.SiCu.side_b.element", "Au", "systems.SiCu.side_b.element"),
    "unknown_potential": ("systems.SiCu.potential", "no_such_potential", "systems.SiCu.potential"),
    "length_too_short": ("systems.SiCu.length_a_A", 10.0, "systems.SiCu.length_a_A"),
    "delta_T_too_large": ("systems.SiCu.nemd", {"bath": "langevin", "delta_T_K": 700.0},
                          "delta_T_K"),
    "ehex_without_flux": ("systems.SiCu.nemd", {"bath": "ehex", "heat_flux_W_m2": None},
                          "heat_flux_W_m2"),
    "unknown_top_level_key": ("replicaz", 3, "replicaz"),
    "unknown_nemd_key": ("nemd.timestep", 2.0, "'timestep'"),
    "unknown_emd_key": ("emd", {"production": 100.0}, "'production'"),
    "emd_blocks_too_short": ("emd", {"production_ps": 100.0, "n_blocks": 10}, "emd.n_blocks"),
    "emd_sampling_below_timestep": ("emd", {"sample_every_fs": 0.5}, "emd.sample_every_fs"),
    "emd_bad_estimator": ("emd", {"estimator": "plateau"}, "plateau"),
    "emd_too_few_likelihood_bins": ("emd", {"bin_ps": 70.0}, "emd.bin_ps"),
    "emd_negative_gap": ("emd", {"gap_ps": -1.0}, "gap_ps"),
}


@pytest.mark.parametrize("case", sorted(BAD_FIELDS))
def test_bad_field_raises_config_error_naming_it(case, tmp_path):
    path, value, expected = BAD_FIELDS[case]
    config_file = tmp_path / "bad.yaml"
    config_file.write_text(yaml.safe_dump(_with(default_raw(), path, value)))
    with pytest.raises(ConfigError) as info:
        load_config(config_file)
    assert expected in str(info.value)


def test_the_bad_field_is_the_only_complaint():
    """A single bad field yields a single problem line (no cascade of follow-up errors)."""
    with pytest.raises(ConfigError) as info:
        check_config(validate_config(_with(default_raw(), "systems.SiCu.length_a_A", 10.0)))
    problems = [ln for ln in str(info.value).splitlines()[1:] if ln.strip()]
    assert len(problems) == 1 and problems[0].strip().startswith("systems.SiCu.length_a_A")


def _job_counts(output: str) -> dict[str, int]:
    """The 'Job stats' table of a Snakemake run as {rule: count}."""
    counts = {}
    for match in re.finditer(r"^(\w+)\s+(\d+)\s*$", output, flags=re.MULTILINE):
        counts[match.group(1)] = int(match.group(2))
    return counts


@pytest.mark.snakemake
def test_dry_run_of_default_config_lists_nemd_runs(tmp_path):
    config = load_config(DEFAULT)
    result = run([*SNAKEMAKE, "-n", "--cores", "2", "--config", f"results_dir={tmp_path}"],
                 timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    counts = _job_counts(output)
    n_runs = config["replicas"] * len(config["temperatures_K"]) * len(config["systems"])
    assert counts.get("nemd_run") == n_runs, counts
    assert counts.get("analyse_nemd_run") == n_runs
    assert counts.get("build_structure") == counts.get("relax_structure") == 1
    assert counts.get("summary") == 1
    assert "emd_run" not in counts  # no emd block: no equilibrium runs
    assert str(tmp_path) in output  # outputs go to the overridden results_dir
    assert not any(tmp_path.iterdir())  # a dry run writes nothing


@pytest.mark.snakemake
def test_emd_block_adds_the_green_kubo_jobs(tmp_path):
    config_file = write_config(TEST_LJ, tmp_path / "lj.yaml", tmp_path / "results")
    result = run([*SNAKEMAKE, "-n", "--cores", "2", "--configfile", config_file], timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    counts = _job_counts(output)
    n_emd = emd_replicas(load_config(TEST_LJ))
    assert n_emd == 2
    assert counts.get("emd_run") == counts.get("analyse_emd_run") == n_emd, counts
    assert counts.get("combine_emd") == counts.get("compare_methods") == 1
    assert counts.get("build_structure") == 1  # EMD reuses the NEMD structure


@pytest.mark.snakemake
@pytest.mark.parametrize("case", ["negative_temperature", "length_too_short"])
def test_snakemake_rejects_bad_config_fast(case, tmp_path):
    path, value, expected = BAD_FIELDS[case]
    raw = _with(default_raw(), path, value)
    raw["results_dir"] = str(tmp_path / "results")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw))
    start = time.monotonic()
    result = run([*SNAKEMAKE, "-n", "--cores", "1", "--configfile", bad], timeout=60)
    elapsed = time.monotonic() - start
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert elapsed < 30
    assert expected in output, output[-3000:]
    assert "ConfigError" in output or "invalid configuration" in output
    assert not (tmp_path / "results").exists()


@pytest.mark.snakemake
def test_snakemake_lint_is_clean():
    result = run([*SNAKEMAKE, "--lint"], timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert "Lints for" not in output, output[-5000:]


def _mpirun_ranks(output: str, module: str) -> list[int]:
    """The -n of every printed `mpirun -n N python -m <module>` shell command."""
    return [int(n) for n in re.findall(rf"mpirun -n (\d+) \S+ -m {re.escape(module)}\b", output)]


def _profile_threads(rule: str) -> int:
    profile = yaml.safe_load((REPO / "profiles" / "default" / "config.yaml").read_text())
    return int((profile.get("set-threads") or {}).get(rule, 1))


@pytest.mark.snakemake
@pytest.mark.parametrize(
    ("cores", "set_threads"),
    [(1, None), (4, None), (4, 2), (2, 4)],
    ids=["cores1-profile", "cores4-profile", "cores4-threads2", "cores2-threads4"])
def test_mpi_ranks_follow_threads_and_never_exceed_cores(cores, set_threads, tmp_path):
    """`mpirun -n` of nemd_run is the rule's threads (profile or --set-threads), capped
    by --cores; with --cores 1 every LAMMPS job runs one rank."""
    config = write_config(TEST_LJ, tmp_path / "lj.yaml", tmp_path / "results")
    cmd = [*SNAKEMAKE, "-n", "-p", "--cores", str(cores), "--configfile", config]
    threads = _profile_threads("nemd_run")
    if set_threads is not None:
        cmd += ["--set-threads", f"nemd_run={set_threads}",
                f"relax_structure={_profile_threads('relax_structure')}"]
        threads = set_threads
    result = run(cmd, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    ranks = _mpirun_ranks(output, "engine.nemd")
    config = load_config(TEST_LJ)
    replicas = config["replicas"]
    assert ranks == [min(threads, cores)] * replicas, ranks
    emd_ranks = _mpirun_ranks(output, "engine.emd")
    assert emd_ranks == [min(_profile_threads("emd_run"), cores)] * emd_replicas(config)
    for n in _mpirun_ranks(output, "engine.relax"):
        assert 1 <= n <= cores
    if cores == 1:
        assert set(_mpirun_ranks(output, "engine.relax")) == {1}
    # the launcher is the mpirun beside Snakemake's interpreter (the venv's)
    assert f"{Path(SNAKEMAKE[0]).parent / 'mpirun'} -n" in output


def _gb_config(**system) -> dict:
    raw = default_raw()
    raw["systems"] = {"GB": {"type": "grain_boundary", "element": "Si", "sigma": 5,
                             "plane": [3, 1, 0], "length_a_A": 40.0, "length_b_A": 40.0,
                             **system}}
    return raw


def test_grain_boundary_entry_as_in_the_issue_gets_its_defaults():
    """`{type: grain_boundary, element: Si, sigma: 5, plane: [3,1,0]}` is a complete entry."""
    config = validate_config(_gb_config())
    check_config(config)
    gb = config["systems"]["GB"]
    assert gb["lattice"] == "diamond" and gb["potential"] == "sw_si" and gb["kind"] == "tilt"
    assert gb["side_a"] == gb["side_b"] == {"element": "Si", "lattice": "diamond",
                                            "mass_amu": None}
    settings = nemd_settings(config, "GB", 300.0, 0)
    assert settings["specorder"] == ["Si", "Si"]
    twist = validate_config(_gb_config(sigma=13, plane=[0, 0, 1], element="Cu"))
    check_config(twist)
    assert twist["systems"]["GB"]["kind"] == "twist"
    assert twist["systems"]["GB"]["potential"] == "eam_cu_mishin"


@pytest.mark.parametrize(("system", "expected"), [
    ({"sigma": 13}, "systems.GB.sigma"),             # (310) is a Σ5 plane
    ({"plane": [1, 1, 1]}, "systems.GB.plane"),      # not a [001] boundary
    ({"element": "Au"}, "systems.GB"),               # no potential models gold
])
def test_bad_grain_boundary_fields_are_named(system, expected):
    with pytest.raises(ConfigError) as info:
        check_config(validate_config(_gb_config(**system)))
    assert expected in str(info.value)


def test_grain_boundary_without_sigma_is_a_schema_error():
    raw = _gb_config()
    del raw["systems"]["GB"]["sigma"]
    with pytest.raises(ConfigError, match="sigma"):
        validate_config(raw)


def test_a_system_can_have_its_own_number_of_replicas():
    from study.config import nemd_replicas

    config = validate_config(_gb_config(replicas=4))
    assert nemd_replicas(config, "GB") == 4
    config = validate_config(_gb_config())
    assert nemd_replicas(config, "GB") == config["replicas"]
    with pytest.raises(ConfigError, match="replicas"):
        validate_config(_gb_config(replicas=0))


# -- study.schema: the one source of defaults --------------------------------------------


@pytest.mark.parametrize("path", [DEFAULT, TEST_LJ], ids=["config", "test_lj"])
def test_complete_settings_gives_what_the_workflow_passes(path):
    """The config's own NEMD/EMD values completed from the schema are exactly the settings
    the workflow passes to the drivers (study.config.nemd_settings, emd_settings)."""
    from study.schema import EMD_DRIVER_KEYS, RUN_KEYS, complete_settings

    raw = yaml.safe_load(path.read_text())
    config = load_config(path)
    for name, system in raw["systems"].items():
        workflow = nemd_settings(config, name, 300.0, 1)
        run_keys = {k: workflow[k] for k in RUN_KEYS}
        given = {**raw.get("nemd", {}), **system.get("nemd", {})}
        assert complete_settings("nemd", {**given, **run_keys}) == workflow
        if emd_replicas(config):
            from study.config import emd_settings

            workflow = emd_settings(config, name, 300.0, 0)
            given = {k: v for k, v in raw["emd"].items() if k in EMD_DRIVER_KEYS}
            completed = complete_settings("emd", {**given, **{k: workflow[k] for k in RUN_KEYS},
                                                  "timestep_fs": workflow["timestep_fs"]})
            assert completed == workflow


def test_complete_settings_fills_the_schema_defaults_and_refuses_unknown_keys():
    from study.schema import complete_settings, schema_defaults

    run_keys = {"potential": "lj_argon", "specorder": ["Ar", "Kr"], "temperature_K": 40.0,
                "seeds": {"velocity": 1, "equilibration": 2, "hot": 3, "cold": 4}}
    settings = complete_settings("nemd", {**run_keys, "delta_T_K": 10.0})
    defaults = schema_defaults("nemd")
    assert settings["delta_T_K"] == 10.0
    assert settings["fixed_thickness_A"] == defaults["fixed_thickness_A"] == 4.0
    assert settings["timestep_fs"] > 0  # null in the schema: the potential's step
    assert "target" not in settings
    emd = complete_settings("emd", run_keys)
    assert emd["restart_every_ps"] == schema_defaults("emd")["restart_every_ps"]
    assert "estimator" not in emd and "replicas" not in emd  # analysis options, not the driver's
    with pytest.raises(ValueError, match="fixed_thickness_a"):
        complete_settings("nemd", {**run_keys, "fixed_thickness_a": 4.0})
    with pytest.raises(ValueError, match="delta_T_K"):
        complete_settings("emd", {**run_keys, "delta_T_K": 10.0})
    with pytest.raises(ValueError, match="section"):
        complete_settings("analysis", run_keys)


def test_schema_validation_names_the_field():
    from study.schema import validate_schema

    config = {"systems": {"X": {"type": "grain_boundary", "element": "Si", "sigma": 5,
                                "plane": [3, 1, 0]}}, "temperatures_K": [300.0]}
    validate_schema(config)
    with pytest.raises(ConfigError, match=r"config field 'nemd.fixed_thickness_A': -1.0 is "
                                          r"less than the minimum of 0"):
        validate_schema({**config, "nemd": {"fixed_thickness_A": -1.0}})


@pytest.mark.parametrize("field, value", [("temperatures_K", [float("nan")]),
                                          ("replicas", float("inf"))])
def test_nan_and_inf_are_rejected_with_the_field_named(field, value):
    """JSON Schema's minimum/maximum let NaN through; the config check must not."""
    config = load_config(REPO / "config" / "test_lj.yaml")
    config[field] = value
    with pytest.raises(ConfigError, match=rf"'{field}(\.0)?': (nan|inf) is not a finite number"):
        validate_config(config)
