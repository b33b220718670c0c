"""The config schema (``workflow/schemas/config.schema.yaml``): the one source of defaults.

Its jobs: load the schema, validate a config against it with messages that name the field
(:func:`validate_schema`), fill its defaults (:func:`fill_defaults`), and build complete
settings of the MD drivers from partial ones (:func:`complete_settings`), for the tests and
benchmarks that call a driver without a config.  The drivers (``engine/``) have no
defaults of their own: they take complete settings and name any key that is missing.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import yaml

__all__ = [
    "EMD_DRIVER_KEYS",
    "RUN_KEYS",
    "SCHEMA_PATH",
    "ConfigError",
    "complete_settings",
    "fill_defaults",
    "load_schema",
    "schema_defaults",
    "validate_schema",
]

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml"

#: Keys of the config's ``emd`` block that the EMD driver reads (the others are options of
#: the Green-Kubo analysis and the replica count); ``timestep_fs`` is resolved separately.
EMD_DRIVER_KEYS = ("equilibration_ps", "production_ps", "sample_every_fs", "restart_every_ps",
                   "langevin_damping_ps", "minimize", "npt_ps", "barostat_damping_ps",
                   "pressure_exclusion_A")

#: Keys of a driver's settings that belong to one run rather than to the config block:
#: the system's potential and species, the temperature, the replica and its seeds.
RUN_KEYS = ("potential", "specorder", "temperature_K", "replica", "seeds")

#: Keys of a config block that never reach a driver (how long to run to a target is the
#: loop's business, not the run's).
_NOT_DRIVER_KEYS = {"nemd": ("target",)}


class ConfigError(ValueError):
    """A configuration field is invalid; the message names the field and the fix."""


def load_schema() -> dict:
    """The JSON schema as a dict (read afresh: callers may modify it)."""
    return yaml.safe_load(SCHEMA_PATH.read_text())


def _non_finite(value, path: str = "") -> list[tuple[str, float]]:
    """(field, value) of every NaN or infinite number in a parsed config.

    JSON Schema cannot reject them: every comparison with NaN is false, so ``minimum``
    and ``maximum`` let ``.nan`` through, and the run would fail much later.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return [(path or "(top level)", value)]
    if isinstance(value, dict):
        return [hit for k, v in value.items()
                for hit in _non_finite(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in _non_finite(v, f"{path}.{i}")]
    return []


def validate_schema(config: dict, schema: dict | None = None) -> None:
    """Validate ``config`` against the schema; raise :class:`ConfigError` naming each field.

    ``config field 'replicas': 0 is less than the minimum of 1``, one line per error.
    """
    import jsonschema

    schema = load_schema() if schema is None else schema
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    lines = [f"config field '{field}': {value} is not a finite number (YAML .nan/.inf are "
             "not allowed; give a number)" for field, value in _non_finite(config)]
    if errors or lines:
        for error in errors:
            field = ".".join(str(p) for p in error.absolute_path) or "(top level)"
            lines.append(f"config field '{field}': {error.message}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)
                          + "\n(see workflow/schemas/config.schema.yaml for every field)")


def fill_defaults(instance: dict, schema: dict, root: dict) -> None:
    """Fill ``default`` values of ``properties`` recursively, in place (not through $ref-only
    overrides: a per-system ``nemd`` block gets no defaults, the study's block has them)."""
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    for key, sub in schema.get("properties", {}).items():
        if key not in instance and "default" in sub:
            instance[key] = copy.deepcopy(sub["default"])
        if isinstance(instance.get(key), dict):
            fill_defaults(instance[key], sub, root)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key, value in instance.items():
            if key not in schema.get("properties", {}) and isinstance(value, dict):
                fill_defaults(value, extra, root)


def schema_defaults(block: str) -> dict:
    """The defaults of one block of the schema (``$defs``: nemd, emd, analysis, target, ...)."""
    properties = load_schema()["$defs"][block]["properties"]
    return {k: copy.deepcopy(v["default"]) for k, v in properties.items() if "default" in v}


def _driver_keys(section: str, properties: dict) -> tuple[str, ...]:
    if section == "emd":
        return ("timestep_fs", *EMD_DRIVER_KEYS)
    return tuple(k for k in properties if k not in _NOT_DRIVER_KEYS.get(section, ()))


def complete_settings(section: str, partial: dict) -> dict:
    """Complete settings of the NEMD (``section="nemd"``) or EMD (``"emd"``) driver.

    The schema's defaults of the config block ``section`` (only the keys the driver reads),
    overridden by ``partial``, which must also give the run's own keys (:data:`RUN_KEYS`:
    potential, specorder, temperature_K, seeds; replica is optional).  A ``timestep_fs``
    of None (the schema's default) becomes the potential's recommended step, as
    :func:`study.config.nemd_settings` resolves it.  This is what a study passes to the
    driver for a config whose block holds ``partial``'s values; use it wherever a driver
    is called without a config (tests, benchmarks).

    Raises
    ------
    ValueError
        An unknown section, or a key of ``partial`` that is neither a driver setting of
        that block nor a run key (a misspelt key would otherwise be ignored silently).
    """
    if section not in ("nemd", "emd"):
        raise ValueError(f"section {section!r}: use 'nemd' or 'emd'")
    properties = load_schema()["$defs"][section]["properties"]
    keys = _driver_keys(section, properties)
    unknown = sorted(set(partial) - set(keys) - set(RUN_KEYS))
    if unknown:
        raise ValueError(f"{unknown} are not settings of the {section.upper()} driver (known: "
                         f"{sorted(keys)} and the run's {list(RUN_KEYS)})")
    settings = {k: copy.deepcopy(properties[k]["default"]) for k in keys}
    settings.update(copy.deepcopy(partial))
    if settings["timestep_fs"] is None and "potential" in settings:
        from potentials import get_potential

        settings["timestep_fs"] = get_potential(settings["potential"]).timestep_fs
    return settings
