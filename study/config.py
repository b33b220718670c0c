"""Study configuration: the resolved config, semantic checks and per-run settings.

Two layers of checks run before any MD starts:

1. the JSON schema (``workflow/schemas/config.schema.yaml``, also the config's
   documentation and the one source of defaults; :mod:`study.schema`): types, ranges,
   unknown keys;
2. :func:`check_config`: facts the schema cannot know -- the potential exists and models
   the elements, the cold bath stays above 0 K, each side is long enough for its baths
   and fit windows, sampling intervals fit the run.

Every error names the field (``systems.SiCu.length_a_A``) and says how to fix it.  The
per-run queries (:func:`nemd_settings`, :func:`emd_settings`, ...) give the drivers
complete settings: the drivers have no defaults of their own.
"""

from __future__ import annotations

import copy
import zlib
from pathlib import Path

import numpy as np
import yaml

from potentials import PotentialError, activate_user_potentials, get_potential, user_potentials
from study.interface_sides import check_side, system_specorder, uses_oriented_builder
from study.schema import (
    EMD_DRIVER_KEYS,
    SCHEMA_PATH,
    ConfigError,
    fill_defaults,
    load_schema,
    validate_schema,
)

__all__ = [
    "SCHEMA_PATH",
    "ConfigError",
    "agf_settings",
    "analysis_settings",
    "check_config",
    "emd_analysis_settings",
    "emd_replicas",
    "emd_settings",
    "flux_series_system_name",
    "lateral_series_system_name",
    "load_config",
    "nemd_replicas",
    "nemd_settings",
    "nemd_target",
    "run_seeds",
    "series_base",
    "series_system_name",
    "spectral_replicas",
    "spectral_settings",
    "spectral_systems",
    "system_names",
    "system_temperatures",
    "validate_config",
]

#: Fewest sampling windows in a production run (room for a transient and for blocking).
MIN_PRODUCTION_SAMPLES = 128


def validate_config(config: dict) -> dict:
    """Validate against the JSON schema and return a copy with every default filled in.

    Size, cross-section and flux series (``length_series_A``, ``lateral_series_A``,
    ``flux_series_W_m2``) are expanded into systems of their own (:func:`_expand_series`).
    """
    schema = load_schema()
    validate_schema(config, schema)
    resolved = copy.deepcopy(config)
    fill_defaults(resolved, schema, schema)
    activate_user_potentials(load_user_potentials(resolved))
    for sysconf in resolved["systems"].values():
        if sysconf["type"] == "grain_boundary":
            _complete_grain_boundary(sysconf)
    resolved["systems"] = _expand_series(resolved["systems"], resolved["nemd"])
    return resolved


def load_user_potentials(config: dict, base_dir: str | Path | None = None) -> dict:
    """The config's own potentials (``potentials`` and ``potentials_file``), checked.

    Paths of ``potentials`` and the ``potentials_file`` itself are relative to
    ``base_dir`` (default: the working directory); paths inside the file are relative to
    the file's folder (:func:`potentials.user_potentials`).

    Raises
    ------
    ConfigError
        Naming the field: a missing or unreadable file, a malformed definition, a file
        whose sha256 differs from the one given, or a name defined twice.
    """
    base = Path.cwd() if base_dir is None else Path(base_dir)
    try:
        found = {}
        if config.get("potentials_file"):
            path = Path(config["potentials_file"])
            path = path if path.is_absolute() else base / path
            if not path.is_file():
                raise PotentialError(f"potentials_file: '{path}' does not exist")
            try:
                raw = yaml.safe_load(path.read_text()) or {}
            except yaml.YAMLError as error:
                raise PotentialError(f"potentials_file: '{path}' is not valid YAML: "
                                     f"{error}") from error
            if not isinstance(raw, dict):
                raise PotentialError(f"potentials_file: '{path}' must map names to potentials")
            found = user_potentials(raw, path.parent, field_prefix="potentials_file")
        inline = user_potentials(config.get("potentials") or {}, base)
    except PotentialError as error:
        raise ConfigError(f"invalid configuration:\n  {error}") from error
    for name in sorted(set(found) & set(inline)):
        raise ConfigError(f"invalid configuration:\n  potentials.{name}: also defined in "
                          "potentials_file; keep one definition")
    return {**found, **inline}


def series_system_name(name: str, length_A: float) -> str:
    """Name of the member of ``name``'s size series with sides ``length_A`` long (Å).

    ``f"{name}-L{length_A:g}"``, with a decimal point written ``p`` (``LJ-AB-L40``,
    ``LJ-AB-L62p5``) so that the name stays a valid system name and wildcard value.
    """
    return f"{name}-L{float(length_A):g}".replace(".", "p").replace("+", "")


