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

Outputs: ``figures/<system>_nemd_vs_emd.png`` (G(T) by both methods; the ratio with
its interval and the predictions: :mod:`study.figures.nemd_vs_emd`, the drawing of the
paper figure too) and the same numbers in a CSV beside it.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

from analysis.method_comparison import conductance_ratio, internal_resistance_correction
from engine.atomic_io import write_csv
from study.figures import nemd_vs_emd
from study.figures import style as fs

COLUMNS = ["system", "temperature_K", "G_nemd_MW_m2K", "G_nemd_ci95_low_MW_m2K",
           "G_nemd_ci95_high_MW_m2K", "G_emd_MW_m2K", "G_emd_ci95_low_MW_m2K",
           "G_emd_ci95_high_MW_m2K", "ratio_nemd_over_emd", "ratio_ci95_low", "ratio_ci95_high",
           "predicted_ratio_amm", "predicted_ratio_dmm", "prediction_form",
           "predicted_ratio_amm_ci95_low", "predicted_ratio_amm_ci95_high",
           "predicted_ratio_dmm_ci95_low", "predicted_ratio_dmm_ci95_high",
           "G_emd_corrected_MW_m2K", "G_emd_corrected_ci95_low_MW_m2K",
           "G_emd_corrected_ci95_high_MW_m2K", "internal_bias_m2K_W",
           "ratio_nemd_over_emd_corrected", "internal_resistance_note"]


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


def _corrected_columns(nemd: dict, emd: dict) -> dict:
    """G_EMD without the sides' internal resistance, and the ratio it gives."""
    fix = internal_resistance_correction(emd, nemd)
    g = fix["G_corrected_MW_m2K"]
    ratio = (float(nemd["G_MW_m2K"]) / g if g is not None and g > 0 and math.isfinite(g)
             else None)
    note = (fix["reason"] if fix["reason"] else
            f"lumped model corrected with NEMD side conductivities {fix['kappa_used_W_mK']} "
            "W/mK (diffusive sides assumed; interval combines G_EMD and kappa ends)")
    return {"G_emd_corrected_MW_m2K": g,
            "G_emd_corrected_ci95_low_MW_m2K": fix["G_corrected_ci95_low_MW_m2K"],
            "G_emd_corrected_ci95_high_MW_m2K": fix["G_corrected_ci95_high_MW_m2K"],
            "internal_bias_m2K_W": fix["internal_bias_m2K_W"],
            "ratio_nemd_over_emd_corrected": ratio, "internal_resistance_note": note}


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
               for m in ("amm", "dmm") for end in ("low", "high")},
            **_corrected_columns(n, e)})
    return rows


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
    with fs.style("quick"):
        fs.save_quick(nemd_vs_emd.figure(args.system, rows, style="quick")[0],
                      args.out_figure)
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
