"""Small relations around the Kapitza resistance, each with its source.

SI throughout: R_K in m² K/W, G in W m⁻² K⁻¹, κ in W m⁻¹ K⁻¹, lengths in m, T in K.
Every function accepts NumPy arrays (broadcast).  :func:`propagate_se` carries standard
errors through any of them to first order, so no derived number needs to leave without
its uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants

__all__ = [
    "fluctuation_dissipation_resistance",
    "kapitza_length",
    "one_way_flux",
    "parallel_channels_resistance",
    "phonon_stefan_boltzmann",
    "polycrystal_conductivity",
    "power_law_exponent",
    "propagate_se",
    "series_resistance",
    "t_cubed_law",
]


def t_cubed_law(temperature_K: ArrayLike, *, G_ref_W_m2K: float, T_ref_K: float) -> np.ndarray:
    """Low-temperature law G(T) = G_ref (T/T_ref)³, i.e. R_K ∝ T⁻³, valid for T ≪ Θ_D.

    Swartz & Pohl, Rev. Mod. Phys. 61, 605 (1989), eq. 21: only long-wavelength
    phonons with a Debye DOS (∝ ω²) are excited, and ∫ħω ∂n/∂T ω² dω ∝ T³.
    """
    return G_ref_W_m2K * (np.asarray(temperature_K, dtype=float) / T_ref_K) ** 3


def power_law_exponent(temperature_K: ArrayLike, values: ArrayLike) -> float:
    """Least-squares slope of ln(values) against ln(T) (3 for a T³ law)."""
    slope, _ = np.polyfit(np.log(np.asarray(temperature_K, float)), np.log(np.asarray(values, float)), 1)
    return float(slope)


def phonon_stefan_boltzmann(velocities_m_s: ArrayLike) -> float:
    """σ_ph = π² k_B⁴ / (120 ħ³) Σ_j c_j⁻² (W m⁻² K⁻⁴), the phonon analogue of σ_SB.

    The one-way phonon energy flux of a Debye solid through a plane is σ_ph T⁴ at T ≪ Θ_D
    (Swartz & Pohl 1989, section II.C: ¼ Σ_j c_j ∫ħω n D_j dω with
    ∫x³/(eˣ − 1) dx = π⁴/15).
    """
    c = np.asarray(velocities_m_s, dtype=float)
    return math.pi**2 * constants.k**4 / (120 * constants.hbar**3) * float(np.sum(c**-2.0))


def one_way_flux(temperature_K: ArrayLike, *, prefactor: float, sigma: float,
                 exponent: float) -> np.ndarray:
    """One-way flux Q(T) = A σ Tⁿ (W/m²); A dimensionless (a mean transmission), σ in W m⁻² K⁻ⁿ."""
    return prefactor * sigma * np.asarray(temperature_K, dtype=float) ** exponent


def fluctuation_dissipation_resistance(temperature_K: ArrayLike, *, prefactor: float, sigma: float,
                                       exponent: float) -> np.ndarray:
    """R_K ≈ 1/(dQ/dT) = 1/(A σ n Tⁿ⁻¹) (m² K/W) for a one-way flux Q = A σ Tⁿ.

    Near equilibrium the net flux between sides at T + ΔT/2 and T − ΔT/2 is
    Q(T + ΔT/2) − Q(T − ΔT/2) ≈ (dQ/dT) ΔT (linear response; the fluctuation–
    dissipation reading of the radiative picture, Swartz & Pohl 1989, section II.C).
    With the phonon σ_ph and n = 4 it equals the low-T α-weighted conductance.
    """
    t = np.asarray(temperature_K, dtype=float)
    return 1.0 / (prefactor * sigma * exponent * t ** (exponent - 1))


def series_resistance(*, length_a_m: ArrayLike, kappa_a_W_mK: ArrayLike, R_K_m2K_W: ArrayLike,
                      length_b_m: ArrayLike, kappa_b_W_mK: ArrayLike) -> np.ndarray:
    """Area-specific resistance of a bilayer stack, R = L_A/κ_A + R_K + L_B/κ_B (m² K/W).

    Resistances in series (Fourier's law in each layer, flux continuity; e.g.
    Cahill et al., J. Appl. Phys. 93, 793, 2003).
    """
    return (np.asarray(length_a_m, float) / np.asarray(kappa_a_W_mK, float)
            + np.asarray(R_K_m2K_W, float)
            + np.asarray(length_b_m, float) / np.asarray(kappa_b_W_mK, float))


def kapitza_length(R_K_m2K_W: ArrayLike, kappa_W_mK: ArrayLike) -> np.ndarray:
    """l_K = R_K κ (m): the thickness of bulk with the same resistance as the interface."""
    return np.asarray(R_K_m2K_W, float) * np.asarray(kappa_W_mK, float)


def polycrystal_conductivity(kappa_bulk_W_mK: ArrayLike, R_K_m2K_W: ArrayLike,
                             grain_size_m: ArrayLike) -> np.ndarray:
    """Series model of a polycrystal: 1/κ_eff = 1/κ_bulk + R_K/d (W m⁻¹ K⁻¹).

    One boundary of resistance R_K per grain of size d along the flow (Nan & Birringer,
    Phys. Rev. B 57, 8264, 1998, d ≫ l_K limit of their effective-medium model); equal
    to κ_bulk/(1 + l_K/d).
    """
    kappa = np.asarray(kappa_bulk_W_mK, float)
    return 1.0 / (1.0 / kappa + np.asarray(R_K_m2K_W, float) / np.asarray(grain_size_m, float))


def parallel_channels_resistance(R_up_m2K_W: ArrayLike, R_down_m2K_W: ArrayLike) -> np.ndarray:
    """Two independent parallel channels (spin ↑, ↓): G = G↑ + G↓, R = R↑R↓/(R↑ + R↓).

    The two-current model of spin-dependent transport (Fert & Campbell, J. Phys. F 6,
    849, 1976; Valet & Fert, PRB 48, 7099, 1993) applied to interfacial heat flow.
    """
    up, down = np.asarray(R_up_m2K_W, float), np.asarray(R_down_m2K_W, float)
    with np.errstate(divide="ignore"):
        return 1.0 / (1.0 / up + 1.0 / down)  # an open channel (R = inf) adds nothing


def propagate_se(func: Callable[..., ArrayLike], values: dict[str, float],
                 ses: dict[str, float], *, rel_step: float = 1e-6) -> tuple[float, float]:
    """First-order (uncorrelated) propagation of standard errors through ``func(**values)``.

    se_f² = Σ_k (∂f/∂x_k)² se_k², derivatives by central differences with step
    ``rel_step`` × |x_k| (or ``rel_step`` for x_k = 0).  Keys of ``ses`` missing from
    ``values`` are an error; keys absent from ``ses`` have no uncertainty.

    Returns
    -------
    (value, se)
    """
    unknown = set(ses) - set(values)
    if unknown:
        raise KeyError(f"standard errors given for unknown arguments {sorted(unknown)}")
    centre = float(func(**values))
    variance = 0.0
    for key, se in ses.items():
        step = rel_step * (abs(values[key]) or 1.0)
        hi = float(func(**{**values, key: values[key] + step}))
        lo = float(func(**{**values, key: values[key] - step}))
        variance += ((hi - lo) / (2 * step) * se) ** 2
    return centre, math.sqrt(variance)
