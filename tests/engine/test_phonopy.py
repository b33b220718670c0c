"""Lattice dynamics with phonopy and LAMMPS forces (:mod:`engine.phonopy_forces`).

Cross-checks: the force constants against plain central differences of the LAMMPS
forces (the finite-displacement code the project used before phonopy, kept here only as
a reference), the acoustic sum rule, the tetrahedron DOS mode count, and the group
velocities at small q against the Christoffel velocities of the elastic constants.  A
pure test checks the layout conversion and the units on a spring model.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase.build import bulk
from phonopy import Phonopy
from scipy import constants

from analysis.elastic import christoffel, cubic_stiffness_GPa
from analysis.phonons import (
    OMEGA_RAD_S,
    ForceConstants,
    dynamical_matrix,
    phonon_mesh,
    sound_velocities,
)
from engine.material_properties import BulkCrystal, LammpsCrystal, bulk_crystal, elastic_constants
from engine.phonopy_forces import (
    M_S_PER_THZ_A,
    RAD_S_PER_THZ,
    gamma_frequencies_THz,
    group_velocities,
    lammps_phonopy,
    phonopy_atoms,
    supercell_repeat,
    tetrahedron_dos,
    to_force_constants,
)

#: (element, lattice, potential, LAMMPS type order): the potentials the project uses for
#: Si/Cu (the default MEAM, both sides) and the EAM copper.
CASES = {
    "si_meam": ("Si", "diamond", "meam_jelinek2012", ["Si", "Cu"]),
    "cu_meam": ("Cu", "fcc", "meam_jelinek2012", ["Si", "Cu"]),
    "cu_eam": ("Cu", "fcc", "eam_cu_mishin", ["Cu"]),
}
MIN_SUPERCELL_A = 11.0  # Si 3×3×3 (216 atoms), Cu 4×4×4 (256 atoms)
DISPLACEMENT_A = 0.01

THZ = 1e12 * 2 * math.pi  # rad/s per THz


def central_difference_force_constants(crystal: BulkCrystal, *, displacement_A: float,
                                       min_supercell_A: float) -> ForceConstants:
    """Reference Φ by plain central differences of the LAMMPS forces (no symmetry).

    Each atom of the first conventional cell of the n×n×n supercell is moved by ±h along
    x, y, z; Φ_{iα,Jβ} = −[F_Jβ(+h) − F_Jβ(−h)] / 2h (Parlinski, Li & Kawazoe, PRL 78,
    4063, 1997); :class:`ForceConstants` then symmetrises Φ and imposes the sum rule.
    """
    unit = crystal.cell()
    supercell = unit.repeat(supercell_repeat(crystal.lattice_constant_A, min_supercell_A))
    ref = supercell.get_positions()  # the first len(unit) atoms are the unit cell
    phi = np.zeros((len(unit), 3, len(supercell), 3))
    with LammpsCrystal(supercell, potential=crystal.potential,
                       specorder=list(crystal.specorder)) as box:
        for i in range(len(unit)):
            for alpha in range(3):
                pos = ref.copy()
                pos[i, alpha] += displacement_A
                f_plus = box.forces_eV_A(pos)
                pos[i, alpha] -= 2 * displacement_A
                f_minus = box.forces_eV_A(pos)
                phi[i, alpha] = -(f_plus - f_minus) / (2 * displacement_A)
    return ForceConstants(unit_cell_A=np.array(unit.cell), basis_A=unit.get_positions(),
                          masses_amu=unit.get_masses(), supercell_A=np.array(supercell.cell),
                          supercell_positions_A=ref, phi_eV_A2=phi)


def frequencies_THz(fc: ForceConstants, q_inv_A: np.ndarray) -> np.ndarray:
    """Frequencies ν (THz, ascending, signed) of the conventional-cell model at q (rad/Å)."""
    dyn = dynamical_matrix(fc.pair_terms(), q_inv_A, fc.n_basis)
    w2 = np.linalg.eigvalsh(0.5 * (dyn + np.conj(np.swapaxes(dyn, 1, 2))))
    return np.sign(w2) * np.sqrt(np.abs(w2)) * OMEGA_RAD_S / THZ


def sample_q(a_A: float) -> np.ndarray:
    """Γ, X, L, K and two general points of the cubic zone (rad/Å)."""
    frac = [[0, 0, 0], [0, 0, 1], [0.5, 0.5, 0.5], [0.75, 0.75, 0], [0.1, 0, 0.05],
            [0.3, 0.2, 0.1]]
    return 2 * math.pi / a_A * np.array(frac, dtype=float)


@pytest.fixture(scope="module", params=list(CASES))
def lattice(request):
    element, lat, potential, specorder = CASES[request.param]
    crystal = bulk_crystal(element, lat, potential=potential, specorder=specorder)
    phonon = lammps_phonopy(crystal, displacement_A=DISPLACEMENT_A,
                            min_supercell_A=MIN_SUPERCELL_A)
    return request.param, crystal, phonon, to_force_constants(phonon)


@pytest.mark.lammps
def test_phonopy_matches_central_differences(lattice):
    """Same supercell and displacement: phonopy's symmetry-reduced displacements and the
    plain ±h of every basis atom give the same frequencies (to 1e-3, in fact ~1e-9)."""
    _, crystal, phonon, fc = lattice
    reference = central_difference_force_constants(crystal, displacement_A=DISPLACEMENT_A,
                                                   min_supercell_A=MIN_SUPERCELL_A)
    assert len(phonon.supercell) == len(reference.supercell_positions_A)
    q = sample_q(crystal.lattice_constant_A)
    ours, ref = frequencies_THz(fc, q), frequencies_THz(reference, q)
    top = ref.max()
    assert np.abs(ours - ref).max() < 1e-3 * top
    finite = ref > 0.05 * top
    np.testing.assert_allclose(ours[finite], ref[finite], rtol=1e-3)
    # phonopy's own dynamical matrix (primitive cell): its bands are among the folded
    # bands of the conventional cell at the same q
    omega, _ = group_velocities(phonon, q)
    nu = omega / THZ
    assert np.abs(nu[:, :, None] - ours[:, None, :]).min(axis=2).max() < 1e-6 * top
    np.testing.assert_allclose(sound_velocities(fc), sound_velocities(reference), rtol=1e-4)


@pytest.mark.lammps
def test_acoustic_sum_rule(lattice):
    _, crystal, phonon, fc = lattice
    full = phonon.force_constants
    assert np.abs(full.sum(axis=1)).max() < 1e-10 * np.abs(full).max()  # Σ_J Φ_IJ = 0
    assert np.abs(full - full.transpose(1, 0, 3, 2)).max() < 1e-12 * np.abs(full).max()
    gamma = gamma_frequencies_THz(phonon)
    assert np.abs(gamma[:3]).max() < 1e-4  # ω → 0 at Γ
    assert np.all(gamma[3:] > 1.0)
    # the converted Φ (conventional cell): its Γ holds phonopy's bands at Γ and at the
    # conventional reciprocal lattice vectors (1e-7: phonopy's THz factor against the
    # CODATA constants of analysis.phonons)
    at_gamma = frequencies_THz(fc, np.zeros((1, 3)))[0]
    assert np.abs(at_gamma[:3]).max() < 1e-4
    folded = 2 * math.pi / crystal.lattice_constant_A * np.array(
        [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    omega, _ = group_velocities(phonon, folded[:fc.n_basis // len(phonon.primitive)])
    np.testing.assert_allclose(at_gamma[3:], np.sort((omega / THZ).ravel())[3:], rtol=1e-6)


@pytest.mark.lammps
def test_tetrahedron_dos_holds_3n_modes(lattice):
    _, crystal, phonon, fc = lattice
    dos = tetrahedron_dos(phonon, 16)
    n_prim = dos["atoms_per_cell"]
    assert n_prim == {"fcc": 1, "diamond": 2}[crystal.lattice]
    assert dos["modes_per_cell"] == pytest.approx(3 * n_prim, rel=2e-3)
    assert np.all(dos["dos_s_m3"] >= -1e-12 * dos["dos_s_m3"].max())
    integral = np.trapezoid(dos["dos_s_m3"], dos["omega_rad_s"])
    assert integral == pytest.approx(3 * crystal.number_density_m3, rel=2e-3)
    # the mean frequency of the DOS is the mesh average of analysis.phonons
    mesh = phonon_mesh(fc, 8)
    mean = np.trapezoid(dos["omega_rad_s"] * dos["dos_s_m3"], dos["omega_rad_s"]) / integral
    assert mean == pytest.approx(mesh.omega_rad_s.mean(), rel=5e-3)
    assert dos["omega_max_rad_s"] == pytest.approx(mesh.omega_max_rad_s, rel=0.02)


@pytest.mark.lammps
def test_group_velocities_match_christoffel(lattice):
    """Small q along [100], [110], [111]: the acoustic group velocity vectors are the
    Christoffel group velocities of the potential's own elastic constants."""
    _, crystal, phonon, _ = lattice
    elastic = elastic_constants(crystal, repeat=2)
    stiffness = cubic_stiffness_GPa(elastic.C11_GPa, elastic.C12_GPa, elastic.C44_GPa)
    directions = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=float)
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    phase, _, group = christoffel(stiffness, crystal.density_kg_m3, directions)
    q = 0.01 * 2 * math.pi / crystal.lattice_constant_A * directions
    _, v = group_velocities(phonon, q)
    acoustic = v[:, :3, :]  # (direction, branch, xyz), branches ascending in ω
    # along q, v_g · n is the phase velocity (ω = v(n)|q| at small q)
    np.testing.assert_allclose(np.einsum("dbx,dx->db", acoustic, directions), phase, rtol=0.03)
    # the vectors where the branches are non-degenerate ([100] by symmetry, [110]); in a
    # degenerate pair only the pair's mean is defined, which is along [111]
    np.testing.assert_allclose(acoustic[:2], group[:2], atol=0.03 * phase.max())
    np.testing.assert_allclose(acoustic[2, :2].mean(axis=0), group[2, :2].mean(axis=0),
                               atol=0.03 * phase.max())
    # [100]: v_L = √(C11/ρ), v_T = √(C44/ρ)
    rho = crystal.density_kg_m3
    assert acoustic[0, 2, 0] == pytest.approx(math.sqrt(elastic.C11_GPa * 1e9 / rho), rel=0.03)
    assert acoustic[0, 0, 0] == pytest.approx(math.sqrt(elastic.C44_GPa * 1e9 / rho), rel=0.03)


