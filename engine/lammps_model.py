"""The LAMMPS energy model handed to the structure builders.

:class:`LammpsModel` implements :class:`structures.energy_model.EnergyModel` with a
registry potential: energies of one structure from :class:`engine.energy.LammpsEnergy`,
minimisation from :func:`engine.minimise.minimise`.  Callers build it here and pass it
down, e.g.::

    model = LammpsModel("meam_jelinek2012")
    atoms, info = build_bonded_interface(side_a=..., side_b=..., model=model, ...)
    bulk = relax_cubic_lattice("Si", "diamond", model=model, specorder=["Si", "Cu"])

Units: Å, eV, amu (LAMMPS ``metal``).
"""

from __future__ import annotations

from ase import Atoms

from engine.energy import LammpsEnergy, as_potential
from engine.minimise import minimise
from potentials import Potential
from structures.energy_model import Minimised

__all__ = ["LammpsModel"]


class LammpsModel:
    """LAMMPS with one registry potential, as an energy model of :mod:`structures`.

    Parameters
    ----------
    potential
        Registry name of the potential (see ``potentials/registry.yaml``), or a
        :class:`potentials.Potential` entry.

    Notes
    -----
    Serial: every calculator or minimisation creates its own LAMMPS instance through
    :func:`engine.runtime.new_lammps` and closes it when done.
    """

    def __init__(self, potential: str | Potential):
        self.potential = as_potential(potential)

    @property
    def name(self) -> str:
        """Registry name of the potential."""
        return self.potential.name

    def calculator(self, atoms: Atoms, *, specorder: list[str]) -> LammpsEnergy:
        """A LAMMPS instance holding ``atoms`` (orthorhombic, Å), for repeated energies (eV).

        ``specorder`` is the element of each LAMMPS atom type, in type order.
        """
        return LammpsEnergy(atoms, potential=self.potential, specorder=specorder)

    def minimise(self, atoms: Atoms, *, specorder: list[str], **settings) -> Minimised:
        """Minimise a fully periodic orthorhombic structure (:func:`engine.minimise.minimise`:
        positions and, by default, the z length; ``settings`` are its tolerances)."""
        return minimise(atoms, potential=self.potential, specorder=specorder, **settings)

    def __repr__(self) -> str:
        return f"LammpsModel({self.potential.name!r})"
