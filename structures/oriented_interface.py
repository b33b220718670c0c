"""Bonded interfaces of any two crystals, each cut along its own (h k l), stacked along z.

The general builder behind the ``plane``/``species``/``file`` fields of a side (the
single-element cubic [001] builder, :mod:`structures.interface`, stays the default's).

Construction (lengths in Å):

1. each side's relaxed bulk crystal is oriented with its plane normal along +z
   (:func:`structures.oriented.oriented_cell`, rotated about z by ``rotation_deg``) and
   made orthogonal (c along z: one stacking period of ``n_layers`` lattice planes);
2. the two surface lattices are matched by the Zur–McGill search of
   :mod:`structures.lattice_match` within an area and strain budget; only common cells
   whose two vectors are perpendicular are used, because the MD box is orthorhombic (LAMMPS
   ``fix ave/chunk`` bins and the project's data files assume it): a hexagonal net is
   matched through its rectangular 1 x √3 supercells;
3. each side's supercell is strained in-plane onto the common cell (the misfit shared
   equally, the Biot strain tensor of each side recorded) and repeated along z to the
   whole stacking periods closest to the requested thickness; z spacings keep their bulk
   values (MD relaxes z);
4. side B sits ``separation_A`` above the top plane of A (default: the gap minimising the
   energy of a short rigid stack, as :func:`structures.interface.optimal_separation`).

Atoms carry ``arrays["side"]`` (0 = A, 1 = B) and ``arrays["lammps_type"]``: one LAMMPS
type per species per side (:func:`structures.sides.interface_types`), so one element may
sit on both sides.  The facing planes are those the oriented cells start and end with;
the record names their species (``termination_a``/``termination_b``) - a polar surface's
other termination is a different interface.  No in-plane registry search is done here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from ase import Atoms
from ase.build import make_supercell

from .checks import check_min_distance, min_interatomic_distance
from .coincidence import cross_section_warnings
from .energy_model import EnergyModel
from .interface import SHORT_SIDE_THICKNESS_A, Z_MARGIN_A, gap_grid, rigid_gap_minimum
from .lattice_match import LatticeMatch, LatticeMatchError, match_lattices
from .oriented import OrientedCell, _integer_direction, oriented_cell
from .sides import interface_types

__all__ = [
    "PLANE_TOLERANCE_A",
    "best_separation",
    "build_oriented_interface",
    "crystal_side_slab",
    "oriented_side",
    "rectangular_match",
    "side_slab",
    "species_of",
    "stack_crystal_and_amorphous",
    "uniform_plane_spacing",
]

#: Atoms closer than this along z belong to one atomic plane (Å).
PLANE_TOLERANCE_A = 0.05

#: Close-contact threshold as a fraction of the smaller bulk nearest-neighbour distance.
MIN_DISTANCE_FRACTION = 0.6

def species_of(crystal: Atoms) -> list[str]:
    """Distinct chemical symbols of ``crystal`` in order of first appearance."""
    return list(dict.fromkeys(crystal.get_chemical_symbols()))


def oriented_side(crystal: Atoms, plane: Sequence[int], rotation_deg: float = 0.0) -> OrientedCell:
    """The orthogonal oriented cell of a side (plane normal along +z, c along z)."""
    return oriented_cell(crystal, plane, rotation_deg=rotation_deg, orthogonal=True)


def _is_rectangular(cell: np.ndarray, tol: float = 1e-9) -> bool:
    u, v = np.asarray(cell, dtype=float)
    return abs(float(u @ v)) <= tol * float(np.linalg.norm(u) * np.linalg.norm(v))


def rectangular_match(side_a: OrientedCell, side_b: OrientedCell, *, max_area_A2: float,
                      max_strain: float) -> LatticeMatch:
    """The smallest common cell with perpendicular vectors (then the smallest strain).

    Raises
    ------
    LatticeMatchError
        Naming ``max_area_A2`` and ``max_strain`` when no rectangular common cell meets
        the budget.
    """
    matches = match_lattices(side_a.surface_lattice_A, side_b.surface_lattice_A,
                             max_area_A2=max_area_A2, max_strain=max_strain,
                             atoms_per_cell=(len(side_a.atoms), len(side_b.atoms)))
    rectangular = [m for m in matches if _is_rectangular(m.cell_A)]
    if not rectangular:
        raise LatticeMatchError(
            f"no rectangular common cell of the two surface lattices with area <= "
            f"max_area_A2 = {max_area_A2} Å² and strain <= max_strain = {max_strain} "
            f"({len(matches)} oblique matches exist; the MD box must be orthorhombic): "
            "increase max_area_A2 (a hexagonal net needs its 1 x √3 rectangle) or max_strain"
            + _rotation_hint(side_a, side_b, max_area_A2, max_strain))
    return rectangular[0]


def _rotation_hint(side_a: OrientedCell, side_b: OrientedCell, max_area_A2: float,
                   max_strain: float) -> str:
    """Rotations of side B (degrees) at which a rectangular match would exist, as advice:
    the sides are aligned by their first reduced in-plane vectors, which for two
    descriptions of a cell (a structure file's conventional cell against a primitive
    one) may differ by a symmetry angle such as 45°."""
    found = match_lattices(side_a.surface_lattice_A, side_b.surface_lattice_A,
                           max_area_A2=max_area_A2, max_strain=max_strain,
                           rotations_deg=np.arange(0.5, 180.0, 0.5))
    angles = sorted({round(m.rotation_deg, 1) for m in found if _is_rectangular(m.cell_A)})
    if not angles:
        return ""
    return (f"; or rotate side B about the normal: rectangular matches exist at "
            f"rotation_deg = {', '.join(f'{a:g}' for a in angles[:4])} (relative to side A)")


def _lab_to_box(cell: np.ndarray) -> np.ndarray:
    """In-plane rotation (2 x 2, acting on row vectors as ``r @ R``) taking the first
    vector of ``cell`` onto +x; the second vector then lies along ±y."""
    angle = math.atan2(cell[0, 1], cell[0, 0])
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def _box_cell(match: LatticeMatch, supercells, min_lateral_A: float):
    """The rectangular common cell in the box frame (first vector along +x, right-handed),
    repeated along x and y to at least ``min_lateral_A`` (Å) per edge, with each side's
    supercell matrix to match.  The matrices are in the basis of each side's lattice in the
    lab frame: the map from a natural supercell onto the cell includes the rotation.

    Returns ``(cell, supercells, repeats)``: cell ``diag(Lx, Ly)`` (Å), integer 2 x 2
    matrices, repeats along x and y."""
    cell = match.cell_A @ _lab_to_box(match.cell_A)
    matrices = [np.array(m) for m in supercells]
    if cell[1, 1] < 0:  # left-handed after the rotation: use -v
        cell[1] *= -1
        for m in matrices:
            m[1] *= -1
    repeats = np.array([max(1, math.ceil(min_lateral_A / abs(cell[i, i]) - 1e-9))
                        for i in (0, 1)])
    cell = np.diag(repeats * np.diag(cell))  # rectangular: zero off-diagonals exactly
    return cell, [repeats[:, None] * m for m in matrices], repeats


def side_slab(side: OrientedCell, supercell: np.ndarray, common_cell_A: np.ndarray,
              n_periods: int) -> Atoms:
    """One side strained onto the common cell: an orthorhombic slab, lowest plane at z = 0.

    Parameters
    ----------
    side
        Orthogonal oriented cell (c along z).
    supercell
        2 x 2 integers: the common cell's vectors in the basis of ``side``'s surface
        lattice (:attr:`structures.lattice_match.LatticeMatch.supercell_a` or ``_b``).
    common_cell_A
        The common cell in the box frame: ``[[Lx, 0], [0, Ly]]`` (Å).
    n_periods
        Stacking periods along z.
    """
    m = np.asarray(supercell, dtype=int)
    matrix = np.array([[m[0, 0], m[0, 1], 0], [m[1, 0], m[1, 1], 0], [0, 0, int(n_periods)]])
    slab = make_supercell(side.atoms, matrix, wrap=True)
    natural = m @ side.surface_lattice_A
    positions = slab.positions.copy()
    positions[:, :2] = positions[:, :2] @ np.linalg.solve(natural, common_cell_A)
    positions[:, 2] -= _lowest_plane(positions[:, 2], float(slab.cell[2, 2]))
    cell = np.diag([common_cell_A[0, 0], common_cell_A[1, 1], slab.cell[2, 2]])
    out = Atoms(slab.symbols, positions=positions, cell=cell, pbc=True,
                masses=slab.get_masses())
    out.wrap()
    return out


def _lowest_plane(z: np.ndarray, period: float) -> float:
    """z of the plane that starts the stacking period: the one after the largest gap
    between consecutive planes (wrapping across the period), so that a slab never
    starts inside a bilayer of close planes."""
    planes = _plane_positions(np.mod(z, period))
    gaps = np.diff(np.append(planes, planes[0] + period))
    return float(planes[(int(np.argmax(gaps)) + 1) % len(planes)])


def _plane_positions(z: np.ndarray) -> np.ndarray:
    """Mean z of each cluster of atoms closer than PLANE_TOLERANCE_A along z (sorted)."""
    order = np.sort(z)
    breaks = np.flatnonzero(np.diff(order) > PLANE_TOLERANCE_A) + 1
    return np.array([chunk.mean() for chunk in np.split(order, breaks)])


def uniform_plane_spacing(side: OrientedCell) -> float | None:
    """The spacing (Å) of the atomic planes of an orthogonal oriented cell when they are
    evenly spaced (the NEMD's plane binning applies), else None (bilayers, e.g. diamond
    (111) or wurtzite (0001): bins by width)."""
    period = float(side.atoms.cell[2, 2])
    planes = _plane_positions(np.mod(side.atoms.positions[:, 2], period))
    spacing = period / len(planes)
    gaps = np.diff(np.append(planes, planes[0] + period))
    return float(spacing) if np.allclose(gaps, spacing, atol=1e-3) else None


def _stack(slab_a: Atoms, slab_b: Atoms, separation_A: float) -> Atoms:
    """B above A with the gap ``separation_A`` between facing planes; z closed with the
    margin above the top plane, non-periodic along z."""
    top_a = float(slab_a.positions[:, 2].max())
    b = slab_b.copy()
    b.positions = b.positions + np.array([0.0, 0.0, top_a + separation_A
                                          - float(b.positions[:, 2].min())])
    atoms = slab_a + b
    atoms.set_cell(np.diag([slab_a.cell[0, 0], slab_a.cell[1, 1],
                            float(atoms.positions[:, 2].max()) + Z_MARGIN_A]))
    atoms.pbc = (True, True, False)
    atoms.set_array("side", np.concatenate([np.zeros(len(slab_a), int),
                                            np.ones(len(b), int)]))
    return atoms


def _set_types(atoms: Atoms, species: tuple[list[str], list[str]],
               sides: dict[str, list[int]]) -> None:
    symbols = np.array(atoms.get_chemical_symbols())
    types = np.zeros(len(atoms), dtype=int)
    for label, key, names in ((0, "A", species[0]), (1, "B", species[1])):
        on = atoms.arrays["side"] == label
        for name, t in zip(names, sides[key], strict=True):
            types[on & (symbols == name)] = t
    atoms.arrays["lammps_type"] = types


def _periods(length_A: float, period_A: float) -> int:
    return max(1, round(length_A / period_A))


def best_separation(slab_a: Atoms, slab_b: Atoms, *, model: EnergyModel,
                    specorder: list[str], species: tuple[list[str], list[str]],
                    sides: dict[str, list[int]], spacings_A: tuple[float, float]) -> float:
    """Gap (Å) minimising the energy of the rigid stack of two short slabs.

    Scanned from half the smaller to 2.5 times the larger plane spacing, refined by
    Brent's bounded method between the best scan point's neighbours.

    Raises
    ------
    ValueError
        When the minimum lies at an end of the scan (no binding): give separation_A.
    """
    grid = gap_grid(spacings_A)
    short = _stack(slab_a, slab_b, grid[0])
    _set_types(short, species, sides)
    return rigid_gap_minimum(short, model=model, specorder=specorder, grid=grid)


def _mean_plane_gap(side: OrientedCell) -> float:
    period = float(side.atoms.cell[2, 2])
    return period / len(_plane_positions(np.mod(side.atoms.positions[:, 2], period)))


def build_oriented_interface(crystal_a: Atoms, crystal_b: Atoms, *,
                             plane_a: Sequence[int], plane_b: Sequence[int],
                             model: EnergyModel, length_a_A: float, length_b_A: float,
                             max_area_A2: float, max_strain: float,
                             rotation_a_deg: float = 0.0, rotation_b_deg: float = 0.0,
                             min_lateral_A: float = 0.0,
                             separation_A: float | None = None) -> tuple[Atoms, dict]:
    """Build a bonded A/B interface of two relaxed bulk crystals for NEMD along z.

    Parameters
    ----------
    crystal_a, crystal_b
        Relaxed bulk crystals (:mod:`structures.lattices`, relaxed by the potential of
        the MD, e.g. :func:`engine.crystal_relax.relax_crystal`); A is at low z.
    plane_a, plane_b
        (h k l) or (h k i l) of each side's plane facing the interface.
    model
        Energy model of the potential (:mod:`structures.energy_model`), for the
        separation when not given; its ``name`` is recorded.
    length_a_A, length_b_A
        Target thickness of each side (Å), rounded to whole stacking periods.
    max_area_A2, max_strain
        Budget of the coincidence search: largest area (Å²) of the rectangular
        coincidence cell and largest principal strain of either side (dimensionless).
    rotation_a_deg, rotation_b_deg
        Rotation of each side about the normal before matching (degrees).
    min_lateral_A
        Smallest length (Å) of each lateral box edge: the coincidence cell is repeated
        along x and y until both edges reach it (a near-square cross-section).
    separation_A
        Gap between the facing planes (Å); default :func:`best_separation`.

    Returns
    -------
    atoms : ase.Atoms
        Orthorhombic, ``pbc = (True, True, False)``, with ``arrays["side"]`` and
        ``arrays["lammps_type"]``.
    info : dict
        JSON-serialisable record (Å, Å², amu, dimensionless): ``specorder`` and
        ``side_types`` (the LAMMPS types), the match (``lattice_match``: supercells,
        strain tensors, area), per side ``plane_*``, ``directions_*`` (crystal directions
        along x, y, z), ``strain_*`` (largest principal strain), ``n_periods_*``,
        ``plane_spacing_*_A`` (None without evenly spaced planes) and ``termination_*``.
    """
    oriented = (oriented_side(crystal_a, plane_a, rotation_a_deg),
                oriented_side(crystal_b, plane_b, rotation_b_deg))
    match = rectangular_match(*oriented, max_area_A2=max_area_A2, max_strain=max_strain)
    common, supercells, repeats = _box_cell(match, [match.supercell_a, match.supercell_b],
                                            min_lateral_A)
    # the supercells are in the basis of each side's lattice in the lab frame: the map
    # from the natural supercell onto ``common`` includes the rotation into the box frame
    periods = [_periods(length, float(side.atoms.cell[2, 2]))
               for length, side in zip((length_a_A, length_b_A), oriented, strict=True)]
    slabs = [side_slab(side, m, common, n)
             for side, m, n in zip(oriented, supercells, periods, strict=True)]
    species = (species_of(crystal_a), species_of(crystal_b))
    specorder, sides = interface_types(*species)
    method = "given"
    if separation_A is None:
        short = [side_slab(side, m, common,
                           max(1, math.ceil(SHORT_SIDE_THICKNESS_A / float(side.atoms.cell[2, 2]))))
                 for side, m in zip(oriented, supercells, strict=True)]
        separation_A = best_separation(*short, model=model, specorder=specorder,
                                       species=species, sides=sides,
                                       spacings_A=tuple(_mean_plane_gap(s) for s in oriented))
        method = "energy_minimised"
    atoms = _stack(*slabs, separation_A)
    _set_types(atoms, species, sides)
    nn = min(min_interatomic_distance(c) for c in (crystal_a, crystal_b))
    check_min_distance(atoms, threshold_A=MIN_DISTANCE_FRACTION * nn)
    info = _record(atoms, oriented, match, crystals=(crystal_a, crystal_b), model=model,
                   specorder=specorder, sides=sides, periods=periods,
                   rotations=(rotation_a_deg, rotation_b_deg), separation_A=separation_A,
                   supercells=supercells)
    info["lateral_repeats"] = repeats.tolist()
    info["separation_method"] = method
    return atoms, info


def _facing_species(atoms: Atoms, label: int, top: bool) -> list[str]:
    on = atoms.arrays["side"] == label
    z = atoms.positions[on, 2]
    edge = z.max() if top else z.min()
    near = np.abs(z - edge) < PLANE_TOLERANCE_A
    return sorted({str(s) for s in np.array(atoms.get_chemical_symbols())[on][near]})


def _box_directions(side: OrientedCell, supercell: np.ndarray, rotation_deg: float,
                    conventional: np.ndarray) -> list[list[int] | None]:
    """Crystal directions [uvw] (conventional cell) of the box's x, y (the side's natural
    supercell vectors, before the in-plane strain) and z; None where irrational."""
    angle = math.radians(rotation_deg)
    about_z = np.array([[math.cos(angle), -math.sin(angle), 0.0],
                        [math.sin(angle), math.cos(angle), 0.0], [0.0, 0.0, 1.0]])
    vectors = np.zeros((3, 3))
    vectors[:2, :2] = np.asarray(supercell) @ side.surface_lattice_A
    vectors[2, 2] = 1.0
    out = []
    for v in vectors @ about_z @ side.rotation @ np.linalg.inv(conventional):
        try:
            out.append([int(x) for x in _integer_direction(v)])
        except ValueError:
            out.append(None)
    return out


def _record(atoms: Atoms, oriented, match: LatticeMatch, *, crystals, model, specorder,
            sides, periods, rotations, separation_A, supercells) -> dict:
    on_b = atoms.arrays["side"] == 1
    z = atoms.positions[:, 2]
    top_a, bottom_b = float(z[~on_b].max()), float(z[on_b].min())
    lateral = [float(atoms.cell[0, 0]), float(atoms.cell[1, 1])]
    info = {
        "builder": "oriented",
        "potential": model.name,
        "specorder": specorder,
        "side_types": sides,
        "lateral_A": lateral,
        "area_A2": lateral[0] * lateral[1],
        "cell_A": [float(v) for v in atoms.cell.lengths()],
        "z_margin_A": Z_MARGIN_A,
        "separation_A": float(separation_A),
        "z_interface_A": 0.5 * (top_a + bottom_b),
        "mismatch": float(match.max_abs_strain),
        "lattice_match": match.as_dict(),
        "n_atoms": len(atoms),
        "min_distance_A": min_interatomic_distance(atoms),
        "registry": "not searched (oriented builder)",
    }
    strains = (np.asarray(match.strain_a), np.asarray(match.strain_b))
    for suffix, label, side, crystal, n, rotation, strain, top, supercell in (
            ("a", 0, oriented[0], crystals[0], periods[0], rotations[0], strains[0], True,
             supercells[0]),
            ("b", 1, oriented[1], crystals[1], periods[1], rotations[1], strains[1], False,
             supercells[1])):
        mask = atoms.arrays["side"] == label
        conventional = np.asarray(crystal.info.get("conventional_cell_A", crystal.cell))
        info.update({
            f"element_{suffix}": crystal.get_chemical_formula(mode="reduce"),
            f"species_{suffix}": species_of(crystal),
            f"lattice_{suffix}": crystal.info.get("lattice", "file"),
            f"lattice_constant_{suffix}_A": float(np.linalg.norm(conventional[0])),
            f"conventional_cell_{suffix}_A": conventional.tolist(),
            f"plane_{suffix}": list(side.miller),
            f"rotation_{suffix}_deg": float(rotation),
            f"directions_{suffix}": _box_directions(side, supercell, rotation, conventional),
            f"lattice_planes_per_period_{suffix}": int(side.n_layers),
            f"atomic_planes_per_period_{suffix}": len(_plane_positions(
                np.mod(side.atoms.positions[:, 2], float(side.atoms.cell[2, 2])))),
            f"period_{suffix}_A": float(side.atoms.cell[2, 2]),
            f"n_periods_{suffix}": int(n),
            f"plane_spacing_{suffix}_A": uniform_plane_spacing(side),
            f"strain_{suffix}": float(np.abs(np.linalg.eigvalsh(strain)).max()),
            f"strain_tensor_{suffix}": strain.tolist(),
            f"masses_{suffix}_amu": _masses(atoms, mask),
            f"z_range_{suffix}_A": [float(z[mask].min()), float(z[mask].max())],
            f"n_atoms_{suffix}": int(mask.sum()),
            f"termination_{suffix}": _facing_species(atoms, label, top),
        })
    bulk_a = [info["lattice_constant_a_A"], info["lattice_constant_b_A"]]
    info["warnings"] = cross_section_warnings(lateral, bulk_a,
                                              strains=(info["strain_a"], info["strain_b"]))
    return info


def _masses(atoms: Atoms, mask: np.ndarray) -> dict[str, float]:
    """Mass (amu) of each species of one side."""
    symbols = np.array(atoms.get_chemical_symbols())[mask]
    masses = atoms.get_masses()[mask]
    return {s: float(masses[np.argmax(symbols == s)]) for s in dict.fromkeys(symbols)}


def crystal_side_slab(crystal: Atoms, plane: Sequence[int], *, length_A: float,
                      max_area_A2: float, min_lateral_A: float = 0.0,
                      rotation_deg: float = 0.0) -> tuple[Atoms, dict]:
    """One crystal side on its own rectangular surface cell (no partner to match): the
    side of an interface with an amorphous partner, which takes this lateral cell.

    The smallest rectangular supercell of the plane's net (the net matched with itself,
    no strain) is repeated to at least ``min_lateral_A`` per edge and stacked to the whole
    periods closest to ``length_A`` (Å).  Returns the periodic slab (lowest plane at
    z = 0) and its record (plane, directions, periods, plane spacing, Å).
    """
    side = oriented_side(crystal, plane, rotation_deg)
    match = rectangular_match(side, side, max_area_A2=max_area_A2, max_strain=1e-9)
    common, (supercell,), repeats = _box_cell(match, [match.supercell_a], min_lateral_A)
    periods = _periods(length_A, float(side.atoms.cell[2, 2]))
    slab = side_slab(side, supercell, common, periods)
    conventional = np.asarray(crystal.info.get("conventional_cell_A", crystal.cell))
    record = {
        "element": crystal.get_chemical_formula(mode="reduce"),
        "species": species_of(crystal),
        "lattice": crystal.info.get("lattice", "file"),
        "lattice_constant_A": float(np.linalg.norm(conventional[0])),
        "plane": list(side.miller), "rotation_deg": float(rotation_deg),
        "directions": _box_directions(side, supercell, rotation_deg, conventional),
        "period_A": float(side.atoms.cell[2, 2]), "n_periods": int(periods),
        "atomic_planes_per_period": len(_plane_positions(
            np.mod(side.atoms.positions[:, 2], float(side.atoms.cell[2, 2])))),
        "plane_spacing_A": uniform_plane_spacing(side), "lateral_repeats": repeats.tolist(),
        "supercell": supercell.tolist(), "strain": 0.0,
    }
    return slab, record


def stack_crystal_and_amorphous(crystal_slab: Atoms, block: Atoms, *, crystal_side: str,
                                separation_A: float) -> tuple[Atoms, dict[str, list[int]],
                                                              list[str]]:
    """Stack a crystal slab and an amorphous block of the same lateral cell along z.

    ``crystal_side`` is ``"A"`` (crystal at low z) or ``"B"``; the block's periodic copy
    along z is cut (its atoms keep their z within the block's cell).  Returns the stack
    (``arrays["side"]`` and ``arrays["lammps_type"]`` set), the types of each side and
    the specorder.
    """
    if not np.allclose(np.diag(crystal_slab.cell)[:2], np.diag(block.cell)[:2], atol=1e-6):
        raise ValueError(f"the amorphous block's lateral cell {np.diag(block.cell)[:2]} Å "
                         f"differs from the crystal's {np.diag(crystal_slab.cell)[:2]} Å")
    lower, upper = (crystal_slab, block) if crystal_side == "A" else (block, crystal_slab)
    lower = lower.copy()
    upper = upper.copy()
    for part in (lower, upper):
        part.positions = part.positions - np.array([0, 0, part.positions[:, 2].min()])
    atoms = _stack(lower, upper, separation_A)
    species = (species_of(lower), species_of(upper))
    specorder, sides = interface_types(*species)
    _set_types(atoms, species, sides)
    return atoms, sides, specorder