def _number_label(value: float) -> str:
    """``value`` as a short wildcard-safe label: 40 -> '40', 62.5 -> '62p5', 5e9 -> '5e9'."""
    text = f"{float(value):g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace(".", "p").replace("+", "")


def lateral_series_system_name(name: str, lateral_A: float) -> str:
    """Name of the member of ``name``'s cross-section series with ``min_lateral_A`` (Å).

    ``f"{name}-W{lateral_A:g}"`` with a decimal point written ``p`` (``SiCu-W15``,
    ``SiCu-W22p5``).
    """
    return f"{name}-W{_number_label(lateral_A)}"


def flux_series_system_name(name: str, flux_W_m2: float) -> str:
    """Name of the member of ``name``'s flux series with ``heat_flux_W_m2`` (W/m²).

    ``f"{name}-J<flux>"`` with the exponent written without sign or padding and a decimal
    point written ``p`` (``SiCu-J5e9``, ``SiCu-J1p5e10``).
    """
    return f"{name}-J{_number_label(flux_W_m2)}"


def registry_series_system_name(name: str, rank: int) -> str:
    """Name of the member of ``name``'s registry series built at registry ``rank``
    (``SiCu-R2``)."""
    return f"{name}-R{int(rank)}"


#: Config keys of the series and the marker each sets on its member systems.
SERIES_MARKERS = {"length_series_A": "series_of", "lateral_series_A": "lateral_series_of",
                  "flux_series_W_m2": "flux_series_of", "registry_series": "registry_series_of"}


def series_base(sysconf: dict) -> str | None:
    """The system whose series made ``sysconf`` (any kind of series), else None."""
    for marker in SERIES_MARKERS.values():
        if sysconf.get(marker):
            return sysconf[marker]
    return None


def _length_members(name: str, sysconf: dict, lengths: list) -> list[tuple[str, dict]]:
    """Members of a size series: both sides ``L`` long (NAME itself when equal)."""
    return [(series_system_name(name, length),
             {**copy.deepcopy(sysconf), "length_a_A": float(length),
              "length_b_A": float(length), "series_of": name})
            for length in lengths
            if not float(length) == sysconf["length_a_A"] == sysconf["length_b_A"]]


def _lateral_members(name: str, sysconf: dict, widths: list) -> list[tuple[str, dict]]:
    """Members of a cross-section series: ``min_lateral_A = W``, ``max_lateral_A`` raised.

    ``max_lateral_A`` becomes ``max(max_lateral_A, W + max(max_lateral_A - min_lateral_A,
    W / 2))``: the member searches at least NAME's width of lengths, and at least W/2,
    starting at W.  Coincident cells come in steps of one coincidence period (7.7 Å for
    Si/Cu), so a window of W/2 holds one once W is two periods wide, whereas NAME's own
    window may be narrow (1 Å for the LJ benchmarks).  A W equal to NAME's
    ``min_lateral_A`` adds nothing (NAME is that member).
    """
    low, high = float(sysconf["min_lateral_A"]), float(sysconf["max_lateral_A"])
    window = max(0.0, high - low)
    return [(lateral_series_system_name(name, width),
             {**copy.deepcopy(sysconf), "min_lateral_A": float(width),
              "max_lateral_A": max(high, float(width) + max(window, 0.5 * float(width))),
              "lateral_series_of": name})
            for width in widths if float(width) != low]


def _flux_members(name: str, sysconf: dict, fluxes: list, nemd: dict) -> list[tuple[str, dict]]:
    """Members of a flux series: ``nemd.heat_flux_W_m2 = J`` (NAME itself when equal).

    The warm start ``initial_jump_K`` is scaled by J / NAME's flux (the expected jump
    J R_K scales with J).  ``nemd`` is NAME's merged NEMD settings (eHEX baths).
    """
    members, own = [], nemd.get("heat_flux_W_m2")
    for flux in fluxes:
        if own is not None and float(flux) == float(own):
            continue
        override = {**(sysconf.get("nemd") or {}), "heat_flux_W_m2": float(flux)}
        if own and nemd["initial_jump_K"]:
            override["initial_jump_K"] = float(nemd["initial_jump_K"]) * float(flux) / float(own)
        members.append((flux_series_system_name(name, flux),
                        {**copy.deepcopy(sysconf), "nemd": override, "flux_series_of": name}))
    return members


