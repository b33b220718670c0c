"""Elastic phonon transmission of a relaxed interface cell by AGF, force constants from LAMMPS.

Steps (units: Å, eV, amu inside; ω in rad/ps as in :mod:`analysis.agf`):

1. **Atomic planes and principal layers.**  The atoms of the cell are grouped into
   atomic planes along z (a new plane where the sorted z jump by more than
   ``plane_gap_A``).  On each side of ``z_interface_A`` the bulk period in planes is the
   smallest p for which plane k + p repeats the lateral pattern and species of plane k
   (fcc/bcc (001): 2, diamond (001): 4).  The interaction range of a side is the largest
   |Δz| between an atom displaced in its bulk and an atom whose force responds with
   |Φ| > ``fc_tol_rel`` × max|Φ| (a probe of one atom per plane of one period).  A principal
   layer holds the fewest whole periods such that two layers apart never come closer
   than that range: then layers couple only to their nearest neighbours.
2. **Window.**  From the interface outwards, each side gets ``buffer_layers`` device
   layers, then the two lead layers (the one touching the device is the lead's surface
   layer, 1; the outer one, 0).  At least one interaction range of bulk must remain
   between layer 0 and the free surface of the stack, so that the lead layers see a
   bulk environment.  Only the atoms of the window are displaced (cost ∝ window atoms,
   six force evaluations each); all other atoms stay fixed, but their forces are read.
3. **Force constants** by central differences, Φ_{sα,jβ} = ∂²E/∂u_sα∂u_jβ =
   −[F_jβ(u_sα = +h) − F_jβ(u_sα = −h)]/2h (eV/Å²), for every displaced atom s and every
   atom j.  The displaced × displaced part is symmetrised, Φ ← (Φ + Φᵀ)/2 (the relative
   asymmetry before is reported), and the acoustic sum rule Σ_j Φ_sj = 0 is imposed on
   the self block of every displaced atom (the drift before is reported).
4. **Blocks.**  Left lead: D00 = Φ(1, 1), D01 = Φ(0, 1); right lead: D00 = Φ(1', 1'),
   D01 = Φ(1', 0') (1' the right lead's surface layer, 0' the outer one); the outer
   layer's atoms are put in the order of the surface layer by matching each atom to its
   translate by the layer thickness.  Device: every atom between the two surface layers.
   All blocks are mass-normalised, D = Φ/√(m_i m_j) (eV Å⁻² amu⁻¹).  Couplings between
   layers two apart (and between the outer lead layers and the device), which the model
   drops, are checked to stay below ``fc_tol_rel`` (relative).
5. **Lateral k-points.**  A cell periodic in x and y allows, by itself, only Γ of its
   own lateral Brillouin zone (LAMMPS sums every periodic image into Φ).  With
   ``lateral_repeat = (n1, n2)`` the cell is replicated n1 × n2 times in LAMMPS (only the
   atoms of the original cell are displaced) and the real-space blocks D(R) between the
   original cell and its translates R give D(k) = Σ_R D(R) e^{ik·R} on the Γ-centred
   n1 × n2 mesh of the original cell (:func:`analysis.agf.lateral_kmesh`).  This is
   exactly Γ of the n1 × n2 supercell, unfolded: Ξ_supercell = n1 n2 × mean_k Ξ_k, at
   the cost of n1 n2 small AGF problems instead of one large one.
6. **Transmission and conductance.**  Ξ(ω) = mean_k Ξ_k(ω) per original cross-section
   (:func:`analysis.agf.mean_transmission`); Landauer G = (1/A) ∫ Ξ C dω/2π, classical
   and quantum (:mod:`analysis.agf`).  The leads' own ballistic conductances (the number
   of propagating channels, :func:`propagating_channels`) are reported too, with the
   conductance corrected for the contact resistance of the leads,
   1/G_int = 1/G − (1/G_L + 1/G_R)/2, which is the one to compare with an MD
   temperature jump between two equilibrated sides.

Run as ``python -m engine.interface_force_constants --structure relaxed.data --info
relaxed.json --out agf.json`` (writes agf.json and agf.csv, atomically).  Serial.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ase import Atoms

from analysis.agf import (
    RealSpaceInterface,
    classical_conductance_W_m2K,
    lateral_kmesh,
    lead_dispersion_rad_ps,
    mass_normalised,
    mean_transmission,
    omega_to_THz,
    quantum_conductance_W_m2K,
)
from engine.atomic_io import write_csv, write_json
from engine.energy import LammpsHolder
from engine.lammps_setup import load_structure
from engine.runtime import new_lammps, run_entry_point
from structures.bulk_insertion import insert_bulk_periods, inserted_plane_positions
from structures.io import write_lammps_data

__all__ = [
    "InterfaceModel",
    "LammpsForces",
    "atomic_planes",
    "central_difference_force_constants",
    "interface_model",
    "interface_transmission",
    "periods_needed",
    "propagating_channels",
    "symmetrise_force_constants",
]

#: Lateral positions (Å) within which two atoms count as translates of each other.
_MATCH_TOL_A = 0.3
#: Least excess (Å) of the distance between layers two apart over the interaction range.
_GAP_MARGIN_A = 0.05
#: Thresholds of the warnings of :func:`interface_transmission`.
_WARN = {"asymmetry_rel": 1e-4, "lead_nonuniformity_rel": 1e-2, "negative_omega_rel": 1e-3}


# --------------------------------------------------------------------------------------
# LAMMPS: forces of a (laterally replicated) structure
# --------------------------------------------------------------------------------------
class LammpsForces(LammpsHolder):
    """A LAMMPS instance holding a structure read from a data file, for forces.

    Parameters
    ----------
    data_file
        LAMMPS data file (atom_style atomic, orthorhombic, types ordered as ``specorder``).
    potential
        Registry name of the potential.
    specorder
        Element of each LAMMPS atom type, type 1 first.
    lateral_repeat
        (n1, n2): replicate the cell n1 × n2 times in x and y (``replicate n1 n2 1``).
    boundary
        LAMMPS boundary string (``p p f`` for the NEMD stacks, ``p p p`` for a crystal).

    Attributes
    ----------
    positions_A : (n_atoms, 3) float
        Positions of all atoms of the (replicated) cell, by atom ID (Å).
    n_original : int
        Atoms of the original cell; they are the first ``n_original`` of the replica.
    lateral_A : (2,) float
        Lateral lengths of the original cell (Å).
    box_lo_A, box_hi_A : (3,) float
        Corners of the original cell's box (Å).
    image : (n_original, n1, n2) int
        Index of the copy of original atom t translated by (i1 Lx, i2 Ly).
    type_masses_amu : (n_types + 1,) float
        Mass of each type (index 0 unused).
    types : (n_original,) int
        Type of each original atom.

    Notes
    -----
    A context manager; serial (or collective under MPI).
    """

    def __init__(self, data_file: str | Path, *, potential: str, specorder: Sequence[str],
                 lateral_repeat: tuple[int, int] = (1, 1), boundary: str = "p p f"):
        self._lmp = new_lammps()
        load_structure(self._lmp, data_file=data_file, potential=potential,
                       specorder=list(specorder), boundary=boundary)
        if int(self._lmp.extract_setting("triclinic")):
            raise ValueError("only orthorhombic cells are supported")
        lo, hi = (np.asarray(v, dtype=float) for v in self._lmp.extract_box()[:2])
        self.lateral_A = (hi - lo)[:2]
        self.box_lo_A, self.box_hi_A = lo, hi
        self.n_original = int(self._lmp.get_natoms())
        x0 = self._gather("x", 1)
        self.types = self._gather("type", 0).astype(int).ravel()
        n1, n2 = (int(n) for n in lateral_repeat)
        if n1 < 1 or n2 < 1:
            raise ValueError(f"lateral_repeat must be positive, got {lateral_repeat}")
        if n1 * n2 > 1:
            # replicate unwraps atoms by their image flags (a relaxed cell's atoms that
            # crossed a lateral boundary carry them), which would shuffle the copies
            self._lmp.command("set atom * image 0 0 0")
            self._lmp.command(f"replicate {n1} {n2} 1")
        self.natoms = int(self._lmp.get_natoms())
        self.positions_A = self._gather("x", 1)
        self.image = _image_table(x0, self.positions_A, self.lateral_A, (n1, n2))
        self.type_masses_amu = np.array(self._lmp.numpy.extract_atom("mass"), dtype=float)
        self._lmp.command("thermo_style custom step pe")

    def _gather(self, name: str, kind: int) -> np.ndarray:
        count = 3 if name in ("x", "f") else 1
        flat = np.ctypeslib.as_array(self._lmp.gather_atoms(name, kind, count))
        return np.array(flat, dtype=float if kind else int).reshape(-1, count)

    def forces_eV_A(self, positions_A: np.ndarray) -> np.ndarray:
        """Forces (eV/Å, ``(n_atoms, 3)``) on all atoms at ``positions_A`` (Å, by atom ID)."""
        flat = np.ascontiguousarray(positions_A, dtype=float).ravel()
        if flat.size != 3 * self.natoms:
            raise ValueError(f"positions_A has {flat.size // 3} rows, expected {self.natoms}")
        self._lmp.scatter_atoms("x", 1, 3, np.ctypeslib.as_ctypes(flat))
        self._lmp.command("run 0 post no")
        return self._gather("f", 1)


def _image_table(x0: np.ndarray, x: np.ndarray, lateral_A: np.ndarray,
                 repeat: tuple[int, int]) -> np.ndarray:
    """Map (original atom, i1, i2) to the replica's atom index, checked on the positions.

    LAMMPS ``replicate`` keeps the original atoms first and appends each copy as a block
    of the same order; the translation of each copy is read from its positions.
    """
    n, (n1, n2) = len(x0), repeat
    if len(x) != n * n1 * n2:
        raise RuntimeError(f"replicated cell has {len(x)} atoms, expected {n * n1 * n2}")
    image = np.full((n, n1, n2), -1, dtype=int)
    j = np.arange(len(x))
    d = x - x0[j % n]
    shift = np.round(d[:, :2] / lateral_A).astype(int)
    if np.abs(d[:, :2] - shift * lateral_A).max() > 1e-6 or np.abs(d[:, 2]).max() > 1e-6:
        raise RuntimeError("unexpected atom order after LAMMPS replicate")
    image[j % n, shift[:, 0] % n1, shift[:, 1] % n2] = j
    if np.any(image < 0) or np.any(image[:, 0, 0] != np.arange(n)):
        raise RuntimeError("LAMMPS replicate did not produce every lateral copy in order")
    return image


# --------------------------------------------------------------------------------------
# Force constants (pure NumPy)
# --------------------------------------------------------------------------------------
def central_difference_force_constants(forces: Callable[[np.ndarray], np.ndarray],
                                       positions_A: np.ndarray, displaced: Sequence[int], *,
                                       displacement_A: float = 0.01) -> np.ndarray:
    """Force constants of the displaced atoms with every atom, by central differences.

    Parameters
    ----------
    forces
        Forces (eV/Å, ``(n_atoms, 3)``) at given positions (Å).
    positions_A : (n_atoms, 3) float
        Reference positions (Å).
    displaced : (n_disp,) int
        Atoms to displace by ±h along x, y and z, one at a time.
    displacement_A
        h (Å).

    Returns
    -------
    numpy.ndarray, shape (n_disp, n_atoms, 3, 3)
        Φ[p, j, α, β] = ∂²E/∂u_{sα}∂u_{jβ} = −∂F_{jβ}/∂u_{sα} (eV/Å²), s = displaced[p].
    """
    x0 = np.array(positions_A, dtype=float)
    h = float(displacement_A)
    phi = np.empty((len(displaced), len(x0), 3, 3))
    for p, s in enumerate(displaced):
        for alpha in range(3):
            x = x0.copy()
            x[s, alpha] += h
            f_plus = forces(x)
            x[s, alpha] -= 2 * h
            phi[p, :, alpha, :] = -(f_plus - forces(x)) / (2 * h)
    return phi


def symmetrise_force_constants(phi: np.ndarray, displaced: Sequence[int],
                               image: np.ndarray) -> tuple[np.ndarray, dict]:
    """Impose Φ_{s,t+R} = Φ_{t,s−R}ᵀ among displaced atoms and the acoustic sum rule.

    Parameters
    ----------
    phi : (n_disp, n_atoms, 3, 3) float
        From :func:`central_difference_force_constants` (eV/Å²).
    displaced : (n_disp,) int
        Original atoms displaced.
    image : (n_original, n1, n2) int
        Replica index of each original atom and lateral translation
        (:attr:`LammpsForces.image`; shape (n, 1, 1) without replication).

    Returns
    -------
    phi : numpy.ndarray, same shape
        Symmetrised; the self block of every displaced atom set so that Σ_j Φ_sj = 0.
    report : dict
        ``asymmetry_rel`` (max |Φ − Φᵀ| / max |Φ| before), ``sum_rule_drift_rel``
        (max |Σ_j Φ_sj| / max |Φ| before) and ``sum_rule_residual_rel`` (after).
    """
    phi = np.array(phi, dtype=float)
    displaced = np.asarray(displaced, dtype=int)
    n_orig, n1, n2 = image.shape
    origin = np.empty(image.size, dtype=int)
    shift = np.empty((image.size, 2), dtype=int)
    for (t, i1, i2), j in np.ndenumerate(image):
        origin[j], shift[j] = t, (i1, i2)
    slot = np.full(n_orig, -1)
    slot[displaced] = np.arange(len(displaced))
    cols = np.nonzero(slot[origin] >= 0)[0]
    partner_j = image[displaced[:, None], -shift[cols, 0] % n1, -shift[cols, 1] % n2]
    partner = np.swapaxes(phi[slot[origin[cols]][None, :], partner_j], -1, -2)
    scale = np.abs(phi).max() or 1.0
    report = {"asymmetry_rel": float(np.abs(phi[:, cols] - partner).max() / scale),
              "sum_rule_drift_rel": float(np.abs(phi.sum(axis=1)).max() / scale)}
    phi[:, cols] = 0.5 * (phi[:, cols] + partner)
    rows, self_j = np.arange(len(displaced)), image[displaced, 0, 0]
    phi[rows, self_j] -= phi.sum(axis=1)
    phi[rows, self_j] = 0.5 * (phi[rows, self_j] + np.swapaxes(phi[rows, self_j], -1, -2))
    report["sum_rule_residual_rel"] = float(np.abs(phi.sum(axis=1)).max() / scale)
    return phi, report


# --------------------------------------------------------------------------------------
# Planes, periods and principal layers
# --------------------------------------------------------------------------------------
def atomic_planes(z_A: np.ndarray, gap_A: float = 0.5) -> list[np.ndarray]:
    """Atom indices of each atomic plane, by increasing z (a new plane at a gap > ``gap_A``)."""
    order = np.argsort(z_A, kind="stable")
    breaks = np.nonzero(np.diff(np.asarray(z_A)[order]) > gap_A)[0] + 1
    return np.split(order, breaks)


def _lateral_delta(a_A: np.ndarray, b_A: np.ndarray, lateral_A: np.ndarray) -> np.ndarray:
    """Minimal-image lateral difference a − b (Å), broadcasting."""
    d = a_A - b_A
    return d - np.round(d / lateral_A) * lateral_A


def _match(target: np.ndarray, source: np.ndarray, x: np.ndarray, types: np.ndarray,
           lateral_A: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """For each atom of ``target``, the atom of ``source`` at the same lateral position and
    of the same type, and the lattice shift L (integers) with x_target ≈ x_source + L·cell;
    None when no one-to-one match exists."""
    if len(target) != len(source):
        return None
    d = _lateral_delta(x[target, None, :2], x[None, source, :2], lateral_A)
    dist = np.linalg.norm(d, axis=-1)
    best = np.argmin(dist, axis=1)
    if dist[np.arange(len(target)), best].max(initial=0.0) > _MATCH_TOL_A or \
            len(set(best)) != len(best) or np.any(types[target] != types[source[best]]):
        return None
    raw = x[target, :2] - x[source[best], :2]
    return source[best], np.round(raw / lateral_A).astype(int)


def _bulk_period(planes: list[np.ndarray], x: np.ndarray, types: np.ndarray,
                 lateral_A: np.ndarray, max_period: int = 8) -> int:
    """Smallest p for which every plane k + p of ``planes`` repeats plane k laterally."""
    for p in range(1, min(max_period, len(planes) - 1) + 1):
        if all(_match(planes[k + p], planes[k], x, types, lateral_A) is not None
               for k in range(len(planes) - p)):
            return p
    raise ValueError("no lateral period of the atomic planes found in the bulk of a side "
                     "(is the side thick enough, and is plane_gap_A right?)")


@dataclass(frozen=True)
class _SideLayout:
    """Principal layers of one side, ordered from the interface outwards."""

    period_planes: int
    planes_per_layer: int
    layer_thickness_A: float
    range_A: float
    layers: list[list[np.ndarray]] = field(repr=False)  # planes: buffer..., lead 1, lead 0
    surface_margin_A: float = 0.0


def _interaction_range(phi: np.ndarray, probe: Sequence[int], z_all: np.ndarray,
                       tol_rel: float) -> float:
    """Largest |Δz| (Å) between a probed atom and an atom with |Φ| > tol_rel × max |Φ|."""
    size = np.abs(phi).max(axis=(2, 3))  # (n_probe, n_atoms)
    reach = size > tol_rel * size.max()
    return float(max(np.abs(z_all[reach[p]] - z_all[s]).max() for p, s in enumerate(probe)))


def _layer_plan(plane_z_A: np.ndarray, range_A: float, period: int,
                buffer_layers: int) -> tuple[int, float]:
    """Planes per principal layer and the bulk (Å) beyond the outer lead layer of a side.

    ``plane_z_A``: plane positions from the interface outwards.  The fewest whole periods
    per layer such that layers two apart never come closer than ``range_A``; a ValueError
    when the side is too thin for ``buffer_layers`` + 2 such layers and one range of bulk
    beyond them.
    """
    zc = np.asarray(plane_z_A, dtype=float)
    n_layers = buffer_layers + 2
    planes_per_layer = None
    for m in range(1, len(zc) // period + 1):
        n = m * period
        if n_layers * n + 1 > len(zc):
            break
        # layers two apart never come closer than the range: planes k and k + n + 1 of
        # the leads and the buffer layer next to them
        lead = zc[max(0, n_layers - 3) * n:n_layers * n]
        gaps = np.abs(lead[n + 1:] - lead[:-(n + 1)])
        if gaps.size and gaps.min() > range_A + _GAP_MARGIN_A:
            planes_per_layer = n
            break
    if planes_per_layer is None:
        raise ValueError(f"side too thin: {len(zc)} planes cannot hold {n_layers} principal "
                         f"layers thicker than the interaction range {range_A:.2f} A")
    margin = float(abs(zc[-1] - zc[n_layers * planes_per_layer - 1]))
    if margin <= range_A:
        raise ValueError(f"side too thin: {margin:.2f} A of bulk beyond the outer lead layer, "
                         f"need more than the interaction range {range_A:.2f} A; thicken the "
                         f"side, lower buffer_layers or let the AGF insert bulk periods")
    return planes_per_layer, margin


def periods_needed(plane_z_A: np.ndarray, range_A: float, period: int, buffer_layers: int,
                   max_periods: int = 64) -> int:
    """Fewest bulk periods to insert in a side so that its lead layers fit (0: none).

    ``plane_z_A``: plane positions from the interface outwards (Å); the insertion is the
    one of :func:`structures.bulk_insertion.insert_bulk_periods`.
    """
    for n in range(max_periods + 1):
        try:
            _layer_plan(inserted_plane_positions(plane_z_A, period, n), range_A, period,
                        buffer_layers)
        except ValueError:
            continue
        return n
    raise ValueError(f"no principal-layer layout within {max_periods} inserted periods "
                     f"(interaction range {range_A:.2f} A)")


def _side_layout(planes: list[np.ndarray], z: np.ndarray, range_A: float, period: int,
                 buffer_layers: int) -> _SideLayout:
    """Principal layers of a side whose planes run from the interface outwards."""
    zc = np.array([z[p].mean() for p in planes])
    n, margin = _layer_plan(zc, range_A, period, buffer_layers)
    layers = [planes[i * n:(i + 1) * n] for i in range(buffer_layers + 2)]
    return _SideLayout(period, n, float(abs(zc[n] - zc[0])), range_A, layers, margin)


# --------------------------------------------------------------------------------------
# The interface model: real-space blocks from the force constants
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InterfaceModel:
    """Mass-normalised real-space blocks of an interface cell and what they came from.

    Attributes
    ----------
    blocks : RealSpaceInterface
        Left lead | device | right lead (eV Å⁻² amu⁻¹; translations in Å, 2-D).
    lateral_cell_A : (2, 2) float
        Lateral lattice vectors of the original cell (Å).
    lateral_repeat : (int, int)
        k-mesh n1 × n2 (Γ-centred) that the force constants resolve.
    area_A2 : float
        Cross-section of the original cell (Å²).
    report : dict
        Diagnostics: force-constant quality, layers, dropped couplings.
    """

    blocks: RealSpaceInterface
    lateral_cell_A: np.ndarray
    lateral_repeat: tuple[int, int]
    area_A2: float
    report: dict

    def kpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """Lateral wave vectors (rad/Å, (n_k, 2)) and weights the model resolves."""
        return lateral_kmesh(self.lateral_cell_A, *self.lateral_repeat)

    def blocks_per_k(self) -> list:
        """:class:`analysis.agf.InterfaceBlocks` at each k-point of :meth:`kpoints`."""
        return [self.blocks.at_k(k) for k in self.kpoints()[0]]


class _Blocks:
    """Real-space blocks Φ(s + L_s, t + L_t + R) between atom sets, from the displaced
    atoms' force constants, mass-normalised."""

    def __init__(self, phi: np.ndarray, displaced: np.ndarray, image: np.ndarray,
                 masses_amu: np.ndarray, lateral_A: np.ndarray):
        self.phi, self.image, self.masses = phi, image, masses_amu
        self.slot = np.full(image.shape[0], -1)
        self.slot[displaced] = np.arange(len(displaced))
        n1, n2 = image.shape[1:]
        self.shifts = np.array([(i1, i2) for i1 in range(n1) for i2 in range(n2)])
        self.translations_A = self.shifts * lateral_A

    def phi_blocks(self, rows, cols) -> np.ndarray:
        """Φ blocks (n_R, 3n, 3m) (eV/Å²); rows/cols are (atoms, lattice shifts (n, 2))."""
        (s, ls), (t, lt) = rows, cols
        if np.any(self.slot[s] < 0):
            raise ValueError("row atoms must be displaced atoms")
        n1, n2 = self.image.shape[1:]
        out = []
        for r in self.shifts:
            d = r[None, None, :] + lt[None, :, :] - ls[:, None, :]
            j = self.image[t[None, :], d[..., 0] % n1, d[..., 1] % n2]
            block = self.phi[self.slot[s][:, None], j]  # (n, m, 3, 3)
            out.append(np.transpose(block, (0, 2, 1, 3)).reshape(3 * len(s), 3 * len(t)))
        return np.array(out)

    def pair(self, rows, cols) -> tuple[np.ndarray, np.ndarray]:
        """Mass-normalised (blocks, translations) for :func:`analysis.agf.bloch_block`."""
        phi = self.phi_blocks(rows, cols)
        m_r, m_c = self.masses[rows[0]], self.masses[cols[0]]
        return np.array([mass_normalised(b, m_r, m_c) for b in phi]), self.translations_A

    def max_coupling(self, a, b) -> float:
        """max |Φ| between two atom sets (eV/Å²), every lateral translation."""
        if len(a[0]) == 0 or len(b[0]) == 0:
            return 0.0
        return float(np.abs(self.phi_blocks(a, b)).max())


