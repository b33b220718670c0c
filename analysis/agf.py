"""Elastic phonon transmission across an interface by atomistic Green's functions (AGF).

The interface is split into a left lead, a device (central) region and a right lead.
Each lead is a semi-infinite stack of identical principal layers: the dynamical matrix
of a lead is block-tridiagonal with the on-site block ``D00`` and the coupling ``D01``
from layer n to layer n+1 (the +x direction, from left to right).  Principal layers
must be thick enough that only neighbouring layers interact.

* :func:`surface_green_function` -- the surface Green's function of a semi-infinite lead
  by the decimation of López Sancho, López Sancho & Rubio, J. Phys. F 15, 851 (1985).
* :func:`transmission` -- the Caroli formula Ξ(ω) = Tr[Γ_L G Γ_R G†] with
  G = [(ω² + iη) I − D_C − Σ_L − Σ_R]⁻¹ and Γ = i(Σ − Σ†) (Zhang, Fisher & Mingo,
  Numer. Heat Transfer B 51, 333, 2007; Mingo & Yang, PRB 68, 245406, 2003).
* :func:`mean_transmission` -- the weighted average over lateral k-points; blocks at
  each k from real-space blocks by :meth:`RealSpaceInterface.at_k`,
  D(k) = Σ_R D(R) e^{ik·R} over lateral lattice translations R.
* :func:`classical_conductance_W_m2K`, :func:`quantum_conductance_W_m2K` -- Landauer
  conductance per unit area, G = (1/A) ∫ Ξ(ω) C(ω) dω/2π with C = k_B (classical) or
  ħω ∂n/∂T (Bose–Einstein).

Conventions and units
---------------------
* Dynamical matrices are mass-normalised, D = Φ/√(m_i m_j), in eV Å⁻² amu⁻¹ (Φ in
  eV/Å², masses in amu; :func:`mass_normalised`).  Blocks may be complex Hermitian
  (lateral Bloch sums).
* Frequencies are **angular**, ω in rad/ps; ordinary frequency f = ω/2π in THz
  (:func:`omega_to_THz`, :func:`THz_to_omega`).  ω² in (rad/ps)² is D in
  eV Å⁻² amu⁻¹ times :data:`RAD_PS2_PER_EV_A2_AMU` (≈ 9648.5); this factor is applied
  once, in :func:`_to_rad_ps2`.
* Ξ(ω) is the transmission of the whole cross-section of the principal layer
  (dimensionless, the number of transmitted channels); Ξ/A is per unit area.
* Broadening: z = ω² + iη with η = ``eta_rel`` × s, where s = max over the leads of
  ‖D00‖₂ + 2‖D01‖₂ (an upper bound of the largest ω² of the leads).  The error of Ξ is
  linear in η: with the default ``eta_rel = 1e-8`` it stays below 1e-5 per channel
  from 1 % to 99 % of the widest one-dimensional band (tests/analysis/test_agf.py); it
  grows near ω = 0 and band edges, where ω² or the distance to the edge is comparable
  with η, and in proportion for narrower bands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants

from .mismatch import mode_heat_capacity_J_K

__all__ = [
    "RAD_PS2_PER_EV_A2_AMU",
    "W_M2K_PER_KB_PS_A2",
    "DecimationError",
    "InterfaceBlocks",
    "RealSpaceInterface",
    "THz_to_omega",
    "bloch_block",
    "classical_conductance_MW_m2K",
    "classical_conductance_W_m2K",
    "heat_capacity_ratio",
    "lateral_kmesh",
    "lead_dispersion_rad_ps",
    "mass_normalised",
    "mean_transmission",
    "omega_to_THz",
    "phonon_frequencies_rad_ps",
    "quantum_conductance_MW_m2K",
    "quantum_conductance_W_m2K",
    "surface_green_function",
    "transmission",
]

#: ω² of D = 1 eV Å⁻² amu⁻¹ in (rad/ps)²: eV/(Å² amu) × (ps/s)².  [(rad/ps)² / (eV Å⁻² amu⁻¹)]
RAD_PS2_PER_EV_A2_AMU = constants.electron_volt / (constants.angstrom**2 * constants.atomic_mass) \
    * constants.pico**2
#: k_B × (1 ps⁻¹) / (1 Å²) in W m⁻² K⁻¹.  [W m⁻² K⁻¹ / (k_B ps⁻¹ Å⁻²)]
W_M2K_PER_KB_PS_A2 = constants.k / (constants.pico * constants.angstrom**2)
_MEGA = constants.mega


class DecimationError(RuntimeError):
    """The Sancho–Rubio decimation did not converge within ``max_iter`` iterations."""


# --------------------------------------------------------------------------------------
# Frequencies and units
# --------------------------------------------------------------------------------------
def omega_to_THz(omega_rad_ps: ArrayLike) -> np.ndarray:
    """Ordinary frequency f = ω/2π (THz) from an angular frequency ω (rad/ps)."""
    return np.asarray(omega_rad_ps, dtype=float) / (2 * np.pi)


def THz_to_omega(frequency_THz: ArrayLike) -> np.ndarray:
    """Angular frequency ω = 2πf (rad/ps) from an ordinary frequency f (THz)."""
    return np.asarray(frequency_THz, dtype=float) * (2 * np.pi)


def _to_rad_ps2(block_eV_A2_amu: ArrayLike) -> np.ndarray:
    """Convert a mass-normalised block to (rad/ps)², complex (the one conversion of D)."""
    return np.asarray(block_eV_A2_amu, dtype=complex) * RAD_PS2_PER_EV_A2_AMU


def phonon_frequencies_rad_ps(dynamical_matrix_eV_A2_amu: ArrayLike) -> np.ndarray:
    """Angular phonon frequencies of a Hermitian mass-normalised dynamical matrix.

    Parameters
    ----------
    dynamical_matrix_eV_A2_amu : (..., n, n) complex
        Hermitian D (eV Å⁻² amu⁻¹).

    Returns
    -------
    numpy.ndarray, shape (..., n)
        ω = sign(λ) √|λ| (rad/ps), ascending, λ the eigenvalues of D in (rad/ps)²;
        negative values flag unstable modes.  THz: :func:`omega_to_THz`.
    """
    lam = np.linalg.eigvalsh(_to_rad_ps2(dynamical_matrix_eV_A2_amu))
    return np.sign(lam) * np.sqrt(np.abs(lam))


def lead_dispersion_rad_ps(d00_eV_A2_amu: ArrayLike, d01_eV_A2_amu: ArrayLike,
                           q: ArrayLike) -> np.ndarray:
    """Bulk dispersion of a lead along the stacking axis, ω(q) of D00 + D01 e^{iq} + h.c.

    Parameters
    ----------
    d00_eV_A2_amu, d01_eV_A2_amu : (n, n) complex
        On-site and layer n → n+1 coupling blocks (eV Å⁻² amu⁻¹).
    q : (n_q,) float
        Phase per principal layer (rad), in [−π, π].

    Returns
    -------
    numpy.ndarray, shape (n_q, n)
        ω (rad/ps), ascending at each q.
    """
    d00 = np.asarray(d00_eV_A2_amu, dtype=complex)
    d01 = np.asarray(d01_eV_A2_amu, dtype=complex)
    phase = np.exp(1j * np.asarray(q, dtype=float))[:, None, None]
    return phonon_frequencies_rad_ps(d00 + d01 * phase + d01.conj().T * phase.conj())


def mass_normalised(phi_eV_A2: ArrayLike, masses_row_amu: ArrayLike, masses_col_amu: ArrayLike,
                    *, dofs_per_atom: int = 3) -> np.ndarray:
    """Mass-normalised block D = Φ/√(m_i m_j) from a force-constant block.

    Parameters
    ----------
    phi_eV_A2 : (n_row · dofs_per_atom, n_col · dofs_per_atom) float or complex
        Force constants Φ_{iα,jβ} = ∂²E/∂u_iα∂u_jβ (eV/Å²), atom-major.
    masses_row_amu, masses_col_amu : (n_row,), (n_col,) float
        Masses of the row and column atoms (amu).
    dofs_per_atom : int
        Degrees of freedom per atom (3; 1 for a scalar model).

    Returns
    -------
    numpy.ndarray, same shape as ``phi_eV_A2``
        D (eV Å⁻² amu⁻¹).
    """
    m_r = np.repeat(np.asarray(masses_row_amu, dtype=float), dofs_per_atom)
    m_c = np.repeat(np.asarray(masses_col_amu, dtype=float), dofs_per_atom)
    phi = np.asarray(phi_eV_A2)
    if phi.shape != (m_r.size, m_c.size):
        raise ValueError(f"phi_eV_A2 has shape {phi.shape}, expected {(m_r.size, m_c.size)}")
    return phi / np.sqrt(np.outer(m_r, m_c))


# --------------------------------------------------------------------------------------
# Blocks of the interface
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InterfaceBlocks:
    """Mass-normalised blocks of lead | device | lead at one lateral k (eV Å⁻² amu⁻¹).

    Attributes
    ----------
    left_d00 : (n_L, n_L) complex
        On-site block of a left-lead principal layer (Hermitian).
    left_d01 : (n_L, n_L) complex
        Coupling of a left-lead layer to the next layer on its right.
    left_coupling : (n_L, n_C) complex
        Coupling of the left lead's last (surface) layer to the device, D_{L,C}.
    center : (n_C, n_C) complex
        Device block (Hermitian).
    right_coupling : (n_C, n_R) complex
        Coupling of the device to the right lead's first (surface) layer, D_{C,R}.
    right_d00, right_d01 : (n_R, n_R) complex
        On-site block and layer n → n+1 coupling of the right lead.
    """

    left_d00: np.ndarray
    left_d01: np.ndarray
    left_coupling: np.ndarray
    center: np.ndarray
    right_coupling: np.ndarray
    right_d00: np.ndarray
    right_d01: np.ndarray

    def __post_init__(self):
        """Convert to complex arrays and check shapes and Hermiticity."""
        for f in fields(self):
            object.__setattr__(self, f.name, np.atleast_2d(np.asarray(getattr(self, f.name),
                                                                      dtype=complex)))
        n_l, n_c, n_r = len(self.left_d00), len(self.center), len(self.right_d00)
        expected = {"left_d00": (n_l, n_l), "left_d01": (n_l, n_l),
                    "left_coupling": (n_l, n_c), "center": (n_c, n_c),
                    "right_coupling": (n_c, n_r), "right_d00": (n_r, n_r),
                    "right_d01": (n_r, n_r)}
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected {shape}")
        for name in ("left_d00", "center", "right_d00"):
            block = getattr(self, name)
            if not np.allclose(block, block.conj().T, rtol=1e-10,
                               atol=1e-12 * max(np.abs(block).max(), 1.0)):
                raise ValueError(f"{name} is not Hermitian")

    def broadening_scale(self) -> float:
        """Scale of η: max over leads of ‖D00‖₂ + 2‖D01‖₂ in (rad/ps)²."""
        return max(float(np.linalg.norm(_to_rad_ps2(d00), 2)
                         + 2 * np.linalg.norm(_to_rad_ps2(d01), 2))
                   for d00, d01 in ((self.left_d00, self.left_d01),
                                    (self.right_d00, self.right_d01)))


def bloch_block(blocks_eV_A2_amu: ArrayLike, translations_A: ArrayLike,
                k_A: ArrayLike) -> np.ndarray:
    """Lateral Bloch sum D(k) = Σ_R D(R) e^{ik·R}.

    Parameters
    ----------
    blocks_eV_A2_amu : (n_R, n, m) float or complex
        Real-space blocks D(R) between the atoms of a cell and those of the cell
        translated by R (eV Å⁻² amu⁻¹).
    translations_A : (n_R, d) float
        Lateral lattice translations R (Å).
    k_A : (d,) float
        Lateral wave vector (rad/Å).

    Returns
    -------
    numpy.ndarray, shape (n, m), complex
        D(k) (eV Å⁻² amu⁻¹).  A Hermitian D00(k) needs D(−R) = D(R)ᵀ among the terms.
    """
    blocks = np.asarray(blocks_eV_A2_amu, dtype=complex)
    translations = np.atleast_2d(np.asarray(translations_A, dtype=float))
    if blocks.ndim != 3 or len(blocks) != len(translations):
        raise ValueError("need blocks of shape (n_R, n, m) and translations of shape (n_R, d)")
    phase = np.exp(1j * translations @ np.asarray(k_A, dtype=float))
    return np.einsum("r,rnm->nm", phase, blocks)


@dataclass(frozen=True)
class RealSpaceInterface:
    """Real-space blocks of lead | device | lead with lateral periodicity.

    Each attribute (named as in :class:`InterfaceBlocks`) is a pair
    ``(blocks (n_R, n, m), translations_A (n_R, d))`` for :func:`bloch_block`.
    """

    left_d00: tuple
    left_d01: tuple
    left_coupling: tuple
    center: tuple
    right_coupling: tuple
    right_d00: tuple
    right_d01: tuple

    def at_k(self, k_A: ArrayLike) -> InterfaceBlocks:
        """Build the :class:`InterfaceBlocks` at the lateral wave vector ``k_A`` (rad/Å)."""
        return InterfaceBlocks(**{f.name: bloch_block(*getattr(self, f.name), k_A)
                                  for f in fields(self)})


def lateral_kmesh(lateral_cell_A: ArrayLike, n1: int, n2: int, *,
                  shifted: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Uniform lateral k-mesh of the 2-D Brillouin zone, with equal weights.

    Parameters
    ----------
    lateral_cell_A : (2, d) float
        Rows are the two lateral lattice vectors (Å), d = 2 or 3.
    n1, n2 : int
        Points along each reciprocal vector.
    shifted : bool
        Shift by half a spacing (Monkhorst–Pack for even n); default Γ-centred.

    Returns
    -------
    k_A : (n1 n2, d) float
        Wave vectors (rad/Å).
    weights : (n1 n2,) float
        Equal weights summing to 1.
    """
    cell = np.asarray(lateral_cell_A, dtype=float)
    recip = 2 * np.pi * np.linalg.pinv(cell).T  # rows b_i with a_i·b_j = 2π δ_ij
    shift = 0.5 if shifted else 0.0
    f1 = (np.arange(n1) + shift) / n1
    f2 = (np.arange(n2) + shift) / n2
    frac = np.stack(np.meshgrid(f1, f2, indexing="ij"), axis=-1).reshape(-1, 2)
    frac = frac - np.round(frac)  # into (−½, ½]
    return frac @ recip, np.full(len(frac), 1.0 / len(frac))


