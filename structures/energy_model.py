"""The energy model handed to the structure builders: energies and minimisation of Atoms.

The builders of :mod:`structures` compute no energies themselves.  Like the ASE builders,
which take numbers and return :class:`ase.Atoms`, they receive an *energy model* and call
it: :func:`structures.bulk.relax_cubic_lattice` and
:func:`structures.interface.optimal_separation` evaluate energies of one structure at many
box lengths or positions (:meth:`EnergyModel.calculator`), the grain-boundary search
relaxes candidate bicrystals (:meth:`EnergyModel.minimise`), and every built record names
the potential (:attr:`EnergyModel.name`).

The project's model is :class:`engine.lammps_model.LammpsModel` (LAMMPS with a registry
potential); :class:`NamedPotential` only names a potential, for builds whose lattice
constants and separation are all given.  Any object with the methods of
:class:`EnergyModel` will do (a test may pass a pair potential written in numpy).
Units: Å, eV, amu (LAMMPS ``metal``).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol, Self

import numpy as np
from ase import Atoms

from potentials import Potential, get_potential

__all__ = [
    "BulkProperties",
    "EnergyCalculator",
    "EnergyModel",
    "Minimised",
    "NamedPotential",
]


class BulkProperties(NamedTuple):
    """Relaxed cubic crystal: lattice constant (Å) and cohesive energy (eV/atom, > 0)."""

    lattice_constant_A: float
    cohesive_energy_eV: float


class Minimised(NamedTuple):
    """Result of :meth:`EnergyModel.minimise`: relaxed structure and its potential energy (eV)."""

    atoms: Atoms
    energy_eV: float


class EnergyCalculator(Protocol):
    """One structure held for repeated energy evaluations; a context manager.

    Positions are in the order of the :class:`ase.Atoms` the calculator was made for.
    """

    def set_box(self, lengths_A) -> None:
        """Change the orthorhombic box to ``lengths_A`` (three lengths, Å), scaling the
        atom positions with it."""

    def energy(self, positions_A: np.ndarray | None = None) -> float:
        """Total potential energy (eV), after optionally setting all positions
        (shape ``(natoms, 3)``, Å)."""

    def close(self) -> None:
        """Release the calculator."""

    def __enter__(self) -> Self:
        """Enter a ``with`` block."""

    def __exit__(self, *exc) -> None:
        """Close the calculator at the end of a ``with`` block."""


class EnergyModel(Protocol):
    """Energies and minimisation of structures with one interatomic potential.

    ``specorder`` arguments give the element of each atom type in type order (type
    ``i + 1`` is ``specorder[i]``); they may list elements absent from the atoms (e.g.
    ``["Si", "Cu"]`` for bulk Si with the Si/Cu MEAM).
    """

    @property
    def name(self) -> str:
        """Registry name of the potential, recorded in the builders' info dicts."""

    def calculator(self, atoms: Atoms, *, specorder: list[str]) -> EnergyCalculator:
        """A calculator holding ``atoms`` (orthorhombic cell, Å; its masses, amu, and its
        periodic flags are kept; non-periodic directions are open)."""

    def minimise(self, atoms: Atoms, *, specorder: list[str], **settings) -> Minimised:
        """Minimise the energy of a fully periodic orthorhombic structure.

        Positions relax and, unless ``settings`` say otherwise, the box length along z
        relaxes to zero normal stress (lateral lengths fixed).  Returns a relaxed copy of
        ``atoms`` (same atom order and per-atom arrays, positions wrapped into the new
        cell) and its potential energy (eV).  ``settings`` are the model's own tolerances
        (for LAMMPS: :func:`engine.minimise.minimise`).
        """


class NamedPotential:
    """An energy model that only names a registry potential and computes no energy.

    For :func:`structures.interface.build_bonded_interface` with every lattice constant
    and the separation given: the record names the potential, and no energy is needed.
    Asking it for an energy raises ``RuntimeError``.

    Parameters
    ----------
    potential
        Registry name of the potential (checked against ``potentials/registry.yaml``),
        or a :class:`potentials.Potential` entry.
    """

    def __init__(self, potential: str | Potential):
        entry = potential if isinstance(potential, Potential) else get_potential(potential)
        self._name = entry.name

    @property
    def name(self) -> str:
        """Registry name of the potential."""
        return self._name

    def _refuse(self, what: str):
        raise RuntimeError(f"NamedPotential('{self._name}') computes no energies, but the "
                           f"builder needs {what}: pass an energy model such as "
                           f"engine.lammps_model.LammpsModel('{self._name}'), or give the "
                           f"lattice constants and the separation")

    def calculator(self, atoms: Atoms, *, specorder: list[str]) -> EnergyCalculator:
        """Refused: raises ``RuntimeError``."""
        self._refuse("an energy")

    def minimise(self, atoms: Atoms, *, specorder: list[str], **settings) -> Minimised:
        """Refused: raises ``RuntimeError``."""
        self._refuse("a minimisation")

    def __repr__(self) -> str:
        return f"NamedPotential({self._name!r})"
