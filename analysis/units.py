"""Unit conversions between LAMMPS ``metal`` units and SI, in one place.

Inside the analysis everything is in LAMMPS ``metal`` units: length in Å, time in ps,
energy in eV, temperature in K.  Results leave the package in SI-derived units whose
names carry the unit (``flux_W_m2``, ``R_K_m2K_W``, ``G_MW_m2K``, ``kappa_W_mK``).
Every factor is built from :mod:`scipy.constants`; none is typed in by hand.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants

__all__ = [
    "J_PER_EV",
    "M_PER_A",
    "S_PER_PS",
    "W_M2_PER_EV_PS_A2",
    "W_MK_PER_EV_PS_A_K",
    "conductance_MW_m2K",
    "flux_W_m2",
    "kappa_W_mK",
    "power_W",
    "resistance_m2K_W",
]

J_PER_EV = constants.electron_volt  # [J/eV]
S_PER_PS = constants.pico  # [s/ps]
M_PER_A = constants.angstrom  # [m/Å]

#: Heat flux: 1 eV ps⁻¹ Å⁻² = 1.602176634e13 W m⁻².  [W m⁻² / (eV ps⁻¹ Å⁻²)]
W_M2_PER_EV_PS_A2 = J_PER_EV / (S_PER_PS * M_PER_A**2)

#: Thermal conductivity: 1 eV ps⁻¹ Å⁻¹ K⁻¹ in W m⁻¹ K⁻¹.  [W m⁻¹ K⁻¹ / (eV ps⁻¹ Å⁻¹ K⁻¹)]
W_MK_PER_EV_PS_A_K = J_PER_EV / (S_PER_PS * M_PER_A)

_MEGA = constants.mega  # [1/MW per 1/W]


def power_W(power_eV_ps: ArrayLike) -> np.ndarray:
    """Convert a power from eV/ps to W.

    Parameters
    ----------
    power_eV_ps : array_like, any shape
        Power (eV/ps).

    Returns
    -------
    numpy.ndarray, same shape
        Power (W).
    """
    return np.asarray(power_eV_ps, dtype=float) * (J_PER_EV / S_PER_PS)


def flux_W_m2(power_eV_ps: ArrayLike, area_A2: float) -> np.ndarray:
    """Heat flux through a cross-section from the power crossing it.

    Heat crosses the section once (non-periodic stack), so there is no factor 2.

    Parameters
    ----------
    power_eV_ps : array_like, any shape
        Power through the section (eV/ps).
    area_A2 : float
        Cross-section area (Å²), must be positive.

    Returns
    -------
    numpy.ndarray, same shape as ``power_eV_ps``
        Heat flux (W/m²).
    """
    if not area_A2 > 0:
        raise ValueError(f"area_A2 must be positive, got {area_A2!r}")
    return np.asarray(power_eV_ps, dtype=float) / area_A2 * W_M2_PER_EV_PS_A2


def kappa_W_mK(flux_W_m2: ArrayLike, grad_K_per_A: ArrayLike) -> np.ndarray:
    """Fourier's law, κ = J / |∇T|, with J in SI and the gradient in K/Å.

    Parameters
    ----------
    flux_W_m2 : array_like
        Heat flux along the flow direction (W/m²).
    grad_K_per_A : array_like, broadcastable with ``flux_W_m2``
        Temperature drop per unit length *along the flow direction*, i.e. −dT/dx with x
        pointing with the heat flow (K/Å).  Positive for a normal profile.

    Returns
    -------
    numpy.ndarray
        Thermal conductivity (W m⁻¹ K⁻¹); negative if the gradient has the wrong sign.
    """
    grad_K_per_m = np.asarray(grad_K_per_A, dtype=float) / M_PER_A
    return np.asarray(flux_W_m2, dtype=float) / grad_K_per_m


def conductance_MW_m2K(R_K_m2K_W: ArrayLike) -> np.ndarray:
    """Thermal boundary conductance G = 1/R_K in MW m⁻² K⁻¹.

    Parameters
    ----------
    R_K_m2K_W : array_like
        Thermal boundary resistance (m² K/W).

    Returns
    -------
    numpy.ndarray
        G (MW m⁻² K⁻¹).
    """
    return 1.0 / (np.asarray(R_K_m2K_W, dtype=float) * _MEGA)


def resistance_m2K_W(G_MW_m2K: ArrayLike) -> np.ndarray:
    """Inverse of :func:`conductance_MW_m2K`: R_K (m² K/W) from G (MW m⁻² K⁻¹)."""
    return 1.0 / (np.asarray(G_MW_m2K, dtype=float) * _MEGA)