# --------------------------------------------------------------------------------------
# Green's functions and transmission
# --------------------------------------------------------------------------------------
def _z(omega_rad_ps: ArrayLike, eta: float, n: int) -> np.ndarray:
    """(ω² + iη) I for every ω, shape (n_ω, n, n), in (rad/ps)²."""
    omega = np.atleast_1d(np.asarray(omega_rad_ps, dtype=float))
    return (omega**2 + 1j * eta)[:, None, None] * np.eye(n)


def surface_green_function(omega_rad_ps: ArrayLike, d00_eV_A2_amu: ArrayLike,
                           d01_eV_A2_amu: ArrayLike, *, side: str, eta: float,
                           tol: float = 1e-12, max_iter: int = 200) -> np.ndarray:
    """Surface Green's function of a semi-infinite lead by Sancho–Rubio decimation.

    Iterates (López Sancho, López Sancho & Rubio, J. Phys. F 15, 851, 1985)
    g = (z − ε)⁻¹;  ε_s ← ε_s + α g β;  ε ← ε + α g β + β g α;  α ← α g α;  β ← β g β,
    from ε_s = ε = D00 until ‖α‖, ‖β‖ < tol·s; then g_s = (z − ε_s)⁻¹.  After n steps
    the surface layer is coupled to layer 2ⁿ, so a few tens of steps reach η-limited
    decay lengths.

    Parameters
    ----------
    omega_rad_ps : (n_ω,) float
        Angular frequencies ω (rad/ps).
    d00_eV_A2_amu, d01_eV_A2_amu : (n, n) complex
        On-site block and coupling of layer n to layer n+1 (+x) (eV Å⁻² amu⁻¹).
    side : {"left", "right"}
        ``"left"``: the lead fills x → −∞ and its surface is its rightmost layer (α = D10);
        ``"right"``: the lead fills x → +∞, surface leftmost (α = D01).
    eta : float
        Broadening η ((rad/ps)²), positive.
    tol : float
        Convergence threshold on max |α|, |β| relative to s = ‖D00‖₂ + 2‖D01‖₂.
    max_iter : int
        Iteration limit.

    Returns
    -------
    numpy.ndarray, shape (n_ω, n, n), complex
        g_s(ω) in (rad/ps)⁻².

    Raises
    ------
    DecimationError
        If some ω has not converged after ``max_iter`` iterations (e.g. η = 0 in a band).
    """
    d00, d01 = _to_rad_ps2(d00_eV_A2_amu), _to_rad_ps2(d01_eV_A2_amu)
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    if not eta > 0:
        raise ValueError(f"eta must be positive, got {eta!r}")
    z = _z(omega_rad_ps, eta, len(d00))
    scale = float(np.linalg.norm(d00, 2) + 2 * np.linalg.norm(d01, 2)) or 1.0
    alpha = np.broadcast_to(d01 if side == "right" else d01.conj().T, z.shape).copy()
    beta = np.broadcast_to(d01.conj().T if side == "right" else d01, z.shape).copy()
    eps_s = np.broadcast_to(d00, z.shape).copy()
    eps = eps_s.copy()
    g_s = np.empty_like(eps_s)
    active = np.arange(len(z))  # frequencies still iterating (converged ones leave)
    for _ in range(max_iter):
        za, a, b = z[active], alpha[active], beta[active]
        g = np.linalg.inv(za - eps[active])
        ag, bg = a @ g, b @ g
        agb, bga = ag @ b, bg @ a
        eps_s[active] += agb
        eps[active] += agb + bga
        alpha[active], beta[active] = ag @ a, bg @ b
        size = np.maximum(np.abs(alpha[active]).max(axis=(1, 2)),
                          np.abs(beta[active]).max(axis=(1, 2)))
        done = size < tol * scale
        if np.any(done):
            finished = active[done]
            g_s[finished] = np.linalg.inv(z[finished] - eps_s[finished])
            active = active[~done]
        if active.size == 0:
            return g_s
    raise DecimationError(f"Sancho-Rubio decimation not converged after {max_iter} iterations "
                          f"(max |alpha| = {np.abs(alpha[active]).max():.3g} (rad/ps)^2, tol*s "
                          f"= {tol * scale:.3g}); increase eta or max_iter")