@pytest.mark.lammps
@pytest.mark.parametrize("lattice", ["si_meam"], indirect=True)
def test_meam_silicon_optical_phonon_at_gamma(lattice):
    """The default potential's known weakness: MEAM Si's Γ optical mode is at 26.6 THz
    (experiment 15.5 THz, Raman 520 cm⁻¹).  Γ is commensurate with every supercell, so the
    value does not depend on its size."""
    _, _, phonon, _ = lattice
    optical = gamma_frequencies_THz(phonon)[3:]
    assert optical == pytest.approx(np.full(3, optical.mean()), rel=1e-8)  # triply degenerate
    assert optical.mean() == pytest.approx(26.64, abs=0.05)
    assert optical.mean() > 1.5 * 15.5


def fcc_spring_phonopy(a_A: float = 3.6, k_eV_A2: float = 2.0, mass_amu: float = 63.5,
                       n: int = 3) -> Phonopy:
    """phonopy object of fcc with nearest-neighbour central springs k (no LAMMPS):
    C11 = 2k/a, C12 = C44 = k/a."""
    unit = bulk("Cu", "fcc", a=a_A, cubic=True)
    unit.set_masses([mass_amu] * len(unit))
    phonon = Phonopy(phonopy_atoms(unit), supercell_matrix=np.diag([n, n, n]),
                     primitive_matrix="F")
    cell = np.array(phonon.supercell.cell)
    pos = np.array(phonon.supercell.positions)
    frac = (pos[None, :, :] - pos[:, None, :]) @ np.linalg.inv(cell)
    d = (frac - np.round(frac)) @ cell
    r = np.linalg.norm(d, axis=-1)
    bond = np.abs(r - a_A / math.sqrt(2)) < 1e-6
    fc = np.zeros((len(pos), len(pos), 3, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        blocks = -k_eV_A2 * d[..., :, None] * d[..., None, :] / (r**2)[..., None, None]
    fc[bond] = blocks[bond]
    fc[np.arange(len(pos)), np.arange(len(pos))] = -fc.sum(axis=1)
    phonon.force_constants = fc
    return phonon


def test_conversion_and_units_on_a_spring_model():
    """Pure: phonopy's Φ in the ForceConstants layout gives phonopy's own bands; the group
    velocity, DOS and frequency units against the exact sound velocities of the model."""
    a, k, m = 3.6, 2.0, 63.5
    phonon = fcc_spring_phonopy(a, k, m)
    fc = to_force_constants(phonon)
    assert fc.n_basis == 4 and fc.phi_eV_A2.shape == (4, 3, len(phonon.supercell), 3)
    np.testing.assert_allclose(fc.basis_A, fc.supercell_positions_A[:4])
    q = sample_q(a)
    ours = frequencies_THz(fc, q)
    omega, _ = group_velocities(phonon, q)
    assert np.abs(omega[:, :, None] / THZ - ours[:, None, :]).min(axis=2).max() < 1e-6 * ours.max()
    # elastic constants k/a in eV/Å³ → Pa; ρ = 4m/a³
    c = k / a * constants.electron_volt / constants.angstrom**3
    rho = 4 * m * constants.atomic_mass / (a * constants.angstrom) ** 3
    q_small = 1e-3 * 2 * math.pi / a * np.array([[0.0, 0.0, 1.0]])
    _, v = group_velocities(phonon, q_small)
    np.testing.assert_allclose(v[0, :3, 2], [math.sqrt(c / rho)] * 2 + [math.sqrt(2 * c / rho)],
                               rtol=1e-5)
    np.testing.assert_allclose(sound_velocities(fc), v[0, :3, 2], rtol=1e-4)
    dos = tetrahedron_dos(phonon, 12)
    assert dos["modes_per_cell"] == pytest.approx(3.0, rel=2e-3)
    assert dos["omega_max_rad_s"] == pytest.approx(phonon_mesh(fc, 12).omega_max_rad_s,
                                                   rel=0.02)
    assert RAD_S_PER_THZ == pytest.approx(THZ) and M_S_PER_THZ_A == pytest.approx(100.0)
