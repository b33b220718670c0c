"""Entry point: the spectral heat current of one system and temperature, its AGF and DMM.

Three subcommands, one per rule of ``workflow/rules/spectral.smk``:

``agf``
    The elastic transmission Ξ(ω) of the relaxed interface by atomistic Green's functions
    (:func:`engine.interface_force_constants.interface_transmission`, with every option of
    the config's ``spectral.agf`` block): ``agf.json`` and ``agf.csv``.
``settings``
    A spectral run's settings with an ``inelastic_cutoff_THz`` of null resolved to the
    lower of the two AGF leads' highest frequencies: ``settings.json``.
``combine``
    The replicas' spectra (:mod:`engine.spectral`: ``spectral.json`` and ``spectrum.csv``
    beside it) combined -- G(f) as the mean over replicas, its 95 % band from the blocks of
    every replica and the temperature jumps' errors -- and three summary records (one row
    of ``summary.csv`` each): ``spectral`` (classical G = ∫G(f) df), ``spectral-quantum``
    (G_q at the run temperature) and ``agf`` (classical Landauer G, deterministic: no
    statistical interval); a CSV on the MD frequency axis with G(f) from MD and its band,
    the AGF's Ξ(ω) k_B/A per unit frequency, the full-dispersion DMM's α(ω) with the same
    classical occupation derivative, and the cumulative G of each; and the figure
    (:mod:`study.figures.spectral`).

Units: f in THz, spectral densities in W m⁻² K⁻¹ THz⁻¹, G in MW m⁻² K⁻¹, R_K in m² K/W.
Classical occupation everywhere (ħω ∂n/∂T → k_B), the limit that classical MD obeys.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np

from analysis.blocking import t_interval, welch_satterthwaite_dof
from analysis.io import to_jsonable
from analysis.mismatch import KB_J_K
from analysis.replicas import equal_weight_mean
from analysis.units import W_M2_PER_EV_PS_A2
from engine.atomic_io import write_csv, write_json
from study.figures import spectral as spectral_figure
from study.figures import style as fs

__all__ = ["UNRESOLVED_FLAG", "agf_quantum_by_temperature", "agf_spectrum", "combine",
           "combine_spectra", "dmm_spectrum", "frequency_rows", "main",
           "quantum_by_temperature", "resolution", "resolve_settings"]

HZ_PER_THZ = 1e12  # [Hz/THz]
M2_PER_A2 = 1e-20  # [m²/Å²]
#: Relative difference above which the DMM spectrum rebuilt from the mismatch record's
#: side spectra is said to disagree with the record's own full-dispersion classical G.
DMM_CHECK_TOLERANCE = 0.05

AGF_FLAG = "no statistical interval: AGF is deterministic"
CSV_COLUMNS = ["frequency_THz", "G_MD_W_m2K_THz", "G_MD_ci95_low_W_m2K_THz",
               "G_MD_ci95_high_W_m2K_THz", "G_AGF_W_m2K_THz", "G_DMM_W_m2K_THz",
               "G_MD_cumulative_MW_m2K", "G_AGF_cumulative_MW_m2K", "G_DMM_cumulative_MW_m2K"]


# -- AGF and the run settings ---------------------------------------------------------------

def run_agf(structure: Path, info: dict, options: dict) -> dict:
    """Ξ(ω) and the Landauer G of the relaxed cell (options: :func:`study.config.agf_settings`)."""
    from engine.interface_force_constants import interface_transmission

    buffers = options["buffer_layers"]
    return interface_transmission(
        structure, info, n_omega=int(options["n_omega"]),
        temperatures_K=[float(t) for t in options["temperatures_K"]],
        eta_rel=float(options["eta_rel"]), lateral_repeat=tuple(options["lateral_repeat"]),
        displacement_A=float(options["displacement_A"]),
        buffer_layers=tuple(buffers) if len(buffers) == 2 else int(buffers[0]))


def lowest_lead_top_THz(agf: dict) -> float:
    """The lower of the two leads' highest frequencies (THz): above it no elastic channel."""
    return min(agf["lead_max_omega_rad_ps"].values()) / (2 * math.pi)


