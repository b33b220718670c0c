"""Entry point: Green-Kubo analysis of one EMD replica (raw.npz -> emd.json, acf.csv, figure).

The estimators of :mod:`analysis.green_kubo`, all on the same run:

* ``delta_T`` (reported by default): the restricted likelihood of ΔT = T_A − T_B as an
  Ornstein-Uhlenbeck process plus fast noise (:mod:`analysis.ou_likelihood`), τ
  median-unbiased by a parametric bootstrap, G = C_eff/(A τ) with the classical
  C = 3 N k_B and the image of τ's profile-likelihood interval;
* ``flux``: the same likelihood of the side energy ε = (E_A − E_B)/2 = −∫q dt, which
  measures the capacity: G = a/(A k_B T² τ);
* ``delta_T_acf``: the block-jackknife exponential fit of the ΔT autocorrelation that the
  workflow used before (Rajabpour & Volz 2010), kept as a cross-check; it is biased high
  (tens of %) and its interval too narrow below ~100 τ.

The estimator named by ``estimator`` gives the record's G/R_K keys.  A run shorter than
``min_length_taus`` relaxation times is not converged: the record keeps the point
estimate, every interval is None, ``converged`` is false and ``convergence`` says why and
how long the run should be.  The area is the total area of the two interfaces of the
periodic cell, 2 × ``area_A2``.

Consistency checks written into the record's ``checks`` and ``warnings``:

* the measured C_eff against the classical C_A C_B/(C_A + C_B): the two-reservoir (lumped)
  model behind the estimators is only self-consistent when the classical value lies in
  the measured interval;
* the ``delta_T`` and ``flux`` intervals overlap.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import numpy as np

from analysis import correlation
from analysis import green_kubo as gk
from analysis.io import load_replica, to_jsonable
from analysis.method_comparison import estimator_checks
from analysis.nemd import DEFAULT_SETTINGS as NEMD_ANALYSIS_DEFAULTS
from analysis.physical_checks import failed_checks, physical_checks
from study.figures import green_kubo as green_kubo_figure
from study.figures import style as fs
from study.outputs import analysis_arguments, write_analysis_outputs

#: Options of this analysis (keys of the config's ``emd`` block).
OPTION_KEYS = ("estimator", "bin_ps", "gap_ps", "min_length_taus", "n_bootstrap",
               "fit_start_ps", "n_blocks", "window_taus")


def _schema_defaults() -> dict:
    """Defaults of :data:`OPTION_KEYS` from the config schema (the one place they live)."""
    from study.schema import schema_defaults

    emd = schema_defaults("emd")
    return {k: emd[k] for k in OPTION_KEYS}


DEFAULTS = _schema_defaults()
#: Longest lag of the ACF table, in relaxation times of the reported estimator.
TABLE_TAUS = 8.0


def _series(raw: dict) -> dict:
    """ΔT (K), the side energy ε = (E_A − E_B)/2 (eV) and the power q = −dε/dt (eV/ps)."""
    dt = float(raw["sample_every_ps"])
    return {
        "delta_T": raw["temperature_a_K"] - raw["temperature_b_K"],
        "flux": 0.5 * (raw["energy_a_eV"] - raw["energy_b_eV"]),
        "power": gk.power_from_side_energies(raw["energy_a_eV"], raw["energy_b_eV"], dt),
    }


def _estimators(raw: dict, options: dict, temperature_K: float) -> dict:
    """Partial estimators keyed like the record's ``estimators``."""
    cell = {"n_atoms_a": int(raw["n_atoms_a"]), "n_atoms_b": int(raw["n_atoms_b"]),
            "area_total_A2": float(raw["area_total_A2"])}
    likelihood = {**cell, "temperature_K": temperature_K, "bin_ps": options["bin_ps"],
                  "gap_ps": options["gap_ps"], "min_length_taus": options["min_length_taus"],
                  "n_bootstrap": int(options["n_bootstrap"])}
    return {
        "delta_T": functools.partial(gk.delta_T_likelihood, **likelihood),
        "flux": functools.partial(gk.side_energy_likelihood, **likelihood),
        "delta_T_acf": functools.partial(
            gk.delta_T_relaxation, **cell, fit_start_ps=options["fit_start_ps"],
            n_blocks=options["n_blocks"], window_taus=options["window_taus"]),
    }


