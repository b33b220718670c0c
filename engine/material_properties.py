"""Bulk inputs of the mismatch models, computed with LAMMPS from the potential of the MD.

For one cubic crystal (element, lattice, registry potential) this module gives

* the relaxed lattice constant (:func:`structures.relax_cubic_lattice`), the number
  density and the mass density;
* the elastic constants C11, C12, C44 by finite strain: the relaxed cell is strained by
  ±δ, ±2δ, the atoms are relaxed at fixed cell (the internal, Kleinman relaxation that
  matters for C44 of diamond), and the slope of the LAMMPS stress against strain is
  fitted (quadratic polynomial, so the slope carries its standard error);
* the sound velocities along the transport direction [001]: v_L = sqrt(C11/ρ),
  v_T = sqrt(C44/ρ) (two degenerate transverse branches), e.g. Ashcroft & Mermin ch. 22;
  and, because a cubic crystal is anisotropic (Zener ratio 2C44/(C11 − C12) ≠ 1), the
  direction averages of the Christoffel velocities that the Debye models use
  (:mod:`analysis.elastic`: the Debye velocity 3/v_D³ = ⟨Σ_j v_j⁻³⟩, the mode-count
  branch velocities, the Voigt–Reuss–Hill and the (001)-radiation velocities), with
  standard errors propagated from those of C11, C12, C44 (first order);
* :class:`LammpsCrystal`, the periodic LAMMPS box whose forces the lattice dynamics of
  :mod:`engine.phonopy_forces` uses (phonopy generates the displacements and gives the
  symmetrised force constants, the DOS and the group velocities; the dispersion used by
  the mismatch models is in :mod:`analysis.phonons`).

All values are for the static (0 K) lattice.  Units inside: Å, eV, amu (LAMMPS
``metal``); results leave in SI with the unit in the name (``C11_GPa``, ``v_L_m_s``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from scipy import constants

from analysis.elastic import averaged_velocities, debye_temperature_K
from engine.energy import LammpsEnergy
from engine.lammps_model import LammpsModel
from structures import conventional_cell, relax_cubic_lattice

__all__ = [
    "AVERAGED_KEYS",
    "BulkCrystal",
    "ElasticConstants",
    "LammpsCrystal",
    "averaged_sound",
    "bulk_crystal",
    "elastic_constants",
    "material_properties",
]

GPA_PER_BAR = 1e-4  # [GPa/bar]  LAMMPS metal-units pressure is in bar
KG_PER_AMU = constants.atomic_mass  # [kg/amu]
M3_PER_A3 = constants.angstrom**3  # [m³/Å³]


@dataclass(frozen=True)
class BulkCrystal:
    """A relaxed cubic crystal of one element with a registry potential.

    Attributes
    ----------
    element, lattice
        Element label and ``"fcc"`` / ``"diamond"`` / ``"bcc"``.
    potential
        Registry name of the potential.
    specorder
        LAMMPS type order (the pair's, e.g. ``["Si", "Cu"]``).
    lattice_constant_A
        Relaxed cubic lattice constant (Å).
    mass_amu
        Atomic mass (amu).
    """

    element: str
    lattice: str
    potential: str
    specorder: tuple[str, ...]
    lattice_constant_A: float
    mass_amu: float

    def cell(self) -> Atoms:
        """The conventional cubic cell with the relaxed lattice constant and the mass."""
        return conventional_cell(self.element, self.lattice,
                                 lattice_constant_A=self.lattice_constant_A, mass_amu=self.mass_amu)

    @property
    def number_density_m3(self) -> float:
        """Atoms per m³."""
        return len(self.cell()) / (self.lattice_constant_A**3 * M3_PER_A3)

    @property
    def density_kg_m3(self) -> float:
        """Mass density (kg/m³)."""
        return self.number_density_m3 * self.mass_amu * KG_PER_AMU


def bulk_crystal(element: str, lattice: str, *, potential: str, specorder: list[str] | None = None,
                 mass_amu: float | None = None) -> BulkCrystal:
    """Relax the lattice constant of ``element`` with ``potential`` (LAMMPS, E(a) minimum)."""
    order = list(specorder or [element])
    bulk = relax_cubic_lattice(element, lattice, model=LammpsModel(potential), specorder=order)
    mass = float(mass_amu) if mass_amu else float(conventional_cell(
        element, lattice, lattice_constant_A=bulk.lattice_constant_A).get_masses()[0])
    return BulkCrystal(element, lattice, potential, tuple(order), bulk.lattice_constant_A, mass)


class LammpsCrystal(LammpsEnergy):
    """A periodic (triclinic-capable) LAMMPS box holding a supercell, for stresses and forces.

    Parameters
    ----------
    atoms
        Periodic structure with an orthorhombic cell (Å); masses are written to LAMMPS.
    potential
        Registry name of the potential.
    specorder
        Element of each LAMMPS atom type, in type order.

    Notes
    -----
    A :class:`engine.energy.LammpsEnergy` (serial; a context manager; positions
    in the order of ``atoms``) whose box may be sheared.
    """

    def __init__(self, atoms: Atoms, *, potential: str, specorder: list[str]):
        periodic = atoms.copy()
        periodic.pbc = True
        super().__init__(periodic, potential=potential, specorder=specorder)
        self.atoms = periodic
        self._lmp.commands_list([
            "change_box all triclinic", "neigh_modify every 1 delay 0 check yes",
            "min_style cg", "thermo_style custom step pe pxx pyy pzz pxy pxz pyz"])

    def set_cell(self, cell_A: np.ndarray, positions_A: np.ndarray) -> None:
        """Set a lower-triangular cell (rows a, b, c in Å) and Cartesian positions (Å)."""
        cell = np.asarray(cell_A, dtype=float)
        if abs(cell[0, 1]) + abs(cell[0, 2]) + abs(cell[1, 2]) > 1e-12:
            raise ValueError("LAMMPS needs a lower-triangular cell (a along x, b in the xy plane)")
        (lx, _, _), (xy, ly, _), (xz, yz, lz) = (map(float, row) for row in cell)
        self._lmp.command(f"change_box all x final 0 {lx!r} y final 0 {ly!r} z final 0 {lz!r} "
                          f"xy final {xy!r} xz final {xz!r} yz final {yz!r} units box")
        self.set_positions(positions_A)

    def forces_eV_A(self, positions_A: np.ndarray | None = None) -> np.ndarray:
        """Forces (eV/Å, shape ``(natoms, 3)``) after optionally setting positions (Å)."""
        if positions_A is not None:
            self.set_positions(positions_A)
        self._lmp.command("run 0 post no")
        flat = self._lmp.gather_atoms("f", 1, 3)
        return np.ctypeslib.as_array(flat, shape=(3 * self.natoms,)).reshape(-1, 3).copy()

    def relaxed_stress_GPa(self, *, ftol_eV_A: float = 1e-8) -> np.ndarray:
        """Relax atoms at fixed cell (conjugate gradients); the stress tensor (3x3, GPa).

        Stress is minus the LAMMPS pressure tensor (tension positive); with zero
        velocities it is the virial stress of the static lattice.
        """
        self._lmp.command(f"minimize 0.0 {ftol_eV_A!r} 5000 50000")
        p = {k: float(self._lmp.get_thermo(k)) for k in ("pxx", "pyy", "pzz", "pxy", "pxz", "pyz")}
        pressure = np.array([[p["pxx"], p["pxy"], p["pxz"]],
                             [p["pxy"], p["pyy"], p["pyz"]],
                             [p["pxz"], p["pyz"], p["pzz"]]])
        return -pressure * GPA_PER_BAR


@dataclass(frozen=True)
class ElasticConstants:
    """Cubic elastic constants (GPa) with the standard errors of the stress-strain slopes."""

    C11_GPa: float
    C12_GPa: float
    C44_GPa: float
    C11_se_GPa: float
    C12_se_GPa: float
    C44_se_GPa: float

    def as_dict(self) -> dict:
        """Plain dict (JSON)."""
        return dict(self.__dict__)


def _slope(strains: np.ndarray, stresses: np.ndarray) -> tuple[float, float]:
    """Slope at zero strain of a quadratic fit, and its standard error."""
    coef, cov = np.polyfit(strains, stresses, 2, cov="unscaled")
    resid = stresses - np.polyval(coef, strains)
    dof = max(len(strains) - 3, 1)
    sigma2 = max(float(resid @ resid) / dof, np.finfo(float).eps * float(np.max(np.abs(stresses)))**2)
    return float(coef[1]), float(math.sqrt(cov[1, 1] * sigma2))


def elastic_constants(crystal: BulkCrystal, *, strain: float = 2e-3, repeat: int = 3) -> ElasticConstants:
    """C11, C12, C44 of a cubic crystal by finite strain with internal relaxation.

    The deformation gradients are F = 1 + ε e_x e_x (normal strain along x:
    C11 = ∂σxx/∂εxx, C12 = ∂σyy/∂εxx) and F = 1 + γ e_x e_y (a simple shear, LAMMPS
    tilt xy = γ L_y: C44 = ∂σxy/∂γ with the engineering strain γ = 2ε_xy; the rotation
    it contains changes the stress only at second order).  Strains are 0, ±δ, ±2δ;
    the atoms are relaxed at each strain (Nye, *Physical Properties of Crystals*, 1957;
    the inner relaxation is the Kleinman term of diamond's C44).

    Parameters
    ----------
    crystal
        Relaxed crystal (:func:`bulk_crystal`).
    strain
        δ, the smallest strain magnitude.
    repeat
        Conventional cells per direction of the periodic box.
    """
    atoms = crystal.cell().repeat(repeat)
    ref_cell = np.array(atoms.cell)
    frac = atoms.get_scaled_positions()
    steps = strain * np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    normal, shear = [], []
    with LammpsCrystal(atoms, potential=crystal.potential, specorder=list(crystal.specorder)) as box:
        for eps in steps:
            for grad, store in (((0, 0), normal), ((0, 1), shear)):
                deform = np.eye(3)
                deform[grad] += eps  # F; the cell rows transform as rows @ F^T
                cell = ref_cell @ deform.T
                box.set_cell(cell, frac @ cell)
                store.append(box.relaxed_stress_GPa())
    normal, shear = np.array(normal), np.array(shear)
    c11 = _slope(steps, normal[:, 0, 0])
    c12 = _slope(steps, normal[:, 1, 1])
    c44 = _slope(steps, shear[:, 0, 1])
    return ElasticConstants(c11[0], c12[0], c44[0], c11[1], c12[1], c44[1])


#: Direction-averaged quantities of :func:`averaged_sound` and their attributes in
#: :class:`analysis.elastic.DirectionalVelocities`.
AVERAGED_KEYS = {"v_D_m_s": "debye_m_s", "v_L_avg_m_s": "longitudinal_m_s",
                 "v_T_avg_m_s": "transverse_m_s", "v_L_hill_m_s": "hill_longitudinal_m_s",
                 "v_T_hill_m_s": "hill_transverse_m_s",
                 "v_L_radiation_001_m_s": "radiation_longitudinal_m_s",
                 "v_T_radiation_001_m_s": "radiation_transverse_m_s"}


def averaged_sound(elastic: dict, density_kg_m3: float, number_density_m3: float) -> dict:
    """Direction-averaged velocities of a cubic crystal with first-order standard errors.

    ``elastic`` holds C11/C12/C44 and their standard errors (GPa).  Each velocity v of
    :data:`AVERAGED_KEYS` gets ``<name>`` and ``<name without _m_s>_se_m_s`` from the
    central-difference gradient ∂v/∂C (steps of 1e-4 C) and independent C errors; the
    elastic Debye temperature Θ_D = ħ v_D (6π²n)^{1/3}/k_B gets
    ``debye_temperature_elastic_K`` and ``debye_temperature_elastic_se_K``; also the Zener
    ratio, Anderson's (Hill) Θ_D and the [001] Θ_D (``debye_temperature_001_K``, from
    √(C11/ρ), √(C44/ρ), for comparison), and the (T1, T2, L) velocities along [001],
    [110], [111] (``velocities_axes_m_s``; the extremes of each branch lie on them).
    """
    names = ("C11_GPa", "C12_GPa", "C44_GPa")
    base = np.array([float(elastic[k]) for k in names])
    se = np.array([float(elastic.get(k.replace("_GPa", "_se_GPa")) or 0.0) for k in names])

    def values(c: np.ndarray) -> np.ndarray:
        avg = averaged_velocities(*c, density_kg_m3)
        return np.array([getattr(avg, attr) for attr in AVERAGED_KEYS.values()])

    nominal = averaged_velocities(*base, density_kg_m3)
    grad = []
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-4 * abs(base[i])
        grad.append((values(base + step) - values(base - step)) / (2 * step[i]))
    spread = np.sqrt(np.sum((np.array(grad) * se[:, None]) ** 2, axis=0))
    out = {}
    for (key, attr), s in zip(AVERAGED_KEYS.items(), spread, strict=True):
        out[key] = float(getattr(nominal, attr))
        out[key.replace("_m_s", "_se_m_s")] = float(s)
    v_001 = (3 / (1 / nominal.axis_longitudinal_m_s**3
                  + 2 / nominal.axis_transverse_m_s**3)) ** (1 / 3)
    theta = debye_temperature_K(out["v_D_m_s"], number_density_m3)
    return {**out, "zener_ratio": float(nominal.zener_ratio),
            "debye_temperature_elastic_K": theta,
            "debye_temperature_elastic_se_K": theta * out["v_D_se_m_s"] / out["v_D_m_s"],
            "debye_temperature_hill_K": debye_temperature_K(nominal.hill_debye_m_s(),
                                                            number_density_m3),
            "debye_temperature_001_K": debye_temperature_K(v_001, number_density_m3),
            "velocities_axes_m_s": {k: list(v) for k, v in nominal.axes_m_s.items()}}


def material_properties(crystal: BulkCrystal, *, strain: float = 2e-3, repeat: int = 3) -> dict:
    """Density, elastic constants and sound velocities of ``crystal`` (SI, JSON-ready).

    v_L = sqrt(C11/ρ) and v_T = sqrt(C44/ρ) are the exact long-wavelength velocities
    along [001] of a cubic crystal (Christoffel equation; Ashcroft & Mermin, ch. 22).
    Their standard errors follow from those of C11, C44 (first order).  The direction
    averages for the Debye models, the elastic Θ_D and the Zener ratio come from
    :func:`averaged_sound`.
    """
    elastic = elastic_constants(crystal, strain=strain, repeat=repeat)
    rho = crystal.density_kg_m3
    v_l = math.sqrt(elastic.C11_GPa * 1e9 / rho)
    v_t = math.sqrt(elastic.C44_GPa * 1e9 / rho)
    return {
        "element": crystal.element, "lattice": crystal.lattice, "potential": crystal.potential,
        "lattice_constant_A": crystal.lattice_constant_A, "mass_amu": crystal.mass_amu,
        "number_density_m3": crystal.number_density_m3, "density_kg_m3": rho,
        **elastic.as_dict(),
        "v_L_m_s": v_l, "v_T_m_s": v_t,
        "v_L_se_m_s": 0.5 * v_l * elastic.C11_se_GPa / elastic.C11_GPa,
        "v_T_se_m_s": 0.5 * v_t * elastic.C44_se_GPa / elastic.C44_GPa,
        **averaged_sound(elastic.as_dict(), rho, crystal.number_density_m3),
    }
