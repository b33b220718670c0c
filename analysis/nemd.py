"""Kapitza resistance of one NEMD replica: steady state, slow mode, ΔT, J, R_K, G and κ.

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
4. The slow mode.  The jump relaxes on τ_slow = C_eff R_K / A (C = 3 N k_B of each side's
   atoms not held by a thermostat, :mod:`analysis.slow_mode`), estimated from the run's
   own R_K.  At least ``discard_taus`` τ_slow are discarded as transient, and the replica
   is **converged** only if the steady window that remains holds ``window_taus`` τ_slow
   (default 5), the MSER/drift checks pass and ΔT > 0.  A replica that is not converged
   gets point estimates and no interval (the SE and CI fields are None) and says why.
5. Blocks of ``block_taus`` τ_slow (≥ ``min_blocks`` of them).  R_K = mean ΔT / mean J (the
   time-averaged profile and flux); its error is that of the mean of the linearised
   ratio u = (ΔT − R_K J)/J̄ by batch means made exact for the OU slow mode
   (:func:`analysis.slow_mode.ou_batch_mean`: bias and Satterthwaite dof from the block
   covariance), with τ_slow re-evaluated at the upper end of the R_K interval so that a
   low estimate cannot shrink its own error.  On synthetic profiles with the slow mode the
   95 % interval covers 92–98 % of the time (tests/analysis/test_coverage.py).  G's interval is
   the image of R_K's (1/R).
6. Systematic error of the fit window: R_K of the time-mean profile with 0–2 whole bins
   (atomic planes when the driver bins by plane) dropped next to the interface and next
   to the bath; half the range is ``R_K_sys_m2K_W`` and enters the total interval.
7. Linear response: the run is flagged when ΔT > ``max_jump_fraction`` × T.
8. κ per side from the resistivity ρ = |dT/dz|/J (a ratio of means like R_K), inverted;
   only a lower bound when ρ's interval reaches zero.
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Mapping

import numpy as np

from .blocking import block_means, t_interval
from .flux import heat_flux, sample_powers
from .io import to_jsonable
from .jump import SIDES, fit_windows, hot_side, temperature_jump, window_mask
from .linear_fit import linear_functionals
from .physical_checks import failed_checks, physical_checks
from .records import QUANTITY_UNITS, conductance_keys, estimate_keys, window_systematic
from .slow_mode import (
    integrated_time_samples,
    ou_batch_mean,
    slow_relaxation_time_ps,
    transient_test,
)
from .steady_state import detect_steady_state
from .units import flux_W_m2, kappa_W_mK

__all__ = [
    "DEFAULT_SETTINGS",
    "MAX_MEAN_TEMPERATURE_OFFSET",
    "MK_W_PER_RESISTIVITY",
    "PROFILE_COLUMNS",
    "analyse_replica",
    "kappa_from_resistivity",
    "mean_temperature_note",
    "profile_table",
    "validate_replica",
]

#: Thermal resistivity 1/κ in m K/W per (K/Å)/(W/m²) of |dT/dz|/J.  [m K W⁻¹ / (K Å⁻¹ W⁻¹ m²)]
MK_W_PER_RESISTIVITY = 1.0 / float(kappa_W_mK(1.0, 1.0))

#: Analysis settings and their defaults for a direct call of :func:`analyse_replica`.  The
#: workflow always passes the complete ``analysis`` block of the config, whose schema
#: (``workflow/schemas/config.schema.yaml``) is the source of these values;
#: ``tests/study/test_defaults_single_source.py`` asserts that the two agree.
DEFAULT_SETTINGS: dict = {
    "bath_exclusion_A": 5.0,  # fit window starts this far from the bath edge [Å]
    "interface_exclusion_A": 3.0,  # and ends this far from the interface [Å]
    "fit_windows_A": None,  # explicit {"A": [lo, hi], "B": [lo, hi]} overrides both [Å]
    "min_discard_ps": 5.0,  # discard at least this much of the start [ps]
    "discard_factor": 1.5,  # discard this × the MSER-5 transient length [-]
    "discard_taus": 2.0,  # and at least this many τ_slow [-]
    "window_taus": 5.0,  # converged: steady window ≥ this many τ_slow [-]
    "block_taus": 0.5,  # block length in τ_slow [-]
    "tau_upper_z": 1.0,  # τ_slow for the error taken at R_K + this × SE(R_K) [-]
    "min_blocks": 5,  # fewest time blocks
    "min_bin_fill": 0.5,  # drop fit bins with fewer atoms than this × median [-]
    "linearity_alpha": 0.01,  # flag a side as non-linear below this p-value [-]
    "max_flux_imbalance": 0.05,  # warn above this |P_hot + P_cold| / mean |P| (and 3 SE) [-]
    "drift_alpha": 0.01,  # steady-state drift test level [-]
    "max_jump_fraction": 0.2,  # linear response: flag ΔT above this fraction of T [-]
    "max_rms_displacement_fraction": 0.3,  # a side is solid below this rms/a₀ [-]
    "scan_interface_bins": [0, 1, 2],  # bins dropped next to the interface in the scan
    "scan_bath_bins": [0, 1, 2],  # bins dropped next to the bath in the scan
    "bath": "ehex",  # bath kind of the run: "ehex" (bath atoms carry the slow mode) or
    # "langevin" (thermostatted bath atoms do not)
}

#: Columns of :func:`profile_table`, in order.
PROFILE_COLUMNS = ("z_A", "atoms_per_bin", "T_mean_K", "T_sem_K", "side", "in_fit_window",
                   "T_fit_K")

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
    d |= {k: np.asarray(raw[k], dtype=float).ravel() for k in ("max_msd_A2", "atomic_volume_A3")
          if k in raw}
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


def _kept_range(n_samples: int, k0: int, block: int, min_blocks: int) -> tuple[int, int]:
    """Block length (samples) and first kept sample: whole blocks ending at the last sample."""
    available = n_samples - k0
    block = max(1, min(block, available // min_blocks)) if available >= min_blocks else 1
    n_blocks = available // block
    return block, n_samples - n_blocks * block


def _ratio_estimate(num: np.ndarray, den: np.ndarray, block: int, tau_samples: float):
    """Ratio of means num/den with its slow-mode-corrected error (linearised ratio).

    The ratio's first-order error is that of the mean of u = (num − r den)/mean(den),
    whose blocks are treated by :func:`analysis.slow_mode.ou_batch_mean`.
    """
    r = float(num.mean() / den.mean())
    u = (num - r * den) / den.mean()
    phi = math.exp(-1.0 / tau_samples) if tau_samples > 0 else 0.0
    est = ou_batch_mean(u, block, phi)
    return r, est


def _tau_samples(tau_ps: float, dt: float, floor_samples: float) -> float:
    """τ in samples, never below the data's own correlation time (``floor_samples``)."""
    return max(tau_ps / dt if math.isfinite(tau_ps) else 0.0, floor_samples)


