"""Relaxed bulk lattice constant and cohesive energy of a cubic crystal.

The energies come from the energy model passed in (:mod:`structures.energy_model`; the
project's is :class:`engine.lammps_model.LammpsModel`), so the lattice constants the
builders use are those of the potential of the MD.  Units: Å, eV.
"""

from __future__ import annotations

import math

import numpy as np
from ase.data import atomic_numbers, reference_states
from scipy.optimize import minimize_scalar

from .crystals import conventional_cell
from .energy_model import BulkProperties, EnergyModel

__all__ = ["relax_cubic_lattice"]


def relax_cubic_lattice(element: str, lattice: str, *, model: EnergyModel,
                        specorder: list[str] | None = None, guess_A: float | None = None,
                        repeat: int = 2, window: float = 0.15, scan_step_A: float = 0.05,
                        tol_A: float = 1e-6) -> BulkProperties:
    """Equilibrium lattice constant of a cubic crystal, by minimising E(a).

    The energy per atom of a periodic ``repeat``³ supercell of the conventional cell is
    scanned at the multiples of ``scan_step_A`` in ``[(1 - window) guess, (1 + window)
    guess]``; Brent's bounded method (scipy ``minimize_scalar``) then refines the best
    point between its two neighbours.  Atoms sit on ideal sites (no internal
    relaxation is needed for fcc, bcc and diamond).  As the scan points do not depend
    on the guess, two species with the same interactions (LJ labels) get bit-identical
    lattice constants.

    Parameters
    ----------
    element, lattice
        Element label and ``"fcc"``, ``"bcc"`` or ``"diamond"``.
    model
        Energy model (:class:`structures.energy_model.EnergyModel`), e.g.
        :class:`engine.lammps_model.LammpsModel` of a registry potential.
    specorder
        Atom-type order (default ``[element]``), e.g. ``["Si", "Cu"]`` for MEAM.
    guess_A
        Centre of the search (Å); default: ASE's reference lattice constant.
    repeat
        Supercell repeats per direction.
    window
        Relative half-width of the search interval.
    scan_step_A
        Spacing of the coarse scan (Å).
    tol_A
        Absolute tolerance on ``a`` (Å).

    Returns
    -------
    BulkProperties
        ``lattice_constant_A`` (Å) and ``cohesive_energy_eV`` = -E/N (eV/atom; the
        isolated atom has zero energy with the registry potentials).
    """
    guess = guess_A or reference_states[atomic_numbers[element]]["a"]
    atoms = conventional_cell(element, lattice, lattice_constant_A=guess).repeat(repeat)
    with model.calculator(atoms, specorder=specorder or [element]) as calc:
        def energy_per_atom(a: float) -> float:
            calc.set_box([a * repeat] * 3)
            return calc.energy() / len(atoms)

        grid = scan_step_A * np.arange(math.ceil((1 - window) * guess / scan_step_A),
                                       math.floor((1 + window) * guess / scan_step_A) + 1)
        best = int(np.argmin([energy_per_atom(a) for a in grid]))
        if best in (0, len(grid) - 1):
            raise ValueError(f"lattice constant of {element} ({lattice}, "
                             f"{model.name}) lies outside {grid[0]:.3f}-"
                             f"{grid[-1]:.3f} Å: give guess_A or widen window")
        result = minimize_scalar(energy_per_atom, bounds=(grid[best - 1], grid[best + 1]),
                                 method="bounded", options={"xatol": tol_A})
    return BulkProperties(float(result.x), -float(result.fun))
