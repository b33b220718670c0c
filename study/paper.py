"""Entry point: the paper figures, the summary table and the study's provenance record.

Every command reads only files the workflow wrote (JSON records and CSV tables), so any
figure can be redrawn alone, e.g.::

    python -m study.paper profile --nemd results/LJ-AB/T40K/nemd/rep*/nemd.json \\
        --combined results/LJ-AB/T40K/nemd/combined.json --out results/paper/profiles/LJ-AB_T40K

Commands (each writes ``OUT.pdf``, ``OUT.svg``, ``OUT.png`` and ``OUT.csv``, see
:mod:`study.paper_figures`; every figure is drawn by :mod:`study.figures`, the functions
the pipeline's quick-look figures use):

``profile``           temperature profiles of the replicas, fits and jump
``green-kubo``        ΔT autocorrelation and running Green-Kubo integral with the models
``models``            R_K(T) by MD beside the AMM/DMM curves
``size-series``       R_K against 1/L, the fit R_K = R_∞ + c/L and R_∞ (:mod:`study.paper_series`)
``lateral-series``    R_K against the cross-section area (:mod:`study.paper_sweeps`)
``flux-series``       R_K against the imposed flux J and the linear-response test
``grain-boundaries``  R_K of the grain boundaries against their energy
``nemd-vs-emd``       G by both methods and their ratio
``spectral``          G(f) from MD, AGF and DMM on one frequency axis, the cumulative G
``two-temperature``   lattice and electron profiles of a two-temperature run with the fit

and ``table`` (``OUT.csv`` and ``OUT.tex``: every R_K with its 95 % interval),
``flux-table`` (``OUT.csv``: the linear-response test of every flux series) and
``provenance`` (one JSON: code version, dependencies, potentials and their checksums,
the resolved config and its files, the seeds of every run, the figures and their data).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from engine.atomic_io import write_json, write_text
from potentials import sha256_of
from study import paper_figures as figures
from study.figures.style import FIGURE_FORMATS, write_csv
from study.paper_series import series_rows, side_length_A
from study.paper_sweeps import (
    FLUX_TABLE_COLUMNS,
    flux_series_rows,
    flux_table_rows,
    lateral_series_rows,
)

__all__ = [
    "TABLE_COLUMNS",
    "figure_entries",
    "latex_table",
    "main",
    "provenance",
    "run_seeds",
    "table_rows",
]

TABLE_COLUMNS = ["system", "series", "length_A", "temperature_K", "method", "estimate",
                 "R_K_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W", "G_MW_m2K",
                 "G_ci95_low_MW_m2K", "G_ci95_high_MW_m2K", "n_replicas", "stationary",
                 "converged"]
METHOD_NAMES = {"nemd": "NEMD", "green-kubo": "EMD (GK)"}


# -- reading --------------------------------------------------------------------------

def read_json(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


def read_csv(path: str | Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def read_columns(path: str | Path) -> dict[str, list]:
    """A CSV file as columns of floats (empty cells -> None)."""
    rows = read_csv(path)
    names = rows[0].keys() if rows else []
    return {k: [figures.number(r[k]) if r[k] != "" else None for r in rows] for k in names}


def named_paths(pairs: Sequence[str]) -> dict[str, Path]:
    """``["NAME=PATH", ...]`` -> ``{NAME: Path}``."""
    out = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep:
            raise ValueError(f"expected NAME=PATH, got {pair!r}")
        out[name] = Path(path)
    return out


# -- summary table --------------------------------------------------------------------

def table_rows(combined: Sequence[Mapping], lengths_A: Mapping[str, float],
               series: Sequence[Mapping]) -> list[dict]:
    """Rows of the paper's summary table.

    Parameters
    ----------
    combined : sequence of mapping
        ``combined.json`` records (NEMD and EMD) of every system and temperature.
    lengths_A : mapping
        Side length of each system (Å, :func:`study.paper_series.side_length_A`).
    series : sequence of mapping
        Rows of the size-series data files (``point`` rows give the membership,
        ``extrapolation`` rows the R_∞ of each series).

    Returns
    -------
    list of dict
        One row per system × temperature × method (``estimate`` "measured") and one per
        series × temperature × method (``estimate`` "1/L -> 0", ``length_A`` inf),
        sorted by system, method and temperature; columns :data:`TABLE_COLUMNS`.
    """
    member_of = {r["system"]: r["series"] for r in series if r["kind"] == "point"}
    rows = []
    for rec in combined:
        rows.append({"system": rec["system"], "series": member_of.get(rec["system"]),
                     "length_A": lengths_A.get(rec["system"]),
                     "temperature_K": float(rec["temperature_K"]), "method": rec["method"],
                     "estimate": "measured",
                     **{k: rec.get(k) for k in TABLE_COLUMNS[6:12]},
                     "n_replicas": rec.get("n_replicas"), "stationary": rec.get("stationary"),
                     "converged": rec.get("converged")})
    for r in series:
        if r["kind"] == "extrapolation":
            rows.append({"system": r["series"], "series": r["series"], "length_A": math.inf,
                         "temperature_K": float(r["temperature_K"]), "method": r["method"],
                         "estimate": f"1/L -> 0 ({int(float(r['n_lengths']))} lengths)",
                         **{k: figures.number(r[k]) for k in TABLE_COLUMNS[6:9]}})
    return sorted(rows, key=lambda r: (r["series"] or r["system"], r["method"],
                                       r["temperature_K"], -figures.number(r["length_A"])))


def _latex_escape(text: str) -> str:
    for char in ("\\", "&", "%", "$", "#", "_", "{", "}"):
        text = text.replace(char, "\\" + char)
    return text


def _latex_number(value, scale: float = 1.0, digits: int = 3) -> str:
    x = figures.number(value)
    if math.isnan(x):
        return "--"
    if math.isinf(x):
        return r"$\infty$"
    return f"{x * scale:.{digits}g}"


def latex_table(rows: Sequence[Mapping], study: str = "") -> str:
    """A booktabs ``tabular`` of the summary rows (R_K in 10⁻⁹ m²K/W, G in MW m⁻² K⁻¹).

    An interval end that is unbounded (G's interval reaching 0) reads ∞; rows that are
    not stationary are marked with a dagger.
    """
    header = (r"System & $L$ (\AA) & $T$ (K) & Method & $R_K$ ($10^{-9}$\,m$^2$\,K\,W$^{-1}$)"
              r" & 95\,\% CI & $G$ (MW\,m$^{-2}$\,K$^{-1}$) \\")
    lines = [f"% Kapitza study {_latex_escape(study)}: generated by `snakemake paper` "
             + "(study/paper.py); do not edit.",
             r"\begin{tabular}{lrrlrlr}", r"\toprule", header, r"\midrule"]
    for r in rows:
        method = METHOD_NAMES.get(r["method"], r["method"])
        if r["estimate"] != "measured":
            method += r", $1/L \to 0$"
        unconverged = r.get("converged") is False
        flag = r"$^\dagger$" if unconverged or r.get("stationary") is False else ""
        high = r["R_K_ci95_high_m2K_W"]  # None: unbounded (G's interval reaches 0)
        ci = ("none (not converged)" if unconverged else
              f"[{_latex_number(r['R_K_ci95_low_m2K_W'], 1e9)}, "
              f"{_latex_number(math.inf if high is None else high, 1e9)}]")
        lines.append(" & ".join([
            _latex_escape(r["system"]) + flag, _latex_number(r["length_A"], digits=4),
            _latex_number(r["temperature_K"], digits=4), method,
            _latex_number(r["R_K_m2K_W"], 1e9), ci, _latex_number(r.get("G_MW_m2K"))]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}",
              r"% $^\dagger$ not stationary or not converged: run longer."]
    return "\n".join(lines) + "\n"


# -- provenance -----------------------------------------------------------------------

def run_seeds(combined: Sequence[Mapping]) -> list[dict]:
    """Seeds of every run, from the combined records (one entry per replica).

    Each entry: system, temperature_K, method, replica, the run's record file, its seeds,
    and the code version and MPI rank count of the record's first replica (the
    conditions under which rerunning reproduces it bit for bit).
    """
    runs = []
    for rec in sorted(combined, key=lambda r: (r["system"], float(r["temperature_K"]),
                                               r["method"])):
        prov = rec.get("provenance") or {}
        ranks = (prov.get("timing") or {}).get("mpi_ranks")
        for replica, (seeds, path) in enumerate(zip(rec.get("seeds") or [],
                                                    rec.get("replica_files") or [],
                                                    strict=False)):
            runs.append({"system": rec["system"], "temperature_K": float(rec["temperature_K"]),
                         "method": rec["method"], "replica": replica, "record": path,
                         "seeds": seeds, "mpi_ranks": ranks, "code": prov.get("code")})
    return runs


def figure_entries(stems: Sequence[str | Path]) -> list[dict]:
    """Each figure's files (PDF, SVG, PNG), its data file (CSV) and their sha256."""
    entries = []
    for stem in stems:
        stem = Path(stem)
        files = {fmt: stem.with_name(f"{stem.name}.{fmt}") for fmt in (*FIGURE_FORMATS, "csv")}
        entries.append({"figure": str(stem),
                        "files": {fmt: str(files[fmt]) for fmt in FIGURE_FORMATS},
                        "data": str(files["csv"]),
                        "sha256": {fmt: sha256_of(p) for fmt, p in files.items()}})
    return entries


