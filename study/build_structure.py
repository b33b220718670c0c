"""Entry point: build a bonded-interface supercell for one configured system.

Writes the LAMMPS data file (atom types in the order of the record's ``specorder``: [side A
element, side B element] for the cubic builder, one type per species per side for the
oriented builder, :mod:`study.interface_sides`) and a JSON record of the construction (lattice constants from the potential, coincidence,
strains, separation, counts) with provenance.  Serial: the LAMMPS work here (bulk
relaxations, a separation scan on a short stack) takes seconds.  With the system option
``registry_search`` the in-plane registry is searched too (a relaxation per candidate, of
the order of a minute for Si/Cu) and the record gains the candidates (``registry``), the
surface energies, the interface energy and the work of adhesion (J/m²).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from ase.data import atomic_masses, atomic_numbers

from engine.atomic_io import atomic_path, write_json
from engine.lammps_model import LammpsModel
from engine.provenance import provenance_record
from potentials import get_potential, provenance
from structures import build_bonded_interface, write_lammps_data
from study.interface_sides import is_amorphous, mismatch_not_applicable, uses_oriented_builder


def grain_boundary_stack(system: dict) -> tuple:
    """The relaxed periodic CSL bicrystal as a two-type stack the MD rules can run.

    Grain 1 (LAMMPS type 1, "side A") fills the lower half of the cell, grain 2 (type 2)
    the upper half; the boundary at mid-height is the one NEMD measures.  The second
    boundary lies at the periodic seam: NEMD cuts it (z becomes non-periodic, the ends are
    frozen), EMD closes the cell again with the gap it had (``periodic_gap_A``).
    """
    from structures.coincidence import cross_section_warnings
    from structures.grain_boundary import build_grain_boundary
    from structures.grain_boundary_checks import boundary_planes_A

    atoms, gb = build_grain_boundary(
        system["element"], system["lattice"], LammpsModel(system["potential"]),
        int(system["sigma"]),
        system["kind"], system["plane"],
        min_grain_thickness_A=max(system["length_a_A"], system["length_b_A"]),
        min_lateral_A=system.get("min_lateral_A", 0.0),
        n_translations=(system["translations_per_edge"],) * 2,
        overlap_fractions=tuple(system["overlap_fractions"]))
    grain = atoms.arrays["grain"]
    atoms.arrays["lammps_type"] = grain.astype(int)
    length_z = float(atoms.cell[2, 2])
    # put the seam boundary at z = 0: grain 1 below, grain 2 above, both contiguous
    for seam in boundary_planes_A(atoms):
        shifted = (atoms.positions[:, 2] - seam) % length_z
        if shifted[grain == 1].max() < shifted[grain == 2].min():
            break
    else:
        raise RuntimeError("the relaxed grains do not stack along z: cannot cut the bicrystal")
    positions = atoms.positions.copy()
    positions[:, 2] = shifted
    atoms.positions = positions
    z = shifted
    element = system["element"]
    info = {(k if k.startswith("gb_") else f"gb_{k}"): v for k, v in gb.items()}
    info.update(
        potential=gb["potential"], specorder=[element, element], type="grain_boundary",
        element_a=element, element_b=element, lattice_a=system["lattice"],
        lattice_b=system["lattice"], n_atoms=len(atoms), n_atoms_a=int(np.sum(grain == 1)),
        n_atoms_b=int(np.sum(grain == 2)), area_A2=gb["area_A2"],
        lateral_A=[float(atoms.cell[0, 0]), float(atoms.cell[1, 1])],
        cell_A=[float(v) for v in atoms.cell.lengths()],
        z_interface_A=float(0.5 * (z[grain == 1].max() + z[grain == 2].min())),
        periodic_gap_A=float(length_z - (z.max() - z.min())),
        separation_A=float(length_z - (z.max() - z.min())),
        warnings=cross_section_warnings([float(atoms.cell[0, 0]), float(atoms.cell[1, 1])],
                                        [gb["lattice_constant_A"]] * 2))
    return atoms, info


def oriented_stack(system: dict) -> tuple:
    """The interface of the oriented builder (:mod:`structures.oriented_interface`): each
    side's bulk crystal relaxed by the potential (:func:`engine.crystal_relax.relax_crystal`,
    unless ``relax: false``), cut along its ``plane``, matched within ``max_lateral_A``²
    and ``max_strain``, repeated to at least ``min_lateral_A`` per lateral edge."""
    from structures.oriented_interface import build_oriented_interface

    crystals, relaxations = [], {}
    for key in ("side_a", "side_b"):
        crystal, record = _relaxed_crystal(system, key)
        if record is not None:
            relaxations[key] = record
        crystals.append(crystal)
    atoms, info = build_oriented_interface(
        *crystals, plane_a=system["side_a"].get("plane", [0, 0, 1]),
        plane_b=system["side_b"].get("plane", [0, 0, 1]),
        rotation_a_deg=system["side_a"].get("rotation_deg", 0.0),
        rotation_b_deg=system["side_b"].get("rotation_deg", 0.0),
        model=LammpsModel(system["potential"]), length_a_A=system["length_a_A"],
        length_b_A=system["length_b_A"], max_area_A2=system["max_lateral_A"] ** 2,
        max_strain=system["max_strain"], min_lateral_A=system.get("min_lateral_A", 0.0),
        separation_A=system.get("separation_A"))
    info["bulk_relaxation"] = relaxations
    for key, record in relaxations.items():
        if not record.get("converged", True):
            info["warnings"].append(f"{key}: the bulk relaxation did not reach zero stress "
                                    f"(residual {record['pressure_GPa']:.3g} GPa)")
    return atoms, info


def _relaxed_crystal(system: dict, key: str) -> tuple:
    """The side's bulk crystal, relaxed by the potential unless ``relax: false``."""
    from engine.crystal_relax import relax_crystal
    from structures.lattices import crystal_from_spec
    from study.interface_sides import crystal_spec

    side = system[key]
    crystal = crystal_from_spec(crystal_spec(side))
    if not side.get("relax", True):
        return crystal, None
    return relax_crystal(crystal, potential=system["potential"])


