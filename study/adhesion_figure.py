"""Entry point: R_K against the work of adhesion (results/figures/R_K_vs_W_ad.png).

Reads ``summary.csv`` (its ``work_of_adhesion_J_m2`` column, filled for systems built with
``registry_search``) and draws :mod:`study.figures.adhesion`.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from study.figures import adhesion
from study.figures import style as fs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--study", default="kapitza")
    parser.add_argument("--summary", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    with open(args.summary, newline="") as handle:
        rows = list(csv.DictReader(handle))
    with fs.style("quick"):
        fs.save_quick(adhesion.figure(rows, args.study, style="quick"), args.out)
    for row in adhesion.adhesion_rows(rows):
        print(f"{row['system']:>12} {row['temperature_K']:>7} K: W_ad = "
              f"{float(row['work_of_adhesion_J_m2']):.3f} J/m2, R_K = "
              f"{float(row['R_K_m2K_W']):.3e} m2K/W")
    return 0


if __name__ == "__main__":
    sys.exit(main())
