"""Bulk crystals by lattice name or from a structure file, for oriented interface sides.

Named lattices are built with :func:`ase.build.bulk` (primitive cells unless ``cubic``):

========== ======= ================================ ============================
lattice    species parameters (Å)                   primitive cell
========== ======= ================================ ============================
fcc        1       a                                1 atom
bcc        1       a                                1 atom
diamond    1       a                                2 atoms (Si, Ge, C)
zincblende 2       a                                2 atoms (GaAs, SiC-3C)
rocksalt   2       a                                2 atoms (NaCl, MgO)
hcp        1       a, c                             2 atoms (Mg, Ti)
wurtzite   2       a, c, u (internal, c units)      4 atoms (GaN, AlN, ZnO)
========== ======= ================================ ============================

Cubic cells keep ASE's frame (conventional edges along x, y, z); hexagonal cells have
a1 = (a, 0, 0), a2 = (-a/2, a√3/2, 0), c = (0, 0, c).  Every crystal carries two
entries in ``atoms.info`` that :mod:`structures.oriented` reads:

* ``"lattice"``: the lattice name (``"file"`` for a structure file);
* ``"conventional_cell_A"``: the cell (3 x 3 nested lists, rows, Å) in which Miller
  indices are given: ``a I`` for the cubic lattices, the hexagonal cell (a1, a2, c) for
  hcp and wurtzite, the file's own cell for a structure file.

Structure files (CIF, POSCAR, extxyz, ... via :func:`ase.io.read`) must describe a
3-D periodic crystal.  Errors name the configuration field at fault (``lattice``,
``species``, ``a_A``, ``c_A``, ``u``, ``file``) so that a config can be fixed from the
message alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.data import chemical_symbols
from ase.io import read
from ase.symbols import string2symbols

__all__ = [
    "CUBIC_LATTICES",
    "HEXAGONAL_LATTICES",
    "LATTICE_NAMES",
    "SPECIES_PER_LATTICE",
    "bulk_crystal",
    "crystal_from_spec",
    "read_crystal",
    "species_list",
]

#: Number of distinct species each named lattice takes.
SPECIES_PER_LATTICE = {"fcc": 1, "bcc": 1, "hcp": 1, "diamond": 1, "zincblende": 2,
                       "rocksalt": 2, "wurtzite": 2}

#: Lattice names :func:`bulk_crystal` knows.
LATTICE_NAMES = tuple(SPECIES_PER_LATTICE)

#: Lattices with a hexagonal conventional cell (Miller-Bravais indices allowed).
HEXAGONAL_LATTICES = ("hcp", "wurtzite")

#: Lattices with a cubic conventional cell of edge a.
CUBIC_LATTICES = tuple(name for name in LATTICE_NAMES if name not in HEXAGONAL_LATTICES)

#: Keys :func:`crystal_from_spec` accepts.
_SPEC_KEYS = ("lattice", "species", "element", "a_A", "c_A", "u", "file", "format",
              "mass_amu")


def _unknown_lattice(lattice: object) -> ValueError:
    """The error for a lattice name :func:`bulk_crystal` does not know."""
    return ValueError(f"lattice '{lattice}' (field 'lattice') is not known: choose one of "
                      f"{', '.join(LATTICE_NAMES)}, or give a structure file (field 'file')")


def species_list(species: str | Sequence[str], lattice: str) -> list[str]:
    """Chemical symbols of the species of ``lattice``, checked against its species count.

    Parameters
    ----------
    species
        A symbol (``"Cu"``), a formula of distinct symbols (``"GaN"``) or a sequence
        (``["Ga", "N"]``).
    lattice
        A name from :data:`LATTICE_NAMES`.

    Raises
    ------
    ValueError
        For an unknown lattice, an unknown symbol or the wrong number of species.
    """
    if lattice not in SPECIES_PER_LATTICE:
        raise _unknown_lattice(lattice)
    try:
        symbols = (string2symbols(species) if isinstance(species, str)
                   else [str(s) for s in species])
    except ValueError as err:
        raise ValueError(f"species '{species}' (field 'species') is not a chemical formula: "
                         f"{err}") from None
    unknown = [s for s in symbols if s not in chemical_symbols[1:]]
    if unknown:
        raise ValueError(f"species {unknown} (field 'species') are not chemical symbols")
    expected = SPECIES_PER_LATTICE[lattice]
    if len(symbols) != expected:
        raise ValueError(f"lattice '{lattice}' takes {expected} species (field 'species'), "
                         f"got {len(symbols)}: {symbols}")
    return symbols


def _positive(value: float | None, field: str, lattice: str) -> float:
    """``value`` as a positive float, or an error naming ``field``."""
    if value is None:
        raise ValueError(f"lattice '{lattice}' needs {field} (Å)")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{field} must be positive (Å), got {value}")
    return float(value)


def _conventional_cell(lattice: str, a_A: float, c_A: float | None) -> np.ndarray:
    """The cell (rows, Å) in which Miller indices of ``lattice`` are given."""
    if lattice in HEXAGONAL_LATTICES:
        return np.array([[a_A, 0.0, 0.0], [-0.5 * a_A, 0.5 * np.sqrt(3.0) * a_A, 0.0],
                         [0.0, 0.0, c_A]])
    return a_A * np.eye(3)


def _set_masses(atoms: Atoms, mass_amu: Mapping[str, float] | None) -> None:
    """Override the masses (amu) of the species named in ``mass_amu``."""
    if not mass_amu:
        return
    masses = atoms.get_masses()
    for symbol, mass in mass_amu.items():
        if mass <= 0:
            raise ValueError(f"mass_amu['{symbol}'] must be positive (amu), got {mass}")
        masses[np.array(atoms.get_chemical_symbols()) == symbol] = float(mass)
    atoms.set_masses(masses)


def bulk_crystal(lattice: str, species: str | Sequence[str], *, a_A: float,
                 c_A: float | None = None, u: float | None = None, cubic: bool = False,
                 mass_amu: Mapping[str, float] | None = None) -> Atoms:
    """Periodic bulk crystal of a named lattice.

    Parameters
    ----------
    lattice
        One of :data:`LATTICE_NAMES`.
    species
        Symbols, one for fcc, bcc, hcp and diamond, two (cation first, as in ASE:
        ``"GaN"``, ``"NaCl"``) for zincblende, rocksalt and wurtzite.
    a_A
        Lattice constant a (Å): the cubic edge, or the hexagonal in-plane constant.
    c_A
        Hexagonal lattice constant c (Å); required for hcp and wurtzite, refused
        otherwise.
    u
        Wurtzite internal parameter (fraction of c: the cation-anion bond along c is
        ``u c``); default the ideal-tetrahedron value ``1/4 + a²/(3 c²)`` (3/8 at the
        ideal c/a = √(8/3)).  Refused for other lattices.
    cubic
        Return the conventional cubic cell instead of the primitive one (cubic lattices).
    mass_amu
        ``{symbol: mass}`` overriding standard atomic masses (amu), e.g. for LJ labels.

    Returns
    -------
    ase.Atoms
        Periodic in 3-D, with ``info["lattice"]`` and ``info["conventional_cell_A"]``.
    """
    symbols = species_list(species, lattice)
    a_A = _positive(a_A, "a_A", lattice)
    hexagonal = lattice in HEXAGONAL_LATTICES
    if hexagonal:
        c_A = _positive(c_A, "c_A", lattice)
    elif c_A is not None:
        raise ValueError(f"c_A is only used by {HEXAGONAL_LATTICES}, not by '{lattice}'")
    if u is not None and (lattice != "wurtzite" or not 0.0 < u < 0.5):
        raise ValueError(f"u (field 'u') is the wurtzite internal parameter in (0, 0.5); "
                         f"got {u} for lattice '{lattice}'")
    if cubic and hexagonal:
        raise ValueError(f"cubic=True needs a cubic lattice {CUBIC_LATTICES}, not '{lattice}'")
    atoms = bulk("".join(symbols), lattice, a=a_A, c=c_A, u=u, cubic=cubic)
    atoms.info["lattice"] = lattice
    atoms.info["conventional_cell_A"] = _conventional_cell(lattice, a_A, c_A).tolist()
    _set_masses(atoms, mass_amu)
    return atoms


def read_crystal(path: str | Path, *, format: str | None = None,
                 mass_amu: Mapping[str, float] | None = None) -> Atoms:
    """Bulk crystal read from a structure file (first image) with :func:`ase.io.read`.

    Parameters
    ----------
    path
        CIF, POSCAR/CONTCAR, extxyz or any format ASE reads.
    format
        ASE format name; default: guessed from the file name and contents.
    mass_amu
        ``{symbol: mass}`` overriding standard atomic masses (amu).

    Returns
    -------
    ase.Atoms
        ``pbc = True`` and the file's cell; ``info["lattice"] = "file"`` and
        ``info["conventional_cell_A"]`` = that cell (Miller indices refer to it).

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the file cannot be parsed, holds no atoms, or has no 3-D cell.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"structure file '{path}' (field 'file') does not exist")
    try:
        atoms = read(path, index=0, format=format)
    except Exception as err:  # ASE raises many types for malformed files
        raise ValueError(f"structure file '{path}' (field 'file') could not be read as "
                         f"{format or 'a structure file'}: {type(err).__name__}: {err}") from err
    if not isinstance(atoms, Atoms) or len(atoms) == 0:
        raise ValueError(f"structure file '{path}' (field 'file') holds no atoms")
    if atoms.cell.rank != 3 or abs(atoms.cell.volume) < 1e-6:
        raise ValueError(f"structure file '{path}' (field 'file') has no 3-D periodic cell: "
                         "a bulk crystal needs three lattice vectors")
    atoms.pbc = True
    atoms.info["lattice"] = "file"
    atoms.info["conventional_cell_A"] = np.array(atoms.cell).tolist()
    _set_masses(atoms, mass_amu)
    return atoms


