"""Long-wavelength sound in a cubic crystal: Christoffel equation and direction averages.

The Debye and acoustic-mismatch models treat each side of an interface as an isotropic
continuum.  A cubic crystal is not isotropic unless its Zener ratio A = 2C₄₄/(C₁₁ − C₁₂)
is 1 (MEAM Cu: A ≈ 3), so its sound velocities depend on the direction n of the wave
vector.  They follow from the Christoffel equation (e.g. Auld, *Acoustic Fields and Waves
in Solids*, 1973, ch. 7; Musgrave, *Crystal Acoustics*, 1970)

    Γᵢₖ(n) eₖ = v² eᵢ,    Γᵢₖ = Cᵢⱼₖₗ nⱼ nₗ / ρ,

three phase velocities v_j(n) (ascending: slow shear T1, fast shear T2, quasi-longitudinal
L) with polarisations e_j and group velocities v_g,m = Cᵢₘₖₗ eᵢ eₖ nₗ / (ρ v).

Averages over the directions of n (a product Gauss–Legendre × uniform-azimuth rule on
the sphere, :func:`sphere_quadrature`), and what each is for:

* **Debye velocity** 3/v_D³ = ⟨Σ_j v_j⁻³⟩: the exact low-frequency density of states
  D(ω) = 3ω²/(2π² v_D³), hence the elastic Debye temperature Θ_D = ħ v_D (6π²n)^{1/3}/k_B
  (de Launay, Solid State Phys. 2, 219, 1956; Alers, *Physical Acoustics* III B, 1965;
  Fedorov, *Theory of Elastic Waves in Crystals*, 1968).  Θ_D, the heat capacity and the
  DMM use it.
* **Branch (mode-count) velocities** v_L⁻³ = ⟨v_L⁻³⟩ and 2 v_T⁻³ = ⟨v_T1⁻³ + v_T2⁻³⟩:
  an isotropic L and a doubly degenerate T branch holding, below every ω, exactly the
  crystal's number of longitudinal and of transverse modes, so 1/v_L³ + 2/v_T³ = 3/v_D³
  and the branch cut-offs of a Debye solid keep the right mode counts.  These are the
  velocities of :class:`analysis.mismatch.DebyeSolid`, so one set serves its DOS, its
  phonon flux, Snell's law and the impedances Z = ρv of the AMM (mixing sets would break
  detailed balance, which needs the same velocity in the DOS and in Snell's law).
* **Hill velocities** (Voigt–Reuss–Hill bulk and shear moduli; Hill, Proc. Phys. Soc. A
  65, 349, 1952): the isotropic elastic solid closest to the crystal, used by Anderson's
  approximation of Θ_D (Anderson, J. Phys. Chem. Solids 24, 909, 1963).  Reported for
  comparison and as an alternative isotropisation.
* **Radiation velocities** for an interface normal m: one-way phonon flux of branch j per
  unit ω², (2π)⁻³ ∫dΩ (v_g·m)₊ / v³, equals the isotropic 1/(8π² c²) for
  c_rad,j = [4 ⟨(v_g·m)₊ / v_j³⟩]^{-1/2} (and 2/c_rad,T² = 1/c_rad,T1² + 1/c_rad,T2²): the
  isotropic velocity with the crystal's number of transmission channels through that
  plane.  Reported (and an alternative isotropisation) because the AMM/DMM flux ∝ 1/c²
  is what the mode-count velocities represent only approximately.

For MEAM Cu (A = 3.0) the (L, T) velocities are 4902/2299 m/s (mode count), 4789/2346
(Hill), 4723/2231 ((001) radiation) and 4403/2924 along [001]; the slow shear along [110]
is 1686 m/s.

SI units: stiffness in GPa at the boundary (``*_GPa``), velocities in m/s, densities in
kg/m³ and m⁻³.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants

__all__ = [
    "DirectionalVelocities",
    "averaged_velocities",
    "christoffel",
    "cubic_stiffness_GPa",
    "debye_temperature_K",
    "debye_velocity_from_mode_count",
    "dispersion_phase_velocities",
    "hill_velocities",
    "sphere_quadrature",
    "voigt_tensor",
]

PA_PER_GPA = constants.giga  # [Pa/GPa]
_VOIGT = {(0, 0): 0, (1, 1): 1, (2, 2): 2, (1, 2): 3, (2, 1): 3, (0, 2): 4, (2, 0): 4,
          (0, 1): 5, (1, 0): 5}


def cubic_stiffness_GPa(c11: float, c12: float, c44: float) -> np.ndarray:
    """(6, 6) Voigt stiffness matrix of a cubic crystal in its cube axes (GPa)."""
    c = np.zeros((6, 6))
    c[:3, :3] = c12
    c[np.arange(3), np.arange(3)] = c11
    c[np.arange(3, 6), np.arange(3, 6)] = c44
    return c


def voigt_tensor(c_voigt: ArrayLike) -> np.ndarray:
    """Full (3, 3, 3, 3) stiffness tensor Cᵢⱼₖₗ from a (6, 6) Voigt matrix (same units)."""
    c6 = np.asarray(c_voigt, dtype=float)
    out = np.empty((3, 3, 3, 3))
    for (i, j), a in _VOIGT.items():
        for (k, m), b in _VOIGT.items():
            out[i, j, k, m] = c6[a, b]
    return out


def sphere_quadrature(n_polar: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """Directions and weights averaging a function over the unit sphere.

    Gauss–Legendre in μ = cos θ on each hemisphere (``n_polar``/2 nodes in [0, 1] and
    their mirror images, so a kink at the equator, where the flux through a (001) plane
    changes sign, is integrated exactly) times the trapezoid rule in φ (2 ``n_polar``
    nodes, exact for trigonometric polynomials of degree < 2 ``n_polar``).

    Returns
    -------
    directions : (N, 3) float
        Unit vectors.
    weights : (N,) float
        Sum to 1, so Σ w f(n) = ⟨f⟩ = (1/4π) ∮ f dΩ.
    """
    half = max(1, n_polar // 2)
    x, w_x = np.polynomial.legendre.leggauss(half)
    mu = np.concatenate([-(x + 1) / 2, (x + 1) / 2])
    w_mu = np.concatenate([w_x, w_x]) / 4  # each hemisphere carries half the weight
    phi = (np.arange(2 * half * 2) + 0.5) * math.pi / (2 * half)
    sin_t = np.sqrt(1.0 - mu**2)
    dirs = np.stack([np.outer(sin_t, np.cos(phi)), np.outer(sin_t, np.sin(phi)),
                     np.outer(mu, np.ones_like(phi))], axis=-1).reshape(-1, 3)
    weights = np.outer(w_mu, np.full(phi.size, 1.0 / phi.size)).ravel()
    return dirs, weights


def christoffel(stiffness_GPa: ArrayLike, density_kg_m3: float,
                directions: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Phase velocities, polarisations and group velocities along ``directions``.

    Parameters
    ----------
    stiffness_GPa : (6, 6) float
        Voigt stiffness (GPa).
    density_kg_m3 : float
        ρ (kg/m³).
    directions : (N, 3) float
        Wave-vector directions (normalised here).

    Returns
    -------
    velocity_m_s : (N, 3) float
        Phase velocities, ascending (T1, T2, L).
    polarisation : (N, 3, 3) float
        ``polarisation[:, :, j]`` is the unit displacement vector of branch j.
    group_m_s : (N, 3, 3) float
        ``group_m_s[:, j, :]`` is the group velocity of branch j (m/s).
    """
    c = voigt_tensor(stiffness_GPa) * PA_PER_GPA / density_kg_m3  # [m²/s²]
    n = np.atleast_2d(np.asarray(directions, dtype=float))
    n = n / np.linalg.norm(n, axis=1, keepdims=True)
    gamma = np.einsum("ijkl,nj,nl->nik", c, n, n, optimize=True)
    v2, e = np.linalg.eigh(gamma)
    v = np.sqrt(np.clip(v2, 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        c_n = np.einsum("imkl,nl->nimk", c, n)
        group = np.einsum("nimk,nib,nkb->nbm", c_n, e, e, optimize=True) / v[:, :, None]
    return v, e, group


def hill_velocities(c11: float, c12: float, c44: float, density_kg_m3: float) -> tuple[float, float]:
    """(v_L, v_T) of the Voigt–Reuss–Hill isotropic solid of a cubic crystal (m/s).

    K = (C₁₁ + 2C₁₂)/3; G_V = (C₁₁ − C₁₂ + 3C₄₄)/5; G_R = 5(C₁₁ − C₁₂)C₄₄/(4C₄₄ + 3(C₁₁ − C₁₂));
    G = (G_V + G_R)/2; ρv_L² = K + 4G/3, ρv_T² = G (Hill 1952; Anderson 1963, eqs. 4–8).
    """
    shear = c11 - c12
    bulk = (c11 + 2 * c12) / 3
    g_hill = 0.5 * ((shear + 3 * c44) / 5 + 5 * shear * c44 / (4 * c44 + 3 * shear))
    scale = PA_PER_GPA / density_kg_m3
    return math.sqrt((bulk + 4 * g_hill / 3) * scale), math.sqrt(g_hill * scale)


def debye_temperature_K(debye_velocity_m_s: float, number_density_m3: float) -> float:
    """Θ_D = ħ v_D k_D / k_B with k_D = (6π² n)^{1/3} (K)."""
    k_d = (6 * math.pi**2 * number_density_m3) ** (1 / 3)
    return constants.hbar * debye_velocity_m_s * k_d / constants.k


@dataclass(frozen=True)
class DirectionalVelocities:
    """Direction averages of the sound velocities of a cubic crystal (m/s).

    Attributes
    ----------
    debye_m_s
        v_D, 3/v_D³ = ⟨Σ_j v_j⁻³⟩.
    longitudinal_m_s, transverse_m_s
        Mode-count branch velocities: v_L⁻³ = ⟨v_L⁻³⟩, 2v_T⁻³ = ⟨v_T1⁻³ + v_T2⁻³⟩.
    hill_longitudinal_m_s, hill_transverse_m_s
        Voigt–Reuss–Hill isotropic velocities.
    radiation_longitudinal_m_s, radiation_transverse_m_s
        Radiation velocities through the plane of ``normal``: c_rad,L of the L branch,
        and c_rad,T with 2/c_rad,T² = 1/c_rad,T1² + 1/c_rad,T2² (both shear sheets).
    axis_longitudinal_m_s, axis_transverse_m_s
        Velocities along the cube axis [001]: √(C₁₁/ρ), √(C₄₄/ρ).
    zener_ratio
        A = 2C₄₄/(C₁₁ − C₁₂) (1 for an isotropic solid).
    axes_m_s
        Exact (T1, T2, L) velocities along [001], [110] and [111] (keys ``"001"`` …): for
        a cubic crystal the extremes of each branch lie on these axes.
    """

    debye_m_s: float
    longitudinal_m_s: float
    transverse_m_s: float
    hill_longitudinal_m_s: float
    hill_transverse_m_s: float
    radiation_longitudinal_m_s: float
    radiation_transverse_m_s: float
    axis_longitudinal_m_s: float
    axis_transverse_m_s: float
    zener_ratio: float
    axes_m_s: dict

    def hill_debye_m_s(self) -> float:
        """Anderson's (1963) mean velocity from the Hill velocities, (⅓(2/v_T³ + 1/v_L³))^{-1/3}."""
        return (3 / (2 / self.hill_transverse_m_s**3 + 1 / self.hill_longitudinal_m_s**3)) ** (1 / 3)

    def as_dict(self) -> dict:
        """Plain dict (JSON)."""
        return {**self.__dict__, "axes_m_s": {k: list(v) for k, v in self.axes_m_s.items()},
                "hill_debye_m_s": self.hill_debye_m_s()}


def averaged_velocities(c11: float, c12: float, c44: float, density_kg_m3: float, *,
                        normal: ArrayLike = (0.0, 0.0, 1.0), n_polar: int = 48) -> DirectionalVelocities:
    """Direction-averaged sound velocities of a cubic crystal (see the module docstring).

    Parameters
    ----------
    c11, c12, c44
        Elastic constants (GPa) in the cube axes.
    density_kg_m3
        ρ (kg/m³).
    normal
        Interface normal for the radiation velocities (cube axes; default [001]).
    n_polar
        Polar nodes of :func:`sphere_quadrature` (48: Θ_D converged to ~1e-10 for
        smooth anisotropy; the radiation velocities, whose shear integrand is not smooth
        at the acoustic axes, to ~1e-4).
    """
    if not (c11 > abs(c12) and c11 + 2 * c12 > 0 and c44 > 0):
        raise ValueError(f"elastic constants C11={c11}, C12={c12}, C44={c44} GPa are not "
                         "Born-stable (C11 > |C12|, C11 + 2 C12 > 0, C44 > 0)")
    dirs, w = sphere_quadrature(n_polar)
    v, _, group = christoffel(cubic_stiffness_GPa(c11, c12, c44), density_kg_m3, dirs)
    inv3 = w @ v**-3.0  # (3,) ⟨v_j⁻³⟩
    m = np.asarray(normal, dtype=float) / np.linalg.norm(normal)
    flux = w @ (np.clip(group @ m, 0.0, None) / v**3)  # (3,) ⟨(v_g·m)₊ / v³⟩
    hill_l, hill_t = hill_velocities(c11, c12, c44, density_kg_m3)
    scale = PA_PER_GPA / density_kg_m3
    return DirectionalVelocities(
        debye_m_s=float((3 / inv3.sum()) ** (1 / 3)),
        longitudinal_m_s=float(inv3[2] ** (-1 / 3)),
        transverse_m_s=float((inv3[:2].sum() / 2) ** (-1 / 3)),
        hill_longitudinal_m_s=hill_l, hill_transverse_m_s=hill_t,
        radiation_longitudinal_m_s=float((4 * flux[2]) ** -0.5),
        radiation_transverse_m_s=float((2 * flux[:2].sum()) ** -0.5),
        axis_longitudinal_m_s=math.sqrt(c11 * scale), axis_transverse_m_s=math.sqrt(c44 * scale),
        zener_ratio=2 * c44 / (c11 - c12),
        axes_m_s=dict(zip(("001", "110", "111"), (tuple(float(x) for x in row) for row in christoffel(
            cubic_stiffness_GPa(c11, c12, c44), density_kg_m3,
            [[0, 0, 1], [1, 1, 0], [1, 1, 1]])[0]), strict=True)))


def debye_velocity_from_mode_count(omega_rad_s: ArrayLike, volume_m3: float, n_q: int, *,
                                   omega_top_rad_s: float, min_modes: int = 100) -> dict:
    """Debye velocity of a q-mesh's modes from their low-frequency count (a coarse check).

    Below ω an acoustic crystal holds N(ω) = ω³/(2π² v_D³) (1 + b ω² + …) modes per unit
    volume (the ω⁵ term is the leading dispersion).  N is counted over every mode of the
    mesh (``omega_rad_s``, shape (n_q, n_modes), cell volume ``volume_m3``) on a
    geometric grid from the frequency that holds ``min_modes`` modes up to
    ``omega_top_rad_s`` (take ~0.3 ω_D), and N/ω³ is fitted with a + a b ω².  A regular
    mesh samples the small constant-ω shells coarsely (their surfaces cut through the
    mesh), so the estimate is good to a few per cent only; ``rel_spread`` is the
    half-difference of the fits to the lower and the upper part of the window, relative.

    Returns
    -------
    dict
        ``debye_m_s``, ``rel_spread``, ``omega_window_rad_s`` (low, high) and ``modes``
        (the count at the top of the window).
    """
    omega = np.sort(np.asarray(omega_rad_s, dtype=float).ravel())
    omega = omega[omega > 0]
    norm = n_q * volume_m3
    top = float(omega_top_rad_s)
    if omega.size < min_modes or not top > 1.5 * omega[min_modes - 1]:
        raise ValueError(f"mesh too coarse: fewer than {min_modes} modes below "
                         f"{top / 1.5:.3g} rad/s")
    low = float(omega[min_modes - 1])
    grid = np.geomspace(low, top, 40)
    ratio = np.searchsorted(omega, grid, side="right") / norm / grid**3  # N(ω)/ω³

    def fit(sel: np.ndarray) -> float:
        design = np.stack([np.ones(sel.sum()), (grid[sel] / top) ** 2], axis=1)
        coef = np.linalg.lstsq(design, ratio[sel], rcond=None)[0]
        return float((1 / (2 * math.pi**2 * coef[0])) ** (1 / 3))

    index = np.arange(grid.size)
    halves = [fit(index < 24), fit(index >= 16)]
    value = fit(index >= 0)
    return {"debye_m_s": value, "rel_spread": float(abs(halves[1] - halves[0]) / 2 / value),
            "omega_window_rad_s": (low, top),
            "modes": int(np.searchsorted(omega, top, side="right"))}


def dispersion_phase_velocities(fc, directions: ArrayLike, *, q_fraction: float = 0.005,
                                batch: int = 128) -> np.ndarray:
    """Acoustic phase velocities ω/q (m/s) of a lattice-dynamical model at small q.

    The three lowest eigenvalues of the dynamical matrix D(q) at q = ``q_fraction`` × 2π/a
    along each direction (the full-dispersion counterpart of :func:`christoffel`; the
    dispersion error is O((qa)²), ~1e-4 here).  Averaged like the Christoffel velocities
    they give the low-frequency limit of the model's own DOS, D(ω) → 3ω²/(2π² v_D³).

    Parameters
    ----------
    fc : analysis.phonons.ForceConstants
        Force constants.
    directions : (N, 3) float
        Wave-vector directions (normalised here).

    Returns
    -------
    (N, 3) float
        Ascending phase velocities (m/s).
    """
    from .phonons import VELOCITY_M_S, dynamical_matrix

    n = np.atleast_2d(np.asarray(directions, dtype=float))
    n = n / np.linalg.norm(n, axis=1, keepdims=True)
    qlen = q_fraction * 2 * math.pi / float(np.linalg.norm(fc.unit_cell_A[0]))
    terms = fc.pair_terms()
    out = []
    for start in range(0, len(n), batch):
        dyn = dynamical_matrix(terms, qlen * n[start:start + batch], fc.n_basis)
        w2 = np.linalg.eigvalsh(0.5 * (dyn + np.conj(np.swapaxes(dyn, 1, 2))))[:, :3]
        out.append(np.sqrt(np.clip(w2, 0.0, None)) / qlen * VELOCITY_M_S)
    return np.concatenate(out)