def potentials_used(config: Mapping) -> dict:
    """Registry provenance (files and their sha256, citation) of every potential used."""
    from potentials import PotentialError, get_potential
    from potentials import provenance as potential_provenance

    out = {}
    for name in sorted({s["potential"] for s in config["systems"].values() if s.get("potential")}):
        try:
            out[name] = potential_provenance(get_potential(name))
        except PotentialError as error:
            out[name] = {"name": name, "error": str(error)}
    return out


def provenance(config: Mapping, config_files: Sequence[str], overrides: Mapping,
               combined: Sequence[Mapping], figure_stems: Sequence[str],
               tables: Sequence[str]) -> dict:
    """The study's provenance record (``{results_dir}/provenance.json``).

    Parameters
    ----------
    config : mapping
        The resolved study config (defaults filled, size series expanded).
    config_files : sequence of str
        The config file(s) it was read from; their sha256 is recorded.
    overrides : mapping
        ``--config KEY=VALUE`` overrides given to Snakemake.
    combined : sequence of mapping
        Every combined record of the study (the seeds of each run).
    figure_stems, tables : sequence of str
        The paper figures (paths without suffix) and tables.
    """
    from engine.provenance import provenance_record

    files = [{"path": str(p), "sha256": sha256_of(p) if Path(p).is_file() else None}
             for p in config_files]
    command = "snakemake paper --cores all" + "".join(
        f" --configfile {shlex.quote(str(p))}" for p in config_files)
    return provenance_record(
        study=config.get("study"), reproduce=command, config_files=files,
        config_overrides=dict(overrides), config=dict(config),
        potentials=potentials_used(config), runs=run_seeds(combined),
        figures=figure_entries(figure_stems),
        tables=[{"path": str(p), "sha256": sha256_of(p)} for p in tables])