def resolve_settings(settings: dict, agf: dict | None) -> dict:
    """``settings`` with an ``inelastic_cutoff_THz`` of None set from the AGF leads.

    Raises
    ------
    ValueError
        A null cut-off without an AGF record, or a cut-off at or above the Nyquist
        frequency of the sampling (naming ``spectral.inelastic_cutoff_THz``).
    """
    out = dict(settings)
    if out["inelastic_cutoff_THz"] is None:
        if agf is None:
            raise ValueError("spectral.inelastic_cutoff_THz is null: the AGF record of the "
                             "system is needed to set it")
        out["inelastic_cutoff_THz"] = lowest_lead_top_THz(agf)
    nyquist = 1e3 / (2 * float(out["sample_every_fs"]))
    if not out["inelastic_cutoff_THz"] < nyquist:
        raise ValueError(f"spectral.inelastic_cutoff_THz: {out['inelastic_cutoff_THz']:.3g} THz "
                         f"is not below the Nyquist frequency {nyquist:.3g} THz: sample more "
                         "often (spectral.sample_every_fs)")
    return out


# -- one replica ----------------------------------------------------------------------------

def read_spectrum(path: Path) -> dict[str, np.ndarray]:
    """Columns of a replica's ``spectrum.csv`` as float arrays."""
    with open(path) as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"{path} holds no spectrum")
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def _jump_error(record: dict) -> tuple[float, float]:
    """Relative standard error of a replica's ΔT and its dof (0, inf when ΔT was given)."""
    jump = record["temperature_jump"]
    se = jump.get("delta_T_se_K")
    if se is None:
        return 0.0, math.inf
    return abs(float(se) / float(jump["delta_T_K"])), float(jump["delta_T_dof"])


