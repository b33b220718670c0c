"""Bonded (001)/(001) interfaces of two cubic crystals, stacked along z for NEMD.

Geometry of a built interface (all lengths in Å):

* side A fills ``0 <= z <= z_top_A`` with ``n_z_a`` whole conventional cells, side B
  sits above it with ``n_z_b`` cells; its first atomic plane is ``separation_A`` above
  the last plane of A; transport runs along z = [001];
* x and y are periodic with a square lateral cell from :func:`find_coincidence`: each
  side is strained in-plane to the mean lateral length; the z spacing of each side
  keeps its bulk lattice constant (no Poisson contraction; MD relaxes it along the
  free z direction);
* the lateral repeat unit of both sides is the conventional cell (x along [100]) or,
  for fcc and diamond, the (001) surface cell rotated by 45° about z (x along [110],
  :func:`structures.crystals.rotated_cell`), whichever the coincidence chose;
* the cell is orthorhombic, ``atoms.pbc = (True, True, False)``, and its z length is
  the top atom's z plus ``Z_MARGIN_A`` (so the box closes just above the last plane);
* ``atoms.arrays["side"]`` is 0 for side A and 1 for side B;
* the first atom of B sits straight above the origin, unless the builder is asked to
  search the in-plane registry (``registry_search``, :mod:`structures.registry`): then
  B is translated in-plane to the lowest-energy registry found, and the record holds the
  surface energies, interface energy and work of adhesion (:mod:`structures.adhesion`).
"""

from __future__ import annotations

import math

import numpy as np
from ase import Atoms
from ase.build import stack
from scipy.optimize import minimize_scalar

from .bulk import relax_cubic_lattice
from .checks import check_interface, min_interatomic_distance
from .coincidence import Coincidence, cross_section_warnings, find_coincidence
from .crystals import ROTATED_45_LATTICES, interplanar_spacing_001, lateral_cell
from .energy_model import EnergyModel

__all__ = [
    "SHORT_SIDE_THICKNESS_A",
    "Z_MARGIN_A",
    "build_bonded_interface",
    "cells_along_z",
    "gap_grid",
    "interface_info",
    "optimal_separation",
    "rigid_gap_minimum",
    "short_stack_cells",
    "stack_sides",
]

#: Empty space between the top atomic plane and the top of the cell (Å).
Z_MARGIN_A = 1.0

#: Least thickness of each side in the short stack used to choose the separation (Å);
#: at least twice the cut-off of the registry potentials, so the outer free surfaces
#: do not feel the interface.
SHORT_SIDE_THICKNESS_A = 10.0

#: Number of gaps in the coarse separation scan before the bounded refinement.
_N_GAP_SCAN = 25


def cells_along_z(length_A: float, lattice_constant_A: float) -> int:
    """Whole conventional cells closest to ``length_A`` (at least one)."""
    return max(1, round(length_A / lattice_constant_A))


def short_stack_cells(lattice_constants_A: tuple[float, float]) -> tuple[int, int]:
    """Conventional cells of each side in the short stack of :func:`optimal_separation`
    (and of the registry search, :mod:`structures.registry`): at least 2 and at least
    ``SHORT_SIDE_THICKNESS_A`` thick."""
    n_a, n_b = (max(2, math.ceil(SHORT_SIDE_THICKNESS_A / a)) for a in lattice_constants_A)
    return n_a, n_b


def _side_slab(side: dict, a_A: float, n_lateral: int, n_z: int, label: int,
               rotated_45: bool = False) -> Atoms:
    """Unstrained slab of one side: ``n_lateral`` x ``n_lateral`` x ``n_z`` repeat units
    (conventional cells, or 45°-rotated (001) cells when ``rotated_45``)."""
    cell = lateral_cell(side["element"], side["lattice"], lattice_constant_A=a_A,
                        mass_amu=side.get("mass_amu"), rotated_45=rotated_45)
    slab = cell.repeat((n_lateral, n_lateral, n_z))
    slab.set_array("side", np.full(len(slab), label, dtype=int))
    return slab


