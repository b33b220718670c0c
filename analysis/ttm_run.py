"""R_pp, R_ep and R_total of one two-temperature NEMD run, with block intervals.

A run of :mod:`engine.ttm` gives, on a grid of cells along the transport axis x (metal at
low x, the interface at ``x_interface_A``), the lattice temperature in every sampling
window and snapshots of the electron temperature of the metal's cells.  The steady part
(after ``discard_fraction`` of the production) is cut into ``n_blocks`` contiguous
blocks; each block's mean profiles are fitted with the steady two-temperature solution
(:func:`analysis.two_temperature.fit_two_temperature`, errors scaled by the fit's own
residuals), and every resistance is the fit of the whole steady window with a Student-t
interval of n_blocks − 1 degrees of freedom from the blocks' scatter.  A block whose fit
is unphysical (a conductivity or G_ep not positive) leaves the run without an interval.  Blocks much longer than the relaxation of the
profile are independent, so the block scatter carries the slow collective modes that a
per-bin error would miss (the same reasoning as the NEMD jump, Flyvbjerg & Petersen,
J. Chem. Phys. 91, 461 (1989)).  The full steady window is fitted once more for the
figure and the point estimate of the coupling length.

Convergence.  Block means are independent only when a block spans many correlation
times.  The integrated autocorrelation time τ_int of the steady difference between the
mean metal and non-metal lattice temperatures (Sokal's windowed estimate,
:func:`analysis.slow_mode.integrated_time_samples`) must fit ``MIN_BLOCK_TAUS`` times in a
block; otherwise the run is flagged not converged and gets point values only (no
interval), with the production it would need.  On synthetic runs whose bins share a slow
mode, the intervals of R_pp and R_total cover 0.96 when blocks span ~10 τ (119 of 120
runs converged), against 0.86–0.88 without the criterion when blocks span only 1.4 τ
(tests/analysis/test_ttm_run.py).

Cells used: the metal's lattice and electron cells beyond the electron source (the first
``source_cells`` electron cells, where the heat enters; the far end of the fit,
``far_end_A``, is the centre of the first electron cell), and the non-metal's cells
between the interface and the sink region less ``bath_exclusion_A``.  Units: Å, K, W/m²,
m²K/W.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
from scipy import stats

from .slow_mode import integrated_time_samples
from .two_temperature import fit_two_temperature

__all__ = ["MIN_BLOCK_TAUS", "RESISTANCES", "analyse_ttm_run", "steady_blocks"]

#: Fewest integrated correlation times per block for an interval.
MIN_BLOCK_TAUS = 5.0

#: Resistances reported for each run (keys of fit_two_temperature, m²K/W).
RESISTANCES = ("R_pp", "R_ep", "R_ep_local", "R_ep_MR", "R_total")


def steady_blocks(time_ps: np.ndarray, values: np.ndarray, *, start_ps: float,
                  n_blocks: int) -> np.ndarray:
    """Means of ``values`` (n, nx) over ``n_blocks`` contiguous blocks of the samples at
    ``time_ps >= start_ps``: shape (n_blocks, nx) (NaN-aware per cell)."""
    keep = np.asarray(time_ps) >= start_ps
    rows = np.asarray(values, dtype=float)[keep]
    if rows.shape[0] < n_blocks:
        raise ValueError(f"{rows.shape[0]} steady samples cannot make {n_blocks} blocks: "
                         "run longer or discard less")
    with warnings.catch_warnings():  # cells without atoms stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.array([np.nanmean(chunk, axis=0) for chunk in np.array_split(rows, n_blocks)])


def _cells(raw: Mapping, geometry: Mapping, source_cells: int,
           bath_exclusion_A: float) -> dict:
    x = np.asarray(raw["x_A"], dtype=float)
    electron = np.asarray(raw["electron_cell"], dtype=bool)
    first = int(np.argmax(electron))
    metal = electron & (np.arange(x.size) >= first + source_cells)
    sink_lo = float(geometry["sink_region_A"][0])
    nonmetal = (x > float(geometry["x_interface_A"])) & (x < sink_lo - bath_exclusion_A) & \
        ~electron & (np.asarray(raw["atoms_per_cell"]) > 0)
    if metal.sum() < 3 or nonmetal.sum() < 3:
        raise ValueError(f"{int(metal.sum())} metal and {int(nonmetal.sum())} non-metal cells "
                         "left for the fit: need at least 3 each (longer sides or smaller "
                         "electron_cell_A)")
    return {"x": x, "metal": metal, "nonmetal": nonmetal, "far_end_A": float(x[first])}


def _convergence(raw: Mapping, cells: dict, time_ps: np.ndarray, start_ps: float,
                 n_blocks: int) -> dict:
    """Blocks against the correlation time of the steady metal − non-metal difference."""
    steady = time_ps >= start_ps
    lattice = np.asarray(raw["lattice_T_K"], dtype=float)[steady]
    difference = (np.nanmean(lattice[:, cells["metal"]], axis=1)
                  - np.nanmean(lattice[:, cells["nonmetal"]], axis=1))
    tau = integrated_time_samples(difference)
    block = difference.size / n_blocks
    window_ps = float(np.median(np.diff(time_ps)))
    converged = block >= MIN_BLOCK_TAUS * tau
    needed_ps = MIN_BLOCK_TAUS * tau * n_blocks * window_ps / (1 - start_ps / time_ps[-1])
    reasons = [] if converged else [(
        f"not converged: blocks of {block * window_ps:.3g} ps hold {block / tau:.2g} "
        f"correlation times (tau_int = {tau * window_ps:.3g} ps) of the metal - non-metal "
        f"temperature difference, fewer than {MIN_BLOCK_TAUS:g}: run about "
        f"{needed_ps:.3g} ps")]
    return {"converged": bool(converged), "tau_int_ps": float(tau * window_ps),
            "block_ps": float(block * window_ps), "min_block_taus": MIN_BLOCK_TAUS,
            "reasons": reasons}


def _unphysical(fit: Mapping) -> list[str]:
    """Fitted quantities that must be positive and are not."""
    return [k for k in ("kappa_e_W_mK", "kappa_p_W_mK", "G_ep_W_m3K", "kappa_nonmetal_W_mK")
            if not (fit.get(k) or 0.0) > 0.0]


def _fit(cells: dict, lattice: np.ndarray, electrons: np.ndarray, x_interface_A: float,
         flux_W_m2: float) -> dict:
    x, metal, nonmetal = cells["x"], cells["metal"], cells["nonmetal"]
    ones = np.ones(int(metal.sum()))
    return fit_two_temperature(
        z_interface_A=x_interface_A, z_metal_A=x[metal], T_metal_K=lattice[metal],
        T_metal_err_K=ones, z_nonmetal_A=x[nonmetal], T_nonmetal_K=lattice[nonmetal],
        T_nonmetal_err_K=np.ones(int(nonmetal.sum())), z_electron_A=x[metal],
        T_electron_K=electrons[metal], T_electron_err_K=ones, flux_W_m2=flux_W_m2,
        flux_se_W_m2=0.0, far_end_A=cells["far_end_A"], absolute_sigma=False)


def analyse_ttm_run(raw: Mapping, geometry: Mapping, *, flux_W_m2: float,
                    discard_fraction: float = 0.3, n_blocks: int = 5, source_cells: int = 2,
                    bath_exclusion_A: float = 2.0) -> dict:
    """Block analysis of one run (module docstring).

    Parameters
    ----------
    raw : mapping
        :func:`engine.ttm.run_ttm_nemd` arrays (``time_ps``, ``x_A``, ``electron_cell``,
        ``lattice_T_K``, ``atoms_per_cell``, ``electron_time_ps``, ``electron_T_K``).
    geometry : mapping
        The run's geometry (``x_interface_A``, ``sink_region_A``).
    flux_W_m2 : float
        Imposed heat flux from the metal into the non-metal (W/m²), exact (eHEX).
    discard_fraction, n_blocks, source_cells, bath_exclusion_A
        Transient left out (fraction of the production), blocks, electron cells of the
        source left out of the fit, and non-metal Å left out next to the sink.

    Returns
    -------
    dict
        For X in :data:`RESISTANCES`: ``X_m2K_W`` (full-window fit), ``X_se_m2K_W``,
        ``X_ci95_low_m2K_W``, ``X_ci95_high_m2K_W`` (None when not converged) and
        ``X_blocks_m2K_W``; ``converged`` and ``convergence``; ``G_ep_W_m3K``,
        ``coupling_length_nm``, ``kappa_p_W_mK``, ``kappa_nonmetal_W_mK`` (full-window
        fit), ``profiles`` (cells, mean lattice and electron temperatures, the fitted
        curves), ``ci_dof``, ``warnings``.
    """
    time_ps = np.asarray(raw["time_ps"], dtype=float)
    start = discard_fraction * float(time_ps[-1])
    cells = _cells(raw, geometry, source_cells, bath_exclusion_A)
    lattice = steady_blocks(time_ps, raw["lattice_T_K"], start_ps=start, n_blocks=n_blocks)
    electrons = steady_blocks(raw["electron_time_ps"], raw["electron_T_K"], start_ps=start,
                              n_blocks=n_blocks)
    x_int = float(geometry["x_interface_A"])
    fits = [_fit(cells, lattice[k], electrons[k], x_int, flux_W_m2) for k in range(n_blocks)]
    full = _fit(cells, lattice.mean(axis=0), electrons.mean(axis=0), x_int, flux_W_m2)
    t = float(stats.t.ppf(0.975, n_blocks - 1))
    convergence = _convergence(raw, cells, time_ps, start, n_blocks)
    unphysical = _unphysical(full)
    if unphysical:  # e.g. the noise hides the metal's curvature: no two-temperature result
        convergence["converged"] = False
        convergence["reasons"].append(
            f"not converged: the fit of the steady profiles is unphysical ({', '.join(unphysical)} "
            "not positive): the profiles do not resolve the electron-phonon relaxation "
            "(run longer, widen the cross-section, or lengthen the metal)")
    bad_blocks = [k for k, f in enumerate(fits) if _unphysical(f)]
    if bad_blocks and convergence["converged"]:
        convergence["converged"] = False
        convergence["reasons"].append(
            f"not converged: the fits of blocks {bad_blocks} are unphysical (a conductivity "
            "or G_ep not positive): one block's profiles do not resolve the electron-phonon "
            "relaxation, so the block scatter is no error bar (run longer or widen the "
            "cross-section); the values are the full window's fit")
    out: dict = {"ci_dof": n_blocks - 1 if convergence["converged"] else None,
                 "n_blocks": n_blocks, "steady_from_ps": start, "flux_W_m2": float(flux_W_m2),
                 "converged": convergence["converged"], "convergence": convergence,
                 "warnings": list(full.get("warnings", [])) + convergence["reasons"]}
    for name in RESISTANCES:
        values = np.array([f[f"{name}_m2K_W"] for f in fits], dtype=float)
        # centre: the full window's fit (stabler than the mean of nonlinear block fits);
        # spread: the blocks' scatter
        mean = float(full[f"{name}_m2K_W"])
        se = float(values.std(ddof=1) / math.sqrt(n_blocks))
        ok = convergence["converged"]
        out |= {f"{name}_m2K_W": mean, f"{name}_se_m2K_W": se if ok else None,
                f"{name}_ci95_low_m2K_W": mean - t * se if ok else None,
                f"{name}_ci95_high_m2K_W": mean + t * se if ok else None,
                f"{name}_blocks_m2K_W": values.tolist()}
    for key in ("G_ep_W_m3K", "coupling_length_nm", "kappa_p_W_mK", "kappa_e_W_mK",
                "kappa_nonmetal_W_mK"):
        out[key] = full.get(key)
    out["metal_length_A"] = float(x_int - cells["far_end_A"])
    out["profiles"] = {"x_A": cells["x"].tolist(), "metal": cells["metal"].tolist(),
                       "nonmetal": cells["nonmetal"].tolist(),
                       "lattice_T_K": lattice.mean(axis=0).tolist(),
                       "lattice_se_K": (lattice.std(axis=0, ddof=1) / math.sqrt(n_blocks)).tolist(),
                       "electron_T_K": electrons.mean(axis=0).tolist(),
                       "far_end_A": cells["far_end_A"], "x_interface_A": x_int}
    out["full_window_fit"] = {k: v for k, v in full.items() if np.ndim(v) == 0}
    out["physical_fit"] = not unphysical
    return out
