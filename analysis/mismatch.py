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

* ``"amm"`` -- acoustic mismatch, per polarisation with Snell refraction and total
  reflection beyond the critical angle (:func:`amm_transmission`); continuum (Debye)
  only.  **Mode conversion (L ↔ T) is neglected**: each branch couples to the same
  branch on the other side through the fluid-like formula of Swartz & Pohl eq. 19;
  a branch transmits only below the Debye cut-offs of that branch on both sides
  (there is no partner mode above), which keeps detailed balance exact.
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

from .phonons import PhononMesh, spectral_functions

__all__ = [
    "HBAR_J_S",
    "KB_J_K",
    "MODELS",
    "DebyeSolid",
    "SpectralSolid",
    "amm_hemispherical_transmission",
    "amm_transmission",
    "conductance_debye",
    "conductance_full",
    "dmm_debye_transmission",
    "dmm_full_transmission",
    "eet_corrected",
    "gray_eet_corrected",
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
        (c_L, c_T1, c_T2) along the transport direction (m/s).
    """

    name: str
    density_kg_m3: float
    number_density_m3: float
    velocities_m_s: tuple[float, float, float]

    @classmethod
    def from_properties(cls, name: str, props: dict) -> DebyeSolid:
        """From :func:`workflow.material_properties.material_properties` output."""
        return cls(name, float(props["density_kg_m3"]), float(props["number_density_m3"]),
                   (float(props["v_L_m_s"]), float(props["v_T_m_s"]), float(props["v_T_m_s"])))

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


def amm_transmission(theta1_rad: ArrayLike, z1: float, z2: float, c1: float, c2: float) -> np.ndarray:
    """AMM energy transmission of one polarisation at incidence angle θ₁ (no mode conversion).

    α₁₂ = 4 Z₁Z₂ cosθ₁ cosθ₂ / (Z₁ cosθ₂ + Z₂ cosθ₁)²  with  sinθ₂ = (c₂/c₁) sinθ₁,

    and α = 0 beyond the critical angle θ_c = arcsin(c₁/c₂) (total reflection).  This is
    Swartz & Pohl (1989) eq. 19, 4(Z₂/Z₁)(cosθ₂/cosθ₁)/(Z₂/Z₁ + cosθ₂/cosθ₁)²: each side
    presents the normal impedance Z/cosθ, so Z₁ pairs with cosθ₂ in the denominator (the
    pairing Z₁cosθ₁ + Z₂cosθ₂ is a known mistake; both agree only at normal incidence,
    4Z₁Z₂/(Z₁ + Z₂)²).
    """
    theta1 = np.asarray(theta1_rad, dtype=float)
    sin2 = (c2 / c1) * np.sin(theta1)
    cos1 = np.cos(theta1)
    cos2 = np.sqrt(np.clip(1.0 - sin2**2, 0.0, None))
    alpha = 4 * z1 * z2 * cos1 * cos2 / (z1 * cos2 + z2 * cos1) ** 2
    return np.where(sin2 < 1.0, alpha, 0.0)


def amm_hemispherical_transmission(z1: float, z2: float, c1: float, c2: float) -> float:
    """ᾱ = 2∫₀^{π/2} α(θ₁) cosθ₁ sinθ₁ dθ₁ (= 1 for identical media).

    With u = sin²θ₁ this is ∫₀^{u_c} α du, u_c = min(1, c₁²/c₂²) (the critical angle).
    """
    u_c = min(1.0, (c1 / c2) ** 2)

    def integrand(u: float) -> float:
        return float(amm_transmission(math.asin(math.sqrt(u)), z1, z2, c1, c2))

    value, _ = quad(integrand, 0.0, u_c, limit=200, epsabs=1e-13, epsrel=1e-11)
    return value


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
        top = min(side1.cutoffs_rad_s[branch], side2.cutoffs_rad_s[branch])
        avg = amm_hemispherical_transmission(side1.impedances[branch], side2.impedances[branch],
                                             side1.velocities[branch], side2.velocities[branch])
        return lambda w: np.where(np.asarray(w) <= top, avg, 0.0)
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
    quadrature with break points at every cut-off.

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
        for k, temp in enumerate(temps):
            def integrand(w, temp=temp, c=c, alpha=alpha, j=j):
                dos = side1.dos_s_m3(w)[j]
                return float(mode_heat_capacity_J_K(w, temp, classical=classical) * c * dos * alpha(w))
            points = [0.0, *inner, top]
            if not classical:  # help quad find the thermal peak, x ≈ 4
                peak = 4 * KB_J_K * temp / HBAR_J_S
                points = sorted({*points, *(p for p in (peak / 4, peak, 4 * peak) if p < top)})
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
