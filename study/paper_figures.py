"""The paper figures: each drawn by :mod:`study.figures` in the paper style and written
with its data.

Every function takes already-read records (dicts from the JSON files, rows from the CSV
files), draws one figure with the same function the pipeline's quick-look figure uses
(``style="paper"``) and writes ``STEM.pdf``, ``STEM.svg``, ``STEM.png`` and the plotted
numbers in ``STEM.csv`` (:func:`study.figures.style.write_figure`).  Reading the files is
left to :mod:`study.paper`, so these functions can be tested on records in memory.
Numbers keep SI units in the CSV files (units in the column names); axes show convenient
multiples (10⁻⁹ m²K/W, MW m⁻² K⁻¹, nm⁻¹).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from study.figures import (
    grain_boundaries,
    green_kubo,
    models,
    nemd_vs_emd,
    profile,
    series,
    spectral,
    two_temperature,
)
from study.figures import style as ps
from study.figures.grain_boundaries import GRAIN_BOUNDARY_COLUMNS
from study.figures.green_kubo import GREEN_KUBO_COLUMNS, green_kubo_rows
from study.figures.models import MODEL_COLUMNS, MODEL_CURVES, models_rows
from study.figures.nemd_vs_emd import COMPARISON_COLUMNS
from study.figures.profile import PROFILE_COLUMNS, profile_rows
from study.figures.style import number
from study.paper_series import SERIES_COLUMNS
from study.paper_sweeps import FLUX_COLUMNS, LATERAL_COLUMNS

__all__ = [
    "COMPARISON_COLUMNS",
    "GRAIN_BOUNDARY_COLUMNS",
    "GREEN_KUBO_COLUMNS",
    "MODEL_COLUMNS",
    "MODEL_CURVES",
    "PROFILE_COLUMNS",
    "flux_series_figure",
    "grain_boundary_figure",
    "green_kubo_figure",
    "green_kubo_rows",
    "lateral_series_figure",
    "models_figure",
    "models_rows",
    "nemd_vs_emd_figure",
    "number",
    "profile_figure",
    "profile_rows",
    "size_series_figure",
    "spectral_figure",
    "two_temperature_figure",
]


def _finish(fig, stem, rows, columns) -> dict[str, Path]:
    return ps.write_figure(fig, stem, rows, columns)


def profile_figure(replicas: Sequence[Mapping], combined: Mapping | None,
                   stem: str | Path) -> dict[str, Path]:
    """Temperature profiles of the replicas, the fits and the jump
    (:func:`study.figures.profile.draw`); ``combined`` supplies the printed R_K."""
    with ps.style("paper"):
        fig, rows = profile.figure(replicas, combined, style="paper")
        return _finish(fig, stem, rows, PROFILE_COLUMNS)


def green_kubo_figure(records: Sequence[Mapping], tables: Sequence[Mapping],
                      combined: Mapping | None, stem: str | Path) -> dict[str, Path]:
    """ΔT autocorrelation and running Green-Kubo G(t) of the EMD replicas
    (:func:`study.figures.green_kubo.draw`); ``tables`` are their ``acf.csv`` columns."""
    with ps.style("paper"):
        fig, rows = green_kubo.figure(records, tables, combined, style="paper")
        return _finish(fig, stem, rows, GREEN_KUBO_COLUMNS)


def models_figure(system: str, model_rows: Sequence[Mapping], md_rows: Sequence[Mapping],
                  stem: str | Path) -> dict[str, Path]:
    """R_K(T) by MD beside the AMM and DMM (:func:`study.figures.models.draw`) from the
    rows of ``R_K_models.csv`` and of ``summary.csv`` for ``system``."""
    with ps.style("paper"):
        fig, rows = models.figure(system, model_rows, md_rows, style="paper")
        return _finish(fig, stem, rows, MODEL_COLUMNS)


def size_series_figure(series_name: str, rows: Sequence[Mapping],
                       stem: str | Path) -> dict[str, Path]:
    """R_K against 1/L and R_∞ (:func:`study.figures.series.draw_size`) from
    :func:`study.paper_series.series_rows`."""
    with ps.style("paper"):
        return _finish(series.figure("size", series_name, rows, style="paper"), stem, rows,
                       SERIES_COLUMNS)


def lateral_series_figure(series_name: str, rows: Sequence[Mapping],
                          stem: str | Path) -> dict[str, Path]:
    """R_K against the cross-section area (:func:`study.figures.series.draw_lateral`) from
    :func:`study.paper_sweeps.lateral_series_rows`."""
    with ps.style("paper"):
        return _finish(series.figure("lateral", series_name, rows, style="paper"), stem,
                       rows, LATERAL_COLUMNS)


def flux_series_figure(series_name: str, rows: Sequence[Mapping],
                       stem: str | Path) -> dict[str, Path]:
    """R_K against the imposed flux and the linear-response test
    (:func:`study.figures.series.draw_flux`) from
    :func:`study.paper_sweeps.flux_series_rows`."""
    with ps.style("paper"):
        return _finish(series.figure("flux", series_name, rows, style="paper"), stem, rows,
                       FLUX_COLUMNS)


def grain_boundary_figure(rows: Sequence[Mapping], stem: str | Path) -> dict[str, Path]:
    """R_K of every grain boundary against its energy
    (:func:`study.figures.grain_boundaries.draw`) from ``figures/grain_boundaries.csv``."""
    with ps.style("paper"):
        fig, data = grain_boundaries.figure(rows, style="paper")
        return _finish(fig, stem, data, GRAIN_BOUNDARY_COLUMNS)


def nemd_vs_emd_figure(system: str, rows: Sequence[Mapping],
                       stem: str | Path) -> dict[str, Path]:
    """G by NEMD and EMD and their ratio (:func:`study.figures.nemd_vs_emd.draw`) from
    ``figures/SYSTEM_nemd_vs_emd.csv``."""
    with ps.style("paper"):
        fig, data = nemd_vs_emd.figure(system, rows, style="paper")
        return _finish(fig, stem, data, COMPARISON_COLUMNS)


def spectral_figure(records: Mapping[str, Mapping], rows: Sequence[Mapping], title: str,
                    stem: str | Path) -> dict[str, Path]:
    """G(f) from MD with its band, the AGF and the DMM spectra and the cumulative G
    (:func:`study.figures.spectral.draw`) from the three combined spectral records
    (``records``: ``spectral``, ``quantum``, ``agf``) and ``spectral_G.csv`` (``rows``,
    written as the figure's data)."""
    columns = list(rows[0]) if rows else []
    with ps.style("paper"):
        fig = spectral.figure(records["spectral"], records["quantum"], records["agf"], title,
                              style="paper")
        return _finish(fig, stem, rows, columns)


def two_temperature_figure(record: Mapping, stem: str | Path) -> dict[str, Path]:
    """Lattice and electron temperature profiles of a two-temperature NEMD run with the
    fitted model and R_pp, R_ep, R_total (:func:`study.figures.two_temperature.draw`)
    from its ``ttm.json``."""
    with ps.style("paper"):
        fig = two_temperature.figure(record, f"{record['metal']} side: two-temperature NEMD",
                                     style="paper")
        return _finish(fig, stem, two_temperature.ttm_rows(record),
                       two_temperature.TTM_COLUMNS)