def crystal_from_spec(spec: Mapping) -> Atoms:
    """Bulk crystal described by a configuration mapping.

    Parameters
    ----------
    spec
        Either ``{"file": path, "format": None}`` (:func:`read_crystal`) or
        ``{"lattice": name, "species": ..., "a_A": ..., "c_A": ..., "u": ...}``
        (:func:`bulk_crystal`; ``"element"`` is accepted for ``"species"``).  Both take
        an optional ``"mass_amu"`` mapping ``{symbol: amu}``.

    Raises
    ------
    ValueError
        For unknown keys, both or neither of ``lattice`` and ``file``, and every error
        of :func:`bulk_crystal` and :func:`read_crystal`.
    """
    unknown = sorted(set(spec) - set(_SPEC_KEYS))
    if unknown:
        raise ValueError(f"unknown crystal fields {unknown}: allowed are {list(_SPEC_KEYS)}")
    if ("file" in spec) == ("lattice" in spec):
        raise ValueError("give either 'lattice' (with species, a_A) or 'file', not both/none")
    if "file" in spec:
        return read_crystal(spec["file"], format=spec.get("format"),
                            mass_amu=spec.get("mass_amu"))
    if "species" in spec and "element" in spec:
        raise ValueError("give 'species' or its alias 'element', not both")
    species = spec.get("species", spec.get("element"))
    if species is None:
        raise ValueError(f"lattice '{spec['lattice']}' needs 'species' (chemical symbols)")
    if spec["lattice"] not in SPECIES_PER_LATTICE:
        raise _unknown_lattice(spec["lattice"])
    return bulk_crystal(spec["lattice"], species, a_A=spec.get("a_A"), c_A=spec.get("c_A"),
                        u=spec.get("u"), mass_amu=spec.get("mass_amu"))