def stack_sides(side_a: dict, side_b: dict, *, lattice_constants_A: tuple[float, float],
                match: Coincidence, n_z: tuple[int, int], separation_A: float,
                translation_A: tuple[float, float] | None = None) -> Atoms:
    """Stack side B on side A with the lateral cell of ``match`` and a given gap.

    Parameters
    ----------
    side_a, side_b
        ``dict(element=..., lattice="fcc"|"bcc"|"diamond", mass_amu=None)``.
    lattice_constants_A
        Bulk cubic lattice constants ``(a_A, a_B)`` (Å).
    match
        Lateral coincidence (repeats, repeat unit and common length).
    n_z
        Conventional cells of each side along z.
    separation_A
        Distance between the last atomic plane of A and the first of B (Å).
    translation_A
        In-plane rigid translation ``(t_x, t_y)`` of side B (Å), wrapped into the lateral
        cell; None (default) stacks the first atom of B straight above the origin (the
        registry of every build without a registry search).

    Returns
    -------
    ase.Atoms
        Orthorhombic, ``pbc = (True, True, False)``, with the ``"side"`` array.
    """
    slabs = [_side_slab(side, a, n, nz, label, match.rotated_45) for side, a, n, nz, label in
             zip((side_a, side_b), lattice_constants_A, (match.n_a, match.n_b), n_z, (0, 1),
                 strict=True)]
    cell_a = slabs[0].cell.copy()
    cell_a[2, 2] = slabs[0].positions[:, 2].max() + separation_A
    slabs[0].set_cell(cell_a, scale_atoms=False)
    atoms = stack(slabs[0], slabs[1], axis=2, fix=0.5, maxstrain=None)
    cell = atoms.cell.copy()
    cell[2, 2] = atoms.positions[:, 2].max() + Z_MARGIN_A
    atoms.set_cell(cell, scale_atoms=False)
    atoms.pbc = (True, True, False)
    if translation_A is not None:
        _translate_side_b(atoms, translation_A)
    return atoms


def _translate_side_b(atoms: Atoms, translation_A) -> None:
    """Move side B of a stack in-plane by ``translation_A`` (Å), wrapped into the cell."""
    on_b = atoms.arrays["side"] == 1
    lateral = np.array([atoms.cell[0, 0], atoms.cell[1, 1]])
    positions = atoms.positions.copy()
    xy = np.mod(positions[on_b, :2] + np.asarray(translation_A, dtype=float), lateral)
    xy = np.where(xy >= lateral, xy - lateral, xy)  # np.mod(-1e-17, L) rounds to L
    positions[on_b, :2] = xy + 0.0  # no -0.0
    atoms.positions = positions


def optimal_separation(side_a: dict, side_b: dict, *, model: EnergyModel,
                       lattice_constants_A: tuple[float, float],
                       match: Coincidence,
                       translation_A: tuple[float, float] | None = None) -> float:
    """Interface separation (Å) minimising the energy of a short rigid stack.

    Each side of the short stack is ``max(2, ceil(SHORT_SIDE_THICKNESS_A / a))`` cells
    thick (:func:`short_stack_cells`); z is non-periodic and the lateral registry is
    fixed: side B translated in-plane by ``translation_A`` (Å; None = no translation,
    :func:`stack_sides`).  The total energy (eV, from ``model``, atom types
    ``[A element, B element]``) is scanned over gaps from half the smaller to 2.5 times
    the larger bulk (001) plane spacing, and Brent's bounded method refines the best gap
    between its neighbours.

    Raises
    ------
    ValueError
        When the minimum lies at an end of the scanned range (no binding).
    """
    n_z = short_stack_cells(lattice_constants_A)
    spacings = [interplanar_spacing_001(s["lattice"], a)
                for s, a in zip((side_a, side_b), lattice_constants_A, strict=True)]
    grid = gap_grid(spacings)
    short = stack_sides(side_a, side_b, lattice_constants_A=lattice_constants_A, match=match,
                        n_z=n_z, separation_A=grid[0], translation_A=translation_A)
    return rigid_gap_minimum(short, model=model, specorder=[side_a["element"], side_b["element"]],
                             grid=grid)


def gap_grid(spacings_A) -> np.ndarray:
    """Gaps (Å) of the coarse separation scan: from half the smaller to 2.5 times the
    larger plane spacing of the two sides."""
    return np.linspace(0.5 * min(spacings_A), 2.5 * max(spacings_A), _N_GAP_SCAN)


