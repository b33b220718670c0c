"""Entry point: NEMD against equilibrium (Green-Kubo) MD for one system, with the EET ratio.

NEMD and EMD need not agree.  NEMD's jump is taken between local temperatures extrapolated
to the interface, the equivalent-equilibrium temperatures of the phonons on each side,
while the equilibrium fluctuations relate the power to the temperatures of the emitted
phonons.  For a gray interface with transmissions α₁₂, α₂₁ the two conductances differ by
the Simons / Zeng & Chen factor (Simons, J. Phys. C 7, 4048 (1974); Zeng & Chen, J. Appl.
Phys. 89, 2826 (2001), eqs. 12-13)::

    G_NEMD / G_EMD = 1 / (1 − (α₁₂ + α₂₁)/2)  (gray),   1/G_corr = 1/G₁₂ − (1/G₁ + 1/G₂)/2.

The ratio measured here, with its 95 % interval, is set beside the ratio that correction
predicts from the system's own mismatch models (:mod:`study.mismatch`, classical
statistics, since MD is classical): G(EET-corrected) / G(uncorrected) for the AMM and
the DMM, both in one consistent model -- the Debye form, with the same direction-averaged
inputs and the same transmission model for G₁₂ and for the radiation conductances G₁,
G₂ of the correction -- each with its 95 % interval (elastic-constant errors and the
isotropisation spread, :func:`study.mismatch.model_intervals`).

Outputs: ``figures/<system>_nemd_vs_emd.png`` (R_K(T) by both methods; the ratio with
its interval and the predictions) and the same numbers in a CSV beside it.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np

from analysis.blocking import t_interval
from engine.atomic_io import atomic_path, write_csv

COLUMNS = ["system", "temperature_K", "G_nemd_MW_m2K", "G_nemd_ci95_low_MW_m2K",
           "G_nemd_ci95_high_MW_m2K", "G_emd_MW_m2K", "G_emd_ci95_low_MW_m2K",
           "G_emd_ci95_high_MW_m2K", "ratio_nemd_over_emd", "ratio_ci95_low", "ratio_ci95_high",
           "predicted_ratio_amm", "predicted_ratio_dmm", "prediction_form",
           "predicted_ratio_amm_ci95_low", "predicted_ratio_amm_ci95_high",
           "predicted_ratio_dmm_ci95_low", "predicted_ratio_dmm_ci95_high"]


def conductance_ratio(nemd: dict, emd: dict) -> dict:
    """G_NEMD / G_EMD with a 95 % interval (independent estimates; delta method on logs).

    The standard error of ln(ratio) is √((s₁/G₁)² + (s₂/G₂)²); the interval uses Student's
    t with the smaller of the two records' ``ci_dof`` (conservative).

    Parameters
    ----------
    nemd, emd : dict
        Combined records with ``G_MW_m2K``, ``G_se_MW_m2K`` and ``ci_dof``.

    Returns
    -------
    dict
        ``ratio``, ``ci95_low``, ``ci95_high`` (dimensionless; NaN if a G is not positive;
        the interval NaN when either record has no standard error: a run that did not
        converge).
    """
    g1, g2 = float(nemd["G_MW_m2K"]), float(emd["G_MW_m2K"])
    if not (g1 > 0 and g2 > 0):
        return {"ratio": math.nan, "ci95_low": math.nan, "ci95_high": math.nan}
    if nemd.get("G_se_MW_m2K") is None or emd.get("G_se_MW_m2K") is None:
        return {"ratio": g1 / g2, "ci95_low": math.nan, "ci95_high": math.nan}
    se_log = math.hypot(float(nemd["G_se_MW_m2K"]) / g1, float(emd["G_se_MW_m2K"]) / g2)
    dof = min(float(nemd.get("ci_dof") or np.inf), float(emd.get("ci_dof") or np.inf))
    low, high = t_interval(math.log(g1 / g2), se_log, dof)
    return {"ratio": g1 / g2, "ci95_low": math.exp(float(low)), "ci95_high": math.exp(float(high))}


def _number(value) -> float:
    """A CSV cell as a float (NaN when empty or missing)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def predicted_ratios(model_rows: list[dict]) -> dict:
    """EET-corrected over uncorrected classical Debye G per model, from the mismatch CSV rows.

    One model for both predictions: the classical Debye rows of the AMM and the DMM (the
    same solids, the same inputs; full-dispersion rows are not mixed in), read from the
    EET-corrected rows' ``eet_ratio`` and its 95 % interval (``eet_ratio_ci95_low/high``);
    a table without them (older runs) gives the ratio of the corrected and uncorrected
    G and no interval.  Classical model conductances do not depend on T, so there is one
    ratio per model.

    Returns
    -------
    dict
        ``amm`` and ``dmm`` ratios, ``<model>_ci95_low``/``_high`` (NaN when missing or
        infinite) and ``form``.
    """
    rows = [r for r in model_rows if r.get("source") == "model"
            and r.get("statistics") == "classical" and r.get("form") == "debye"]
    out = {"form": "debye, direction-averaged velocities" if rows
           else "none (no mismatch models)"}
    for model in ("amm", "dmm"):
        mine = [r for r in rows if r["model"] == model]
        sel = {str(r["eet_correction"]): r for r in mine}
        corrected = sel.get("True", {})
        ratio = _number(corrected.get("eet_ratio"))
        if not math.isfinite(ratio) and {"True", "False"} <= set(sel):
            base = _number(sel["False"]["G_MW_m2K"])
            ratio = _number(corrected["G_MW_m2K"]) / base if base > 0 else math.nan
        out[model] = ratio if math.isfinite(ratio) else math.nan
        for end in ("low", "high"):
            value = _number(corrected.get(f"eet_ratio_ci95_{end}"))
            out[f"{model}_ci95_{end}"] = value if math.isfinite(value) else math.nan
    return out


