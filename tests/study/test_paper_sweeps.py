"""Paper outputs of the cross-section and flux series, drawn from synthetic records:
rows, figures (open markers for runs without an interval), the flux table and the
command line."""

from __future__ import annotations

import csv
import json

import pytest

from study.paper import main
from study.paper_figures import flux_series_figure, lateral_series_figure
from study.paper_sweeps import (
    FLUX_TABLE_COLUMNS,
    flux_series_rows,
    flux_table_rows,
    lateral_series_rows,
)


def record(system, r_k, half, method="nemd", temperature=300.0):
    low, high = (None, None) if half is None else (r_k - half, r_k + half)
    return {"system": system, "method": method, "temperature_K": temperature,
            "R_K_m2K_W": r_k, "R_K_ci95_low_m2K_W": low, "R_K_ci95_high_m2K_W": high}


STRUCTURES = {
    "SiCu": {"lateral_A": 10.86, "area_A2": 117.9, "lateral_cell": "conventional",
             "n_lateral_a": 2, "n_lateral_b": 3},
    "SiCu-W15": {"lateral_A": 15.36, "area_A2": 235.9, "lateral_cell": "rotated_45",
                 "n_lateral_a": 4, "n_lateral_b": 6},
    "SiCu-W22": {"lateral_A": 23.04, "area_A2": 530.8, "lateral_cell": "rotated_45",
                 "n_lateral_a": 6, "n_lateral_b": 9},
}
LATERAL = [record("SiCu-W22", 6.0e-9, 0.4e-9), record("SiCu", 5.0e-9, 1.0e-9),
           record("SiCu-W15", 5.8e-9, None)]          # W15 did not converge: no interval
FLUXES = {"SiCu-J5e9": 5e9, "SiCu": 1e10, "SiCu-J2e10": 2e10}
FLUX = [record("SiCu", 6.0e-9, 0.3e-9), record("SiCu-J5e9", 6.1e-9, 0.5e-9),
        record("SiCu-J2e10", 5.9e-9, 0.3e-9), record("SiCu", 4.0e-9, 1.0e-9, "green-kubo")]


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_lateral_rows_sorted_by_area_with_interval_flags():
    rows = lateral_series_rows("SiCu", LATERAL, STRUCTURES)
    assert [r["system"] for r in rows] == ["SiCu", "SiCu-W15", "SiCu-W22"]
    assert [r["has_interval"] for r in rows] == [True, False, True]
    assert rows[1]["lateral_cell"] == "rotated_45" and rows[1]["area_A2"] == 235.9


def test_flux_rows_test_only_the_nemd_records():
    rows = flux_series_rows("SiCu", FLUX, FLUXES)
    points = [r for r in rows if r["kind"] == "point"]
    assert [r["flux_W_m2"] for r in points] == [5e9, 1e10, 2e10]
    (test,) = [r for r in rows if r["kind"] == "test"]
    assert test["verdict"] == "independent" and test["n_used"] == 3
    assert len([r for r in rows if r["kind"] == "fit"]) == 20
    dependent = flux_series_rows("SiCu", [record("SiCu-J5e9", 4.0e-9, 0.1e-9),
                                          record("SiCu", 5.0e-9, 0.1e-9),
                                          record("SiCu-J2e10", 7.0e-9, 0.1e-9)], FLUXES)
    (test,) = [r for r in dependent if r["kind"] == "test"]
    assert test["verdict"] == "depends_on_J" and test["p_value"] < 1e-6
    assert flux_table_rows(dependent)[0]["verdict"] == "depends_on_J"


def test_figures_are_written_with_their_data(tmp_path):
    lateral = lateral_series_figure("SiCu", lateral_series_rows("SiCu", LATERAL, STRUCTURES),
                                    tmp_path / "lateral")
    flux = flux_series_figure("SiCu", flux_series_rows("SiCu", FLUX, FLUXES), tmp_path / "flux")
    for files in (lateral, flux):
        assert set(files) == {"pdf", "svg", "png", "csv"}
        assert all(p.stat().st_size > 0 for p in files.values())
    rows = read_csv(lateral["csv"])
    assert [r["has_interval"] for r in rows] == ["True", "False", "True"]
    assert rows[1]["R_K_ci95_low_m2K_W"] == ""


def test_open_marker_without_bars_for_a_run_without_interval(monkeypatch):
    """The point without an interval is drawn as a lone open marker (no error bar)."""
    from matplotlib import pyplot as plt

    from study import paper_figures

    captured = {}
    monkeypatch.setattr(paper_figures, "_finish",
                        lambda fig, stem, rows, columns: captured.setdefault("fig", fig))
    lateral_series_figure("SiCu", lateral_series_rows("SiCu", LATERAL, STRUCTURES), "unused")
    ax = captured["fig"].axes[0]
    open_markers = [ln for ln in ax.lines if ln.get_markerfacecolor() == "white"]
    assert len(open_markers) == 1
    x, y = open_markers[0].get_data()
    assert list(x) == [pytest.approx(2.359)] and list(y) == [pytest.approx(5.8)]
    assert len(ax.containers) == 1 and len(ax.containers[0].lines[0].get_xdata()) == 2
    plt.close(captured["fig"])


def test_command_line_writes_figures_and_the_flux_table(tmp_path):
    paths = []
    for rec in FLUX:
        path = tmp_path / f"{rec['system']}_{rec['method']}.json"
        path.write_text(json.dumps(rec))
        paths.append(str(path))
    out = tmp_path / "flux_series" / "SiCu"
    assert main(["flux-series", "--series", "SiCu", "--combined", *paths, "--flux",
                 *(f"{k}={v!r}" for k, v in FLUXES.items()), "--out", str(out)]) == 0
    assert main(["flux-table", "--series", f"{out}.csv", "--out",
                 str(tmp_path / "flux_series")]) == 0
    (row,) = read_csv(tmp_path / "flux_series.csv")
    assert list(row) == FLUX_TABLE_COLUMNS and row["verdict"] == "independent"
    structures = []
    for name, info in STRUCTURES.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(info))
        structures.append(f"{name}={path}")
    lateral = []
    for rec in LATERAL:
        path = tmp_path / f"lat_{rec['system']}.json"
        path.write_text(json.dumps(rec))
        lateral.append(str(path))
    assert main(["lateral-series", "--series", "SiCu", "--combined", *lateral,
                 "--structure", *structures, "--out", str(tmp_path / "lateral")]) == 0
    assert (tmp_path / "lateral.png").stat().st_size > 0
