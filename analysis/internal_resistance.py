"""Internal-resistance error of the lumped two-reservoir model of Green-Kubo relaxation.

:mod:`analysis.green_kubo` turns the relaxation time τ of ΔT = T_A − T_B in a cell periodic
along z (sides A and B alternate, two equivalent interfaces, :mod:`structures.periodic`)
into G = C_eff/(A τ), C_eff = C_A C_B/(C_A + C_B), A the total interface area.  That is
the *lumped* model: each side isothermal.  With finite conductivities κ_A, κ_B each side
also resists, the slowest mode relaxes more slowly, and A τ/C_eff overestimates 1/G.  This
module solves the 1-D continuum problem exactly and quantifies / removes that error.

Continuum model
---------------
Heat diffusion c_i ∂T/∂t = κ_i ∂²T/∂z² in each side (c_i volumetric heat capacity,
J m⁻³ K⁻¹; κ_i W m⁻¹ K⁻¹), flux continuity at each interface and the jump (Robin /
contact-resistance) condition q = G (T_A − T_B)|_interface.  The periodic cell is mirror
symmetric about the mid-plane of each side, and on the ring the two reflections coincide,
so every mode is even or odd about both mid-planes.  Odd modes have zero mean over each
side: they do not enter ΔT.  The even modes live on the half-cell from the mid-plane of A
(x = 0) to the mid-plane of B, with zero flux at both ends: a two-layer slab with contact
resistance and insulated faces (Carslaw & Jaeger, *Conduction of Heat in Solids*, 2nd ed.,
Oxford 1959, composite media and the contact-resistance condition; Özişik, *Heat
Conduction*, 2nd ed., Wiley 1993, composite media; F. de Monte, Int. J. Therm. Sci. 45,
882 (2006), two-layer slab with interlayer contact resistance).

With a = L_A/2, b = L_B/2, decay e^{−λt}, k_i = √(λ c_i/κ_i), z_A = k_A a, z_B = k_B b::

    T_A = α cos(k_A x)  (distance x from A's mid-plane),
    T_B = β cos(k_B x') (distance x' from B's mid-plane).

The flux leaving A is q = κ_A k_A α sin z_A = −κ_B k_B β sin z_B (continuity), so the
interface temperatures are T_A(a) = q cot(z_A)/(κ_A k_A), T_B(b) = −q cot(z_B)/(κ_B k_B);
the jump condition q = G [T_A(a) − T_B(b)] gives the eigenvalue equation (series
resistances: interface = side A + side B "impedances")::

    1/G = cot(z_A)/(κ_A k_A) + cot(z_B)/(κ_B k_B)
        = (a/κ_A) cot(z_A)/z_A + (b/κ_B) cot(z_B)/z_B.                        (1)

(The two sides' κ k tan(z) are *not* equal to each other: they add as inverse
impedances.)  Each term decreases with λ on 0 < z_i < π, from +∞, so (1) has exactly one
root below the first pole z_i = π: the slowest ΔT mode.  That mode may have z_i > π/2 (a
sign change inside a side) when a side's internal resistance exceeds 1/G; the equation
covers that branch.  (An odd mode, internal to a thick slow side, can be slower still, but
it is invisible in ΔT.)  With h(z) = (1 − z cot z)/z², h(0) = 1/3, increasing on [0, π), and
1/(λ c_i a_i) = (a_i/κ_i)/z_i², (1) reads exactly::

    A τ/C_eff − 1/G = (a/κ_A) h(z_A) + (b/κ_B) h(z_B)   (τ = 1/λ,  A/C_eff = 1/(c_A a) + 1/(c_B b))

which is the error the lumped estimator adds to R_K = 1/G
(:func:`lumped_resistance_bias_m2K_W`).  Since z cot z = 1 − z²/3 − z⁴/45 − …, the small-
Biot limit is::

    bias → L_A/(6 κ_A) + L_B/(6 κ_B)                                                 (2)

(each half-slab of length L/2 contributes (L/2)/(3κ)); the next term is (a/κ)·z²/45 per
side, a relative correction z²/15 with z_A² ≈ (G L_A/2κ_A)(1 + C_A/C_B) (C_i = c_i L_i):
Bi/15 in a symmetric cell (Bi = G L/κ), larger when the resistive side also holds most of
the capacity.  κ = ∞ gives z = 0 and the lumped model.

ΔT is not a single exponential: its autocorrelation is Σ_n w_n e^{−λ_n t} over the even
modes, the slowest carrying the share w₁ (:func:`slowest_mode_weight`; ≥ 0.97 for the
project's cells at plausible κ).  The resistance (2) is *exact*, at any Biot number, for the integral time
∫⟨ΔT(t)ΔT(0)⟩dt/⟨ΔT²⟩ (the steady problem with a uniform source in A and sink in B:
:func:`integral_relaxation_time_ps`), so an estimator that measures a τ between the
integral time and the slowest mode's is biased by between (2) and the exact bias above.
The eigenvalue, w₁ and the integral time are checked against a finite-volume solution of
the whole periodic ring in ``tests/analysis/test_internal_resistance.py``.

Inversion.  At a given τ, (1) is linear in 1/G, so the corrected conductance is explicit
(no root finding is needed):  1/G = A τ/C_eff − (a/κ_A) h(z_A) − (b/κ_B) h(z_B) with
z_i = a_i √(c_i/(κ_i τ)).  The map τ ↦ G is decreasing, so a τ interval maps to a G
interval end for end (:func:`corrected_conductance`).  A τ at or below the G → ∞ limit
(:func:`minimum_relaxation_time_ps`) means the sides' own resistance already explains the
relaxation: G = ∞, R = 0.

Units: lengths in Å (side lengths L_A, L_B: the full side thickness in the periodic cell),
G in MW m⁻² K⁻¹, R in m² K W⁻¹, τ in ps, κ in W m⁻¹ K⁻¹, c in J m⁻³ K⁻¹.  κ = ``inf`` is
allowed (isothermal side).  The Fourier model needs a side thicker than the phonon mean
free path; for ballistic sides use a size-limited (effective) κ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import constants, optimize

from .units import M_PER_A, S_PER_PS

__all__ = [
    "CorrectedConductance",
    "biot_numbers",
    "classical_volumetric_heat_capacity_J_m3K",
    "corrected_conductance",
    "corrected_conductance_from_lumped",
    "integral_relaxation_time_ps",
    "lumped_relaxation_time_ps",
    "lumped_resistance_bias_m2K_W",
    "minimum_relaxation_time_ps",
    "slowest_mode_weight",
    "slowest_relaxation_time_ps",
    "small_biot_bias_m2K_W",
]

_M_PER_A = M_PER_A  # [m/Å]
_S_PER_PS = S_PER_PS  # [s/ps]
_W_PER_MW = constants.mega  # [W/MW]
_M3_PER_A3 = M_PER_A**3  # [m³/Å³]

#: Below this z the series of h(z) is used (truncation error < 1e-15 relative).
_H_SERIES_Z = 0.1


def _h(z: float) -> float:
    """h(z) = (1 − z cot z)/z²: 1/3 at z = 0, increasing, → +∞ at z → π (dimensionless)."""
    if z < _H_SERIES_Z:
        z2 = z * z
        return 1 / 3 + z2 * (1 / 45 + z2 * (2 / 945 + z2 * (1 / 4725 + z2 * 2 / 93555)))
    return (1.0 - z / math.tan(z)) / (z * z)


def _sinc(z: float) -> float:
    """sin(z)/z (1 at z = 0)."""
    return 1.0 if z == 0 else math.sin(z) / z


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not value > 0:  # also rejects NaN
            raise ValueError(f"{name} must be positive, got {value!r}")


@dataclass(frozen=True)
class _Cell:
    """SI half-lengths a_i (m), κ_i (W/mK), c_i (J/m³K) of the two sides."""

    a: tuple[float, float]
    kappa: tuple[float, float]
    c: tuple[float, float]

    @classmethod
    def build(cls, L_A_A: float, L_B_A: float, kappa_A_W_mK: float, kappa_B_W_mK: float,
              c_A_J_m3K: float, c_B_J_m3K: float) -> _Cell:
        _check_positive(L_A_A=L_A_A, L_B_A=L_B_A, kappa_A_W_mK=kappa_A_W_mK,
                        kappa_B_W_mK=kappa_B_W_mK, c_A_J_m3K=c_A_J_m3K, c_B_J_m3K=c_B_J_m3K)
        return cls(a=(0.5 * L_A_A * _M_PER_A, 0.5 * L_B_A * _M_PER_A),
                   kappa=(float(kappa_A_W_mK), float(kappa_B_W_mK)),
                   c=(float(c_A_J_m3K), float(c_B_J_m3K)))

    @property
    def inverse_capacity(self) -> float:
        """S = A/C_eff = 1/(c_A a) + 1/(c_B b)  [m² K J⁻¹]."""
        return sum(1.0 / (c * a) for c, a in zip(self.c, self.a, strict=True))

    def z(self, lam_per_s: float) -> tuple[float, ...]:
        """z_i = a_i √(λ c_i/κ_i) (0 for κ = ∞)."""
        return tuple(a * math.sqrt(lam_per_s * c / k) for a, c, k in
                     zip(self.a, self.c, self.kappa, strict=True))

    def internal(self, lam_per_s: float) -> float:
        """Σ (a_i/κ_i) h(z_i) [m²K/W]: the sides' share of A τ/C_eff at rate λ."""
        return sum(a / k * _h(z) for a, k, z in
                   zip(self.a, self.kappa, self.z(lam_per_s), strict=True))

    def pole_rate(self) -> float:
        """Rate (1/s) at which the first z_i reaches π (∞ if both κ are ∞)."""
        return min(math.pi**2 * k / (c * a * a) for a, c, k in
                   zip(self.a, self.c, self.kappa, strict=True))