def _side_atoms(d: dict, bath: str) -> dict[str, float]:
    """Atoms per side that carry the slow mode (all mobile atoms; with thermostatted
    Langevin baths, those outside the bath regions)."""
    z, atoms = d["z_A"], d["atoms_per_bin"]
    free = np.ones_like(atoms, dtype=bool)
    if bath == "langevin":
        for region in (d["hot_region_A"], d["cold_region_A"]):
            free &= ~((z >= min(region)) & (z <= max(region)))
    below = z < d["z_interface_A"]
    return {"A": float(atoms[below & free].sum()), "B": float(atoms[~below & free].sum())}


def _steady_window(series: dict, signals: dict, atoms: dict, area: float, dt: float,
                   k0: int, s: dict) -> dict:
    """Estimates over the window from sample ``k0`` and its transient test.

    Blocks of ``block_taus`` τ_slow; R_K with its slow-mode-corrected error, τ_slow at
    R_K + ``tau_upper_z`` SE (never below the data's own correlation time); then every
    monitored signal is tested for a remaining transient
    (:func:`analysis.slow_mode.transient_test`, Bonferroni level ``drift_alpha``/n).
    """
    n_samples = series["delta_T"].size
    tau_data = integrated_time_samples(series["delta_T"][k0:])  # the data's own τ
    r0 = float(series["delta_T"][k0:].mean() / series["flux"][k0:].mean())
    tau0 = slow_relaxation_time_ps(atoms["A"], atoms["B"], r0, area)
    block, first = _kept_range(n_samples, k0, math.ceil(
        s["block_taus"] * _tau_samples(tau0, dt, tau_data)), s["min_blocks"])
    kept = slice(first, None)
    d_t, flux = series["delta_T"][kept], series["flux"][kept]
    r, est = _ratio_estimate(d_t, flux, block, _tau_samples(tau0, dt, tau_data))
    tau_ps = slow_relaxation_time_ps(atoms["A"], atoms["B"], r, area)
    # τ at the upper end of the interval: a low R_K must not shrink its own error bar.
    tau_hi = slow_relaxation_time_ps(atoms["A"], atoms["B"],
                                     max(r, r + s["tau_upper_z"] * est.se), area)
    tau_use = _tau_samples(tau_hi, dt, tau_data)
    r, est = _ratio_estimate(d_t, flux, block, tau_use)
    phi = math.exp(-1.0 / tau_use) if tau_use > 0 else 0.0
    transient = []
    for name, x in signals.items():
        if (x[kept].size // block) < 2:
            continue
        ou = ou_batch_mean(x[kept], block, phi)
        p_value = transient_test(x[kept], phi, ou.variance, ou.dof)
        if p_value < s["drift_alpha"] / len(signals):
            transient.append(f"{name}: the start of the steady window differs from its end "
                             f"(transient or drift, p = {p_value:.2g})")
    return {"first": first, "block": block, "kept": kept, "r": r, "est": est,
            "tau_ps": tau_ps, "tau_hi": tau_hi, "tau_use": tau_use,
            "tau_data_samples": tau_data, "transient": transient}


#: Largest relative offset of the fitted region's mean temperature from the study's
#: temperature before a replica is flagged: its result holds at the measured mean, not at
#: the nominal T (an eHEX run keeps the energy its cell releases or its warm start adds).
MAX_MEAN_TEMPERATURE_OFFSET = 0.05


def mean_temperature_note(T_mean_K: float, T_nominal_K: float,
                          max_offset: float = MAX_MEAN_TEMPERATURE_OFFSET) -> str | None:
    """A warning when the fitted region's mean temperature (K) is off the nominal one by
    more than ``max_offset`` (a fraction of it), else None."""
    offset = T_mean_K - T_nominal_K
    if abs(offset) <= max_offset * T_nominal_K:
        return None
    return (f"mean temperature off nominal: the fitted region averages {T_mean_K:.1f} K, "
            f"{offset:+.1f} K from T = {T_nominal_K:g} K (more than "
            f"{100 * max_offset:.0f} %): the result holds at {T_mean_K:.0f} K; with eHEX baths "
            "equilibrate longer or warm-start nearer the jump (nemd.initial_jump_K), or use "
            "Langevin baths, which hold the mean")


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
        JSON-serialisable (NaN → None).  For R_K [m2K_W], G [MW_m2K], delta_T [K],
        flux [W_m2]: ``<q>_<unit>``, ``<q>_se_<unit>``, ``<q>_ci95_low_<unit>``,
        ``<q>_ci95_high_<unit>``; the standard error and the interval are None when the
        replica is not ``converged`` (then ``<q>_<unit>`` is a point estimate only).
        ``R_K_sys_m2K_W`` (fit-window systematic, half the range of the window scan),
        ``R_K_total_ci95_low_m2K_W``/``_high_`` (statistical and systematic combined),
        ``window_scan`` (the scanned windows and their R_K).  Per side X:
        ``kappa_X_W_mK`` with its interval (upper end None when the gradient's interval
        reaches zero), ``kappa_X_lower_bound_W_mK``, and the thermal resistivity
        ``resistivity_X_mK_W`` = |dT/dz|/J with its ``_se_`` and ``resistivity_X_dof``
        (what replicas combine before inverting).  ``converged``, ``convergence``
        ({tau_slow_ps, steady_window_ps, required_window_ps, discard_ps, reasons}),
        ``linear_response`` (ΔT ≤ max_jump_fraction × T), ``T_mean_K``, ``ci_dof``,
        ``hot_side``, flux bookkeeping, fit windows and lines, linearity tests,
        ``stationary``, ``steady_state_start_ps``, ``analysis_start_ps``,
        ``analysis_end_ps``, ``n_blocks``, ``block_length_ps``, ``se_inflation`` (slow-
        mode correction of the naive batch-means error), ``blocks``, ``profile``,
        geometry, ``settings`` and ``warnings`` (list of str).
    """
    s = _settings(settings)
    d = validate_replica(raw)
    try:
        return _analyse(d, s)
    except ValueError as error:
        # a run that is no measurement (a side melted) can also defeat the steady-state
        # analysis: say why instead of only how it failed
        solid = {k: v for k, v in physical_checks(d, {}, s).items() if k.startswith("crystal")}
        broken = failed_checks(solid)
        if broken:
            raise ValueError(f"{error}; this run is not a valid measurement, no R_K: "
                             + "; ".join(broken)) from error
        raise


def _analyse(d: dict, s: dict) -> dict:
    """:func:`analyse_replica` on validated data ``d`` and complete settings ``s``."""
    notes: list[str] = []
    side_hot = hot_side(d["z_interface_A"], d["hot_region_A"], d["cold_region_A"])
    windows = s["fit_windows_A"] or fit_windows(
        d["z_interface_A"], d["hot_region_A"], d["cold_region_A"],
        bath_exclusion_A=s["bath_exclusion_A"], interface_exclusion_A=s["interface_exclusion_A"])
    windows = {side: tuple(float(v) for v in windows[side]) for side in SIDES}
    masks = _fit_bins(d, windows, s["min_bin_fill"], notes)
    series = _sample_series(d, masks, side_hot)
    time_ps = d["time_ps"]
    dt = float(time_ps[1] - time_ps[0])
    n_samples = time_ps.size

    signals = {"ΔT": series["delta_T"], "side-mean difference": series["side_diff"]}
    if np.ptp(series["flux"]) > 1e-9 * abs(series["flux"].mean()):  # eHEX: J is exact
        signals["bath power"] = series["flux"]
    # A first guess of the steady part (MSER-5) gives the preliminary R_K and τ_slow.
    steady = detect_steady_state(time_ps, list(signals.values()),
                                 min_discard_ps=s["min_discard_ps"],
                                 safety_factor=s["discard_factor"], drift_alpha=s["drift_alpha"])
    atoms = _side_atoms(d, s["bath"])
    area = d["area_A2"]
    k_mser = steady["start_index"]
    r0 = float(series["delta_T"][k_mser:].mean() / series["flux"][k_mser:].mean())
    tau0 = slow_relaxation_time_ps(atoms["A"], atoms["B"], r0, area)
    window_start = np.concatenate([[0.0], time_ps[:-1]])
    # Discard the MSER-5 transient, at least discard_taus τ_slow (the jump relaxes on
    # τ_slow) and min_discard_ps; then test the window for a remaining transient, and while
    # it fails discard one τ_slow more, up to half the run (Heidelberger & Welch, Oper.
    # Res. 31, 1109 (1983)).
    start_ps = max(s["min_discard_ps"], window_start[k_mser],
                   s["discard_taus"] * tau0 if math.isfinite(tau0) else 0.0)
    step_ps = tau0 if math.isfinite(tau0) and tau0 > 0 else 0.1 * time_ps[-1]
    while True:
        k0 = min(int(np.searchsorted(window_start, start_ps - 1e-9)),
                 n_samples - 2 * s["min_blocks"])
        window = _steady_window(series, signals, atoms, area, dt, k0, s)
        if not window["transient"] or start_ps + step_ps > 0.5 * time_ps[-1]:
            break
        start_ps += step_ps
    first, block, kept = window["first"], window["block"], window["kept"]
    n_blocks = (n_samples - first) // block
    flux = series["flux"][kept]
    r, est, tau_ps, tau_hi, tau_use = (window[k] for k in ("r", "est", "tau_ps", "tau_hi",
                                                           "tau_use"))
    tau_fp_samples = window["tau_data_samples"]
    r_se = est.se
    reasons = list(window["transient"])
    window_ps = float(time_ps[-1] - window_start[first])
    # A null interface (R_K ≈ 0, e.g. a Σ1 grain-boundary control) has no τ_slow of its own:
    # the window is then measured against τ_slow at R_K + 1 SE.
    tau_req = tau_ps if r > 0 and math.isfinite(tau_ps) else tau_hi
    required_ps = s["window_taus"] * tau_req if math.isfinite(tau_req) else float("inf")
    if not math.isfinite(tau_req):
        reasons.append("no positive temperature jump even at R_K + 1 SE: τ_slow = C_eff R_K "
                       "/ A is undefined (heat does not flow from hot to cold?)")
    elif window_ps < required_ps:
        reasons.append(f"steady window {window_ps:.1f} ps is shorter than {s['window_taus']:g} "
                       f"× τ_slow = {required_ps:.1f} ps (τ_slow = C_eff R_K / A = "
                       f"{tau_ps:.1f} ps, {tau_hi:.1f} ps at R_K + 1 SE): lengthen "
                       "nemd.production_ps to at least "
                       f"{float(window_start[first]) + required_ps:.0f} ps")
    if n_blocks < s["min_blocks"]:
        reasons.append(f"only {n_blocks} blocks in the steady window (need {s['min_blocks']})")
    converged = not reasons
    steady["stationary"] = not window["transient"]
    steady["start_ps"] = float(window_start[first])
    notes += [f"not converged: {why}" for why in reasons]

    out = _estimates(r, r_se, est.dof, series, kept, block, tau_use, converged)
    out |= _conductivities(series, kept, block, tau_use, side_hot, converged)
    t_start = float(window_start[first])
    flux_info = _flux_check(d, t_start, s, notes)

    T_mean, T_sem = _profile(d["temperature_K"][first:], block)
    scan = _window_scan(d, masks, T_mean, side_hot, float(flux.mean()), s)
    out |= window_systematic(out, scan, converged)
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
    weights = d["atoms_per_bin"][used]
    T_ref = float(np.sum(T_mean[used] * weights) / np.sum(weights))
    linear_response = bool(abs(out["delta_T_K"]) <= s["max_jump_fraction"] * T_ref)
    if not linear_response:
        notes.append(f"outside linear response: ΔT = {out['delta_T_K']:.1f} K is more than "
                     f"{100 * s['max_jump_fraction']:.0f} % of T = {T_ref:.0f} K; lower the "
                     "heat flux (nemd.heat_flux_W_m2) or the bath difference (nemd.delta_T_K)")
    notes += _sanity_notes(out, converged)
    checks = physical_checks(d, out | flux_info, s)
    failures = failed_checks(checks)
    if failures:
        notes += [f"physically invalid, no interval: {why}" for why in failures]
        out = _without_intervals(out)
    blocks = {k: block_means(series[k][kept], block)
              for k in ("delta_T", "flux", "grad_A", "grad_B")}
    out |= {
        "physically_valid": not failures,
        "physical_checks": checks,
        "converged": converged,
        "convergence": {"tau_slow_ps": tau_ps, "tau_slow_upper_ps": tau_hi,
                        "tau_data_ps": tau_fp_samples * dt,
                        "steady_window_ps": window_ps, "required_window_ps": required_ps,
                        "discard_ps": t_start, "window_taus": s["window_taus"],
                        "heat_capacity_atoms": atoms, "reasons": reasons},
        "linear_response": linear_response,
        "T_mean_K": T_ref,
        "ci_dof": est.dof if converged and not failures else None,
        "hot_side": side_hot,
        **flux_info,
        "grad_A_K_per_A": float(series["grad_A"][kept].mean()),
        "grad_B_K_per_A": float(series["grad_B"][kept].mean()),
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
        "analysis_start_ps": t_start,
        "analysis_end_ps": float(time_ps[-1]),
        "stationary": steady["stationary"],
        "n_blocks": int(n_blocks),
        "block_length_ps": block * dt,
        "block_length_samples": int(block),
        "se_inflation": est.inflation,
        "statistical_inefficiency": 2.0 * tau_fp_samples,
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


def _interval_or_none(value: float, se: float, dof: float, converged: bool) -> tuple:
    """(se, low, high), or Nones when the run did not converge."""
    if not converged:
        return None, None, None
    low, high = t_interval(value, se, dof)
    return se, float(low), float(high)


def _estimates(r: float, r_se: float, dof: float, series: dict, kept: slice, block: int,
               tau_samples: float, converged: bool) -> dict:
    """R_K, G, ΔT and J with intervals (Nones when not converged)."""
    phi = math.exp(-1.0 / tau_samples) if tau_samples > 0 else 0.0
    out = {}
    for name in ("delta_T", "flux"):
        est = ou_batch_mean(series[name][kept], block, phi)
        out |= estimate_keys(name, est.mean, *_interval_or_none(est.mean, est.se, est.dof,
                                                                 converged))
    r_int = _interval_or_none(r, r_se, dof, converged)
    out |= estimate_keys("R_K", r, *r_int)
    out |= conductance_keys(r, *r_int)
    return out


def _conductivities(series: dict, kept: slice, block: int, tau_samples: float,
                    side_hot: str, converged: bool) -> dict:
    """Per side the resistivity |dT/dz|/J (with its error) and κ, its inverse.

    The resistivity is a ratio of means like R_K and is what replicas combine; κ = 1/ρ is
    reported with the image of ρ's interval, and only as a lower bound when that interval
    reaches zero (a gradient not resolved from zero means κ could be arbitrarily large).
    """
    flow = 1.0 if side_hot == "A" else -1.0
    out = {}
    flux = series["flux"][kept]
    for side in SIDES:
        magnitude = -flow * series[f"grad_{side}"][kept]  # K/Å, > 0 down the gradient
        rho, est = _ratio_estimate(magnitude, flux, block, tau_samples)
        rho_se = est.se
        out |= {f"resistivity_{side}_mK_W": rho * MK_W_PER_RESISTIVITY,
                f"resistivity_{side}_se_mK_W": rho_se * MK_W_PER_RESISTIVITY,
                f"resistivity_{side}_dof": est.dof}
        out |= kappa_from_resistivity(side, rho, rho_se, est.dof, converged)
    return out


def kappa_from_resistivity(side: str, rho: float, rho_se: float, dof: float,
                           converged: bool) -> dict:
    """κ of one side from its resistivity ρ = |dT/dz|/J ((K/Å)/(W/m²)) and ρ's error.

    Returns ``kappa_<side>_W_mK`` (None when ρ ≤ 0), its ``_se_``/interval keys, and
    ``kappa_<side>_lower_bound_W_mK``: 1/ρ_high when the interval of ρ reaches zero
    (the upper end of κ is then None: unbounded), None when ρ's whole interval is ≤ 0.
    """
    value = 1.0 / (rho * MK_W_PER_RESISTIVITY) if rho > 0 else None
    se = low = high = bound = None
    if converged:
        lo_rho, hi_rho = (float(v) for v in t_interval(rho, rho_se, dof))
        if hi_rho > 0:
            low = bound = 1.0 / (hi_rho * MK_W_PER_RESISTIVITY)
            high = 1.0 / (lo_rho * MK_W_PER_RESISTIVITY) if lo_rho > 0 else None
            se = value * rho_se / rho if value is not None else None
    unit = QUANTITY_UNITS[f"kappa_{side}"]
    return {f"kappa_{side}_{unit}": value, f"kappa_{side}_se_{unit}": se,
            f"kappa_{side}_ci95_low_{unit}": low, f"kappa_{side}_ci95_high_{unit}": high,
            f"kappa_{side}_lower_bound_{unit}": bound}


def _flux_check(d: dict, t_start: float, s: dict, notes: list[str]) -> dict:
    """Bath power bookkeeping and the energy-balance check (needs ≥ 32 samples)."""
    try:
        info = heat_flux(d["time_ps"], d["energy_hot_eV"], d["energy_cold_eV"], d["area_A2"],
                         t_start)
    except ValueError as error:
        notes.append(f"bath energy balance not checked: {error}")
        return {"flux_imbalance": None, "flux_imbalance_se": None, "power_hot_eV_ps": None,
                "power_hot_se_eV_ps": None, "power_cold_eV_ps": None, "power_cold_se_eV_ps": None}
    notes += info["warnings"]
    if info["flux_imbalance"] > max(s["max_flux_imbalance"], 3.0 * info["flux_imbalance_se"]):
        notes.append(f"hot/cold bath powers differ by {100 * info['flux_imbalance']:.1f} %")
    return {k: info[k] for k in ("flux_imbalance", "flux_imbalance_se", "power_hot_eV_ps",
                                 "power_hot_se_eV_ps", "power_cold_eV_ps",
                                 "power_cold_se_eV_ps")}


def _window_scan(d: dict, masks: dict, T_mean: np.ndarray, side_hot: str, flux: float,
                 s: dict) -> list[dict]:
    """R_K of the time-mean profile with whole bins (atomic planes) dropped from the fit.

    For every pair (i, j) from ``scan_interface_bins`` × ``scan_bath_bins`` both sides
    drop their i fit bins nearest the interface and their j nearest the bath; windows
    left with fewer than 4 bins are skipped.
    """
    z, w = d["z_A"], d["atoms_per_bin"]
    cold = "B" if side_hot == "A" else "A"
    rows = []
    for i in s["scan_interface_bins"]:
        for j in s["scan_bath_bins"]:
            t_i = {}
            for side in SIDES:
                idx = np.flatnonzero(masks[side])  # ordered by z
                near_interface_first = idx[::-1] if side == "A" else idx
                keep = near_interface_first[i: len(idx) - j]
                if keep.size < 4:
                    break
                a, _ = linear_functionals(z[keep], w[keep], d["z_interface_A"])
                t_i[side] = float(T_mean[keep] @ a)
            if len(t_i) == 2:
                rows.append({"interface_bins_dropped": int(i), "bath_bins_dropped": int(j),
                             "R_K_m2K_W": (t_i[side_hot] - t_i[cold]) / flux})
    return rows


def _without_intervals(out: dict) -> dict:
    """``out`` with every standard error and interval set to None (point estimates kept)."""
    return {k: (None if ("_se_" in k or "_ci95_" in k) else v) for k, v in out.items()}


def _sanity_notes(out: dict, converged: bool) -> list[str]:
    notes = []
    if converged and not out["delta_T_ci95_low_K"] > 0:
        notes.append("the temperature jump is not resolved (95 % CI includes ΔT ≤ 0)")
    for side in SIDES:
        if not (out[f"resistivity_{side}_mK_W"] or 0) > 0:
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
