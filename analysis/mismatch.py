"""Mismatch models of the thermal boundary conductance: AMM, DMM, radiation limit.

Everything is SI: ω in rad/s, velocities in m/s, densities in kg/m³ and m⁻³, DOS per
unit volume and per rad/s (s m⁻³), G in W m⁻² K⁻¹ (convert with
:func:`analysis.units.resistance_m2K_W` at the boundary).

The conductance from side 1 to side 2 is (Swartz & Pohl, Rev. Mod. Phys. 61, 605,
1989, eq. 16, with the angle integral written as a hemispherical average)

    G₁₂ = ¼ Σ_j ∫ dω ħω ∂n/∂T · c₁ⱼ D₁ⱼ(ω) · ᾱ₁₂ⱼ(ω),   ᾱ = 2∫₀^{π/2} α(θ, ω) cosθ sinθ dθ,

so that α = 1 everywhere gives the phonon radiation of side 1, ¼ Σ∫ħω c D ∂n/∂T dω.
``ħω ∂n/∂T`` is the mode heat capacity (:func:`mode_heat_capacity_J_K`): Bose–Einstein,
or k_B for classical statistics, the one comparable to classical MD.

Models (the ``model`` argument):

* ``"amm"`` -- the complete acoustic mismatch model of two isotropic solids
  (:func:`amm_channel_transmissions`, :mod:`analysis.elastic_interface`): the elastic
  boundary conditions of a welded interface (continuous displacement and traction)
  solved for incident L, SV and SH waves, with reflected and transmitted L and SV (mode
  conversion L ↔ SV), Snell refraction, critical angles and evanescent waves (Swartz &
  Pohl §II.B; Achenbach 1973 ch. 5; Aki & Richards 2002 §5.2).  The Debye branches are
  (L, T1, T2) = (L, SV, SH): the transverse branch is split equally between the
  in-plane (SV) and the horizontal (SH) polarisation.  A channel j → k transmits only
  below the Debye cut-offs of branch j on side 1 and of branch k on side 2 (above, the
  partner mode does not exist and the energy is reflected), which keeps detailed
  balance exact.  Continuum (Debye) only.
* ``"dmm"`` -- diffuse mismatch, α₁₂(ω) = P₂/(P₁ + P₂) with P = Σ_j c_j D_j(ω)
  (Swartz & Pohl eq. 24; Debye) or its full-dispersion form P = (2/V) Σ|v_z| δ(ω − ω_qν)
  (Reddy, Castelino & Majumdar, APL 87, 211908, 2005; :mod:`analysis.phonons`).
* ``"radiation"`` -- the phonon radiation limit: every phonon of the side with fewer
  modes at that frequency is transmitted, α₁₂(ω) = min(1, P₂/P₁), the largest
  transmission allowed by detailed balance for elastic scattering (Swartz & Pohl,
  section II.C, "phonon radiation limit").

The equivalent-equilibrium-temperature correction (Simons, J. Phys. C 7, 4048, 1974;
Zeng & Chen, J. Heat Transfer 123, 340, 2001) turns the emitted-phonon temperature into
the local equilibrium temperature that NEMD measures: :func:`eet_corrected`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants
from scipy.integrate import quad

from .elastic import averaged_velocities, hill_velocities
from .elastic_interface import IsotropicMedium, angle_averaged_transmission, fluid_transmission
from .elastic_interface import sh_transmission as _sh_transmission
from .phonons import PhononMesh, spectral_functions

__all__ = [
    "BRANCH_MODES",
    "HBAR_J_S",
    "KB_J_K",
    "MODELS",
    "VELOCITY_SETS",
    "DebyeSolid",
    "SpectralSolid",
    "amm_channel_transmissions",
    "amm_hemispherical_transmission",
    "amm_transmission",
    "conductance_debye",
    "conductance_full",
    "dmm_debye_transmission",
    "dmm_full_transmission",
    "eet_corrected",
    "eet_ratio_debye",
    "gray_eet_corrected",
    "isotropic_velocities",
    "low_temperature_conductance",
    "mismatch_table",
    "mode_heat_capacity_J_K",
    "radiation_conductance_debye",
    "radiation_conductance_full",
]

HBAR_J_S = constants.hbar  # [J s]
KB_J_K = constants.k  # [J/K]
#: Models with a Debye (continuum) form and with a full-dispersion form.
MODELS = {"debye": ("amm", "dmm", "radiation"), "full": ("dmm", "radiation")}
#: Polarisation of each Debye branch (L, T1, T2) in the AMM.
BRANCH_MODES = ("L", "SV", "SH")
#: Isotropic (v_L, v_T) of a cubic crystal for the Debye models (:func:`isotropic_velocities`).
VELOCITY_SETS = ("averaged", "axis", "hill", "radiation")


def isotropic_velocities(c11_GPa: float, c12_GPa: float, c44_GPa: float, density_kg_m3: float,
                         choice: str = "averaged") -> tuple[float, float]:
    """(v_L, v_T) of the isotropic Debye solid that stands for a cubic crystal (m/s).

    ``choice`` (:mod:`analysis.elastic`):

    * ``"averaged"`` (default) -- mode-count direction averages of the Christoffel
      velocities, v_L⁻³ = ⟨v_L⁻³⟩, 2v_T⁻³ = ⟨v_T1⁻³ + v_T2⁻³⟩: the Debye solid then has the
      crystal's elastic Debye temperature and its number of L and of T modes below every
      frequency, and the same velocities serve the DOS, the flux, Snell's law and Z = ρv.
    * ``"axis"`` -- [001] velocities √(C₁₁/ρ), √(C₄₄/ρ) (the earlier choice; exact only for
      waves along the cube axis).
    * ``"hill"`` -- the Voigt–Reuss–Hill isotropic solid (Anderson 1963).
    * ``"radiation"`` -- the velocities with the crystal's phonon radiation (number of
      transmission channels) through the (001) plane.
    """
    if choice == "axis":
        scale = 1e9 / density_kg_m3
        return math.sqrt(c11_GPa * scale), math.sqrt(c44_GPa * scale)
    if choice == "hill":
        return hill_velocities(c11_GPa, c12_GPa, c44_GPa, density_kg_m3)
    avg = averaged_velocities(c11_GPa, c12_GPa, c44_GPa, density_kg_m3)
    if choice == "averaged":
        return avg.longitudinal_m_s, avg.transverse_m_s
    if choice == "radiation":
        return avg.radiation_longitudinal_m_s, avg.radiation_transverse_m_s
    raise ValueError(f"unknown velocity choice '{choice}': choose one of {VELOCITY_SETS}")


def mode_heat_capacity_J_K(omega_rad_s: ArrayLike, temperature_K: float, *,
                           classical: bool = False) -> np.ndarray:
    """ħω ∂n/∂T per mode (J/K): k_B x² eˣ/(eˣ − 1)² with x = ħω/k_BT, or k_B if classical.

    Written as k_B (x/2)²/sinh²(x/2), stable for small and large x (→ k_B and → 0).
    """
    omega = np.asarray(omega_rad_s, dtype=float)
    if classical:
        return np.full_like(omega, KB_J_K)
    half = HBAR_J_S * omega / (2 * KB_J_K * temperature_K)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ratio = np.where(half > 1e-8, half / np.sinh(np.where(half > 1e-8, half, 1.0)), 1.0)
    return KB_J_K * np.nan_to_num(ratio, nan=0.0) ** 2


# --------------------------------------------------------------------------------------
# Continuum (Debye) solids
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DebyeSolid:
    """An isotropic Debye solid: density and one sound velocity per polarisation.

    Each branch j holds n modes per unit volume (n the number density), so its cut-off
    is ω_cj = c_j k_D with k_D = (6π² n)^{1/3} and its DOS D_j = ω²/(2π² c_j³) below it.

    Attributes
    ----------
    name
        Label (e.g. ``"Si (meam_jelinek2012)"``).
    density_kg_m3, number_density_m3
        ρ (kg/m³) and n (m⁻³).
    velocities_m_s
        (c_L, c_T1, c_T2) (m/s): the isotropic velocities of the branches, which the AMM
        treats as L, SV and SH (:data:`BRANCH_MODES`).
    """

    name: str
    density_kg_m3: float
    number_density_m3: float
    velocities_m_s: tuple[float, float, float]

    @classmethod
    def from_properties(cls, name: str, props: dict, *, velocities: str = "averaged",
                        elastic_GPa: tuple[float, float, float] | None = None) -> DebyeSolid:
        """From :func:`engine.material_properties.material_properties` output.

        ``velocities`` picks the isotropisation of :func:`isotropic_velocities`;
        ``elastic_GPa`` overrides (C11, C12, C44) (e.g. a sample of their uncertainty).
        """
        c11, c12, c44 = (props["C11_GPa"], props["C12_GPa"], props["C44_GPa"]) \
            if elastic_GPa is None else elastic_GPa
        rho = float(props["density_kg_m3"])
        v_l, v_t = isotropic_velocities(float(c11), float(c12), float(c44), rho, velocities)
        return cls(name, rho, float(props["number_density_m3"]), (v_l, v_t, v_t))

    def medium(self, mode: str) -> IsotropicMedium:
        """The isotropic elastic medium seen by a wave of ``mode`` (``"L"``, ``"SV"``, ``"SH"``).

        ρ, c_L and the shear velocity of the T1 (SV) or T2 (SH) branch.
        """
        shear = self.velocities_m_s[2] if mode == "SH" else self.velocities_m_s[1]
        return IsotropicMedium(self.density_kg_m3, self.velocities_m_s[0], shear)

    @property
    def velocities(self) -> np.ndarray:
        """(3,) velocities (m/s)."""
        return np.asarray(self.velocities_m_s, dtype=float)

    @property
    def wavevector_cutoff_m(self) -> float:
        """k_D = (6π² n)^{1/3} (1/m)."""
        return (6 * math.pi**2 * self.number_density_m3) ** (1 / 3)

    @property
    def cutoffs_rad_s(self) -> np.ndarray:
        """(3,) branch cut-offs ω_cj = c_j k_D (rad/s)."""
        return self.velocities * self.wavevector_cutoff_m

    @property
    def impedances(self) -> np.ndarray:
        """(3,) acoustic impedances Z_j = ρ c_j (kg m⁻² s⁻¹)."""
        return self.density_kg_m3 * self.velocities

    @property
    def debye_velocity_m_s(self) -> float:
        """Mean velocity c_D with 3/c_D³ = Σ_j 1/c_j³ (m/s)."""
        return (3 / np.sum(self.velocities**-3.0)) ** (1 / 3)

    @property
    def debye_temperature_K(self) -> float:
        """Θ_D = ħ c_D k_D / k_B (K)."""
        return HBAR_J_S * self.debye_velocity_m_s * self.wavevector_cutoff_m / KB_J_K

    def dos_s_m3(self, omega_rad_s: ArrayLike) -> np.ndarray:
        """Branch DOS per unit volume, shape (3, *omega.shape) (s m⁻³)."""
        omega = np.asarray(omega_rad_s, dtype=float)
        c = self.velocities.reshape((3,) + (1,) * omega.ndim)
        cut = self.cutoffs_rad_s.reshape(c.shape)
        return np.where((omega >= 0) & (omega <= cut), omega**2 / (2 * math.pi**2 * c**3), 0.0)

    def radiation_m2(self, omega_rad_s: ArrayLike) -> np.ndarray:
        """P(ω) = Σ_j c_j D_j(ω) (m⁻²)."""
        c = self.velocities.reshape((3,) + (1,) * np.ndim(omega_rad_s))
        return np.sum(c * self.dos_s_m3(omega_rad_s), axis=0)


def amm_transmission(theta1_rad: ArrayLike, z1: float, z2: float, c1: float, c2: float, *,
                     polarisation: str = "L") -> np.ndarray:
    """AMM energy transmission of one decoupled polarisation at incidence angle θ₁.

    ``"L"`` -- a longitudinal wave between fluids (no shear, hence no mode conversion),
    Swartz & Pohl (1989) eq. 19: each side presents the normal impedance Z/cosθ,

        α = 4 Z₁Z₂ cosθ₁ cosθ₂ / (Z₁ cosθ₂ + Z₂ cosθ₁)²;

    ``"SH"`` -- a shear-horizontal wave between solids (it never converts), each side
    presenting μη = Z cosθ,

        α = 4 Z₁Z₂ cosθ₁ cosθ₂ / (Z₁ cosθ₁ + Z₂ cosθ₂)²;

    sinθ₂ = (c₂/c₁) sinθ₁ and α = 0 beyond the critical angle arcsin(c₁/c₂).  Both agree
    at normal incidence, 4Z₁Z₂/(Z₁ + Z₂)².  Between solids the L and SV waves convert into
    each other: :func:`amm_channel_transmissions` solves that case.
    """
    if polarisation == "L":
        return fluid_transmission(theta1_rad, z1, z2, c1, c2)
    if polarisation == "SH":
        return _sh_transmission(theta1_rad, z1, z2, c1, c2)
    raise ValueError(f"polarisation must be 'L' or 'SH', not {polarisation!r}")


def amm_hemispherical_transmission(z1: float, z2: float, c1: float, c2: float, *,
                                   polarisation: str = "L") -> float:
    """ᾱ = 2∫₀^{π/2} α(θ₁) cosθ₁ sinθ₁ dθ₁ of :func:`amm_transmission` (= 1 for identical media).

    With u = sin²θ₁ this is ∫₀^{u_c} α du, u_c = min(1, c₁²/c₂²) (the critical angle).
    """
    u_c = min(1.0, (c1 / c2) ** 2)

    def integrand(u: float) -> float:
        return float(amm_transmission(math.asin(math.sqrt(u)), z1, z2, c1, c2,
                                      polarisation=polarisation))

    value, _ = quad(integrand, 0.0, u_c, limit=200, epsabs=1e-13, epsrel=1e-11)
    return value


def amm_channel_transmissions(side1: DebyeSolid, side2: DebyeSolid) -> np.ndarray:
    """Complete-AMM angle averages ᾱ[j, k] from branch j of side 1 into branch k of side 2.

    Branches (L, SV, SH) (:data:`BRANCH_MODES`); ᾱ = ∫₀¹ E d(sin²θ₁) with E the energy
    transmission coefficient of the welded-interface problem
    (:func:`analysis.elastic_interface.angle_averaged_transmission`): L and SV feed both
    transmitted L and SV, SH only SH.  Row sums are the total transmission of each
    incident branch; c₁ⱼ⁻² ᾱ₁₂[j, k] = c₂ₖ⁻² ᾱ₂₁[k, j] (reciprocity).

    Returns
    -------
    (3, 3) float
    """
    out = np.zeros((3, 3))
    for j, mode in enumerate(("L", "SV")):
        avg = angle_averaged_transmission(side1.medium(mode), side2.medium(mode), mode)
        out[j, :2] = avg["transmitted_L"], avg["transmitted_SV"]
    out[2, 2] = angle_averaged_transmission(side1.medium("SH"), side2.medium("SH"),
                                            "SH")["transmitted_SH"]
    return out


def dmm_debye_transmission(omega_rad_s: ArrayLike, side1: DebyeSolid, side2: DebyeSolid) -> np.ndarray:
    """DMM α₁₂(ω) = Σc₂D₂ / (Σc₁D₁ + Σc₂D₂) (Swartz & Pohl eq. 24); below all cut-offs
    Σ_j c₂ⱼ⁻² / (Σ_j c₁ⱼ⁻² + Σ_j c₂ⱼ⁻²).  Zero where neither side has modes."""
    p1, p2 = side1.radiation_m2(omega_rad_s), side2.radiation_m2(omega_rad_s)
    total = p1 + p2
    return np.divide(p2, total, out=np.zeros_like(total), where=total > 0)


def _debye_alpha(model: str, side1: DebyeSolid, side2: DebyeSolid, branch: int):
    """α₁₂(ω) of ``branch`` of side 1 as a function of ω (vectorised)."""
    if model == "unity":
        return lambda w: np.ones_like(np.asarray(w, dtype=float))
    if model == "amm":
        channels = amm_channel_transmissions(side1, side2)[branch]
        cuts = side2.cutoffs_rad_s

        def alpha_amm(w):
            w = np.asarray(w, dtype=float)
            return sum(a * (w <= cut) for a, cut in zip(channels, cuts, strict=True) if a > 0)
        return alpha_amm
    if model == "dmm":
        return lambda w: dmm_debye_transmission(w, side1, side2)
    if model == "radiation":
        def alpha(w):
            p1, p2 = side1.radiation_m2(w), side2.radiation_m2(w)
            return np.divide(np.minimum(p1, p2), p1, out=np.zeros_like(p1), where=p1 > 0)
        return alpha
    raise ValueError(f"unknown model '{model}': choose one of {MODELS['debye']}")


def conductance_debye(side1: DebyeSolid, side2: DebyeSolid, temperatures_K: ArrayLike, *,
                      model: str, classical: bool = False) -> np.ndarray:
    """G₁₂(T) of a Debye model (W m⁻² K⁻¹), Swartz & Pohl eq. 16 (see the module docstring).

    G₁₂ = ¼ Σ_j ∫₀^{ω_c1j} ħω ∂n/∂T c₁ⱼ D₁ⱼ(ω) ᾱ₁₂ⱼ(ω) dω, integrated by adaptive
    quadrature with break points at every cut-off.  Classical statistics: every ᾱ of
    these models is constant between cut-offs (c D ∝ ω² on both sides), so the integral
    is done exactly, k_B ᾱ (b³ − a³)/(6π² c²) on each piece [a, b].

    Parameters
    ----------
    side1, side2
        The two solids (side 1 emits).
    temperatures_K : array_like, shape (nT,)
        Temperatures (K).
    model
        ``"amm"``, ``"dmm"`` or ``"radiation"``.
    classical
        Classical occupation (ħω ∂n/∂T → k_B).
    """
    temps = np.atleast_1d(np.asarray(temperatures_K, dtype=float))
    breaks = sorted(set(side1.cutoffs_rad_s) | set(side2.cutoffs_rad_s))
    out = np.zeros(len(temps))
    for j in range(3):
        alpha = _debye_alpha(model, side1, side2, j)
        c, top = side1.velocities[j], side1.cutoffs_rad_s[j]
        inner = [b for b in breaks if 0 < b < top]
        if classical:  # exact: ᾱ is constant on each piece
            pieces = itertools.pairwise([0.0, *inner, top])
            out += KB_J_K * sum(float(alpha(0.5 * (lo + hi))) * (hi**3 - lo**3)
                                for lo, hi in pieces) / (6 * math.pi**2 * c**2)
            continue
        for k, temp in enumerate(temps):
            def integrand(w, temp=temp, c=c, alpha=alpha, j=j):
                dos = side1.dos_s_m3(w)[j]
                return float(mode_heat_capacity_J_K(w, temp, classical=classical) * c * dos * alpha(w))
            peak = 4 * KB_J_K * temp / HBAR_J_S  # help quad find the thermal peak, x ≈ 4
            points = sorted({0.0, *inner, top, *(p for p in (peak / 4, peak, 4 * peak) if p < top)})
            out[k] += sum(quad(integrand, lo, hi, limit=200, epsrel=1e-10, epsabs=0.0)[0]
                          for lo, hi in itertools.pairwise(points))
    return 0.25 * out


def radiation_conductance_debye(side: DebyeSolid, temperatures_K: ArrayLike, *,
                                classical: bool = False) -> np.ndarray:
    """G_i = ¼ Σ_j ∫ ħω c_j D_j ∂n/∂T dω (W m⁻² K⁻¹), the α = 1 conductance of one side
    (Zeng & Chen 2001, eq. 9)."""
    return conductance_debye(side, side, temperatures_K, model="unity", classical=classical)


def low_temperature_conductance(temperature_K: ArrayLike, velocities_m_s: ArrayLike,
                                transmissions: ArrayLike) -> np.ndarray:
    """Low-T (T ≪ Θ_D) limit G = π² k_B⁴ T³ / (30 ħ³) Σ_j ᾱ_j / c_j²  (W m⁻² K⁻¹).

    Swartz & Pohl (1989) eq. 21 (with their Γ_j = ᾱ_j/2):  ∫₀^∞ x⁴eˣ/(eˣ−1)² dx = 4π⁴/15.
    """
    c = np.asarray(velocities_m_s, dtype=float)
    a = np.broadcast_to(np.asarray(transmissions, dtype=float), c.shape)
    t = np.asarray(temperature_K, dtype=float)
    return math.pi**2 * KB_J_K**4 * t**3 / (30 * HBAR_J_S**3) * float(np.sum(a / c**2))


# --------------------------------------------------------------------------------------
# Full dispersion
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpectralSolid:
    """A solid described by its phonon modes on a q-mesh (:class:`analysis.phonons.PhononMesh`)."""

    name: str
    phonons: PhononMesh

    def radiation_m2(self, edges_rad_s: np.ndarray) -> np.ndarray:
        """P(ω) per bin of ``edges_rad_s`` (m⁻²), :func:`analysis.phonons.spectral_functions`."""
        return spectral_functions(self.phonons, n_bins=len(edges_rad_s) - 1,
                                  omega_max_rad_s=float(edges_rad_s[-1]))["radiation_m2"]


def common_edges(side1: SpectralSolid, side2: SpectralSolid, n_bins: int) -> np.ndarray:
    """Frequency bins spanning both spectra (rad/s)."""
    top = max(side1.phonons.omega_max_rad_s, side2.phonons.omega_max_rad_s) * (1 + 1e-9)
    return np.linspace(0.0, top, n_bins + 1)


def dmm_full_transmission(side1: SpectralSolid, side2: SpectralSolid, edges_rad_s: np.ndarray,
                          *, model: str = "dmm") -> np.ndarray:
    """Full-dispersion α₁₂ per frequency bin: P₂/(P₁+P₂) (DMM, Reddy et al. 2005 eq. 3) or
    min(1, P₂/P₁) (radiation limit)."""
    p1, p2 = side1.radiation_m2(edges_rad_s), side2.radiation_m2(edges_rad_s)
    if model == "dmm":
        total = p1 + p2
        return np.divide(p2, total, out=np.zeros_like(total), where=total > 0)
    if model == "radiation":
        return np.divide(np.minimum(p1, p2), p1, out=np.zeros_like(p1), where=p1 > 0)
    raise ValueError(f"unknown model '{model}': choose one of {MODELS['full']}")


def _mode_sum(side: SpectralSolid, alpha_modes: np.ndarray, temperatures_K: np.ndarray,
              classical: bool) -> np.ndarray:
    """(1/(2 N_q V)) Σ_qν |v_z| ħω ∂n/∂T α over every mode, for each T."""
    ph = side.phonons
    omega, speed = ph.omega_rad_s.ravel(), np.abs(ph.v_z_m_s.ravel())
    weight = speed * alpha_modes / (2 * ph.n_q * ph.volume_m3)
    return np.array([float(weight @ mode_heat_capacity_J_K(omega, t, classical=classical))
                     for t in temperatures_K])


def conductance_full(side1: SpectralSolid, side2: SpectralSolid, temperatures_K: ArrayLike, *,
                     model: str = "dmm", classical: bool = False, n_bins: int = 200) -> np.ndarray:
    """Full-dispersion G₁₂(T) (W m⁻² K⁻¹), Reddy, Castelino & Majumdar (2005) eq. 1:

    G₁₂ = (1/V) Σ_{q,ν; v_z>0} ħω v_z α₁₂(ω) ∂n/∂T = (1/(2V)) Σ_{q,ν} |v_z| ħω α₁₂ ∂n/∂T,

    summed over the modes of side 1 (exact ω in the occupation, α₁₂ from the bin of ω).
    Modes below the lowest mesh frequency are missing: the quantum G is reliable only
    above ~2ħω_min/k_B (:attr:`analysis.phonons.PhononMesh.omega_min_rad_s`).
    """
    temps = np.atleast_1d(np.asarray(temperatures_K, dtype=float))
    edges = common_edges(side1, side2, n_bins)
    alpha_bins = dmm_full_transmission(side1, side2, edges, model=model)
    index = np.clip(np.searchsorted(edges, side1.phonons.omega_rad_s.ravel(), side="right") - 1,
                    0, n_bins - 1)
    alpha_modes = np.where(side1.phonons.omega_rad_s.ravel() > 0, alpha_bins[index], 0.0)
    return _mode_sum(side1, alpha_modes, temps, classical)


def radiation_conductance_full(side: SpectralSolid, temperatures_K: ArrayLike, *,
                               classical: bool = False) -> np.ndarray:
    """G_i = (1/(2V)) Σ |v_z| ħω ∂n/∂T over the modes of one side (W m⁻² K⁻¹)."""
    temps = np.atleast_1d(np.asarray(temperatures_K, dtype=float))
    alpha = (side.phonons.omega_rad_s.ravel() > 0).astype(float)
    return _mode_sum(side, alpha, temps, classical)


# --------------------------------------------------------------------------------------
# Equivalent-equilibrium-temperature correction
# --------------------------------------------------------------------------------------
def eet_corrected(g12: ArrayLike, g1: ArrayLike, g2: ArrayLike) -> np.ndarray:
    """1/G_corr = 1/G₁₂ − ½(1/G₁ + 1/G₂)  (Zeng & Chen 2001, eq. 12; Simons 1974).

    G_i is the radiation conductance of side i (:func:`radiation_conductance_debye`).
    Returns +inf where the corrected resistance vanishes (perfect transmission).
    """
    inv = 1 / np.asarray(g12, float) - 0.5 * (1 / np.asarray(g1, float) + 1 / np.asarray(g2, float))
    with np.errstate(divide="ignore"):
        return np.where(inv > 1e-9 / np.asarray(g12, float), 1 / inv, np.inf)


def gray_eet_corrected(g: ArrayLike, alpha12: float, alpha21: float) -> np.ndarray:
    """Gray form G_corr = G / (1 − (α₁₂ + α₂₁)/2)  (Zeng & Chen 2001, eq. 13)."""
    denom = 1 - 0.5 * (alpha12 + alpha21)
    return np.asarray(g, float) / denom if denom > 0 else np.full(np.shape(g), np.inf)


def eet_ratio_debye(side1: DebyeSolid, side2: DebyeSolid, *, model: str,
                    temperature_K: float = 300.0, classical: bool = True) -> float:
    """G_corr / G₁₂ of a Debye model: the NEMD/EMD conductance ratio the EET correction predicts.

    G₁₂, the radiation conductances G₁, G₂ of :func:`eet_corrected` and hence the ratio
    all come from the same two Debye solids and the same transmission model, so the
    prediction is one consistent model (classical statistics by default, as in MD, where
    the ratio does not depend on T).  +inf when the corrected resistance vanishes.
    """
    temps = [float(temperature_K)]
    g12 = conductance_debye(side1, side2, temps, model=model, classical=classical)
    g1 = radiation_conductance_debye(side1, temps, classical=classical)
    g2 = radiation_conductance_debye(side2, temps, classical=classical)
    return float(eet_corrected(g12, g1, g2)[0] / g12[0])


# --------------------------------------------------------------------------------------
# The whole table
# --------------------------------------------------------------------------------------
def mismatch_table(debye: tuple[DebyeSolid, DebyeSolid],
                   full: tuple[SpectralSolid, SpectralSolid] | None,
                   temperatures_K: ArrayLike, *, n_bins: int = 200) -> list[dict]:
    """Every model × form × statistics × EET correction at every temperature.

    Returns
    -------
    list of dict
        Keys ``model``, ``form`` (``"debye"``/``"full"``), ``statistics``
        (``"quantum"``/``"classical"``), ``eet_correction`` (bool), ``temperature_K``,
        ``G_W_m2K`` (inf when the corrected resistance vanishes) and ``valid`` (False for
        a full-dispersion quantum value below the mesh's reliable temperature).
    """
    temps = np.atleast_1d(np.asarray(temperatures_K, dtype=float))
    rows = []
    for classical in (False, True):
        stats = "classical" if classical else "quantum"
        forms = {"debye": (conductance_debye, radiation_conductance_debye, debye)}
        if full is not None:
            forms["full"] = (lambda a, b, t, **kw: conductance_full(a, b, t, n_bins=n_bins, **kw),
                             radiation_conductance_full, full)
        for form, (conductance, radiation, (s1, s2)) in forms.items():
            g1 = radiation(s1, temps, classical=classical)
            g2 = radiation(s2, temps, classical=classical)
            valid = np.ones(len(temps), bool)
            if form == "full" and not classical:
                t_min = 2 * HBAR_J_S * max(s1.phonons.omega_min_rad_s,
                                          s2.phonons.omega_min_rad_s) / KB_J_K
                valid = temps >= t_min
            for model in MODELS[form]:
                g12 = conductance(s1, s2, temps, model=model, classical=classical)
                for corrected, values in ((False, g12), (True, eet_corrected(g12, g1, g2))):
                    rows += [{"model": model, "form": form, "statistics": stats,
                              "eet_correction": corrected, "temperature_K": float(t),
                              "G_W_m2K": float(g), "valid": bool(v)}
                             for t, g, v in zip(temps, values, valid, strict=True)]
    return rows