def replica_spectrum(record: dict, spectrum: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """G(f) of one replica (W m⁻² K⁻¹ THz⁻¹) with its variance components and their dof.

    The spectrum's batch-means error of q (dof n_batches − 1) and the relative error of ΔT
    (a common factor of the whole spectrum).
    """
    scale = W_M2_PER_EV_PS_A2 / (float(record["area_A2"]) * float(record["delta_T_A_minus_B_K"]))
    g = spectrum["G_W_m2K_THz"]
    rel_T, dof_T = _jump_error(record)
    return {"frequency_THz": spectrum["frequency_THz"], "G": g,
            "var_q": (spectrum["q_se_eV_ps_THz"] * scale) ** 2, "dof_q": record["sampling"][
                "n_batches"] - 1.0, "var_T": (g * rel_T) ** 2, "dof_T": dof_T}


def combine_spectra(spectra: list[dict]) -> dict[str, np.ndarray]:
    """Mean G(f) over replicas with its pointwise 95 % Student-t band.

    Var(mean) = Σ_r (var_q,r + var_T,r)/n², its dof by Welch-Satterthwaite over the 2n
    components.  Raises ``ValueError`` if the replicas' frequency axes differ.
    """
    f = spectra[0]["frequency_THz"]
    if any(s["frequency_THz"].shape != f.shape or not np.allclose(s["frequency_THz"], f)
           for s in spectra):
        raise ValueError("the replicas' spectra have different frequency axes (settings differ)")
    n = len(spectra)
    mean = np.mean([s["G"] for s in spectra], axis=0)
    parts = np.array([s[k] / n**2 for s in spectra for k in ("var_q", "var_T")])
    dofs = np.array([s[k] for s in spectra for k in ("dof_q", "dof_T")], dtype=float)
    var = parts.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dof = var**2 / np.sum(np.where(np.isfinite(dofs)[:, None], parts**2 / dofs[:, None],
                                       0.0), axis=0)
    dof = np.where(np.isfinite(dof) & (dof > 0), dof, math.inf)
    low, high = t_interval(mean, np.sqrt(var), dof)
    return {"frequency_THz": f, "G_W_m2K_THz": mean, "se_W_m2K_THz": np.sqrt(var),
            "low_W_m2K_THz": np.asarray(low), "high_W_m2K_THz": np.asarray(high), "dof": dof}


def _with_jump_error(value: float, se: float, dof: float, record: dict) -> tuple[float, float]:
    """A conductance's standard error and dof with the replica's ΔT error added."""
    rel_T, dof_T = _jump_error(record)
    parts = [se**2, (value * rel_T) ** 2]
    return math.sqrt(sum(parts)), welch_satterthwaite_dof(parts, [dof, dof_T])


def _quantum_at(record: dict, temperature_K: float) -> tuple[float, float, float]:
    """G_q (MW m⁻² K⁻¹), its se and dof at ``temperature_K`` from a replica record."""
    q = record["quantum"]
    temps = np.asarray(q["temperature_K"], dtype=float)
    hit = np.flatnonzero(np.isclose(temps, temperature_K))
    if hit.size == 0:
        raise ValueError(f"the replica has no G_q at {temperature_K} K (quantum_temperatures_K "
                         f"{temps.tolist()})")
    i = int(hit[0])
    return float(q["G_MW_m2K"][i]), float(q["se_MW_m2K"][i]), float(q["dof"])


def _over_replicas(values: list[float], ses: list[float], dofs: list[float]) -> dict:
    """Equal-weight mean over replicas (:func:`analysis.replicas.equal_weight_mean`, as for
    NEMD replicas of equal length; the same weights as the mean spectrum, whose integral
    it then is), its interval from the scatter when the replicas disagree."""
    comb = equal_weight_mean(values, ses, dofs)
    return {k: float(comb[k]) for k in ("mean", "se", "low", "high", "dof")} | {
        "disagree": bool(comb["disagree"])}


def conductance_fields(g: dict) -> dict:
    """Summary fields (G in MW m⁻² K⁻¹, R_K = 1/G in m² K/W) of a combined conductance."""
    value, low, high, se = g["mean"], g["low"], g["high"], g["se"]
    return {"G_MW_m2K": value, "G_se_MW_m2K": se, "G_ci95_low_MW_m2K": low,
            "G_ci95_high_MW_m2K": high, "R_K_m2K_W": 1e-6 / value,
            "R_K_se_m2K_W": None if se is None else 1e-6 * se / value**2,
            "R_K_ci95_low_m2K_W": 1e-6 / high if high is not None and high > 0 else None,
            "R_K_ci95_high_m2K_W": 1e-6 / low if low is not None and low > 0 else None}


# -- AGF and DMM on the MD axis ---------------------------------------------------------------

def agf_spectrum(agf: dict, frequency_THz: np.ndarray) -> np.ndarray:
    """Classical Landauer G(f) = Ξ(ω) k_B / A per unit frequency (W m⁻² K⁻¹ THz⁻¹).

    (G = ∫ Ξ k_B dω/(2π A) = ∫ Ξ k_B / A df.)  Ξ is interpolated linearly, from Ξ(0) = 0
    up to the AGF grid's top, and is 0 above it.
    """
    f = np.concatenate([[0.0], np.asarray(agf["frequency_THz"], dtype=float)])
    xi = np.concatenate([[0.0], np.asarray(agf["transmission"], dtype=float)])
    xi_md = np.interp(frequency_THz, f, xi, right=0.0)
    return xi_md * KB_J_K / (float(agf["area_A2"]) * M2_PER_A2) * HZ_PER_THZ


def _side_spectrum(material: dict, omega_rad_s: np.ndarray) -> np.ndarray:
    """P(ω) (m⁻²) of one side at ``omega_rad_s``, linear between bin centres, 0 outside."""
    spectra = material["spectra"]
    centres = np.concatenate([[0.0], np.asarray(spectra["centres_rad_s"], dtype=float)])
    values = np.concatenate([[0.0], np.asarray(spectra["radiation_m2"], dtype=float)])
    return np.interp(omega_rad_s, centres, values, right=0.0)


def _dmm_density(mismatch: dict, omega_rad_s: np.ndarray) -> np.ndarray:
    """Classical full-dispersion DMM G per unit ω (W m⁻² K⁻¹ per rad/s), modes of side A:
    P_A(ω) α_AB(ω) k_B / 4 with α_AB = P_B/(P_A + P_B) (:mod:`analysis.mismatch`)."""
    p_a = _side_spectrum(mismatch["materials"]["A"], omega_rad_s)
    p_b = _side_spectrum(mismatch["materials"]["B"], omega_rad_s)
    total = p_a + p_b
    alpha = np.divide(p_b, total, out=np.zeros_like(total), where=total > 0)
    return p_a * alpha * KB_J_K / 4


def _record_dmm_classical_W_m2K(mismatch: dict) -> float | None:
    """The mismatch record's own classical full-dispersion DMM G (W m⁻² K⁻¹), if any."""
    for row in mismatch.get("models", []):
        if (row.get("model"), row.get("form"), row.get("statistics"),
                row.get("eet_correction")) == ("dmm", "full", "classical", False):
            return row.get("G_W_m2K")
    return None


def dmm_spectrum(mismatch: dict | None, frequency_THz: np.ndarray) -> tuple[np.ndarray | None,
                                                                            dict]:
    """Classical full-dispersion DMM G(f) (W m⁻² K⁻¹ THz⁻¹) on the MD axis, and what it is.

    The mismatch record stores each side's radiation spectrum P(ω) but not α(ω) itself;
    α_AB(ω) = P_B/(P_A + P_B) is rebuilt from them (interpolated between bin centres) and
    checked against the record's own classical full-dispersion G, integrated on side A's
    bins.  Without the side spectra the column is left out (None) and the note says so.
    """
    materials = (mismatch or {}).get("materials") or {}
    if not all("spectra" in (materials.get(s) or {}) for s in ("A", "B")):
        return None, {"available": False, "note": "no DMM column: the mismatch record has no "
                      "side spectra P(omega) from which alpha(omega) could be built"}
    omega = 2 * np.pi * np.asarray(frequency_THz, dtype=float) * HZ_PER_THZ
    density = _dmm_density(mismatch, omega) * 2 * np.pi * HZ_PER_THZ  # per THz
    spectra = materials["A"]["spectra"]
    centres = np.asarray(spectra["centres_rad_s"], dtype=float)
    width = float(centres[1] - centres[0]) if len(centres) > 1 else 0.0
    rebuilt = float(np.sum(_dmm_density(mismatch, centres)) * width)
    stored = _record_dmm_classical_W_m2K(mismatch)
    ratio = rebuilt / stored if stored else None
    note = ("DMM: full-dispersion alpha_AB(omega) = P_B/(P_A+P_B) rebuilt from the mismatch "
            "record's side spectra (the record stores P(omega), not alpha), modes of side A, "
            "classical occupation")
    if ratio is not None and abs(ratio - 1) > DMM_CHECK_TOLERANCE:
        note += f"; its integral is {ratio:.3g} x the record's classical full DMM G"
    return density, {"available": True, "note": note, "G_rebuilt_W_m2K": rebuilt,
                     "G_record_W_m2K": stored, "rebuilt_over_record": ratio}


def _cumulative_MW(density: np.ndarray, delta_f_THz: float) -> np.ndarray:
    """Running ∫ G(f) df (MW m⁻² K⁻¹) as the rectangle sum of the spectrum (ends at ΣG Δf)."""
    return np.cumsum(density) * delta_f_THz * 1e-6


def frequency_rows(md: dict, agf_density: np.ndarray, dmm_density: np.ndarray | None,
                   delta_f_THz: float) -> list[dict]:
    """Rows of the CSV on the MD frequency axis (:data:`CSV_COLUMNS`; no DMM columns when
    ``dmm_density`` is None)."""
    columns = {"frequency_THz": md["frequency_THz"], "G_MD_W_m2K_THz": md["G_W_m2K_THz"],
               "G_MD_ci95_low_W_m2K_THz": md["low_W_m2K_THz"],
               "G_MD_ci95_high_W_m2K_THz": md["high_W_m2K_THz"],
               "G_AGF_W_m2K_THz": agf_density,
               "G_MD_cumulative_MW_m2K": _cumulative_MW(md["G_W_m2K_THz"], delta_f_THz),
               "G_AGF_cumulative_MW_m2K": _cumulative_MW(agf_density, delta_f_THz)}
    if dmm_density is not None:
        columns["G_DMM_W_m2K_THz"] = dmm_density
        columns["G_DMM_cumulative_MW_m2K"] = _cumulative_MW(dmm_density, delta_f_THz)
    keys = [k for k in CSV_COLUMNS if k in columns]
    return [{k: float(columns[k][i]) for k in keys} for i in range(len(md["frequency_THz"]))]


# -- the three summary records --------------------------------------------------------------

def _sum_rule(replicas: list[dict]) -> dict:
    """∫q df over the bath power, combined over replicas."""
    rules = [r["sum_rule"] for r in replicas]
    comb = _over_replicas([s["ratio"] for s in rules], [s["se"] for s in rules],
                          [s["dof"] for s in rules])
    return {"ratio": comb["mean"], "ci95_low": comb["low"], "ci95_high": comb["high"],
            "replicas": [s["ratio"] for s in rules]}


def _inelastic(replicas: list[dict]) -> dict | None:
    shares = [r["inelastic"] for r in replicas if r.get("inelastic")]
    if len(shares) != len(replicas):
        return None
    comb = _over_replicas([s["share"] for s in shares], [s["se"] for s in shares],
                          [s["dof"] for s in shares])
    return {"share": comb["mean"], "ci95_low": comb["low"], "ci95_high": comb["high"],
            "cutoff_THz": shares[0]["cutoff_THz"]}


def _common(system: str, temperature_K: float, replicas: list[dict], paths: list[Path]) -> dict:
    settings = replicas[0]["settings"]
    return {"system": system, "temperature_K": temperature_K,
            "potential": settings["potential"], "specorder": settings["specorder"],
            "n_replicas": len(replicas),
            "n_blocks": int(sum(r["sampling"]["n_blocks"] for r in replicas)),
            "delta_T_K": float(np.mean([r["temperature_jump"]["delta_T_K"] for r in replicas])),
            "flux_W_m2": float(np.mean([r["bath"]["flux_W_m2"] for r in replicas])),
            "replica_files": [str(p) for p in paths],
            "seeds": [r["settings"]["seeds"] for r in replicas]}


def _fmt_interval(value, low, high, digits: str = ".3g") -> str:
    if low is None or high is None:
        return f"{value:{digits}} (no interval)"
    return f"{value:{digits}} [{low:{digits}}, {high:{digits}}]"


#: Summary flag of an MD spectral conductance whose 95 % interval reaches zero.
UNRESOLVED_FLAG = "spectral current not resolved"


def quantum_by_temperature(replicas: list[dict]) -> list[dict]:
    """G_q(T) (MW m⁻² K⁻¹) over replicas at every temperature the replicas hold (the run's
    and ``quantum_temperatures_K``), with the 95 % interval (the ΔT error included)."""
    temps = np.asarray(replicas[0]["quantum"]["temperature_K"], dtype=float)
    out = []
    for t in temps:
        parts = [(v, *_with_jump_error(v, se, dof, r)) for (v, se, dof), r in
                 zip((_quantum_at(r, float(t)) for r in replicas), replicas, strict=True)]
        g = _over_replicas(*map(list, zip(*parts, strict=True)))
        out.append({"temperature_K": float(t), "G_MW_m2K": g["mean"],
                    "G_ci95_low_MW_m2K": g["low"], "G_ci95_high_MW_m2K": g["high"]})
    return out


def agf_quantum_by_temperature(agf: dict, temperatures_K) -> list[dict]:
    """The AGF's classical and quantum Landauer G (MW m⁻² K⁻¹, plain: the leads' contact
    resistance not removed) at each temperature, from its Ξ(ω)."""
    from analysis.agf import quantum_conductance_W_m2K

    res = quantum_conductance_W_m2K(agf["omega_rad_ps"], agf["transmission"], agf["area_A2"],
                                    temperatures_K)
    return [{"temperature_K": float(t), "G_quantum_plain_MW_m2K": float(g) * 1e-6,
             "G_classical_plain_MW_m2K": float(agf["classical"]["G_W_m2K"]) * 1e-6}
            for t, g in zip(res["temperature_K"], res["G_W_m2K"], strict=True)]


def resolution(g: dict, sum_rule: dict) -> dict:
    """Whether the MD spectral G is resolved (its interval above zero) and, from the
    sum-rule interval, about how many times the sampled stage a ±50 % sum rule needs."""
    low, high = sum_rule["ci95_low"], sum_rule["ci95_high"]
    half = 0.5 * (high - low) if low is not None and high is not None else None
    factor = None if half is None else max(1.0, (half / 0.5) ** 2)
    resolved = g["low"] is not None and g["low"] > 0
    return {"resolved": bool(resolved), "sampling_factor_for_half_width_0p5": factor}


def combine(system: str, temperature_K: float, replicas: list[dict], paths: list[Path],
            spectra: list[dict], agf: dict, mismatch: dict | None) -> dict:
    """Everything of one system and temperature: the three records, the CSV rows, the
    figure's arrays (JSON-ready except ``rows``)."""
    md = combine_spectra([replica_spectrum(r, s) for r, s in zip(replicas, spectra,
                                                                 strict=True)])
    delta_f = float(replicas[0]["sampling"]["delta_f_THz"])
    agf_density = agf_spectrum(agf, md["frequency_THz"])
    dmm_density, dmm = dmm_spectrum(mismatch, md["frequency_THz"])
    rows = frequency_rows(md, agf_density, dmm_density, delta_f)
    common = _common(system, temperature_K, replicas, paths)
    warnings = [f"replica {i}: {w}" for i, r in enumerate(replicas) for w in r["warnings"]]
    sum_rule, inelastic = _sum_rule(replicas), _inelastic(replicas)

    classical = []
    for r in replicas:
        value = float(r["G_classical_MW_m2K"])
        se, dof = _with_jump_error(value, float(r["G_classical_se_MW_m2K"]),
                                   float(r["quantum"]["dof"]), r)
        classical.append((value, se, dof))
    g_cl = _over_replicas(*map(list, zip(*classical, strict=True)))
    if g_cl["disagree"]:
        warnings.append("replicas disagree beyond their errors: the interval is from their "
                        "scatter (the spectrum's band is not)")
    quantum = [_quantum_at(r, temperature_K) for r in replicas]
    quantum = [(v, *_with_jump_error(v, se, dof, r)) for (v, se, dof), r in zip(
        quantum, replicas, strict=True)]
    g_q = _over_replicas(*map(list, zip(*quantum, strict=True)))
    rule_text = _fmt_interval(sum_rule["ratio"], sum_rule["ci95_low"], sum_rule["ci95_high"],
                              ".2f")
    resolved = resolution(g_cl, sum_rule)
    flags = []
    if not resolved["resolved"]:
        flags = [UNRESOLVED_FLAG]
        factor = resolved["sampling_factor_for_half_width_0p5"]
        warnings.append(
            f"the spectral conductance is not resolved: its 95% interval reaches zero "
            f"(sum rule {rule_text}); a sum rule within +-0.5 needs about "
            f"{factor:.3g} times the sampled stage (n_blocks x block_samples x "
            "sample_every_fs), or a larger cross-section or temperature jump")
    spectral = {
        **common, "method": "spectral",
        "note": ("classical G = integral of G(f) = q(f)/(A dT) from the harmonic (0 K) "
                 f"interfacial force constants; harmonic sum rule: integral q df / bath power "
                 f"= {rule_text} (below 1: the anharmonic part of the interfacial forces is "
                 "missing from q, so G is underestimated by about that factor); 95% interval "
                 "over blocks, replicas and the temperature jump's error"),
        **conductance_fields(g_cl), "replicas_disagree": g_cl["disagree"],
        "sum_rule": sum_rule, "inelastic": inelastic, "warnings": warnings,
        "resolution": resolved, "summary_flags": flags,
        "spectrum": {"frequency_THz": md["frequency_THz"], "G_W_m2K_THz": md["G_W_m2K_THz"],
                     "ci95_low_W_m2K_THz": md["low_W_m2K_THz"],
                     "ci95_high_W_m2K_THz": md["high_W_m2K_THz"], "delta_f_THz": delta_f},
        "agf_density_W_m2K_THz": agf_density, "dmm_density_W_m2K_THz": dmm_density,
        "dmm": dmm, "replicas": [{"G_classical_MW_m2K": v, "se_MW_m2K": se} for v, se, _ in
                                 classical],
        "provenance": {k: replicas[0].get(k) for k in ("code", "dependencies", "host",
                                                       "created_utc", "potential", "settings")},
    }
    quantum_record = {
        **common, "method": "spectral-quantum",
        "note": (f"quantum-corrected G_q({temperature_K:g} K): the classical harmonic spectrum "
                 "re-weighted mode by mode with the quantum heat capacity (Saaskilahti et al. "
                 f"2014); same harmonic sum rule ({rule_text}); 95% interval over blocks, "
                 "replicas and the temperature jump's error"),
        **conductance_fields(g_q), "replicas_disagree": g_q["disagree"],
        "G_classical_MW_m2K": g_cl["mean"], "warnings": warnings, "summary_flags": flags,
        "by_temperature": quantum_by_temperature(replicas),
        "replica_files": common["replica_files"], "provenance": spectral["provenance"]}
    agf_record = agf_summary(system, temperature_K, agf, common)
    agf_record["by_temperature"] = agf_quantum_by_temperature(
        agf, [row["temperature_K"] for row in quantum_record["by_temperature"]])
    return {"spectral": to_jsonable(spectral), "quantum": to_jsonable(quantum_record),
            "agf": to_jsonable(agf_record), "rows": rows}


def agf_summary(system: str, temperature_K: float, agf: dict, common: dict) -> dict:
    """The ``agf`` row: the classical Landauer G with the leads' contact resistance removed
    when it can be (else the plain one), no statistical interval."""
    plain = float(agf["classical"]["G_W_m2K"])
    intrinsic = agf.get("classical_intrinsic_G_W_m2K")
    g = float(intrinsic) if intrinsic is not None else plain
    quantum = dict(zip(np.round(np.asarray(agf["quantum"]["temperature_K"], float), 6),
                       agf["quantum"]["G_W_m2K"], strict=True))
    g_q = quantum.get(round(float(temperature_K), 6))
    which = ("with the leads' contact resistance removed (1/G_int = 1/G - (1/G_L + 1/G_R)/2)"
             if intrinsic is not None else "(plain; the leads' contact correction is below 0.1%)")
    return {
        "system": system, "temperature_K": temperature_K, "method": "agf",
        "potential": common["potential"], "specorder": common["specorder"],
        "note": (f"elastic Landauer G from AGF (harmonic 0 K force constants of the relaxed "
                 f"cell, classical occupation) {which}; {AGF_FLAG}: the only error is the "
                 f"frequency quadrature ({agf['classical']['quadrature_error_W_m2K'] * 1e-6:.2g}"
                 " MW/m2K) and the model's (no anharmonic, inelastic channels)"),
        "G_MW_m2K": g * 1e-6, "R_K_m2K_W": 1.0 / g, "G_ci95_low_MW_m2K": None,
        "G_ci95_high_MW_m2K": None, "R_K_ci95_low_m2K_W": None, "R_K_ci95_high_m2K_W": None,
        "G_plain_MW_m2K": plain * 1e-6,
        "G_intrinsic_MW_m2K": None if intrinsic is None else float(intrinsic) * 1e-6,
        "G_quantum_plain_MW_m2K": None if g_q is None else float(g_q) * 1e-6,
        "quadrature_error_MW_m2K": agf["classical"]["quadrature_error_W_m2K"] * 1e-6,
        "lateral_repeat": agf["lateral_repeat"], "area_A2": agf["area_A2"],
        "summary_flags": [AGF_FLAG], "warnings": list(agf.get("warnings", []))}


# -- command line ---------------------------------------------------------------------------

#: Columns of agf.csv (those of the engine's own command line).
AGF_COLUMNS = ["omega_rad_ps", "frequency_THz", "transmission", "channels_left",
               "channels_right"]


def _agf_main(args) -> int:
    options = json.loads(args.options)
    result = run_agf(args.structure, json.loads(args.info.read_text()), options)
    result["structure"] = str(args.structure)
    result["options"] = options
    rows = [dict(zip(AGF_COLUMNS, values, strict=True))
            for values in zip(*(result[k] for k in AGF_COLUMNS), strict=True)]
    write_csv(rows, AGF_COLUMNS, args.out_csv)
    write_json(args.out_json, result)
    intrinsic = result["classical_intrinsic_G_W_m2K"]
    print(f"AGF: G = {result['classical']['G_W_m2K'] * 1e-6:.1f} MW/m2K (classical), "
          f"intrinsic {'n/a' if intrinsic is None else f'{intrinsic * 1e-6:.1f}'} MW/m2K, "
          f"lowest lead top {lowest_lead_top_THz(result):.3g} THz")
    return 0


def _settings_main(args) -> int:
    agf = json.loads(args.agf.read_text()) if args.agf else None
    settings = resolve_settings(json.loads(args.settings), agf)
    write_json(args.out, settings)
    print(f"inelastic_cutoff_THz = {settings['inelastic_cutoff_THz']:.4g}")
    return 0


def _combine_main(args) -> int:
    replicas = [json.loads(p.read_text()) for p in args.replicas]
    spectra = [read_spectrum(p.parent / "spectrum.csv") for p in args.replicas]
    mismatch = json.loads(args.mismatch.read_text()) if args.mismatch else None
    out = combine(args.system, float(args.temperature), replicas, args.replicas, spectra,
                  json.loads(args.agf.read_text()), mismatch)
    columns = [k for k in CSV_COLUMNS if k in out["rows"][0]]
    write_csv(out["rows"], columns, args.out_csv)
    write_json(args.out_json, out["spectral"])
    write_json(args.out_quantum, out["quantum"])
    write_json(args.out_agf, out["agf"])
    with fs.style("quick"):
        fig = spectral_figure.figure(out["spectral"], out["quantum"], out["agf"],
                                     f"{args.system} at {float(args.temperature):g} K",
                                     style="quick")
        fs.save_quick(fig, args.out_figure)
    for rec in (out["spectral"], out["quantum"], out["agf"]):
        print(f"{rec['method']:>16}: G = " + _fmt_interval(
            rec["G_MW_m2K"], rec["G_ci95_low_MW_m2K"], rec["G_ci95_high_MW_m2K"]) + " MW/m2K")
    print(out["spectral"]["note"])
    print(out["spectral"]["dmm"]["note"])
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: ``agf``, ``settings`` or ``combine`` (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    agf = sub.add_parser("agf", help="AGF transmission of the relaxed structure")
    agf.add_argument("--structure", required=True, type=Path, help="relaxed.data")
    agf.add_argument("--info", required=True, type=Path, help="relaxed.json")
    agf.add_argument("--options", required=True, help="study.config.agf_settings as JSON")
    agf.add_argument("--out-json", required=True, type=Path)
    agf.add_argument("--out-csv", required=True, type=Path)
    settings = sub.add_parser("settings", help="resolve a spectral run's inelastic cut-off")
    settings.add_argument("--settings", required=True, help="study.config.spectral_settings")
    settings.add_argument("--agf", nargs="?", type=Path, default=None, help="agf.json")
    settings.add_argument("--out", required=True, type=Path)
    comb = sub.add_parser("combine", help="combine replicas; AGF and DMM spectra; records")
    comb.add_argument("--system", required=True)
    comb.add_argument("--temperature", required=True)
    comb.add_argument("--agf", required=True, type=Path)
    comb.add_argument("--mismatch", type=Path, default=None, help="mismatch.json")
    for name in ("out-json", "out-quantum", "out-agf", "out-csv", "out-figure"):
        comb.add_argument(f"--{name}", required=True, type=Path)
    comb.add_argument("replicas", nargs="+", type=Path, help="the replicas' spectral.json")
    args = parser.parse_args(argv)
    return {"agf": _agf_main, "settings": _settings_main, "combine": _combine_main}[
        args.command](args)


if __name__ == "__main__":
    sys.exit(main())
