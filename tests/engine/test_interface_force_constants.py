"""Force constants from LAMMPS and AGF transmission of interface cells (engine.interface_force_constants).

All LAMMPS (``lammps``), with the lj_argon potential (ε = 0.01032 eV, σ = 3.405 Å,
r_c = 8.5125 Å, energy shifted):

* central-difference force constants of a periodic fcc crystal are symmetric, obey the
  acoustic sum rule and equal the analytic pair second derivative;
* a homo stack (two type labels, equal masses) transmits every propagating channel of
  its lead: Ξ(ω) is the integer channel count, 3 (the acoustic branches along z at Γ of
  the lateral cell) as ω → 0; Γ of a 2 × 2 lateral supercell equals the 2 × 2 k-mesh of
  the 1 × 1 cell;
* a mass-mismatch stack (m_B = 2 m_A) transmits less than either lead's channels, nothing
  above the heavy side's top frequency, and 4 Z_A Z_B/(Z_A + Z_B)² per acoustic channel
  as ω → 0 (Z ∝ √m for equal force constants); its Landauer G lies below the ballistic
  G of the leads.

Stacks: fcc (001) with a lattice near the LJ minimum, 8 conventional cells per side (a
principal layer is 4 planes = 10.6 Å, longer than the 7.9 Å interaction range; each side
holds a buffer layer, two lead layers and 10.6 Å of bulk before its free surface).
"""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

from structures.io import write_lammps_data

pytestmark = pytest.mark.lammps

A_LJ = 5.2764  # fcc lattice constant (Å), near the lj_argon minimum
EPS, SIGMA = 0.01032, 3.405  # lj_argon (eV, Å)
M_AR = 39.948
SPECORDER = ["Ar", "Kr"]


def lj_stack(path, *, n_lateral: int, mass_b_amu: float, n_cells: int = 8) -> dict:
    """fcc (001) stack, side A (Ar, type 1) below side B (Kr, type 2); returns the info."""
    atoms = bulk("Ar", "fcc", a=A_LJ, cubic=True).repeat((n_lateral, n_lateral, 2 * n_cells))
    atoms.positions[:, 2] += A_LJ / 4
    upper = atoms.positions[:, 2] > A_LJ * n_cells
    atoms.set_chemical_symbols(np.where(upper, "Kr", "Ar"))
    atoms.set_masses(np.where(upper, mass_b_amu, M_AR))
    atoms.pbc = (True, True, False)
    cell = atoms.cell.copy()
    cell[2, 2] = atoms.positions[:, 2].max() + A_LJ / 4 + 1.0
    atoms.set_cell(cell)
    write_lammps_data(path, atoms, SPECORDER)
    z = atoms.positions[:, 2]
    return {"potential": "lj_argon", "specorder": SPECORDER,
            "z_interface_A": 0.5 * (z[~upper].max() + z[upper].min())}


# --- force constants of a crystal -------------------------------------------------------

def lj_pair_block(r_vec):
    """Analytic Φ_ij (i ≠ j) of one LJ pair: −[φ'' r̂r̂ + (φ'/r)(1 − r̂r̂)] (eV/Å²)."""
    r = np.linalg.norm(r_vec)
    sr6 = (SIGMA / r) ** 6
    d1 = 4 * EPS * (-12 * sr6**2 + 6 * sr6) / r
    d2 = 4 * EPS * (156 * sr6**2 - 42 * sr6) / r**2
    rr = np.outer(r_vec, r_vec) / r**2
    return -(d2 * rr + d1 / r * (np.eye(3) - rr))


def test_crystal_force_constants_symmetric_sum_rule_and_analytic(tmp_path):
    from engine.interface_force_constants import (
        LammpsForces,
        central_difference_force_constants,
        symmetrise_force_constants,
    )

    atoms = bulk("Ar", "fcc", a=A_LJ, cubic=True).repeat((4, 4, 4))  # 21.1 Å > 2 r_c
    write_lammps_data(tmp_path / "fcc.data", atoms, SPECORDER)
    x = atoms.positions
    d = x - x[0]
    d -= np.round(d / (4 * A_LJ)) * 4 * A_LJ
    dist = np.linalg.norm(d, axis=1)
    first = int(np.argmin(np.where(dist > 0, dist, np.inf)))        # a/√2
    second = int(np.argmin(np.where(dist > 3.8, dist, np.inf)))     # a
    displaced = [0, first, second]
    with LammpsForces(tmp_path / "fcc.data", potential="lj_argon", specorder=SPECORDER,
                      boundary="p p p") as ff:
        np.testing.assert_allclose(ff.positions_A, x, atol=1e-9)
        phis = {h: central_difference_force_constants(ff.forces_eV_A, ff.positions_A,
                                                      displaced, displacement_A=h)
                for h in (0.01, 0.0025)}
        image = ff.image
    errors = []
    for phi in phis.values():
        scale = np.abs(phi).max()
        # raw: Φ_{0j} = Φ_{j0}ᵀ and Σ_j Φ_ij = 0, before any symmetrisation
        for p, j in ((1, first), (2, second)):
            np.testing.assert_allclose(phi[0, j], phi[p, 0].T, atol=1e-7 * scale)
        assert np.abs(phi.sum(axis=1)).max() < 1e-9 * scale
        sym, report = symmetrise_force_constants(phi, displaced, image)
        assert report["asymmetry_rel"] < 1e-6 and report["sum_rule_residual_rel"] < 1e-12
        # the on-site block of an fcc atom is isotropic and positive
        onsite = sym[0, 0]
        np.testing.assert_allclose(onsite, np.eye(3) * onsite[0, 0], atol=1e-8 * scale)
        assert onsite[0, 0] > 0
        errors.append(max(np.abs(sym[0, j] - lj_pair_block(d[j])).max()
                          / np.abs(lj_pair_block(d[j])).max() for j in (first, second)))
    # central differences: error O(h²), 2e-4 at h = 0.01 Å, 16 times less at h/4
    assert errors[0] < 5e-4 and errors[1] < 3e-5
    assert 12 < errors[0] / errors[1] < 20


