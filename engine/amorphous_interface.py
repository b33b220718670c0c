"""Bond an amorphous block to a crystal: anneal the stacked interface in LAMMPS.

A melt-quenched block (:func:`engine.amorphous.melt_quench`) is periodic along z; stacked
on a crystal (:func:`structures.oriented_interface.stack_crystal_and_amorphous`) its
periodic copy is cut, so both of its faces carry broken bonds.  :func:`bond_interface`
lets the face on the crystal rebond: the stack (z non-periodic, shrink-wrapped) is held
at ``bond_K`` with a Langevin thermostat for ``bond_ps``, cooled linearly to
``final_K`` at ``cool_rate_K_ps`` and minimised, with the crystal's outer
``fixed_thickness_A`` frozen so that the crystal keeps its bulk registry far from the
interface.  ``bond_K`` must stay well below the crystal's melting point with the
potential and high enough for the glass's surface atoms to move (for Si/a-SiO2 with
the Munetoh Tersoff potential the default, 1500 K, is below the glass transition of the
potential's silica in short MD but lets surface atoms rearrange within picoseconds;
the record holds the mean-square displacement of the block's atoms so that a user can
see how much they moved).  Every stage is a LAMMPS fix; no Python per step.

The record counts the bonds across the interface (pairs closer than 1.2 times the sum
of the covalent radii, :func:`interface_bonds`), per nm², before and after.

Units: Å, K, ps, fs (in the names).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.data import covalent_radii
from ase.neighborlist import neighbor_list

from engine.energy import as_potential
from engine.lammps_setup import load_structure
from engine.runtime import new_lammps
from potentials import Potential
from structures.io import write_lammps_data

__all__ = ["BOND_CUTOFF_FACTOR", "bond_interface", "interface_bonds"]

#: Pairs closer than this times the sum of their covalent radii count as bonded.
BOND_CUTOFF_FACTOR = 1.2


def interface_bonds(atoms: Atoms) -> dict:
    """Bonds between side A and side B (``arrays["side"]``) per species pair and per nm²."""
    radii = covalent_radii[atoms.numbers] * BOND_CUTOFF_FACTOR
    i, j = neighbor_list("ij", atoms, radii.tolist())
    side = atoms.arrays["side"]
    across = (side[i] == 0) & (side[j] == 1)
    symbols = np.array(atoms.get_chemical_symbols())
    pairs: dict[str, int] = {}
    for a, b in zip(symbols[i[across]], symbols[j[across]], strict=True):
        key = f"{a}(A)-{b}(B)"
        pairs[key] = pairs.get(key, 0) + 1
    area_nm2 = float(atoms.cell[0, 0] * atoms.cell[1, 1]) / 100.0
    total = int(across.sum())
    return {"bonds": total, "per_nm2": total / area_nm2, "pairs": pairs}


def bond_interface(atoms: Atoms, *, potential: str | Potential, specorder: list[str],
                   crystal_side: str, fixed_thickness_A: float, bond_K: float,
                   bond_ps: float, final_K: float, cool_rate_K_ps: float,
                   timestep_fs: float, seed: int, comm=None) -> tuple[Atoms, dict]:
    """Anneal a crystal/amorphous stack so that the amorphous face bonds to the crystal.

    Parameters
    ----------
    atoms
        Orthorhombic stack, ``pbc = (True, True, False)``, with ``arrays["side"]`` and
        ``arrays["lammps_type"]`` (types ordered as ``specorder``).
    crystal_side
        ``"A"`` (crystal at low z: its bottom is frozen) or ``"B"`` (its top is frozen).
    fixed_thickness_A
        Thickness of the crystal's outer end held fixed (Å).
    bond_K, bond_ps
        Anneal temperature (K) and duration (ps).
    final_K, cool_rate_K_ps
        End temperature (K) of the linear cooling and its rate (K/ps).
    timestep_fs, seed
        MD time step (fs) and the seed of velocities and thermostat.

    Returns
    -------
    (ase.Atoms, dict)
        The minimised stack (same atom order and arrays; z shifted back so that its lowest
        atom keeps its z, cell closed above the top atom with the same margin) and the
        record: inputs, steps, mean-square displacement of the mobile atoms (Å²), energies
        and the interface bonds before and after.
    """
    for name, value in (("fixed_thickness_A", fixed_thickness_A), ("bond_K", bond_K),
                        ("bond_ps", bond_ps), ("final_K", final_K),
                        ("cool_rate_K_ps", cool_rate_K_ps), ("timestep_fs", timestep_fs)):
        if not float(value) > 0:
            raise ValueError(f"{name}: must be > 0, got {value!r}")
    if final_K > bond_K:
        raise ValueError(f"final_K: {final_K} K is above bond_K = {bond_K} K: the stack cools")
    if crystal_side not in ("A", "B"):
        raise ValueError(f"crystal_side: 'A' or 'B', got {crystal_side!r}")
    pot = as_potential(potential)
    z = atoms.positions[:, 2]
    label = 0 if crystal_side == "A" else 1
    crystal = atoms.arrays["side"] == label
    frozen = crystal & ((z < z[crystal].min() + fixed_thickness_A) if crystal_side == "A"
                        else (z > z[crystal].max() - fixed_thickness_A))
    margin = float(atoms.cell[2, 2] - z.max())
    dt_ps = timestep_fs * 1e-3
    steps = {"bond": max(1, round(bond_ps / dt_ps)),
             "cool": max(1, round((bond_K - final_K) / cool_rate_K_ps / dt_ps))}
    lmp = new_lammps(comm=comm)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "stack.data"
            write_lammps_data(data, atoms, specorder)
            load_structure(lmp, data_file=data, potential=pot.name, specorder=specorder,
                           boundary="p p s")
        frozen_ids = " ".join(str(k + 1) for k in np.flatnonzero(frozen))
        damping = 100 * dt_ps
        lmp.commands_list([
            "thermo_style custom step temp pe", f"timestep {dt_ps!r}",
            f"group frozen id {frozen_ids}" if frozen_ids else "group frozen empty",
            "group mobile subtract all frozen",
            "run 0 post no"])
        energy_before = float(lmp.get_thermo("pe"))
        lmp.commands_list([
            f"velocity mobile create {bond_K!r} {int(seed)} mom yes rot no dist gaussian",
            "fix bond_hold frozen setforce 0.0 0.0 0.0",
            "fix bond_nve mobile nve",
            (f"fix bond_bath mobile langevin {bond_K!r} {bond_K!r} {damping!r} {int(seed) + 1} "
            "zero yes"),
            "compute bond_msd mobile msd",
            f"run {steps['bond']}"])
        msd = float(lmp.extract_compute("bond_msd", 0, 1)[3])
        lmp.commands_list([
            "unfix bond_bath",
            (f"fix bond_bath mobile langevin {bond_K!r} {final_K!r} {damping!r} {int(seed) + 2} "
            "zero yes"),
            f"run {steps['cool']}", "unfix bond_bath", "unfix bond_nve",
            "velocity all set 0.0 0.0 0.0",
            "minimize 0.0 1.0e-4 5000 50000", "unfix bond_hold"])
        energy_after = float(lmp.get_thermo("pe"))
        n = len(atoms)
        x = np.ctypeslib.as_array(lmp.gather_atoms("x", 1, 3), shape=(3 * n,)).reshape(n, 3)
    finally:
        lmp.close()
    bonded = atoms.copy()
    positions = x.copy()
    positions[:, 2] += z.min() - positions[:, 2].min()
    lateral = np.diag(atoms.cell)[:2]
    positions[:, :2] = np.mod(positions[:, :2], lateral)
    bonded.positions = positions
    bonded.set_cell(np.diag([*lateral, positions[:, 2].max() + margin]))
    record = {"crystal_side": crystal_side, "fixed_thickness_A": float(fixed_thickness_A),
              "n_frozen": int(frozen.sum()), "bond_K": float(bond_K), "bond_ps": float(bond_ps),
              "final_K": float(final_K), "cool_rate_K_ps": float(cool_rate_K_ps),
              "timestep_fs": float(timestep_fs), "seed": int(seed), "steps": steps,
              "msd_mobile_A2": msd, "energy_before_eV": energy_before,
              "energy_after_eV": energy_after, "bonds_before": interface_bonds(atoms),
              "bonds_after": interface_bonds(bonded)}
    return bonded, record
