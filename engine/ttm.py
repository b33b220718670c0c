"""Two-temperature NEMD: electrons in the metal of a metal/non-metal interface.

Classical MD has no conduction electrons.  This driver adds them to the metal side with
LAMMPS ``fix ttm/mod`` (EXTRA-FIX; Duffy & Rutherford, J. Phys.: Condens. Matter 19,
016207 (2007); Pisarev & Starikov, ibid. 26, 475401 (2014)): a continuum electron
temperature T_e on a grid, an inhomogeneous Langevin coupling of each atom to the T_e of
its cell, and an explicit finite-difference heat equation for the electrons,

    C_e dT_e/dt = d/dx (κ_e dT_e/dx) + S(x) − (energy given to the atoms of the cell)/V_cell.

What ``fix ttm/mod`` does (read in ``src/EXTRA-FIX/fix_ttm_mod.cpp`` and checked on the
installed LAMMPS 22 Jul 2025 by small runs):

* The grid is Nx × Ny × Nz cells over the whole (fully periodic, orthogonal, fixed) box;
  an atom belongs to cell ``int((x − xlo)/dx)`` (lower-left assignment, as ``compute
  chunk/atom bin/1d x lower dx`` bins it).
* Atoms of the fix group in cells ``surface_l <= ix < surface_r`` (the parameter file's
  ``lsurface``/``rsurface``, cells along x) get the friction −γ_p v and a uniform noise of
  variance 2 k_B T_e γ_p/dt per component; other atoms get no force.  The energy each atom
  receives, f·v per step, is removed from its cell's electrons.
* A cell with T_e = 0 is vacuum: its temperature never changes and no heat flows into or
  out of it (each neighbour term of the stencil is switched off when that neighbour is 0).
  So electrons exist only where the initial grid (``infile``) has T_e > 0, and the metal's
  ends are insulating (zero-flux) boundaries of the electron heat equation.
* C_e(T_e) = ρ_e (a_0 + a_1 X + … + a_4 X⁴) exp(−(A X)²) + ρ_e C_0 with X = T_e/1000 K, and
  κ_e = D_e C_e (the file gives ρ_e, a_i, C_0, A and the diffusivity D_e).  Here C_e and
  κ_e are constant (:func:`ttm_mod_parameters`).
* A source S = I_0/(dx l_skin) exp(−(ix − surface_l)/l_skin) (eV ps⁻¹ Å⁻³) heats cells
  ``ix >= surface_l`` for a time τ, l_skin counted in *cells*; vacuum cells ignore it.  So
  the power entering the electrons is I_0 (A/l_skin) Σ_k exp(−k/l_skin) over the n_e
  electron cells, exactly (checked to 1e-12 on a test grid).
* Output: ``f_ID[1]`` is the electrons' energy ∫C_e dT_e summed over cells (eV), ``f_ID[2]``
  the energy given to the atoms during the *last step* (eV; not cumulative); ``outfile N
  name`` writes the grid (``ix iy iz T_e``, indices from 1) to ``name.<step>`` every N steps.
  There is no per-cell output vector, so the electron profile is time-averaged from those
  snapshots after the run.

Relation between the electron–phonon coupling factor and the friction.  An atom of mass m
in contact with electrons at T_e gains kinetic energy at the rate
d⟨E_k⟩/dt = −(2γ_p/m) E_k + 3 γ_p k_B T_e/m = (3 k_B γ_p/m)(T_e − T_a), so n metal atoms per
volume exchange G (T_e − T_a) per volume when

    γ_p = G m / (3 n k_B)        [amu/ps] = [eV ps⁻¹ Å⁻³ K⁻¹] [amu] / ([Å⁻³] [eV/K]).

Construction.  ``fix ttm/mod`` bounds the electrons by cell indices along x and needs a box
periodic in x, y and z, whereas the project's stacks are built along z with fixed z
boundaries.  The relaxed stack is therefore rewritten for this run (``ttm.data``): the
stack axis becomes x (x' = s, y' = x, z' = y, with s = z, or s = z_max − z when the metal is
side B so that the metal is always at low x: a mirror image, which leaves the energy of
these scalar potentials unchanged); the box is periodic along x with a vacuum gap of at
least ``vacuum_gap_A`` between the two fixed end layers (they are frozen and the gap is
longer than the cut-off, so the periodic images do not interact); the grid is 1 × 1 along
y and z (each cell is a whole slab of the cross-section) and its x spacing dx is chosen so
that the electron cells cover exactly the mobile metal, from the metal's fixed-layer cut to
the interface (midway between the outermost metal and non-metal planes).  Along x::

    | gap | fixed | metal (electrons; source in the first cells) | interface | non-metal | sink | fixed | gap |

Heat enters through the electrons: the ``fix ttm/mod`` source with l_skin = 1 cell puts the
power ``source_electron_fraction`` × P into the first electron cells (the remainder, if
any, enters the lattice of a metal slab next to the fixed layer by eHEX), and the same
power P = J A leaves through an eHEX sink (Wirnsberger, Frenkel & Dellago, J. Chem. Phys.
143, 124104 (2015)) in the non-metal's far end.  Far from an interface a metal carries the
heat mostly by electrons (κ_e/(κ_e + κ_p) of it); injecting it into the electrons
reproduces that and is the boundary condition of the steady two-temperature model of
:mod:`analysis.two_temperature` (κ_p T_p' = 0 at the far end).  The electrons cannot cross
into the non-metal, so the heat passes to the lattice within a coupling length
ℓ = sqrt(κ_e κ_p/(G (κ_e + κ_p))) of the interface: the metal should be several ℓ long for
the interfacial non-equilibrium to be that of a thick metal.

Sampling (no per-step Python): the lattice temperature in the grid's own cells by ``fix
ave/chunk``; the electron grid every ``electron_sample_every_ps`` from the fix's outfile;
the energies at each window end (atoms' pe + ke, the electrons' f_ID[1]) and the energy
the electrons gave the atoms in each window (the window mean of f_ID[2] × its steps) by
``fix ave/time``.  The source and sink energies are imposed exactly (P t).  The raw data
(:data:`DONE_FILE`) allow the energy balance of each subsystem to be checked:
ΔE_e = E_source,e − E_transfer and ΔE_atoms = E_transfer + E_source,lattice − E_sink.

Electron noise.  The coupling is a Langevin bath of finite heat capacity, so the electrons
of a cell fluctuate like any small body, δT_e/T_e ~ sqrt(k_B/C_cell).  Electrons hold about
1 % of a metal's heat capacity at 300 K (Cu: C_e = γT = 2.9e4 vs 3.5e6 J m⁻³K⁻¹), so a
cell of a few hundred atoms has C_cell of a few k_B: T_e fluctuates by tens of per cent, and
``fix ttm/mod`` stops with "Electronic temperature dropped below zero" when a cell is too
small.  Use wide cells (``electron_cell_A``) and cross-sections; κ_e spreads a fluctuation
over the whole metal within picoseconds.

Units: metal (eV, Å, ps, K, amu) inside; electronic parameters come in SI
(:mod:`potentials.electrons`) and are converted once, by :func:`ttm_mod_parameters`.

Run as ``python -m engine.ttm --structure relaxed.data --info relaxed.json --settings
'{json}' --outdir DIR``.

Checkpoints.  During the production LAMMPS writes two toggling restart files every
``restart_every_ps`` (a whole number of sampling windows), and a SIGINT/SIGTERM stops the
run at the end of a window with a checkpoint (:mod:`engine.run_state`, as for NEMD).  The
electron grid is not taken from the restart file: ``fix ttm/mod`` writes it every
electron sample (``electron_grid/Te.<step>``), and a resumed segment starts the electrons
from the grid of its checkpoint's step, the atoms from the restart file, with new noise
seeds.  Each segment writes its own sample files (``<name>.<segment>.dat``); they are
stitched as the NEMD driver's are.  A run killed during the rotation or the equilibration
starts again from the beginning.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from scipy import constants

from analysis.units import J_PER_EV, M_PER_A, S_PER_PS, W_M2_PER_EV_PS_A2, W_MK_PER_EV_PS_A_K
from engine.atomic_io import save_npz, write_json, write_text
from engine.lammps_setup import load_structure, sample_every_steps
from engine.provenance import provenance_record
from engine.run_state import (
    RESTART_NAMES,
    SampleFiles,
    driver_main,
    prepare_run,
    production_segments,
    run_fingerprint,
    run_production,
    stitched_rows,
)
from engine.runtime import mpi_world, new_lammps, run_entry_point
from potentials import get_potential
from potentials import provenance as potential_provenance

__all__ = ["ELECTRON_FIELDS", "TtmSettings", "electron_inputs", "energy_balance",
           "g_ep_to_metal", "gamma_to_metal", "kappa_to_metal", "read_electron_grid",
           "run_ttm_nemd", "source_intensity", "ttm_mod_parameters"]

DONE_FILE = "raw.npz"
#: SI electronic parameters a metal needs (see :mod:`potentials.electrons`).
ELECTRON_FIELDS = ("gamma_J_m3K2", "kappa_e_W_mK", "G_ep_W_m3K")
#: Boltzmann constant [eV/K].
K_B_EV_K = constants.k / constants.e
#: Volumetric quantities: 1 m⁻³ in Å⁻³.  [Å⁻³ / m⁻³]
_PER_M3_IN_PER_A3 = M_PER_A**3
#: Gap (Å) between two atomic planes below which atoms count as one plane.
_PLANE_GAP_A = 0.5
#: Lines of the fix ttm/mod parameter file, in order (label, key of the value).
_TTM_FILE_KEYS = ("a_0", "a_1", "a_2", "a_3", "a_4", "C_0", "A", "rho_e", "D_e", "gamma_p",
                  "gamma_s", "v_0", "I_0", "lsurface", "rsurface", "l_skin", "tau", "B",
                  "lambda", "n_ion", "surface_movement", "T_e_min")


# ---------------------------------------------------------------------------- units


def g_ep_to_metal(G_W_m3K: float) -> float:
    """Electron–phonon coupling factor from W m⁻³ K⁻¹ to eV ps⁻¹ Å⁻³ K⁻¹."""
    return G_W_m3K / J_PER_EV * S_PER_PS * _PER_M3_IN_PER_A3


def kappa_to_metal(kappa_W_mK: float) -> float:
    """Thermal conductivity from W m⁻¹ K⁻¹ to eV ps⁻¹ Å⁻¹ K⁻¹."""
    return kappa_W_mK / W_MK_PER_EV_PS_A_K


def gamma_to_metal(gamma_J_m3K2: float) -> float:
    """Sommerfeld coefficient per volume from J m⁻³ K⁻² to eV Å⁻³ K⁻²."""
    return gamma_J_m3K2 / J_PER_EV * _PER_M3_IN_PER_A3


def electron_inputs(electrons: Mapping | None, metal: str) -> dict[str, float]:
    """SI electronic parameters of ``metal``: from ``electrons`` when given, else from the
    registry (:func:`potentials.electrons.electron_parameters`).

    Raises ValueError naming a missing or non-positive field.
    """
    if electrons is None:
        from potentials.electrons import electron_parameters

        params = electron_parameters(metal)
        return {name: float(getattr(params, name)) for name in ELECTRON_FIELDS}
    missing = [name for name in ELECTRON_FIELDS if name not in electrons]
    if missing:
        raise ValueError(f"electrons for metal '{metal}' lack {', '.join(missing)} "
                         f"(SI: C_e = gamma_J_m3K2 T, kappa_e_W_mK, G_ep_W_m3K)")
    out = {}
    for name in ELECTRON_FIELDS:
        value = float(electrons[name])
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"electrons.{name} = {electrons[name]!r} must be positive")
        out[name] = value
    return out


def ttm_mod_parameters(electrons: Mapping, *, atom_density_A3: float, mass_amu: float,
                       T_ref_K: float) -> dict[str, float]:
    """The material part of a ``fix ttm/mod`` parameter file, in metal units.

    C_e = γ T_ref and κ_e are taken constant, at the run's temperature T_ref: a NEMD cell
    departs from T_ref by a few per cent, and the steady profiles do not depend on C_e at
    all.  (A C_e = γ T_e through a_1 is not usable with vacuum cells in the installed
    version: their C_e(0) = 0 enters its stability bound and the electron solver stalls
    with "Too many inner timesteps".)

    Parameters
    ----------
    electrons : mapping
        SI parameters: ``gamma_J_m3K2`` (C_e = γ T, J m⁻³ K⁻²), ``kappa_e_W_mK`` (κ_e at
        ``T_ref_K``, W m⁻¹ K⁻¹), ``G_ep_W_m3K`` (W m⁻³ K⁻¹).
    atom_density_A3 : float
        Number density n of the metal atoms that carry the coupling (Å⁻³).
    mass_amu : float
        Their mass m (amu).
    T_ref_K : float
        Temperature at which C_e = γ T_ref is taken (K).

    Returns
    -------
    dict
        ``a_0`` … ``a_4`` = 0 and ``A`` = 0 (no T_e dependence), ``C_0`` = γ T_ref/ρ_e (eV
        K⁻¹ per electron), ``rho_e`` = n (Å⁻³; one electron per metal atom, only the
        product ρ_e C_0 = C_e matters), ``D_e`` = κ_e/C_e (Å² ps⁻¹), ``gamma_p`` =
        G m/(3 n k_B) (amu ps⁻¹), ``n_ion`` = n (Å⁻³), and for the record ``C_e_eV_A3K``,
        ``kappa_e_eV_psAK``, ``G_eV_psA3K`` (the SI inputs in metal units).
    """
    if min(atom_density_A3, mass_amu, T_ref_K) <= 0:
        raise ValueError("atom density, mass and reference temperature must be positive")
    e = electron_inputs(electrons, "?")
    c_e = gamma_to_metal(e["gamma_J_m3K2"]) * T_ref_K  # eV Å⁻³ K⁻¹
    kappa = kappa_to_metal(e["kappa_e_W_mK"])  # eV ps⁻¹ Å⁻¹ K⁻¹
    G = g_ep_to_metal(e["G_ep_W_m3K"])  # eV ps⁻¹ Å⁻³ K⁻¹
    return {**{f"a_{i}": 0.0 for i in range(5)}, "C_0": c_e / atom_density_A3, "A": 0.0,
            "rho_e": atom_density_A3, "D_e": kappa / c_e,
            "gamma_p": G * mass_amu / (3.0 * atom_density_A3 * K_B_EV_K),
            "n_ion": atom_density_A3, "C_e_eV_A3K": c_e, "kappa_e_eV_psAK": kappa,
            "G_eV_psA3K": G}


def source_intensity(power_eV_ps: float, area_A2: float, n_cells: int, skin_cells: int = 1
                     ) -> float:
    """``I_0`` (eV ps⁻¹ Å⁻²) of ``fix ttm/mod`` that puts ``power_eV_ps`` into ``n_cells``
    electron cells: the fix gives cell k the power I_0 (A/l_skin) exp(−k/l_skin)."""
    weights = np.exp(-np.arange(n_cells) / skin_cells).sum()
    return power_eV_ps * skin_cells / (area_A2 * weights)


def ttm_parameter_file(material: Mapping, *, intensity: float, surface_l: int,
                       surface_r: int) -> str:
    """Text of a ``fix ttm/mod`` parameter file: label lines alternate with value lines.

    No electronic stopping (γ_s = 0), no electron pressure (B = 0), a fixed vacuum border
    (surface_movement = 0), no temperature floor (T_e_min = 0: vacuum cells stay at 0), a
    source of l_skin = 1 cell lasting for ever (τ = 1e30 ps).
    """
    values = {**material, "gamma_s": 0.0, "v_0": 1.0e10, "I_0": intensity,
              "lsurface": int(surface_l), "rsurface": int(surface_r), "l_skin": 1,
              "tau": 1.0e30, "B": 0.0, "lambda": 1.0, "surface_movement": 0, "T_e_min": 0.0}
    lines = []
    for key in _TTM_FILE_KEYS:
        value = values[key]
        lines += [f"{key} (metal units)", str(value) if isinstance(value, int) else repr(float(value))]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- settings


class TtmSettings:
    """Validated two-temperature NEMD settings (times ps, lengths Å, T K, SI electrons).

    Every key in :attr:`KEYS` must be given (there are no defaults here).  ``electrons`` is
    a mapping of SI parameters (:data:`ELECTRON_FIELDS`) or None for the registry's values
    of ``metal``.
    """

    KEYS = ("potential", "specorder", "metal", "electrons", "temperature_K", "timestep_fs",
            "seeds", "langevin_damping_ps", "equilibration_ps", "production_ps",
            "sample_every_ps", "electron_sample_every_ps", "heat_flux_W_m2",
            "source_electron_fraction", "fixed_thickness_A",
            "bath_thickness_A", "electron_cell_A", "vacuum_gap_A", "electron_capacity_factor",
            "restart_every_ps")

    def __init__(self, settings: Mapping):
        missing = [key for key in self.KEYS if key not in settings]
        if missing:
            raise ValueError(f"TTM settings lack {', '.join(missing)}: the driver has no "
                             "defaults")
        self.raw = dict(settings)
        self.potential = str(settings["potential"])
        self.specorder = list(settings["specorder"])
        self.metal = settings["metal"]
        if self.metal not in self.specorder:
            raise ValueError(f"metal = {self.metal!r} is not one of specorder "
                             f"{self.specorder}: no metal side to put electrons in")
        if len(self.specorder) != 2:
            raise ValueError(f"specorder = {self.specorder}: a TTM interface has exactly two "
                             "species, the metal and the non-metal")
        self.capacity_factor = float(settings["electron_capacity_factor"])
        if not self.capacity_factor >= 1.0:
            raise ValueError(f"electron_capacity_factor = {self.capacity_factor} must be >= 1")
        self.electrons = electron_inputs(settings["electrons"], self.metal)
        # C_e scaled, κ_e kept: the steady profiles depend on κ_e and G_ep only, while the
        # electron-temperature noise of a cell falls as 1/sqrt(C_e) (module docstring)
        self.electrons_run = {**self.electrons,
                              "gamma_J_m3K2": self.electrons["gamma_J_m3K2"] * self.capacity_factor}
        self.temperature_K = self._positive(settings, "temperature_K")
        self.timestep_ps = self._positive(settings, "timestep_fs") * 1e-3
        self.damping_ps = self._positive(settings, "langevin_damping_ps")
        self.seeds = {k: int(v) for k, v in settings["seeds"].items()}
        for name in ("velocity", "equilibration", "ttm"):
            if self.seeds.get(name, 0) <= 0:
                raise ValueError(f"seeds.{name} must be a positive integer")
        self.heat_flux_W_m2 = self._positive(settings, "heat_flux_W_m2")
        self.electron_fraction = float(settings["source_electron_fraction"])
        if not 0.0 <= self.electron_fraction <= 1.0:
            raise ValueError(f"source_electron_fraction = {self.electron_fraction} must be "
                             "in [0, 1]")
        self.fixed_A = self._positive(settings, "fixed_thickness_A")
        self.bath_A = self._positive(settings, "bath_thickness_A")
        self.cell_A = self._positive(settings, "electron_cell_A")
        self.gap_A = self._positive(settings, "vacuum_gap_A")
        self.sample_steps = self._steps(self._positive(settings, "sample_every_ps"))
        self.sample_every = sample_every_steps(self.sample_steps)
        electron_steps = self._steps(self._positive(settings, "electron_sample_every_ps"))
        if self.sample_steps % electron_steps:
            raise ValueError("electron_sample_every_ps must divide sample_every_ps")
        self.electron_steps = electron_steps
        self.equilibration_steps = self._windows(float(settings["equilibration_ps"]))
        self.production_steps = self._windows(self._positive(settings, "production_ps"))
        self.restart_steps = self._windows(self._positive(settings, "restart_every_ps"))

    @staticmethod
    def _positive(settings: Mapping, key: str) -> float:
        value = settings[key]
        if value is None or not float(value) > 0:
            raise ValueError(f"{key} = {value!r} must be positive")
        return float(value)

    def _steps(self, time_ps: float) -> int:
        return max(1, round(time_ps / self.timestep_ps))

    def _windows(self, time_ps: float) -> int:
        """A duration as whole sampling windows of steps (at least one)."""
        n = self.sample_steps
        return max(n, -(-self._steps(time_ps) // n) * n)

    @property
    def total_steps(self) -> int:
        return self.equilibration_steps + self.production_steps


# ---------------------------------------------------------------------------- geometry


def _num(value) -> str:
    """A number as LAMMPS input text, exactly (NumPy scalars too)."""
    return repr(float(value))


def _plane_cut(x: np.ndarray, target: float) -> float:
    """The midpoint between two atomic planes nearest ``target`` (or ``target`` itself
    when the atoms ``x`` form no planes there)."""
    xs = np.sort(x)
    gaps = np.diff(xs)
    mids = 0.5 * (xs[1:] + xs[:-1])[gaps > _PLANE_GAP_A]
    if len(mids) == 0:
        return float(target)
    return float(mids[np.argmin(np.abs(mids - target))])


def stack_layout(s: np.ndarray, types: np.ndarray, metal_type: int,
                 settings: TtmSettings) -> dict:
    """Map stack coordinates ``s`` (Å, along the old z) to the TTM run's x and lay out the
    grid, fixed layers, source and sink.

    Returns x (Å, per atom), box length ``Lx_A``, grid ``nx``, ``dx_A``, electron cells
    [``surface_l``, ``surface_r``), and the region bounds (Å).  Raises ValueError when
    there is no metal side, or when the regions do not fit.
    """
    is_metal = types == metal_type
    if not is_metal.any():
        raise ValueError(f"metal: the structure has no atom of type {metal_type} "
                         f"({settings.metal}): no metal side")
    if is_metal.all():
        raise ValueError("metal: every atom is metal: no non-metal side")
    if s[is_metal].max() < s[~is_metal].min():
        x = s - s.min()
    elif s[is_metal].min() > s[~is_metal].max():
        x = s.max() - s  # mirror: the metal goes to low x
    else:
        raise ValueError("metal: the metal atoms do not form one side of the stack")
    x_metal, x_other = x[is_metal], x[~is_metal]
    interface = 0.5 * (x_metal.max() + x_other.min())
    cut_m = _plane_cut(x_metal, x.min() + settings.fixed_A)
    cut_n = _plane_cut(x_other, x.max() - settings.fixed_A)
    sink_lo = _plane_cut(x_other, cut_n - settings.bath_A)
    source_hi = _plane_cut(x_metal, cut_m + settings.bath_A)
    if not (cut_m < source_hi < interface < sink_lo < cut_n):
        raise ValueError(
            f"fixed_thickness_A + bath_thickness_A = {settings.fixed_A + settings.bath_A} Å "
            "leaves no free region between the baths and the interface: make the sides "
            "longer or the baths thinner")
    n_e = max(2, round((interface - cut_m) / settings.cell_A))
    dx = (interface - cut_m) / n_e
    k0 = math.ceil((cut_m + settings.gap_A / 2) / dx)  # cells before the electrons
    shift = k0 * dx - cut_m
    x = x + shift
    nx = math.ceil((x.max() + settings.gap_A / 2) / dx)
    return {"x_A": x, "Lx_A": nx * dx, "nx": nx, "dx_A": dx, "surface_l": k0,
            "surface_r": k0 + n_e, "x_interface_A": interface + shift,
            "fixed_cuts_A": [cut_m + shift, cut_n + shift],
            "source_region_A": [cut_m + shift, source_hi + shift],
            "sink_region_A": [sink_lo + shift, cut_n + shift],
            "metal_at_high_z": bool(s[is_metal].min() > s[~is_metal].max())}


def _write_data_file(path: Path, layout: dict, types: np.ndarray, lateral: np.ndarray,
                     masses: list[float]) -> None:
    """LAMMPS data file of the rotated stack: x' = stack axis, y' = old x, z' = old y."""
    (ylo, yhi), (zlo, zhi) = (map(_num, pair) for pair in lateral)
    lines = ["LAMMPS data file: interface rotated for fix ttm/mod (engine.ttm)", "",
             f"{len(types)} atoms", f"{len(masses)} atom types", "",
             f"0.0 {_num(layout['Lx_A'])} xlo xhi", f"{ylo} {yhi} ylo yhi",
             f"{zlo} {zhi} zlo zhi", "", "Masses", ""]
    lines += [f"{i + 1} {_num(m)}" for i, m in enumerate(masses)]
    lines += ["", "Atoms # atomic", ""]
    x, y, z = layout["x_A"], layout["y_A"], layout["z_A"]
    lines += [f"{i + 1} {int(t)} {_num(x[i])} {_num(y[i])} {_num(z[i])}"
              for i, t in enumerate(types)]
    write_text(path, "\n".join(lines) + "\n")