def _slowest_rate_per_s(G_W_m2K: float, cell: _Cell) -> float:
    """Smallest root λ (1/s) of (1), via y = λ_L/λ = τ/τ_lumped ≥ 1.

    (1) ⇔ y = 1 + G Σ (a_i/κ_i) h(z_i), z_i² = β_i/y, β_i = λ_L c_i a_i²/κ_i: the right side
    decreases with y, the left increases, so the root is unique above the pole y_p = λ_L/λ_pole.
    """
    pole = cell.pole_rate()
    if math.isinf(G_W_m2K):  # Σ (a_i/κ_i) cot(z_i)/z_i = 0: S/λ − Σ (a_i/κ_i) h(z_i) = 0
        def surplus(lam: float) -> float:  # decreasing, +∞ at 0, −∞ at the pole
            return cell.inverse_capacity / lam - cell.internal(lam)

        return optimize.brentq(surplus, pole * 1e-9, pole * (1.0 - 1e-12), xtol=1e-300,
                               rtol=4 * np.finfo(float).eps, maxiter=500)
    lam_lumped = G_W_m2K * cell.inverse_capacity

    def excess(y: float) -> float:  # RHS − LHS, decreasing in y
        return 1.0 + G_W_m2K * cell.internal(lam_lumped / y) - y

    y_pole = lam_lumped / pole if math.isfinite(pole) else 0.0
    lo = max(1.0 + G_W_m2K * sum(a / (3 * k) for a, k in zip(cell.a, cell.kappa, strict=True)),
             y_pole * (1.0 + 1e-12))
    if excess(lo) <= 0:  # only when both sides are isothermal: y = 1 exactly
        return lam_lumped / lo
    hi = 2.0 * lo
    while excess(hi) > 0:
        hi *= 2.0
    y = optimize.brentq(excess, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
    return lam_lumped / y


def lumped_relaxation_time_ps(G_MW_m2K: float, L_A_A: float, L_B_A: float,
                              c_A_J_m3K: float, c_B_J_m3K: float) -> float:
    """τ of the lumped model, C_eff/(G A) = 1/[G (2/(c_A L_A) + 2/(c_B L_B))] (ps).

    Parameters
    ----------
    G_MW_m2K : float
        Interfacial conductance (MW m⁻² K⁻¹).
    L_A_A, L_B_A : float
        Thickness of side A and of side B in the periodic cell (Å); each side's capacity
        per unit of *total* interface area (two interfaces) is c_i L_i/2.
    c_A_J_m3K, c_B_J_m3K : float
        Volumetric heat capacities (J m⁻³ K⁻¹), e.g.
        :func:`classical_volumetric_heat_capacity_J_m3K`.

    Returns
    -------
    float
        τ (ps).
    """
    _check_positive(G_MW_m2K=G_MW_m2K)
    cell = _Cell.build(L_A_A, L_B_A, math.inf, math.inf, c_A_J_m3K, c_B_J_m3K)
    return 1.0 / (G_MW_m2K * _W_PER_MW * cell.inverse_capacity) / _S_PER_PS


def slowest_relaxation_time_ps(G_MW_m2K: float, L_A_A: float, L_B_A: float,
                               kappa_A_W_mK: float, kappa_B_W_mK: float,
                               c_A_J_m3K: float, c_B_J_m3K: float) -> float:
    """Exact relaxation time (ps) of the slowest ΔT mode of the periodic A|B|A|B cell.

    1/λ for the smallest root λ of eq. (1) of the module docstring,
    1/G = (a/κ_A) cot(z_A)/z_A + (b/κ_B) cot(z_B)/z_B, z_i = (L_i/2) √(λ c_i/κ_i)
    (Carslaw & Jaeger 1959, composite media with contact resistance).  Always ≥
    :func:`lumped_relaxation_time_ps`; equal for κ_A = κ_B = ∞.

    Parameters
    ----------
    G_MW_m2K : float
        Interfacial conductance (MW m⁻² K⁻¹); ``inf`` gives the internal-only limit
        (:func:`minimum_relaxation_time_ps`).
    L_A_A, L_B_A : float
        Side thicknesses (Å).
    kappa_A_W_mK, kappa_B_W_mK : float
        Thermal conductivities (W m⁻¹ K⁻¹), ``inf`` allowed (not both with G = ∞).
    c_A_J_m3K, c_B_J_m3K : float
        Volumetric heat capacities (J m⁻³ K⁻¹).

    Returns
    -------
    float
        τ (ps).
    """
    _check_positive(G_MW_m2K=G_MW_m2K)
    cell = _Cell.build(L_A_A, L_B_A, kappa_A_W_mK, kappa_B_W_mK, c_A_J_m3K, c_B_J_m3K)
    if math.isinf(G_MW_m2K) and not math.isfinite(cell.pole_rate()):
        raise ValueError("G and both conductivities infinite: no relaxation")
    return 1.0 / _slowest_rate_per_s(G_MW_m2K * _W_PER_MW, cell) / _S_PER_PS


def minimum_relaxation_time_ps(L_A_A: float, L_B_A: float, kappa_A_W_mK: float,
                               kappa_B_W_mK: float, c_A_J_m3K: float,
                               c_B_J_m3K: float) -> float:
    """Slowest-mode τ (ps) for G → ∞: the shortest τ any finite G can produce.

    Root of (a/κ_A) cot(z_A)/z_A + (b/κ_B) cot(z_B)/z_B = 0.  Same parameters as
    :func:`slowest_relaxation_time_ps` without G.
    """
    return slowest_relaxation_time_ps(math.inf, L_A_A, L_B_A, kappa_A_W_mK, kappa_B_W_mK,
                                      c_A_J_m3K, c_B_J_m3K)


def lumped_resistance_bias_m2K_W(G_MW_m2K: float, L_A_A: float, L_B_A: float,
                                 kappa_A_W_mK: float, kappa_B_W_mK: float,
                                 c_A_J_m3K: float, c_B_J_m3K: float) -> float:
    """What the lumped estimator adds to R_K: A τ_exact/C_eff − 1/G (m² K W⁻¹), exact.

    Equals (L_A/2κ_A) h(z_A) + (L_B/2κ_B) h(z_B), h(z) = (1 − z cot z)/z², at the slowest
    root of eq. (1); → :func:`small_biot_bias_m2K_W` = L_A/(6κ_A) + L_B/(6κ_B) for small
    Biot numbers, larger otherwise.  Parameters as :func:`slowest_relaxation_time_ps`.

    Returns
    -------
    float
        Bias of R_K (m² K W⁻¹), ≥ 0.
    """
    _check_positive(G_MW_m2K=G_MW_m2K)
    cell = _Cell.build(L_A_A, L_B_A, kappa_A_W_mK, kappa_B_W_mK, c_A_J_m3K, c_B_J_m3K)
    return cell.internal(_slowest_rate_per_s(G_MW_m2K * _W_PER_MW, cell))


def small_biot_bias_m2K_W(L_A_A: float, L_B_A: float, kappa_A_W_mK: float,
                          kappa_B_W_mK: float) -> float:
    """Leading-order bias L_A/(6 κ_A) + L_B/(6 κ_B) (m² K W⁻¹), lengths in Å.

    The limit of :func:`lumped_resistance_bias_m2K_W` as G L/κ → 0 (z cot z = 1 − z²/3 − …),
    relative error ≈ z²/15 (Bi/15 in a symmetric cell, Bi = G L/κ); exact, at any Biot
    number, for the integral time (:func:`integral_relaxation_time_ps`).
    """
    _check_positive(L_A_A=L_A_A, L_B_A=L_B_A, kappa_A_W_mK=kappa_A_W_mK,
                    kappa_B_W_mK=kappa_B_W_mK)
    return (L_A_A / kappa_A_W_mK + L_B_A / kappa_B_W_mK) * _M_PER_A / 6.0


def integral_relaxation_time_ps(G_MW_m2K: float, L_A_A: float, L_B_A: float,
                                kappa_A_W_mK: float, kappa_B_W_mK: float,
                                c_A_J_m3K: float, c_B_J_m3K: float) -> float:
    """Integral time ∫₀^∞⟨ΔT(t)ΔT(0)⟩dt / ⟨ΔT²⟩ of the continuum model (ps), exact.

    ΔT's autocorrelation is Σ_n w_n e^{−λ_n t} over all even modes; its integral is
    (C_eff/A)(1/G + L_A/(6κ_A) + L_B/(6κ_B)), from the steady profile under a uniform source
    in A and sink in B (parabolic in each side: mean-to-face drop a/(3κ) per half-slab).
    Lies between the lumped τ and :func:`slowest_relaxation_time_ps`.  Parameters as there.
    """
    lumped = lumped_relaxation_time_ps(G_MW_m2K, L_A_A, L_B_A, c_A_J_m3K, c_B_J_m3K)
    bias = small_biot_bias_m2K_W(L_A_A, L_B_A, kappa_A_W_mK, kappa_B_W_mK)
    return lumped * (1.0 + G_MW_m2K * _W_PER_MW * bias)


def slowest_mode_weight(G_MW_m2K: float, L_A_A: float, L_B_A: float, kappa_A_W_mK: float,
                        kappa_B_W_mK: float, c_A_J_m3K: float, c_B_J_m3K: float) -> float:
    """Share w₁ of the equilibrium variance of ΔT carried by the slowest mode (0 < w₁ ≤ 1).

    With the mode normalised in the capacity-weighted inner product and local equipartition
    (⟨δT(x)δT(x')⟩ ∝ δ(x − x')/c), w₁ = S/N with S = 1/(c_A a) + 1/(c_B b) and
    N = Σ_i (1 + sinc 2z_i)/(2 c_i a_i sinc² z_i) (sinc z = sin z/z).  1 for κ = ∞; the
    rest, 1 − w₁, decays with the faster internal modes.  Parameters as
    :func:`slowest_relaxation_time_ps`.
    """
    _check_positive(G_MW_m2K=G_MW_m2K)
    cell = _Cell.build(L_A_A, L_B_A, kappa_A_W_mK, kappa_B_W_mK, c_A_J_m3K, c_B_J_m3K)
    zs = cell.z(_slowest_rate_per_s(G_MW_m2K * _W_PER_MW, cell))
    norm = sum((1.0 + _sinc(2 * z)) / (2 * c * a * _sinc(z) ** 2)
               for a, c, z in zip(cell.a, cell.c, zs, strict=True))
    return cell.inverse_capacity / norm


def biot_numbers(G_MW_m2K: float, L_A_A: float, L_B_A: float, kappa_A_W_mK: float,
                 kappa_B_W_mK: float) -> tuple[float, float]:
    """Bi_i = G L_i/κ_i of each side (dimensionless): internal over interface resistance."""
    _check_positive(G_MW_m2K=G_MW_m2K, L_A_A=L_A_A, L_B_A=L_B_A)
    G = G_MW_m2K * _W_PER_MW
    return (G * L_A_A * _M_PER_A / kappa_A_W_mK, G * L_B_A * _M_PER_A / kappa_B_W_mK)


def classical_volumetric_heat_capacity_J_m3K(number_density_per_A3: float) -> float:
    """c = 3 n k_B (J m⁻³ K⁻¹), the classical (Dulong-Petit) value, n in atoms per Å³.

    E.g. diamond Si: n = 8/a³, fcc: n = 4/a³ (a in Å); consistent with the C = 3 N k_B of
    :func:`analysis.green_kubo.classical_heat_capacity_eV_K` when L_i = N_i/(n_i × area).
    """
    _check_positive(number_density_per_A3=number_density_per_A3)
    return 3.0 * number_density_per_A3 / _M3_PER_A3 * constants.k


@dataclass(frozen=True)
class CorrectedConductance:
    """G and R_K with the sides' internal resistance removed (see the module docstring).

    Attributes
    ----------
    G_MW_m2K, R_K_m2K_W : float
        Corrected conductance (``inf`` if τ ≤ the G → ∞ limit) and resistance (0 then).
    G_ci95_MW_m2K, R_K_ci95_m2K_W : tuple of float or None
        (low, high) mapped end for end from the τ interval (τ ↦ G is decreasing).
    G_lumped_MW_m2K : float
        C_eff/(A τ) of the lumped model, for comparison.
    bias_m2K_W : float
        A τ/C_eff − 1/G_corrected = Σ (L_i/2κ_i) h(z_i) at the measured τ (the
        internal-resistance part removed); ``nan`` if G = ∞.
    biot : tuple of float
        G L_i/κ_i of each side at the corrected G.
    """

    G_MW_m2K: float
    R_K_m2K_W: float
    G_ci95_MW_m2K: tuple[float, float] | None
    R_K_ci95_m2K_W: tuple[float, float] | None
    G_lumped_MW_m2K: float
    bias_m2K_W: float
    biot: tuple[float, float]


def _corrected_resistance(tau_ps: float, cell: _Cell) -> float:
    """1/G (m²K/W) from eq. (1) at λ = 1/τ, clipped at 0 (G = ∞) below the G → ∞ limit."""
    lam = 1.0 / (tau_ps * _S_PER_PS)
    if lam >= cell.pole_rate():
        return 0.0
    return max(cell.inverse_capacity / lam - cell.internal(lam), 0.0)


def corrected_conductance(tau_ps: float, L_A_A: float, L_B_A: float, kappa_A_W_mK: float,
                          kappa_B_W_mK: float, c_A_J_m3K: float, c_B_J_m3K: float, *,
                          tau_ci95_ps: tuple[float, float] | None = None,
                          ) -> CorrectedConductance:
    """Invert eq. (1): the G whose slowest ΔT mode relaxes in the measured τ.

    At fixed λ = 1/τ eq. (1) is linear in 1/G, so the inverse is explicit:
    1/G = τ [1/(c_A a) + 1/(c_B b)] − (a/κ_A) h(z_A) − (b/κ_B) h(z_B),
    z_i = a_i √(c_i/(κ_i τ)), a = L_A/2, b = L_B/2 — the lumped A τ/C_eff minus the sides'
    internal resistance.  It returns exactly the G that generated τ through
    :func:`slowest_relaxation_time_ps`.  G decreases with τ, so the ends of ``tau_ci95_ps``
    map to the ends of the G interval (an unbounded τ end, ``inf`` or ``None``, gives G = 0).

    Parameters
    ----------
    tau_ps : float
        Measured relaxation time of ΔT (ps).
    L_A_A, L_B_A : float
        Side thicknesses (Å).
    kappa_A_W_mK, kappa_B_W_mK : float
        Side conductivities (W m⁻¹ K⁻¹).
    c_A_J_m3K, c_B_J_m3K : float
        Volumetric heat capacities (J m⁻³ K⁻¹), the ones behind C_eff.
    tau_ci95_ps : (float, float), optional
        Interval of τ (ps).

    Returns
    -------
    CorrectedConductance
    """
    _check_positive(tau_ps=tau_ps)
    cell = _Cell.build(L_A_A, L_B_A, kappa_A_W_mK, kappa_B_W_mK, c_A_J_m3K, c_B_J_m3K)
    resistance = _corrected_resistance(tau_ps, cell)
    lumped_R = tau_ps * _S_PER_PS * cell.inverse_capacity
    G = 1.0 / resistance / _W_PER_MW if resistance > 0 else math.inf
    g_ci = r_ci = None
    if tau_ci95_ps is not None:
        lo, hi = tau_ci95_ps
        r_lo = _corrected_resistance(lo, cell) if lo is not None and lo > 0 else 0.0
        r_hi = math.inf if hi is None or math.isinf(hi) else _corrected_resistance(hi, cell)
        r_ci = (r_lo, r_hi)
        g_ci = tuple(1.0 / r / _W_PER_MW if r > 0 else math.inf for r in (r_hi, r_lo))
    return CorrectedConductance(
        G_MW_m2K=G, R_K_m2K_W=resistance, G_ci95_MW_m2K=g_ci, R_K_ci95_m2K_W=r_ci,
        G_lumped_MW_m2K=1.0 / lumped_R / _W_PER_MW,
        bias_m2K_W=lumped_R - resistance if resistance > 0 else math.nan,
        biot=biot_numbers(G, L_A_A, L_B_A, kappa_A_W_mK, kappa_B_W_mK)
        if math.isfinite(G) else (math.inf, math.inf))


def corrected_conductance_from_lumped(G_lumped_MW_m2K: float, L_A_A: float, L_B_A: float,
                                      kappa_A_W_mK: float, kappa_B_W_mK: float,
                                      c_A_J_m3K: float, c_B_J_m3K: float, *,
                                      G_lumped_ci95_MW_m2K: tuple[float, float] | None = None,
                                      ) -> CorrectedConductance:
    """:func:`corrected_conductance` from the lumped estimate G = C_eff/(A τ) instead of τ.

    τ = 1/(G_lumped [2/(c_A L_A) + 2/(c_B L_B)]); consistent with
    :mod:`analysis.green_kubo` when c_i L_i × area = 3 N_i k_B.  A G interval (low, high)
    maps to the τ interval (high, low); a low end of 0 or ``None`` means τ unbounded.
    """
    _check_positive(G_lumped_MW_m2K=G_lumped_MW_m2K)
    tau = lumped_relaxation_time_ps(G_lumped_MW_m2K, L_A_A, L_B_A, c_A_J_m3K, c_B_J_m3K)
    tau_ci = None
    if G_lumped_ci95_MW_m2K is not None:
        g_lo, g_hi = G_lumped_ci95_MW_m2K
        tau_ci = (0.0 if g_hi is None or math.isinf(g_hi) else
                  tau * G_lumped_MW_m2K / g_hi,
                  math.inf if g_lo is None or not g_lo > 0 else tau * G_lumped_MW_m2K / g_lo)
    return corrected_conductance(tau, L_A_A, L_B_A, kappa_A_W_mK, kappa_B_W_mK,
                                 c_A_J_m3K, c_B_J_m3K, tau_ci95_ps=tau_ci)
