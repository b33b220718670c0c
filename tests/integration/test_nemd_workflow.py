"""End to end: the tiny Lennard-Jones A/B study through Snakemake with real LAMMPS.

Runs config/test_lj.yaml (results in a temporary folder) once per module with
``snakemake --cores 2``: build, relax, two NEMD replicas, analysis, combination, summary.
The copy runs longer and with a larger bath difference than the CI config (see RUN) so
that the interface temperature jump is resolved in every replica, which lets the tests
assert the physics (sign of the jump, energy balance of the baths, magnitude of R_K)
and not only that files exist.
"""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import time

import numpy as np
import pytest
import yaml

from study.config import load_config, run_seeds
from tests.conftest import REPO, SNAKEMAKE, run, write_config

pytestmark = [pytest.mark.lammps, pytest.mark.snakemake]

# The CI config with a longer run and a larger bath difference: baths at 40 +/- 15 K
# (both well below the LJ melting point, ~84 K) and 500 ps with the baths on.  The 4:1 mass mismatch gives a jump of ~10 K, resolved in
# every replica.  The binding requirement is the energy balance of the baths: the
# stack's total energy fluctuates by ~0.17 eV (sqrt(3N) k_B T, N ~ 800), so
# |P_hot + P_cold| / |P| over a window of t ps scatters by ~0.24 eV / (t |P|); with
# |P| ~ 0.01 eV/ps and t ~ 430 ps that is ~0.05, three times below the 0.15 asserted.
# 200 samples: even the largest transient the analysis may discard (75 %) leaves the 32
# samples its blocking analysis needs.
RUN = {"production_ps": 500.0, "delta_T_K": 30.0}
T_MEAN_K = 40.0
CORES = 2
# LJ units for argon: G* = 1 <-> k_B / (sigma^2 tau) = 55.2 MW/m^2K (sigma = 3.405 A,
# tau = sigma sqrt(m/eps) = 2.16 ps).  Estimate for a 4:1 mass mismatch: the classical
# phonon radiation limit of the heavy side, (1/4) c_v v with c_v = 3 n k_B = 1.1 MJ/m^3K
# and v ~ 500 m/s, is ~140 MW/m^2K (G* ~ 2.5); transmission well below 1 for phonons
# above the heavy side's cut-off brings G* to order 1 (measured here: G* ~ 1.1-1.3,
# R_K ~ 1.5e-8 m^2K/W).  Accept G* in [0.3, 5]: a factor-of-10 error in units (area,
# eV -> J, ps) or a lost mass mismatch (G* ~ 4-8 at 2:1) falls outside.
G_LJ_UNIT_MW_M2K = 55.2
R_K_RANGE_M2K_W = (1 / (5 * G_LJ_UNIT_MW_M2K * 1e6), 1 / (0.3 * G_LJ_UNIT_MW_M2K * 1e6))
SUMMARY_COLUMNS = ["system", "temperature_K", "method", "R_K_m2K_W", "R_K_ci95_low",
                   "R_K_ci95_high", "G_MW_m2K", "n_replicas"]


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> dict:
    """Run the study once; return its folders, config and the two Snakemake results."""
    root = tmp_path_factory.mktemp("lj_study")
    results = root / "results"
    base = yaml.safe_load((REPO / "config" / "test_lj.yaml").read_text())
    config_file = write_config(REPO / "config" / "test_lj.yaml", root / "lj.yaml", results,
                               nemd={**base["nemd"], **RUN})
    cmd = [*SNAKEMAKE, "--cores", str(CORES), "--configfile", config_file]
    start = time.monotonic()
    first = run(cmd, timeout=600)
    wall = time.monotonic() - start
    assert first.returncode == 0, (first.stdout[-4000:], first.stderr[-4000:])
    second = run(cmd, timeout=120)
    config = load_config(config_file)
    system = next(iter(config["systems"]))
    nemd_dir = results / system / f"T{T_MEAN_K:g}K" / "nemd"
    return {"results": results, "config": config, "system": system, "nemd": nemd_dir,
            "first": first, "second": second, "wall_s": wall}


def replicas(study) -> list[int]:
    return list(range(study["config"]["replicas"]))


def read_json(path):
    return json.loads(path.read_text())