def amorphous_stack(system: dict) -> tuple:
    """A crystal/amorphous interface: the crystal side on its own rectangular surface cell
    (:func:`structures.oriented_interface.crystal_side_slab`), the amorphous block melt-
    quenched on that lateral cell (:func:`engine.amorphous.melt_quench`) with as many
    formula units as fill ``length_X_A`` at the target density, stacked at the gap of least
    energy and annealed to bond (:func:`engine.amorphous_interface.bond_interface`)."""
    from engine.amorphous import G_CM3_PER_AMU_A3, melt_quench
    from engine.amorphous_interface import bond_interface
    from structures.oriented_interface import (
        best_separation,
        crystal_side_slab,
        species_of,
        stack_crystal_and_amorphous,
    )
    from structures.sides import interface_types
    from study.interface_sides import amorphous_protocol, is_amorphous

    glass_key = "side_a" if is_amorphous(system["side_a"]) else "side_b"
    crystal_key = "side_b" if glass_key == "side_a" else "side_a"
    crystal_side = "A" if crystal_key == "side_a" else "B"
    suffix = {"side_a": "a", "side_b": "b"}
    crystal, relaxation = _relaxed_crystal(system, crystal_key)
    side = system[crystal_key]
    slab, crystal_record = crystal_side_slab(
        crystal, side.get("plane", [0, 0, 1]), length_A=system[f"length_{suffix[crystal_key]}_A"],
        max_area_A2=system["max_lateral_A"] ** 2, min_lateral_A=system.get("min_lateral_A", 0.0),
        rotation_deg=side.get("rotation_deg", 0.0))
    p = amorphous_protocol(system[glass_key])
    seed = int(p.get("seed", system.get("seed", 1)))
    lateral = (float(slab.cell[0, 0]), float(slab.cell[1, 1]))
    unit_mass = sum(n * atomic_masses[atomic_numbers[s]] for s, n in p["composition"].items())
    volume = lateral[0] * lateral[1] * system[f"length_{suffix[glass_key]}_A"]
    units = max(1, round(p["density_g_cm3"] * volume / (unit_mass * G_CM3_PER_AMU_A3)))
    block, glass_record = melt_quench(
        {s: n * units for s, n in p["composition"].items()}, potential=system["potential"],
        lateral_cell_A=lateral, target_density_g_cm3=p["density_g_cm3"], melt_K=p["melt_K"],
        melt_ps=p["melt_ps"], quench_rate_K_ps=p["quench_rate_K_ps"], final_K=p["final_K"],
        anneal_ps=p["anneal_ps"], timestep_fs=p["timestep_fs"], seed=seed)
    shifted = [part.copy() for part in ((slab, block) if crystal_side == "A" else (block, slab))]
    for part in shifted:
        part.positions = part.positions - np.array([0, 0, part.positions[:, 2].min()])
    species = tuple(species_of(part) for part in shifted)
    specorder, sides = interface_types(*species)
    gap = crystal_record["period_A"] / crystal_record["atomic_planes_per_period"]
    separation = best_separation(*shifted, model=LammpsModel(system["potential"]),
                                 specorder=specorder, species=species, sides=sides,
                                 spacings_A=(gap, gap))
    stacked, _, _ = stack_crystal_and_amorphous(slab, block, crystal_side=crystal_side,
                                                separation_A=separation)
    atoms, bonding = bond_interface(
        stacked, potential=system["potential"], specorder=specorder,
        crystal_side=crystal_side, fixed_thickness_A=p["bond_fixed_A"], bond_K=p["bond_K"],
        bond_ps=p["bond_ps"], final_K=p["final_K"], cool_rate_K_ps=p["quench_rate_K_ps"],
        timestep_fs=p["timestep_fs"], seed=seed + 1)
    info = _amorphous_record(atoms, system, specorder=specorder, sides=sides,
                             crystal_key=crystal_key, crystal_record=crystal_record,
                             glass_record=glass_record, protocol=p, separation_A=separation)
    info["bulk_relaxation"] = {crystal_key: relaxation} if relaxation else {}
    info["bonding"] = bonding
    return atoms, info


