"""Writers for built structures: LAMMPS data files and JSON info files.

The writers write straight to the path given.  An entry point that must never leave a
half-written file writes to a temporary path and renames it (``engine.atomic_io.atomic_path``
in :mod:`study.build_structure`); :mod:`structures` itself imports no engine code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.data import atomic_masses, atomic_numbers
from ase.io import write

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
    if "lammps_type" in atoms.arrays:
        return _write_typed_data(Path(path), atoms, list(specorder))
    clean = Atoms(atoms.symbols, positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc,
                  masses=atoms.get_masses())
    write(path, clean, format="lammps-data", specorder=list(specorder), masses=True,
          units="metal", atom_style="atomic")
    return Path(path)


def _write_typed_data(path: Path, atoms: Atoms, specorder: list[str]) -> Path:
    """Data file with explicit per-atom types ``atoms.arrays["lammps_type"]`` (1-based).

    Used when two types share an element (the two grains of a bicrystal: specorder
    ``["Si", "Si"]``), which a symbol-to-type map cannot express.
    """
    types = np.asarray(atoms.arrays["lammps_type"], dtype=int)
    symbols = atoms.get_chemical_symbols()
    if types.min() < 1 or types.max() > len(specorder):
        raise ValueError(f"lammps_type must lie in 1..{len(specorder)}")
    if any(specorder[t - 1] != sym for t, sym in zip(types, symbols, strict=True)):
        raise ValueError("lammps_type disagrees with the atoms' elements and specorder")
    cell = atoms.cell.array
    if np.abs(cell - np.diag(np.diag(cell))).max() > 1e-9:
        raise ValueError("only orthorhombic cells can be written")
    masses = atoms.get_masses()
    type_mass = {t: float(masses[np.argmax(types == t)]) if np.any(types == t)
                 else float(atomic_masses[atomic_numbers[specorder[t - 1]]])
                 for t in range(1, len(specorder) + 1)}
    lx, ly, lz = (float(v) for v in np.diag(cell))
    lines = ["LAMMPS data file (Kapitza, explicit types)", "",
             f"{len(atoms)} atoms", f"{len(specorder)} atom types", "",
             f"0.0 {lx!r} xlo xhi", f"0.0 {ly!r} ylo yhi", f"0.0 {lz!r} zlo zhi", "",
             "Masses", ""]
    lines += [f"{t} {type_mass[t]!r}" for t in sorted(type_mass)]
    lines += ["", "Atoms # atomic", ""]
    lines += [f"{i + 1} {t} {float(x)!r} {float(y)!r} {float(z)!r}"
              for i, (t, (x, y, z)) in enumerate(zip(types, atoms.positions, strict=True))]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_info_json(path: str | os.PathLike, info: dict) -> Path:
    """Write a JSON-serialisable ``info`` dict (sorted keys, indented)."""
    Path(path).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    return Path(path)
