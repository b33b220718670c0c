"""Harmonic lattice dynamics with phonopy, the forces coming from the project's LAMMPS.

phonopy (Togo & Tanaka, Scr. Mater. 108, 1, 2015; Togo, J. Phys. Soc. Jpn. 92, 012001,
2023; BSD-3) does the lattice dynamics; LAMMPS only evaluates forces:

1. the relaxed conventional cell of :func:`engine.material_properties.bulk_crystal`
   becomes a :class:`phonopy.structure.atoms.PhonopyAtoms`, with an n×n×n supercell of
   it, n = ceil(``min_supercell_A`` / a) (:func:`supercell_repeat`);
2. phonopy finds the space group and generates the symmetry-irreducible displacements
   (one for diamond and fcc: the site symmetry maps +u onto −u, so the force
   constants are effectively central differences);
3. every displaced supercell is evaluated by
   :class:`engine.material_properties.LammpsCrystal` (the instance of
   :func:`engine.runtime.new_lammps` with the registry's pair commands and files, as in
   the MD; no ASE calculator);
4. phonopy fits the force constants from the forces with the site symmetry, then
   imposes the translational (acoustic) sum rule Σ_J Φ_iJ = 0 and the index
   permutation symmetry Φ_{iα,Jβ} = Φ_{Jβ,iα} (``symmetrize_force_constants``);
5. from the :class:`phonopy.Phonopy` object: the force constants in the layout of
   :class:`analysis.phonons.ForceConstants` (:func:`to_force_constants`, which the
   mismatch models use), the phonon DOS by the linear tetrahedron method
   (:func:`tetrahedron_dos`; Lehmann & Taut, Phys. Status Solidi B 54, 469, 1972), group
   velocities ∂ω/∂q from the analytic derivative of the dynamical matrix
   (:func:`group_velocities`) and the frequencies at Γ (:func:`gamma_frequencies_THz`).

Inside: Å, eV, amu (LAMMPS ``metal``, phonopy's default units, frequencies in THz,
group velocities in THz·Å).  Outputs: SI with the unit in the name (``omega_rad_s``,
``v_m_s``, ``dos_s_m3`` per unit volume and per rad/s), except the ``_THz`` ones
(ordinary frequency ν, not ω).

The phonopy object is built once per crystal; its space-group search of the supercell
is the slowest step (seconds for ~500 atoms), the forces take milliseconds.
"""

from __future__ import annotations

import math

import numpy as np
from ase import Atoms
from phonopy import Phonopy
from phonopy.structure.atoms import PhonopyAtoms
from scipy import constants

from analysis.phonons import ForceConstants
from engine.material_properties import BulkCrystal, LammpsCrystal

__all__ = [
    "PRIMITIVE_CENTRING",
    "force_constants",
    "gamma_frequencies_THz",
    "group_velocities",
    "lammps_phonopy",
    "phonopy_atoms",
    "supercell_repeat",
    "tetrahedron_dos",
    "to_force_constants",
]

#: Centring of the conventional cubic cell of each lattice (phonopy's ``primitive_matrix``
#: letter): phonopy's mesh, DOS and group velocities use the primitive cell.
PRIMITIVE_CENTRING = {"fcc": "F", "diamond": "F", "bcc": "I"}
#: Angular frequency of 1 THz (rad/s).
RAD_S_PER_THZ = 2 * math.pi * 1e12
#: Velocity of 1 THz·Å (m/s); phonopy's group velocity is dω/dk in these units.
M_S_PER_THZ_A = 1e12 * constants.angstrom


def supercell_repeat(lattice_constant_A: float, min_supercell_A: float) -> int:
    """Conventional cells per supercell edge: n = ceil(min_supercell_A / a), at least 1."""
    return max(1, math.ceil(min_supercell_A / lattice_constant_A - 1e-9))


def phonopy_atoms(atoms: Atoms) -> PhonopyAtoms:
    """The cell, positions (Å), symbols and masses (amu) of ``atoms`` for phonopy."""
    return PhonopyAtoms(symbols=atoms.get_chemical_symbols(), cell=np.array(atoms.cell),
                        positions=atoms.get_positions(), masses=atoms.get_masses())


