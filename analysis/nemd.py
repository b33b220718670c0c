"""Kapitza resistance of one NEMD replica: steady state, blocks, ΔT, J, R_K, G and κ.

R_K = ΔT/J with ΔT the extrapolated temperature discontinuity at the interface and J the
heat flux (Schelling, Phillpot & Keblinski, PRB 65, 144306 (2002)); G = 1/R_K; the bulk
conductivities follow from Fourier's law on each side, κ = J/|dT/dz|.

Pipeline of :func:`analyse_replica`
-----------------------------------
1. Fit windows per side (:func:`analysis.jump.fit_windows`) and the bins used in them
   (finite temperature throughout, at least ``min_bin_fill`` × the median atom count).
2. Per-sample series, all linear in the profile: ΔT(t) and dT/dz(t) per side from
   atom-weighted line fits (:func:`analysis.linear_fit.linear_functionals`), the
   side-mean temperature difference, and the bath power.
3. Steady state: MSER-5 on those series plus a drift test
   (:func:`analysis.steady_state.detect_steady_state`).
4. Blocks: the Flyvbjerg–Petersen statistical inefficiency s (≈ 2 τ_int, in samples) of
   the ΔT and power series gives the block length L = ceil(block_inefficiencies · s),
   shortened if needed to keep at least ``min_blocks`` blocks (with a warning).
5. Per block: ΔT, dT/dz per side and J (mean bath power / area).  R_K, G and κ are
   ratios of the block means (the same as the time-averaged profile and flux) with a
   delete-one-block jackknife standard error (:mod:`analysis.jackknife`), which equals the
   delta method with the ΔT–J covariance to first order; the 95 % interval uses a
   t-distribution with n_blocks − 1 dof.  The ratio of means avoids the bias of a mean of
   per-block ratios when J is noisy.  G's interval is the image of R_K's (1/R).
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Mapping

import numpy as np

from .blocking import block_means, flyvbjerg_petersen, mean_ci, t_interval
from .flux import heat_flux, sample_powers
from .io import to_jsonable
from .jackknife import jackknife
from .jump import SIDES, fit_windows, hot_side, temperature_jump, window_mask
from .linear_fit import linear_functionals
from .steady_state import detect_steady_state
from .units import conductance_MW_m2K, flux_W_m2, kappa_W_mK

__all__ = [
    "DEFAULT_SETTINGS",
    "PROFILE_COLUMNS",
    "analyse_replica",
    "estimate_keys",
    "profile_table",
    "validate_replica",
]

#: Fewest steady-state samples analysed (blocks drop a remainder; the bath-power blocking
#: analysis needs 32).
MIN_STEADY_SAMPLES = 64

#: Analysis settings (config values) and their defaults.
DEFAULT_SETTINGS: dict = {
    "bath_exclusion_A": 10.0,  # fit window starts this far from the bath edge [Å]
    "interface_exclusion_A": 5.0,  # and ends this far from the interface [Å]
    "fit_windows_A": None,  # explicit {"A": [lo, hi], "B": [lo, hi]} overrides both [Å]
    "min_discard_ps": 0.0,  # discard at least this much of the start [ps]
    "discard_factor": 1.5,  # discard this × the MSER-5 transient length [-]
    "min_blocks": 5,  # fewest time blocks
    "block_inefficiencies": 10.0,  # block length ≥ this × statistical inefficiency (≈ 2τ_int)
    "min_bin_fill": 0.5,  # drop fit bins with fewer atoms than this × median [-]
    "linearity_alpha": 0.01,  # flag a side as non-linear below this p-value [-]
    "max_flux_imbalance": 0.05,  # warn above this |P_hot + P_cold| / mean |P| (and 3 SE) [-]
    "drift_alpha": 0.01,  # steady-state drift test level [-]
}

#: Columns of :func:`profile_table`, in order.
PROFILE_COLUMNS = ("z_A", "atoms_per_bin", "T_mean_K", "T_sem_K", "side", "in_fit_window",
                   "T_fit_K")

_QUANTITY_UNITS = {"R_K": "m2K_W", "G": "MW_m2K", "delta_T": "K", "flux": "W_m2",
                   "kappa_A": "W_mK", "kappa_B": "W_mK"}


def estimate_keys(name: str, value: float, se: float, low: float, high: float) -> dict:
    """Name an estimate's keys ``<name>[_se|_ci95_low|_ci95_high]_<unit>``.

    Parameters
    ----------
    name : str
        One of "R_K", "G", "delta_T", "flux", "kappa_A", "kappa_B".
    value, se, low, high : float
        Estimate, standard error and 95 % interval.

    Returns
    -------
    dict
        Four entries named with the quantity's unit.
    """
    unit = _QUANTITY_UNITS[name]
    return {f"{name}_{unit}": float(value), f"{name}_se_{unit}": float(se),
            f"{name}_ci95_low_{unit}": float(low), f"{name}_ci95_high_{unit}": float(high)}


def validate_replica(raw: Mapping) -> dict:
    """Check one replica's raw NEMD data against the input contract and normalise it.

    Parameters
    ----------
    raw : mapping
        ``time_ps`` (n_samples,), ``z_A`` (n_bins,), ``temperature_K`` (n_samples, n_bins),
        ``atoms_per_bin`` (n_bins,), ``energy_hot_eV`` and ``energy_cold_eV`` (n_samples,),
        ``area_A2``, ``z_interface_A``, ``hot_region_A`` (2,), ``cold_region_A`` (2,);
        e.g. a dict or an ``np.load``-ed npz.

    Returns
    -------
    dict
        Same keys as float arrays / floats.  Raises ``ValueError`` on any violation.
    """
    missing = {"time_ps", "z_A", "temperature_K", "atoms_per_bin", "energy_hot_eV",
               "energy_cold_eV", "area_A2", "z_interface_A", "hot_region_A",
               "cold_region_A"} - set(raw)
    if missing:
        raise ValueError(f"raw data lacks {sorted(missing)}")
    d = {k: np.asarray(raw[k], dtype=float) for k in ("time_ps", "z_A", "temperature_K",
                                                     "atoms_per_bin", "energy_hot_eV",
                                                     "energy_cold_eV")}
    d |= {k: float(np.asarray(raw[k])) for k in ("area_A2", "z_interface_A")}
    d |= {k: tuple(np.asarray(raw[k], dtype=float).ravel()) for k in ("hot_region_A",
                                                                     "cold_region_A")}
    n, m = d["time_ps"].size, d["z_A"].size
    _require(d["time_ps"].ndim == 1 and np.all(np.diff(d["time_ps"]) > 0) and
             d["time_ps"][0] > 0, "time_ps must be positive and increasing")
    dt = np.diff(np.concatenate([[0.0], d["time_ps"]]))
    _require(np.allclose(dt[1:], dt[1], rtol=1e-6), "time_ps must be evenly spaced")
    _require(d["z_A"].ndim == 1 and np.all(np.diff(d["z_A"]) > 0), "z_A must be increasing")
    _require(d["temperature_K"].shape == (n, m), f"temperature_K must have shape {(n, m)}")
    _require(d["atoms_per_bin"].shape == (m,) and np.all(d["atoms_per_bin"] >= 0),
             "atoms_per_bin must be (n_bins,) and non-negative")
    for key in ("energy_hot_eV", "energy_cold_eV"):
        _require(d[key].shape == (n,) and np.all(np.isfinite(d[key])),
                 f"{key} must be finite with shape ({n},)")
    _require(d["area_A2"] > 0, "area_A2 must be positive")
    _require(len(d["hot_region_A"]) == 2 and len(d["cold_region_A"]) == 2,
             "bath regions must be (lo, hi)")
    _require(d["z_A"][0] < d["z_interface_A"] < d["z_A"][-1], "interface outside the bins")
    return d


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _settings(settings: Mapping | None) -> dict:
    unknown = set(settings or {}) - set(DEFAULT_SETTINGS)
    if unknown:
        raise ValueError(f"unknown analysis settings {sorted(unknown)}")
    return DEFAULT_SETTINGS | dict(settings or {})


def _fit_bins(d: dict, windows: Mapping, min_fill: float, notes: list[str]) -> dict:
    """Per side, the mask of bins used in the fits."""
    finite = np.all(np.isfinite(d["temperature_K"]), axis=0)
    masks = {}
    for side in SIDES:
        inside = window_mask(d["z_A"], windows[side])
        atoms = d["atoms_per_bin"]
        filled = atoms >= min_fill * np.median(atoms[inside]) if inside.any() else inside
        mask = inside & filled & (atoms > 0) & finite
        if np.any(inside & filled & ~finite):
            notes.append(f"side {side}: {int(np.sum(inside & filled & ~finite))} bin(s) with "
                         "missing temperatures left out of the fit")
        if mask.sum() < 4:
            raise ValueError(f"side {side}: only {int(mask.sum())} usable bins in the fit "
                             f"window {tuple(windows[side])} Å (need 4)")
        masks[side] = mask
    return masks


def _sample_series(d: dict, masks: dict, side_hot: str) -> dict:
    """Per-sample ΔT, gradients, side-mean difference and flux (W/m²)."""
    T, z, w = d["temperature_K"], d["z_A"], d["atoms_per_bin"]
    out = {}
    for side in SIDES:
        a, b = linear_functionals(z[masks[side]], w[masks[side]], d["z_interface_A"])
        out[f"T_i_{side}"] = T[:, masks[side]] @ a
        out[f"grad_{side}"] = T[:, masks[side]] @ b
        out[f"mean_{side}"] = T[:, masks[side]] @ (w[masks[side]] / w[masks[side]].sum())
    cold = "B" if side_hot == "A" else "A"
    out["delta_T"] = out[f"T_i_{side_hot}"] - out[f"T_i_{cold}"]
    out["side_diff"] = out[f"mean_{side_hot}"] - out[f"mean_{cold}"]
    p_hot = sample_powers(d["time_ps"], d["energy_hot_eV"])
    p_cold = sample_powers(d["time_ps"], d["energy_cold_eV"])
    out["flux"] = flux_W_m2(0.5 * (p_hot - p_cold), d["area_A2"])
    return out


def _block_length(series: list[np.ndarray], s: dict, notes: list[str]) -> tuple[int, float]:
    """Block length (samples) from the FP statistical inefficiency; see module docstring."""
    m = series[0].size
    fps = [flyvbjerg_petersen(x, min_blocks=min(8, m // 4)) for x in series]
    if not all(fp.converged for fp in fps):
        notes.append("blocking analysis found no plateau: correlation time may be "
                     "underestimated, the run may be too short")
    ineff = max(fp.statistical_inefficiency for fp in fps)
    length = math.ceil(s["block_inefficiencies"] * ineff)
    if m // length < s["min_blocks"]:
        length = m // s["min_blocks"]
        notes.append(f"only {m} steady samples: blocks shortened to {length} samples "
                     f"(< {s['block_inefficiencies']:g} × statistical inefficiency "
                     f"{ineff:.1f}); the CI may be too narrow -- run longer")
    if length < 1:
        raise ValueError(f"only {m} steady samples, fewer than min_blocks")
    return length, ineff


def _profile(T_used: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Time-mean profile and its SEM per bin from block means (NaN-aware)."""
    n_blocks = T_used.shape[0] // length
    kept = T_used[T_used.shape[0] - n_blocks * length:]
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)
        blocks = np.nanmean(kept.reshape(n_blocks, length, -1), axis=1)
        mean = np.nanmean(kept, axis=0)
        sem = np.nanstd(blocks, axis=0, ddof=1) / np.sqrt(np.sum(np.isfinite(blocks), axis=0))
    return mean, sem


