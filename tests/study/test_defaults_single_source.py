"""The config schema is the one source of defaults (issue 13): the MD drivers have none.

* every key a driver reads is declared in its settings class (``KEYS``) and is a key of the
  schema (or one of the run's own keys: potential, species, T, replica, seeds), and every
  NEMD/EMD setting of the schema reaches its driver;
* the drivers read settings only as ``settings[key]``: no ``.get(key, default)``, no
  ``settings[key] or default``, no ``default if settings[key] is None``;
* a driver given settings without a key refuses them, naming the key;
* the settings the workflow passes for every config in ``config/`` are complete, and the
  drivers' values for the schema's defaults are the schema's (the fallbacks that disagreed,
  fixed_thickness_A 5.0 vs 4.0, langevin_damping_ps 0.5 vs 0.1/1.0, the EMD
  restart_every_ps 50 vs 100, are gone).

Pure: no LAMMPS run (the driver modules import lammps only inside functions).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine.emd import EmdSettings
from engine.md_settings import MdSettings
from engine.nemd import NemdSettings
from engine.spectral import SpectralSettings
from engine.ttm import TtmSettings
from study.config import (
    emd_replicas,
    emd_settings,
    load_config,
    nemd_replicas,
    nemd_settings,
    spectral_settings,
    spectral_systems,
    system_names,
    system_temperatures,
)
from study.schema import (
    EMD_DRIVER_KEYS,
    RUN_KEYS,
    complete_settings,
    load_schema,
    schema_defaults,
)
from tests.conftest import REPO

ENGINE = REPO / "engine"
#: The settings class of each driver module (the keys its file may read).
DRIVER_CLASSES = {"md_settings.py": MdSettings, "nemd.py": NemdSettings, "emd.py": EmdSettings,
                  "spectral.py": SpectralSettings, "ttm.py": TtmSettings}
#: Names under which the engine holds a settings dict (``settings``, ``raw``, ``x.raw``).
SETTINGS_NAMES = {"settings", "raw"}
#: A run's own keys for the LJ test system (the rest comes from the schema).
LJ_RUN = {"potential": "lj_argon", "specorder": ["Ar", "Kr"], "temperature_K": 40.0,
          "replica": 0, "seeds": {"velocity": 1, "equilibration": 2, "hot": 3, "cold": 4}}
CONFIGS = sorted((REPO / "config").glob("*.yaml"))


def _is_settings(node: ast.AST) -> bool:
    return ((isinstance(node, ast.Name) and node.id in SETTINGS_NAMES)
            or (isinstance(node, ast.Attribute) and node.attr == "raw"))


def _settings_key(node: ast.AST) -> str | None:
    """``key`` when ``node`` reads ``settings["key"]`` (or ``raw[...]``, ``self.raw[...]``;
    an assignment to such a subscript is not a read)."""
    if (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
            and _is_settings(node.value)
            and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
        return node.slice.value
    return None


def _engine_files() -> list[Path]:
    return sorted(ENGINE.glob("*.py"))


@pytest.mark.parametrize("path", _engine_files(), ids=lambda p: p.name)
def test_drivers_read_settings_without_fallbacks(path):
    """No ``settings.get`` (with or without a default), no ``settings[k] or x``, no
    ``x if settings[k] is None else ...`` anywhere in engine/."""
    tree = ast.parse(path.read_text())
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("get", "setdefault") \
                and _is_settings(node.value):
            problems.append(f"line {node.lineno}: settings.{node.attr} (a fallback)")
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) \
                and any(_settings_key(v) for v in node.values):
            problems.append(f"line {node.lineno}: settings[...] or ... (a fallback)")
        if isinstance(node, ast.IfExp) and any(_settings_key(n) for n in ast.walk(node.test)):
            problems.append(f"line {node.lineno}: ... if settings[...] ... (a fallback)")
    assert not problems, f"{path.name} has defaults of its own: {problems}; put them in " \
                         "workflow/schemas/config.schema.yaml"


@pytest.mark.parametrize("path", _engine_files(), ids=lambda p: p.name)
def test_every_key_a_driver_reads_is_declared(path):
    """Keys read as ``settings["key"]`` are in the file's settings class's KEYS (checked
    on construction), so a missing key fails with its name, never deep inside a run."""
    tree = ast.parse(path.read_text())
    read = {key for node in ast.walk(tree) if (key := _settings_key(node))}
    declared = set(DRIVER_CLASSES[path.name].KEYS) if path.name in DRIVER_CLASSES else set()
    assert read <= declared, f"{path.name} reads undeclared keys {sorted(read - declared)}"


def test_every_driver_key_is_in_the_schema():
    defs = load_schema()["$defs"]
    for cls, block in ((NemdSettings, "nemd"), (EmdSettings, "emd")):
        unknown = set(cls.KEYS) - set(defs[block]["properties"]) - set(RUN_KEYS)
        assert not unknown, f"{cls.__name__} reads {sorted(unknown)}, not in $defs.{block}"
    # every setting of the schema reaches its driver (none is silently ignored) ...
    nemd = set(defs["nemd"]["properties"]) - {"target"}
    assert nemd <= set(NemdSettings.KEYS), sorted(nemd - set(NemdSettings.KEYS))
    assert {"timestep_fs", *EMD_DRIVER_KEYS} <= set(EmdSettings.KEYS)
    # ... and every run key the drivers read is made by study.config
    assert set(MdSettings.KEYS) & set(RUN_KEYS) == {"potential", "specorder", "temperature_K",
                                                    "seeds"}


def test_sample_every_steps_is_derived_not_a_setting():
    """The sampling stride inside a window was a driver-only setting with a fallback of 10
    (not in the schema); it is derived from the window: 10 steps, or 1 when 10 does not
    divide the window."""
    with pytest.raises(ValueError, match="sample_every_steps"):
        complete_settings("nemd", {**LJ_RUN, "sample_every_steps": 5})
    assert "sample_every_steps" not in NemdSettings.KEYS
    # 5 fs steps: a 0.5 ps window is 100 steps, a 0.125 ps window 25
    for window_ps, every in ((0.5, 10), (0.125, 1)):
        s = NemdSettings(complete_settings("nemd", {**LJ_RUN, "timestep_fs": 5.0,
                                                    "sample_every_ps": window_ps}))
        assert s.sample_every == every


@pytest.mark.parametrize("cls, section", [(NemdSettings, "nemd"), (EmdSettings, "emd")])
def test_a_driver_refuses_incomplete_settings_naming_the_key(cls, section):
    complete = complete_settings(section, LJ_RUN)
    cls(complete)  # complete settings are accepted
    for key in cls.KEYS:
        partial = {k: v for k, v in complete.items() if k != key}
        with pytest.raises(ValueError, match=rf"{cls.DRIVER} settings lack {key}\b"):
            cls(partial)


def test_the_drivers_values_for_schema_defaults_are_the_schemas():
    """Settings completed from the schema give the driver the schema's values (where the
    drivers' old fallbacks disagreed: fixed_thickness_A, langevin_damping_ps, the EMD
    restart interval)."""
    nemd_defaults, emd_defaults = schema_defaults("nemd"), schema_defaults("emd")
    s = NemdSettings(complete_settings("nemd", LJ_RUN))
    attributes = {"fixed_A": "fixed_thickness_A", "bath_A": "bath_thickness_A",
                  "bin_A": "bin_width_A", "damping_ps": "langevin_damping_ps",
                  "npt_ps": "npt_ps", "barostat_damping_ps": "barostat_damping_ps",
                  "initial_jump_K": "initial_jump_K", "binning": "binning",
                  "planes_per_bin": "planes_per_bin", "hot_side": "hot_side",
                  "pressure_exclusion_A": "pressure_exclusion_A", "bath": "bath",
                  "heat_flux_W_m2": "heat_flux_W_m2", "delta_T_K": "delta_T_K"}
    for attribute, key in attributes.items():
        assert getattr(s, attribute) == nemd_defaults[key], key
    assert s.fixed_A == 4.0 and s.damping_ps == 0.1
    assert s.restart_steps == s._round_up(s._steps(nemd_defaults["restart_every_ps"]))
    e = EmdSettings(complete_settings("emd", LJ_RUN))
    for attribute, key in {"damping_ps": "langevin_damping_ps", "npt_ps": "npt_ps",
                           "minimize": "minimize", "pressure_exclusion_A": "pressure_exclusion_A",
                           "barostat_damping_ps": "barostat_damping_ps"}.items():
        assert getattr(e, attribute) == emd_defaults[key], key
    assert e.restart_steps == e._round_up(e._steps(emd_defaults["restart_every_ps"]))
    assert e.damping_ps == 1.0 and emd_defaults["restart_every_ps"] == 100.0


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_workflow_settings_of_every_config_are_complete(path):
    """Every run of every config in config/ gives its driver complete settings."""
    config = load_config(path)
    for system in system_names(config):
        temperature = system_temperatures(config, system)[0]
        for replica in range(min(2, nemd_replicas(config, system))):
            settings = nemd_settings(config, system, temperature, replica)
            assert set(NemdSettings.KEYS) <= set(settings)
            NemdSettings(settings)
        if emd_replicas(config):
            settings = emd_settings(config, system, temperature, 0)
            assert set(EmdSettings.KEYS) <= set(settings)
            EmdSettings(settings)
        if system in spectral_systems(config):
            settings = spectral_settings(config, system, temperature, 0)
            assert set(SpectralSettings.KEYS) <= set(settings)
            SpectralSettings(settings)


def test_the_spectral_keys_have_their_defaults_in_the_schema():
    """SPECTRAL_DEFAULTS left the driver: every spectral key is a key of the schema's
    spectral block with a default (or comes from the analysis block)."""
    from engine.spectral import SPECTRAL_KEYS

    block = load_schema()["properties"]["spectral"]["properties"]
    analysis = schema_defaults("analysis")
    for key in SPECTRAL_KEYS:
        assert "default" in block.get(key, {}) or key in analysis, key


def test_analysis_library_defaults_agree_with_the_schema():
    """A direct call of analysis.nemd.analyse_replica uses the schema's analysis defaults
    (the workflow always passes the complete block)."""
    from analysis.nemd import DEFAULT_SETTINGS

    schema = schema_defaults("analysis")
    shared = sorted(set(schema) & set(DEFAULT_SETTINGS))
    assert len(shared) >= 8
    assert {k: DEFAULT_SETTINGS[k] for k in shared} == {k: schema[k] for k in shared}