def _as_ase(cell: PhonopyAtoms) -> Atoms:
    """A periodic ASE copy of a phonopy structure (for :class:`LammpsCrystal`)."""
    return Atoms(symbols=cell.symbols, cell=cell.cell, positions=cell.positions,
                 masses=cell.masses, pbc=True)


def lammps_phonopy(crystal: BulkCrystal, *, displacement_A: float = 0.01,
                   min_supercell_A: float = 15.0, primitive: bool = True) -> Phonopy:
    """A :class:`phonopy.Phonopy` with symmetrised force constants from LAMMPS forces.

    Parameters
    ----------
    crystal
        Relaxed crystal (:func:`engine.material_properties.bulk_crystal`); its
        conventional cell is phonopy's unit cell.
    displacement_A
        Displacement amplitude (Å).
    min_supercell_A
        Least supercell edge (Å): n×n×n conventional cells with n from
        :func:`supercell_repeat`.  The force constants reach at most half the edge (the
        shortest-image rule), so take about twice the cut-off or more.
    primitive
        Use the primitive cell (:data:`PRIMITIVE_CENTRING`) for phonopy's mesh, DOS and
        group velocities; False keeps the conventional cell.  The force constants are
        the same either way.

    Returns
    -------
    phonopy.Phonopy
        With ``force_constants`` (full, supercell × supercell × 3 × 3, eV/Å²) that obey
        the translational sum rule and the index permutation symmetry.
    """
    unit = phonopy_atoms(crystal.cell())
    n = supercell_repeat(crystal.lattice_constant_A, min_supercell_A)
    centring = PRIMITIVE_CENTRING.get(crystal.lattice, "P") if primitive else "P"
    phonon = Phonopy(unit, supercell_matrix=np.diag([n, n, n]), primitive_matrix=centring)
    phonon.generate_displacements(distance=displacement_A)
    displaced = phonon.supercells_with_displacements
    with LammpsCrystal(_as_ase(phonon.supercell), potential=crystal.potential,
                       specorder=list(crystal.specorder)) as box:
        residual = box.forces_eV_A(phonon.supercell.positions)
        forces = [box.forces_eV_A(cell.positions) for cell in displaced]
    # the relaxed lattice has zero forces by symmetry; subtracting the residual removes
    # the round-off of the reference structure from each displaced one
    phonon.forces = np.array(forces) - residual[None]
    phonon.produce_force_constants(show_drift=False)
    phonon.symmetrize_force_constants(show_drift=False)
    return phonon


def to_force_constants(phonon: Phonopy) -> ForceConstants:
    """Phonopy's force constants in the layout of :class:`analysis.phonons.ForceConstants`.

    The basis is phonopy's unit cell (the conventional cell), the rows Φ[i, α, J, β] are
    those of the unit-cell atoms in the supercell (``u2s_map``), and the supercell atoms
    are reordered so that the unit-cell atoms come first.  phonopy has already imposed
    the sum rule and the permutation symmetry, so ForceConstants leaves Φ as it is
    (``impose_symmetry=False``).
    """
    fc = phonon.force_constants
    if fc is None:
        raise ValueError("the phonopy object has no force constants")
    supercell, unit = phonon.supercell, phonon.unitcell
    if fc.shape[0] != len(supercell):
        raise ValueError("compact force constants: produce them with the full layout")
    rows = np.asarray(supercell.u2s_map, dtype=int)
    order = np.concatenate([rows, np.setdiff1d(np.arange(len(supercell)), rows)])
    phi = np.transpose(fc[rows][:, order], (0, 2, 1, 3))  # (nb, α, J, β)
    return ForceConstants(unit_cell_A=np.array(unit.cell), basis_A=np.array(unit.positions),
                          masses_amu=np.array(unit.masses), supercell_A=np.array(supercell.cell),
                          supercell_positions_A=np.array(supercell.positions)[order],
                          phi_eV_A2=phi, impose_symmetry=False)


