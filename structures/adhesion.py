"""Surface energies, interface energy and work of adhesion of a bonded A/B interface.

All three come from the energy model the builder is handed (the potential of the MD
runs), in the geometry of the short stack of :func:`structures.interface.optimal_separation`:
each side a slab of whole conventional cells (:func:`structures.interface.short_stack_cells`)
with the interface's lateral cell and in-plane strain, in a periodic box with at least
``vacuum_A`` of vacuum above its top plane, so that the slabs have free outer surfaces like
the built interface (z non-periodic).  Per side X = A, B, with N_X atoms and the area A of
the lateral cell:

* e_X (eV/atom): bulk energy of the strained side: the side's slab closed periodically
  along z (its whole cells stack perfectly), positions and the z length relaxed
  (zero normal stress, as the interior of a slab with free surfaces);
* γ_X = (E_X^slab - N_X e_X) / (2 A): surface energy of the (001) face, from the slab
  with two free surfaces (equivalent faces: inversion for fcc and bcc, the 4̄ axis for
  diamond), atoms relaxed;
* γ_AB = (E_AB - N_A e_A - N_B e_B) / A - γ_A - γ_B: interface energy, from the relaxed
  A/B stack, whose two outer free surfaces (the bottom of A, the top of B) are the
  surfaces of the single-side slabs (same thickness);
* W_ad = γ_A + γ_B - γ_AB = (E_A^slab + E_B^slab - E_AB) / A: work of adhesion (Dupré),
  the work per area to separate the interface into two free surfaces.

Energies in eV, areas in Å², γ and W_ad in J/m² (1 eV/Å² = 16.02176634 J/m²).  See
M. W. Finnis, J. Phys.: Condens. Matter 8, 5811 (1996), section 2 (W_ad = σ_A + σ_B - γ_AB).
For a homo-"interface" in the perfect-crystal registry γ_AB = 0 and W_ad = 2 γ_A.
"""

from __future__ import annotations

from typing import NamedTuple

from ase import Atoms

from .energy_model import EnergyModel
from .grain_boundary import EV_PER_A2_IN_J_PER_M2

__all__ = [
    "VACUUM_A",
    "AdhesionReference",
    "adhesion_reference",
    "interface_energy_J_m2",
    "side_bulk",
    "side_slabs",
    "slab_in_vacuum",
    "surface_energy_J_m2",
    "work_of_adhesion_J_m2",
]

#: Vacuum above a slab in its periodic box (Å): more than the cut-off of every registry
#: potential (8.5 Å for lj_argon), so a slab does not see its periodic image along z.
VACUUM_A = 20.0


class AdhesionReference(NamedTuple):
    """Bulk and free-surface energies of both sides of an interface (A first, then B).

    ``area_A2`` (Å²); ``n_atoms`` of each side's slab; ``bulk_energy_eV_per_atom`` e_X;
    ``slab_energy_eV`` E_X^slab (relaxed); ``surface_energy_J_m2`` γ_X.
    """

    area_A2: float
    n_atoms: tuple[int, int]
    bulk_energy_eV_per_atom: tuple[float, float]
    slab_energy_eV: tuple[float, float]
    surface_energy_J_m2: tuple[float, float]

    def as_dict(self) -> dict:
        """JSON-serialisable record (eV, Å², J/m²)."""
        return {"area_A2": self.area_A2, "n_atoms": list(self.n_atoms),
                "bulk_energy_eV_per_atom": list(self.bulk_energy_eV_per_atom),
                "slab_energy_eV": list(self.slab_energy_eV),
                "surface_energy_J_m2": list(self.surface_energy_J_m2)}


def slab_in_vacuum(atoms: Atoms, vacuum_A: float = VACUUM_A) -> Atoms:
    """A copy of ``atoms`` in a fully periodic box with ``vacuum_A`` of vacuum along z.

    The atoms are centred along z (``vacuum_A / 2`` below the lowest, above the highest);
    the lateral cell is kept.  The periodic flags make the structure acceptable to
    :meth:`structures.energy_model.EnergyModel.minimise`; the vacuum keeps the surfaces free.
    """
    slab = atoms.copy()
    z = slab.positions[:, 2]
    cell = slab.cell.copy()
    cell[2, 2] = float(z.max() - z.min()) + vacuum_A
    positions = slab.positions.copy()
    positions[:, 2] += 0.5 * vacuum_A - z.min()
    slab.set_cell(cell, scale_atoms=False)
    slab.positions = positions
    slab.pbc = True
    return slab