def transmission(omega_rad_ps: ArrayLike, blocks: InterfaceBlocks, *, eta_rel: float = 1e-8,
                 tol: float = 1e-12, max_iter: int = 200) -> np.ndarray:
    """Phonon transmission Ξ(ω) = Tr[Γ_L G Γ_R G†] through the device (Caroli formula).

    Σ_L = D_CL g_L D_LC, Σ_R = D_CR g_R D_RC, Γ = i(Σ − Σ†) and
    G = [(ω² + iη) I − D_C − Σ_L − Σ_R]⁻¹ (Zhang, Fisher & Mingo, Numer. Heat Transfer B
    51, 333, 2007; Mingo & Yang, PRB 68, 245406, 2003).

    Parameters
    ----------
    omega_rad_ps : (n_ω,) float
        Angular frequencies ω > 0 (rad/ps).
    blocks : InterfaceBlocks
        Blocks at one lateral k (eV Å⁻² amu⁻¹).
    eta_rel : float
        η = eta_rel × :meth:`InterfaceBlocks.broadening_scale`.
    tol, max_iter
        Decimation convergence (:func:`surface_green_function`).

    Returns
    -------
    numpy.ndarray, shape (n_ω,)
        Ξ(ω), dimensionless (transmitted channels through the cross-section).
    """
    eta = eta_rel * blocks.broadening_scale()
    kw = {"eta": eta, "tol": tol, "max_iter": max_iter}
    g_l = surface_green_function(omega_rad_ps, blocks.left_d00, blocks.left_d01, side="left", **kw)
    g_r = surface_green_function(omega_rad_ps, blocks.right_d00, blocks.right_d01, side="right",
                                 **kw)
    d_lc, d_cr = _to_rad_ps2(blocks.left_coupling), _to_rad_ps2(blocks.right_coupling)
    sigma_l = d_lc.conj().T @ g_l @ d_lc
    sigma_r = d_cr @ g_r @ d_cr.conj().T
    gamma_l = 1j * (sigma_l - np.swapaxes(sigma_l.conj(), -1, -2))
    gamma_r = 1j * (sigma_r - np.swapaxes(sigma_r.conj(), -1, -2))
    z = _z(omega_rad_ps, eta, len(blocks.center))
    green = np.linalg.inv(z - _to_rad_ps2(blocks.center) - sigma_l - sigma_r)
    product = gamma_l @ green @ gamma_r @ np.swapaxes(green.conj(), -1, -2)
    return np.trace(product, axis1=-2, axis2=-1).real