def _registry_members(name: str, sysconf: dict, ranks: list) -> list[tuple[str, dict]]:
    """Members of a registry series: ``registry_search.rank = k`` (rank 1 is NAME)."""
    search = sysconf.get("registry_search")
    if ranks and search is None:
        raise _series_error(name, "registry_series", "needs a registry_search block on the "
                            "same system (the ranks are those of its confirmed registries); "
                            "add registry_search: {}")
    members = []
    for rank in sorted({int(r) for r in ranks}):
        if rank == int((search or {}).get("rank", 1)):
            continue
        if rank > int(search["confirm"]) + 1:
            raise _series_error(name, "registry_series", f"rank {rank} exceeds "
                                f"registry_search.confirm + 1 = {int(search['confirm']) + 1} "
                                "(the registries relaxed at the built thickness); raise "
                                "confirm or drop the rank")
        members.append((registry_series_system_name(name, rank),
                        {**copy.deepcopy(sysconf), "registry_search": {**search, "rank": rank},
                         "registry_series_of": name}))
    return members


def _series_error(name: str, key: str, text: str) -> ConfigError:
    return ConfigError(f"invalid configuration:\n  systems.{name}.{key}: {text}")


def _expand_series(systems: dict, study_nemd: dict) -> dict:
    """Systems with every series expanded into systems of their own.

    Each value of ``systems.NAME.length_series_A`` (side length L), ``lateral_series_A``
    (least lateral edge W), ``flux_series_W_m2`` (imposed flux J) or ``registry_series``
    (registry rank k, :func:`registry_series_system_name`) adds, after NAME, a
    copy of its (defaults-filled) settings with that one setting changed and a marker
    naming NAME (``series_of``, ``lateral_series_of``, ``flux_series_of``), named
    :func:`series_system_name`, :func:`lateral_series_system_name` or
    :func:`flux_series_system_name`, so that every rule runs it like any other system.
    A value equal to NAME's own adds nothing: NAME is that member.  Series are not
    crossed (a member of one series carries none of the others), and the keys are removed
    from NAME itself, so that adding or changing a series does not change NAME's settings
    (nor rerun its jobs).

    Raises
    ------
    ConfigError
        A series on a grain boundary, a flux series without eHEX baths, or a member name
        that is already a system of the config.
    """
    expanded = {}
    for name, sysconf in systems.items():
        series = {key: sysconf.pop(key, None) or [] for key in SERIES_MARKERS}
        expanded[name] = sysconf
        if sysconf["type"] == "grain_boundary":
            for key in (k for k, values in series.items() if values):
                raise _series_error(name, key, "size, cross-section and flux series are for "
                                    "bonded interfaces only; remove it")
        nemd = {**study_nemd, **(sysconf.get("nemd") or {})}
        if series["flux_series_W_m2"] and nemd["bath"] != "ehex":
            raise _series_error(name, "flux_series_W_m2", f"needs eHEX baths (nemd.bath: ehex, "
                                f"here '{nemd['bath']}'): Langevin baths impose a temperature "
                                "difference, not the flux")
        members = {"length_series_A": _length_members(name, sysconf, series["length_series_A"]),
                   "lateral_series_A": _lateral_members(name, sysconf, series["lateral_series_A"]),
                   "flux_series_W_m2": _flux_members(name, sysconf, series["flux_series_W_m2"],
                                                     nemd),
                   "registry_series": _registry_members(name, sysconf,
                                                        series["registry_series"])}
        for key, pairs in members.items():
            for member, member_conf in pairs:
                if member in systems and systems[member].get(SERIES_MARKERS[key]) != name:
                    raise _series_error(name, key, f"the series member '{member}' is also a "
                                        "system of the config; rename that system")
                expanded[member] = member_conf
    return expanded


#: Potentials used for a grain boundary when the config names none.
GRAIN_BOUNDARY_POTENTIALS = {"Si": "sw_si", "Cu": "eam_cu_mishin", "Ge": "tersoff_sicge"}


def _complete_grain_boundary(sysconf: dict) -> None:
    """Fill a grain-boundary entry's defaults and give it the two sides of a bonded one.

    Both "sides" are the same crystal (grain 1 = side A = LAMMPS type 1, grain 2 = side B =
    type 2), so every downstream rule treats a grain boundary like a bonded interface.
    """
    from ase.data import atomic_numbers, reference_states

    element = sysconf["element"]
    if "lattice" not in sysconf:
        state = reference_states[atomic_numbers.get(element, 0)] or {}
        sysconf["lattice"] = state.get("symmetry")
    sysconf.setdefault("potential", GRAIN_BOUNDARY_POTENTIALS.get(element))
    sysconf.setdefault("translations_per_edge", 3)
    sysconf.setdefault("overlap_fractions", [0.5, 0.7, 0.9])
    plane = [abs(int(v)) for v in sysconf["plane"]]
    sysconf["kind"] = "twist" if plane[:2] == [0, 0] else "tilt"
    side = {"element": element, "lattice": sysconf["lattice"], "mass_amu": None}
    sysconf["side_a"], sysconf["side_b"] = dict(side), dict(side)


def system_names(config: dict) -> list[str]:
    """Names of the systems in config order."""
    return list(config["systems"])