def side_slabs(stack: Atoms) -> tuple[Atoms, Atoms]:
    """Side A and side B of a stack (:func:`structures.interface.stack_sides`), each with
    the stack's lateral cell and its lowest plane at z = 0 (non-periodic z)."""
    sides = []
    for label in (0, 1):
        side = stack[stack.arrays["side"] == label]
        positions = side.positions.copy()
        positions[:, 2] -= positions[:, 2].min()
        side.positions = positions
        sides.append(side)
    return sides[0], sides[1]


def side_bulk(slab: Atoms, lattice_constant_A: float, n_z: int) -> Atoms:
    """The side's slab (lowest plane at z = 0) closed periodically along z: ``n_z``
    whole cells of length ``lattice_constant_A`` (Å) stack into the bulk crystal."""
    bulk = slab.copy()
    cell = bulk.cell.copy()
    cell[2, 2] = n_z * float(lattice_constant_A)
    bulk.set_cell(cell, scale_atoms=False)
    bulk.pbc = True
    return bulk


def surface_energy_J_m2(slab_energy_eV: float, n_atoms: int, bulk_energy_eV_per_atom: float,
                        area_A2: float) -> float:
    """γ = (E_slab - N e_bulk) / (2 A) of a slab with two equivalent free surfaces (J/m²)."""
    return float((slab_energy_eV - n_atoms * bulk_energy_eV_per_atom) / (2.0 * area_A2)
                 * EV_PER_A2_IN_J_PER_M2)


def interface_energy_J_m2(energy_eV: float, reference: AdhesionReference) -> float:
    """γ_AB = (E_AB - N_A e_A - N_B e_B) / A - γ_A - γ_B (J/m²) of a relaxed A/B stack
    with free outer surfaces, its sides as thick as the slabs of ``reference``."""
    (n_a, n_b), (e_a, e_b) = reference.n_atoms, reference.bulk_energy_eV_per_atom
    excess = (energy_eV - n_a * e_a - n_b * e_b) / reference.area_A2 * EV_PER_A2_IN_J_PER_M2
    return float(excess - sum(reference.surface_energy_J_m2))


def work_of_adhesion_J_m2(energy_eV: float, reference: AdhesionReference) -> float:
    """W_ad = γ_A + γ_B - γ_AB = (E_A^slab + E_B^slab - E_AB) / A (J/m²)."""
    return float((sum(reference.slab_energy_eV) - energy_eV) / reference.area_A2
                 * EV_PER_A2_IN_J_PER_M2)


def adhesion_reference(stack: Atoms, *, model: EnergyModel, specorder: list[str],
                       lattice_constants_A: tuple[float, float], n_z: tuple[int, int],
                       vacuum_A: float = VACUUM_A,
                       minimise_settings: dict | None = None) -> AdhesionReference:
    """Bulk energies and surface energies of both sides of ``stack`` with ``model``.

    Parameters
    ----------
    stack
        A stack of the two sides (:func:`structures.interface.stack_sides`, any registry
        and separation): its sides give the slabs (same lateral cell and strain).
    model
        Energy model; four minimisations: each side's bulk (positions and, by the
        protocol's default, the z length) and each side's slab in vacuum (positions only:
        ``relax_z=False``, the flag of :func:`engine.minimise.minimise`; a model without
        a box relaxation ignores it).
    specorder
        Element of each atom type, in type order (``[A element, B element]``).
    lattice_constants_A, n_z
        Bulk cubic lattice constants (Å) and conventional cells along z of each side.
    vacuum_A
        Vacuum above each slab (Å).
    minimise_settings
        Further settings (tolerances) for ``model.minimise``.
    """
    settings = dict(minimise_settings or {})
    slabs = side_slabs(stack)
    area = float(stack.cell[0, 0] * stack.cell[1, 1])
    bulk_e, slab_e, gammas = [], [], []
    for slab, a, nz in zip(slabs, lattice_constants_A, n_z, strict=True):
        bulk = model.minimise(side_bulk(slab, a, nz), specorder=specorder, **settings)
        free = model.minimise(slab_in_vacuum(slab, vacuum_A), specorder=specorder,
                              **{**settings, "relax_z": False})
        e_bulk = float(bulk.energy_eV) / len(slab)
        bulk_e.append(e_bulk)
        slab_e.append(float(free.energy_eV))
        gammas.append(surface_energy_J_m2(free.energy_eV, len(slab), e_bulk, area))
    return AdhesionReference(area, (len(slabs[0]), len(slabs[1])), tuple(bulk_e),
                             tuple(slab_e), tuple(gammas))

