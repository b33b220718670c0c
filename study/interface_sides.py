"""A config system's two sides: which builder makes them, their species and LAMMPS types.

A side written as ``{element, lattice: fcc|diamond, mass_amu}`` is built by the
single-element cubic [001] builder (:mod:`structures.interface`: the default Si/Cu
study, with its registry search).  A side using any of the general fields is built by
the oriented builder (:mod:`structures.oriented_interface`):

* ``lattice`` (any of :data:`structures.lattices.LATTICE_NAMES`) with ``species`` (or
  ``element``), optional starting ``a_A``, ``c_A``, ``u``; or ``file`` (CIF, POSCAR,
  extxyz, ... with optional ``format``): the bulk crystal, relaxed by the study's
  potential unless ``relax: false``;
* ``plane`` ((h k l) or (h k i l), default (0 0 1)) and ``rotation_deg`` about the normal;
* ``mass_amu``: a number (single species) or ``{symbol: amu}``.

Every check here runs before any MD, and its message names the field.
"""

from __future__ import annotations

from collections.abc import Mapping

from structures.lattices import LATTICE_NAMES, crystal_from_spec
from structures.oriented import miller_indices
from structures.sides import interface_types

__all__ = [
    "CUBIC_001_LATTICES",
    "ORIENTED_KEYS",
    "check_side",
    "crystal_spec",
    "side_species",
    "system_specorder",
    "uses_oriented_builder",
]

#: Lattices of the single-element cubic [001] builder.
CUBIC_001_LATTICES = ("fcc", "diamond")

#: Side fields only the oriented builder reads.
ORIENTED_KEYS = ("species", "a_A", "c_A", "u", "file", "format", "plane", "rotation_deg",
                 "relax", "amorphous")

#: Melt-quench and bonding settings of an amorphous side (``amorphous:`` block).
AMORPHOUS_PROTOCOL_KEYS = ("density_g_cm3", "melt_K", "melt_ps", "quench_rate_K_ps",
                           "final_K", "anneal_ps", "timestep_fs")

#: Bonding anneal defaults (:func:`engine.amorphous_interface.bond_interface`): below the
#: melting point of crystalline Si with the Tersoff-type potentials, above the mobility
#: threshold of the glass surface atoms in picoseconds; the outer 3 Å of the crystal frozen.
BOND_DEFAULTS = {"bond_K": 1500.0, "bond_ps": 20.0, "bond_fixed_A": 3.0}

def uses_oriented_builder(system: Mapping) -> bool:
    """True when either side needs the oriented builder (not a grain boundary)."""
    if system.get("type") == "grain_boundary":
        return False
    return any(any(key in system[side] for key in ORIENTED_KEYS)
               or system[side].get("lattice") not in CUBIC_001_LATTICES
               or isinstance(system[side].get("mass_amu"), Mapping)
               for side in ("side_a", "side_b"))


def _masses(side: Mapping, species: list[str]) -> dict[str, float] | None:
    mass = side.get("mass_amu")
    if mass is None:
        return None
    if isinstance(mass, Mapping):
        return {str(k): float(v) for k, v in mass.items()}
    if len(species) != 1:
        raise ValueError(f"mass_amu: a single number is for one species; give "
                         f"{{symbol: amu}} for {species}")
    return {species[0]: float(mass)}


def _nearest_neighbour_factor(lattice: str) -> float:
    """Nearest-neighbour distance over a (ideal c/a for hcp)."""
    return {"fcc": 0.5 ** 0.5, "bcc": 3 ** 0.5 / 2, "diamond": 3 ** 0.5 / 4, "hcp": 1.0,
            "sc": 1.0}[lattice]


