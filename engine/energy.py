"""Potential energies of ASE structures with LAMMPS, and relaxed bulk lattice constants.

Every LAMMPS instance is made by :func:`engine.runtime.new_lammps` and its
interactions by :func:`potentials.pair_commands`, so the energies here use exactly the
potential files (and checksums) that the MD runs use.  Units: Å, eV, amu (LAMMPS
``metal``).  Non-periodic directions of an :class:`ase.Atoms` become shrink-wrapped
(``s``) LAMMPS boundaries, so atoms may move along them without being lost.
"""

from __future__ import annotations

import ctypes
import math
import tempfile
from pathlib import Path
from typing import NamedTuple, Self

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers, reference_states
from scipy.optimize import minimize_scalar

from engine.runtime import new_lammps
from potentials import Potential, get_potential, pair_commands

from structures.crystals import conventional_cell

__all__ = [
    "BulkProperties",
    "LammpsEnergy",
    "potential_energy",
    "relax_cubic_lattice",
]


def as_potential(potential: str | Potential) -> Potential:
    """Return the registry entry named ``potential`` (or ``potential`` if already one)."""
    return potential if isinstance(potential, Potential) else get_potential(potential)


def _boundary(pbc) -> str:
    """LAMMPS ``boundary`` arguments for ASE periodic flags (``p`` or ``s``)."""
    return " ".join("p" if flag else "s" for flag in pbc)


class LammpsEnergy:
    """A LAMMPS instance holding one structure, for repeated energy evaluations.

    Parameters
    ----------
    atoms
        Structure with an orthorhombic cell; its masses are written to LAMMPS.
    potential
        Registry name of the potential (see ``potentials/registry.yaml``), or a
        :class:`potentials.Potential` entry.
    specorder
        Element of each LAMMPS atom type, in type order; it may list elements absent
        from ``atoms`` (e.g. ``["Si", "Cu"]`` for bulk Si with the Si/Cu MEAM).

    Notes
    -----
    Use as a context manager, or call :meth:`close`.  Positions given to
    :meth:`energy` are in the order of ``atoms`` (LAMMPS atom id = index + 1).
    """

    def __init__(self, atoms: Atoms, *, potential: str | Potential, specorder: list[str]):
        from structures.io import write_lammps_data

        self.natoms = len(atoms)
        self._lmp = new_lammps()
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "structure.data"
            write_lammps_data(data, atoms, specorder)
            self._lmp.commands_list([
                "units metal",
                "atom_style atomic",
                "atom_modify map array sort 0 0.0",
                f"boundary {_boundary(atoms.pbc)}",
                f"read_data {data}",
            ])
        self._lmp.commands_list(pair_commands(as_potential(potential), list(specorder)))
        self._lmp.commands_list(["neighbor 1.0 bin", "thermo_style custom step pe"])

    def set_box(self, lengths_A) -> None:
        """Change the orthorhombic box to ``lengths_A`` (Å), scaling atom positions."""
        lx, ly, lz = (float(v) for v in lengths_A)
        self._lmp.command(
            f"change_box all x final 0 {lx!r} y final 0 {ly!r} z final 0 {lz!r} remap units box"
        )

    def set_positions(self, positions_A: np.ndarray) -> None:
        """Replace all positions (shape ``(natoms, 3)``, Å, order of the ``Atoms``)."""
        flat = np.ascontiguousarray(positions_A, dtype=float).ravel()
        if flat.size != 3 * self.natoms:
            raise ValueError(f"positions_A has {flat.size // 3} rows, expected {self.natoms}")
        self._lmp.scatter_atoms("x", 1, 3, (ctypes.c_double * flat.size)(*flat))

    def energy(self, positions_A: np.ndarray | None = None) -> float:
        """Total potential energy (eV), after optionally setting new positions (Å)."""
        if positions_A is not None:
            self.set_positions(positions_A)
        self._lmp.command("run 0 post no")
        return float(self._lmp.get_thermo("pe"))

    def close(self) -> None:
        """Release the LAMMPS instance."""
        self._lmp.close()

    def __enter__(self) -> Self:
        """Enter a ``with`` block."""
        return self

    def __exit__(self, *exc) -> None:
        """Close the instance at the end of a ``with`` block."""
        self.close()


def potential_energy(atoms: Atoms, *, potential: str | Potential, specorder: list[str]) -> float:
    """Potential energy of ``atoms`` (eV) with a registry potential.

    Parameters
    ----------
    atoms
        Structure with an orthorhombic cell; ``atoms.pbc`` gives the boundaries.
    potential
        Registry name of the potential, or a :class:`potentials.Potential`.
    specorder
        Element of each LAMMPS atom type, in type order.
    """
    with LammpsEnergy(atoms, potential=potential, specorder=specorder) as calc:
        return calc.energy()


class BulkProperties(NamedTuple):
    """Relaxed cubic crystal: lattice constant (Å) and cohesive energy (eV/atom, > 0)."""

    lattice_constant_A: float
    cohesive_energy_eV: float


def relax_cubic_lattice(element: str, lattice: str, *, potential: str | Potential,
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
    potential
        Registry name of the potential, or a :class:`potentials.Potential`.
    specorder
        LAMMPS type order (default ``[element]``), e.g. ``["Si", "Cu"]`` for MEAM.
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
    with LammpsEnergy(atoms, potential=potential, specorder=specorder or [element]) as calc:
        def energy_per_atom(a: float) -> float:
            calc.set_box([a * repeat] * 3)
            return calc.energy() / len(atoms)

        grid = scan_step_A * np.arange(math.ceil((1 - window) * guess / scan_step_A),
                                       math.floor((1 + window) * guess / scan_step_A) + 1)
        best = int(np.argmin([energy_per_atom(a) for a in grid]))
        if best in (0, len(grid) - 1):
            raise ValueError(f"lattice constant of {element} ({lattice}, "
                             f"{as_potential(potential).name}) lies outside {grid[0]:.3f}-"
                             f"{grid[-1]:.3f} Å: give guess_A or widen window")
        result = minimize_scalar(energy_per_atom, bounds=(grid[best - 1], grid[best + 1]),
                                 method="bounded", options={"xatol": tol_A})
    return BulkProperties(float(result.x), -float(result.fun))