def mean_transmission(omega_rad_ps: ArrayLike, blocks_per_k: Sequence[InterfaceBlocks],
                      weights: ArrayLike | None = None, **kwargs) -> np.ndarray:
    """k-averaged transmission Ξ̄(ω) = Σ_k w_k Ξ_k(ω) / Σ_k w_k.

    Parameters
    ----------
    omega_rad_ps : (n_ω,) float
        Angular frequencies (rad/ps).
    blocks_per_k : sequence of InterfaceBlocks, length n_k
        Blocks at each lateral k-point (e.g. :meth:`RealSpaceInterface.at_k`).
    weights : (n_k,) float, optional
        k-point weights (equal by default).
    **kwargs
        Passed to :func:`transmission`.

    Returns
    -------
    numpy.ndarray, shape (n_ω,)
        Ξ̄(ω) per cross-section of the principal layer; divide by its area for the
        transmission per unit area.
    """
    w = np.ones(len(blocks_per_k)) if weights is None else np.asarray(weights, dtype=float)
    if len(w) != len(blocks_per_k) or np.any(w < 0) or not w.sum() > 0:
        raise ValueError("need one non-negative weight per k-point, not all zero")
    total = sum(wk * transmission(omega_rad_ps, b, **kwargs) for wk, b in zip(w, blocks_per_k,
                                                                           strict=True))
    return total / w.sum()