# --- AGF of stacks ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def homo(tmp_path_factory):
    from engine.interface_force_constants import interface_transmission

    path = tmp_path_factory.mktemp("homo") / "homo.data"
    info = lj_stack(path, n_lateral=1, mass_b_amu=M_AR)
    return interface_transmission(path, info, n_omega=240)


@pytest.fixture(scope="module")
def mismatch(tmp_path_factory):
    from engine.interface_force_constants import interface_transmission

    path = tmp_path_factory.mktemp("ab") / "ab.data"
    info = lj_stack(path, n_lateral=1, mass_b_amu=2 * M_AR)
    return path, info, interface_transmission(path, info, n_omega=240)


def stable_points(channels):
    """Grid points whose two neighbours have the same channel count (no band edge near)."""
    c = np.asarray(channels)
    keep = np.zeros(len(c), dtype=bool)
    keep[1:-1] = (c[1:-1] == c[:-2]) & (c[1:-1] == c[2:])
    return keep


def test_homo_stack_transmits_every_channel(homo):
    xi, ch = homo["transmission"], homo["channels_left"]
    np.testing.assert_array_equal(ch, homo["channels_right"])
    assert set(np.unique(ch)) >= {3.0} and ch.max() > 3  # steps beyond the acoustic ones
    keep = stable_points(ch)
    assert keep.mean() > 0.8
    assert np.abs(xi[keep] - ch[keep]).max() < 1e-3  # integer steps
    assert np.all(xi > -1e-6) and np.all(xi < ch.max() + 1e-3)
    assert abs(xi[0] - 3) < 1e-3 and homo["omega_rad_ps"][0] < 0.1  # ω → 0: 3 acoustic
    top = homo["lead_max_omega_rad_ps"]
    assert top["left"] == pytest.approx(top["right"], rel=1e-9)
    assert np.all(xi[homo["omega_rad_ps"] > 1.001 * top["left"]] < 1e-6)
    # no interface: G equals the ballistic G of the lead, the intrinsic one is undefined
    g = homo["classical"]["G_W_m2K"]
    assert g == pytest.approx(homo["ballistic_leads_W_m2K"]["left"], rel=1e-4)
    assert homo["classical_intrinsic_G_W_m2K"] is None
    report = homo["report"]["force_constants"]
    assert report["asymmetry_rel"] < 1e-6 and report["sum_rule_residual_rel"] < 1e-12
    assert homo["report"]["layers"]["left"]["planes_per_layer"] == 4
    assert max(homo["report"]["lead_nonuniformity_rel"].values()) < 1e-9
    assert homo["warnings"] == [] and min(homo["lead_min_omega_rad_ps"].values()) > -1e-3


def test_lateral_kmesh_equals_gamma_of_the_supercell(tmp_path):
    from engine.interface_force_constants import interface_transmission

    info1 = lj_stack(tmp_path / "s1.data", n_lateral=1, mass_b_amu=2 * M_AR)
    info2 = lj_stack(tmp_path / "s2.data", n_lateral=2, mass_b_amu=2 * M_AR)
    omega = np.array([1.0, 3.0, 6.0, 8.5])  # rad/ps, in the bands of both sides
    mesh = interface_transmission(tmp_path / "s1.data", info1, omegas_rad_ps=omega,
                                  lateral_repeat=(2, 2), n_q=101)
    gamma = interface_transmission(tmp_path / "s2.data", info2, omegas_rad_ps=omega, n_q=101)
    assert len(mesh["kpoints_rad_A"]) == 4 and mesh["area_A2"] == pytest.approx(A_LJ**2)
    # Ξ per unit area agrees: Ξ_supercell / (4 A) = mean_k Ξ_k / A
    np.testing.assert_allclose(gamma["transmission"], 4 * mesh["transmission"], rtol=1e-6)
    np.testing.assert_allclose(gamma["channels_left"], 4 * mesh["channels_left"])