def system_temperatures(config: dict, system: str) -> list[float]:
    """Temperatures (K) at which ``system`` is run: its own list, else the study's."""
    return list(config["systems"][system].get("temperatures_K") or config["temperatures_K"])


def nemd_replicas(config: dict, system: str) -> int:
    """Number of NEMD replicas of ``system`` per temperature: its own, else the study's."""
    return int(config["systems"][system].get("replicas") or config["replicas"])


def _merged_nemd(config: dict, system: str) -> dict:
    merged = dict(config["nemd"])
    merged.update(config["systems"][system].get("nemd") or {})
    return merged


def _check_grain_boundary(sysconf: dict, field: str) -> list[str]:
    problems = []
    if sysconf["lattice"] not in ("fcc", "diamond"):
        problems.append(f"{field}.lattice: {sysconf['element']} is not fcc or diamond in its "
                        "ground state; give lattice: fcc or diamond explicitly")
    if sysconf["potential"] is None:
        problems.append(f"{field}.potential: no default potential for {sysconf['element']}; "
                        f"name one from potentials/registry.yaml")
    h, k, l_ = (abs(int(v)) for v in sysconf["plane"])
    if not ((l_ == 0 and (h, k) != (0, 0)) or (h, k, l_) == (0, 0, 1)):
        problems.append(f"{field}.plane: {sysconf['plane']} is neither a [001] tilt plane "
                        "(h k 0) nor the twist plane (0 0 1)")
    else:
        from structures.csl import csl_misorientation

        try:
            csl_misorientation(int(sysconf["sigma"]), sysconf["kind"], sysconf["plane"])
        except ValueError as error:
            problems.append(f"{field}.sigma: {error}")
    return problems


def _check_system(config: dict, name: str) -> list[str]:
    problems = []
    sysconf = config["systems"][name]
    field = f"systems.{name}"
    if sysconf["type"] == "grain_boundary":
        problems += _check_grain_boundary(sysconf, field)
        if sysconf.get("registry_search") is not None:
            problems.append(f"{field}.registry_search: the registry search is for bonded "
                            "interfaces; a grain boundary's rigid translations are searched "
                            "by its own builder (remove the key)")
        if problems:
            return problems
    try:
        potential = get_potential(sysconf["potential"])
    except PotentialError as error:
        return [f"{field}.potential: {error}"]
    oriented = uses_oriented_builder(sysconf)
    for side in ("side_a", "side_b"):
        if oriented:
            problems += check_side(sysconf[side], f"{field}.{side}", potential.elements)
            continue
        if "element" not in sysconf[side]:
            problems.append(f"{field}.{side}.element: required for a {sysconf[side]['lattice']} "
                            "side of the cubic [001] builder (or give species and a plane)")
            continue
        element = sysconf[side]["element"]
        if element not in potential.elements:
            problems.append(f"{field}.{side}.element: '{element}' is not modelled by potential "
                            f"'{potential.name}' (it knows {list(potential.elements)})")
    if oriented and all("amorphous" in sysconf[side] for side in ("side_a", "side_b")):
        problems.append(f"{field}.side_b.amorphous: both sides are amorphous; the melt-quench "
                        "takes its lateral cell from a crystal partner: make one side a crystal")
    if oriented and sysconf.get("registry_search") is not None:
        problems.append(f"{field}.registry_search: the in-plane registry search is done by the "
                        "cubic [001] builder only; remove it for an oriented or general side")
    if problems:
        return problems
    if (sysconf["type"] != "grain_boundary" and not oriented
            and sysconf["side_a"]["element"] == sysconf["side_b"]["element"]):
        problems.append(f"{field}.side_b.element: must differ from side_a.element (LAMMPS atom "
                        "types are per element; for an A/B mass benchmark use two labels, e.g. Ar/Kr)")
    if (sysconf["type"] != "grain_boundary"
            and sysconf["min_lateral_A"] > sysconf["max_lateral_A"]):
        problems.append(f"{field}.min_lateral_A: {sysconf['min_lateral_A']} A exceeds "
                        f"max_lateral_A = {sysconf['max_lateral_A']} A: lower min_lateral_A or "
                        "raise max_lateral_A (the coincidence search looks between the two)")
    nemd = _merged_nemd(config, name)
    analysis = config["analysis"]
    if nemd["bath"] == "ehex" and not nemd["heat_flux_W_m2"]:
        problems.append(f"{field}.nemd.heat_flux_W_m2: required when nemd.bath is 'ehex' (the "
                        "imposed flux, W/m^2; e.g. 1e10 gives a jump of ~10 K at 1e-9 m2K/W)")
    for temperature in system_temperatures(config, name):
        if nemd["bath"] == "langevin" and nemd["delta_T_K"] / 2 >= temperature:
            problems.append(f"{field}.nemd.delta_T_K: {nemd['delta_T_K']} K puts the cold bath at or "
                            f"below 0 K at temperatures_K={temperature}; use delta_T_K < {2 * temperature}")
    needed = (nemd["fixed_thickness_A"] + nemd["bath_thickness_A"] + analysis["bath_exclusion_A"]
              + analysis["interface_exclusion_A"] + 3 * nemd["bin_width_A"])
    for side in ("a", "b"):
        length = sysconf[f"length_{side}_A"]
        if length < needed:
            problems.append(
                f"{field}.length_{side}_A: {length} A is too short: the frozen layer, bath, fit "
                f"exclusions and at least 3 bins need {needed:.1f} A; make it longer or the baths thinner")
    timestep_fs = nemd["timestep_fs"] or potential.timestep_fs
    if nemd["sample_every_ps"] * 1000 < timestep_fs:
        problems.append(f"{field}.nemd.sample_every_ps: shorter than one time step ({timestep_fs} fs)")
    if nemd["production_ps"] < MIN_PRODUCTION_SAMPLES * nemd["sample_every_ps"]:
        problems.append(
            f"{field}.nemd.production_ps: {nemd['production_ps']} ps holds fewer than "
            f"{MIN_PRODUCTION_SAMPLES} sampling windows of {nemd['sample_every_ps']} ps (the transient "
            "is discarded and the rest split into blocks): lengthen the run or sample more often")
    if nemd["restart_every_ps"] < nemd["sample_every_ps"]:
        problems.append(f"{field}.nemd.restart_every_ps: must be at least sample_every_ps")
    if nemd.get("target") is not None:
        problems += _check_target(config, name, nemd)
    return problems