def _starting_a(side: Mapping, species: list[str]) -> tuple[float, float | None]:
    """Starting (a, c) in Å: the side's own ``a_A``/``c_A``, else from the element's
    reference state in ASE (its lattice constant, or its nearest-neighbour distance for
    another lattice; ideal c/a for hcp).  The potential relaxes them."""
    from ase.data import atomic_numbers, reference_states

    ideal_c = (8 / 3) ** 0.5
    if "a_A" in side:
        return float(side["a_A"]), side.get("c_A")
    lattice = side["lattice"]
    state = (reference_states[atomic_numbers.get(species[0], 0)] or {}) if len(species) == 1 \
        else {}
    if "a" not in state or lattice not in ("fcc", "bcc", "diamond", "hcp") \
            or state.get("symmetry") not in ("fcc", "bcc", "diamond", "hcp", "sc"):
        raise ValueError(f"a_A: give a starting lattice constant (Å) for lattice '{lattice}' "
                         f"of {species}; the potential relaxes it")
    if state["symmetry"] == lattice:
        a = float(state["a"])
        return a, side.get("c_A", a * state.get("c/a", ideal_c))
    bond = float(state["a"]) * _nearest_neighbour_factor(state["symmetry"])
    a = bond / _nearest_neighbour_factor(lattice)
    return a, side.get("c_A", a * ideal_c)


def crystal_spec(side: Mapping) -> dict:
    """The :func:`structures.lattices.crystal_from_spec` mapping of a side."""
    if "file" in side:
        spec = {"file": side["file"]}
        if side.get("format"):
            spec["format"] = side["format"]
        crystal = crystal_from_spec(spec)
        species = list(dict.fromkeys(crystal.get_chemical_symbols()))
        masses = _masses(side, species)
        return spec | ({"mass_amu": masses} if masses else {})
    if "species" in side and "element" in side:
        raise ValueError("species: give species or its alias element, not both")
    if side.get("lattice") not in LATTICE_NAMES:
        raise ValueError(f"lattice: '{side.get('lattice')}' is not known: choose one of "
                         f"{', '.join(LATTICE_NAMES)}, or give a structure file (field 'file')")
    species_field = side.get("species", side.get("element"))
    if species_field is None:
        raise ValueError(f"species: lattice '{side['lattice']}' needs its chemical symbols")
    from structures.lattices import species_list

    species = species_list(species_field, side["lattice"])
    a, c = _starting_a(side, species)
    spec = {"lattice": side["lattice"], "species": species, "a_A": a}
    if side["lattice"] in ("hcp", "wurtzite"):
        spec["c_A"] = float(c)
    if "u" in side:
        spec["u"] = side["u"]
    masses = _masses(side, species)
    return spec | ({"mass_amu": masses} if masses else {})


def is_amorphous(side: Mapping) -> bool:
    """True for an ``amorphous:`` side (melt-quenched, :mod:`engine.amorphous`)."""
    return "amorphous" in side


def amorphous_protocol(side: Mapping) -> dict:
    """The complete melt-quench and bonding settings of an amorphous side: the given
    ones over the literature defaults of its formula (:data:`engine.amorphous.DEFAULTS_SIO2`
    for SiO2) and :data:`BOND_DEFAULTS`.  ValueError naming the missing field otherwise."""
    from engine.amorphous import DEFAULTS_SIO2, reduced_formula

    block = dict(side["amorphous"])
    composition = block.get("composition")
    if not isinstance(composition, Mapping) or not composition:
        raise ValueError("amorphous.composition: give {element: count}, e.g. {Si: 1, O: 2}")
    formula = reduced_formula({str(k): int(v) for k, v in composition.items()})
    defaults = {"SiO2": {**DEFAULTS_SIO2,
                         "density_g_cm3": DEFAULTS_SIO2["target_density_g_cm3"]}}.get(formula, {})
    settings = {key: block.get(key, defaults.get(key)) for key in AMORPHOUS_PROTOCOL_KEYS}
    missing = [key for key, value in settings.items() if value is None]
    if missing:
        raise ValueError(f"amorphous.{missing[0]}: no literature default for {formula}: give "
                         f"{', '.join(missing)}")
    settings.update({key: block.get(key, value) for key, value in BOND_DEFAULTS.items()})
    settings["composition"] = {str(k): int(v) for k, v in composition.items()}
    settings["formula"] = formula
    if "seed" in block:
        settings["seed"] = int(block["seed"])
    if settings["final_K"] >= settings["melt_K"]:
        raise ValueError(f"amorphous.final_K: {settings['final_K']} K is not below melt_K = "
                         f"{settings['melt_K']} K")
    if settings["final_K"] > settings["bond_K"]:
        raise ValueError(f"amorphous.bond_K: {settings['bond_K']} K is below final_K = "
                         f"{settings['final_K']} K")
    return settings


