"""Shared command line and atomic outputs of the per-run analysis entry points.

``study.analyse_nemd`` and ``study.analyse_emd`` both read ``raw.npz`` + ``run.json``
and write a record (JSON), a table (CSV) and a figure; the record is written last, so a
record on disk always has its table and figure beside it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path

from analysis.io import write_profile_csv
from engine.atomic_io import atomic_path, write_json


def analysis_arguments(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    """``--raw --run --analysis --out-json --out-csv --out-figure`` parsed from ``argv``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--raw", required=True, type=Path, help="raw.npz of one run")
    parser.add_argument("--run", required=True, type=Path, help="run.json (provenance)")
    parser.add_argument("--analysis", default="{}", help="analysis settings as a JSON string")
    parser.add_argument("--out-json", required=True, type=Path)
    parser.add_argument("--out-csv", required=True, type=Path)
    parser.add_argument("--out-figure", required=True, type=Path)
    return parser.parse_args(argv)


def write_analysis_outputs(args: argparse.Namespace, record: Mapping, table: Mapping,
                           plot: Callable[[Path], None]) -> None:
    """Table, figure (``plot(path)``), then the record, each atomically; print the result."""
    with atomic_path(args.out_csv) as tmp:
        write_profile_csv(table, tmp)
    with atomic_path(args.out_figure) as tmp:
        plot(tmp)
    write_json(args.out_json, record)
    print("R_K = {} m2K/W [{}, {}] (95% CI); G = {} MW/m2K [{}, {}]".format(*(
        _number(record.get(k)) for k in ("R_K_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W",
                                         "G_MW_m2K", "G_ci95_low_MW_m2K", "G_ci95_high_MW_m2K"))))
    for warning in record.get("warnings", []):
        print("warning:", warning)


def _number(value) -> str:
    """4 significant digits; None (an unbounded interval end in JSON) -> 'unbounded'."""
    return "unbounded" if value is None else f"{value:.4g}"