def _check_target(config: dict, name: str, nemd: dict) -> list[str]:
    """The budget of ``nemd.target`` must allow the first run and one extension."""
    target, problems = nemd["target"], []
    own = (config["systems"][name].get("nemd") or {}).get("target") is not None
    field = f"systems.{name}.nemd.target" if own else "nemd.target"
    of = "" if own else f" of system {name}"
    production, restart = nemd["production_ps"], nemd["restart_every_ps"]
    if target["max_production_ps"] is None and target["max_core_hours"] is None:
        problems.append(f"{field}: give a budget, max_production_ps and/or max_core_hours, or "
                        "the runs may never stop")
    if (longest := target["max_production_ps"]) is not None:
        if longest < production:
            problems.append(f"{field}.max_production_ps: {longest} ps is below the initial "
                            f"production_ps{of} ({production} ps)")
        elif longest < production + restart:
            problems.append(f"{field}.max_production_ps: {longest} ps leaves less than one "
                            f"checkpoint interval (restart_every_ps = {restart} ps) beyond the "
                            f"initial production_ps{of} ({production} ps): no room to extend")
    if target["step_ps"] is not None and target["step_ps"] < restart:
        problems.append(f"{field}.step_ps: {target['step_ps']} ps is below one checkpoint "
                        f"interval (restart_every_ps{of} = {restart} ps): runs are extended "
                        "by whole restart intervals")
    return problems


def check_config(config: dict) -> None:
    """Semantic checks of a schema-valid config with defaults filled; raise ConfigError."""
    problems = []
    for name in system_names(config):
        problems += _check_system(config, name)
    if problems:  # the method blocks below read the systems' settings: fix these first
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    if analysis_min := config["analysis"]["min_discard_ps"]:
        for name in system_names(config):
            if analysis_min >= _merged_nemd(config, name)["production_ps"]:
                problems.append(f"analysis.min_discard_ps: {analysis_min} ps discards the whole "
                                f"production run of system {name}")
    if config.get("emd") is not None:
        problems += _check_emd(config)
    if config.get("ttm") is not None:
        problems += _check_ttm(config)
    if config.get("spectral") is not None:
        problems += _check_spectral(config)
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


#: Fewest relaxation-time-sized fit lags per block: blocks shorter than this hold no decay.
_EMD_MIN_BLOCK_PS = 20.0
#: Fewest bins of the Green-Kubo likelihood (analysis.ou_likelihood.MIN_BINS).
MIN_EMD_BINS = 16


