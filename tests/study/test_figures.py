"""One drawing per quantity (study.figures): every figure drawn from synthetic records in
both styles, with units on its axes and no legend covering a label (or cut by the edge
of the figure); runs without an interval are open markers without bars and say NOT
CONVERGED; the pipeline entry points and the paper target call the same drawing."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from analysis.io import to_jsonable, write_json, write_profile_csv
from analysis.nemd import PROFILE_COLUMNS, analyse_replica, profile_table
from analysis.synthetic import synthetic_replica
from study import paper_figures
from study.figures import (
    adhesion,
    conductance,
    grain_boundaries,
    green_kubo,
    models,
    nemd_vs_emd,
    profile,
    series,
    spectral,
)
from study.figures import style as fs
from study.paper_series import series_rows
from study.paper_sweeps import flux_series_rows, lateral_series_rows

STYLES = ("quick", "paper")


# -- synthetic records ----------------------------------------------------------------

def nemd_record(seed: int, replica: int = 0, *, converged: bool = True, hot: str = "A") -> dict:
    """An ``nemd.json`` record (analysis of a synthetic replica); a short run with a long
    transient has no steady window long enough: no interval."""
    if converged:
        raw, _ = synthetic_replica(seed=seed, hot_side=hot)
        result = analyse_replica(raw)
    else:
        raw, _ = synthetic_replica(seed=seed, n_samples=100, transient_tau_ps=60.0,
                                   area_A2=40.0)
        result = analyse_replica(raw, {"min_discard_ps": 20.0})
    return {"method": "nemd", "temperature_K": 300.0, "replica": replica,
            **to_jsonable(result)}


@pytest.fixture(scope="module")
def nemd():
    records = [nemd_record(41, 0), nemd_record(42, 1), nemd_record(44, 0, converged=False)]
    assert records[2]["R_K_ci95_low_m2K_W"] is None  # the not-converged case is real
    return records


def emd_record(replica: int, tau_ps: float, *, converged: bool = True) -> tuple[dict, dict]:
    """An ``emd.json`` record and its ``acf.csv`` columns with exponential ACFs."""
    lag = np.arange(0, 8 * tau_ps, 0.25)
    rng = np.random.default_rng(replica)
    g, amp_dT, amp_e = 120.0, 2.0, 3e-3
    record = {
        "method": "green-kubo", "estimator": "delta_T", "replica": replica,
        "temperature_K": 300.0, "tau_ps": tau_ps, "converged": converged,
        "G_MW_m2K": g, "G_ci95_low_MW_m2K": 80.0 if converged else None,
        "G_ci95_high_MW_m2K": 170.0 if converged else None,
        "convergence": {"length_taus": 80.0 if converged else 4.0},
        "estimators": {"delta_T": {"amplitude_K2": amp_dT, "tau_ps": tau_ps},
                       "flux": {"amplitude_eV2": amp_e, "tau_ps": 1.3 * tau_ps,
                                "G_MW_m2K": g}}}
    decay, slow = np.exp(-lag / tau_ps), np.exp(-lag / (1.3 * tau_ps))
    table = {"lag_ps": lag.tolist(),
             "acf_dT_K2": (amp_dT * decay + 0.1 * rng.standard_normal(lag.size)).tolist(),
             "G_running_MW_m2K": (g * slow + 5 * rng.standard_normal(lag.size)).tolist(),
             "acf_energy_eV2": (amp_e * slow + 1e-4 * rng.standard_normal(lag.size)).tolist(),
             "model_acf_dT_K2": (amp_dT * decay).tolist()}
    return record, table


def model_rows() -> list[dict]:
    """``R_K_models.csv`` rows: every model, form, statistics and correction (as strings,
    as read back from the CSV)."""
    rows = []
    for t in np.geomspace(5.0, 1000.0, 12):
        for model, form, g_cl in (("amm", "debye", 6e8), ("dmm", "debye", 4e8),
                                  ("dmm", "full", 3e8), ("radiation", "debye", 9e8),
                                  ("radiation", "full", 7e8)):
            for stats in ("classical", "quantum"):
                for eet, factor in (("False", 1.0), ("True", 1.3)):
                    g = g_cl * factor * (1 if stats == "classical" else (1 - math.exp(-t / 80)))
                    rows.append({"system": "A_B", "temperature_K": str(t), "source": "model",
                                 "model": model, "form": form, "statistics": stats,
                                 "eet_correction": eet, "G_MW_m2K": str(g / 1e6),
                                 "R_K_m2K_W": str(1 / g), "valid": "True"})
    return rows


def md_rows() -> list[dict]:
    """Summary rows: NEMD with intervals (one unbounded above), EMD without (not
    converged)."""
    return [
        {"system": "A_B", "method": "nemd", "temperature_K": 100.0, "R_K_m2K_W": 3e-9,
         "R_K_ci95_low_m2K_W": 2e-9, "R_K_ci95_high_m2K_W": 4e-9, "stationary": True},
        {"system": "A_B", "method": "nemd", "temperature_K": 300.0, "R_K_m2K_W": 2e-9,
         "R_K_ci95_low_m2K_W": -1e-9, "R_K_ci95_high_m2K_W": None, "stationary": True},
        {"system": "A_B", "method": "green-kubo", "temperature_K": 300.0, "R_K_m2K_W": 1.5e-9,
         "R_K_ci95_low_m2K_W": None, "R_K_ci95_high_m2K_W": None, "stationary": False,
         "converged": False},
    ]


def comparison_rows() -> list[dict]:
    from study.compare_methods import comparison_rows as rows_of

    def rec(method, t, g, lo, hi):
        return {"method": method, "temperature_K": t, "G_MW_m2K": g, "G_ci95_low_MW_m2K": lo,
                "G_ci95_high_MW_m2K": hi, "R_K_m2K_W": 1e-6 / g,
                "R_K_ci95_low_m2K_W": 1e-6 / hi if hi else None,
                "R_K_ci95_high_m2K_W": 1e-6 / lo if lo else None}
    nemd = [rec("nemd", 100.0, 300.0, 250.0, 350.0), rec("nemd", 300.0, 400.0, 300.0, 550.0)]
    emd = [rec("green-kubo", 100.0, 250.0, 150.0, 400.0), rec("green-kubo", 300.0, 330.0,
                                                                None, None)]
    models_csv = [{"source": "model", "statistics": "classical", "form": "debye",
                   "model": m, "eet_correction": "True", "eet_ratio": r,
                   "eet_ratio_ci95_low": r - 0.02, "eet_ratio_ci95_high": r + 0.02}
                  for m, r in (("amm", 1.25), ("dmm", 1.41))]
    return rows_of("A_B", nemd, emd, models_csv)


def boundary_rows() -> list[dict]:
    from study.grain_boundary_summary import boundary_rows as rows_of

    structures = {
        name: {"element_a": "Si", "gb_sigma": sigma, "gb_kind": kind, "gb_plane": plane,
               "gb_misorientation_deg": 36.87 if sigma > 1 else 0.0, "gb_energy_J_m2": gamma}
        for name, sigma, kind, plane, gamma in (
            ("S5-tilt", 5, "tilt", [3, 1, 0], 1.03), ("S5-twist", 5, "twist", [0, 0, 1], 1.26),
            ("S1-control", 1, "tilt", [3, 1, 0], 0.0))}

    def rec(system, method, r, lo, hi, kappa=None):
        return {"system": system, "method": method, "temperature_K": 300.0, "R_K_m2K_W": r,
                "R_K_ci95_low_m2K_W": lo, "R_K_ci95_high_m2K_W": hi, "G_MW_m2K": 1e-6 / r,
                "kappa_A_W_mK": kappa}
    return rows_of(structures, [
        rec("S5-tilt", "nemd", 1.1e-9, 0.8e-9, 1.4e-9, 60.0),
        rec("S5-tilt", "green-kubo", 0.9e-9, 0.4e-9, None),
        rec("S5-twist", "nemd", 1.6e-9, 1.2e-9, 2.0e-9, 55.0),
        rec("S5-twist", "green-kubo", 1.3e-9, None, None),
        rec("S1-control", "nemd", 0.05e-9, -0.2e-9, 0.3e-9, 70.0)])


def size_rows() -> list[dict]:
    points = []
    for length, r_k in ((30.0, 5e-9), (45.0, 4.2e-9), (90.0, 3.4e-9)):
        points.append({"system": f"S-L{length:g}", "temperature_K": 300.0, "method": "nemd",
                       "length_A": length, "R_K_m2K_W": r_k, "R_K_se_m2K_W": 2e-10,
                       "R_K_ci95_low_m2K_W": r_k - 5e-10, "R_K_ci95_high_m2K_W": r_k + 5e-10})
        points.append({"system": f"S-L{length:g}", "temperature_K": 300.0,
                       "method": "green-kubo", "length_A": length, "R_K_m2K_W": 0.5 * r_k})
    return series_rows("S", points)


def sweep_record(system, r_k, half, temperature=300.0):
    low, high = (None, None) if half is None else (r_k - half, r_k + half)
    return {"system": system, "method": "nemd", "temperature_K": temperature,
            "R_K_m2K_W": r_k, "R_K_ci95_low_m2K_W": low, "R_K_ci95_high_m2K_W": high}


def lateral_rows() -> list[dict]:
    structures = {"S": {"lateral_A": 10.86, "area_A2": 117.9, "lateral_cell": "conventional"},
                  "S-W15": {"lateral_A": 15.36, "area_A2": 235.9, "lateral_cell": "rotated_45"},
                  "S-W22": {"lateral_A": 23.04, "area_A2": 530.8, "lateral_cell": "rotated_45"}}
    return lateral_series_rows("S", [sweep_record("S", 5e-9, 1e-9),
                                     sweep_record("S-W15", 5.8e-9, None),
                                     sweep_record("S-W22", 6e-9, 0.4e-9)], structures)


def adhesion_rows() -> list[dict]:
    rows = []
    for system, w_ad, r_k, half in (("S", 1.70, 3.3e-9, 1.5e-9), ("S-R2", 1.45, 3.9e-9, None),
                                    ("S-R3", 1.17, 4.6e-9, 2.0e-9)):
        rows.append({**sweep_record(system, r_k, half), "work_of_adhesion_J_m2": w_ad})
        rows.append({**sweep_record(system, 0.8 * r_k, None), "method": "green-kubo",
                     "work_of_adhesion_J_m2": w_ad})  # not drawn: NEMD only
    return rows


def flux_rows() -> list[dict]:
    fluxes = {"S-J5e9": 5e9, "S": 1e10, "S-J2e10": 2e10}
    return flux_series_rows("S", [sweep_record("S", 6.0e-9, 0.3e-9),
                                  sweep_record("S-J5e9", 6.1e-9, 0.5e-9),
                                  sweep_record("S-J2e10", 5.9e-9, None)], fluxes)


def spectral_records(*, dmm: bool = True) -> tuple[dict, dict, dict]:
    """Combined spectral, spectral-quantum and agf records (study.analyse_spectral) of a
    two-band interface: a noisy MD G(f) with its band, a smooth AGF and a DMM curve."""
    rng = np.random.default_rng(3)
    f = np.arange(129) / 128 * 10.0  # THz, 50 fs sampling
    shape = np.where(f < 2.2, np.sin(np.pi * f / 2.2) ** 2, 0.0)
    g = 8e7 * shape + 4e6 * rng.standard_normal(f.size) * (f < 3)  # W m^-2 K^-1 THz^-1
    half = 1.5e7 * (f < 3)
    delta_f = float(f[1])
    total = float(g.sum() * delta_f * 1e-6)
    record = {"method": "spectral", "temperature_K": 15.0, "G_MW_m2K": total,
              "G_ci95_low_MW_m2K": 0.9 * total, "G_ci95_high_MW_m2K": 1.1 * total,
              "sum_rule": {"ratio": 0.81},
              "spectrum": {"frequency_THz": f.tolist(), "G_W_m2K_THz": g.tolist(),
                           "ci95_low_W_m2K_THz": (g - half).tolist(),
                           "ci95_high_W_m2K_THz": (g + half).tolist(), "delta_f_THz": delta_f},
              "agf_density_W_m2K_THz": (1.1e8 * np.where(f < 2.0, (f / 2.0) ** 2, 0.0)).tolist(),
              "dmm_density_W_m2K_THz": (9e7 * shape ** 0.5).tolist() if dmm else None}
    quantum = {"method": "spectral-quantum", "temperature_K": 15.0, "G_MW_m2K": 0.6 * total,
               "G_ci95_low_MW_m2K": 0.5 * total, "G_ci95_high_MW_m2K": 0.7 * total}
    agf = {"method": "agf", "temperature_K": 15.0, "G_MW_m2K": 1.2 * total,
           "G_plain_MW_m2K": 0.8 * total, "G_ci95_low_MW_m2K": None,
           "G_ci95_high_MW_m2K": None}
    return record, quantum, agf


# -- every figure in both styles ------------------------------------------------------

def _draw(name: str, kind: str, nemd_records: list[dict]):
    """Figure ``name`` in style ``kind`` (inside the style context)."""
    if name == "profile":
        return profile.figure(nemd_records[:2], style=kind)[0]
    if name == "profile-not-converged":
        return profile.figure(nemd_records[2:], style=kind)[0]
    if name == "green_kubo":
        pairs = [emd_record(0, 2.0), emd_record(1, 2.5)]
        return green_kubo.figure([p[0] for p in pairs], [p[1] for p in pairs], style=kind)[0]
    if name == "green_kubo-not-converged":
        rec, table = emd_record(0, 2.0, converged=False)
        return green_kubo.figure([rec], [table], style=kind)[0]
    if name == "conductance":
        return conductance.figure(md_rows(), "test", style=kind)
    if name == "models":
        return models.figure("A_B", model_rows(), md_rows(), style=kind)[0]
    if name == "nemd_vs_emd":
        return nemd_vs_emd.figure("A_B", comparison_rows(), style=kind)[0]
    if name == "grain_boundaries":
        return grain_boundaries.figure(boundary_rows(), style=kind)[0]
    if name == "adhesion":
        return adhesion.figure(adhesion_rows(), "test", style=kind)
    if name in ("spectral", "spectral-no-dmm"):
        return spectral.figure(*spectral_records(dmm=name == "spectral"), "A_B at 15 K",
                               style=kind)
    rows = {"size": size_rows, "lateral": lateral_rows, "flux": flux_rows}[name]()
    return series.figure(name, "S", rows, style=kind)


FIGURES = ["profile", "profile-not-converged", "green_kubo", "green_kubo-not-converged",
           "conductance", "models", "nemd_vs_emd", "grain_boundaries", "size", "lateral",
           "flux", "adhesion", "spectral", "spectral-no-dmm"]


@pytest.mark.parametrize("kind", STYLES)
@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_draws_in_both_styles_without_overlaps(name, kind, nemd, tmp_path):
    with fs.style(kind):
        fig = _draw(name, kind, nemd)
        fs.check_axis_units(fig)
        assert fs.overlaps(fig) == []
        path = fs.save_quick(fig, tmp_path / f"{name}.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_the_styles_differ_in_size():
    with fs.style("paper"):
        paper, _ = fs.new_figure("column", kind="paper")
    with fs.style("quick"):
        quick, _ = fs.new_figure("column", kind="quick")
    assert paper.get_size_inches()[0] == pytest.approx(fs.COLUMN_WIDTH_IN)
    assert quick.get_size_inches()[0] > paper.get_size_inches()[0]
    with pytest.raises(ValueError, match="style"):
        fs.new_figure(kind="poster")


def test_overlaps_finds_a_legend_on_a_label_and_one_off_the_figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with fs.style("paper"):
        fig = Figure(figsize=(3.4, 2.5))  # no layout engine: the legend stays put
        FigureCanvasAgg(fig)
        fig.subplots_adjust(left=0.2, bottom=0.2)
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], label="entry")
        ax.set_xlabel("x (m)")
        ax.set_ylabel("y (m)")
        ax.legend(loc="upper left", bbox_to_anchor=(0.3, -0.02))  # on the x axis
        assert ("legend 'entry'", "x (m)") in fs.overlaps(fig)
        ax.legend(loc="upper left", bbox_to_anchor=(0.3, 0.9))  # inside, clear
        assert fs.overlaps(fig) == []
        ax.legend(loc="upper left", bbox_to_anchor=(0.95, 0.9))  # cut by the edge
        assert fs.overlaps(fig) == [("figure edge", "legend 'entry'")]


# -- what the marks say ---------------------------------------------------------------

def _texts(fig) -> str:
    fig.canvas.draw()
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_title(), *(t.get_text() for t in ax.texts)]
    for lg in [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]:
        out += [t.get_text() for t in lg.get_texts()]
    return "\n".join(out)


def _open_markers(ax) -> list:
    return [ln for ln in ax.lines if ln.get_markerfacecolor() == "white"
            and ln.get_linestyle() == "None"]


@pytest.mark.parametrize("kind", STYLES)
def test_a_profile_without_interval_says_not_converged(nemd, kind):
    with fs.style(kind):
        text = _texts(profile.figure(nemd[2:], style=kind)[0])
        converged = _texts(profile.figure(nemd[:1], style=kind)[0])
    assert "NOT CONVERGED" in text and "[" not in text.split("R_K")[-1]
    assert "NOT CONVERGED" not in converged and "95 % CI" in converged


def test_profile_refuses_an_empty_profile(nemd):
    record = json.loads(json.dumps(nemd[0]))
    record["profile"]["T_mean_K"] = [None] * len(record["profile"]["T_mean_K"])
    with fs.style("quick"), pytest.raises(ValueError, match="no finite"):
        profile.figure([record], style="quick")


@pytest.mark.parametrize("kind", STYLES)
def test_green_kubo_says_not_converged_and_has_three_panels_in_quick(kind):
    rec, table = emd_record(0, 2.0, converged=False)
    with fs.style(kind):
        fig, _ = green_kubo.figure([rec], [table], style=kind)
        assert "NOT CONVERGED" in _texts(fig)
    assert len(fig.axes) == (3 if kind == "quick" else 2)


def test_interval_points_bars_carets_and_open_markers():
    with fs.style("paper"):
        _, ax = fs.new_figure("column")
        fs.interval_points(ax, [1, 2, 3, 4], [1.0, 2.0, 3.0, 4.0],
                           [0.5, 1.5, np.nan, -1.0], [1.5, np.nan, np.nan, 5.0], "o", "k",
                           "pts", log=True)
    (container,) = ax.containers
    assert list(container.lines[0].get_xdata()) == [1, 2, 4]  # bars: not the third point
    (open_,) = _open_markers(ax)
    assert list(open_.get_xdata()) == [3] and "not converged" in open_.get_label()
    carets = {ln.get_marker(): list(ln.get_xdata()) for ln in ax.lines
              if ln.get_marker() in ("^", "v")}
    assert carets == {"^": [2], "v": [4]}  # unbounded above; cut by the log axis below


@pytest.mark.parametrize("kind", STYLES)
def test_nemd_vs_emd_shows_an_unconverged_emd_as_an_open_marker(kind):
    with fs.style(kind):
        fig, _ = nemd_vs_emd.figure("A_B", comparison_rows(), style=kind)
    ax_g, ax_ratio = fig.axes
    (emd_open,) = _open_markers(ax_g)
    assert list(emd_open.get_ydata()) == [330.0]
    assert len(_open_markers(ax_ratio)) == 1  # its ratio has no interval either
    assert "1.25 [1.23, 1.27]" in _texts(fig)


def test_models_quick_look_has_every_curve_and_the_paper_its_selection():
    with fs.style("quick"):
        quick, quick_rows = models.figure("A_B", model_rows(), md_rows(), style="quick")
    with fs.style("paper"):
        _, paper_rows = models.figure("A_B", model_rows(), md_rows(), style="paper")
    curves = {(r["model"], r["form"], r["statistics"], r["eet_correction"])
              for r in quick_rows if r["kind"] == "model"}
    assert len(curves) == 20
    assert {(r["model"], r["form"], r["statistics"], r["eet_correction"])
            for r in paper_rows if r["kind"] == "model"} == {
        (m, f, s, e) for m, f in (("amm", "debye"), ("dmm", "full"))
        for (s, e) in models.MODEL_CURVES}
    assert [ax.get_title() for ax in quick.axes] == ["uncorrected",
                                                     "EET-corrected (Zeng & Chen 2001)"]


# -- one drawing for the pipeline and the paper ----------------------------------------

def _count_calls(monkeypatch, module, name="draw"):
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(kwargs.get("style"))
        return original(*args, **kwargs)
    monkeypatch.setattr(module, name, counted)
    return calls


def test_profile_pipeline_and_paper_use_the_same_drawing(nemd, tmp_path, monkeypatch):
    from study import analyse_nemd

    calls = _count_calls(monkeypatch, profile)
    analyse_nemd.plot(nemd[0], tmp_path / "profile.png")
    files = paper_figures.profile_figure(nemd[:2], None, tmp_path / "paper" / "profile")
    assert calls == ["quick", "paper"]
    assert (tmp_path / "profile.png").stat().st_size > 10_000
    data = list(csv.DictReader(files["csv"].open()))
    assert len(data) == len(profile.profile_rows(nemd[:2]))


def test_green_kubo_pipeline_and_paper_use_the_same_drawing(tmp_path, monkeypatch):
    from study import analyse_emd

    calls = _count_calls(monkeypatch, green_kubo)
    rec, table = emd_record(0, 2.0)
    display = {k: np.asarray(v) for k, v in table.items()} | {"dt_ps": 0.25}
    analyse_emd.plot(rec, {"display": display}, tmp_path / "emd.png")
    paper_figures.green_kubo_figure([rec], [table], None, tmp_path / "gk")
    assert calls == ["quick", "paper"]


def test_comparison_pipeline_and_paper_use_the_same_drawing(tmp_path, monkeypatch):
    from study import compare_methods

    calls = _count_calls(monkeypatch, nemd_vs_emd)
    paths = {}
    for method in ("nemd", "emd"):
        rec = {"method": method, "temperature_K": 300.0, "G_MW_m2K": 300.0,
               "G_ci95_low_MW_m2K": 200.0, "G_ci95_high_MW_m2K": 400.0,
               "R_K_m2K_W": 1 / 3e8, "R_K_ci95_low_m2K_W": 1 / 4e8,
               "R_K_ci95_high_m2K_W": 1 / 2e8}
        paths[method] = tmp_path / f"{method}.json"
        write_json(rec, paths[method])
    assert compare_methods.main(["--system", "A_B", "--nemd", str(paths["nemd"]), "--emd",
                                 str(paths["emd"]), "--out-figure", str(tmp_path / "c.png"),
                                 "--out-csv", str(tmp_path / "c.csv")]) == 0
    with open(tmp_path / "c.csv", newline="") as handle:
        paper_figures.nemd_vs_emd_figure("A_B", list(csv.DictReader(handle)), tmp_path / "p")
    assert calls == ["quick", "paper"]


def test_grain_boundary_pipeline_and_paper_use_the_same_drawing(tmp_path, monkeypatch):
    from study.grain_boundary_summary import COLUMNS

    calls = _count_calls(monkeypatch, grain_boundaries)
    rows = boundary_rows()
    with fs.style("quick"):
        fs.save_quick(grain_boundaries.figure(rows, style="quick")[0], tmp_path / "gb.png")
    files = paper_figures.grain_boundary_figure(
        [{k: "" if r.get(k) is None else str(r[k]) for k in COLUMNS} for r in rows],
        tmp_path / "gb")
    assert calls == ["quick", "paper"]
    assert [r["system"] for r in csv.DictReader(files["csv"].open())] == [
        r["system"] for r in rows]


def test_summary_pipeline_figure(tmp_path, monkeypatch):
    from study.summarise import plot_summary

    calls = _count_calls(monkeypatch, conductance)
    plot_summary(md_rows(), tmp_path / "R_K_vs_T.png", "test")
    assert calls == ["quick"] and (tmp_path / "R_K_vs_T.png").stat().st_size > 10_000


# -- the profile's data files beside the figure -----------------------------------------

def test_profile_csv_and_record_json_writers(tmp_path):
    raw, _ = synthetic_replica(seed=43)
    res = analyse_replica(raw)
    path = write_profile_csv(profile_table(res), tmp_path / "profile.csv")
    rows = list(csv.DictReader(path.open()))
    assert tuple(rows[0]) == PROFILE_COLUMNS and len(rows) == len(raw["z_A"])
    assert rows[0]["T_mean_K"] == ""  # empty fixed-layer bin
    loaded = json.loads(write_json(res, tmp_path / "r.json").read_text())
    assert loaded["R_K_m2K_W"] == pytest.approx(res["R_K_m2K_W"])


def test_a_deterministic_method_is_not_drawn_as_unconverged():
    """The AGF row has no interval because it has no sampling error, not because it did
    not converge: a filled marker saying so."""
    rows = [{"system": "S", "method": "agf", "temperature_K": 300.0, "R_K_m2K_W": 2e-9,
             "R_K_ci95_low_m2K_W": None, "R_K_ci95_high_m2K_W": None}]
    with fs.style("quick"):
        fig = conductance.figure(rows, "test", style="quick")
        labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert any("deterministic" in label for label in labels), labels
    assert not any("NOT CONVERGED" in label for label in labels), labels
