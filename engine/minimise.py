"""Energy minimisation of a periodic orthorhombic structure with LAMMPS.

A small helper for static (0 K) relaxations, e.g. of bicrystals: conjugate-gradient
minimisation of all positions, optionally letting the box length along z relax to zero
normal stress (``fix box/relax z 0.0``) so that an interface can expand or contract.
LAMMPS is created by :func:`engine.runtime.new_lammps` and its interactions by
:func:`potentials.pair_commands`, like every other LAMMPS instance of the project.
Units: Å, eV (LAMMPS ``metal``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from ase import Atoms

from engine.energy import as_potential
from engine.runtime import new_lammps
from potentials import Potential, pair_commands
from structures.energy_model import Minimised
from structures.io import write_lammps_data

__all__ = ["minimise"]


def _minimise_commands(*, relax_z: bool, etol: float, ftol_eV_A: float, max_iterations: int,
                       cycles: int, vmax: float) -> list[str]:
    """LAMMPS commands alternating box relaxation along z and fixed-box minimisation.

    ``fix box/relax`` changes the box during a minimisation whose objective includes
    the box energy; a final minimisation at fixed box removes the residual forces
    (LAMMPS documentation of ``fix box/relax``).
    """
    minimize = f"minimize {etol!r} {ftol_eV_A!r} {max_iterations} {10 * max_iterations}"
    commands = ["min_style cg"]
    for _ in range(cycles if relax_z else 0):
        commands += [f"fix gb_relax all box/relax z 0.0 vmax {vmax!r}", minimize, "unfix gb_relax"]
    commands.append(minimize)
    return commands


def minimise(atoms: Atoms, *, potential: str | Potential, specorder: list[str],
             relax_z: bool = True, etol: float = 1e-10, ftol_eV_A: float = 1e-5,
             max_iterations: int = 5000, cycles: int = 1, vmax: float = 0.01) -> Minimised:
    """Minimise the energy of a fully periodic orthorhombic structure.

    Parameters
    ----------
    atoms
        Orthorhombic, periodic in x, y and z; its per-atom arrays are kept (same order).
    potential
        Registry name of the potential, or a :class:`potentials.Potential`.
    specorder
        Element of each LAMMPS atom type, in type order.
    relax_z
        Also relax the box length along z to zero stress ``p_zz`` (lateral lengths fixed).
    etol, ftol_eV_A, max_iterations
        LAMMPS ``minimize`` tolerances (energy: relative; force: eV/Å) and iteration cap.
    cycles
        Number of (box/relax, fixed-box) rounds when ``relax_z``.
    vmax
        Largest relative change of the z length per iteration of ``fix box/relax``.

    Returns
    -------
    structures.energy_model.Minimised
        The relaxed copy of ``atoms`` (positions wrapped into the new cell) and its
        potential energy (eV).
    """
    if not all(atoms.pbc):
        raise ValueError(f"minimise needs a fully periodic structure, got pbc={atoms.pbc}")
    lmp = new_lammps()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "structure.data"
            write_lammps_data(data, atoms, specorder)
            lmp.commands_list(["units metal", "atom_style atomic",
                               "atom_modify map array sort 0 0.0", "boundary p p p",
                               f"read_data {data}"])
        lmp.commands_list(pair_commands(as_potential(potential), list(specorder)))
        lmp.commands_list(["neighbor 1.0 bin", "neigh_modify every 1 delay 0 check yes",
                           "thermo_style custom step pe pzz lz"])
        lmp.commands_list(_minimise_commands(relax_z=relax_z, etol=etol, ftol_eV_A=ftol_eV_A,
                                             max_iterations=max_iterations, cycles=cycles,
                                             vmax=vmax))
        lmp.command("run 0 post no")
        energy = float(lmp.get_thermo("pe"))
        boxlo, boxhi = lmp.extract_box()[:2]
        positions = np.ctypeslib.as_array(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3)
    finally:
        lmp.close()
    relaxed = atoms.copy()
    relaxed.set_cell(np.diag(np.subtract(boxhi, boxlo)), scale_atoms=False)
    relaxed.positions = positions - np.asarray(boxlo)
    relaxed.wrap()
    return Minimised(relaxed, energy)