def force_constants(crystal: BulkCrystal, *, displacement_A: float = 0.01,
                    min_supercell_A: float = 15.0) -> ForceConstants:
    """Harmonic force constants of the conventional cell from phonopy and LAMMPS forces.

    :func:`lammps_phonopy` then :func:`to_force_constants`; the parameters are those of
    :func:`lammps_phonopy`.
    """
    return to_force_constants(lammps_phonopy(crystal, displacement_A=displacement_A,
                                             min_supercell_A=min_supercell_A))


def _reduced(phonon: Phonopy, q_inv_A: np.ndarray) -> np.ndarray:
    """Cartesian wave vectors k (rad/Å, with the 2π) in phonopy's reduced coordinates."""
    return np.atleast_2d(np.asarray(q_inv_A, dtype=float)) @ np.array(phonon.primitive.cell).T \
        / (2 * math.pi)


def group_velocities(phonon: Phonopy, q_inv_A) -> tuple[np.ndarray, np.ndarray]:
    """Angular frequencies and group velocities at Cartesian wave vectors.

    Parameters
    ----------
    phonon
        With force constants (:func:`lammps_phonopy`).
    q_inv_A : (nq, 3) float
        Wave vectors k (rad/Å, e^{ik·r}), as in :mod:`analysis.phonons`.

    Returns
    -------
    omega_rad_s : (nq, nbands) float
        ω (rad/s), ascending; an unstable mode is negative.
    v_m_s : (nq, nbands, 3) float
        Group velocity vectors ∂ω/∂k (m/s): phonopy's analytic derivative of D(q),
        diagonalised inside degenerate subspaces, zero for ν < 1e-4 THz.
    """
    result = phonon.run_qpoints(_reduced(phonon, q_inv_A), with_group_velocities=True)
    return (np.asarray(result.frequencies) * RAD_S_PER_THZ,
            np.asarray(result.group_velocities) * M_S_PER_THZ_A)


def gamma_frequencies_THz(phonon: Phonopy) -> np.ndarray:
    """Frequencies ν at Γ (THz, ascending; 3 acoustic ≈ 0, then the optical modes)."""
    return np.asarray(phonon.run_qpoints([[0.0, 0.0, 0.0]]).frequencies[0])


def tetrahedron_dos(phonon: Phonopy, mesh: int | tuple[int, int, int] = 24, *,
                    n_points: int = 400) -> dict:
    """Phonon DOS per unit volume by the linear tetrahedron method.

    Parameters
    ----------
    phonon
        With force constants.
    mesh
        Γ-centred q-mesh per reciprocal axis of phonopy's primitive cell (reduced by
        the point group).
    n_points
        Frequency points from 0 to just above the highest mode.

    Returns
    -------
    dict
        ``omega_rad_s`` (n_points,), ``dos_s_m3`` D(ω) per unit volume and per rad/s
        (∫ D dω = 3 n_cell / V_cell), ``modes_per_cell`` (trapezoid integral of the DOS
        × primitive volume; 3 × atoms per primitive cell up to the quadrature),
        ``atoms_per_cell`` and ``volume_m3`` of phonopy's primitive cell, and
        ``omega_max_rad_s`` (highest mode on the mesh).
    """
    n = tuple(int(v) for v in np.broadcast_to(np.asarray(mesh, dtype=int), (3,)))
    result = phonon.run_mesh(n, is_gamma_center=True)
    top = float(np.max(result.frequencies))
    pitch = 1.01 * top / (n_points - 1)
    dos = phonon.run_total_dos(use_tetrahedron_method=True, freq_min=0.0,
                               freq_max=pitch * (n_points - 1), freq_pitch=pitch)
    nu = np.asarray(dos.frequency_points, dtype=float)
    per_thz = np.asarray(dos.dos, dtype=float)  # states per THz per primitive cell
    volume_m3 = float(phonon.primitive.volume) * constants.angstrom**3
    dos_s_m3 = per_thz / (RAD_S_PER_THZ * volume_m3)
    omega = nu * RAD_S_PER_THZ
    return {"omega_rad_s": omega, "dos_s_m3": dos_s_m3,
            "modes_per_cell": float(np.trapezoid(dos_s_m3, omega) * volume_m3),
            "atoms_per_cell": len(phonon.primitive), "volume_m3": volume_m3,
            "omega_max_rad_s": top * RAD_S_PER_THZ}
