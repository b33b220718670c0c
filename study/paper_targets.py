"""File names of the paper outputs and of the records they are drawn from (for paper.smk).

Pure functions of the resolved config and the results folder, so that the rules in
``workflow/rules/paper.smk`` stay declarative.  Layout under ``{results}/paper/``::

    profiles/{system}_T{T}K      temperature profiles (every system and temperature)
    green_kubo/{system}_T{T}K    Green-Kubo ACF and running integral (studies with EMD)
    nemd_vs_emd/{system}         NEMD against EMD (studies with EMD)
    R_K_vs_T/{system}            R_K(T) with the mismatch models (bonded interfaces)
    size_series/{system}         R_K against 1/L (systems with length_series_A)
    lateral_series/{system}      R_K against the cross-section area (lateral_series_A)
    flux_series/{system}         R_K against J, linear-response test (flux_series_W_m2)
    flux_series.csv              the linear-response test of every flux series
    grain_boundaries             R_K against the boundary energy (grain boundaries)
    summary_table.csv, .tex      every R_K of the study

each figure as ``.pdf``, ``.svg``, ``.png`` and its data as ``.csv``.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

from study.config import (
    emd_replicas,
    series_base,
    spectral_systems,
    system_names,
    system_temperatures,
    ttm_replicas,
    ttm_systems,
)
from study.figures.style import FIGURE_FORMATS
from study.interface_sides import mismatch_not_applicable
from study.paper_series import series_members
from study.paper_sweeps import flux_series_members, lateral_series_members

__all__ = [
    "combined_paths",
    "config_file_paths",
    "figure_files",
    "figure_outputs",
    "figure_stems",
    "flux_table_paths",
    "named_structures",
    "structure_path",
]


def _label(temperature_K: float) -> str:
    """Wildcard form of a temperature (300.0 -> '300'), as in rules/common.smk."""
    return f"{float(temperature_K):g}"


def _own_systems(config: Mapping) -> list[str]:
    """Systems that are not extra members of a size, cross-section or flux series."""
    return [s for s in system_names(config) if not series_base(config["systems"][s])]


def figure_stems(config: Mapping, results: str) -> list[str]:
    """Every paper figure of the study, as paths without suffix."""
    paper = f"{results}/paper"
    systems = system_names(config)
    stems = [f"{paper}/profiles/{s}_T{_label(t)}K"
             for s in systems for t in system_temperatures(config, s)]
    if emd_replicas(config):
        stems += [f"{paper}/green_kubo/{s}_T{_label(t)}K"
                  for s in systems for t in system_temperatures(config, s)]
        stems += [f"{paper}/nemd_vs_emd/{s}" for s in _own_systems(config)]
    stems += [f"{paper}/R_K_vs_T/{s}" for s in _own_systems(config)
              if mismatch_not_applicable(config["systems"][s]) is None]
    stems += [f"{paper}/size_series/{s}" for s in series_members(config)]
    stems += [f"{paper}/lateral_series/{s}" for s in lateral_series_members(config)]
    stems += [f"{paper}/flux_series/{s}" for s in flux_series_members(config)]
    if any(config["systems"][s]["type"] == "grain_boundary" for s in systems):
        stems.append(f"{paper}/grain_boundaries")
    stems += [f"{paper}/spectral/{s}_T{_label(t)}K"
              for s in spectral_systems(config) for t in system_temperatures(config, s)]
    stems += [f"{paper}/two_temperature/{s}_T{_label(t)}K_rep{r}"
              for s in ttm_systems(config) for t in system_temperatures(config, s)
              for r in range(ttm_replicas(config))]
    return stems


def flux_table_paths(config: Mapping, results: str) -> list[str]:
    """``[{results}/paper/flux_series.csv]`` when the study has a flux series, else ``[]``."""
    return [f"{results}/paper/flux_series.csv"] if flux_series_members(config) else []


def figure_files(stems: Sequence[str]) -> list[str]:
    """The files of each figure: PDF, SVG, PNG and the data CSV."""
    return [f"{stem}.{ext}" for stem in stems for ext in (*FIGURE_FORMATS, "csv")]


def figure_outputs(stem: str, caption: str, category: str, subcategory: str | None = None,
                   labels: Mapping | None = None) -> dict:
    """Named outputs of one figure rule; the PNG is flagged for the Snakemake report.

    ``caption`` is a file name in ``workflow/report/`` (resolved relative to the rule
    file, ``workflow/rules/``).
    """
    from snakemake.io import report

    return {"pdf": f"{stem}.pdf", "svg": f"{stem}.svg",
            "png": report(f"{stem}.png", caption=f"../report/{caption}", category=category,
                          subcategory=subcategory, labels=dict(labels) if labels else None),
            "csv": f"{stem}.csv"}


def combined_paths(config: Mapping, results: str, system: str,
                   methods: Sequence[str] | None = None) -> list[str]:
    """``combined.json`` of every temperature and method (NEMD; EMD when run) of a system.

    ``methods`` restricts the methods (e.g. ``["nemd"]``).
    """
    if methods is None:
        methods = ("nemd", "emd") if emd_replicas(config) else ("nemd",)
    return [f"{results}/{system}/T{_label(t)}K/{method}/combined.json"
            for method in methods for t in system_temperatures(config, system)]


def structure_path(results: str, system: str) -> str:
    """The relaxed-structure record of a system."""
    return f"{results}/{system}/structure/relaxed.json"


def named_structures(results: str, systems: Sequence[str]) -> str:
    """``NAME=PATH`` arguments (shell-quoted) of the structure records of ``systems``."""
    return " ".join(shlex.quote(f"{s}={structure_path(results, s)}") for s in systems)


def config_file_paths(paths: Sequence[str | Path], cwd: str | Path) -> list[str]:
    """Config file paths, relative to ``cwd`` when inside it, else absolute."""
    cwd = Path(cwd).absolute()
    out = []
    for path in paths:
        path = Path(path).absolute()
        out.append(str(path.relative_to(cwd)) if path.is_relative_to(cwd) else str(path))
    return out