def _check_emd(config: dict) -> list[str]:
    emd, problems = config["emd"], []
    samples = emd["production_ps"] * 1000 / emd["sample_every_fs"]
    if samples < MIN_PRODUCTION_SAMPLES:
        problems.append(f"emd.production_ps: {emd['production_ps']} ps holds {samples:.0f} samples "
                        f"of {emd['sample_every_fs']} fs, fewer than {MIN_PRODUCTION_SAMPLES}: "
                        "lengthen the run or sample more often")
    spacing_ps = emd["bin_ps"] + emd["gap_ps"]
    if emd["production_ps"] < MIN_EMD_BINS * spacing_ps:
        problems.append(f"emd.bin_ps: {emd['production_ps']} ps hold fewer than {MIN_EMD_BINS} "
                        f"bins every bin_ps + gap_ps = {spacing_ps:g} ps; lengthen the run")
    if emd["bin_ps"] * 1000 < emd["sample_every_fs"]:
        problems.append(f"emd.bin_ps: {emd['bin_ps']} ps is shorter than sample_every_fs")
    block_ps = emd["production_ps"] / emd["n_blocks"]
    if block_ps < max(_EMD_MIN_BLOCK_PS, 4 * emd["fit_start_ps"]):
        problems.append(f"emd.n_blocks: {emd['n_blocks']} blocks of {block_ps:.3g} ps are too short "
                        f"to hold a relaxation (need >= {_EMD_MIN_BLOCK_PS} ps and >= 4 "
                        "fit_start_ps); lengthen emd.production_ps or use fewer blocks")
    for name in system_names(config):
        timestep_fs = emd_settings(config, name, 1.0, 0)["timestep_fs"]
        if emd["sample_every_fs"] < timestep_fs:
            problems.append(f"emd.sample_every_fs: {emd['sample_every_fs']} fs is shorter than the "
                            f"time step of system {name} ({timestep_fs} fs)")
        if emd["restart_every_ps"] * 1000 < emd["sample_every_fs"]:
            problems.append("emd.restart_every_ps: must be at least sample_every_fs")
    return problems


def load_config(path: str | Path) -> dict:
    """Read, validate and check a config file; return it with defaults filled in."""
    with open(path) as handle:
        raw = yaml.safe_load(handle) or {}
    config = validate_config(raw)
    check_config(config)
    return config


def run_seeds(base_seed: int, system: str, temperature_K: float, replica: int) -> dict:
    """Independent, reproducible LAMMPS seeds for one run.

    Values lie in 1 .. 9e8, the range LAMMPS' Marsaglia generator accepts.
    """
    entropy = [int(base_seed), zlib.crc32(system.encode()), round(temperature_K * 1000),
               int(replica)]
    values = np.random.SeedSequence(entropy).generate_state(4, dtype=np.uint32) % 899_999_999 + 1
    return dict(zip(("velocity", "equilibration", "hot", "cold"), (int(v) for v in values)))


def nemd_settings(config: dict, system: str, temperature_K: float, replica: int) -> dict:
    """Everything the NEMD driver needs for one run, as a JSON-serialisable dict."""
    sysconf = config["systems"][system]
    potential = get_potential(sysconf["potential"])
    settings = _merged_nemd(config, system)
    settings.pop("target", None)  # how long to run is the loop's business, not the run's
    settings["timestep_fs"] = settings["timestep_fs"] or potential.timestep_fs
    settings.update(
        potential=potential.name,
        specorder=system_specorder(sysconf),
        temperature_K=float(temperature_K),
        replica=int(replica),
        seeds=run_seeds(config["seed"], system, temperature_K, replica),
    )
    return settings


def nemd_target(config: dict, system: str) -> dict | None:
    """The ``nemd.target`` block of ``system`` (its own, else the study's; None = off)."""
    target = _merged_nemd(config, system).get("target")
    return dict(target) if target is not None else None


def analysis_settings(config: dict) -> dict:
    """The analysis block of the config (defaults filled)."""
    return dict(config["analysis"])


def emd_replicas(config: dict) -> int:
    """Number of EMD replicas per system and temperature (0 when the study has no emd block)."""
    if config.get("emd") is None:
        return 0
    return int(config["emd"]["replicas"] or config["replicas"])


#: Keys of the ttm block handed to the two-temperature driver as they are.
TTM_DRIVER_KEYS = ("metal", "langevin_damping_ps", "equilibration_ps", "production_ps",
                   "sample_every_ps", "electron_sample_every_ps", "heat_flux_W_m2",
                   "source_electron_fraction", "fixed_thickness_A", "bath_thickness_A",
                   "electron_cell_A", "vacuum_gap_A", "electron_capacity_factor",
                   "restart_every_ps")
#: Keys of the ttm block used by the analysis (analysis/ttm_run.py).
TTM_ANALYSIS_KEYS = ("discard_fraction", "n_blocks", "source_cells", "bath_exclusion_A")


def ttm_systems(config: dict) -> list[str]:
    """Bonded systems one of whose sides is the ttm block's metal (none without a block)."""
    ttm = config.get("ttm")
    if ttm is None:
        return []
    return [s for s in system_names(config)
            if config["systems"][s]["type"] != "grain_boundary"
            and ttm["metal"] in (config["systems"][s]["side_a"]["element"],
                                 config["systems"][s]["side_b"]["element"])]