def test_mass_mismatch_stack(mismatch, homo):
    _, _, ab = mismatch
    omega, xi = ab["omega_rad_ps"], ab["transmission"]
    # the same force constants, so the light (left) side equals the homo stack's lead
    np.testing.assert_array_equal(ab["channels_left"], homo["channels_left"])
    bound = np.minimum(ab["channels_left"], ab["channels_right"])
    assert np.all(xi <= bound + 1e-6) and np.all(xi > -1e-6)
    top = ab["lead_max_omega_rad_ps"]
    assert top["right"] == pytest.approx(top["left"] / np.sqrt(2), rel=1e-6)
    above = omega > 1.001 * top["right"]
    assert above.sum() > 10 and np.all(np.abs(xi[above]) < 1e-6)
    below = omega < top["right"]
    assert xi[below].max() > 1.0
    # ω → 0: 3 acoustic channels, each 4 Z_A Z_B/(Z_A + Z_B)² with Z ∝ √m
    za, zb = 1.0, np.sqrt(2.0)
    tau = 4 * za * zb / (za + zb) ** 2  # 0.9706
    assert xi[0] / 3 == pytest.approx(tau, abs=2e-3)
    assert xi[0] / 3 < 1 - 1e-2  # visibly below the perfect transmission
    # Landauer: below the ballistic G of either lead, and an LJ-like magnitude
    g = ab["classical"]["G_W_m2K"]
    assert g < min(ab["ballistic_leads_W_m2K"].values())
    assert 2e7 < g < 1e9
    assert ab["classical"]["quadrature_error_W_m2K"] < 0.01 * g
    assert ab["classical_intrinsic_G_W_m2K"] > g
    q = ab["quantum"]
    assert q["G_W_m2K"][0] < g  # ħω ∂n/∂T < k_B at 300 K (Θ of LJ ≈ 90 K: close)
    assert q["G_W_m2K"][0] > 0.9 * g


def test_command_line_writes_json_and_csv(mismatch, tmp_path):
    import json

    from engine.interface_force_constants import main

    path, info, ab = mismatch
    (tmp_path / "info.json").write_text(json.dumps(info))
    assert main(["--structure", str(path), "--info", str(tmp_path / "info.json"), "--out",
                 str(tmp_path / "agf.json"), "--n-omega", "240", "--temperatures", "300"]) == 0
    out = json.loads((tmp_path / "agf.json").read_text())
    assert out["classical"]["G_W_m2K"] == pytest.approx(ab["classical"]["G_W_m2K"], rel=1e-9)
    rows = (tmp_path / "agf.csv").read_text().splitlines()
    assert rows[0].startswith("omega_rad_ps,frequency_THz,transmission") and len(rows) == 241


def test_a_thin_stack_gets_bulk_periods_and_the_transmission_of_a_thick_one(mismatch, tmp_path):
    """5 cells per side cannot hold a buffer, two lead layers and one range of bulk (needs
    about 8); the AGF inserts bulk periods and then sees the 8-cell stack's interface."""
    from engine.interface_force_constants import interface_model, interface_transmission

    _, _, thick = mismatch
    path = tmp_path / "thin.data"
    info = lj_stack(path, n_lateral=1, mass_b_amu=2 * M_AR, n_cells=5)
    with pytest.raises(ValueError, match="side too thin"):
        interface_model(path, info, insert_bulk=False)
    thin = interface_transmission(path, info, omegas_rad_ps=thick["omega_rad_ps"])
    inserted = thin["report"]["inserted_bulk"]
    assert inserted["periods"]["left"] >= 1 and inserted["periods"]["right"] >= 1
    # one period of fcc (001) is two planes, one lattice constant
    assert inserted["length_A"]["left"] == pytest.approx(inserted["periods"]["left"] * A_LJ,
                                                         rel=1e-9)
    np.testing.assert_allclose(thin["transmission"], thick["transmission"], atol=1e-6)
    assert thin["classical"]["G_W_m2K"] == pytest.approx(thick["classical"]["G_W_m2K"],
                                                         rel=1e-6)
    assert thin["warnings"] == []


def test_image_flags_of_a_relaxed_cell_do_not_shuffle_the_lateral_copies(tmp_path):
    """A relaxed cell's data file carries image flags for atoms that crossed a lateral
    boundary; replicating by them would move copies into the original's slots."""
    from engine.interface_force_constants import LammpsForces

    path = tmp_path / "flags.data"
    lj_stack(path, n_lateral=1, mass_b_amu=2 * M_AR)
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Atoms")) + 2
    flagged = [line + (" -1 1 0" if k % 3 == 0 else " 0 0 0") if line.strip() else line
               for k, line in enumerate(lines[start:])]
    path.write_text("\n".join(lines[:start] + flagged) + "\n")
    with LammpsForces(path, potential="lj_argon", specorder=SPECORDER,
                      lateral_repeat=(2, 2)) as ff:
        assert ff.image.shape == (ff.n_original, 2, 2)
        np.testing.assert_array_equal(ff.image[:, 0, 0], np.arange(ff.n_original))
