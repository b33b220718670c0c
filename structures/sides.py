"""Which LAMMPS atom types make up each side of an interface.

A LAMMPS type stands for one species on one side: the types of side A come first, in
the order of A's species, then those of side B.  An element present on both sides
(Si in Si/a-SiO2) therefore owns two types, and the pair interactions are set for both
(:func:`potentials.pair_commands`).  A structure record (``info``) names them in
``side_types`` (``{"A": [1], "B": [2, 3]}``); records without it are the two-type
interfaces and bicrystals (type 1 = side A, type 2 = side B).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "DEFAULT_SIDE_TYPES",
    "interface_types",
    "on_side",
    "side_group_command",
    "side_types",
]

#: Types of each side of a record without ``side_types``.
DEFAULT_SIDE_TYPES = {"A": (1,), "B": (2,)}


def interface_types(species_a: Sequence[str], species_b: Sequence[str]
                    ) -> tuple[list[str], dict[str, list[int]]]:
    """The specorder (element of each type, type 1 first) and the types of each side for
    an interface whose side A holds ``species_a`` and side B ``species_b`` (symbols, each
    list without repeats)."""
    for name, species in (("A", species_a), ("B", species_b)):
        if not species or len(set(species)) != len(species):
            raise ValueError(f"side {name}: species must be distinct symbols, got {species}")
    n_a = len(species_a)
    return ([*species_a, *species_b],
            {"A": list(range(1, n_a + 1)), "B": list(range(n_a + 1, n_a + len(species_b) + 1))})


def side_types(info: Mapping) -> dict[str, tuple[int, ...]]:
    """The LAMMPS types (1-based) of sides ``"A"`` and ``"B"`` of a structure record."""
    given = info.get("side_types")
    if not given:
        return dict(DEFAULT_SIDE_TYPES)
    return {side: tuple(int(t) for t in given[side]) for side in ("A", "B")}


def on_side(types: ArrayLike, info: Mapping, side: str) -> np.ndarray:
    """Boolean mask of the atoms (by LAMMPS type) that belong to ``side`` (``"A"``/``"B"``)."""
    return np.isin(np.asarray(types), side_types(info)[side])


def side_group_command(group: str, info: Mapping, side: str) -> str:
    """The LAMMPS command defining ``group`` as every atom of ``side``."""
    return f"group {group} type {' '.join(str(t) for t in side_types(info)[side])}"