def analyse_replica(raw: Mapping, settings: Mapping | None = None) -> dict:
    """Kapitza resistance, conductance and side conductivities of one NEMD replica.

    Parameters
    ----------
    raw : mapping
        One replica's data, see :func:`validate_replica` (Å, ps, eV, K).
    settings : mapping, optional
        Overrides of :data:`DEFAULT_SETTINGS` (unknown keys raise).

    Returns
    -------
    dict
        JSON-serialisable (NaN → None).  For each of R_K [m2K_W], G [MW_m2K], delta_T [K],
        flux [W_m2], kappa_A [W_mK], kappa_B [W_mK]: ``<q>_<unit>``, ``<q>_se_<unit>``,
        ``<q>_ci95_low_<unit>``, ``<q>_ci95_high_<unit>``.  Also ``ci_dof``,
        ``hot_side``, ``flux_imbalance``, ``power_hot_eV_ps``, ``power_cold_eV_ps``,
        ``grad_A_K_per_A``, ``grad_B_K_per_A``, ``T_interface_A_K``, ``T_interface_B_K``,
        ``fit_windows_A`` ({"A": [lo, hi], "B": [lo, hi]}), ``fit_lines``
        ({side: {"slope_K_per_A", "intercept_K"}}), ``linear_A``, ``linear_B``,
        ``linearity_p_A``, ``linearity_p_B``, ``steady_state_start_ps``,
        ``analysis_start_ps``, ``analysis_end_ps``, ``stationary``, ``n_blocks``,
        ``block_length_ps``, ``block_length_samples``, ``statistical_inefficiency``,
        ``blocks`` (per-block delta_T_K, flux_W_m2, grad_A_K_per_A, grad_B_K_per_A),
        ``profile`` (z_A, atoms_per_bin, T_mean_K, T_sem_K, fit_bin_A, fit_bin_B),
        ``z_interface_A``, ``hot_region_A``, ``cold_region_A``, ``area_A2``,
        ``settings``, ``warnings`` (list of str).
    """
    s = _settings(settings)
    d = validate_replica(raw)
    notes: list[str] = []
    side_hot = hot_side(d["z_interface_A"], d["hot_region_A"], d["cold_region_A"])
    windows = s["fit_windows_A"] or fit_windows(
        d["z_interface_A"], d["hot_region_A"], d["cold_region_A"],
        bath_exclusion_A=s["bath_exclusion_A"], interface_exclusion_A=s["interface_exclusion_A"])
    windows = {side: tuple(float(v) for v in windows[side]) for side in SIDES}
    masks = _fit_bins(d, windows, s["min_bin_fill"], notes)
    series = _sample_series(d, masks, side_hot)

    steady = detect_steady_state(
        d["time_ps"], [series["delta_T"], series["side_diff"], series["flux"]],
        min_discard_ps=s["min_discard_ps"], safety_factor=s["discard_factor"],
        drift_alpha=s["drift_alpha"])
    notes += [f"not stationary: {r}" for r in steady["reasons"]]
    k0 = steady["start_index"]
    n_samples = d["time_ps"].size
    if n_samples - k0 < MIN_STEADY_SAMPLES <= n_samples:
        # Keep enough samples for the statistics instead of failing the whole study: the
        # result is then flagged, and a longer run is what the user must do.
        k0 = n_samples - MIN_STEADY_SAMPLES
        steady["stationary"] = False
        notes.append(f"transient detection left fewer than {MIN_STEADY_SAMPLES} samples: the "
                     f"last {MIN_STEADY_SAMPLES} were analysed; the run is probably too short "
                     "to reach a steady state -- lengthen nemd.production_ps")
    length, ineff = _block_length([series["delta_T"][k0:], series["flux"][k0:]], s, notes)
    n_blocks = (d["time_ps"].size - k0) // length
    first = d["time_ps"].size - n_blocks * length  # leftover dropped at the start
    blocks = {k: block_means(series[k][first:], length)
              for k in ("delta_T", "flux", "grad_A", "grad_B")}
    out = _estimates(blocks, side_hot, n_blocks)
    flux_info = heat_flux(d["time_ps"], d["energy_hot_eV"], d["energy_cold_eV"], d["area_A2"],
                          float(np.concatenate([[0.0], d["time_ps"]])[first]))
    notes += flux_info["warnings"]
    if flux_info["flux_imbalance"] > max(s["max_flux_imbalance"],
                                         3.0 * flux_info["flux_imbalance_se"]):
        notes.append(f"hot/cold bath powers differ by {100 * flux_info['flux_imbalance']:.1f} %")

    T_mean, T_sem = _profile(d["temperature_K"][first:], length)
    rel_sigma = 1.0 / np.sqrt(np.where(d["atoms_per_bin"] > 0, d["atoms_per_bin"], np.nan))
    used = masks["A"] | masks["B"]
    jump = temperature_jump(d["z_A"], np.where(used, T_mean, np.nan), rel_sigma,
                            d["z_interface_A"], windows, hot_side=side_hot,
                            absolute_sigma=False)
    linear = {}
    for side in SIDES:
        p = jump[f"linearity_p_{side}"]
        linear[side] = bool(not p < s["linearity_alpha"])
        if not linear[side]:
            notes.append(f"side {side}: profile not linear in the fit window (p = {p:.2g})")
    notes += _sanity_notes(out)
    dt = float(d["time_ps"][1] - d["time_ps"][0])
    out |= {
        "ci_dof": n_blocks - 1,
        "hot_side": side_hot,
        "flux_imbalance": flux_info["flux_imbalance"],
        "flux_imbalance_se": flux_info["flux_imbalance_se"],
        "power_hot_eV_ps": flux_info["power_hot_eV_ps"],
        "power_cold_eV_ps": flux_info["power_cold_eV_ps"],
        "grad_A_K_per_A": float(blocks["grad_A"].mean()),
        "grad_B_K_per_A": float(blocks["grad_B"].mean()),
        "T_interface_A_K": jump["T_interface_A_K"],
        "T_interface_B_K": jump["T_interface_B_K"],
        "fit_windows_A": {side: list(windows[side]) for side in SIDES},
        "fit_lines": {side: {"slope_K_per_A": jump[f"grad_{side}_K_per_A"],
                             "intercept_K": jump[f"intercept_{side}_K"]} for side in SIDES},
        "linear_A": linear["A"],
        "linear_B": linear["B"],
        "linearity_p_A": jump["linearity_p_A"],
        "linearity_p_B": jump["linearity_p_B"],
        "steady_state_start_ps": steady["start_ps"],
        "analysis_start_ps": flux_info["t_start_ps"],
        "analysis_end_ps": flux_info["t_end_ps"],
        "stationary": steady["stationary"],
        "n_blocks": int(n_blocks),
        "block_length_ps": length * dt,
        "block_length_samples": int(length),
        "statistical_inefficiency": float(ineff),
        "blocks": {"delta_T_K": blocks["delta_T"], "flux_W_m2": blocks["flux"],
                   "grad_A_K_per_A": blocks["grad_A"], "grad_B_K_per_A": blocks["grad_B"]},
        "profile": {"z_A": d["z_A"], "atoms_per_bin": d["atoms_per_bin"], "T_mean_K": T_mean,
                    "T_sem_K": T_sem, "fit_bin_A": masks["A"], "fit_bin_B": masks["B"]},
        "z_interface_A": d["z_interface_A"],
        "hot_region_A": list(d["hot_region_A"]),
        "cold_region_A": list(d["cold_region_A"]),
        "area_A2": d["area_A2"],
        "settings": s,
        "warnings": notes,
    }
    return to_jsonable(out)