def ttm_replicas(config: dict) -> int:
    """Two-temperature runs per system and temperature (0 without a ttm block)."""
    if config.get("ttm") is None:
        return 0
    return int(config["ttm"]["replicas"] or config["replicas"])


def ttm_settings(config: dict, system: str, temperature_K: float, replica: int) -> dict:
    """Everything the two-temperature driver (engine.ttm) needs for one run."""
    nemd = nemd_settings(config, system, temperature_K, replica)
    ttm = config["ttm"]
    seeds = run_seeds(config["seed"], f"{system}/ttm", temperature_K, replica)
    return {
        "potential": nemd["potential"], "specorder": nemd["specorder"],
        "temperature_K": nemd["temperature_K"], "replica": replica,
        "timestep_fs": ttm["timestep_fs"] or nemd["timestep_fs"],
        "seeds": {"velocity": seeds["velocity"], "equilibration": seeds["equilibration"],
                  "ttm": seeds["hot"]},
        "electrons": ttm["electrons"],
        **{k: ttm[k] for k in TTM_DRIVER_KEYS},
    }


def ttm_analysis_settings(config: dict) -> dict:
    """Options of the two-temperature analysis (study.analyse_ttm)."""
    return {k: config["ttm"][k] for k in TTM_ANALYSIS_KEYS}


def _check_ttm(config: dict) -> list[str]:
    """A ttm block needs a system with its metal and the metal's electronic parameters."""
    ttm, problems = config["ttm"], []
    if not ttm_systems(config):
        problems.append(f"ttm.metal: no bonded system has a side of '{ttm['metal']}': the "
                        "two-temperature model needs a metal side (name the metal element "
                        "of a system, or remove the block)")
    if ttm["electrons"] is None:
        from potentials.electrons import ElectronDataError, electron_parameters

        try:
            electron_parameters(ttm["metal"])
        except (ElectronDataError, KeyError, ValueError) as error:
            problems.append(f"ttm.electrons: no electronic parameters for '{ttm['metal']}' "
                            f"in potentials/electrons.yaml ({error}); give ttm.electrons "
                            "{gamma_J_m3K2, kappa_e_W_mK, G_ep_W_m3K}")
    elif set(ttm["electrons"]) != {"gamma_J_m3K2", "kappa_e_W_mK", "G_ep_W_m3K"}:
        missing = {"gamma_J_m3K2", "kappa_e_W_mK", "G_ep_W_m3K"} - set(ttm["electrons"])
        problems.append(f"ttm.electrons: missing {sorted(missing)}")
    if ttm["sample_every_ps"] % ttm["electron_sample_every_ps"] > 1e-9 * ttm["sample_every_ps"]:
        problems.append("ttm.electron_sample_every_ps: must divide ttm.sample_every_ps")
    return problems


#: Keys of the spectral block handed to the spectral driver (engine.spectral) as they are.
SPECTRAL_DRIVER_KEYS = ("sample_every_fs", "max_frequency_THz", "block_samples", "n_blocks",
                        "slab_A", "fd_step_A", "fc_tolerance_eV_A2", "window", "max_batches",
                        "inelastic_cutoff_THz", "jump_K")


def spectral_systems(config: dict) -> list[str]:
    """Bonded systems run with the spectral heat current and AGF (none without a block)."""
    if config.get("spectral") is None:
        return []
    return [s for s in system_names(config) if config["systems"][s]["type"] != "grain_boundary"]


def spectral_replicas(config: dict) -> int:
    """Spectral runs per system and temperature (0 without a spectral block)."""
    if config.get("spectral") is None:
        return 0
    return int(config["spectral"]["replicas"] or config["replicas"])


def spectral_settings(config: dict, system: str, temperature_K: float, replica: int) -> dict:
    """Everything the spectral driver (engine.spectral) needs for one run.

    A spectral run is the system's NEMD run (:func:`nemd_settings`, with seeds of its own)
    plus the spectral block's keys and the analysis block's fit exclusions; the run
    temperature is always among ``quantum_temperatures_K``.  An ``inelastic_cutoff_THz``
    of None is resolved from the system's AGF leads when the run starts
    (:func:`study.analyse_spectral.resolve_settings`).
    """
    settings = nemd_settings(config, system, temperature_K, replica)
    spectral = config["spectral"]
    settings["seeds"] = run_seeds(config["seed"], f"{system}/spectral", temperature_K, replica)
    settings.update({k: copy.deepcopy(spectral[k]) for k in SPECTRAL_DRIVER_KEYS})
    settings["quantum_temperatures_K"] = sorted(
        {float(t) for t in spectral["quantum_temperatures_K"]} | {float(temperature_K)})
    for key in ("bath_exclusion_A", "interface_exclusion_A"):
        settings[key] = config["analysis"][key]
    return settings


