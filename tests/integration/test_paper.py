"""Reproducible paper figures: the 1/L extrapolation, the figure writer, the size-series
config, bit-for-bit reruns of a real NEMD run, and `snakemake paper` + `--report` end to end
on a tiny real Lennard-Jones study with a size series and Green-Kubo runs."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import subprocess
import time

import numpy as np
import pytest
import yaml

from analysis.size_series import inverse_length_fit, record_standard_error
from study.config import ConfigError, load_config, run_seeds, validate_config
from study.figures.style import check_axis_units, new_figure, style, write_figure
from study.paper import latex_table, table_rows
from study.paper_series import series_members, series_rows
from tests.conftest import PYTHON, REPO, SNAKEMAKE, clean_env, run, write_config

# -- the 1/L fit ----------------------------------------------------------------------

R_INF = 2.0e-9        # m²K/W
SLOPE = 6.0e-8        # m²K/W·Å: R_K(40 Å) = 3.5e-9
LENGTHS_A = np.array([30.0, 40.0, 60.0, 80.0, 120.0])


def wls_reference(x, y, sigma):
    """Weighted least squares from the normal equations: parameters and the covariance
    s² (AᵀWA)⁻¹ with s² the weighted residual sum of squares / (n − 2)."""
    a = np.column_stack([np.ones_like(x), x]) / sigma[:, None]
    b = y / sigma
    params, *_ = np.linalg.lstsq(a, b, rcond=None)
    s2 = np.sum((b - a @ params) ** 2) / (x.size - 2)
    return params, s2 * np.linalg.inv(a.T @ a)


def test_inverse_length_fit_recovers_an_exact_line():
    r_k = R_INF + SLOPE / LENGTHS_A
    fit = inverse_length_fit(LENGTHS_A, r_k, np.full(LENGTHS_A.size, 1e-10))
    assert fit["R_inf_m2K_W"] == pytest.approx(R_INF, rel=1e-10)
    assert fit["slope_m2K_W_A"] == pytest.approx(SLOPE, rel=1e-10)
    assert fit["dof"] == 3 and fit["n_lengths"] == 5
    assert fit["R_inf_ci95_high_m2K_W"] - fit["R_inf_ci95_low_m2K_W"] < 1e-6 * R_INF


def test_inverse_length_fit_matches_the_normal_equations():
    rng = np.random.default_rng(1)
    sigma = np.array([3.0, 2.0, 1.5, 1.0, 0.8]) * 1e-10
    r_k = R_INF + SLOPE / LENGTHS_A + rng.normal(0, sigma)
    fit = inverse_length_fit(LENGTHS_A, r_k, sigma)
    params, cov = wls_reference(1 / LENGTHS_A, r_k, sigma)
    assert fit["R_inf_m2K_W"] == pytest.approx(params[0], rel=1e-9)
    assert fit["slope_m2K_W_A"] == pytest.approx(params[1], rel=1e-9)
    assert fit["R_inf_se_m2K_W"] == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-9)
    half = 3.182446305284263 * math.sqrt(cov[0, 0])  # t_{0.975, 3}
    assert fit["R_inf_ci95_low_m2K_W"] == pytest.approx(params[0] - half, rel=1e-9)
    assert fit["R_inf_ci95_high_m2K_W"] == pytest.approx(params[0] + half, rel=1e-9)


@pytest.mark.parametrize("lengths", [LENGTHS_A[:3], LENGTHS_A])
def test_inverse_length_interval_covers_the_true_value_95_percent_of_the_time(lengths):
    """Synthetic size series with Gaussian noise: the t interval on n − 2 dof holds the
    true R_∞ in 95 % of repetitions (±3 binomial standard errors), also for 3 lengths."""
    rng = np.random.default_rng(20261129)
    sigma = 4e-10 * np.sqrt(lengths / lengths[0])  # unequal errors: weights matter
    trials, hits, widths = 2000, 0, []
    for _ in range(trials):
        r_k = R_INF + SLOPE / lengths + rng.normal(0, sigma)
        # the fit is given the relative errors only, the scatter sets the scale
        fit = inverse_length_fit(lengths, r_k, 7.0 * sigma)
        hits += fit["R_inf_ci95_low_m2K_W"] <= R_INF <= fit["R_inf_ci95_high_m2K_W"]
        widths.append(fit["R_inf_ci95_high_m2K_W"] - fit["R_inf_ci95_low_m2K_W"])
    coverage = hits / trials
    assert abs(coverage - 0.95) < 3 * math.sqrt(0.95 * 0.05 / trials), coverage
    assert np.median(widths) > 0


def test_inverse_length_fit_with_two_lengths_has_no_interval():
    fit = inverse_length_fit([40.0, 80.0], [R_INF + SLOPE / 40, R_INF + SLOPE / 80],
                             [1e-10, 1e-10])
    assert fit["R_inf_m2K_W"] == pytest.approx(R_INF)
    assert fit["dof"] == 0 and math.isnan(fit["R_inf_ci95_low_m2K_W"])
    with pytest.raises(ValueError):
        inverse_length_fit([40.0, 40.0], [1e-9, 2e-9], [1e-10, 1e-10])
    with pytest.raises(ValueError):
        inverse_length_fit([40.0, 80.0], [1e-9, 2e-9], [0.0, 1e-10])


def test_record_standard_error_from_se_or_interval():
    assert record_standard_error({"R_K_se_m2K_W": 2e-10}) == 2e-10
    t4 = 2.7764451051977987  # t_{0.975, 4}
    record = {"R_K_m2K_W": 1e-8, "R_K_ci95_low_m2K_W": 1e-8 - t4 * 1e-9,
              "R_K_ci95_high_m2K_W": 1e-8 + t4 * 1e-9, "ci_dof": 4}
    assert record_standard_error(record) == pytest.approx(1e-9)
    record["R_K_ci95_high_m2K_W"] = None  # unbounded: the lower half
    assert record_standard_error(record) == pytest.approx(1e-9)
    with pytest.raises(ValueError):
        record_standard_error({"R_K_m2K_W": 1e-8})


def test_series_rows_extrapolate_each_temperature_and_method():
    points = [{"system": f"S-L{L:g}", "temperature_K": t, "method": "nemd", "length_A": L,
               "R_K_m2K_W": R_INF * t / 100 + SLOPE / L, "R_K_se_m2K_W": 1e-10}
              for t in (100.0, 300.0) for L in (30.0, 45.0, 90.0)]
    rows = series_rows("S", points, n_line=5)
    ext = {r["temperature_K"]: r for r in rows if r["kind"] == "extrapolation"}
    assert ext[100.0]["R_K_m2K_W"] == pytest.approx(R_INF)
    assert ext[300.0]["R_K_m2K_W"] == pytest.approx(3 * R_INF)
    assert len([r for r in rows if r["kind"] == "fit"]) == 10
    assert len([r for r in rows if r["kind"] == "point"]) == 6


# -- size-series config ---------------------------------------------------------------

def lj_raw(**system) -> dict:
    raw = yaml.safe_load((REPO / "config" / "test_lj.yaml").read_text())
    raw["systems"]["LJ-AB"].update(system)
    return raw


def test_length_series_expands_into_systems():
    config = validate_config(lj_raw(length_series_A=[40, 60, 80.5]))
    assert list(config["systems"]) == ["LJ-AB", "LJ-AB-L40", "LJ-AB-L80p5"]  # 60: the base
    base, member = config["systems"]["LJ-AB"], config["systems"]["LJ-AB-L80p5"]
    assert "length_series_A" not in base and "series_of" not in base
    assert member["series_of"] == "LJ-AB"
    assert member["length_a_A"] == member["length_b_A"] == 80.5
    assert {k: v for k, v in member.items() if k not in ("series_of", "length_a_A",
                                                         "length_b_A")} == \
        {k: v for k, v in base.items() if k not in ("length_a_A", "length_b_A")}
    assert series_members(config) == {"LJ-AB": ["LJ-AB-L40", "LJ-AB", "LJ-AB-L80p5"]}
    # the resolved config is a valid config again and expands to itself
    assert validate_config(json.loads(json.dumps(config)))["systems"] == config["systems"]
    # every member gets its own seeds
    assert run_seeds(7, "LJ-AB-L40", 40.0, 0) != run_seeds(7, "LJ-AB", 40.0, 0)


def test_length_series_errors():
    with pytest.raises(ConfigError, match="length_series_A"):
        validate_config(lj_raw(length_series_A=[-40]))
    raw = lj_raw(length_series_A=[40])
    raw["systems"]["LJ-AB-L40"] = {k: v for k, v in raw["systems"]["LJ-AB"].items()
                                   if k != "length_series_A"}
    with pytest.raises(ConfigError, match="also a system"):
        validate_config(raw)
    gb = {"systems": {"gb": {"type": "grain_boundary", "element": "Cu", "sigma": 5,
                             "plane": [3, 1, 0], "length_series_A": [40]}},
          "temperatures_K": [300]}
    with pytest.raises(ConfigError, match="bonded interfaces only"):
        validate_config(gb)


def test_production_config_has_a_size_series():
    config = load_config(REPO / "config" / "production.yaml")
    assert len(series_members(config)["SiGe"]) >= 3
    assert not series_members(load_config(REPO / "config" / "config.yaml"))


# -- style and figure writer ----------------------------------------------------------

def test_write_figure_gives_pdf_svg_png_csv_reproducibly(tmp_path):
    def draw(stem):
        with style():
            fig, ax = new_figure("column")
            ax.plot([1, 2, 3], [1e-9, 2e-9, 4e-9], "o-")
            ax.set_xlabel("Temperature T (K)")
            ax.set_ylabel("R_K (m² K/W)")
            return write_figure(fig, stem, [{"T_K": 1.0, "R_K_m2K_W": 1e-9},
                                            {"T_K": 2.0, "R_K_m2K_W": None}],
                                ["T_K", "R_K_m2K_W"])

    first, second = draw(tmp_path / "a" / "fig"), draw(tmp_path / "b" / "fig")
    assert set(first) == {"pdf", "svg", "png", "csv"}
    assert first["pdf"].read_bytes()[:5] == b"%PDF-"
    assert first["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in first["svg"].read_bytes()[:2000]
    assert first["csv"].read_text() == "T_K,R_K_m2K_W\n1.0,1e-09\n2.0,\n"
    for fmt in first:  # same figure, same bytes (no dates, fixed SVG ids)
        assert first[fmt].read_bytes() == second[fmt].read_bytes(), fmt
    with style():
        fig, ax = new_figure("page")
        assert fig.get_size_inches()[0] == pytest.approx(7.008)
        ax.plot([0, 1], [0, 1])
        ax.set_xlabel("time")
        with pytest.raises(ValueError, match="unit"):
            check_axis_units(fig)


def test_grain_boundary_figure_from_the_summary_rows(tmp_path):
    """Rows as study.grain_boundary_summary writes them (strings from its CSV; an
    unbounded upper end is an empty cell)."""
    from study.grain_boundary_summary import COLUMNS
    from study.paper_figures import grain_boundary_figure

    def row(system, sigma, plane, gamma, method, r_k, low, high):
        return dict.fromkeys(COLUMNS, "") | {
            "system": system, "element": "Si", "sigma": sigma, "kind": "tilt", "plane": plane,
            "gb_energy_J_m2": gamma, "temperature_K": "300.0", "method": method,
            "R_K_m2K_W": r_k, "R_K_ci95_low_m2K_W": low, "R_K_ci95_high_m2K_W": high}

    rows = [row("Si-S5", "5", "3 1 0", "0.9", "nemd", "1.2e-09", "9e-10", "1.5e-09"),
            row("Si-S5", "5", "3 1 0", "0.9", "green-kubo", "1e-09", "5e-10", ""),
            row("Si-S13", "13", "5 1 0", "1.1", "nemd", "1.6e-09", "1.3e-09", "1.9e-09")]
    files = grain_boundary_figure(rows, tmp_path / "gb")
    assert all(files[fmt].stat().st_size > 1000 for fmt in ("pdf", "svg", "png"))
    data = list(csv.DictReader(files["csv"].open()))
    assert [(r["system"], r["method"], r["R_K_m2K_W"]) for r in data] == [
        (r["system"], r["method"], r["R_K_m2K_W"]) for r in rows]


def test_latex_table_marks_unbounded_and_extrapolated_rows():
    combined = [{"system": "A_B", "temperature_K": 40.0, "method": "green-kubo",
                 "R_K_m2K_W": 5e-8, "R_K_ci95_low_m2K_W": 1e-8, "R_K_ci95_high_m2K_W": None,
                 "G_MW_m2K": 20.0, "n_replicas": 2, "stationary": False}]
    series = [{"kind": "point", "system": "A_B", "series": "A_B"},
              {"kind": "extrapolation", "series": "A_B", "temperature_K": "40.0",
               "method": "nemd", "n_lengths": "3", "R_K_m2K_W": "1e-8",
               "R_K_ci95_low_m2K_W": "0.5e-8", "R_K_ci95_high_m2K_W": "1.5e-8"}]
    rows = table_rows(combined, {"A_B": 58.0}, series)
    assert [r["estimate"] for r in rows] == ["measured", "1/L -> 0 (3 lengths)"]
    tex = latex_table(rows, "study_1")
    assert r"A\_B$^\dagger$ & 58 & 40 & EMD (GK) & 50 & [10, $\infty$]" in tex
    assert r"$1/L \to 0$" in tex and r"\end{tabular}" in tex


# -- reproducibility: the same seeds and rank count give the same numbers ---------------

REPRO_RUN = {"equilibration_ps": 2.0, "production_ps": 40.0, "sample_every_ps": 0.25,
             "restart_every_ps": 20.0}
REPRO_ANALYSIS = {"bath_exclusion_A": 3.0, "interface_exclusion_A": 2.0, "min_discard_ps": 5.0}


def numbers(record):
    """Every number of a result record outside its provenance (timings, host, dates)."""
    return {k: v for k, v in record.items() if k != "provenance"}


@pytest.mark.lammps
def test_same_seeds_and_ranks_reproduce_every_number(lj_stack, tmp_path):
    """Two serial runs of the real NEMD driver with the same settings and seeds give
    identical raw samples and identical analysed numbers, bit for bit; another seed does
    not (so the comparison can fail)."""
    settings = {**lj_stack["settings"], **REPRO_RUN}
    other = {**settings, "replica": 1, "seeds": run_seeds(7, "LJ-AB", 40.0, 1)}
    runs = {"a": settings, "b": settings, "c": other}
    procs = {name: subprocess.Popen(
        [PYTHON, "-m", "engine.nemd", "--structure", str(lj_stack["data"]), "--info",
         str(lj_stack["info"]), "--settings", json.dumps(s), "--outdir", str(tmp_path / name)],
        cwd=REPO, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True) for name, s in runs.items()}
    for name, proc in procs.items():
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, (name, err[-3000:])
    records = {}
    for name in runs:
        out = tmp_path / name
        done = run([PYTHON, "-m", "study.analyse_nemd", "--raw", out / "raw.npz", "--run",
                    out / "run.json", "--analysis", json.dumps(REPRO_ANALYSIS), "--out-json",
                    out / "nemd.json", "--out-csv", out / "profile.csv", "--out-figure",
                    out / "profile.png"], timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        records[name] = json.loads((out / "nemd.json").read_text())
    raw_a, raw_b = (np.load(tmp_path / n / "raw.npz") for n in ("a", "b"))
    assert sorted(raw_a.files) == sorted(raw_b.files)
    for key in raw_a.files:
        assert np.array_equal(raw_a[key], raw_b[key], equal_nan=True), key
    assert numbers(records["a"]) == numbers(records["b"])  # exact float equality
    assert (tmp_path / "a" / "profile.csv").read_bytes() == (
        tmp_path / "b" / "profile.csv").read_bytes()
    assert records["a"]["provenance"]["timing"]["mpi_ranks"] == 1
    assert records["c"]["R_K_m2K_W"] != records["a"]["R_K_m2K_W"]
    # the paper's profile figure of these two replicas (0: a, 1: c), drawn twice
    for stem in ("p1", "p2"):
        done = run([PYTHON, "-m", "study.paper", "profile", "--nemd", tmp_path / "c" /
                    "nemd.json", tmp_path / "a" / "nemd.json", "--out", tmp_path / stem],
                   timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
    rows = list(csv.DictReader((tmp_path / "p1.csv").open()))
    assert {r["replica"] for r in rows if r["kind"] == "bin"} == {"0", "1"}
    assert {r["replica"] for r in rows if r["kind"] != "bin"} == {"0"}  # fits of replica 0
    jump = [float(r["T_K"]) for r in rows if r["kind"] == "interface"]
    assert jump == [records["a"]["T_interface_A_K"], records["a"]["T_interface_B_K"]]
    for fmt in FORMATS:
        assert (tmp_path / f"p1.{fmt}").read_bytes() == (tmp_path / f"p2.{fmt}").read_bytes()


# -- end to end: snakemake paper and --report on a tiny real study ---------------------

# A size series of three lengths (the base system's 40 Å and 32, 37 Å: 8, 6 and 7 fcc
# cells per side), one NEMD and one EMD run per member, at 40 K with the 10 fs time step
# of reduced LJ units (0.005 tau): short (wide intervals), but the NEMD runs hold the
# 5 tau_slow (~25 ps here) of steady window that gives them an interval; it exercises every
# paper figure (several replicas in one profile figure:
# test_same_seeds_and_ranks_reproduce_every_number).  Cheap mismatch-model settings.
SERIES_A = [32.0, 37.0]
SYSTEM = {"length_a_A": 40.0, "length_b_A": 40.0, "length_series_A": SERIES_A,
          "nemd": {"timestep_fs": 10.0, "langevin_damping_ps": 1.0}}
TINY = {
    "study": "paper-test",
    "replicas": 1,
    "nemd": {"delta_T_K": 30.0, "equilibration_ps": 2.0, "production_ps": 300.0,
             "sample_every_ps": 0.25, "restart_every_ps": 20.0, "fixed_thickness_A": 3.0,
             "bath_thickness_A": 6.0, "bin_width_A": 2.638},
    "analysis": {"bath_exclusion_A": 3.0, "interface_exclusion_A": 2.0, "min_discard_ps": 5.0},
    "emd": {"equilibration_ps": 2.0, "production_ps": 80.0, "sample_every_fs": 50.0,
            "restart_every_ps": 40.0, "n_blocks": 4, "timestep_fs": 10.0},
    "mismatch": {"n_temperatures": 8, "mesh": 6, "min_supercell_A": 10.0, "elastic_repeat": 2,
                 "n_bins": 40},
}
FORMATS = ("pdf", "svg", "png", "csv")


@pytest.fixture(scope="module")
def paper_study(tmp_path_factory) -> dict:
    """Run `snakemake paper` (every MD run included) and `snakemake --report` once."""
    root = tmp_path_factory.mktemp("paper_study")
    results = root / "results"
    base = yaml.safe_load((REPO / "config" / "test_lj.yaml").read_text())
    system = {**base["systems"]["LJ-AB"], **SYSTEM}
    config_file = write_config(REPO / "config" / "test_lj.yaml", root / "tiny.yaml", results,
                               systems={"LJ-AB": system}, **TINY)
    start = time.monotonic()
    first = run([*SNAKEMAKE, "paper", "--cores", "2", "--configfile", config_file], timeout=600)
    wall = time.monotonic() - start
    assert first.returncode == 0, (first.stdout[-4000:], first.stderr[-4000:])
    report = run([*SNAKEMAKE, "--report", root / "report.html", "--configfile", config_file],
                 timeout=300)
    assert report.returncode == 0, report.stderr[-4000:]
    again = run([*SNAKEMAKE, "paper", "--cores", "2", "--configfile", config_file], timeout=300)
    return {"root": root, "results": results, "paper": results / "paper",
            "config": load_config(config_file), "config_file": config_file, "wall_s": wall,
            "again": again, "report": root / "report.html"}


def stems(study) -> list[str]:
    return [f"profiles/{s}_T40K" for s in ("LJ-AB", "LJ-AB-L32", "LJ-AB-L37")] + [
        f"green_kubo/{s}_T40K" for s in ("LJ-AB", "LJ-AB-L32", "LJ-AB-L37")] + [
        "nemd_vs_emd/LJ-AB", "R_K_vs_T/LJ-AB", "size_series/LJ-AB"]


def read_csv(path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.lammps
@pytest.mark.snakemake
def test_paper_writes_every_figure_in_three_formats_with_its_data(paper_study):
    for stem in stems(paper_study):
        files = {fmt: paper_study["paper"] / f"{stem}.{fmt}" for fmt in FORMATS}
        assert files["pdf"].read_bytes()[:5] == b"%PDF-", stem
        assert files["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", stem
        assert files["svg"].read_text().lstrip().startswith("<?xml"), stem
        assert files["png"].stat().st_size > 20_000, stem
        assert len(read_csv(files["csv"])) > 0, stem
    # nothing else in the paper folder but the figures and the table
    written = {p.relative_to(paper_study["paper"]).as_posix()
               for p in paper_study["paper"].rglob("*") if p.is_file()}
    assert written == {f"{s}.{fmt}" for s in stems(paper_study) for fmt in FORMATS} | {
        "summary_table.csv", "summary_table.tex"}


@pytest.mark.lammps
@pytest.mark.snakemake
def test_size_series_figure_extrapolates_the_three_lengths(paper_study):
    rows = read_csv(paper_study["paper"] / "size_series" / "LJ-AB.csv")
    for method in ("nemd", "green-kubo"):
        points = [r for r in rows if r["kind"] == "point" and r["method"] == method]
        assert [r["system"] for r in points] == ["LJ-AB-L32", "LJ-AB-L37", "LJ-AB"]
        folder = "nemd" if method == "nemd" else "emd"
        if not all(json.loads((paper_study["results"] / r["system"] / "T40K" / folder /
                               "combined.json").read_text())["converged"] for r in points):
            # the EMD runs hold a few τ: members without an interval are drawn, not fitted
            assert method == "green-kubo"
            continue
        lengths = [float(r["length_A"]) for r in points]
        assert lengths == sorted(lengths) and 30 < lengths[0] < lengths[-1] < 45
        (ext,) = [r for r in rows if r["kind"] == "extrapolation" and r["method"] == method]
        fit = inverse_length_fit(lengths, [float(r["R_K_m2K_W"]) for r in points],
                                 [float(r["R_K_se_m2K_W"]) for r in points])
        assert float(ext["R_K_m2K_W"]) == pytest.approx(fit["R_inf_m2K_W"], rel=1e-12)
        assert int(ext["dof"]) == 1
        assert (float(ext["R_K_ci95_low_m2K_W"]) < float(ext["R_K_m2K_W"])
                < float(ext["R_K_ci95_high_m2K_W"]))
        # the weights are the combined records' standard errors
        for r in points:
            record = json.loads((paper_study["results"] / r["system"] / "T40K" /
                                 ("nemd" if method == "nemd" else "emd") /
                                 "combined.json").read_text())
            assert float(r["R_K_se_m2K_W"]) == record["R_K_se_m2K_W"]


@pytest.mark.lammps
@pytest.mark.snakemake
def test_summary_table_lists_every_result_and_the_extrapolation(paper_study):
    rows = read_csv(paper_study["paper"] / "summary_table.csv")
    measured = [r for r in rows if r["estimate"] == "measured"]
    assert len(measured) == 6  # 3 lengths x 2 methods at 40 K
    assert {r["series"] for r in rows} == {"LJ-AB"}
    # one 1/L extrapolation per method whose members all have an interval (the 80 ps EMD
    # runs here are usually too short for the Green-Kubo likelihood: no interval, no fit)
    extrapolated = {r["method"] for r in rows if r["estimate"].startswith("1/L")}
    with_interval = {m for m in ("nemd", "green-kubo")
                     if all(r["R_K_ci95_low_m2K_W"] not in ("", None)
                            for r in measured if r["method"] == m)}
    assert "nemd" in extrapolated and extrapolated == with_interval
    summary = {(r["system"], r["method"]): r for r in read_csv(paper_study["results"] /
                                                                 "summary.csv")}
    for r in measured:
        assert float(r["R_K_m2K_W"]) == float(summary[(r["system"], r["method"])]["R_K_m2K_W"])
    tex = (paper_study["paper"] / "summary_table.tex").read_text()
    assert tex.count(r"\\") == len(rows) + 1 and r"\toprule" in tex


@pytest.mark.lammps
@pytest.mark.snakemake
def test_provenance_records_code_config_potentials_seeds_and_figures(paper_study):
    record = json.loads((paper_study["results"] / "provenance.json").read_text())
    assert re.fullmatch(r"[0-9a-f]{40}", record["code"]["git_commit"] or "")
    assert isinstance(record["code"]["git_dirty"], bool)
    assert record["dependencies"]["lammps"] and record["dependencies"]["numpy"]
    assert record["potentials"]["lj_argon"]["name"] == "lj_argon"
    assert record["config"] == json.loads(json.dumps(paper_study["config"]))
    (config_file,) = record["config_files"]
    assert config_file["sha256"] == hashlib.sha256(
        paper_study["config_file"].read_bytes()).hexdigest()
    assert "--configfile" in record["reproduce"]
    config = paper_study["config"]
    expected = {(s, 40.0, "nemd", r): run_seeds(config["seed"], s, 40.0, r)
                for s in config["systems"] for r in range(config["replicas"])}
    expected |= {(s, 40.0, "green-kubo", 0): {
        k: v for k, v in run_seeds(config["seed"], f"{s}/emd", 40.0, 0).items()
        if k in ("velocity", "equilibration")} for s in config["systems"]}
    seeds = {(r["system"], r["temperature_K"], r["method"], r["replica"]): r["seeds"]
             for r in record["runs"]}
    assert seeds == expected
    assert all(r["mpi_ranks"] == 1 for r in record["runs"])
    figures = {f["figure"]: f for f in record["figures"]}
    assert set(figures) == {str(paper_study["paper"] / s) for s in stems(paper_study)}
    for entry in figures.values():
        for fmt, digest in entry["sha256"].items():
            path = entry["data"] if fmt == "csv" else entry["files"][fmt]
            with open(path, "rb") as handle:
                assert hashlib.sha256(handle.read()).hexdigest() == digest


@pytest.mark.lammps
@pytest.mark.snakemake
def test_report_holds_the_figures_and_captions(paper_study):
    html = paper_study["report"].read_text(errors="replace")
    assert paper_study["report"].stat().st_size > 200_000  # images embedded: self-contained
    for text in ("Steady-state temperature profile of", "Size series of", "Green-Kubo",
                 "mismatch models", "Provenance of the study", "Kapitza study"):
        assert text in html, text


@pytest.mark.lammps
@pytest.mark.snakemake
def test_a_figure_redrawn_alone_from_the_records_is_identical(paper_study, tmp_path):
    """The figure code reads only the workflow's records: rerunning it alone gives the
    same bytes in every format."""
    nemd = paper_study["results"] / "LJ-AB" / "T40K" / "nemd"
    done = run([PYTHON, "-m", "study.paper", "profile", "--nemd", nemd / "rep0" / "nemd.json",
                "--combined", nemd / "combined.json", "--out", tmp_path / "profile"],
               timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    for fmt in FORMATS:
        assert (tmp_path / f"profile.{fmt}").read_bytes() == (
            paper_study["paper"] / "profiles" / f"LJ-AB_T40K.{fmt}").read_bytes(), fmt


@pytest.mark.lammps
@pytest.mark.snakemake
def test_second_paper_run_has_nothing_to_do(paper_study):
    output = paper_study["again"].stdout + paper_study["again"].stderr
    assert paper_study["again"].returncode == 0, output[-3000:]
    assert "Nothing to be done" in output
