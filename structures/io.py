"""Atomic writers for built structures: LAMMPS data files and JSON info files.

Each writer puts the content in a temporary file in the destination folder and moves it
into place with :func:`os.replace`, so a reader never sees a half-written file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ase import Atoms
from ase.io import write

from workflow.atomic_io import atomic_path

__all__ = ["write_info_json", "write_lammps_data"]


def write_lammps_data(path: str | os.PathLike, atoms: Atoms, specorder: list[str]) -> Path:
    """Write ``atoms`` as a LAMMPS data file (metal units, atom_style atomic, with masses).

    Parameters
    ----------
    path
        Destination file.
    atoms
        Structure with an orthorhombic cell (Å); the mass of each type is the mass of
        the first atom of that element (amu), so per-atom mass overrides are kept.
    specorder
        Element of each LAMMPS atom type, in type order (type ``i + 1`` is
        ``specorder[i]``); it may list elements absent from ``atoms``.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    missing = sorted(set(atoms.get_chemical_symbols()) - set(specorder))
    if missing:
        raise ValueError(f"specorder {list(specorder)} lacks the elements {missing} of the atoms")
    clean = Atoms(atoms.symbols, positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc,
                  masses=atoms.get_masses())
    with atomic_path(path) as tmp:
        write(tmp, clean, format="lammps-data", specorder=list(specorder), masses=True,
              units="metal", atom_style="atomic")
    return Path(path)


def write_info_json(path: str | os.PathLike, info: dict) -> Path:
    """Write a JSON-serialisable ``info`` dict (sorted keys, indented) atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    return Path(path)
