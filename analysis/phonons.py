"""Harmonic lattice dynamics from real-space force constants: dispersion, DOS, group velocities.

The force constants come from phonopy with LAMMPS forces in a periodic supercell
(:func:`engine.phonopy_forces.force_constants`, symmetrised there, with the acoustic sum
rule).  This module is pure NumPy:

* :class:`ForceConstants` holds Φ of the unit-cell atoms against every supercell atom,
  splits each pair interaction equally among its shortest periodic images (Parlinski,
  Li & Kawazoe, PRL 78, 4063, 1997; the rule phonopy uses too), and, for raw Φ (e.g. a
  hand-built model), symmetrises it and imposes the acoustic sum rule;
* :func:`dynamical_matrix` builds D(q) = Σ Φ e^{iq·d}/√(m_i m_j) and ∂D/∂q;
* :func:`phonon_mesh` diagonalises D on a Monkhorst–Pack mesh and returns ω and the
  group velocity along the transport axis, v_z = ∂ω/∂q_z from the Hellmann–Feynman
  theorem, ∂ω²/∂q = ⟨e|∂D/∂q|e⟩, diagonalised inside each degenerate subspace;
* :func:`spectral_functions` gives the DOS per unit volume D(ω) and the phonon
  "radiation" spectrum P(ω) = (2/V) Σ |v_z| δ(ω − ω_qν), the full-dispersion analogue of
  Σ_j c_j D_j(ω) used by the DMM of Reddy, Castelino & Majumdar, APL 87, 211908 (2005).

Units: inputs Å, eV, amu; outputs SI with the unit in the name (``omega_rad_s``,
``v_z_m_s``, ``dos_s_m3`` per unit volume and per rad/s).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import constants

__all__ = [
    "OMEGA_RAD_S",
    "ForceConstants",
    "PhononMesh",
    "dynamical_matrix",
    "phonon_mesh",
    "sound_velocities",
    "spectral_functions",
]

#: Angular frequency unit of √(eV Å⁻² amu⁻¹) in rad/s.  [rad s⁻¹ / √(eV Å⁻² amu⁻¹)]
OMEGA_RAD_S = float(np.sqrt(constants.electron_volt / (constants.angstrom**2 * constants.atomic_mass)))
#: Velocity unit Å·√(eV Å⁻² amu⁻¹) in m/s.  [m s⁻¹ / (Å √(eV Å⁻² amu⁻¹))]
VELOCITY_M_S = OMEGA_RAD_S * constants.angstrom


def _wrap(frac: np.ndarray) -> np.ndarray:
    """Fractional coordinates mapped to [-0.5, 0.5)."""
    return frac - np.floor(frac + 0.5)


@dataclass
class ForceConstants:
    """Real-space harmonic force constants of a crystal from a supercell calculation.

    Parameters
    ----------
    unit_cell_A : (3, 3) float
        Rows are the unit-cell vectors (Å).
    basis_A : (nb, 3) float
        Cartesian positions of the unit-cell atoms (Å); they are supercell atoms 0..nb-1.
    masses_amu : (nb,) float
        Atomic masses (amu).
    supercell_A : (3, 3) float
        Rows are the supercell vectors (Å).
    supercell_positions_A : (N, 3) float
        Cartesian positions of every supercell atom (Å).
    phi_eV_A2 : (nb, 3, N, 3) float
        Φ[i, α, J, β] = ∂²E/∂u_iα∂u_Jβ (eV/Å²).
    impose_symmetry : bool
        Symmetrise Φ and impose the sum rule on construction (default); False keeps Φ
        as given (force constants that already obey both, e.g. phonopy's).

    Notes
    -----
    With ``impose_symmetry``, Φ is symmetrised on construction (Φ_{iα,Jβ} = Φ_{Jβ,iα}
    through lattice translations) and the acoustic sum rule Σ_J Φ_{iα,Jβ} = 0 is
    imposed on the self term, so ω → 0 at Γ.
    """

    unit_cell_A: np.ndarray
    basis_A: np.ndarray
    masses_amu: np.ndarray
    supercell_A: np.ndarray
    supercell_positions_A: np.ndarray
    phi_eV_A2: np.ndarray
    impose_symmetry: bool = True
    basis_index: np.ndarray = field(init=False)

    def __post_init__(self):
        """Map supercell atoms to basis atoms; symmetrise Φ and impose the sum rule."""
        self.unit_cell_A = np.asarray(self.unit_cell_A, dtype=float)
        self.supercell_A = np.asarray(self.supercell_A, dtype=float)
        self.basis_A = np.asarray(self.basis_A, dtype=float)
        self.masses_amu = np.asarray(self.masses_amu, dtype=float)
        self.supercell_positions_A = np.asarray(self.supercell_positions_A, dtype=float)
        self.basis_index = self._basis_index()
        phi = np.asarray(self.phi_eV_A2, dtype=float)
        if phi.shape != (self.n_basis, 3, len(self.supercell_positions_A), 3):
            raise ValueError(f"phi_eV_A2 has shape {phi.shape}, expected "
                             f"{(self.n_basis, 3, len(self.supercell_positions_A), 3)}")
        self.phi_eV_A2 = self._acoustic_sum_rule(self._symmetrised(phi)) if self.impose_symmetry \
            else phi

    @property
    def n_basis(self) -> int:
        """Atoms in the unit cell."""
        return len(self.basis_A)

    @property
    def volume_A3(self) -> float:
        """Unit-cell volume (Å³)."""
        return float(abs(np.linalg.det(self.unit_cell_A)))

    def _basis_index(self) -> np.ndarray:
        """Basis atom of every supercell atom (by position modulo the unit cell)."""
        inv = np.linalg.inv(self.unit_cell_A)
        diff = (self.supercell_positions_A[:, None, :] - self.basis_A[None]) @ inv
        dist = np.linalg.norm(_wrap(diff) @ self.unit_cell_A, axis=-1)
        index = np.argmin(dist, axis=1)
        if np.any(dist[np.arange(len(index)), index] > 1e-4):
            raise ValueError("supercell positions are not lattice translations of the basis")
        return index

    def _min_image(self, vectors: np.ndarray) -> np.ndarray:
        """Vectors wrapped into the supercell's Wigner–Seitz-like parallelepiped centre."""
        inv = np.linalg.inv(self.supercell_A)
        return _wrap(vectors @ inv) @ self.supercell_A

    def _partner(self) -> np.ndarray:
        """For each (i, J): the supercell atom K with r_K = r_{basis(J)} − (r_J − r_i)."""
        nb, pos = self.n_basis, self.supercell_positions_A
        inv = np.linalg.inv(self.supercell_A)
        partner = np.empty((nb, len(pos)), dtype=int)
        for i in range(nb):
            target = self.basis_A[self.basis_index] - (pos - self.basis_A[i])
            diff = _wrap((target[:, None, :] - pos[None]) @ inv) @ self.supercell_A
            partner[i] = np.argmin(np.linalg.norm(diff, axis=-1), axis=1)
        return partner

    def _symmetrised(self, phi: np.ndarray) -> np.ndarray:
        """½(Φ_{iα,Jβ} + Φ_{jβ,Kα}) with j = basis(J), K the translated image of i."""
        partner = self._partner()
        nb = self.n_basis
        mirrored = np.empty_like(phi)
        for i in range(nb):
            j = self.basis_index
            # phi[j, :, partner[i], :][J, β, α] = Φ[basis(J), β, K(J), α]
            mirrored[i] = np.einsum("jba->ajb", phi[j, :, partner[i], :])
        return 0.5 * (phi + mirrored)

    def _acoustic_sum_rule(self, phi: np.ndarray) -> np.ndarray:
        """Set each self term to −Σ of the others (symmetrised)."""
        for i in range(self.n_basis):
            others = phi[i].sum(axis=1) - phi[i, :, i, :]
            self_term = -others
            phi[i, :, i, :] = 0.5 * (self_term + self_term.T)
        return phi

    def pair_terms(self, *, tol_A: float = 1e-3) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Terms of the dynamical matrix: (i, j, d_A, block) with images split equally.

        Returns
        -------
        i, j : (T,) int
            Basis atoms of each term.
        d_A : (T, 3) float
            Vector from atom i to the image of the supercell atom (Å).
        block : (T, 3, 3) float
            Weighted Φ block divided by √(m_i m_j) (eV Å⁻² amu⁻¹).
        """
        shifts = np.array([[a, b, c] for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)],
                          dtype=float) @ self.supercell_A
        rows_i, rows_j, vectors, blocks = [], [], [], []
        for i in range(self.n_basis):
            base = self._min_image(self.supercell_positions_A - self.basis_A[i])
            for big_j, d0 in enumerate(base):
                block = self.phi_eV_A2[i, :, big_j, :]
                if not np.any(np.abs(block) > 1e-10):
                    continue
                images = d0 + shifts
                length = np.linalg.norm(images, axis=1)
                nearest = images[length < length.min() + tol_A]
                j = self.basis_index[big_j]
                scaled = block / np.sqrt(self.masses_amu[i] * self.masses_amu[j]) / len(nearest)
                for d in nearest:
                    rows_i.append(i)
                    rows_j.append(j)
                    vectors.append(d)
                    blocks.append(scaled)
        return np.array(rows_i), np.array(rows_j), np.array(vectors), np.array(blocks)


def dynamical_matrix(terms, q_inv_A: np.ndarray, n_basis: int, *,
                     derivative_axis: int | None = None) -> np.ndarray:
    """D(q) (and optionally ∂D/∂q_axis) for wave vectors ``q_inv_A`` (shape (nq, 3), 1/Å).

    D_{iα,jβ}(q) = Σ_terms block e^{i q·d} (the phase uses the full interatomic vector,
    which leaves the eigenvalues unchanged).  Units: eV Å⁻² amu⁻¹ (D) and eV Å⁻¹ amu⁻¹
    (∂D/∂q).  Returns shape (nq, 3 nb, 3 nb), complex.
    """
    i_idx, j_idx, d, block = terms
    q = np.atleast_2d(q_inv_A)
    phase = np.exp(1j * (q @ d.T))
    if derivative_axis is not None:
        phase = phase * (1j * d[:, derivative_axis])[None, :]
    out = np.zeros((len(q), n_basis, 3, n_basis, 3), dtype=complex)
    for i in range(n_basis):
        for j in range(n_basis):
            sel = (i_idx == i) & (j_idx == j)
            if np.any(sel):
                out[:, i, :, j, :] = np.einsum("qt,tab->qab", phase[:, sel], block[sel])
    return out.reshape(len(q), 3 * n_basis, 3 * n_basis)


def _frequencies_and_velocities(terms, q: np.ndarray, n_basis: int, axis: int,
                                rtol: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """ω (internal units) and ∂ω/∂q_axis for each q, with degenerate perturbation theory."""
    dyn = dynamical_matrix(terms, q, n_basis)
    ddyn = dynamical_matrix(terms, q, n_basis, derivative_axis=axis)
    w2, vecs = np.linalg.eigh(0.5 * (dyn + np.conj(np.swapaxes(dyn, 1, 2))))
    proj = np.conj(np.swapaxes(vecs, 1, 2)) @ ddyn @ vecs
    dw2 = np.real(np.einsum("qii->qi", proj)).copy()
    scale = np.max(np.abs(w2), axis=1, keepdims=True)
    for iq in range(len(q)):
        start = 0
        n = w2.shape[1]
        while start < n:
            stop = start + 1
            while stop < n and abs(w2[iq, stop] - w2[iq, start]) <= rtol * scale[iq, 0]:
                stop += 1
            if stop - start > 1:
                sub = proj[iq, start:stop, start:stop]
                dw2[iq, start:stop] = np.linalg.eigvalsh(0.5 * (sub + np.conj(sub.T)))
            start = stop
    omega = np.sign(w2) * np.sqrt(np.abs(w2))
    with np.errstate(divide="ignore", invalid="ignore"):
        vel = np.where(omega > 0, dw2 / (2 * np.where(omega > 0, omega, 1.0)), 0.0)
    return omega, vel


@dataclass(frozen=True)
class PhononMesh:
    """Phonon frequencies and group velocities on a q-mesh.

    Attributes
    ----------
    omega_rad_s : (nq, 3 nb) float
        Angular frequencies (rad/s); an unstable mode would be negative.
    v_z_m_s : (nq, 3 nb) float
        Group velocity along the transport axis (m/s).
    volume_m3 : float
        Unit-cell volume (m³).
    n_basis : int
        Atoms per unit cell.
    """

    omega_rad_s: np.ndarray
    v_z_m_s: np.ndarray
    volume_m3: float
    n_basis: int

    @property
    def n_q(self) -> int:
        """Number of q-points."""
        return self.omega_rad_s.shape[0]

    @property
    def omega_max_rad_s(self) -> float:
        """Highest frequency on the mesh (rad/s)."""
        return float(self.omega_rad_s.max())

    @property
    def omega_min_rad_s(self) -> float:
        """Lowest positive frequency on the mesh (rad/s): below it the mesh has no modes."""
        return float(self.omega_rad_s[self.omega_rad_s > 0].min())


def phonon_mesh(fc: ForceConstants, mesh: int | tuple[int, int, int] = 12, *, axis: int = 2,
                batch: int = 256) -> PhononMesh:
    """Diagonalise D(q) on a Γ-shifted Monkhorst–Pack mesh of the unit cell's zone.

    Parameters
    ----------
    fc
        Force constants.
    mesh
        Points per reciprocal axis (even numbers avoid Γ, where v is undefined).
    axis
        Cartesian transport axis (2 = z = [001]).
    batch
        q-points per vectorised batch (memory).
    """
    n = np.broadcast_to(np.asarray(mesh, dtype=int), (3,))
    grid = np.stack(np.meshgrid(*[(np.arange(k) + 0.5) / k - 0.5 for k in n], indexing="ij"), -1)
    recip = 2 * np.pi * np.linalg.inv(fc.unit_cell_A).T
    q = grid.reshape(-1, 3) @ recip
    terms = fc.pair_terms()
    parts = [_frequencies_and_velocities(terms, q[s:s + batch], fc.n_basis, axis)
             for s in range(0, len(q), batch)]
    omega = np.concatenate([p[0] for p in parts])
    vel = np.concatenate([p[1] for p in parts])
    return PhononMesh(omega * OMEGA_RAD_S, vel * VELOCITY_M_S, fc.volume_A3 * constants.angstrom**3,
                      fc.n_basis)


def sound_velocities(fc: ForceConstants, direction=(0.0, 0.0, 1.0), *,
                     q_fraction: float = 0.01) -> np.ndarray:
    """Acoustic phase velocities ω/q (m/s) at small q along ``direction``, ascending.

    q = ``q_fraction`` × 2π/a along the unit vector; the dispersion error is O((qa)²).
    For [001] of a cubic crystal this gives (v_T, v_T, v_L).
    """
    unit = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    a = float(np.linalg.norm(fc.unit_cell_A[0]))
    qlen = q_fraction * 2 * np.pi / a
    dyn = dynamical_matrix(fc.pair_terms(), qlen * unit[None], fc.n_basis)[0]
    w2 = np.linalg.eigvalsh(0.5 * (dyn + dyn.conj().T))[:3]
    return np.sqrt(np.clip(w2, 0, None)) / qlen * VELOCITY_M_S


def spectral_functions(phonons: PhononMesh, *, n_bins: int = 200,
                       omega_max_rad_s: float | None = None) -> dict[str, np.ndarray]:
    """Histogram DOS and radiation spectrum per unit volume.

    D(ω) = (1/(N_q V)) Σ_qν δ(ω − ω_qν)   [s m⁻³ per rad/s]; ∫ D dω = 3 nb / V.
    P(ω) = (2/(N_q V)) Σ_qν |v_z,qν| δ(ω − ω_qν)   [m⁻²]; for a Debye solid
    P = Σ_j c_j D_j (the average of |cos θ| over the sphere is ½), which is the
    quantity whose ratio gives the DMM transmission (Reddy, Castelino & Majumdar 2005).

    Returns
    -------
    dict
        ``edges_rad_s`` (n_bins+1,), ``centres_rad_s``, ``dos_s_m3``, ``radiation_m2``
        (n_bins,).
    """
    top = omega_max_rad_s or phonons.omega_max_rad_s * (1 + 1e-9)
    edges = np.linspace(0.0, top, n_bins + 1)
    width = np.diff(edges)
    norm = phonons.n_q * phonons.volume_m3
    omega = phonons.omega_rad_s.ravel()
    dos = np.histogram(omega, bins=edges)[0] / (norm * width)
    rad = np.histogram(omega, bins=edges, weights=2 * np.abs(phonons.v_z_m_s.ravel()))[0] / (norm * width)
    return {"edges_rad_s": edges, "centres_rad_s": 0.5 * (edges[1:] + edges[:-1]),
            "dos_s_m3": dos, "radiation_m2": rad}