# -- command line ---------------------------------------------------------------------

def _profile(args) -> None:
    combined = read_json(args.combined) if args.combined else None
    figures.profile_figure([read_json(p) for p in args.nemd], combined, args.out)


def _green_kubo(args) -> None:
    combined = read_json(args.combined) if args.combined else None
    figures.green_kubo_figure([read_json(p) for p in args.emd],
                              [read_columns(p) for p in args.acf], combined, args.out)


def _models(args) -> None:
    md = [r for r in read_csv(args.summary) if r["system"] == args.system]
    figures.models_figure(args.system, read_csv(args.models), md, args.out)


def _size_series(args) -> None:
    lengths = {name: side_length_A(read_json(p)) for name, p in named_paths(args.structure).items()}
    points = []
    for path in args.combined:
        rec = read_json(path)
        points.append({"system": rec["system"], "temperature_K": rec["temperature_K"],
                       "method": rec["method"], "length_A": lengths[rec["system"]],
                       **{k: rec.get(k) for k in ("R_K_m2K_W", "R_K_se_m2K_W", "R_K_ci95_low_m2K_W",
                                                  "R_K_ci95_high_m2K_W", "ci_dof")}})
    figures.size_series_figure(args.series, series_rows(args.series, points), args.out)


def _lateral_series(args) -> None:
    structures = {name: read_json(p) for name, p in named_paths(args.structure).items()}
    rows = lateral_series_rows(args.series, [read_json(p) for p in args.combined], structures)
    figures.lateral_series_figure(args.series, rows, args.out)


def _flux_series(args) -> None:
    fluxes = {name: float(value) for name, value in
              (pair.split("=", 1) for pair in args.flux)}
    rows = flux_series_rows(args.series, [read_json(p) for p in args.combined], fluxes,
                            alpha=args.alpha)
    figures.flux_series_figure(args.series, rows, args.out)


def _flux_table(args) -> None:
    rows = flux_table_rows([r for p in args.series for r in read_csv(p)])
    write_csv(rows, FLUX_TABLE_COLUMNS, f"{args.out}.csv")


def _grain_boundaries(args) -> None:
    figures.grain_boundary_figure(read_csv(args.table), args.out)


def _nemd_vs_emd(args) -> None:
    figures.nemd_vs_emd_figure(args.system, read_csv(args.table), args.out)


def _spectral(args) -> None:
    records = {"spectral": read_json(args.combined), "quantum": read_json(args.quantum),
               "agf": read_json(args.agf)}
    title = f"{records['spectral']['system']} at {records['spectral']['temperature_K']:g} K"
    figures.spectral_figure(records, read_csv(args.table), title, args.out)


def _two_temperature(args) -> None:
    figures.two_temperature_figure(read_json(args.ttm), args.out)


def _table(args) -> None:
    lengths = {}
    for name, path in named_paths(args.structure).items():
        try:
            lengths[name] = side_length_A(read_json(path))
        except KeyError:  # grain boundaries: no whole-cell side lengths
            lengths[name] = None
    series = [r for p in args.series for r in read_csv(p)]
    rows = table_rows([read_json(p) for p in args.combined], lengths, series)
    write_csv(rows, TABLE_COLUMNS, f"{args.out}.csv")
    write_text(f"{args.out}.tex", latex_table(rows, args.study))


