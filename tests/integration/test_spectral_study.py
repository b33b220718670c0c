"""The spectral chain through Snakemake (config/test_spectral.yaml): AGF of the relaxed
cell, two spectral NEMD runs, their combination with the AGF and full-dispersion DMM
spectra, the 'spectral', 'spectral-quantum' and 'agf' rows of summary.csv and the figure;
and spectral settings that cannot work (Nyquist, time step, too few bath windows, cut-off,
window) refused before any MD, naming the field."""

from __future__ import annotations

import csv
import json

import pytest
import yaml

from study.config import ConfigError, check_config, spectral_settings, validate_config
from tests.conftest import REPO, SNAKEMAKE, run, write_config

CONFIG = REPO / "config" / "test_spectral.yaml"


@pytest.mark.lammps
@pytest.mark.snakemake
def test_spectral_study_writes_its_rows_csv_and_figure(tmp_path):
    results = tmp_path / "results"
    config_file = write_config(CONFIG, tmp_path / "spectral.yaml", results)
    paper = results / "paper" / "spectral" / "LJ-AB_T15K"
    targets = [results / "summary.csv", results / "LJ-AB" / "T15K" / "spectral" / "spectral.png",
               paper.with_suffix(".png")]
    # the targets before --configfile, which takes every path after it
    done = run([*SNAKEMAKE, *targets, "--cores", "2", "--nolock", "--configfile", config_file],
               timeout=900)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    folder = results / "LJ-AB" / "T15K" / "spectral"
    combined = json.loads((folder / "combined.json").read_text())
    assert combined["method"] == "spectral" and combined["n_replicas"] == 2
    g, low, high = (combined[k] for k in ("G_MW_m2K", "G_ci95_low_MW_m2K", "G_ci95_high_MW_m2K"))
    assert 0 < low < g < high  # a positive conductance with its interval
    assert 0.3 < combined["sum_rule"]["ratio"] < 1.5  # the harmonic share of the bath power
    assert "sum rule" in combined["note"]
    spectrum = combined["spectrum"]
    assert max(spectrum["G_W_m2K_THz"]) > 0  # non-trivial, not silently zero
    quantum = json.loads((folder / "combined_quantum.json").read_text())
    assert quantum["method"] == "spectral-quantum"
    assert 0 < quantum["G_MW_m2K"] < g  # at 15 K (Θ_D ~ 90 K) quantum < classical
    by_t = {row["temperature_K"]: row for row in quantum["by_temperature"]}
    assert set(by_t) == {5.0, 15.0}  # quantum_temperatures_K and the run's
    assert by_t[5.0]["G_MW_m2K"] < by_t[15.0]["G_MW_m2K"]
    agf = json.loads((folder / "combined_agf.json").read_text())
    assert agf["method"] == "agf" and agf["G_MW_m2K"] > 0 and agf["G_ci95_low_MW_m2K"] is None
    assert "deterministic" in agf["note"]
    agf_t = {row["temperature_K"]: row["G_quantum_plain_MW_m2K"] for row in agf["by_temperature"]}
    assert 0 < agf_t[5.0] < agf_t[15.0] < agf["G_plain_MW_m2K"]
    with open(folder / "spectral_G.csv") as handle:
        table = list(csv.DictReader(handle))
    assert {"G_MD_W_m2K_THz", "G_AGF_W_m2K_THz", "G_DMM_W_m2K_THz",
            "G_MD_cumulative_MW_m2K"} <= set(table[0])
    assert float(table[-1]["G_MD_cumulative_MW_m2K"]) == pytest.approx(g, rel=1e-6)
    assert float(table[-1]["G_AGF_cumulative_MW_m2K"]) == pytest.approx(
        agf["G_plain_MW_m2K"], rel=0.05)
    rows = {r["method"]: r for r in csv.DictReader((results / "summary.csv").open())}
    assert {"spectral", "spectral-quantum", "agf"} <= set(rows)
    assert rows["spectral"]["G_ci95_low_MW_m2K"] != ""
    assert rows["agf"]["G_ci95_low_MW_m2K"] == "" and rows["agf"]["R_K_ci95_low_m2K_W"] == ""
    assert "no statistical interval: AGF is deterministic" in rows["agf"]["flags"]
    assert (folder / "spectral.png").stat().st_size > 10_000
    # the paper figure: redrawn from the records, with the plotted numbers beside it
    for ext in ("pdf", "svg", "png"):
        assert paper.with_suffix(f".{ext}").stat().st_size > 10_000, ext
    with open(paper.with_suffix(".csv")) as handle:
        assert list(csv.DictReader(handle)) == table


def _raw(**spectral) -> dict:
    raw = yaml.safe_load(CONFIG.read_text())
    raw["spectral"] = {**raw["spectral"], **spectral}
    return raw