def _atoms(idx) -> tuple[np.ndarray, np.ndarray]:
    """(atoms, zero lattice shifts)."""
    idx = np.asarray(idx, dtype=int)
    return idx, np.zeros((len(idx), 2), dtype=int)


def _outer_in_surface_order(outer: list[np.ndarray], surface: list[np.ndarray], x: np.ndarray,
                            types: np.ndarray, lateral_A: np.ndarray):
    """Atoms of the outer lead layer in the order of the surface layer (plane by plane,
    both listed from the interface outwards), with the lattice shifts that make each one
    the surface atom's translate along z."""
    atoms, shifts = [], []
    for plane_out, plane_surf in zip(outer, surface, strict=True):
        matched = _match(plane_surf, plane_out, x, types, lateral_A)
        if matched is None:
            raise ValueError("the two lead layers of a side are not translates of each other: "
                             "the lead region is not bulk-like (thicken the side)")
        atoms.append(matched[0])
        shifts.append(-matched[1])  # x_outer + (−shift)·cell lies straight below/above
    return np.concatenate(atoms), np.concatenate(shifts)


def _masses(masses, forces: LammpsForces, specorder: Sequence[str]) -> np.ndarray:
    """Per-original-atom masses (amu) from a per-type sequence, an element map or the data."""
    if masses is None:
        per_type = forces.type_masses_amu[1:]
    elif isinstance(masses, Mapping):
        per_type = np.array([float(masses[el]) for el in specorder])
    else:
        per_type = np.asarray(masses, dtype=float)
    if len(per_type) < forces.types.max() or np.any(per_type <= 0):
        raise ValueError(f"need a positive mass for every type, got {per_type}")
    return per_type[forces.types - 1]


