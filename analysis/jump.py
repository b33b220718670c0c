"""Temperature jump at the interface from linear fits of the two sides of a profile.

Each side of the steady NEMD profile is fitted with a straight line inside a window that
keeps away from the bath (non-linear near it) and from the interface (a few layers), and
both lines are extrapolated to the interface plane: ΔT = T_hot-side(z_i) − T_cold-side(z_i)
(Schelling, Phillpot & Keblinski, PRB 65, 144306 (2002); Landry & McGaughey, PRB 80,
165304 (2009)).  Side "A" is the low-z material, side "B" the high-z one; the hot bath
may be on either.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from .blocking import t_interval, welch_satterthwaite_dof
from .linear_fit import fit_line, quadratic_term_test

__all__ = ["SIDES", "fit_windows", "hot_side", "temperature_jump", "window_mask"]

SIDES = ("A", "B")


def hot_side(
    z_interface_A: float, hot_region_A: ArrayLike, cold_region_A: ArrayLike
) -> str:
    """Which side ("A" = low z, "B" = high z) holds the hot bath.

    Parameters
    ----------
    z_interface_A : float
        Interface plane (Å).
    hot_region_A, cold_region_A : array_like, shape (2,)
        (lo, hi) z-extents of the baths (Å).

    Returns
    -------
    str
        "A" or "B".  Raises ``ValueError`` unless the baths sit on opposite sides.
    """
    hot, cold = np.sort(hot_region_A), np.sort(cold_region_A)
    if hot[1] <= z_interface_A <= cold[0]:
        return "A"
    if cold[1] <= z_interface_A <= hot[0]:
        return "B"
    raise ValueError(f"baths {tuple(hot)} (hot) and {tuple(cold)} (cold) must lie on "
                     f"opposite sides of the interface at z = {z_interface_A} Å")


def fit_windows(
    z_interface_A: float,
    hot_region_A: ArrayLike,
    cold_region_A: ArrayLike,
    *,
    bath_exclusion_A: float,
    interface_exclusion_A: float,
) -> dict[str, tuple[float, float]]:
    """Default fit windows of both sides, clear of the baths and of the interface.

    Each window runs from ``bath_exclusion_A`` off the inner edge of its side's bath to
    ``interface_exclusion_A`` off the interface.

    Parameters
    ----------
    z_interface_A : float
        Interface plane (Å).
    hot_region_A, cold_region_A : array_like, shape (2,)
        (lo, hi) bath extents (Å).
    bath_exclusion_A, interface_exclusion_A : float
        Distances kept free of the fit next to the bath edge and the interface (Å).

    Returns
    -------
    dict
        ``{"A": (lo, hi), "B": (lo, hi)}`` in Å.  Raises ``ValueError`` if a window is empty.
    """
    side = hot_side(z_interface_A, hot_region_A, cold_region_A)
    low_bath, high_bath = (hot_region_A, cold_region_A) if side == "A" else (
        cold_region_A, hot_region_A)
    windows = {
        "A": (float(np.max(low_bath)) + bath_exclusion_A, z_interface_A - interface_exclusion_A),
        "B": (z_interface_A + interface_exclusion_A, float(np.min(high_bath)) - bath_exclusion_A),
    }
    for name, (lo, hi) in windows.items():
        if not lo < hi:
            raise ValueError(f"fit window of side {name} is empty: ({lo}, {hi}) Å")
    return windows


def window_mask(z_A: ArrayLike, window_A: ArrayLike) -> np.ndarray:
    """Boolean mask of bin centres inside a closed window ``[lo, hi]`` (Å)."""
    z = np.asarray(z_A, dtype=float)
    lo, hi = window_A
    return (z >= lo) & (z <= hi)


def temperature_jump(
    z_A: ArrayLike,
    T_K: ArrayLike,
    T_sem_K: ArrayLike | None,
    z_interface_A: float,
    windows_A: Mapping[str, ArrayLike],
    *,
    hot_side: str,
    absolute_sigma: bool = True,
) -> dict:
    """Interface temperature jump from weighted line fits of both sides.

    Parameters
    ----------
    z_A : array_like, shape (n_bins,)
        Bin centres (Å).
    T_K : array_like, shape (n_bins,)
        Temperature profile (K); NaN bins are skipped.
    T_sem_K : array_like, shape (n_bins,), or None
        Standard errors of ``T_K`` (K), used as fit weights.  ``None``: equal weights and
        errors from the fit residuals.
    z_interface_A : float
        Interface plane (Å).
    windows_A : mapping
        ``{"A": (lo, hi), "B": (lo, hi)}`` fit windows (Å), e.g. from :func:`fit_windows`.
    hot_side : {"A", "B"}
        Side of the hot bath; fixes the sign ΔT = T_hot-side(z_i) − T_cold-side(z_i).
    absolute_sigma : bool, optional
        Trust ``T_sem_K`` as absolute errors (normal interval) or only as relative
        weights (errors scaled by the reduced chi², t interval).

    Returns
    -------
    dict
        ``delta_T_K``, ``delta_T_se_K``, ``delta_T_ci95_low_K``, ``delta_T_ci95_high_K``,
        ``delta_T_dof``; per side X in {A, B}: ``T_interface_X_K``, ``T_interface_X_se_K``,
        ``grad_X_K_per_A`` (dT/dz), ``grad_X_se_K_per_A``, ``intercept_X_K`` (line at
        z = 0), ``chi2_red_X``, ``n_bins_X``, ``linearity_p_X`` (quadratic-term F-test,
        NaN with fewer than 4 bins); and ``hot_side``.
    """
    if hot_side not in SIDES:
        raise ValueError(f"hot_side must be 'A' or 'B', got {hot_side!r}")
    z = np.asarray(z_A, dtype=float)
    T = np.asarray(T_K, dtype=float)
    sem = None if T_sem_K is None else np.asarray(T_sem_K, dtype=float)
    out: dict = {"hot_side": hot_side}
    variances, dofs = [], []
    for side in SIDES:
        mask = window_mask(z, windows_A[side]) & np.isfinite(T)
        if sem is not None:
            mask &= np.isfinite(sem) & (sem > 0)
        if mask.sum() < 3:
            raise ValueError(f"side {side}: fewer than 3 usable bins in window {windows_A[side]}")
        s = None if sem is None else sem[mask]
        fit = fit_line(z[mask], T[mask], s, absolute_sigma=absolute_sigma)
        value, se = fit.value_at(z_interface_A)
        lin = quadratic_term_test(z[mask], T[mask], s) if mask.sum() >= 4 else None
        out |= {
            f"T_interface_{side}_K": value,
            f"T_interface_{side}_se_K": se,
            f"grad_{side}_K_per_A": fit.slope,
            f"grad_{side}_se_K_per_A": fit.slope_se,
            f"intercept_{side}_K": fit.intercept,
            f"chi2_red_{side}": fit.chi2_red,
            f"n_bins_{side}": int(mask.sum()),
            f"linearity_p_{side}": float("nan") if lin is None else lin["p_value"],
        }
        variances.append(se**2)
        dofs.append(fit.ci_dof)
    cold = "B" if hot_side == "A" else "A"
    delta = out[f"T_interface_{hot_side}_K"] - out[f"T_interface_{cold}_K"]
    se = float(np.sqrt(sum(variances)))
    dof = welch_satterthwaite_dof(variances, dofs)
    low, high = t_interval(delta, se, dof)
    return out | {
        "delta_T_K": float(delta),
        "delta_T_se_K": se,
        "delta_T_ci95_low_K": float(low),
        "delta_T_ci95_high_K": float(high),
        "delta_T_dof": dof,
    }