def side_species(side: Mapping) -> list[str]:
    """Distinct chemical symbols of a side, in the order of its crystal (or of the
    amorphous side's composition)."""
    if is_amorphous(side):
        return [str(k) for k in side["amorphous"].get("composition", {})]
    if not any(key in side for key in ORIENTED_KEYS) and "element" in side \
            and side.get("lattice") in CUBIC_001_LATTICES:
        return [side["element"]]
    crystal = crystal_from_spec(crystal_spec(side))
    return list(dict.fromkeys(crystal.get_chemical_symbols()))


def system_specorder(system: Mapping) -> list[str]:
    """Element of each LAMMPS atom type of a system's structure (type 1 first)."""
    if system.get("type") == "grain_boundary" or not uses_oriented_builder(system):
        return [system["side_a"]["element"], system["side_b"]["element"]]
    return interface_types(side_species(system["side_a"]), side_species(system["side_b"]))[0]


def check_side(side: Mapping, field: str, elements) -> list[str]:
    """Problems of one side of the oriented builder (each naming ``field.KEY``): the
    crystal (lattice, species, file), the plane, and the species the potential models;
    for an amorphous side its composition and protocol."""
    if is_amorphous(side):
        extra = sorted(k for k, v in side.items() if k != "amorphous" and v is not None)
        if extra:
            return [(f"{field}.{extra[0]}: an amorphous side takes only its amorphous block "
                    f"(got {extra})")]
        try:
            settings = amorphous_protocol(side)
        except (ValueError, TypeError) as error:
            return [f"{field}.{error}"]
        return [f"{field}.amorphous.composition: '{symbol}' is not modelled by the potential "
                f"(it knows {list(elements)})"
                for symbol in settings["composition"] if symbol not in elements]
    try:
        spec = crystal_spec(side)
        crystal = crystal_from_spec(spec)
    except (ValueError, FileNotFoundError) as error:
        text = str(error)
        key = text.split(":", 1)[0] if text.split(":", 1)[0] in (
            "lattice", "species", "a_A", "c_A", "u", "mass_amu") else None
        return [f"{field}.{key}: {text.split(':', 1)[1].strip()}" if key
                else f"{field}: {text}"]
    problems = []
    plane = side.get("plane", [0, 0, 1])
    try:
        from structures.oriented import is_hexagonal_cell

        conventional = crystal.info.get("conventional_cell_A", crystal.cell)
        miller_indices(plane, hexagonal=is_hexagonal_cell(conventional))
    except (ValueError, TypeError) as error:
        problems.append(f"{field}.plane: {error}")
    for symbol in dict.fromkeys(crystal.get_chemical_symbols()):
        if symbol not in elements:
            problems.append(f"{field}: species '{symbol}' is not modelled by the potential "
                            f"(it knows {list(elements)})")
    return problems


def mismatch_not_applicable(system: Mapping) -> str | None:
    """Why the acoustic and diffuse mismatch models are not computed for ``system``, or
    None when they are.

    The models (:mod:`study.mismatch`) take the elastic constants, density and phonon
    spectrum of two single-element cubic crystals (fcc or diamond); their Debye forms are
    isotropic, so a side's plane does not enter them.
    """
    if system.get("type") == "grain_boundary":
        return "grain boundary: the same crystal on both sides (no acoustic mismatch)"
    for key in ("side_a", "side_b"):
        side = system[key]
        if is_amorphous(side):
            return (f"{key} is amorphous: the Debye and full-dispersion mismatch models need a "
                    "crystal (elastic constants, phonon spectrum) on each side")
        if "file" in side:
            return (f"{key} is read from a structure file: the mismatch models need a "
                    "single-element cubic crystal (fcc or diamond) on each side")
        if side.get("lattice") not in CUBIC_001_LATTICES:
            return (f"{key} is {side.get('lattice')}: the mismatch models need a single-element "
                    "cubic crystal (fcc or diamond) on each side")
        if len(side_species(side)) != 1 or isinstance(side.get("mass_amu"), Mapping):
            return (f"{key} has several species: the mismatch models need a single-element "
                    "cubic crystal on each side")
    return None


def mismatch_side(side: Mapping) -> dict:
    """A side as :mod:`study.mismatch` reads it: ``{element, lattice, mass_amu}``."""
    return {"element": side_species(side)[0], "lattice": side["lattice"],
            "mass_amu": side.get("mass_amu")}