@pytest.mark.parametrize(("change", "expected"), [
    ({"sample_every_fs": 200.0}, r"spectral.sample_every_fs: 200 fs samples up to .* 2.5 THz"),
    ({"sample_every_fs": 12.0}, (r"spectral.sample_every_fs: 12 fs is not a whole number "
                                 r"of time steps of system LJ-AB \(5 fs\)")),
    ({"n_blocks": 4, "block_samples": 16}, r"spectral.n_blocks: .* fewer than 32"),
    ({"inelastic_cutoff_THz": 12.0}, r"spectral.inelastic_cutoff_THz: 12 THz is not below"),
    ({"window": "no-such-window"}, r"spectral.window: 'no-such-window'"),
])
def test_bad_spectral_settings_are_refused_naming_the_field(change, expected):
    with pytest.raises(ConfigError, match=expected):
        check_config(validate_config(_raw(**change)))


@pytest.mark.parametrize(("change", "field"), [
    ({"max_batches": 5}, "spectral.max_batches"),  # odd
    ({"agf": {"lateral_repeat": [0, 2]}}, "spectral.agf.lateral_repeat.0"),
    ({"unknown_key": 1}, "spectral"),
])
def test_the_schema_refuses_malformed_spectral_blocks(change, field):
    with pytest.raises(ConfigError, match=rf"config field '{field}'"):
        validate_config(_raw(**change))


def test_spectral_settings_are_a_nemd_run_plus_the_spectral_keys():
    from engine.spectral import SpectralSettings
    from study.config import nemd_settings

    config = validate_config(yaml.safe_load(CONFIG.read_text()))
    check_config(config)
    settings = spectral_settings(config, "LJ-AB", 15.0, 1)
    nemd = nemd_settings(config, "LJ-AB", 15.0, 1)
    assert {k: v for k, v in settings.items() if k in nemd and k != "seeds"} == \
        {k: v for k, v in nemd.items() if k != "seeds"}
    assert settings["seeds"] != nemd["seeds"]  # independent of the NEMD run
    assert settings["quantum_temperatures_K"] == [5.0, 15.0]  # the run's T always included
    assert settings["fd_step_A"] == 0.01 and settings["inelastic_cutoff_THz"] is None
    SpectralSettings(settings)  # complete: the driver accepts it
    without = validate_config({k: v for k, v in yaml.safe_load(CONFIG.read_text()).items()
                               if k != "spectral"})
    assert without.get("spectral") is None  # absent = off


def test_the_agf_density_integrates_to_the_classical_landauer_conductance():
    """Ξ k_B / A per THz on any fine axis integrates to (k_B/A) ∫ Ξ dω/2π
    (:func:`analysis.agf.classical_conductance_W_m2K`): the units and the 2π are right."""
    import numpy as np

    from analysis.agf import classical_conductance_W_m2K, omega_to_THz
    from study.analyse_spectral import agf_spectrum

    omega = np.linspace(0.05, 15.0, 300)  # rad/ps
    xi = np.where(omega < 12.0, 3 * (omega / 12.0) ** 2, 0.0)
    record = {"frequency_THz": omega_to_THz(omega).tolist(), "transmission": xi.tolist(),
              "area_A2": 120.0}
    f = np.linspace(0.0, 3.0, 30001)
    density = agf_spectrum(record, f)  # W m^-2 K^-1 THz^-1
    expected = classical_conductance_W_m2K(omega, xi, 120.0)["G_W_m2K"]
    assert np.sum(density) * (f[1] - f[0]) == pytest.approx(expected, rel=2e-3)


def test_one_replica_keeps_its_band_and_a_jump_error_widens_it():
    import numpy as np

    from study.analyse_spectral import combine_spectra

    f = np.linspace(0, 5, 11)
    g = np.linspace(1, 2, 11)
    base = {"frequency_THz": f, "G": g, "var_q": np.full(11, 0.01), "dof_q": 15.0,
            "var_T": np.zeros(11), "dof_T": np.inf}
    one = combine_spectra([base])
    assert np.allclose(one["se_W_m2K_THz"], 0.1) and np.allclose(one["dof"], 15.0)
    wider = combine_spectra([{**base, "var_T": (0.1 * g) ** 2, "dof_T": 7.0}])
    assert np.all(wider["high_W_m2K_THz"] - wider["low_W_m2K_THz"]
                  > one["high_W_m2K_THz"] - one["low_W_m2K_THz"])
    two = combine_spectra([base, {**base, "G": g + 0.2}])
    assert np.allclose(two["G_W_m2K_THz"], g + 0.1)
    assert np.allclose(two["se_W_m2K_THz"], 0.1 / np.sqrt(2))
    with pytest.raises(ValueError, match="frequency axes"):
        combine_spectra([base, {**base, "frequency_THz": 2 * f}])