def rigid_gap_minimum(stack: Atoms, *, model: EnergyModel, specorder: list[str],
                      grid: np.ndarray) -> float:
    """Gap (Å) of least energy of a rigid stack (side B moved along z, ``arrays["side"]``),
    built at the gap ``grid[0]``: the best point of ``grid``, refined by Brent's bounded
    method between its neighbours.

    Raises
    ------
    ValueError
        When the minimum lies at an end of the scan (no binding): give separation_A.
    """
    on_b = stack.arrays["side"] == 1
    with model.calculator(stack, specorder=specorder) as calc:
        def energy(gap: float) -> float:
            positions = stack.positions.copy()
            positions[on_b, 2] += gap - grid[0]
            return calc.energy(positions)

        best = int(np.argmin([energy(gap) for gap in grid]))
        if best in (0, len(grid) - 1):
            raise ValueError(f"interface energy has no minimum for gaps {grid[0]:.2f}-"
                             f"{grid[-1]:.2f} Å: give separation_A explicitly")
        result = minimize_scalar(energy, bounds=(grid[best - 1], grid[best + 1]),
                                 method="bounded", options={"xatol": 1e-4})
    return float(result.x)


def _lattice_constants(side_a: dict, side_b: dict, model: EnergyModel,
                       given: dict[str, float] | None) -> tuple[float, float]:
    """Lattice constants of both sides (Å): ``given[element]`` or relaxed with ``model``."""
    specorder = [side_a["element"], side_b["element"]]
    values = []
    for side in (side_a, side_b):
        if given and side["element"] in given:
            values.append(float(given[side["element"]]))
        else:
            values.append(relax_cubic_lattice(side["element"], side["lattice"],
                                              model=model,
                                              specorder=specorder).lattice_constant_A)
    return values[0], values[1]


def _validate_sides(side_a: dict, side_b: dict) -> None:
    """Clear errors for malformed side specifications."""
    for name, side in (("side_a", side_a), ("side_b", side_b)):
        unknown = set(side) - {"element", "lattice", "mass_amu"}
        if unknown or "element" not in side or "lattice" not in side:
            raise ValueError(f"{name} needs keys element, lattice (and optional mass_amu); "
                             f"got {sorted(side)}")
    if side_a["element"] == side_b["element"]:
        raise ValueError(f"side_a and side_b must have distinct elements (LAMMPS types are per "
                         f"element); both are '{side_a['element']}': use labels such as Ar/Kr")


def build_bonded_interface(*, side_a: dict, side_b: dict, model: EnergyModel,
                           length_a_A: float, length_b_A: float, max_lateral_A: float,
                           max_strain: float,
                           lattice_constants: dict[str, float] | None = None,
                           separation_A: float | None = None,
                           min_lateral_A: float = 0.0,
                           allow_rotated: bool = True,
                           registry_search: dict | None = None) -> tuple[Atoms, dict]:
    """Build and check a bonded A/B interface for NEMD along z.

    Parameters
    ----------
    side_a, side_b
        ``dict(element=..., lattice="fcc"|"bcc"|"diamond", mass_amu=None)``; A is at
        low z.  Elements must differ (they are LAMMPS types); ``mass_amu`` overrides
        the element's mass (amu), e.g. for Lennard-Jones labels.
    model
        Energy model (:class:`structures.energy_model.EnergyModel`) for the lattice
        constants and the separation not given, e.g.
        :class:`engine.lammps_model.LammpsModel` of a registry potential;
        :class:`structures.energy_model.NamedPotential` when both are given.  Its
        ``name`` is recorded as ``info["potential"]``.
    length_a_A, length_b_A
        Target thickness of each side along z (Å); rounded to whole cells.
    max_lateral_A
        Largest lateral cell length (Å).
    max_strain
        Largest in-plane strain of either side (dimensionless).
    lattice_constants
        ``{element: a}`` in Å; elements not listed are relaxed with ``model``.
    separation_A
        Gap between the last A plane and the first B plane (Å); default: the gap that
        minimises the energy of a short rigid stack (:func:`optimal_separation`).
    min_lateral_A
        Smallest lateral cell length (Å) the coincidence search may return.
    allow_rotated
        Let the search also use the 45°-rotated (001) cells (lateral period a/√2) when
        both sides are fcc or diamond.
    registry_search
        None (default): side B's first atom sits straight above the origin.  A dict of
        :func:`structures.registry.registry_search_record` settings (``grid``,
        ``refine``, ``keep``, ``cell``, ``confirm``): search the in-plane translation of
        side B, each candidate with its own separation and relaxed by ``model``, confirm
        the best on this structure's thickness, and build at the lowest-energy one (with
        its separation unless ``separation_A`` is given); ``info["registry"]`` then
        records the candidates and ``info`` the surface energies, interface energy and
        work of adhesion (:mod:`structures.adhesion`, J/m²).

    Returns
    -------
    atoms : ase.Atoms
        The interface, with the per-atom ``"side"`` array (0 = A, 1 = B).
    info : dict
        JSON-serialisable description (lengths in Å, areas in Å², strains
        dimensionless); see :func:`interface_info`.
    """
    _validate_sides(side_a, side_b)
    constants = _lattice_constants(side_a, side_b, model, lattice_constants)
    rotatable = all(s["lattice"] in ROTATED_45_LATTICES for s in (side_a, side_b))
    match = find_coincidence(*constants, max_lateral_A=max_lateral_A, max_strain=max_strain,
                             min_lateral_A=min_lateral_A,
                             allow_rotated=allow_rotated and rotatable)
    n_z = (cells_along_z(length_a_A, constants[0]), cells_along_z(length_b_A, constants[1]))
    method = "given" if separation_A is not None else "energy_minimised"
    translation_A, registry = None, None
    if registry_search is not None:
        from .registry import registry_search_record

        translation_A, searched_separation_A, registry = registry_search_record(
            side_a, side_b, model=model, lattice_constants_A=constants, match=match,
            n_z=n_z, **registry_search)
        if separation_A is None:
            separation_A = searched_separation_A
    if separation_A is None:
        separation_A = optimal_separation(side_a, side_b, model=model,
                                          lattice_constants_A=constants, match=match)
    atoms = stack_sides(side_a, side_b, lattice_constants_A=constants, match=match, n_z=n_z,
                        separation_A=separation_A, translation_A=translation_A)
    info = interface_info(atoms, side_a=side_a, side_b=side_b, potential=model.name,
                          lattice_constants_A=constants, match=match, n_z=n_z,
                          separation_A=separation_A)
    info["separation_method"] = method
    if registry is not None:
        info.update(registry)
    check_interface(atoms, info)
    return atoms, info


