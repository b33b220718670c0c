"""R_pp, R_ep and R_total of one two-temperature NEMD run, with block intervals.

A run of :mod:`engine.ttm` gives, on a grid of cells along the transport axis x (metal at
low x, the interface at ``x_interface_A``), the lattice temperature in every sampling
window and snapshots of the electron temperature of the metal's cells.  The steady part
(after ``discard_fraction`` of the production) is cut into ``n_blocks`` contiguous
blocks.  The mean profiles of the whole steady window are fitted with the steady
two-temperature solution (:func:`analysis.two_temperature.fit_two_temperature`, errors
scaled by the fit's own residuals): that fit is every point value.  The error comes from
the delete-one-block jackknife (Efron & Stein, Ann. Stat. 9, 586 (1981); for correlated
data, Künsch, Ann. Stat. 17, 1217 (1989)): the profiles are refitted n_blocks times, each
time with one block left out, and SE² = (n − 1)/n Σ (θ₋ₖ − θ̄₋)², with a Student-t interval
of n_blocks − 1 degrees of freedom.  Each refit sees (n − 1)/n of the data, so it stays as
well conditioned as the full fit where a fit of a single block's noisy profile may not
resolve the electron–phonon relaxation at all (the reason for the jackknife: a
four-parameter nonlinear fit of one fifth of a run can turn unphysical while the whole
run's fit is sound).  A refit that is unphysical (a conductivity or G_ep not positive)
leaves the run without an interval.  Blocks much longer than the relaxation of the
profile are independent, so the block-level jackknife carries the slow collective modes
that a per-bin error would miss (the same reasoning as the NEMD jump, Flyvbjerg &
Petersen, J. Chem. Phys. 91, 461 (1989)).

Convergence.  Block means are independent only when a block spans many correlation
times.  The integrated autocorrelation time τ_int of the steady difference between the
mean metal and non-metal lattice temperatures (Sokal's windowed estimate,
:func:`analysis.slow_mode.integrated_time_samples`) must fit ``MIN_BLOCK_TAUS`` times in a
block; otherwise the run is flagged not converged and gets point values only (no
interval), with the production it would need.  On synthetic runs whose bins share a slow
mode, the jackknife intervals of R_pp and R_total cover 0.96 (119 of 120 runs converged;
0.97–0.98 with a smooth electron field), and at the signal-to-noise of the Si/Cu run of
config/sicu_ttm.yaml (~2.5 K per lattice cell, R_ep barely resolved) R_pp, R_ep and
R_total cover 0.94, 0.97 and 0.93 in 240 runs (tests/analysis/test_ttm_run.py).

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

__all__ = ["MIN_BLOCK_TAUS", "RESISTANCES", "analyse_ttm_run", "group_errors_K", "steady_blocks"]

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


def group_errors_K(cells: dict, lattice_blocks: np.ndarray,
                   electron_blocks: np.ndarray) -> dict[str, float]:
    """Standard error (K) of a cell's steady mean in each group of the fit, pooled.

    The groups are the metal's lattice cells, its electron cells and the non-metal's
    lattice cells.  Their noise differs by orders of magnitude (the electron field is a
    continuum that averages the lattice it couples to; a lattice cell holds ~100 atoms),
    so one weight for all would let the noisy lattice decide what the smooth electron
    profile fixes.  For each group: the between-block variance of every cell's block
    mean less the block's group mean (the noise of the profile's shape; a shift of the
    whole group, the slow mode that the metal's electrons and lattice share, is a fit
    parameter, and its effect on the resistances is in the jackknife), pooled over the
    group's cells and divided by the number of blocks.  These set the relative weights
    only: the fit scales them by its residuals, and the interval is the jackknife's.
    """
    def pooled(blocks, mask):
        values = blocks[:, mask]
        shape = values - np.nanmean(values, axis=1, keepdims=True)
        return float(np.sqrt(np.nanmean(np.nanvar(shape, axis=0, ddof=1)) / len(blocks)))

    return {"metal": pooled(lattice_blocks, cells["metal"]),
            "electron": pooled(electron_blocks, cells["metal"]),
            "nonmetal": pooled(lattice_blocks, cells["nonmetal"])}


def _fit(cells: dict, lattice: np.ndarray, electrons: np.ndarray, x_interface_A: float,
         flux_W_m2: float, errors_K: Mapping[str, float]) -> dict:
    """Two-temperature fit of one pair of mean profiles, each group weighted by its error
    (scaled afterwards by the residuals: ``absolute_sigma`` False)."""
    x, metal, nonmetal = cells["x"], cells["metal"], cells["nonmetal"]
    n_m, n_n = int(metal.sum()), int(nonmetal.sum())
    floor = 1e-6 * max(errors_K.values())  # a noiseless group (synthetic data) stays finite
    err = {k: max(v, floor) for k, v in errors_K.items()}
    return fit_two_temperature(
        z_interface_A=x_interface_A, z_metal_A=x[metal], T_metal_K=lattice[metal],
        T_metal_err_K=np.full(n_m, err["metal"]), z_nonmetal_A=x[nonmetal],
        T_nonmetal_K=lattice[nonmetal], T_nonmetal_err_K=np.full(n_n, err["nonmetal"]),
        z_electron_A=x[metal], T_electron_K=electrons[metal],
        T_electron_err_K=np.full(n_m, err["electron"]), flux_W_m2=flux_W_m2,
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
        ``X_jackknife_m2K_W`` (the delete-one-block refits); ``converged`` and
        ``convergence``; ``G_ep_W_m3K``, ``coupling_length_nm``, ``kappa_p_W_mK``,
        ``kappa_nonmetal_W_mK`` (full-window fit), ``profiles`` (cells, mean lattice and electron temperatures, the fitted
        curves), ``ci_dof``, ``warnings``.
    """
    time_ps = np.asarray(raw["time_ps"], dtype=float)
    start = discard_fraction * float(time_ps[-1])
    cells = _cells(raw, geometry, source_cells, bath_exclusion_A)
    lattice = steady_blocks(time_ps, raw["lattice_T_K"], start_ps=start, n_blocks=n_blocks)
    electrons = steady_blocks(raw["electron_time_ps"], raw["electron_T_K"], start_ps=start,
                              n_blocks=n_blocks)
    x_int = float(geometry["x_interface_A"])
    errors = group_errors_K(cells, lattice, electrons)
    full = _fit(cells, lattice.mean(axis=0), electrons.mean(axis=0), x_int, flux_W_m2, errors)
    keep = ~np.eye(n_blocks, dtype=bool)
    fits = [_fit(cells, lattice[keep[k]].mean(axis=0), electrons[keep[k]].mean(axis=0), x_int,
                 flux_W_m2, errors) for k in range(n_blocks)]  # delete-one-block jackknife
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
            f"not converged: the jackknife refits without blocks {bad_blocks} are unphysical "
            "(a conductivity or G_ep not positive): the profiles barely resolve the "
            "electron-phonon relaxation, so the refits' scatter is no error bar (run longer "
            "or widen the cross-section); the values are the full window's fit")
    out: dict = {"ci_dof": n_blocks - 1 if convergence["converged"] else None,
                 "n_blocks": n_blocks, "steady_from_ps": start, "flux_W_m2": float(flux_W_m2),
                 "converged": convergence["converged"], "convergence": convergence,
                 "warnings": list(full.get("warnings", [])) + convergence["reasons"]}
    for name in RESISTANCES:
        values = np.array([f[f"{name}_m2K_W"] if f[f"{name}_m2K_W"] is not None else np.nan
                           for f in fits], dtype=float)
        # centre: the full window's fit; spread: the jackknife refits' scatter
        mean = float(full[f"{name}_m2K_W"])
        se = float(math.sqrt((n_blocks - 1) / n_blocks
                             * np.sum((values - values.mean()) ** 2)))
        ok = convergence["converged"]
        out |= {f"{name}_m2K_W": mean, f"{name}_se_m2K_W": se if ok else None,
                f"{name}_ci95_low_m2K_W": mean - t * se if ok else None,
                f"{name}_ci95_high_m2K_W": mean + t * se if ok else None,
                f"{name}_jackknife_m2K_W": values.tolist()}
    for key in ("G_ep_W_m3K", "coupling_length_nm", "kappa_p_W_mK", "kappa_e_W_mK",
                "kappa_nonmetal_W_mK"):
        out[key] = full.get(key)
        # positive quantities: the jackknife of the logarithm, an interval symmetric in it
        logs = np.log([f[key] if (f.get(key) or 0.0) > 0.0 else np.nan for f in fits])
        ok = convergence["converged"] and bool(np.all(np.isfinite(logs)))
        se_log = float(math.sqrt((n_blocks - 1) / n_blocks
                                 * np.sum((logs - logs.mean()) ** 2))) if ok else None
        out[f"{key}_ci95"] = ([full[key] * math.exp(-t * se_log),
                               full[key] * math.exp(t * se_log)] if ok else None)
    out["metal_length_A"] = float(x_int - cells["far_end_A"])
    out["profiles"] = {"x_A": cells["x"].tolist(), "metal": cells["metal"].tolist(),
                       "nonmetal": cells["nonmetal"].tolist(),
                       "lattice_T_K": lattice.mean(axis=0).tolist(),
                       "lattice_se_K": (lattice.std(axis=0, ddof=1) / math.sqrt(n_blocks)).tolist(),
                       "electron_T_K": electrons.mean(axis=0).tolist(),
                       "far_end_A": cells["far_end_A"], "x_interface_A": x_int}
    out["full_window_fit"] = {k: v for k, v in full.items() if np.ndim(v) == 0}
    out["physical_fit"] = not unphysical
    out["group_errors_K"] = errors
    return out