def rotate_structure(structure: Path, settings: TtmSettings, outdir: Path, comm) -> dict:
    """Read the relaxed stack, lay it out along x for ``fix ttm/mod`` and write
    ``ttm.data`` (rank 0); return the layout (every rank).  No MD."""
    lmp = new_lammps(comm=comm, log_file=outdir / "log.rotate.lammps")
    try:
        load_structure(lmp, data_file=structure, potential=settings.potential,
                       specorder=settings.specorder)
        boxlo, boxhi, xy, yz, xz = lmp.extract_box()[:5]
        if any(abs(t) > 1e-12 for t in (xy, yz, xz)):
            raise ValueError("structure: a triclinic cell cannot be used with fix ttm/mod")
        pos = np.asarray(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3)
        types = np.asarray(lmp.gather_atoms("type", 0, 1)).astype(int)
        mass = lmp.extract_atom("mass")
        masses = [float(mass[i + 1]) for i in range(len(settings.specorder))]
    finally:
        lmp.close()
    metal_type = settings.specorder.index(settings.metal) + 1
    layout = stack_layout(pos[:, 2], types, metal_type, settings)
    layout["y_A"], layout["z_A"] = pos[:, 0], pos[:, 1]
    if layout["metal_at_high_z"]:  # keep the cell right-handed after the mirror in x
        layout["y_A"] = boxhi[0] + boxlo[0] - pos[:, 0]
    lateral = np.array([[boxlo[0], boxhi[0]], [boxlo[1], boxhi[1]]])
    if comm is None or comm.Get_rank() == 0:
        _write_data_file(outdir / "ttm.data", layout, types, lateral, masses)
    if comm is not None:
        comm.Barrier()
    is_metal = types == metal_type
    x = layout["x_A"]
    mobile_metal = is_metal & (x > layout["fixed_cuts_A"][0]) & (x < layout["x_interface_A"])
    area = float((boxhi[0] - boxlo[0]) * (boxhi[1] - boxlo[1]))
    volume = area * (layout["x_interface_A"] - layout["fixed_cuts_A"][0])
    geometry = {k: v for k, v in layout.items() if k not in ("x_A", "y_A", "z_A")}
    geometry.update({"area_A2": area, "metal_type": metal_type,
                     "metal_mass_amu": masses[metal_type - 1],
                     "metal_atom_density_A3": float(mobile_metal.sum()) / volume,
                     "n_atoms": len(types)})
    return geometry