def _amorphous_record(atoms, system: dict, *, specorder, sides, crystal_key, crystal_record,
                      glass_record, protocol, separation_A) -> dict:
    """The structure record of a crystal/amorphous interface (Å, Å², g/cm³)."""
    from structures.checks import min_interatomic_distance
    from structures.coincidence import cross_section_warnings
    from structures.interface import Z_MARGIN_A

    z = atoms.positions[:, 2]
    on_b = atoms.arrays["side"] == 1
    lateral = [float(atoms.cell[0, 0]), float(atoms.cell[1, 1])]
    info = {"builder": "amorphous", "potential": system["potential"], "specorder": specorder,
            "side_types": sides, "lateral_A": lateral, "area_A2": lateral[0] * lateral[1],
            "cell_A": [float(v) for v in atoms.cell.lengths()], "z_margin_A": Z_MARGIN_A,
            "separation_A": float(separation_A),
            "z_interface_A": float(0.5 * (z[~on_b].max() + z[on_b].min())),
            "n_atoms": len(atoms), "min_distance_A": min_interatomic_distance(atoms),
            "registry": "not searched (amorphous side)", "amorphous": {
                "protocol": protocol, "block": glass_record}}
    warnings = []
    for key, suffix, mask in (("side_a", "a", ~on_b), ("side_b", "b", on_b)):
        crystalline = key == crystal_key
        info.update({
            f"element_{suffix}": (crystal_record["element"] if crystalline
                                  else protocol["formula"]),
            f"species_{suffix}": (crystal_record["species"] if crystalline
                                  else list(protocol["composition"])),
            f"lattice_{suffix}": crystal_record["lattice"] if crystalline else "amorphous",
            f"plane_spacing_{suffix}_A": (crystal_record["plane_spacing_A"] if crystalline
                                          else None),
            f"z_range_{suffix}_A": [float(z[mask].min()), float(z[mask].max())],
            f"n_atoms_{suffix}": int(mask.sum()),
            f"strain_{suffix}": 0.0,
        })
        if crystalline:
            info.update({f"{k}_{suffix}": v for k, v in crystal_record.items()
                         if k in ("plane", "directions", "rotation_deg", "n_periods",
                                  "period_A", "lattice_constant_A")})
            info[f"lattice_constant_{suffix}_A"] = info.pop(f"lattice_constant_A_{suffix}")
            info[f"period_{suffix}_A"] = info.pop(f"period_A_{suffix}")
    failed = [c["reason"] for c in glass_record.get("checks", []) if not c["passed"]]
    if failed:
        warnings.append(f"amorphous {protocol['formula']} block: {len(failed)} structure "
                        f"check(s) failed: {'; '.join(failed)}")
    info["warnings"] = warnings + cross_section_warnings(
        lateral, [crystal_record["lattice_constant_A"]] * 2)
    return info