def agf_settings(config: dict, system: str) -> dict:
    """Options of the AGF transmission of ``system`` (study.analyse_spectral agf)."""
    agf = config["spectral"]["agf"]
    return {"n_omega": int(agf["n_omega"]), "lateral_repeat": [int(n) for n in
                                                               agf["lateral_repeat"]],
            "buffer_layers": [int(n) for n in agf["buffer_layers"]],
            "eta_rel": float(agf["eta_rel"]), "displacement_A": config["spectral"]["fd_step_A"],
            "temperatures_K": system_temperatures(config, system)}


def _check_spectral(config: dict) -> list[str]:
    """Sampling of the spectral block against each system's time step and phonons."""
    from scipy import signal

    from engine.spectral import MIN_ENERGY_SAMPLES, SpectralSettings

    sp, problems = config["spectral"], []
    if not spectral_systems(config):
        return [("spectral: no bonded system in the study (grain boundaries are not run); "
                 "remove the block or add a bonded system")]
    for name in spectral_systems(config):
        for side in ("side_a", "side_b"):
            if "amorphous" in config["systems"][name][side]:
                problems.append(
                    f"spectral: systems.{name}.{side} is amorphous: the AGF transmission "
                    "needs crystalline leads (periodic principal layers); run the spectral "
                    "block in a study of crystalline interfaces")
    every_fs, top = float(sp["sample_every_fs"]), float(sp["max_frequency_THz"])
    nyquist = 1e3 / (2 * every_fs)
    if not nyquist > top:
        problems.append(f"spectral.sample_every_fs: {every_fs:g} fs samples up to "
                        f"1/(2 sample_every_fs) = {nyquist:.3g} THz, not above "
                        f"max_frequency_THz = {top:g} THz: sample more often than every "
                        f"{1e3 / (2 * top):.3g} fs")
    cutoff = sp["inelastic_cutoff_THz"]
    if cutoff is not None and not float(cutoff) < nyquist:
        problems.append(f"spectral.inelastic_cutoff_THz: {cutoff:g} THz is not below the "
                        f"Nyquist frequency {nyquist:.3g} THz of sample_every_fs")
    try:
        signal.get_window(sp["window"], 16)
    except ValueError as error:
        problems.append(f"spectral.window: '{sp['window']}' is not a scipy.signal window "
                        f"({error}); use e.g. hann")
    stage_ps = sp["n_blocks"] * sp["block_samples"] * every_fs * 1e-3
    for name in spectral_systems(config):
        settings = spectral_settings(config, name, system_temperatures(config, name)[0], 0)
        step_fs = float(settings["timestep_fs"])
        if abs(every_fs / step_fs - round(every_fs / step_fs)) > 1e-6 * every_fs / step_fs \
                or round(every_fs / step_fs) < 1:
            problems.append(f"spectral.sample_every_fs: {every_fs:g} fs is not a whole number "
                            f"of time steps of system {name} ({step_fs:g} fs)")
            continue
        windows = int(stage_ps / settings["sample_every_ps"] + 1e-9)
        if windows < MIN_ENERGY_SAMPLES:
            problems.append(f"spectral.n_blocks: the sampled stage (n_blocks x block_samples x "
                            f"sample_every_fs = {stage_ps:g} ps) holds {windows} bath-energy "
                            f"windows of nemd.sample_every_ps = {settings['sample_every_ps']} ps "
                            f"of system {name}, fewer than {MIN_ENERGY_SAMPLES}: raise n_blocks "
                            "or block_samples")
        if not problems:  # the driver's own checks, for anything not named above
            try:
                SpectralSettings(settings)
            except ValueError as error:
                problems.append(f"spectral (system {name}): {error}")
    return problems


def emd_settings(config: dict, system: str, temperature_K: float, replica: int) -> dict:
    """Everything the EMD driver needs for one run (seeds independent of the NEMD runs)."""
    nemd = nemd_settings(config, system, temperature_K, replica)
    emd = config["emd"]
    seeds = run_seeds(config["seed"], f"{system}/emd", temperature_K, replica)
    return {
        "potential": nemd["potential"], "specorder": nemd["specorder"],
        "temperature_K": nemd["temperature_K"], "replica": nemd["replica"],
        "timestep_fs": emd["timestep_fs"] or nemd["timestep_fs"],
        "seeds": {"velocity": seeds["velocity"], "equilibration": seeds["equilibration"]},
        **{k: emd[k] for k in EMD_DRIVER_KEYS},
    }


def emd_analysis_settings(config: dict) -> dict:
    """Options of the Green-Kubo analysis (study.analyse_emd)."""
    return {k: config["emd"][k] for k in ("estimator", "bin_ps", "gap_ps", "min_length_taus",
                                          "n_bootstrap", "fit_start_ps", "n_blocks",
                                          "window_taus")}
