"""Two-temperature NEMD (engine.ttm): unit conversions, input checks, and a tiny real run.

The run uses the LJ A/B stack of the test suite with "electrons" in side A (Ar): the
electronic numbers are test values (a large γ so that each electron cell holds many k_B of
heat capacity and T_e does not fluctuate below zero), not a real metal's.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import constants

from engine.ttm import (
    TtmSettings,
    energy_balance,
    g_ep_to_metal,
    gamma_to_metal,
    kappa_to_metal,
    source_intensity,
    ttm_mod_parameters,
)
from tests.conftest import PYTHON, run

ELECTRONS = {"gamma_J_m3K2": 1.0e4, "kappa_e_W_mK": 10.0, "G_ep_W_m3K": 1.0e17}
FLUX_W_m2 = 1.0e9


def ttm_settings(**changes) -> dict:
    settings = {"potential": "lj_argon", "specorder": ["Ar", "Kr"], "metal": "Ar",
                "electrons": dict(ELECTRONS), "temperature_K": 40.0, "timestep_fs": 5.0,
                "seeds": {"velocity": 11, "equilibration": 12, "ttm": 13},
                "langevin_damping_ps": 1.0, "equilibration_ps": 2.0, "production_ps": 10.0,
                "sample_every_ps": 0.5, "electron_sample_every_ps": 0.25,
                "heat_flux_W_m2": FLUX_W_m2, "source_electron_fraction": 1.0,
                "fixed_thickness_A": 3.0, "bath_thickness_A": 6.0, "electron_cell_A": 5.0,
                "vacuum_gap_A": 12.0, "electron_capacity_factor": 1.0,
                "restart_every_ps": 5.0}
    settings.update(changes)
    return settings


# ------------------------------------------------------------------ pure: conversions


def test_si_to_metal_units():
    # 1 W/(m^3 K) = 1 J s^-1 m^-3 K^-1 = 6.241509e18 eV / (1e12 ps * 1e30 A^3 * K)
    assert g_ep_to_metal(1.0e17) == pytest.approx(1.0e17 / constants.e * 1e-12 * 1e-30,
                                                  rel=1e-12)
    assert g_ep_to_metal(1.0e17) == pytest.approx(6.241509074e-7, rel=1e-9)
    # 1 W/(m K) = 6.241509e18 eV / (1e12 ps * 1e10 A * K)
    assert kappa_to_metal(400.0) == pytest.approx(400.0 / constants.e * 1e-22, rel=1e-12)
    assert gamma_to_metal(97.4) == pytest.approx(97.4 / constants.e * 1e-30, rel=1e-12)


def test_ttm_mod_parameters_for_copper():
    """γ_p = G m / (3 n k_B) and D_e = κ_e/C_e, recomputed in SI and converted."""
    G, kappa, gamma = 1.0e17, 400.0, 97.4  # W/m3K, W/mK, J/m3K2
    n_A3, m_amu, T = 4 / 3.615**3, 63.546, 300.0
    p = ttm_mod_parameters({"G_ep_W_m3K": G, "kappa_e_W_mK": kappa, "gamma_J_m3K2": gamma},
                           atom_density_A3=n_A3, mass_amu=m_amu, T_ref_K=T)
    n_m3 = n_A3 * 1e30
    gamma_p_kg_s = G * m_amu * constants.atomic_mass / (3 * n_m3 * constants.k)
    assert p["gamma_p"] == pytest.approx(gamma_p_kg_s / constants.atomic_mass * 1e-12,
                                         rel=1e-10)
    assert p["gamma_p"] == pytest.approx(1.812, rel=1e-3)  # amu/ps
    D_m2_s = kappa / (gamma * T)
    assert p["D_e"] == pytest.approx(D_m2_s * 1e20 * 1e-12, rel=1e-10)  # A^2/ps
    # C_e = rho_e * C_0 (a_i = 0, no damping), in eV/(A^3 K)
    assert p["rho_e"] * p["C_0"] == pytest.approx(gamma * T / constants.e * 1e-30, rel=1e-10)
    assert all(p[f"a_{i}"] == 0.0 for i in range(5)) and p["A"] == 0.0
    # kappa_e = D_e C_e gives back the input
    assert p["D_e"] * p["rho_e"] * p["C_0"] == pytest.approx(kappa_to_metal(kappa), rel=1e-12)


def test_source_intensity_puts_the_power_into_the_electron_cells():
    power, area, cells = 0.5, 250.0, 7
    intensity = source_intensity(power, area, cells)
    # fix ttm/mod: cell k receives I_0 * A / l_skin * exp(-k / l_skin), l_skin = 1 cell
    delivered = sum(intensity * area * math.exp(-k) for k in range(cells))
    assert delivered == pytest.approx(power, rel=1e-12)


# ------------------------------------------------------------------ pure: bad input


@pytest.mark.parametrize("field", ["gamma_J_m3K2", "kappa_e_W_mK", "G_ep_W_m3K"])
def test_missing_electron_field_is_named(field):
    electrons = {k: v for k, v in ELECTRONS.items() if k != field}
    with pytest.raises(ValueError, match=field):
        TtmSettings(ttm_settings(electrons=electrons))


def test_metal_must_be_a_species():
    with pytest.raises(ValueError, match="metal"):
        TtmSettings(ttm_settings(metal="Cu"))


def test_missing_setting_is_named():
    settings = ttm_settings()
    del settings["heat_flux_W_m2"]
    with pytest.raises(ValueError, match="heat_flux_W_m2"):
        TtmSettings(settings)


def test_non_positive_electron_value_is_named():
    with pytest.raises(ValueError, match="G_ep_W_m3K"):
        TtmSettings(ttm_settings(electrons=ELECTRONS | {"G_ep_W_m3K": 0.0}))


# ------------------------------------------------------------------ real LAMMPS


@pytest.mark.lammps
def test_structure_without_metal_atoms_fails_before_md(lj_stack, tmp_path):
    """A stack of Kr only: the error names the metal, and no MD log is started."""
    from engine.ttm import run_ttm_nemd

    lines = lj_stack["data"].read_text().splitlines()
    start = lines.index("Atoms # atomic") + 2
    end = start + next(i for i, ln in enumerate(lines[start:]) if not ln.strip())
    kr = [ln.split() for ln in lines[start:end] if ln.split()[1] == "2"]  # no velocities
    atoms = [" ".join([str(i + 1), *words[1:]]) for i, words in enumerate(kr)]
    header = [ln.replace("576 atoms", f"{len(atoms)} atoms") for ln in lines[:start]]
    data = tmp_path / "kr_only.data"
    data.write_text("\n".join(header + atoms) + "\n")
    outdir = tmp_path / "run"
    with pytest.raises(ValueError, match="metal"):
        run_ttm_nemd(data, {}, ttm_settings(), outdir)
    assert not list(outdir.glob("log.[0-9]*.lammps"))  # no MD was started


@pytest.fixture(scope="module")
def ttm_run(lj_stack, tmp_path_factory) -> dict:
    outdir = tmp_path_factory.mktemp("ttm")
    done = run([PYTHON, "-m", "engine.ttm", "--structure", lj_stack["data"], "--info",
                lj_stack["info"], "--settings", json.dumps(ttm_settings()), "--outdir", outdir],
               timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    raw = dict(np.load(outdir / "raw.npz"))
    return {"raw": raw, "run": json.loads((outdir / "run.json").read_text()),
            "geometry": json.loads((outdir / "geometry.json").read_text())}


@pytest.mark.lammps
def test_energy_balance_of_electrons_lattice_and_baths(ttm_run):
    """ΔE_e = E_source − E_transfer exactly (constant C_e); ΔE_atoms = E_transfer − E_sink
    up to the half-step lag of the fix's tally (measured: |residual| <= 3 meV, 2 %), within 10 % of the
    energy that crossed the cell."""
    raw = ttm_run["raw"]
    balance = energy_balance(raw)
    assert balance == ttm_run["run"]["energy_balance"]
    power = FLUX_W_m2 * raw["area_A2"] / 1.602176634e13  # W/m2 * A2 -> eV/ps
    np.testing.assert_allclose(raw["source_electrons_eV"], power * raw["time_ps"], rtol=1e-12)
    np.testing.assert_allclose(raw["sink_eV"], raw["source_electrons_eV"], rtol=1e-12)
    scale = balance["scale_eV"]
    assert scale == pytest.approx(power * 10.0, rel=1e-9)
    assert abs(balance["electrons_eV"]) < 1e-6 * scale
    assert abs(balance["atoms_eV"]) < 0.1 * scale, balance
    residual = raw["E_atoms_eV"] - (raw["transfer_eV"] - raw["sink_eV"])
    assert np.max(np.abs(residual)) < 0.1 * scale, residual
    # the electrons did exchange energy with the lattice (outputs are not trivial)
    assert np.any(np.abs(np.diff(raw["transfer_eV"])) > 1e-4)


@pytest.mark.lammps
def test_electrons_exist_only_in_the_metal(ttm_run):
    raw, geo = ttm_run["raw"], ttm_run["geometry"]
    inside = raw["electron_cell"]
    edges = np.arange(len(inside) + 1) * raw["dx_A"]
    lo, hi = edges[:-1][inside], edges[1:][inside]
    # electron cells tile exactly the mobile metal: fixed-layer cut to interface
    assert lo.min() == pytest.approx(geo["fixed_cuts_A"][0], abs=1e-9)
    assert hi.max() == pytest.approx(geo["x_interface_A"], abs=1e-9)
    T_e = raw["electron_T_K"]
    assert T_e.shape == (40, len(inside))
    assert np.all(T_e[:, ~inside] == 0.0), "electron temperature outside the metal"
    assert np.all(T_e[:, inside] > 0.0)
    assert 20.0 < T_e[:, inside].mean() < 60.0
    # lattice temperatures in the same cells, in every cell that holds mobile atoms
    T_l = raw["lattice_T_K"]
    occupied = raw["atoms_per_cell"] > 0
    assert np.all(np.isfinite(T_l[:, occupied]))
    assert 20.0 < np.nanmean(T_l) < 60.0
