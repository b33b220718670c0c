"""Plane elastic waves at a welded interface between two isotropic solids (complete AMM).

The acoustic mismatch model (Little, Can. J. Phys. 37, 334, 1959; Swartz & Pohl, Rev.
Mod. Phys. 61, 605, 1989, §II.B) transmits a phonon as the continuum theory transmits a
plane elastic wave.  Between two isotropic solids (density ρ, longitudinal velocity α,
shear velocity β; μ = ρβ², λ = ρ(α² − 2β²)) with a welded interface z = 0 (medium 1 in
z < 0, medium 2 in z > 0) the displacement u and the traction (σ_xz, σ_yz, σ_zz) are
continuous.  With the incidence plane x–z, the horizontal slowness p = sinθ/c is the
same for every wave (Snell's law) and the problem splits in two (Achenbach, *Wave
Propagation in Elastic Solids*, 1973, ch. 5; Aki & Richards, *Quantitative Seismology*,
2nd ed., 2002, §5.2):

* **SH** (u along y): u_y and σ_yz = μ ∂u_y/∂z continuous.  Each side presents the
  normal impedance μη = Z cosθ (Z = ρβ, η = cosθ/β the vertical slowness), so
  t = 2Z₁cosθ₁/(Z₁cosθ₁ + Z₂cosθ₂) and the energy transmission is
  4Z₁Z₂cosθ₁cosθ₂/(Z₁cosθ₁ + Z₂cosθ₂)²  (:func:`sh_transmission`).
* **P–SV** (u in the x–z plane): an incident L or SV wave gives reflected L and SV and
  transmitted L and SV waves (mode conversion).  The four continuity conditions
  (u_x, u_z, σ_xz, σ_zz) are a 4×4 linear system for the four complex amplitudes — the
  Zoeppritz equations (Zoeppritz 1919; Aki & Richards §5.2.4 give them in closed form;
  here the system is solved numerically, and the tests reproduce their worked example,
  p. 147).  Fluid–fluid (μ₁ = μ₂ = 0):
  only u_z and σ_zz are continuous, 2×2, and the transmission is the fluid formula
  4Z₁Z₂cosθ₁cosθ₂/(Z₁cosθ₂ + Z₂cosθ₁)².

Vertical slownesses η = √(1/c² − p²) become imaginary beyond a critical angle (p > 1/c):
the wave is evanescent, its amplitude is complex and it carries no energy normal to the
interface.  A propagating plane wave of displacement amplitude A carries the normal
energy flux ½ρω²c²η|A|² = ½ω² Z cosθ |A|² (Aki & Richards p. 146),
so the energy coefficient of an outgoing wave k is ρ_k c_k² Re(η_k) |A_k|² / (ρ₁ c_i² η_i)
and, the medium being lossless, the energy coefficients of the propagating outgoing
waves add up to 1 at every angle.

The energy-flux scattering matrix is symmetric (reciprocity): the energy coefficient of
channel (1, i) → (2, k) at slowness p equals that of (2, k) → (1, i).  The angle average
ᾱ = ∫₀¹ E d(sin²θ) (the hemispherical average weighted by cosθ, Swartz & Pohl eq. 16)
therefore obeys c_i⁻² ᾱ_{1i→2k} = c_k⁻² ᾱ_{2k→1i}, the detailed balance of the AMM.

Units: SI (kg/m³, m/s, s/m for slownesses).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "INCIDENT_MODES",
    "IsotropicMedium",
    "angle_averaged_transmission",
    "energy_coefficients",
    "fluid_transmission",
    "sh_transmission",
    "transmission_vs_angle",
]

#: Incident modes and the outgoing modes they couple to.
INCIDENT_MODES = {"L": ("L", "SV"), "SV": ("L", "SV"), "SH": ("SH",)}
_N_NODES = 64  # Gauss–Legendre nodes per smooth piece of the angle integral


@dataclass(frozen=True)
class IsotropicMedium:
    """An isotropic elastic solid (or a fluid, ``v_T_m_s = 0``).

    Attributes
    ----------
    density_kg_m3, v_L_m_s, v_T_m_s
        ρ (kg/m³), longitudinal α and shear β velocities (m/s).
    """

    density_kg_m3: float
    v_L_m_s: float
    v_T_m_s: float

    def __post_init__(self):
        """Reject non-positive ρ, α and a negative β."""
        if not (self.density_kg_m3 > 0 and self.v_L_m_s > 0 and self.v_T_m_s >= 0):
            raise ValueError(f"unphysical medium {self}")

    @property
    def shear_modulus_Pa(self) -> float:
        """μ = ρβ² (Pa)."""
        return self.density_kg_m3 * self.v_T_m_s**2

    @property
    def lame_lambda_Pa(self) -> float:
        """λ = ρ(α² − 2β²) (Pa)."""
        return self.density_kg_m3 * (self.v_L_m_s**2 - 2 * self.v_T_m_s**2)

    def velocity(self, mode: str) -> float:
        """Velocity of ``"L"``, ``"SV"`` or ``"SH"`` (m/s)."""
        return self.v_L_m_s if mode == "L" else self.v_T_m_s


def _vertical_slowness(p: np.ndarray, c: float) -> np.ndarray:
    """η = √(1/c² − p²), = i√(p² − 1/c²) beyond the critical slowness (decaying wave)."""
    arg = 1.0 / c**2 - p**2
    root = np.sqrt(np.abs(arg))
    return np.where(arg >= 0, root + 0j, 1j * root)


def _wave(medium: IsotropicMedium, mode: str, p: np.ndarray, sign: int,
          eta: np.ndarray) -> np.ndarray:
    """(u_x, u_z, σ_xz/iω, σ_zz/iω) of a unit plane wave e^{iω(px + sign·ηz − t)}, shape (n, 4).

    L: u = α(p, sign·η); SV: u = β(sign·η, −p) (unit vectors when η is real).
    """
    if mode == "L":
        ux, uz = medium.v_L_m_s * p, medium.v_L_m_s * sign * eta
    else:
        ux, uz = medium.v_T_m_s * sign * eta, -medium.v_T_m_s * p
    mu, lam = medium.shear_modulus_Pa, medium.lame_lambda_Pa
    txz = mu * (sign * eta * ux + p * uz)
    tzz = lam * (p * ux + sign * eta * uz) + 2 * mu * sign * eta * uz
    return np.stack(np.broadcast_arrays(ux + 0j, uz + 0j, txz + 0j, tzz + 0j), axis=-1)


def _flux(medium: IsotropicMedium, mode: str, eta: np.ndarray, amplitude: np.ndarray) -> np.ndarray:
    """Normal energy flux / (½ω²) of a wave: ρc² Re(η) |A|² (0 when evanescent)."""
    return medium.density_kg_m3 * medium.velocity(mode) ** 2 * np.real(eta) * np.abs(amplitude) ** 2


def energy_coefficients(medium1: IsotropicMedium, medium2: IsotropicMedium,
                        slowness_s_m: ArrayLike, incident: str) -> dict[str, np.ndarray]:
    """Energy reflection and transmission coefficients at horizontal slowness p.

    Parameters
    ----------
    medium1, medium2
        Incidence side and far side.
    slowness_s_m : array_like, shape (n,)
        p = sinθ/c_incident (s/m), below 1/c_incident.
    incident
        ``"L"``, ``"SV"`` or ``"SH"`` (a wave in medium 1 travelling towards medium 2).

    Returns
    -------
    dict
        ``"reflected_<mode>"`` and ``"transmitted_<mode>"`` for the outgoing modes of
        :data:`INCIDENT_MODES` (arrays of shape (n,)): the fraction of the incident normal
        energy flux each carries away (0 for an evanescent wave).  They add up to 1.
    """
    p = np.atleast_1d(np.asarray(slowness_s_m, dtype=float))
    c_inc = medium1.velocity(incident)
    if c_inc <= 0:
        raise ValueError(f"medium 1 has no {incident} wave (zero shear velocity)")
    if np.any(np.abs(p) * c_inc >= 1.0):
        raise ValueError("p must be below the incident slowness 1/c (a propagating incident wave)")
    if incident == "SH":
        return _sh_coefficients(medium1, medium2, p)
    fluid = (medium1.v_T_m_s == 0, medium2.v_T_m_s == 0)
    if all(fluid):
        return _fluid_coefficients(medium1, medium2, p)
    if any(fluid):
        raise NotImplementedError("solid-fluid interfaces are not needed here")
    return _psv_coefficients(medium1, medium2, p, incident)


def _sh_coefficients(m1: IsotropicMedium, m2: IsotropicMedium, p: np.ndarray) -> dict:
    """SH: 1 + r = t, μ₁η₁(1 − r) = μ₂η₂ t."""
    eta1, eta2 = _vertical_slowness(p, m1.v_T_m_s), _vertical_slowness(p, m2.v_T_m_s)
    a1, a2 = m1.shear_modulus_Pa * eta1, m2.shear_modulus_Pa * eta2
    if m2.v_T_m_s == 0:
        return {"reflected_SH": np.ones_like(p), "transmitted_SH": np.zeros_like(p)}
    t, r = 2 * a1 / (a1 + a2), (a1 - a2) / (a1 + a2)
    incident = _flux(m1, "SH", eta1, np.ones_like(p))
    return {"reflected_SH": np.abs(r) ** 2,
            "transmitted_SH": _flux(m2, "SH", eta2, t) / incident}


def _fluid_coefficients(m1: IsotropicMedium, m2: IsotropicMedium, p: np.ndarray) -> dict:
    """Fluid–fluid: u_z and σ_zz continuous (2×2)."""
    eta1, eta2 = _vertical_slowness(p, m1.v_L_m_s), _vertical_slowness(p, m2.v_L_m_s)
    inc, refl = _wave(m1, "L", p, +1, eta1), _wave(m1, "L", p, -1, eta1)
    trans = _wave(m2, "L", p, +1, eta2)
    rows = [1, 3]
    scale = np.array([1.0, 1.0 / (m1.density_kg_m3 * m1.v_L_m_s)])
    matrix = np.stack([refl[:, rows], -trans[:, rows]], axis=-1) * scale[None, :, None]
    amp = np.linalg.solve(matrix, -(inc[:, rows] * scale)[..., None])[..., 0]
    incident = _flux(m1, "L", eta1, np.ones_like(p))
    return {"reflected_L": _flux(m1, "L", eta1, amp[:, 0]) / incident,
            "reflected_SV": np.zeros_like(p),
            "transmitted_L": _flux(m2, "L", eta2, amp[:, 1]) / incident,
            "transmitted_SV": np.zeros_like(p)}


def _psv_coefficients(m1: IsotropicMedium, m2: IsotropicMedium, p: np.ndarray,
                      incident: str) -> dict:
    """P–SV: [reflected L, reflected SV, transmitted L, transmitted SV] from a 4×4 solve."""
    etas = {(1, "L"): _vertical_slowness(p, m1.v_L_m_s), (1, "SV"): _vertical_slowness(p, m1.v_T_m_s),
            (2, "L"): _vertical_slowness(p, m2.v_L_m_s), (2, "SV"): _vertical_slowness(p, m2.v_T_m_s)}
    outgoing = [(1, "L", -1), (1, "SV", -1), (2, "L", +1), (2, "SV", +1)]
    media = {1: m1, 2: m2}
    columns = [(1 if side == 1 else -1) * _wave(media[side], mode, p, sign, etas[side, mode])
               for side, mode, sign in outgoing]
    # tractions in units of the incident impedance: an O(1) matrix
    scale = np.array([1.0, 1.0, 1.0, 1.0]) / np.array(
        [1.0, 1.0, m1.density_kg_m3 * m1.velocity(incident), m1.density_kg_m3 * m1.velocity(incident)])
    matrix = np.stack(columns, axis=-1) * scale[None, :, None]
    rhs = -_wave(m1, incident, p, +1, etas[1, incident]) * scale[None, :]
    amp = np.linalg.solve(matrix, rhs[..., None])[..., 0]
    flux_in = _flux(m1, incident, etas[1, incident], np.ones_like(p))
    out = {}
    for k, (side, mode, _) in enumerate(outgoing):
        key = f"{'reflected' if side == 1 else 'transmitted'}_{mode}"
        out[key] = _flux(media[side], mode, etas[side, mode], amp[:, k]) / flux_in
    return out


def transmission_vs_angle(medium1: IsotropicMedium, medium2: IsotropicMedium,
                          theta_rad: ArrayLike, incident: str) -> dict[str, np.ndarray]:
    """:func:`energy_coefficients` at incidence angles θ₁ ∈ [0, π/2) (p = sinθ₁/c_incident)."""
    theta = np.atleast_1d(np.asarray(theta_rad, dtype=float))
    return energy_coefficients(medium1, medium2, np.sin(theta) / medium1.velocity(incident),
                               incident)


def _breaks(medium1: IsotropicMedium, medium2: IsotropicMedium, incident: str) -> list[float]:
    """u = sin²θ₁ at every critical angle inside (0, 1), with 0 and 1."""
    c_inc = medium1.velocity(incident)
    speeds = [c for m in (medium1, medium2) for c in (m.v_L_m_s, m.v_T_m_s) if c > 0]
    inner = {(c_inc / c) ** 2 for c in speeds if 0 < (c_inc / c) ** 2 < 1 - 1e-12}
    return [0.0, *sorted(inner), 1.0]


@lru_cache(maxsize=1024)
def _angle_averages(medium1: IsotropicMedium, medium2: IsotropicMedium, incident: str,
                    n_nodes: int) -> tuple[tuple[str, float], ...]:
    """Cached ∫₀¹ E d(sin²θ) of every outgoing channel."""
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    phi = (x + 1) * math.pi / 2  # nodes in (0, π)
    nodes, weights = [], []
    for lo, hi in zip(_breaks(medium1, medium2, incident)[:-1],
                      _breaks(medium1, medium2, incident)[1:], strict=True):
        # u = lo + (hi − lo)(1 − cos φ)/2 removes the square-root behaviour at both ends
        nodes.append(lo + (hi - lo) * (1 - np.cos(phi)) / 2)
        weights.append(w * (math.pi / 2) * (hi - lo) * np.sin(phi) / 2)
    u, wu = np.concatenate(nodes), np.concatenate(weights)
    coeffs = energy_coefficients(medium1, medium2, np.sqrt(u) / medium1.velocity(incident),
                                 incident)
    return tuple((key, float(wu @ value)) for key, value in coeffs.items())


def angle_averaged_transmission(medium1: IsotropicMedium, medium2: IsotropicMedium,
                                incident: str, *, n_nodes: int = _N_NODES) -> dict[str, float]:
    """Hemispherical averages ᾱ = 2∫₀^{π/2} E(θ) cosθ sinθ dθ = ∫₀¹ E d(sin²θ).

    The integral is split at every critical angle and each piece is mapped by
    u = a + (b − a)(1 − cos φ)/2, which turns the square-root edges of E into smooth
    functions of φ; Gauss–Legendre in φ then converges exponentially (64 nodes per
    piece: ~1e-12).

    Returns
    -------
    dict
        The keys of :func:`energy_coefficients` (``transmitted_L`` …) and
        ``"transmitted"``, their transmitted total.
    """
    out = dict(_angle_averages(medium1, medium2, incident, int(n_nodes)))
    out["transmitted"] = sum(v for k, v in out.items() if k.startswith("transmitted_"))
    return out


def sh_transmission(theta1_rad: ArrayLike, z1: float, z2: float, c1: float, c2: float) -> np.ndarray:
    """SH energy transmission 4Z₁Z₂cosθ₁cosθ₂/(Z₁cosθ₁ + Z₂cosθ₂)², 0 beyond the critical angle.

    Z = ρβ, sinθ₂ = (c₂/c₁) sinθ₁ (Achenbach 1973 ch. 5; Swartz & Pohl 1989 §II.B).
    """
    theta1 = np.asarray(theta1_rad, dtype=float)
    sin2 = (c2 / c1) * np.sin(theta1)
    cos1, cos2 = np.cos(theta1), np.sqrt(np.clip(1.0 - sin2**2, 0.0, None))
    return np.where(sin2 < 1.0, 4 * z1 * z2 * cos1 * cos2 / (z1 * cos1 + z2 * cos2) ** 2, 0.0)


def fluid_transmission(theta1_rad: ArrayLike, z1: float, z2: float, c1: float, c2: float) -> np.ndarray:
    """Fluid (longitudinal) energy transmission 4Z₁Z₂cosθ₁cosθ₂/(Z₁cosθ₂ + Z₂cosθ₁)².

    Z = ρα; each side presents the normal impedance Z/cosθ (Swartz & Pohl 1989 eq. 19);
    0 beyond the critical angle.
    """
    theta1 = np.asarray(theta1_rad, dtype=float)
    sin2 = (c2 / c1) * np.sin(theta1)
    cos1, cos2 = np.cos(theta1), np.sqrt(np.clip(1.0 - sin2**2, 0.0, None))
    return np.where(sin2 < 1.0, 4 * z1 * z2 * cos1 * cos2 / (z1 * cos2 + z2 * cos1) ** 2, 0.0)