def comparison_rows(system: str, nemd: list[dict], emd: list[dict],
                    model_rows: list[dict]) -> list[dict]:
    """One row per temperature present in both methods."""
    predicted = predicted_ratios(model_rows)
    by_t = {float(r["temperature_K"]): r for r in emd}
    rows = []
    for n in sorted(nemd, key=lambda r: float(r["temperature_K"])):
        t = float(n["temperature_K"])
        if t not in by_t:
            continue
        e = by_t[t]
        ratio = conductance_ratio(n, e)
        rows.append({
            "system": system, "temperature_K": t,
            **{f"G_nemd{s}_MW_m2K": n[f"G{s}_MW_m2K"] for s in ("", "_ci95_low", "_ci95_high")},
            **{f"G_emd{s}_MW_m2K": e[f"G{s}_MW_m2K"] for s in ("", "_ci95_low", "_ci95_high")},
            "ratio_nemd_over_emd": ratio["ratio"], "ratio_ci95_low": ratio["ci95_low"],
            "ratio_ci95_high": ratio["ci95_high"], "predicted_ratio_amm": predicted["amm"],
            "predicted_ratio_dmm": predicted["dmm"], "prediction_form": predicted["form"],
            **{f"predicted_ratio_{m}_ci95_{end}": predicted[f"{m}_ci95_{end}"]
               for m in ("amm", "dmm") for end in ("low", "high")}})
    return rows