# ---------------------------------------------------------------------------- LAMMPS


def _electron_grid_text(geometry: dict, temperature_K: float) -> str:
    """Initial ``infile``: T at the electron cells, 0 (vacuum) elsewhere."""
    lo, hi = geometry["surface_l"], geometry["surface_r"]
    rows = [f"{ix + 1} 1 1 {_num(temperature_K if lo <= ix < hi else 0.0)}"
            for ix in range(geometry["nx"])]
    return "# UNITS: metal COMMENT: initial electron temperatures (engine.ttm)\n" + \
        "\n".join(rows) + "\n"


def _region_commands(geometry: dict, metal_type: int) -> str:
    cut_lo, cut_hi = geometry["fixed_cuts_A"]
    src, sink = geometry["source_region_A"], geometry["sink_region_A"]
    return f"""
        region fixed_lo block INF {_num(cut_lo)} INF INF INF INF units box
        region fixed_hi block {_num(cut_hi)} INF INF INF INF INF units box
        region source_r block {_num(src[0])} {_num(src[1])} INF INF INF INF units box
        region sink_r block {_num(sink[0])} {_num(sink[1])} INF INF INF INF units box
        group fixed region fixed_lo
        group fixed region fixed_hi
        group mobile subtract all fixed
        group source region source_r
        group sink region sink_r
        group metal_all type {metal_type}
        group electron_atoms intersect metal_all mobile
    """