def _estimates(blocks: dict, side_hot: str, n_blocks: int) -> dict:
    """R_K, G, ΔT, J and κ per side from block values (see module docstring)."""
    dof = n_blocks - 1
    flow = 1.0 if side_hot == "A" else -1.0  # +1: heat flows towards +z
    out = {}
    for name, key in (("delta_T", "delta_T"), ("flux", "flux")):
        ci = mean_ci(blocks[key])
        out |= estimate_keys(name, ci["mean"], ci["se"], ci["low"], ci["high"])
    r, r_se = jackknife(np.divide, blocks["delta_T"], blocks["flux"])
    r_lo, r_hi = t_interval(r, r_se, dof)
    out |= estimate_keys("R_K", r, r_se, r_lo, r_hi)
    out |= _conductance_keys(r, r_se, float(r_lo), float(r_hi))
    for side in SIDES:
        k, k_se = jackknife(lambda j, g: kappa_W_mK(j, -flow * g), blocks["flux"],
                            blocks[f"grad_{side}"])
        out |= estimate_keys(f"kappa_{side}", k, k_se, *t_interval(k, k_se, dof))
    return out


def _conductance_keys(r: float, r_se: float, r_lo: float, r_hi: float) -> dict:
    """G = 1/R_K; SE by the delta method, interval = image of the R_K interval."""
    g = float(conductance_MW_m2K(r))
    g_lo = float(conductance_MW_m2K(r_hi)) if r_hi > 0 else float("inf")
    g_hi = float(conductance_MW_m2K(r_lo)) if r_lo > 0 else float("inf")
    return estimate_keys("G", g, abs(g) * r_se / abs(r), g_lo, g_hi)