def plot_comparison(rows: list[dict], nemd: list[dict], emd: list[dict], path: Path,
                    system: str) -> None:
    """Left: R_K(T) by NEMD and EMD with 95 % CIs; right: G_NEMD/G_EMD and the predictions."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2)
    for records, label, marker, shift in ((nemd, "NEMD", "o", -0.01), (emd, "EMD (Green-Kubo)",
                                                                        "s", 0.01)):
        recs = sorted(records, key=lambda r: float(r["temperature_K"]))
        t = np.array([float(r["temperature_K"]) for r in recs])
        r_k = np.array([r["R_K_m2K_W"] for r in recs], dtype=float) * 1e9
        low = np.array([r["R_K_ci95_low_m2K_W"] for r in recs], dtype=float) * 1e9
        high = np.array([r["R_K_ci95_high_m2K_W"] for r in recs], dtype=float) * 1e9
        high = np.where(np.isfinite(high), high, 2 * np.nanmax(np.r_[r_k, 0.0]))
        no_ci = ~np.isfinite(low)  # not converged: a point without a bar
        ax1.errorbar(t * (1 + shift), r_k, yerr=[np.where(no_ci, 0.0, r_k - low),
                                                 np.where(no_ci, 0.0, high - r_k)],
                     fmt=marker, capsize=3, label=label)
    ax1.set(xlabel="Temperature T (K)", ylabel=r"$R_K$ ($10^{-9}$ m$^2$K/W)",
            title=f"{system}: NEMD and EMD, 95 % CI")
    ax1.legend(fontsize="small")
    if rows:
        t = np.array([r["temperature_K"] for r in rows])
        ratio = np.array([r["ratio_nemd_over_emd"] for r in rows])
        err = [ratio - np.array([r["ratio_ci95_low"] for r in rows]),
               np.array([r["ratio_ci95_high"] for r in rows]) - ratio]
        ax2.errorbar(t, ratio, yerr=err, fmt="o", capsize=3, color="k", label="measured")
        for key, style in (("predicted_ratio_amm", "--"), ("predicted_ratio_dmm", ":")):
            value, color = rows[0][key], "C3" if "amm" in key else "C2"
            low, high = rows[0].get(f"{key}_ci95_low"), rows[0].get(f"{key}_ci95_high")
            band = low is not None and high is not None and math.isfinite(low) \
                and math.isfinite(high)
            if math.isfinite(value):
                interval = f" [{low:.2f}, {high:.2f}]" if band else ""
                ax2.axhline(value, ls=style, color=color,
                            label=f"EET prediction, {key[-3:].upper()}: {value:.2f}{interval}")
            if band:
                ax2.axhspan(low, high, color=color, alpha=0.15, lw=0)
        ax2.axhline(1.0, color="0.6", lw=0.8)
    ax2.set(xlabel="Temperature T (K)", ylabel=r"$G_{NEMD}/G_{EMD}$ (dimensionless)",
            title="Ratio and the Simons / Zeng-Chen prediction")
    if rows:
        ax2.annotate(f"models: {rows[0]['prediction_form']}, classical statistics",
                     (0.02, 0.02), xycoords="axes fraction", fontsize="x-small")
    ax2.legend(fontsize="small")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=150)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--system", required=True)
    parser.add_argument("--nemd", nargs="+", required=True, type=Path)
    parser.add_argument("--emd", nargs="+", required=True, type=Path)
    parser.add_argument("--models", nargs="*", type=Path, default=[],
                        help="mismatch R_K_models.csv (none for a grain boundary)")
    parser.add_argument("--out-figure", required=True, type=Path)
    parser.add_argument("--out-csv", required=True, type=Path)
    args = parser.parse_args(argv)
    nemd = [json.loads(p.read_text()) for p in args.nemd]
    emd = [json.loads(p.read_text()) for p in args.emd]
    model_rows = []
    for path in args.models:
        with open(path, newline="") as handle:
            model_rows += list(csv.DictReader(handle))
    rows = comparison_rows(args.system, nemd, emd, model_rows)
    write_csv(rows, COLUMNS, args.out_csv)
    plot_comparison(rows, nemd, emd, args.out_figure, args.system)
    for r in rows:
        print(f"{args.system} {r['temperature_K']:g} K: G_NEMD/G_EMD = "
              f"{r['ratio_nemd_over_emd']:.3g} [{r['ratio_ci95_low']:.3g}, "
              f"{r['ratio_ci95_high']:.3g}]; EET prediction AMM {r['predicted_ratio_amm']:.3g} "
              f"[{r['predicted_ratio_amm_ci95_low']:.3g}, {r['predicted_ratio_amm_ci95_high']:.3g}], "
              f"DMM {r['predicted_ratio_dmm']:.3g} [{r['predicted_ratio_dmm_ci95_low']:.3g}, "
              f"{r['predicted_ratio_dmm_ci95_high']:.3g}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