def _ttm_fix(name: str, param_file: Path, geometry: dict, seed: int, infile: Path,
             outfile: Path, out_every: int) -> str:
    return (f"fix ttm electron_atoms ttm/mod {seed} {param_file} {geometry['nx']} 1 1 "
            f"infile {infile} outfile {out_every} {outfile}")


def read_electron_grid(path: Path, nx: int) -> np.ndarray:
    """Electron temperatures (K, shape (nx,)) of a 1 × 1 × nx ``fix ttm/mod`` grid file."""
    table = np.loadtxt(path, comments="#", ndmin=2)
    if table.shape != (nx, 4):
        raise RuntimeError(f"{path}: expected {nx} grid rows of 4 columns, got {table.shape}")
    temperature = np.zeros(nx)
    temperature[table[:, 0].astype(int) - 1] = table[:, 3]
    return temperature


def _read_chunks(path: Path, nx: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(step (n,), count (n, nx), temperature (n, nx)) of a ``fix ave/chunk`` file whose
    columns are ``Chunk Coord1 Ncount temp``.  A last block cut short (a killed segment) is
    dropped; the stitching checks that no sample is missing."""
    lines = [ln for ln in Path(path).read_text().splitlines() if ln and not ln.startswith("#")]
    steps, blocks = [], []
    i = 0
    while i < len(lines):
        step, n = (int(v) for v in lines[i].split()[:2])
        if n != nx:
            raise RuntimeError(f"{path}: chunk block at step {step} has {n} cells, "
                               f"expected {nx}")
        rows = [ln.split() for ln in lines[i + 1:i + 1 + n]]
        if len(rows) < n or any(len(r) != 4 for r in rows):
            break
        steps.append(step)
        blocks.append(np.array(rows, dtype=float))
        i += 1 + n
    data = np.array(blocks).reshape(-1, nx, 4)
    return np.array(steps, dtype=int), data[:, :, 2], data[:, :, 3]


def _powers(settings: TtmSettings, area_A2: float) -> dict[str, float]:
    """Source (electrons, lattice) and sink powers (eV/ps) for the heat flux J."""
    total = settings.heat_flux_W_m2 * area_A2 / W_M2_PER_EV_PS_A2
    return {"total": total, "electrons": settings.electron_fraction * total,
            "lattice": (1.0 - settings.electron_fraction) * total}


def _equilibrate(lmp, s: TtmSettings, geometry: dict, outdir: Path) -> Path:
    """Langevin at T on the mobile atoms with the electrons coupled (no source); returns
    the electron grid file written at the end, the production's initial grid."""
    grid0 = outdir / "electron_grid.initial"
    params = outdir / "ttm_equilibration.params"
    tag = outdir / "electron_grid.equilibration"
    lmp.commands_string(f"""
        velocity mobile create {s.temperature_K} {s.seeds['velocity']} mom yes rot no \
            dist gaussian
        fix equilibrate mobile langevin {s.temperature_K} {s.temperature_K} {s.damping_ps} \
            {s.seeds['equilibration']} zero yes
        {_ttm_fix('ttm', params, geometry, s.seeds['ttm'], grid0, tag, s.equilibration_steps)}
        run {s.equilibration_steps}
        unfix equilibrate
        unfix ttm
    """)
    return Path(f"{tag}.{s.equilibration_steps}")


def _write_inputs(s: TtmSettings, geometry: dict, material: dict, outdir: Path,
                  intensity: float, comm) -> None:
    """Parameter files (equilibration without source, production with it) and the
    initial electron grid (rank 0)."""
    if comm is not None and comm.Get_rank() != 0:
        comm.Barrier()
        return
    cells = {"surface_l": geometry["surface_l"], "surface_r": geometry["surface_r"]}
    write_text(outdir / "ttm_equilibration.params",
               ttm_parameter_file(material, intensity=0.0, **cells))
    write_text(outdir / "ttm_production.params",
               ttm_parameter_file(material, intensity=intensity, **cells))
    write_text(outdir / "electron_grid.initial", _electron_grid_text(geometry, s.temperature_K))
    if comm is not None:
        comm.Barrier()


def _grid_file(outdir: Path, step: int) -> Path:
    """The electron grid ``fix ttm/mod`` wrote at ``step`` of the production."""
    return outdir / "electron_grid" / f"Te.{step}"


def _production_commands(s: TtmSettings, geometry: dict, powers: dict, outdir: Path,
                         initial_grid: Path, segment: int, seed_shift: int) -> str:
    n, every = s.sample_steps, s.sample_every
    grid_dir = outdir / "electron_grid"
    lattice_source = (f"fix source source ehex 1 {_num(powers['lattice'])}"
                      if powers["lattice"] > 0 else "")
    return f"""
        restart {s.restart_steps} {outdir / RESTART_NAMES[0]} {outdir / RESTART_NAMES[1]}
        {_ttm_fix('ttm', outdir / 'ttm_production.params', geometry,
                  s.seeds['ttm'] + 1 + seed_shift, initial_grid, grid_dir / 'Te',
                  s.electron_steps)}
        fix sink sink ehex 1 {_num(-powers['total'])}
        {lattice_source}
        compute cells mobile chunk/atom bin/1d x lower {_num(geometry['dx_A'])} units box \
            nchunk once
        fix lattice_profile mobile ave/chunk {every} {n // every} {n} cells temp \
            file {outdir / f'lattice_profile.{segment}.dat'}
        variable e_atoms equal pe+ke
        variable e_electrons equal f_ttm[1]
        variable transfer_step equal f_ttm[2]
        fix transfer all ave/time 1 {n} {n} v_transfer_step \
            file {outdir / f'transfer.{segment}.dat'} format " %.15g"
        fix energies all ave/time {n} 1 {n} v_e_atoms v_e_electrons \
            file {outdir / f'energies.{segment}.dat'} format " %.15g"
        thermo_style custom step time temp pe etotal f_ttm[1] f_ttm[2]
        thermo {n}
        thermo_modify flush yes
    """


def _stitched_chunks(outdir: Path, nx: int, after_step: int, upto_step: int,
                     every: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The per-segment lattice profiles (steps, counts, temperatures), each sample from
    the segment that wrote it last (:func:`engine.run_state.production_segments`)."""
    steps, counts, temps = [], [], []
    for seg, start, end in production_segments(outdir, after_step):
        path = outdir / f"lattice_profile.{seg}.dat"
        if not path.exists():
            continue
        st, count, temp = _read_chunks(path, nx)
        keep = (st > start) & (st <= min(end, upto_step))
        steps.append(st[keep])
        counts.append(count[keep])
        temps.append(temp[keep])
    if not steps:
        raise RuntimeError(f"{outdir}: no lattice profile was written")
    steps, counts, temps = (np.concatenate(v) for v in (steps, counts, temps))
    if not np.array_equal(steps, np.arange(after_step + every, upto_step + 1, every)):
        raise RuntimeError(f"{outdir}: lattice profiles of steps ({after_step}, {upto_step}] "
                           f"are not contiguous ({len(steps)} samples)")
    return steps, counts, temps


def _merge(s: TtmSettings, geometry: dict, powers: dict, outdir: Path) -> dict:
    """The production's samples as arrays (see :func:`run_ttm_nemd`), stitched over the
    segments of a resumed run."""
    nx, eq, n = geometry["nx"], s.equilibration_steps, s.sample_steps
    steps, counts, lattice = _stitched_chunks(outdir, nx, eq, s.total_steps, n)
    energies = stitched_rows(outdir, "energies", eq - n, s.total_steps, n)
    transfer = stitched_rows(outdir, "transfer", eq, s.total_steps, n)
    start, ends = energies[:1], energies[1:]
    e_steps = np.arange(eq + s.electron_steps, s.total_steps + 1, s.electron_steps)
    grids = np.array([read_electron_grid(outdir / "electron_grid" / f"Te.{k}", nx)
                      for k in e_steps])
    time_ps = (steps - eq) * s.timestep_ps
    cells = np.arange(nx)
    return {
        "step": steps, "time_ps": time_ps,
        "x_A": (cells + 0.5) * geometry["dx_A"],
        "electron_cell": (cells >= geometry["surface_l"]) & (cells < geometry["surface_r"]),
        "lattice_T_K": np.where(counts > 0, lattice, np.nan),
        "atoms_per_cell": counts.mean(axis=0),
        "electron_step": e_steps, "electron_time_ps": (e_steps - eq) * s.timestep_ps,
        "electron_T_K": grids,
        "E_atoms_eV": ends[:, 1] - start[0, 1],
        "E_electrons_eV": ends[:, 2] - start[0, 2],
        "transfer_eV": np.cumsum(transfer[:, 1] * s.sample_steps),
        "source_electrons_eV": powers["electrons"] * time_ps,
        "source_lattice_eV": powers["lattice"] * time_ps,
        "sink_eV": powers["total"] * time_ps,
    }


def energy_balance(samples: Mapping) -> dict:
    """Residuals (eV) of the energy balances at the end of the production.

    ``electrons``: ΔE_e − (E_source,e − E_transfer); ``atoms``: ΔE_atoms − (E_transfer +
    E_source,lattice − E_sink); ``total``: their sum; ``scale_eV``: the energy that passed
    through the cell (E_sink), to which they compare.
    """
    e = samples["E_electrons_eV"][-1] - (samples["source_electrons_eV"][-1] - samples["transfer_eV"][-1])
    a = samples["E_atoms_eV"][-1] - (samples["transfer_eV"][-1] + samples["source_lattice_eV"][-1]
                                 - samples["sink_eV"][-1])
    return {"electrons_eV": float(e), "atoms_eV": float(a), "total_eV": float(e + a),
            "scale_eV": float(samples["sink_eV"][-1]), "transfer_eV": float(samples["transfer_eV"][-1])}


def run_ttm_nemd(structure_data: Path, info: dict, settings: Mapping | TtmSettings,
                 outdir: Path) -> dict:
    """Run one two-temperature NEMD replica; return the raw arrays written to ``raw.npz``.

    Parameters
    ----------
    structure_data : Path
        Relaxed interface (LAMMPS data file, stacked along z, types as ``specorder``).
    info : dict
        Its structure record (only its ``warnings`` are used).
    settings : mapping or TtmSettings
        Every key of :attr:`TtmSettings.KEYS`; validated before any MD.
    outdir : Path
        Run folder.

    Returns
    -------
    dict
        On rank 0 (None elsewhere): ``step``, ``time_ps`` (n,) window ends; ``x_A`` (nx,)
        cell centres along the transport axis; ``electron_cell`` (nx,) bool;
        ``lattice_T_K`` (n, nx) window means (NaN in empty cells); ``atoms_per_cell``;
        ``electron_step``, ``electron_time_ps`` (m,), ``electron_T_K`` (m, nx) snapshots
        (0 outside the metal); cumulative energies (n,), eV, since the production start:
        ``E_atoms_eV``, ``E_electrons_eV`` (changes), ``transfer_eV`` (electrons → atoms),
        ``source_electrons_eV``, ``source_lattice_eV``, ``sink_eV`` (removed).
    """
    s = settings if isinstance(settings, TtmSettings) else TtmSettings(settings)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    comm = mpi_world()
    rank = comm.Get_rank() if comm is not None else 0
    wall_start = time.perf_counter()
    state = prepare_run(outdir, run_fingerprint(s.raw, Path(structure_data)), comm,
                        SampleFiles(("energies", "transfer"), ("lattice_profile",),
                                    s.equilibration_steps))
    restart, start_step, segment = state.restart, state.start_step, state.segment
    if restart is not None and not _grid_file(outdir, start_step).is_file():
        raise RuntimeError(f"{outdir}: checkpoint {restart.name} (step {start_step}) has no "
                           f"electron grid {_grid_file(outdir, start_step).name}; remove "
                           f"{outdir}/restart.* to start afresh")
    geometry = rotate_structure(Path(structure_data), s, outdir, comm)
    material = ttm_mod_parameters(s.electrons_run,
                                  atom_density_A3=geometry["metal_atom_density_A3"],
                                  mass_amu=geometry["metal_mass_amu"], T_ref_K=s.temperature_K)
    powers = _powers(s, geometry["area_A2"])
    n_e = geometry["surface_r"] - geometry["surface_l"]
    intensity = source_intensity(powers["electrons"], geometry["area_A2"], n_e)
    file_material = {k: material[k] for k in _TTM_FILE_KEYS if k in material}
    _write_inputs(s, geometry, file_material, outdir, intensity, comm)
    if rank == 0:
        (outdir / "electron_grid").mkdir(exist_ok=True)
        write_json(outdir / "geometry.json", geometry)

    lmp = new_lammps(comm=comm, log_file=outdir / f"log.{segment}.lammps")
    source = {"data_file": outdir / "ttm.data"} if restart is None else {"restart_file": restart}
    load_structure(lmp, **source, potential=s.potential, specorder=s.specorder,
                   boundary="p p p")
    if restart is None:  # a restart file keeps the groups the regions cut at the start
        lmp.commands_string(_region_commands(geometry, geometry["metal_type"]))
    lmp.commands_string(f"""
        timestep {s.timestep_ps!r}
        fix freeze fixed setforce 0.0 0.0 0.0
        velocity fixed set 0.0 0.0 0.0
        fix integrate mobile nve
    """)
    if restart is None:
        initial_grid = _equilibrate(lmp, s, geometry, outdir)
    else:
        initial_grid = _grid_file(outdir, start_step)
    lmp.commands_string(_production_commands(s, geometry, powers, outdir, initial_grid,
                                             segment, state.seed_shift))
    if max(start_step, s.equilibration_steps) < s.total_steps:  # shortened: nothing to run
        run_production(lmp, s.total_steps, outdir, comm, align=s.sample_steps)
    lmp.close()
    if rank != 0:
        return None
    raw = _merge(s, geometry, powers, outdir)
    save_npz(outdir / DONE_FILE, area_A2=geometry["area_A2"], dx_A=geometry["dx_A"],
             x_interface_A=geometry["x_interface_A"], **raw)
    write_json(outdir / "run.json", provenance_record(
        potential=potential_provenance(get_potential(s.potential)), settings=s.raw,
        geometry=geometry, n_atoms=geometry["n_atoms"],
        ttm_parameters_metal_units=material, electrons_SI=s.electrons,
        electrons_SI_run=s.electrons_run, electron_capacity_factor=s.capacity_factor,
        source_intensity_eV_psA2=intensity, powers_eV_ps=powers,
        steps={"equilibration": s.equilibration_steps, "production": s.production_steps,
               "sample_every": s.sample_steps, "electron_sample_every": s.electron_steps},
        energy_balance=energy_balance(raw),
        structure_warnings=list(info.get("warnings") or []),
        segments=[json.loads(p.read_text()) for p in sorted(outdir.glob("segment.*.json"))],
        timing={"wall_s": time.perf_counter() - wall_start,
                "mpi_ranks": comm.Get_size() if comm is not None else 1}))
    return raw


def main(argv: list[str] | None = None) -> int:
    return driver_main(argv, __doc__.split("\n")[0], TtmSettings, run_ttm_nemd)


if __name__ == "__main__":
    sys.exit(run_entry_point(main))