def _scalars(result: dict) -> dict:
    """The per-estimator summary kept in the record (no arrays, no profile)."""
    return {k: v for k, v in result.items()
            if k not in ("profile", "acf_K2") and (np.ndim(v) == 0 or k in (
                "fit_window_ps", "convergence"))}


def _side_lengths_A(geometry: dict) -> list[float] | None:
    """[L_A, L_B] (Å) of the periodic cell: side A lies between the two interfaces."""
    z = geometry.get("interfaces_z_A")
    length = geometry.get("z_length_mean_A")
    if not z or len(z) != 2 or not length:
        return None
    l_a = float(z[1] - z[0])
    return [l_a, float(length) - l_a]


def analyse(raw: dict, run: dict, options: dict) -> tuple[dict, dict, dict]:
    """Record (JSON), ACF table (CSV columns) and the full estimator outputs (for the figure)."""
    options = {**DEFAULTS, **options}
    if options["estimator"] not in ("delta_T", "flux"):
        raise ValueError(f"unknown estimator {options['estimator']!r}")
    dt = float(raw["sample_every_ps"])
    temperature = float(np.mean(0.5 * (raw["temperature_a_K"] + raw["temperature_b_K"])))
    series = _series(raw)
    results, notes = {}, []
    for name, func in _estimators(raw, options, temperature).items():
        try:
            results[name] = func(series["delta_T" if name == "delta_T_acf" else name], dt)
        except (ValueError, RuntimeError) as error:
            results[name] = None
            notes.append(f"{name} estimator failed: {error}")
    name = options["estimator"]
    primary = results[name]
    if primary is None:
        raise RuntimeError(f"the reported estimator '{name}' failed: {notes}")
    checks, check_notes = estimator_checks(results, name)
    settings = run.get("settings", {})
    display = display_curves(series, results, dt, temperature, float(raw["area_total_A2"]))
    record = {
        "method": "green-kubo",
        "estimator": name,
        "temperature_K": float(raw["temperature_target_K"]),
        "temperature_measured_K": temperature,
        "potential": settings.get("potential"),
        "specorder": settings.get("specorder"),
        **gk.gk_keys(primary["G_MW_m2K"], primary["G_se_MW_m2K"],
                     primary["G_ci95_low_MW_m2K"], primary["G_ci95_high_MW_m2K"]),
        "ci_dof": primary["ci_dof"],
        **{k: primary[k] for k in ("tau_ps", "tau_ci95_low_ps", "tau_ci95_high_ps",
                                   "G_tau_factor_MW_m2K_ps", "profile", "capacity_eV_K",
                                   "capacity_ci95_low_eV_K", "capacity_ci95_high_eV_K",
                                   "capacity_classical_eV_K")},
        "converged": primary["converged"],
        "convergence": primary["convergence"],
        "estimators": {k: _scalars(r) for k, r in results.items() if r is not None},
        "checks": checks,
        "G_naive_max_MW_m2K": float(np.max(display["G_running_MW_m2K"])),
        "area_A2": float(raw["area_A2"]),
        "area_total_A2": float(raw["area_total_A2"]),
        "n_interfaces": 2,
        "n_atoms_a": int(raw["n_atoms_a"]), "n_atoms_b": int(raw["n_atoms_b"]),
        "side_lengths_A": _side_lengths_A(run.get("geometry") or {}),
        "production_ps": float(raw["time_ps"][-1]),
        "sample_every_ps": dt,
        "analysis": options,
        "warnings": notes + check_notes + [f"{n}: {w}" for n, r in results.items()
                                           if r and n != "delta_T_acf" for w in r["warnings"]]
        + [f"not converged: {why}" for why in primary["convergence"]["reasons"]],
        "note": "classical MD: no electron-phonon channel; G per interface, area 2A used",
        "replica": settings.get("replica"),
        "provenance": run,
    }
    if checks["estimators_agree"] is False and record["converged"]:
        # two likelihoods of the same relaxation that disagree: at least one model does
        # not describe these data (e.g. fast noise of the kinetic temperatures that is not
        # white at the bin scale), so neither interval can be claimed
        why = ("the ΔT and side-energy likelihood estimators disagree beyond their 95 % "
               "CIs (G = " + ", ".join(f"{k} {results[k]['G_MW_m2K']:.3g}"
                                       for k in ("delta_T", "flux")) + " MW/m²K)")
        record["converged"] = False
        record["convergence"] = {**record["convergence"], "converged": False,
                                 "reasons": [*record["convergence"]["reasons"], why]}
        record |= {k: None for k in record if "_se_" in k or "_ci95_" in k}
        record["ci_dof"] = None
        record["warnings"].append(f"not converged: {why}")
    record |= _solid_sides(raw)
    if not record["physically_valid"]:
        record |= {k: None for k in record if "_se_" in k or "_ci95_" in k}
        record["ci_dof"] = None
        record["warnings"] += [f"physically invalid, no interval: {why}" for why in
                               failed_checks(record["physical_checks"])]
    return to_jsonable(record), acf_table(display), {**results, "display": display}


