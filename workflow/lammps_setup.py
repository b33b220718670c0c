"""LAMMPS commands shared by the drivers: read a structure and define its interactions."""

from __future__ import annotations

from pathlib import Path

from potentials import get_potential, pair_commands

__all__ = ["balance_along_z", "load_structure"]


def load_structure(lmp, *, data_file: str | Path | None = None, restart_file: str | Path | None = None,
                   potential: str, specorder: list[str], boundary: str = "p p f") -> None:
    """Start a metal-units LAMMPS system from a data or restart file and set its potential.

    Parameters
    ----------
    lmp
        A ``lammps.lammps`` instance (fresh).
    data_file, restart_file
        Exactly one: a LAMMPS data file (atom_style atomic, types ordered as ``specorder``)
        or a binary restart file written by a previous run.
    potential
        Registry name (see ``potentials/registry.yaml``).
    specorder
        Element of each LAMMPS atom type, type 1 first.
    boundary
        LAMMPS boundary string; NEMD stacks are periodic laterally and fixed along z.
    """
    if (data_file is None) == (restart_file is None):
        raise ValueError("give exactly one of data_file or restart_file")
    lmp.commands_string("units metal\natom_style atomic\natom_modify map array\n")
    if data_file is not None:
        lmp.command(f"boundary {boundary}")
        lmp.command(f"read_data {data_file}")
    else:
        lmp.command(f"read_restart {restart_file}")
    for command in pair_commands(get_potential(potential), list(specorder)):
        lmp.command(command)
    lmp.command("neighbor 1.0 bin")
    lmp.command("neigh_modify every 1 delay 0 check yes")


def balance_along_z(lmp, potential: str) -> bool:
    """Balance the MPI sub-domains along z by neighbour count (no-op on one rank).

    An interface stack is split into slabs along its long axis, and its two sides differ in
    density and potential cost (Cu has about 1.7 times the neighbours of Si within the
    same cutoff), so equal slabs leave one rank waiting for the other.  The cuts are moved
    until the ranks carry equal weight, a rank's weight growing with its neighbour count
    (``balance ... weight neigh <factor>``, the factor from the potential's registry entry:
    many-body potentials cost more than linearly in the neighbours).  The weights depend
    on positions only, never on measured times, so a rerun with the same seeds and rank
    count is still reproduced exactly.  Call it after the potential is set (it runs
    ``run 0`` to build the neighbour list).

    Returns True when the sub-domains were balanced.
    """
    if int(lmp.extract_setting("world_size")) < 2:
        return False
    factor = get_potential(potential).balance_neigh_factor
    lmp.command("run 0 post no")
    lmp.command(f"balance 1.0 shift z 20 1.01 weight neigh {factor:g}")
    return True
