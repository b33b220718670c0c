"""Coincidence-site-lattice (CSL) bicrystals of cubic crystals and their grain-boundary energy.

Geometry (lengths in Å): z is the boundary normal, x and y lie in the boundary plane and
the cell is orthorhombic and periodic in x, y and z.  Grain 1 fills ``0 <= z < L1``,
grain 2 fills ``L1 + t_z <= z < L1 + L2 + t_z`` and the cell is ``L1 + L2 + 2 t_z``
long, so it holds TWO boundaries (near z = L1 and near z = 0 ≡ L) with the same
opening ``t_z``; ``atoms.arrays["grain"]`` is 1 or 2.  Each grain's thickness is a
whole number of its lattice periods along z, and its first plane sits at its own lattice
origin.  The misorientations and CSL periods ([001] tilt and twist, Σ) come from
:mod:`structures.csl`; Σ = 1 gives two grains of identical orientation: a perfect
crystal cut the same way, the null test of the energy.

The lowest-energy structure is searched over rigid in-plane translations of grain 2 and
over atom-deletion criteria (one atom of every pair closer than a fraction of the
nearest-neighbour distance across a boundary is removed), each candidate being
minimised by the energy model passed in (:mod:`structures.energy_model`; LAMMPS:
:class:`engine.lammps_model.LammpsModel`), as in M. A. Tschopp and D. L. McDowell,
Phil. Mag. 87, 3871 (2007).  Candidates are validated with
:mod:`structures.grain_boundary_checks`.  Energies in eV, γ in J/m².
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list

from .bulk import relax_cubic_lattice
from .checks import min_interatomic_distance
from .crystals import conventional_cell, nearest_neighbour_distance
from .csl import csl_frame, csl_misorientation, fill_box, normalised_plane
from .energy_model import BulkProperties, EnergyModel, Minimised
from .grain_boundary_checks import boundary_planes_A, recovered_misorientation_deg

__all__ = [
    "DEFAULT_OVERLAP_FRACTIONS",
    "EV_PER_A2_IN_J_PER_M2",
    "GB_LATTICES",
    "SearchResult",
    "build_bicrystal",
    "build_grain_boundary",
    "grain_boundary_energy_J_m2",
    "lowest_energy_bicrystal",
    "relax_bicrystal",
    "remove_boundary_overlaps",
]

#: 1 eV/Å² in J/m² (1.602176634e-19 J / 1e-20 m², CODATA 2018 exact e).
EV_PER_A2_IN_J_PER_M2 = 16.02176634

#: Atom-deletion criteria: fractions of the nearest-neighbour distance (Tschopp & McDowell).
DEFAULT_OVERLAP_FRACTIONS = (0.3, 0.5, 0.7, 0.9)

#: Lattices with an fcc Bravais lattice that the builder knows.
GB_LATTICES = ("fcc", "diamond")


def build_bicrystal(element: str, lattice: str, *, lattice_constant_A: float, sigma: int,
                    kind: str, plane, n_periods_z: int, min_lateral_A: float = 0.0,
                    translation_A=(0.0, 0.0, 0.0)) -> Atoms:
    """Periodic orthorhombic bicrystal with two [001] CSL boundaries (not relaxed).

    Parameters
    ----------
    element, lattice
        Element and ``"fcc"`` or ``"diamond"``.
    lattice_constant_A
        Cubic lattice constant (Å).
    sigma, kind, plane
        Boundary, see :func:`csl_misorientation`.
    n_periods_z
        Lattice periods of each grain along z (its thickness).
    min_lateral_A
        The CSL cell is repeated along x and y until each edge is at least this (Å).
    translation_A
        Rigid translation of grain 2 (Å): in-plane ``(t_x, t_y)`` and the extra opening
        ``t_z`` of each boundary (negative: the grains overlap).

    Returns
    -------
    ase.Atoms
        With ``arrays["grain"]`` (1, 2) and the geometry in ``info`` (orientations,
        CSL periods, grain thicknesses, ...).
    """
    if lattice not in GB_LATTICES:
        raise ValueError(f"lattice '{lattice}' is not supported: choose one of {GB_LATTICES}")
    if int(n_periods_z) != n_periods_z or n_periods_z < 1:
        raise ValueError(f"n_periods_z must be a positive integer, got {n_periods_z!r}")
    misorientation = csl_misorientation(sigma, kind, plane)
    orientations, periods = csl_frame(misorientation, kind)
    a = float(lattice_constant_A)
    csl_A = periods[0, :2] * a
    repeats = np.maximum(1, np.ceil(min_lateral_A / csl_A - 1e-9)).astype(int)
    thickness_A = periods[:, 2] * a * n_periods_z
    basis = conventional_cell(element, lattice, lattice_constant_A=a).get_scaled_positions()
    t_x, t_y, t_z = (float(v) for v in translation_A)
    lateral_A = repeats * csl_A
    grains = []
    for label, orientation, length in zip((1, 2), orientations, thickness_A, strict=True):
        sites = fill_box(basis, orientation, a, np.array([*lateral_A, length]))
        expected = lateral_A.prod() * length / (a**3 / len(basis))
        if len(sites) != round(expected) or abs(expected - round(expected)) > 1e-6:
            raise RuntimeError(f"grain {label}: {len(sites)} sites, expected {expected:.6f}")
        grains.append(sites)
    grains[1] = grains[1] + [t_x, t_y, thickness_A[0] + t_z]
    length_z = thickness_A.sum() + 2 * t_z
    if length_z <= 0:
        raise ValueError(f"translation t_z = {t_z} Å closes the cell (grains {thickness_A} Å)")
    atoms = Atoms(element * sum(map(len, grains)), positions=np.vstack(grains),
                  cell=[*lateral_A, length_z], pbc=True)
    atoms.wrap()
    atoms.set_array("grain", np.repeat([1, 2], [len(g) for g in grains]))
    atoms.info.update(
        element=element, lattice=lattice, lattice_constant_A=a, sigma=int(sigma), kind=kind,
        plane=list(normalised_plane(plane)), misorientation_deg=misorientation.angle_deg,
        orientations=[u.tolist() for u in orientations], csl_periods_A=csl_A.tolist(),
        periods_z_A=(periods[:, 2] * a).tolist(), grain_thickness_A=thickness_A.tolist(),
        lateral_repeats=repeats.tolist(), translation_A=[t_x, t_y, t_z])
    return atoms


def remove_boundary_overlaps(atoms: Atoms, *, min_separation_A: float) -> Atoms:
    """Delete one atom (of grain 2) of every cross-boundary pair closer than ``min_separation_A``.

    Pairs are visited from the closest; a pair whose atom was already deleted is
    resolved.  Returns a new :class:`ase.Atoms`; ``info["n_deleted"]`` counts deletions.
    """
    i, j, d = neighbor_list("ijd", atoms, min_separation_A)
    grain = atoms.arrays["grain"]
    cross = (grain[i] == 1) & (grain[j] == 2)
    deleted: set[int] = set()
    for k in np.argsort(d[cross], kind="stable"):
        first, second = int(i[cross][k]), int(j[cross][k])
        if first not in deleted and second not in deleted:
            deleted.add(second)
    kept = atoms[[n for n in range(len(atoms)) if n not in deleted]]
    kept.info["n_deleted"] = len(deleted)
    return kept


def grain_boundary_energy_J_m2(total_energy_eV: float, n_atoms: int, cohesive_energy_eV: float,
                               area_A2: float) -> float:
    """Energy per area of each of the two boundaries of a periodic bicrystal (J/m²).

    γ = (E - N E_bulk) / (2 A) with E_bulk = -cohesive energy (eV/atom), A in Å².
    """
    excess_eV = total_energy_eV + n_atoms * cohesive_energy_eV
    return float(excess_eV / (2.0 * area_A2) * EV_PER_A2_IN_J_PER_M2)


def relax_bicrystal(atoms: Atoms, *, model: EnergyModel,
                    specorder: list[str] | None = None, **settings) -> Minimised:
    """Minimise positions and the z length of a bicrystal with ``model``.

    ``specorder`` defaults to the bicrystal's element; ``settings`` go to
    :meth:`structures.energy_model.EnergyModel.minimise` (for LAMMPS:
    :func:`engine.minimise.minimise`).  Returns the relaxed copy and its energy (eV).
    """
    element = atoms.get_chemical_symbols()[0]
    return model.minimise(atoms, specorder=specorder or [element], **settings)


class SearchResult(NamedTuple):
    """Lowest-energy valid bicrystal of :func:`lowest_energy_bicrystal`."""

    atoms: Atoms
    energy_eV: float
    gb_energy_J_m2: float
    translation_A: tuple[float, float, float]
    overlap_fraction: float
    n_candidates: int
    n_rejected: int


def _geometry_ok(atoms: Atoms, *, min_distance_A: float, misorientation_tol_deg: float) -> bool:
    """True if no close contact and both grains keep the nominal misorientation."""
    try:
        recovered = recovered_misorientation_deg(atoms)
    except ValueError:  # a grain lost its interior (boundaries met)
        return False
    return (abs(recovered - atoms.info["misorientation_deg"]) <= misorientation_tol_deg
            and min_interatomic_distance(atoms) > min_distance_A)


def lowest_energy_bicrystal(element: str, lattice: str, *, model: EnergyModel,
                            bulk: BulkProperties, sigma: int, kind: str, plane,
                            n_periods_z: int, min_lateral_A: float = 0.0,
                            n_translations: tuple[int, int] = (3, 3),
                            openings_A: tuple[float, ...] = (0.0,),
                            overlap_fractions: tuple[float, ...] = DEFAULT_OVERLAP_FRACTIONS,
                            min_distance_fraction: float = 0.8,
                            misorientation_tol_deg: float = 0.5,
                            specorder: list[str] | None = None) -> SearchResult:
    """Relax every (translation, deletion criterion) candidate; keep the lowest valid γ.

    In-plane translations of grain 2 form an ``n_x x n_y`` grid over one CSL period; each
    boundary opening ``t_z`` of ``openings_A`` is tried; each deletion criterion is a
    fraction of the bulk nearest-neighbour distance (:func:`remove_boundary_overlaps`).
    Candidates holding the same atoms are relaxed once (``n_candidates`` relaxations).
    A relaxed candidate that would be the new lowest is rejected (``n_rejected``) when
    two atoms are closer than ``min_distance_fraction`` x d_nn or when the misorientation
    fitted from the grain interiors is off by more than ``misorientation_tol_deg`` (e.g.
    the two boundaries met and one grain grew through the cell).  ``model`` relaxes each
    candidate (:func:`relax_bicrystal`; ``specorder`` defaults to ``[element]``);
    ``bulk`` gives the lattice constant (Å) and the cohesive energy (eV/atom).
    """
    a = bulk.lattice_constant_A
    d_nn = nearest_neighbour_distance(lattice, a)
    geometry = {"lattice_constant_A": a, "sigma": sigma, "kind": kind, "plane": plane,
                "n_periods_z": n_periods_z, "min_lateral_A": min_lateral_A}
    csl_A = build_bicrystal(element, lattice, **geometry).info["csl_periods_A"]
    grid = [np.arange(n) / n * period for n, period in zip(n_translations, csl_A, strict=True)]
    best, seen, rejected = None, set(), 0
    for t_x, t_y, t_z in itertools.product(*grid, openings_A):
        translation = (float(t_x), float(t_y), float(t_z))
        bicrystal = build_bicrystal(element, lattice, **geometry, translation_A=translation)
        area_A2 = float(bicrystal.cell[0, 0] * bicrystal.cell[1, 1])
        for fraction in sorted(overlap_fractions):
            candidate = remove_boundary_overlaps(bicrystal, min_separation_A=fraction * d_nn)
            key = (translation, candidate.positions.round(6).tobytes())
            if key in seen:
                continue
            seen.add(key)
            relaxed = relax_bicrystal(candidate, model=model, specorder=specorder)
            gamma = grain_boundary_energy_J_m2(relaxed.energy_eV, len(candidate),
                                               bulk.cohesive_energy_eV, area_A2)
            if best is not None and gamma >= best.gb_energy_J_m2 - 1e-9:
                continue
            if not _geometry_ok(relaxed.atoms, min_distance_A=min_distance_fraction * d_nn,
                                misorientation_tol_deg=misorientation_tol_deg):
                rejected += 1
                continue
            best = SearchResult(relaxed.atoms, relaxed.energy_eV, gamma, translation, fraction,
                                0, 0)
    if best is None:
        raise ValueError(f"no valid candidate among {len(seen)} relaxed bicrystals: use thicker "
                         f"grains (n_periods_z) or another search grid")
    return best._replace(n_candidates=len(seen), n_rejected=rejected)


def build_grain_boundary(element: str, lattice: str, model: EnergyModel, sigma: int,
                         kind: str, plane, *, min_grain_thickness_A: float = 20.0,
                         min_lateral_A: float = 0.0, n_translations: tuple[int, int] = (3, 3),
                         openings_A: tuple[float, ...] = (0.0,),
                         overlap_fractions: tuple[float, ...] = DEFAULT_OVERLAP_FRACTIONS,
                         bulk: BulkProperties | None = None,
                         min_distance_fraction: float = 0.8,
                         misorientation_tol_deg: float = 0.5) -> tuple[Atoms, dict]:
    """Build, search and relax a periodic [001] CSL bicrystal; return it and its γ.

    Parameters
    ----------
    element, lattice
        Element and ``"fcc"``/``"diamond"``.
    model
        Energy model (:class:`structures.energy_model.EnergyModel`) that relaxes the
        lattice and the candidates, e.g. :class:`engine.lammps_model.LammpsModel` of a
        registry potential; its ``name`` is recorded as ``info["potential"]``.
    sigma, kind, plane
        Boundary, see :func:`csl_misorientation`.
    min_grain_thickness_A
        Each grain is the fewest whole z periods at least this thick (Å).
    min_lateral_A, n_translations, openings_A, overlap_fractions
        Cell size and search, see :func:`lowest_energy_bicrystal`.
    bulk
        Relaxed lattice constant and cohesive energy; default
        :func:`structures.bulk.relax_cubic_lattice` with ``model``.
    min_distance_fraction, misorientation_tol_deg
        Validity of a relaxed candidate: no two atoms closer than this fraction of the
        bulk nearest-neighbour distance, and misorientation fitted from the grain
        interiors within this tolerance (degrees) of the nominal one.

    Returns
    -------
    atoms : ase.Atoms
        Relaxed bicrystal with ``arrays["grain"]``.
    info : dict
        JSON-serialisable facts (Å, Å², eV, J/m², degrees).
    """
    bulk = bulk or relax_cubic_lattice(element, lattice, model=model)
    a = bulk.lattice_constant_A
    periods_z = build_bicrystal(element, lattice, lattice_constant_A=a, sigma=sigma, kind=kind,
                                plane=plane, n_periods_z=1).info["periods_z_A"]
    n_periods_z = max(1, math.ceil(min_grain_thickness_A / min(periods_z) - 1e-9))
    result = lowest_energy_bicrystal(
        element, lattice, model=model, bulk=bulk, sigma=sigma, kind=kind, plane=plane,
        n_periods_z=n_periods_z, min_lateral_A=min_lateral_A, n_translations=n_translations,
        openings_A=openings_A, overlap_fractions=overlap_fractions,
        min_distance_fraction=min_distance_fraction, misorientation_tol_deg=misorientation_tol_deg)
    atoms, grain = result.atoms, result.atoms.arrays["grain"]
    info = {
        "element": element, "lattice": lattice, "potential": model.name,
        "sigma": int(sigma), "kind": kind, "plane": atoms.info["plane"],
        "misorientation_deg": atoms.info["misorientation_deg"],
        "misorientation_relaxed_deg": recovered_misorientation_deg(atoms),
        "lattice_constant_A": a,
        "cell_A": [float(v) for v in atoms.cell.lengths()],
        "area_A2": float(atoms.cell[0, 0] * atoms.cell[1, 1]),
        "csl_periods_A": atoms.info["csl_periods_A"], "n_periods_z": n_periods_z,
        "n_atoms": len(atoms), "n_atoms_grain1": int((grain == 1).sum()),
        "n_atoms_grain2": int((grain == 2).sum()),
        "z_boundaries_A": list(boundary_planes_A(atoms)),
        "gb_energy_J_m2": result.gb_energy_J_m2, "translation_A": list(result.translation_A),
        "overlap_fraction": result.overlap_fraction, "n_candidates": result.n_candidates,
        "n_rejected": result.n_rejected,
        "energy_eV": result.energy_eV, "cohesive_energy_eV": bulk.cohesive_energy_eV,
        "min_distance_A": min_interatomic_distance(atoms),
    }
    return atoms, info
