"""Build bonded solid/solid interfaces and CSL bicrystals for Kapitza-resistance runs.

Pure ASE geometry: no module here imports LAMMPS, MPI or the engine.  Where a builder
needs energies (relaxed lattice constants, the interface separation, the grain-boundary
search) it is handed an energy model (:mod:`.energy_model`; the LAMMPS one is
:class:`engine.lammps_model.LammpsModel`), as ASE builders take numbers and return Atoms.

Modules: :mod:`.crystals` (conventional cubic cells and 45°-rotated (001) cells),
:mod:`.coincidence` (lateral supercell matching, cross-section warnings),
:mod:`.energy_model` (the protocol of the energy model, result types),
:mod:`.bulk` (relaxed lattice constants), :mod:`.interface` (the interface builder),
:mod:`.periodic` (periodic-z closure), :mod:`.planes` (atomic planes),
:mod:`.csl` (CSL misorientations), :mod:`.grain_boundary` (bicrystal builder and search),
:mod:`.grain_boundary_checks` (bicrystal verification), :mod:`.checks` (interface sanity
checks), :mod:`.io` (writers).  Units: Å, eV, amu.
"""

from __future__ import annotations

from .bulk import relax_cubic_lattice
from .checks import (
    check_atom_counts,
    check_distinct_elements,
    check_interface,
    check_lateral_lattice,
    check_min_distance,
    default_min_distance_A,
    min_interatomic_distance,
)
from .coincidence import (
    Coincidence,
    CoincidenceError,
    cross_section_warnings,
    find_coincidence,
    recommended_lateral_A,
)
from .crystals import (
    ATOMS_PER_CELL,
    conventional_cell,
    interplanar_spacing_001,
    nearest_neighbour_distance,
    rotated_cell,
)
from .energy_model import BulkProperties, EnergyModel, Minimised, NamedPotential
from .interface import (
    Z_MARGIN_A,
    build_bonded_interface,
    cells_along_z,
    interface_info,
    optimal_separation,
    stack_sides,
)
from .io import write_info_json, write_lammps_data

__all__ = [
    "ATOMS_PER_CELL",
    "Z_MARGIN_A",
    "BulkProperties",
    "Coincidence",
    "CoincidenceError",
    "EnergyModel",
    "Minimised",
    "NamedPotential",
    "build_bonded_interface",
    "cells_along_z",
    "check_atom_counts",
    "check_distinct_elements",
    "check_interface",
    "check_lateral_lattice",
    "check_min_distance",
    "conventional_cell",
    "cross_section_warnings",
    "default_min_distance_A",
    "find_coincidence",
    "interface_info",
    "interplanar_spacing_001",
    "min_interatomic_distance",
    "nearest_neighbour_distance",
    "optimal_separation",
    "recommended_lateral_A",
    "relax_cubic_lattice",
    "rotated_cell",
    "stack_sides",
    "write_info_json",
    "write_lammps_data",
]