def _probe_atoms(planes: list[np.ndarray], period: int) -> list[int]:
    """One atom of each of ``period`` planes in the middle of a side."""
    start = max(0, len(planes) // 2 - period // 2)
    return [int(planes[k][0]) for k in range(start, min(start + period, len(planes)))]


def _sides_outwards(x_A: np.ndarray, z_int_A: float,
                    plane_gap_A: float) -> dict[str, list[np.ndarray]]:
    """Atomic planes of each side, ordered from the interface outwards."""
    planes = atomic_planes(x_A[:, 2], plane_gap_A)
    zc = np.array([x_A[p, 2].mean() for p in planes])
    sides = {"left": [p for p, z in zip(planes, zc, strict=True) if z < z_int_A][::-1],
             "right": [p for p, z in zip(planes, zc, strict=True) if z > z_int_A]}
    for name, side in sides.items():
        if len(side) < 4:
            raise ValueError(f"{name} side has only {len(side)} atomic planes")
    return sides


def _side_bulk(ff: LammpsForces, sides: dict[str, list[np.ndarray]], displacement_A: float,
               fc_tol_rel: float) -> tuple[dict[str, int], dict[str, float], int]:
    """Bulk period (planes) and interaction range (Å) of each side, and the force calls."""
    x, x_all = ff.positions_A[:ff.n_original], ff.positions_A
    periods, reach, n_forces = {}, {}, 0
    for name, side in sides.items():
        middle = side[len(side) // 4: max(len(side) // 4 + 2, 3 * len(side) // 4)]
        periods[name] = _bulk_period(middle, x, ff.types, ff.lateral_A)
        probe = _probe_atoms(side, periods[name])
        phi_probe = central_difference_force_constants(
            ff.forces_eV_A, x_all, probe, displacement_A=displacement_A)
        n_forces += 6 * len(probe)
        reach[name] = _interaction_range(phi_probe, probe, x_all[:, 2], fc_tol_rel)
    return periods, reach, n_forces


def _write_lengthened_stack(path: Path, ff: LammpsForces, sides: dict[str, list[np.ndarray]],
                            periods: dict[str, int], n_periods: dict[str, int],
                            specorder: Sequence[str]) -> float:
    """Write the stack with bulk periods inserted in its sides; returns the z shift (Å) of
    the atoms that stayed in place (the new box starts at 0, with the old vacuum kept)."""
    x = ff.positions_A[:ff.n_original]
    types = ff.types.copy()
    for name in ("left", "right"):
        x, source = insert_bulk_periods(x, sides[name], periods[name], n_periods[name])
        types = np.concatenate([types, types[source]])
    lo, hi = ff.box_lo_A, ff.box_hi_A
    z0 = x[:, 2].min() - (ff.positions_A[:ff.n_original, 2].min() - lo[2])
    z1 = x[:, 2].max() + (hi[2] - ff.positions_A[:ff.n_original, 2].max())
    origin = np.array([lo[0], lo[1], z0])
    atoms = Atoms([specorder[t - 1] for t in types], positions=x - origin,
                  cell=np.diag([*(hi - lo)[:2], z1 - z0]), pbc=[True, True, False])
    atoms.set_masses(ff.type_masses_amu[types])
    atoms.arrays["lammps_type"] = types
    write_lammps_data(path, atoms, list(specorder))
    return float(-z0)


def interface_model(structure_data: str | Path, info: Mapping, potential: str | None = None,
                    specorder: Sequence[str] | None = None, masses=None, *,
                    lateral_repeat: tuple[int, int] = (1, 1), displacement_A: float = 0.01,
                    buffer_layers: int | tuple[int, int] = 1, fc_tol_rel: float = 1e-6,
                    max_dropped_rel: float = 1e-4, plane_gap_A: float = 0.5,
                    insert_bulk: bool = True) -> InterfaceModel:
    """Force constants of an interface cell from LAMMPS and its AGF blocks.

    Parameters
    ----------
    structure_data
        LAMMPS data file of the relaxed interface (z along the stack, side A below
        ``info["z_interface_A"]``, side B above; x, y periodic, z free).
    info
        Structure record (relaxed.json): ``z_interface_A`` and, unless given here,
        ``potential`` and ``specorder``.
    potential, specorder
        Registry potential and element of each type (default: from ``info``).
    masses
        Masses (amu) for the mass normalisation: per type (sequence), per element
        (mapping), or None for the data file's masses.
    lateral_repeat
        (n1, n2): Γ-centred lateral k-mesh of the cell, by replication (module docstring).
    displacement_A
        Finite-difference displacement h (Å).
    buffer_layers
        Principal layers of each side inside the device, between the interface and the
        leads (≥ 1 lets the relaxation near the interface decay before the leads); one
        number for both sides or (left, right).
    fc_tol_rel
        |Φ| / max |Φ| below which a coupling counts as zero (interaction range).
    max_dropped_rel
        Largest |Φ| / max |Φ| allowed among the couplings the layer model drops (layers
        two apart, outer lead layers to the device); above it a ValueError.
    plane_gap_A
        z gap (Å) that separates atomic planes.
    insert_bulk
        When a side is too thin for its lead layers and one interaction range of bulk
        beyond them, insert the fewest copies of its middle bulk period that make room
        (:mod:`structures.bulk_insertion`; recorded in ``report["inserted_bulk"]``);
        False: a ValueError instead.

    Returns
    -------
    InterfaceModel
    """
    potential = potential or info["potential"]
    specorder = list(specorder or info["specorder"])
    z_int = float(info["z_interface_A"])
    buffers = dict(zip(("left", "right"),
                       (int(b) for b in np.broadcast_to(np.asarray(buffer_layers, dtype=int),
                                                        (2,))), strict=True))
    options = {"lateral_repeat": lateral_repeat, "displacement_A": displacement_A,
               "buffer_layers": (buffers["left"], buffers["right"]), "fc_tol_rel": fc_tol_rel,
               "max_dropped_rel": max_dropped_rel, "plane_gap_A": plane_gap_A}
    with LammpsForces(structure_data, potential=potential, specorder=specorder,
                      lateral_repeat=lateral_repeat) as ff:
        n_orig, x_all = ff.n_original, ff.positions_A
        x = x_all[:n_orig]
        sides = _sides_outwards(x, z_int, plane_gap_A)
        periods, reach, n_forces = _side_bulk(ff, sides, displacement_A, fc_tol_rel)
        zc = {name: [x[p, 2].mean() for p in side] for name, side in sides.items()}
        needed = {name: periods_needed(zc[name], reach[name], periods[name], buffers[name])
                  for name in sides} if insert_bulk else {"left": 0, "right": 0}
        if any(needed.values()):
            with tempfile.TemporaryDirectory(prefix="kapitza-agf-") as tmp:
                path = Path(tmp) / "lengthened.data"
                z_new = _write_lengthened_stack(path, ff, sides, periods, needed, specorder)
                model = interface_model(path, {**info, "z_interface_A": z_int + z_new},
                                        potential, specorder, masses, insert_bulk=False,
                                        **options)
            d = {name: float(abs(zc[name][periods[name]] - zc[name][0])) for name in sides}
            model.report["inserted_bulk"] = {
                "periods": needed, "length_A": {k: needed[k] * d[k] for k in sides},
                "note": ("copies of each side's middle bulk period inserted so that the "
                         "lead layers have bulk around them (structures/bulk_insertion.py); "
                         "the interface and its relaxation are the relaxed cell's")}
            return model
        layouts = {name: _side_layout(side, x[:, 2], reach[name], periods[name], buffers[name])
                   for name, side in sides.items()}
        left, right = layouts["left"], layouts["right"]
        lead_l0, lead_l1, lead_r1, lead_r0 = (np.concatenate(lay.layers[i]) for lay, i in
                                              ((left, -1), (left, -2), (right, -2), (right, -1)))
        window = np.concatenate([lead_l0, lead_l1, lead_r1, lead_r0])
        z_lo, z_hi = x[lead_l1, 2].max(), x[lead_r1, 2].min()
        device = np.nonzero((x[:, 2] > z_lo) & (x[:, 2] < z_hi))[0]
        device = device[np.argsort(x[device, 2], kind="stable")]
        displaced = np.concatenate([window, device])
        phi = central_difference_force_constants(ff.forces_eV_A, x_all, displaced,
                                                 displacement_A=displacement_A)
        n_forces += 6 * len(displaced)
        phi, fc_report = symmetrise_force_constants(phi, displaced, ff.image)
        masses_amu = _masses(masses, ff, specorder)
        image, lateral_A, types = ff.image, ff.lateral_A.copy(), ff.types.copy()
    b = _Blocks(phi, displaced, image, masses_amu, lateral_A)
    outer_l = _outer_in_surface_order(left.layers[-1], left.layers[-2], x, types, lateral_A)
    outer_r = _outer_in_surface_order(right.layers[-1], right.layers[-2], x, types, lateral_A)
    l1, r1, dev = _atoms(lead_l1), _atoms(lead_r1), _atoms(device)
    blocks = RealSpaceInterface(
        left_d00=b.pair(l1, l1), left_d01=b.pair(outer_l, l1), left_coupling=b.pair(l1, dev),
        center=b.pair(dev, dev), right_coupling=b.pair(dev, r1), right_d00=b.pair(r1, r1),
        right_d01=b.pair(r1, outer_r))
    scale = float(np.abs(phi).max())
    dropped = max(b.max_coupling(_atoms(lead_l0), dev), b.max_coupling(_atoms(lead_r0), dev),
                  b.max_coupling(_atoms(np.concatenate([lead_l0, lead_l1])),
                                 _atoms(np.concatenate([lead_r1, lead_r0]))))
    if dropped > max_dropped_rel * scale:
        raise ValueError(f"principal layers couple beyond nearest neighbours: |Phi| = "
                         f"{dropped:.3g} eV/A^2 ({dropped / scale:.2g} of the largest)")

    def nonuniform(outer, surface):
        a, c = b.phi_blocks(outer, outer), b.phi_blocks(surface, surface)
        return float(np.abs(a - c).max() / scale)

    report = {
        "force_constants": {"displacement_A": displacement_A, "n_displaced": len(displaced),
                            "n_force_evaluations": n_forces, "n_atoms_in_lammps": len(x_all),
                            **fc_report},
        "layers": {name: {"period_planes": lay.period_planes,
                          "planes_per_layer": lay.planes_per_layer,
                          "atoms_per_layer": sum(len(p) for p in lay.layers[-1]),
                          "layer_thickness_A": lay.layer_thickness_A,
                          "interaction_range_A": lay.range_A,
                          "bulk_beyond_leads_A": lay.surface_margin_A}
                   for name, lay in layouts.items()},
        "buffer_layers": {k: int(v) for k, v in buffers.items()}, "device_atoms": len(device),
        "device_z_range_A": [float(z_lo), float(z_hi)],
        "dropped_coupling_rel": dropped / scale, "fc_tol_rel": fc_tol_rel,
        "lead_nonuniformity_rel": {"left": nonuniform(outer_l, l1),
                                   "right": nonuniform(outer_r, r1)},
        "masses_amu": {"left": sorted({float(m) for m in masses_amu[lead_l1]}),
                       "right": sorted({float(m) for m in masses_amu[lead_r1]})},
    }
    cell = np.diag(lateral_A)
    return InterfaceModel(blocks, cell, tuple(int(n) for n in lateral_repeat),
                          float(lateral_A[0] * lateral_A[1]), report)


# --------------------------------------------------------------------------------------
# Lead channels and the transmission
# --------------------------------------------------------------------------------------
def _crossings(bands_rad_ps: np.ndarray, omega_rad_ps: np.ndarray) -> np.ndarray:
    """Crossings of each ω by sorted bands ω_n(q) sampled on q ∈ [0, π], shape (n_ω,)."""
    above = bands_rad_ps[:, :, None] > np.asarray(omega_rad_ps, dtype=float)[None, None, :]
    return np.sum(above[1:] != above[:-1], axis=(0, 1))


def propagating_channels(d00_eV_A2_amu: np.ndarray, d01_eV_A2_amu: np.ndarray,
                         omega_rad_ps: np.ndarray, *, n_q: int = 801) -> np.ndarray:
    """Right-moving propagating modes of a periodic lead at each ω (its ballistic Ξ).

    The number of crossings of ω by the bands ω_n(q), q ∈ [0, π] (sorted bands are
    continuous; ω_n(q) = ω_n(−q)), which equals the number of q ∈ (−π, π] with
    ω_n(q) = ω and positive group velocity: the transmission of a perfect lead.

    Parameters
    ----------
    d00_eV_A2_amu, d01_eV_A2_amu : (n, n) complex
        Lead blocks at one lateral k (eV Å⁻² amu⁻¹).
    omega_rad_ps : (n_ω,) float
        Angular frequencies (rad/ps).
    n_q
        q points on [0, π] (a band edge closer than the grid may be missed).

    Returns
    -------
    numpy.ndarray, shape (n_ω,), int
    """
    q = np.linspace(0, np.pi, n_q)
    return _crossings(lead_dispersion_rad_ps(d00_eV_A2_amu, d01_eV_A2_amu, q), omega_rad_ps)


def _lead_bands(blocks_per_k, n_q: int) -> dict[str, list[np.ndarray]]:
    """Bulk bands ω_n(q) (rad/ps, (n_q, n)) of each lead at each k-point, q ∈ [0, π]."""
    q = np.linspace(0, np.pi, n_q)
    return {side: [lead_dispersion_rad_ps(getattr(b, f"{side}_d00"), getattr(b, f"{side}_d01"),
                                          q) for b in blocks_per_k]
            for side in ("left", "right")}


def interface_transmission(structure_data: str | Path, info: Mapping,
                           potential: str | None = None, specorder: Sequence[str] | None = None,
                           masses=None, *, omegas_rad_ps=None, n_omega: int = 300,
                           temperatures_K: Sequence[float] = (300.0,), eta_rel: float = 1e-8,
                           n_q: int = 401, **model_options) -> dict:
    """Elastic transmission Ξ(ω) of an interface cell by AGF and its Landauer conductance.

    Parameters
    ----------
    structure_data, info, potential, specorder, masses
        As in :func:`interface_model`.
    omegas_rad_ps : (n_ω,) float, optional
        Increasing angular frequencies (rad/ps), > 0.  Default: ``n_omega`` points evenly
        spaced from top/n_omega to top = 1.02 × the highest lead frequency (the Landauer
        integrals then start at ω₁ > 0; the missing sliver is ≲ Ξ(ω₁) ω₁/2π).
    n_omega
        Points of the default grid.
    temperatures_K
        Temperatures of the quantum conductance (K).
    eta_rel
        Relative broadening (:func:`analysis.agf.transmission`).
    n_q
        Phases q ∈ [0, π] per principal layer on which the leads' bands are sampled (their
        top frequency and channel counts; a band edge within one q step may be missed).
    **model_options
        ``lateral_repeat``, ``displacement_A``, ``buffer_layers``, ``fc_tol_rel``,
        ``plane_gap_A`` of :func:`interface_model`.

    Returns
    -------
    dict
        ``omega_rad_ps``, ``frequency_THz``, ``transmission`` (Ξ per original
        cross-section, mean over the k-points), ``channels_left``/``channels_right``
        (propagating modes of each lead, mean over k), ``area_A2``,
        ``lead_max_omega_rad_ps`` {left, right}, ``kpoints_rad_A``, ``lateral_repeat``,
        ``classical`` (G_W_m2K ± quadrature error), ``quantum`` (temperature_K,
        G_W_m2K, quadrature_error_W_m2K), ``ballistic_leads_W_m2K`` {left, right}
        (classical), ``classical_intrinsic_G_W_m2K`` (contact resistance of the leads
        removed; None when the interface resistance is below 0.1 % of 1/G, as for a
        perfect crystal), ``lead_min_omega_rad_ps`` (negative: unstable lead modes),
        ``report`` (diagnostics of the force constants and layers) and ``warnings``
        (force constants or leads that make the result untrustworthy).
    """
    model = interface_model(structure_data, info, potential, specorder, masses,
                            **model_options)
    per_k = model.blocks_per_k()
    bands = _lead_bands(per_k, n_q)
    top = {side: float(max(b.max() for b in bands[side])) for side in bands}
    if omegas_rad_ps is None:
        omega_top = 1.02 * max(top.values())
        omega = np.linspace(omega_top / n_omega, omega_top, n_omega)
    else:
        omega = np.asarray(omegas_rad_ps, dtype=float)
    low = {side: float(min(b.min() for b in bands[side])) for side in bands}
    warnings = _warnings(model.report, top, low)
    xi = mean_transmission(omega, per_k, eta_rel=eta_rel)
    if not np.any(xi > 1e-6):
        raise RuntimeError("the transmission vanishes at every frequency: check the blocks")
    channels = {side: np.mean([_crossings(b, omega) for b in bands[side]], axis=0)
                for side in bands}
    area = model.area_A2
    classical = classical_conductance_W_m2K(omega, xi, area)
    ballistic = {side: classical_conductance_W_m2K(omega, channels[side], area)["G_W_m2K"]
                 for side in channels}
    inv = 1 / classical["G_W_m2K"] - 0.5 * sum(1 / g for g in ballistic.values())
    quantum = quantum_conductance_W_m2K(omega, xi, area, temperatures_K)
    return {
        "omega_rad_ps": omega, "frequency_THz": omega_to_THz(omega), "transmission": xi,
        "channels_left": channels["left"], "channels_right": channels["right"],
        "area_A2": area, "lead_max_omega_rad_ps": top, "lead_min_omega_rad_ps": low,
        "kpoints_rad_A": model.kpoints()[0], "lateral_repeat": list(model.lateral_repeat),
        "eta_rel": eta_rel, "classical": classical,
        "quantum": {k: np.asarray(v).tolist() for k, v in quantum.items()},
        "ballistic_leads_W_m2K": ballistic,
        "classical_intrinsic_G_W_m2K": float(1 / inv) if inv * classical["G_W_m2K"] > 1e-3
        else None,
        "report": model.report, "warnings": warnings,
    }


def _warnings(report: dict, top: dict, low: dict) -> list[str]:
    """Plain-language warnings about force constants and leads that are not trustworthy."""
    out = []
    asym = report["force_constants"]["asymmetry_rel"]
    if asym > _WARN["asymmetry_rel"]:
        out.append(f"finite-difference force constants asymmetric by {asym:.2g} (relative): "
                   "the potential is not smooth on the scale of displacement_A")
    for side, value in report["lead_nonuniformity_rel"].items():
        if value > _WARN["lead_nonuniformity_rel"]:
            out.append(f"{side} lead layers differ by {value:.2g} of max |Phi|: not bulk-like "
                       "(thicken that side or add buffer layers)")
    for side, lowest in low.items():
        if lowest < -_WARN["negative_omega_rel"] * top[side]:
            out.append(f"{side} lead has unstable modes (omega down to {lowest:.3g} rad/ps)")
    return out


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------
def _csv_rows(result: dict) -> list[dict]:
    return [{"omega_rad_ps": w, "frequency_THz": f, "transmission": t, "channels_left": cl,
             "channels_right": cr}
            for w, f, t, cl, cr in zip(result["omega_rad_ps"], result["frequency_THz"],
                                       result["transmission"], result["channels_left"],
                                       result["channels_right"], strict=True)]


def main(argv: list[str] | None = None) -> int:
    """Command line: read the structure, compute Ξ(ω) and G, write JSON and CSV."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--structure", required=True, type=Path, help="relaxed.data")
    parser.add_argument("--info", required=True, type=Path, help="relaxed.json")
    parser.add_argument("--out", required=True, type=Path, help="agf.json")
    parser.add_argument("--csv", type=Path, help="Xi(omega) table (default: --out with .csv)")
    parser.add_argument("--n-omega", type=int, default=300)
    parser.add_argument("--temperatures", type=float, nargs="+", default=[300.0],
                        help="temperatures of the quantum conductance (K)")
    parser.add_argument("--lateral-repeat", type=int, nargs=2, default=[1, 1],
                        metavar=("N1", "N2"), help="lateral k-mesh by replication")
    parser.add_argument("--displacement", type=float, default=0.01, help="h (A)")
    parser.add_argument("--buffer-layers", type=int, nargs="+", default=[1],
                        help="device layers of each side (one value, or left and right)")
    args = parser.parse_args(argv)
    info = json.loads(args.info.read_text())
    result = interface_transmission(
        args.structure, info, n_omega=args.n_omega, temperatures_K=args.temperatures,
        lateral_repeat=tuple(args.lateral_repeat), displacement_A=args.displacement,
        buffer_layers=tuple(args.buffer_layers) if len(args.buffer_layers) == 2
        else args.buffer_layers[0])
    result["structure"] = str(args.structure)
    csv_path = args.csv or args.out.with_suffix(".csv")
    write_csv(_csv_rows(result), ["omega_rad_ps", "frequency_THz", "transmission",
                                  "channels_left", "channels_right"], csv_path)
    write_json(args.out, result)
    print(json.dumps({"G_classical_W_m2K": result["classical"]["G_W_m2K"],
                      "area_A2": result["area_A2"]}))
    return 0


if __name__ == "__main__":
    sys.exit(run_entry_point(main))