def test_summary_table(study):
    with open(study["results"] / "summary.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["method"] for r in rows) == ["green-kubo", "nemd"]  # config has an emd block
    row = next(r for r in rows if r["method"] == "nemd")
    assert set(SUMMARY_COLUMNS) <= set(row), sorted(row)
    assert row["system"] == study["system"] == "LJ-AB"
    assert float(row["temperature_K"]) == T_MEAN_K
    assert row["method"] == "nemd"
    assert int(row["n_replicas"]) == 2 == study["config"]["replicas"]
    r_k, low, high = (float(row[k]) for k in ("R_K_m2K_W", "R_K_ci95_low", "R_K_ci95_high"))
    assert low < r_k < high
    assert R_K_RANGE_M2K_W[0] < r_k < R_K_RANGE_M2K_W[1], r_k
    assert float(row["G_MW_m2K"]) == pytest.approx(1e-6 / r_k, rel=1e-9)  # G = 1/R_K
    combined = read_json(study["nemd"] / "combined.json")
    assert combined["n_replicas"] == 2
    assert float(row["R_K_m2K_W"]) == pytest.approx(combined["R_K_m2K_W"], rel=1e-12)
    assert (study["results"] / "figures" / "R_K_vs_T.png").stat().st_size > 10_000
    # the heavy side B (slower phonons) conducts worse than the light side A
    assert 0 < combined["kappa_B_W_mK"] < combined["kappa_A_W_mK"] < 5


def test_replicas_conserve_energy_and_jump_the_right_way(study):
    nemd = study["config"]["nemd"]
    t_hot, t_cold = T_MEAN_K + nemd["delta_T_K"] / 2, T_MEAN_K - nemd["delta_T_K"] / 2
    for replica in replicas(study):
        result = read_json(study["nemd"] / f"rep{replica}" / "nemd.json")
        # energy balance: the hot bath adds what the cold bath removes
        assert result["power_hot_eV_ps"] > 0 > result["power_cold_eV_ps"]
        assert result["flux_imbalance"] < 0.15, result["flux_imbalance"]
        # heat runs from the hot side A to the cold side B, the jump has the right sign
        assert result["hot_side"] == "A"
        assert result["T_interface_A_K"] > result["T_interface_B_K"]
        assert result["grad_A_K_per_A"] < 0 and result["grad_B_K_per_A"] < 0
        low, dt, high = (result[f"delta_T{k}_K"] for k in ("_ci95_low", "", "_ci95_high"))
        assert 0 < dt < nemd["delta_T_K"]
        assert low < dt < high
        assert (high - max(low, 0.0)) / (high - low) > 0.75, (low, dt, high)  # CI mostly > 0
        assert result["flux_W_m2"] > 0
        assert R_K_RANGE_M2K_W[0] < result["R_K_m2K_W"] < R_K_RANGE_M2K_W[1], result["R_K_m2K_W"]
        assert result["R_K_m2K_W"] == pytest.approx(dt / result["flux_W_m2"], rel=1e-6)
        # the measured profile lies between the bath set points
        profile = np.array(result["profile"]["T_mean_K"], dtype=float)
        profile = profile[np.isfinite(profile)]
        assert profile.size > 10
        assert t_cold - 3 < profile.min() and profile.max() < t_hot + 3


def test_replica_files(study):
    for replica in replicas(study):
        folder = study["nemd"] / f"rep{replica}"
        png = folder / "profile.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 10_000
        with open(folder / "profile.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) > 10
        z = [float(r["z_A"]) for r in rows]
        assert z == sorted(z)
        assert {r["side"] for r in rows} >= {"A", "B"}
        raw = np.load(folder / "raw.npz")
        assert raw["temperature_K"].shape == (raw["step"].size, raw["z_A"].size)
        assert not list(folder.glob(".*.tmp*"))  # no leftovers of atomic writes


def test_results_are_readable_like_any_other_file(study):
    """Atomic writes go through mkstemp (mode 0600); the results get the umask's mode."""
    umask = os.umask(0)
    os.umask(umask)
    expected = 0o666 & ~umask
    folder = study["nemd"] / "rep0"
    for path in (folder / "raw.npz", folder / "run.json", folder / "nemd.json",
                 folder / "profile.png", folder / "profile.csv",
                 study["results"] / "summary.csv"):
        assert stat.S_IMODE(path.stat().st_mode) == expected, (path, oct(path.stat().st_mode))


def test_run_provenance(study):
    config, system = study["config"], study["system"]
    profile = yaml.safe_load((REPO / "profiles" / "default" / "config.yaml").read_text())
    ranks = min(int((profile.get("set-threads") or {}).get("nemd_run", 1)), CORES)
    seeds = []
    for replica in replicas(study):
        record = read_json(study["nemd"] / f"rep{replica}" / "run.json")
        assert re.fullmatch(r"[0-9a-f]{40}", record["code"]["git_commit"] or "")
        assert record["dependencies"]["lammps"]
        assert record["dependencies"]["python"]
        settings = record["settings"]
        assert settings["seeds"] == run_seeds(config["seed"], system, T_MEAN_K, replica)
        assert settings["replica"] == replica
        assert settings["production_ps"] == RUN["production_ps"]
        assert settings["delta_T_K"] == RUN["delta_T_K"]
        assert settings["potential"] == "lj_argon" and settings["specorder"] == ["Ar", "Kr"]
        assert record["n_atoms"] > 500
        steps = record["steps"]
        assert steps["production"] * settings["timestep_fs"] * 1e-3 == pytest.approx(
            RUN["production_ps"])
        assert [s["start_step"] for s in record["segments"]] == [0]
        timing = record["timing"]
        assert timing["mpi_ranks"] == ranks
        assert 0 <= timing["overhead_fraction_this_segment"] < 0.05, timing
        seeds.append(settings["seeds"])
    assert seeds[0] != seeds[1]
    combined = read_json(study["nemd"] / "combined.json")
    assert combined["seeds"] == seeds


def test_second_run_has_nothing_to_do(study):
    second = study["second"]
    output = second.stdout + second.stderr
    assert second.returncode == 0, output[-3000:]
    assert "Nothing to be done" in output
    assert "Job stats" not in output and "rule nemd_run" not in output


def test_green_kubo_outputs_sit_beside_the_nemd_ones(study):
    """The EMD pipeline ran on the same interface: per-run record, ACF table and figure,
    a combined record, a summary row, and the NEMD-vs-EMD figure with its table."""
    emd = study["results"] / study["system"] / f"T{T_MEAN_K:g}K" / "emd"
    n_replicas = study["config"]["emd"]["replicas"] or study["config"]["replicas"]
    for replica in range(n_replicas):
        folder = emd / f"rep{replica}"
        record = read_json(folder / "emd.json")
        assert record["method"] == "green-kubo" and record["estimator"] == "delta_T"
        assert record["area_total_A2"] == pytest.approx(2 * record["area_A2"])
        assert set(record["estimators"]) == {"delta_T", "flux", "delta_T_acf"}
        assert isinstance(record["converged"], bool)
        assert record["provenance"]["nve_switch"]["step"] == record["provenance"]["steps"][
            "equilibration"]
        # NVE started at the canonical mean energy: the run's mean T is close to the target
        assert record["temperature_measured_K"] == pytest.approx(T_MEAN_K, rel=0.08)
        assert (folder / "emd.png").stat().st_size > 10_000
        run = read_json(folder / "run.json")
        assert 0 <= run["timing"]["overhead_fraction_this_segment"] < 0.05, run["timing"]
        with open(folder / "acf.csv", newline="") as handle:
            table = list(csv.DictReader(handle))
        assert {"lag_ps", "acf_dT_K2", "acf_q_eV2_ps2", "running_integral_eV2_ps",
                "acf_energy_eV2"} <= set(table[0])
        assert float(table[0]["acf_dT_K2"]) > 0
    combined = read_json(emd / "combined.json")
    assert combined["method"] == "green-kubo" and combined["n_replicas"] == n_replicas
    if combined["converged"]:
        assert (combined["G_ci95_low_MW_m2K"] < combined["G_MW_m2K"]
                < combined["G_ci95_high_MW_m2K"])
    else:  # runs of a few τ (a smoke test): a point estimate without an interval
        assert combined["G_MW_m2K"] > 0 and combined["G_ci95_low_MW_m2K"] is None
    figures = study["results"] / "figures"
    assert (figures / f"{study['system']}_nemd_vs_emd.png").stat().st_size > 10_000
    with open(figures / f"{study['system']}_nemd_vs_emd.csv", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert float(row["ratio_nemd_over_emd"]) == pytest.approx(
        float(row["G_nemd_MW_m2K"]) / float(row["G_emd_MW_m2K"]))
    # the EET prediction for a mass-mismatched LJ pair: NEMD above EMD, by less than 2x
    assert 1.0 < float(row["predicted_ratio_dmm"]) < 2.0
