"""Potential energies of ASE structures with LAMMPS.

:class:`LammpsEnergy` holds one structure for repeated energy evaluations; it is the
calculator that :class:`engine.lammps_model.LammpsModel` hands to the structure builders
(:mod:`structures.energy_model`).  Every LAMMPS instance is made by
:func:`engine.runtime.new_lammps` and its interactions by :func:`potentials.pair_commands`,
so the energies here use exactly the potential files (and checksums) that the MD runs use.
Units: Å, eV, amu (LAMMPS ``metal``).  Non-periodic directions of an :class:`ase.Atoms`
become shrink-wrapped (``s``) LAMMPS boundaries, so atoms may move along them without
being lost.
"""

from __future__ import annotations

import ctypes
import tempfile
from pathlib import Path
from typing import Self

import numpy as np
from ase import Atoms

from engine.runtime import new_lammps
from potentials import Potential, get_potential, pair_commands
from structures.io import write_lammps_data

__all__ = [
    "LammpsEnergy",
    "LammpsHolder",
    "as_potential",
    "potential_energy",
]


def as_potential(potential: str | Potential) -> Potential:
    """Return the registry entry named ``potential`` (or ``potential`` if already one)."""
    return potential if isinstance(potential, Potential) else get_potential(potential)


def _boundary(pbc) -> str:
    """LAMMPS ``boundary`` arguments for ASE periodic flags (``p`` or ``s``)."""
    return " ".join("p" if flag else "s" for flag in pbc)


class LammpsHolder:
    """Owns one LAMMPS instance (``self._lmp``): :meth:`close` and use as a context manager."""

    _lmp = None

    def close(self) -> None:
        """Release the LAMMPS instance."""
        self._lmp.close()

    def __enter__(self) -> Self:
        """Enter a ``with`` block."""
        return self

    def __exit__(self, *exc) -> None:
        """Close the instance at the end of a ``with`` block."""
        self.close()


class LammpsEnergy(LammpsHolder):
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
