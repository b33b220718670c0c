"""Tiny real LJ A/B EMD: side-energy power equals the pairwise power; the pipeline runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import PYTHON, run

pytestmark = pytest.mark.lammps

EPS_EV, SIGMA_A, CUT_A = 0.01032, 3.405, 8.5125  # potentials/registry.yaml: lj_argon


def emd_settings(nemd: dict, **changes) -> dict:
    """Complete EMD settings: the stack's NEMD settings that the EMD driver also reads, then
    ``changes``, the rest from the schema."""
    from engine.emd import EmdSettings
    from study.schema import RUN_KEYS, complete_settings

    shared = {k: v for k, v in nemd.items() if k in EmdSettings.KEYS or k in RUN_KEYS}
    return complete_settings("emd", shared | changes)


def pair_power_eV_ps(x, v, types, box):
    """dE_A/dt = Σ_{i∈A, j∈B} F_ij·(v_i + v_j)/2, F_ij the LJ force on i from j (min. image)."""
    a, b = types == 1, types == 2
    d = x[a][:, None, :] - x[b][None, :, :]
    d -= box * np.round(d / box)
    r2 = np.sum(d * d, axis=-1)
    inside = r2 < CUT_A**2
    s6 = (SIGMA_A**2 / r2) ** 3
    f_over_r = np.where(inside, 24 * EPS_EV * (2 * s6 * s6 - s6) / r2, 0.0)
    force = f_over_r[..., None] * d  # on i ∈ A from j ∈ B
    vsum = v[a][:, None, :] + v[b][None, :, :]
    return 0.5 * float(np.sum(force * vsum))


def test_side_energy_power_matches_pairwise_power(lj_stack, tmp_path):
    """(E_A(n+1) − E_A(n))/dt equals the trapezoid mean of the pairwise power at n, n+1.

    Velocity Verlet gives E_A at whole steps; its difference is the power at the half
    step, compared with the average of the pairwise powers at both ends.
    """
    from engine.emd import EmdSettings, _start
    from engine.runtime import new_lammps

    info = json.loads(lj_stack["info"].read_text())
    settings = EmdSettings(emd_settings(lj_stack["settings"], sample_every_fs=5.0,
                                        equilibration_ps=1.0, production_ps=1.0))
    lmp = new_lammps()
    try:
        _start(lmp, lj_stack["data"], info, settings, None)
        lmp.commands_string(f"""
            timestep {settings.timestep_ps}
            fix integrate all nve
            velocity all create 40.0 4928 mom yes rot no dist gaussian
            run 200
            variable ea equal c_e_a[1]+c_e_a[2]
            fix keep all ave/time 1 1 1 v_ea file {tmp_path / "ea.dat"} format " %.15g"
            run 0
        """)
        lo, hi = lmp.extract_box()[:2]
        box = np.array(hi) - np.array(lo)
        types = np.asarray(lmp.gather_atoms("type", 0, 1))
        powers = []
        for _ in range(40):
            lmp.command("run 1 pre no post no")
            x = np.asarray(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3)
            v = np.asarray(lmp.gather_atoms("v", 1, 3)).reshape(-1, 3)
            powers.append(pair_power_eV_ps(x, v, types, box))
    finally:
        lmp.close()
    table = np.loadtxt(tmp_path / "ea.dat")
    energies = table[np.isin(table[:, 0], np.arange(201, 241)), 1]  # E_A at the gathered steps
    assert energies.size == 40
    dt = settings.timestep_ps
    from_energy = np.diff(energies) / dt
    pairwise = 0.5 * (np.array(powers[1:]) + np.array(powers[:-1]))
    scale = np.std(pairwise)
    assert scale > 0.01, "interfacial power is trivially small (eV/ps)"
    assert np.max(np.abs(from_energy - pairwise)) < 0.03 * scale, (from_energy[:5], pairwise[:5])


def test_emd_pipeline_produces_json_and_figure(lj_stack, tmp_path):
    settings = emd_settings(lj_stack["settings"], equilibration_ps=5.0, production_ps=50.0,
                            sample_every_fs=10.0, restart_every_ps=25.0)
    out = tmp_path / "rep0"
    done = run([PYTHON, "-m", "engine.emd", "--structure", lj_stack["data"], "--info",
                lj_stack["info"], "--settings", json.dumps(settings), "--outdir", out], timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    raw = np.load(out / "raw.npz")
    assert float(raw["area_total_A2"]) == pytest.approx(2 * float(raw["area_A2"]))
    assert int(raw["n_atoms_a"]) + int(raw["n_atoms_b"]) == int(raw["n_atoms"])
    assert raw["step"].size == 5000
    total = raw["energy_a_eV"] + raw["energy_b_eV"]
    assert np.std(total) < 0.02 * np.std(raw["energy_a_eV"])  # NVE: E_A + E_B conserved
    assert abs(np.mean(raw["temperature_a_K"]) - 40.0) < 8.0
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["settings"]["seeds"] and run_json["lammps"]["version_id"] > 0
    assert "potential" in run_json and "code" in run_json
    files = [out / n for n in ("emd.json", "acf.csv", "emd.png")]
    done = run([PYTHON, "-m", "study.analyse_emd", "--raw", out / "raw.npz", "--run",
                out / "run.json", "--analysis", json.dumps({"n_blocks": 4}), "--out-json",
                files[0], "--out-csv", files[1], "--out-figure", files[2]], timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    record = json.loads(files[0].read_text())
    assert record["method"] == "green-kubo" and record["n_interfaces"] == 2
    assert record["area_total_A2"] == pytest.approx(2 * record["area_A2"])
    for key in ("R_K_m2K_W", "R_K_ci95_low_m2K_W", "R_K_ci95_high_m2K_W", "G_MW_m2K",
                "G_ci95_low_MW_m2K", "G_ci95_high_MW_m2K"):
        assert key in record
    assert record["G_MW_m2K"] > 0
    # both LJ sides stay solid at 40 K: measured inside LAMMPS, checked by the analysis
    assert record["physically_valid"] is True
    assert {k: c["ok"] for k, c in record["physical_checks"].items()} == \
        {"crystalline_A": True, "crystalline_B": True}
    assert record["side_lengths_A"][0] > 0 and record["side_lengths_A"][1] > 0
    assert files[2].stat().st_size > 10_000
    assert files[1].read_text().startswith("lag_ps,")
    combined = tmp_path / "combined.json"
    done = run([PYTHON, "-m", "study.combine", "--method", "green-kubo", "--system", "LJ-AB",
                "--temperature", "40",
                "--out", combined, files[0]], timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    comb = json.loads(combined.read_text())
    assert comb["method"] == "green-kubo" and comb["n_replicas"] == 1