def _provenance(args) -> None:
    record = provenance(json.loads(args.config), args.config_files,
                        json.loads(args.overrides), [read_json(p) for p in args.combined],
                        args.figure, args.tables)
    write_json(args.out, record)


def parser() -> argparse.ArgumentParser:
    """The command line (one sub-command per figure, ``table`` and ``provenance``)."""
    main_parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = main_parser.add_subparsers(dest="command", required=True)

    def command(name, func, help_):
        p = sub.add_parser(name, help=help_)
        p.set_defaults(func=func)
        p.add_argument("--out", required=True, type=Path, help="output path without suffix")
        return p

    p = command("profile", _profile, "temperature profiles with fits and the jump")
    p.add_argument("--nemd", nargs="+", required=True, help="nemd.json of each replica")
    p.add_argument("--combined", help="combined.json of the replicas")
    p = command("green-kubo", _green_kubo, "Green-Kubo ACF and running integral")
    p.add_argument("--emd", nargs="+", required=True, help="emd.json of each replica")
    p.add_argument("--acf", nargs="+", required=True, help="acf.csv of each replica (same order)")
    p.add_argument("--combined", help="combined.json of the EMD replicas")
    p = command("models", _models, "R_K(T) by MD and the mismatch models")
    p.add_argument("--system", required=True)
    p.add_argument("--models", required=True, help="the system's R_K_models.csv")
    p.add_argument("--summary", required=True, help="the study's summary.csv")
    p = command("size-series", _size_series, "R_K against 1/L and R_inf")
    p.add_argument("--series", required=True, help="name of the series (its base system)")
    p.add_argument("--combined", nargs="+", required=True, help="combined.json of the members")
    p.add_argument("--structure", nargs="+", required=True, help="NAME=relaxed.json per member")
    p = command("lateral-series", _lateral_series, "R_K against the cross-section area")
    p.add_argument("--series", required=True, help="name of the series (its base system)")
    p.add_argument("--combined", nargs="+", required=True, help="combined.json of the members")
    p.add_argument("--structure", nargs="+", required=True, help="NAME=relaxed.json per member")
    p = command("flux-series", _flux_series, "R_K against J and the linear-response test")
    p.add_argument("--series", required=True, help="name of the series (its base system)")
    p.add_argument("--combined", nargs="+", required=True,
                   help="NEMD combined.json of the members")
    p.add_argument("--flux", nargs="+", required=True, help="NAME=J (W/m^2) per member")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level of the test")
    p = command("flux-table", _flux_table, "linear-response test of every flux series (OUT.csv)")
    p.add_argument("--series", nargs="+", required=True, help="flux-series data files (CSV)")
    p = command("grain-boundaries", _grain_boundaries, "R_K against the boundary energy")
    p.add_argument("--table", required=True, help="figures/grain_boundaries.csv")
    p = command("nemd-vs-emd", _nemd_vs_emd, "G by NEMD and EMD and their ratio")
    p.add_argument("--system", required=True)
    p.add_argument("--table", required=True, help="figures/<system>_nemd_vs_emd.csv")
    p = command("spectral", _spectral, "G(f) from MD, AGF and DMM and the cumulative G")
    p.add_argument("--combined", required=True, help="spectral/combined.json")
    p.add_argument("--quantum", required=True, help="spectral/combined_quantum.json")
    p.add_argument("--agf", required=True, help="spectral/combined_agf.json")
    p.add_argument("--table", required=True, help="spectral/spectral_G.csv")
    p = command("two-temperature", _two_temperature, "two-temperature profiles and fit")
    p.add_argument("--ttm", required=True, help="ttm.json of one replica")
    p = command("table", _table, "summary table (OUT.csv, OUT.tex)")
    p.add_argument("--study", default="")
    p.add_argument("--combined", nargs="+", required=True, help="every combined.json")
    p.add_argument("--structure", nargs="*", default=[], help="NAME=relaxed.json per system")
    p.add_argument("--series", nargs="*", default=[], help="size-series data files (CSV)")
    p = command("provenance", _provenance, "provenance record (OUT is the JSON file)")
    p.add_argument("--config", required=True, help="resolved config as JSON")
    p.add_argument("--config-files", nargs="*", default=[])
    p.add_argument("--overrides", default="{}", help="--config overrides as JSON")
    p.add_argument("--combined", nargs="*", default=[])
    p.add_argument("--figure", nargs="*", default=[], help="figure paths without suffix")
    p.add_argument("--tables", nargs="*", default=[])
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.func(args)
    print(f"{args.command}: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