def _solid_sides(raw: dict) -> dict:
    """Whether both sides stayed solid (:mod:`analysis.physical_checks`; the bath and
    gradient checks have no meaning at equilibrium)."""
    limit = {"max_rms_displacement_fraction":
             NEMD_ANALYSIS_DEFAULTS["max_rms_displacement_fraction"],
             "max_flux_imbalance": NEMD_ANALYSIS_DEFAULTS["max_flux_imbalance"]}
    checks = {k: v for k, v in physical_checks(raw, {}, limit).items()
              if k.startswith("crystalline")}
    return {"physical_checks": checks, "physically_valid": not failed_checks(checks)}


def display_curves(series: dict, results: dict, dt_ps: float, temperature_K: float,
                   area_total_A2: float) -> dict:
    """ACFs of ΔT, ε and q, the running Green-Kubo integral and the fitted models.

    The lags run to :data:`TABLE_TAUS` relaxation times (at most half the run).  The
    models are the fitted OU parts, σ² e^{−t/τ} (the ACF at lag 0 also holds the fast
    noise) and, for the running integral, (a/τ) e^{−t/τ} of the side energy.
    """
    taus = [r["tau_ps"] for r in (results.get("delta_T"), results.get("flux")) if r]
    n = series["power"].size
    max_lag = int(min(n // 2, round(TABLE_TAUS * max(taus or [n * dt_ps]) / dt_ps)))
    lag = np.arange(max_lag + 1) * dt_ps
    acf_q = correlation.autocorrelation(series["power"], max_lag=max_lag)
    out = {
        "lag_ps": lag,
        "acf_dT_K2": correlation.autocorrelation(series["delta_T"], max_lag=max_lag),
        "acf_q_eV2_ps2": acf_q,
        "running_integral_eV2_ps": correlation.running_integral(acf_q, dt_ps),
        "G_running_MW_m2K": gk.naive_conductance(acf_q, dt_ps, temperature_K=temperature_K,
                                                 area_total_A2=area_total_A2),
        "acf_energy_eV2": correlation.autocorrelation(series["flux"], max_lag=max_lag),
        "dt_ps": dt_ps,
    }
    if results.get("delta_T"):
        r = results["delta_T"]
        out["model_acf_dT_K2"] = r["amplitude_K2"] * np.exp(-lag / r["tau_ps"])
    if results.get("flux"):
        r = results["flux"]
        out["model_acf_energy_eV2"] = r["amplitude_eV2"] * np.exp(-lag / r["tau_ps"])
        out["model_running_integral_eV2_ps"] = (r["amplitude_eV2"] / r["tau_ps"]
                                                * np.exp(-lag / r["tau_ps"]))
        out["model_G_running_MW_m2K"] = r["G_MW_m2K"] * np.exp(-lag / r["tau_ps"])
    return out


def acf_table(display: dict) -> dict:
    """ACF/running-integral columns on common lags (CSV)."""
    return {k: np.asarray(v).tolist() for k, v in display.items() if k != "dt_ps"}


def plot(record: dict, results: dict, path: Path) -> None:
    """ΔT and side-energy ACFs with the fitted OU parts; running G(t), the model and G
    (:mod:`study.figures.green_kubo`, the drawing of the paper figure too)."""
    with fs.style("quick"):
        fig, _ = green_kubo_figure.figure([record], [acf_table(results["display"])],
                                          style="quick")
        fs.save_quick(fig, path)


def main(argv: list[str] | None = None) -> int:
    args = analysis_arguments(__doc__.split("\n")[0], argv)
    record, table, results = analyse(load_replica(args.raw), json.loads(args.run.read_text()),
                                     json.loads(args.analysis))
    write_analysis_outputs(args, record, table,
                           lambda path: plot(record, results, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
