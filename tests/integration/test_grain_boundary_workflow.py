"""A grain boundary through the workflow's own entry points: build, relax, close again.

The bicrystal is built periodic (two boundaries), cut at the seam boundary into the NEMD
stack (grain 1 = type 1 below, grain 2 = type 2 above) and closed again by the EMD driver.
Closing must restore the seam boundary: the re-closed, minimised cell has the boundary
energy of the built one.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import PYTHON, run

pytestmark = pytest.mark.lammps

SYSTEM = {"name": "Cu-S5-310", "type": "grain_boundary", "element": "Cu", "lattice": "fcc",
          "potential": "eam_cu_mishin", "sigma": 5, "plane": [3, 1, 0], "kind": "tilt",
          "length_a_A": 15.0, "length_b_A": 15.0, "min_lateral_A": 0.0,
          "translations_per_edge": 2, "overlap_fractions": [0.5, 0.9]}
# Tschopp & McDowell (2007) / the MoDELib table for Mishin Cu, see
# tests/structures/test_structures_grain_boundary.py: 905 mJ/m^2.
GAMMA_REFERENCE_J_M2 = 0.905


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("gb")
    paths = {k: folder / f"{k}" for k in ("built.data", "built.json", "relaxed.data",
                                           "relaxed.json")}
    done = run([PYTHON, "-m", "study.build_structure", "--system", json.dumps(SYSTEM),
                "--out-data", paths["built.data"], "--out-info", paths["built.json"]],
               timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    done = run([PYTHON, "-m", "engine.relax", "--data", paths["built.data"], "--info",
                paths["built.json"], "--out-data", paths["relaxed.data"], "--out-info",
                paths["relaxed.json"]], timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"paths": paths, "info": json.loads(paths["relaxed.json"].read_text())}


def test_built_stack_has_two_grain_types_of_one_element(built):
    info = built["info"]
    assert info["type"] == "grain_boundary" and info["specorder"] == ["Cu", "Cu"]
    assert info["gb_energy_J_m2"] == pytest.approx(GAMMA_REFERENCE_J_M2, rel=0.1)
    assert info["n_atoms_a"] + info["n_atoms_b"] == info["n_atoms"]
    text = built["paths"]["relaxed.data"].read_text()
    assert "2 atom types" in text
    z_lo, z_hi = (float(v) for v in next(ln for ln in text.splitlines()
                                         if ln.endswith("zlo zhi")).split()[:2])
    assert z_lo < info["z_interface_A"] < z_hi
    assert 0 < info["periodic_gap_A"] < 3.0


def test_emd_closing_restores_the_boundary_energy(built):
    """E of the re-closed, minimised cell gives the built γ (both boundaries intact)."""
    from engine.emd import EmdSettings, _start
    from engine.runtime import new_lammps

    info = built["info"]
    from study.schema import complete_settings

    settings = EmdSettings(complete_settings("emd", {
        "potential": "eam_cu_mishin", "specorder": ["Cu", "Cu"], "temperature_K": 300.0,
        "timestep_fs": 1.0, "seeds": {"velocity": 1, "equilibration": 2},
        "equilibration_ps": 1.0, "production_ps": 1.0, "sample_every_fs": 10.0}))
    lmp = new_lammps()
    try:
        geometry = _start(lmp, built["paths"]["relaxed.data"], info, settings, None)
        lmp.command("run 0 post no")
        energy = float(lmp.get_thermo("pe"))
        n_atoms = int(lmp.get_natoms())
    finally:
        lmp.close()
    assert geometry["z_hi_A"] - geometry["z_lo_A"] == pytest.approx(info["gb_cell_A"][2],
                                                                    abs=0.5)
    ev_per_m2 = 16.02176634  # 1 eV/Å^2 in J/m^2
    gamma = (energy + n_atoms * info["gb_cohesive_energy_eV"]) / (2 * info["area_A2"])
    assert gamma * ev_per_m2 == pytest.approx(info["gb_energy_J_m2"], rel=0.05)