def _sanity_notes(out: dict) -> list[str]:
    notes = []
    if not out["delta_T_ci95_low_K"] > 0:
        notes.append("the temperature jump is not resolved (95 % CI includes ΔT ≤ 0)")
    for side in SIDES:
        if not out[f"kappa_{side}_W_mK"] > 0:
            notes.append(f"side {side}: temperature gradient has the wrong sign")
    return notes


def profile_table(result: Mapping) -> dict[str, list]:
    """Binned steady-state profile of one replica, column-wise, for a CSV writer.

    Parameters
    ----------
    result : mapping
        Output of :func:`analyse_replica`.

    Returns
    -------
    dict
        Columns :data:`PROFILE_COLUMNS`, each a list of length n_bins: ``z_A`` (Å),
        ``atoms_per_bin``, ``T_mean_K``, ``T_sem_K`` (K, from block means; None where
        empty), ``side`` ("A" below the interface, "B" above), ``in_fit_window`` (bool,
        bin used in the fit), ``T_fit_K`` (fitted line of the bin's side at z, K).
    """
    prof = result["profile"]
    z = np.asarray(prof["z_A"], dtype=float)
    side = np.where(z < result["z_interface_A"], "A", "B")
    lines = result["fit_lines"]
    fit = np.array([lines[s]["intercept_K"] + lines[s]["slope_K_per_A"] * zi
                    for zi, s in zip(z, side, strict=True)])
    in_fit = np.asarray(prof["fit_bin_A"], dtype=bool) | np.asarray(prof["fit_bin_B"],
                                                                     dtype=bool)
    table = {"z_A": z, "atoms_per_bin": prof["atoms_per_bin"], "T_mean_K": prof["T_mean_K"],
             "T_sem_K": prof["T_sem_K"], "side": side.tolist(), "in_fit_window": in_fit,
             "T_fit_K": fit}
    return to_jsonable(table)