# --------------------------------------------------------------------------------------
# Landauer conductance
# --------------------------------------------------------------------------------------
def heat_capacity_ratio(omega_rad_ps: ArrayLike, temperatures_K: ArrayLike) -> np.ndarray:
    """Mode heat capacity over k_B, c_q/k_B = x² eˣ/(eˣ − 1)², x = ħω/k_BT.

    Parameters
    ----------
    omega_rad_ps : (n_ω,) float
        Angular frequencies (rad/ps).
    temperatures_K : (n_T,) float
        Temperatures (K).

    Returns
    -------
    numpy.ndarray, shape (n_T, n_ω)
        Dimensionless ratio in [0, 1] (→ 1 classically); uses
        :func:`analysis.mismatch.mode_heat_capacity_J_K`.
    """
    omega_rad_s = np.asarray(omega_rad_ps, dtype=float) / constants.pico
    return np.array([mode_heat_capacity_J_K(omega_rad_s, float(t)) / constants.k
                     for t in np.atleast_1d(np.asarray(temperatures_K, dtype=float))])


def _landauer(omega_rad_ps: ArrayLike, transmission: ArrayLike, area_A2: float,
              weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(1/A) ∫ Ξ w dω/2π by the trapezoid rule, and a Richardson error estimate (W/m²K)."""
    omega = np.asarray(omega_rad_ps, dtype=float)
    xi = np.asarray(transmission, dtype=float)
    if omega.ndim != 1 or omega.shape != xi.shape or omega.size < 3:
        raise ValueError("need matching one-dimensional omega and transmission, >= 3 points")
    if np.any(np.diff(omega) <= 0) or omega[0] < 0:
        raise ValueError("omega_rad_ps must be non-negative and increasing")
    if not area_A2 > 0:
        raise ValueError(f"area_A2 must be positive, got {area_A2!r}")
    integrand = xi * weight / (2 * np.pi)
    full = np.trapezoid(integrand, omega, axis=-1)
    half = np.trapezoid(integrand[..., ::2], omega[::2], axis=-1)
    if (omega.size - 1) % 2:  # odd number of intervals: close the coarse grid
        half = half + np.trapezoid(integrand[..., -2:], omega[-2:], axis=-1)
    factor = W_M2K_PER_KB_PS_A2 / area_A2
    return full * factor, np.abs(full - half) / 3 * factor


def classical_conductance_W_m2K(omega_rad_ps: ArrayLike, transmission: ArrayLike,
                                area_A2: float) -> dict[str, float]:
    """Classical Landauer conductance per unit area, G = (k_B/A) ∫ Ξ(ω) dω/2π.

    The limit ħω ∂n/∂T → k_B, comparable with classical MD.

    Parameters
    ----------
    omega_rad_ps : (n_ω,) float
        Increasing angular frequencies from ≈ 0 past the top of the band (rad/ps).
    transmission : (n_ω,) float
        Ξ(ω) of the cross-section (e.g. :func:`mean_transmission`).
    area_A2 : float
        Cross-section area of the principal layer (Å²).

    Returns
    -------
    dict
        ``G_W_m2K`` and ``quadrature_error_W_m2K`` (Richardson estimate, trapezoid on
        the full grid against every other point); AGF itself has no statistical error.
    """
    omega = np.asarray(omega_rad_ps, dtype=float)
    g, err = _landauer(omega, transmission, area_A2, np.ones_like(omega))
    return {"G_W_m2K": float(g), "quadrature_error_W_m2K": float(err)}


def quantum_conductance_W_m2K(omega_rad_ps: ArrayLike, transmission: ArrayLike, area_A2: float,
                              temperatures_K: ArrayLike) -> dict[str, np.ndarray]:
    """Landauer conductance per unit area, G(T) = (1/A) ∫ ħω ∂n/∂T Ξ(ω) dω/2π.

    Parameters
    ----------
    omega_rad_ps, transmission, area_A2
        As in :func:`classical_conductance_W_m2K`.
    temperatures_K : (n_T,) float
        Temperatures (K).

    Returns
    -------
    dict
        ``temperature_K`` (n_T,), ``G_W_m2K`` (n_T,) and ``quadrature_error_W_m2K``
        (n_T,).  At low T the grid must resolve ω ~ k_BT/ħ.
    """
    temps = np.atleast_1d(np.asarray(temperatures_K, dtype=float))
    g, err = _landauer(omega_rad_ps, transmission, area_A2,
                       heat_capacity_ratio(omega_rad_ps, temps))
    return {"temperature_K": temps, "G_W_m2K": g, "quadrature_error_W_m2K": err}


def classical_conductance_MW_m2K(omega_rad_ps: ArrayLike, transmission: ArrayLike,
                                 area_A2: float) -> dict[str, float]:
    """:func:`classical_conductance_W_m2K` in MW m⁻² K⁻¹ (keys ``G_MW_m2K``, ...)."""
    res = classical_conductance_W_m2K(omega_rad_ps, transmission, area_A2)
    return {"G_MW_m2K": res["G_W_m2K"] / _MEGA,
            "quadrature_error_MW_m2K": res["quadrature_error_W_m2K"] / _MEGA}


def quantum_conductance_MW_m2K(omega_rad_ps: ArrayLike, transmission: ArrayLike, area_A2: float,
                               temperatures_K: ArrayLike) -> dict[str, np.ndarray]:
    """:func:`quantum_conductance_W_m2K` in MW m⁻² K⁻¹ (keys ``G_MW_m2K``, ...)."""
    res = quantum_conductance_W_m2K(omega_rad_ps, transmission, area_A2, temperatures_K)
    return {"temperature_K": res["temperature_K"], "G_MW_m2K": res["G_W_m2K"] / _MEGA,
            "quadrature_error_MW_m2K": res["quadrature_error_W_m2K"] / _MEGA}