def interface_info(atoms: Atoms, *, side_a: dict, side_b: dict, potential: str,
                   lattice_constants_A: tuple[float, float], match: Coincidence,
                   n_z: tuple[int, int], separation_A: float) -> dict:
    """JSON-serialisable facts about a built interface (Å, Å², amu, dimensionless).

    ``potential`` is the registry name of the potential, recorded as is.

    Besides counts, ranges and strains: ``rotated_45`` and ``lateral_cell`` (the repeat
    unit, ``"conventional"`` or ``"rotated_45"``), ``x_direction``/``y_direction`` (the
    crystal directions along x and y, same for both sides) and ``warnings``
    (:func:`structures.coincidence.cross_section_warnings`: a cross-section below the
    recommended size), a list that downstream records can copy.
    """
    on_b = atoms.arrays["side"] == 1
    z = atoms.positions[:, 2]
    top_a, bottom_b = float(z[~on_b].max()), float(z[on_b].min())
    info = {
        "potential": potential,
        "specorder": [side_a["element"], side_b["element"]],
        "lateral_A": float(atoms.cell[0, 0]),
        "area_A2": float(atoms.cell[0, 0] * atoms.cell[1, 1]),
        "cell_A": [float(v) for v in atoms.cell.lengths()],
        "z_margin_A": Z_MARGIN_A,
        "separation_A": float(separation_A),
        "z_interface_A": 0.5 * (top_a + bottom_b),
        "mismatch": match.mismatch,
        "rotated_45": bool(match.rotated_45),
        "lateral_cell": match.cell,
        "x_direction": [1, 1, 0] if match.rotated_45 else [1, 0, 0],
        "y_direction": [-1, 1, 0] if match.rotated_45 else [0, 1, 0],
        "n_atoms": len(atoms),
        "min_distance_A": min_interatomic_distance(atoms),
    }
    for suffix, side, a, n_lat, nz, strain, mask in (
            ("a", side_a, lattice_constants_A[0], match.n_a, n_z[0], match.strain_a, ~on_b),
            ("b", side_b, lattice_constants_A[1], match.n_b, n_z[1], match.strain_b, on_b)):
        info.update({
            f"element_{suffix}": side["element"],
            f"lattice_{suffix}": side["lattice"],
            f"mass_{suffix}_amu": float(atoms.get_masses()[mask][0]),
            f"lattice_constant_{suffix}_A": float(a),
            f"n_lateral_{suffix}": int(n_lat),
            f"n_z_{suffix}": int(nz),
            f"strain_{suffix}": float(strain),
            f"z_range_{suffix}_A": [float(z[mask].min()), float(z[mask].max())],
            f"n_atoms_{suffix}": int(mask.sum()),
        })
    info["warnings"] = cross_section_warnings(info["lateral_A"], lattice_constants_A,
                                              strains=(match.strain_a, match.strain_b))
    return info