def build(system: dict, out_data: Path, out_info: Path) -> dict:
    """Build the interface described by a config ``system`` entry and write it."""
    if system.get("type") == "grain_boundary":
        if system.get("registry_search") is not None:
            raise ValueError("registry_search is for bonded interfaces: a grain boundary's "
                             "translations are searched by translations_per_edge")
        atoms, info = grain_boundary_stack(system)
    elif any(is_amorphous(system[key]) for key in ("side_a", "side_b")):
        atoms, info = amorphous_stack(system)
    elif uses_oriented_builder(system):
        atoms, info = oriented_stack(system)
    else:
        atoms, info = build_bonded_interface(
            side_a=system["side_a"],
            side_b=system["side_b"],
            model=LammpsModel(system["potential"]),
            length_a_A=system["length_a_A"],
            length_b_A=system["length_b_A"],
            max_lateral_A=system["max_lateral_A"],
            max_strain=system["max_strain"],
            separation_A=system.get("separation_A"),
            min_lateral_A=system.get("min_lateral_A", 0.0),
            registry_search=system.get("registry_search"),
        )
    with atomic_path(out_data) as tmp:
        write_lammps_data(tmp, atoms, info["specorder"])
    record = dict(info)
    reason = mismatch_not_applicable(system)
    if reason is not None:
        record["methods_not_applicable"] = {"mismatch_models": reason}
    record["provenance"] = provenance_record(
        system=system, potential=provenance(get_potential(info["potential"])))
    write_json(out_info, record)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--system", required=True, help="the config's system entry as JSON")
    parser.add_argument("--out-data", required=True, type=Path)
    parser.add_argument("--out-info", required=True, type=Path)
    args = parser.parse_args(argv)
    record = build(json.loads(args.system), args.out_data, args.out_info)
    keys = ("n_atoms", "gb_energy_J_m2", "gb_misorientation_deg", "lattice_constant_a_A", "lattice_constant_b_A", "n_lateral_a", "n_lateral_b",
            "strain_a", "strain_b", "separation_A", "area_A2", "lateral_cell", "z_interface_A",
            "warnings")
    if "registry" in record:  # with registry_search
        keys += ("registry_translation_A", "gamma_a_J_m2", "gamma_b_J_m2", "gamma_int_J_m2",
                 "work_of_adhesion_J_m2")
    print(json.dumps({k: record.get(k) for k in keys}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
