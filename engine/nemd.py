"""NEMD driver: a bonded interface between a hot and a cold Langevin bath.

Layout along z (transport axis), low z to high z::

    | fixed | bath | side A (NVE) ... interface ... side B (NVE) | bath | fixed |

The hot bath sits on side ``hot_side`` (A by default).  Both baths are ``fix langevin``
with ``tally yes``: LAMMPS accumulates the energy each bath exchanges, and the heat
current is the slope of that energy (Schelling, Phillpot & Keblinski, PRB 65, 144306
(2002) use the same set-up with velocity rescaling).  Temperatures are averaged per bin by
``compute chunk/atom`` + ``fix ave/chunk``; bath energies by ``fix ave/time``.  No
per-step Python and no trajectory dumps: Python only issues commands and, at the end,
merges the files LAMMPS wrote.

Zero pressure at T (``npt_ps`` > 0).  The relaxed structure has the 0 K lattice: frozen
at it, a stack at 300 K sits at ~1 GPa.  So the run starts with a barostat stage with no
atom frozen: free surfaces at both z ends (z shrink-wrapped), a Langevin thermostat at T
and a barostat holding Pxx = Pyy = 0 with x and y coupled.  The lateral box is averaged
over the stage's second half (``fix ave/time`` windows) and set to that mean
(``change_box ... remap``); only then are the end layers frozen where they are and the
regions cut from the new z extents, followed by the NVT equilibration and the production
as without the stage.  With ``npt_ps`` = 0 the stack keeps its 0 K box.

Bins of atomic planes (``binning: planes``, the default).  At the start of production each
side's atomic planes are found from the atoms' z (:mod:`structures.planes`) and every
bin holds ``planes_per_bin`` whole planes, with edges halfway between planes (a chunk id
from an atom-style variable); ``z_A`` is the bins' mean atom position.  Bins of a fixed
width (``binning: width``, ``bin_width_A``) alias the plane spacing; they remain for cells
without (001) planes (grain boundaries, which fall back to them).

Pressure.  The pressure tensor of each side's interior (mobile atoms of the side at least
``pressure_exclusion_A`` from the interface; volume = area × the thickness of its whole
planes) is sampled from ``compute stress/atom`` during the NVT equilibration and the
production, and recorded in ``run.json`` (``side_pressure_GPa``) with the box before and
after the barostat stage.

Checkpointing (:mod:`engine.run_state`): LAMMPS writes two toggling restart files.  When
the driver is started again in the same folder it resumes from the newest readable restart
file, unless the folder's state belongs to a run with other settings or another structure
(then it is removed and the run starts afresh).  Every (re)start is a *segment* with its
own output files; :func:`merge_segments` stitches them into one
time series, dropping samples that a killed segment wrote past its last restart and
carrying the cumulative bath energies across segments.

Run as ``python -m engine.nemd --structure relaxed.data --info relaxed.json --settings
'{json}' --outdir DIR`` (under ``mpirun -n N`` or ``srun -n N`` for N ranks).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from analysis.units import W_M2_PER_EV_PS_A2
from engine.atomic_io import save_npz, write_json
from engine.lammps_setup import (
    atomic_volumes,
    balance_along_z,
    barostat_commands,
    data_file_box,
    displacement_commands,
    end_layer_commands,
    finish_barostat,
    gather_z,
    interior_atom_counts,
    largest_displacement,
    load_structure,
    sample_every_steps,
    scale_to_total_energy,
    side_pressures,
    stress_sampling_commands,
)
from engine.md_settings import MdSettings
from engine.provenance import provenance_record
from engine.run_state import (
    RESTART_NAMES,
    SampleFiles,
    driver_main,
    prepare_run,
    production_segments,
    read_time_file,
    run_fingerprint,
    run_production,
)
from engine.runtime import mpi_world, new_lammps, run_entry_point
from potentials import get_potential
from potentials import provenance as potential_provenance
from structures.planes import (
    Planes,
    bin_planes,
    interior_slab,
    plane_edges,
    plane_spacings,
    side_planes,
    snap_to_edges,
)
from structures.sides import on_side, side_group_command, side_types

__all__ = ["NemdSettings", "merge_segments", "read_chunk_file", "read_time_file", "run_nemd",
           "start_mobile_nve"]

DONE_FILE = "raw.npz"
PLANES_FILE = "planes.json"
#: Empty space (Å) left between the outermost atoms and the fixed z boundaries after the
#: barostat stage (as :func:`engine.relax.relax_interface` leaves it).
Z_MARGIN_A = 2.0
#: Geometry entries saved with the raw data (the analysis reads them).
NPZ_GEOMETRY_KEYS = ("z_lo_A", "z_hi_A", "hot_region_A", "cold_region_A", "z_interface_A")
#: LAMMPS groups whose interior pressure is sampled, by side.
PRESSURE_GROUPS = {"A": "press_a", "B": "press_b"}


class NemdSettings(MdSettings):
    """Validated, step-converted NEMD settings (times in ps, lengths in Å, T in K)."""

    DRIVER = "NEMD"
    KEYS = (*MdSettings.KEYS, "delta_T_K", "bath", "heat_flux_W_m2", "initial_jump_K",
            "fixed_thickness_A", "bath_thickness_A", "bin_width_A", "binning",
            "planes_per_bin", "pressure_exclusion_A", "hot_side", "sample_every_ps")

    def __init__(self, settings: dict):
        super().__init__(settings)
        self.delta_T_K = float(settings["delta_T_K"])
        self.bath = settings["bath"]
        self.heat_flux_W_m2 = settings["heat_flux_W_m2"]
        if self.bath not in ("langevin", "ehex"):
            raise ValueError(f"bath = {self.bath!r}: use 'langevin' or 'ehex'")
        if self.bath == "ehex" and not self.heat_flux_W_m2:
            raise ValueError("bath = 'ehex' imposes the heat flux: set heat_flux_W_m2 > 0")
        self.initial_jump_K = float(settings["initial_jump_K"])
        self.fixed_A = float(settings["fixed_thickness_A"])
        self.bath_A = float(settings["bath_thickness_A"])
        self.bin_A = float(settings["bin_width_A"])
        self.binning = settings["binning"]
        if self.binning not in ("planes", "width"):
            raise ValueError(f"binning = {self.binning!r}: use 'planes' or 'width'")
        self.planes_per_bin = int(settings["planes_per_bin"])
        if self.planes_per_bin < 1:
            raise ValueError(f"planes_per_bin = {self.planes_per_bin} must be at least 1")
        self.pressure_exclusion_A = float(settings["pressure_exclusion_A"])
        self.hot_side = settings["hot_side"]
        self.sample_steps = self._steps(float(settings["sample_every_ps"]))
        # steps between the samples of a window: derived from the window, not a setting
        self.sample_every = sample_every_steps(self.sample_steps)
        self._schedule(restart_every_ps=float(settings["restart_every_ps"]))
        if self.bath == "langevin" and self.temperature_K - self.delta_T_K / 2 <= 0:
            raise ValueError(
                f"delta_T_K={self.delta_T_K} is too large for temperature {self.temperature_K} K: "
                "the cold bath would be at or below 0 K"
            )

    @property
    def hot_temperature_K(self) -> float:
        return self.temperature_K + self.delta_T_K / 2

    @property
    def cold_temperature_K(self) -> float:
        return self.temperature_K - self.delta_T_K / 2


def _side_planes(z: np.ndarray, types: np.ndarray, info: dict) -> dict[str, Planes] | None:
    """Each side's atomic planes, or None for a structure without (001) planes (grain
    boundaries: binned by width instead)."""
    spacings = plane_spacings(info)
    if spacings is None:
        return None
    try:
        return side_planes(z, types, spacings, side_types(info))
    except ValueError as err:
        raise RuntimeError(f"{err}: use binning: width") from err


def _interface_z(z: np.ndarray, types: np.ndarray, planes: dict | None, info: dict) -> float:
    """Midway between side A's top and side B's bottom plane (or atom, without planes)."""
    if planes is not None:
        return float(0.5 * (planes["A"].z_A[-1] + planes["B"].z_A[0]))
    return float(0.5 * (z[on_side(types, info, "A")].max() + z[on_side(types, info, "B")].min()))


def _define_regions(lmp, settings: NemdSettings, info: dict, *, after_npt: bool) -> dict:
    """Groups fixed/hot/cold/mobile and press_a/press_b from the atoms' z; return the geometry.

    The fixed layers and baths are measured from the atoms' z extent.  With plane binning
    they are measured from the outermost planes and their bounds moved to the nearest
    midpoint between planes, so that every region holds whole planes.  The interface is the structure's (``info``), or, after the
    barostat stage has moved the atoms, found again from them.  ``press_a``/``press_b``:
    the mobile atoms of each side's whole planes at least ``pressure_exclusion_A`` from
    the interface (all lengths Å; the geometry also holds the volumes, Å³).
    """
    s = settings
    lmp.command("run 0 post no")  # set up (atoms sorted) as every earlier version did here
    z, types = gather_z(lmp)
    z_lo, z_hi = float(z.min()) - 0.01, float(z.max()) + 0.01
    planes = _side_planes(z, types, info) if s.binning == "planes" else None
    if after_npt or planes is not None:
        z_interface = _interface_z(z, types, planes, info)
    else:
        z_interface = float(info["z_interface_A"])
    fixed, bath = s.fixed_A, s.bath_A
    bottom, top = z_lo, z_hi
    if planes is not None:  # measured from the outer planes, not from a vibrating atom
        bottom, top = planes["A"].z_A[0] - 0.01, planes["B"].z_A[-1] + 0.01
    cuts = [bottom + fixed, bottom + fixed + bath, top - fixed - bath, top - fixed]
    if planes is not None:
        edges = plane_edges(np.concatenate([planes["A"].z_A, planes["B"].z_A]))
        cuts = [snap_to_edges(c, edges) for c in cuts]
    low_bath, high_bath = (cuts[0], cuts[1]), (cuts[2], cuts[3])
    if not (low_bath[1] < z_interface < high_bath[0]):
        raise ValueError(
            f"fixed_thickness_A + bath_thickness_A = {fixed + bath} Å leaves no free region "
            f"between the baths and the interface at z = {z_interface:.2f} Å: make the sides longer "
            "or the baths thinner"
        )
    hot, cold = (low_bath, high_bath) if s.hot_side == "A" else (high_bath, low_bath)
    excl = s.pressure_exclusion_A
    if planes is not None:
        slab_a = interior_slab(planes["A"].z_A, cuts[0], z_interface - excl)[:2]
        slab_b = interior_slab(planes["B"].z_A, z_interface + excl, cuts[3])[:2]
    else:
        slab_a, slab_b = (cuts[0], z_interface - excl), (z_interface + excl, cuts[3])
    lmp.commands_string(f"""
        region fixed_lo block INF INF INF INF INF {cuts[0]} units box
        region fixed_hi block INF INF INF INF {cuts[3]} INF units box
        region hot_r block INF INF INF INF {hot[0]} {hot[1]} units box
        region cold_r block INF INF INF INF {cold[0]} {cold[1]} units box
        group fixed region fixed_lo
        group fixed region fixed_hi
        group hot region hot_r
        group cold region cold_r
        group mobile subtract all fixed
        region press_a_r block INF INF INF INF {slab_a[0]} {slab_a[1]} units box
        region press_b_r block INF INF INF INF {slab_b[0]} {slab_b[1]} units box
        group press_a_slab region press_a_r
        group press_b_slab region press_b_r
        {side_group_command("type_1", info, "A")}
        {side_group_command("type_2", info, "B")}
        group press_a intersect press_a_slab type_1 mobile
        group press_b intersect press_b_slab type_2 mobile
        group press_a_slab delete
        group press_b_slab delete
        group type_1 delete
        group type_2 delete
    """)
    lo, hi = lmp.extract_box()[:2]
    area = (float(info["area_A2"]) if not after_npt
            else float((hi[0] - lo[0]) * (hi[1] - lo[1])))
    return {"z_lo_A": z_lo, "z_hi_A": z_hi, "hot_region_A": list(hot), "cold_region_A": list(cold),
            "z_interface_A": z_interface, "fixed_cuts_A": [cuts[0], cuts[3]], "area_A2": area,
            "binning": "planes" if planes is not None else "width",
            "binning_note": (f"binning: planes asked, but the structure has no (001) planes: "
                             f"bins of {s.bin_A} Å" if planes is None and s.binning == "planes"
                             else None),
            "planes_per_side": ({side: len(p) for side, p in planes.items()}
                                if planes is not None else None),
            "pressure_slabs_A": {"A": list(slab_a), "B": list(slab_b)},
            "pressure_volumes_A3": {"A": area * (slab_a[1] - slab_a[0]),
                                    "B": area * (slab_b[1] - slab_b[0])}}


def _prepare_stack(lmp, structure: Path, info: dict, settings: NemdSettings, state, outdir: Path,
                   comm) -> dict:
    """Fresh start, or resume inside the barostat stage: run the stage (if any), cut the
    regions, write ``geometry.json``; return the geometry.

    After a barostat stage the box is fixed at its mean lateral size, z goes back to a fixed
    boundary with a margin, the end layers are frozen where they are, and the state is
    written to both restart files (geometry.json first: a restart file that holds the
    groups always has its geometry).
    """
    s = settings
    rank = comm.Get_rank() if comm is not None else 0
    balance_along_z(lmp, s.potential)  # equal work per rank (no-op on 1 rank)
    npt = {}
    if s.npt_steps:
        if state.restart is None:
            lmp.command(f"velocity all create {s.temperature_K} {s.seeds['velocity']} "
                        "mom yes rot no dist gaussian")
        lmp.commands_string("""
            thermo_style custom step time temp pe etotal lx ly lz pxx pyy pzz
            thermo_modify flush yes
        """)
        lmp.commands_string(end_layer_commands(lmp, s.fixed_A))
        lmp.commands_string(barostat_commands(
            s, s.seeds["equilibration"] + state.seed_shift + 2, periodic_z=False,
            box_file=outdir / f"npt.{state.segment}.dat"))
        lmp.command(f"run {s.npt_steps} upto")
        npt = finish_barostat(lmp, s, outdir, comm, periodic_z=False)
        lmp.commands_string("""
            uncompute npt_com_lo
            uncompute npt_com_hi
            group npt_end_lo delete
            group npt_end_hi delete
        """)
        npt["box_before_npt_A"] = data_file_box(structure).tolist()
        z, _ = gather_z(lmp)
        lmp.command(f"change_box all boundary p p f z final {float(z.min()) - Z_MARGIN_A!r} "
                    f"{float(z.max()) + Z_MARGIN_A!r} units box")
    geometry = _define_regions(lmp, s, info, after_npt=bool(s.npt_steps))
    geometry.update(npt)
    if rank == 0:
        write_json(outdir / "geometry.json", geometry)
    if s.npt_steps:
        lmp.commands_string("""
            velocity fixed set 0.0 0.0 0.0
            velocity mobile zero linear
        """)
        balance_along_z(lmp, s.potential)
        for name in RESTART_NAMES:
            lmp.command(f"write_restart {outdir / name}")
    return geometry


def start_mobile_nve(lmp, s: NemdSettings, *, new_velocities: bool) -> None:
    """Freeze the end layers, integrate the mobile atoms (NVE) and report their
    temperature; draw their velocities at T (``new_velocities``: a fresh start without a
    barostat stage, which leaves the atoms moving)."""
    lmp.commands_string("""
        fix freeze fixed setforce 0.0 0.0 0.0
        fix integrate mobile nve
        compute t_mobile mobile temp
        thermo_style custom step time c_t_mobile pe etotal
        thermo_modify temp t_mobile flush yes
    """)
    if new_velocities:
        lmp.command(f"velocity mobile create {s.temperature_K} {s.seeds['velocity']} "
                    "mom yes rot no dist gaussian temp t_mobile")
        lmp.command("velocity fixed set 0.0 0.0 0.0")


def _equilibration_commands(s: NemdSettings, seed_shift: int, *, add: bool,
                            info: dict | None = None) -> str:
    """Langevin NVT equilibration of the mobile atoms (``add=False``: remove it again).

    With ``initial_jump_K`` > 0 (a warm start), side A is equilibrated at T + jump/2 and
    side B at T - jump/2 (hot side first), so the NEMD run starts near its steady state:
    the transient otherwise lasts a few C_eff R_K / A, tens of ps for small cells.
    """
    seed = s.seeds["equilibration"] + seed_shift
    if s.initial_jump_K <= 0:
        if not add:
            return "unfix equilibrate"
        return (f"fix equilibrate mobile langevin {s.temperature_K} {s.temperature_K} "
                f"{s.damping_ps} {seed} zero yes")
    if not add:
        return "unfix equilibrate_a\nunfix equilibrate_b"
    sign = 1.0 if s.hot_side == "A" else -1.0
    t_a = s.temperature_K + sign * s.initial_jump_K / 2
    t_b = s.temperature_K - sign * s.initial_jump_K / 2
    return f"""
        {side_group_command('side_a_all', info or {}, 'A')}
        group side_a_mobile intersect side_a_all mobile
        group side_b_mobile subtract mobile side_a_mobile
        fix equilibrate_a side_a_mobile langevin {t_a} {t_a} {s.damping_ps} {seed} zero yes
        fix equilibrate_b side_b_mobile langevin {t_b} {t_b} {s.damping_ps} {seed + 1} zero yes
    """


def _bath_commands(s: NemdSettings, seed_shift: int, area_A2: float, segment_start: int) -> str:
    """LAMMPS commands for the hot and cold baths and their cumulative energies.

    ``v_e_hot``/``v_e_cold`` are the energies (eV) the baths have added to the system since
    this segment started.

    - ``langevin``: Langevin thermostats at T +/- delta_T/2 with ``tally yes``; a fix's
      scalar is the energy it removed, hence the minus sign.  J is measured.
    - ``ehex``: the eHEX algorithm (Wirnsberger, Frenkel & Dellago, J. Chem. Phys. 143,
      124104, 2015) adds the power J*A to the hot bath and removes it from the cold one at
      every step by velocity rescaling, conserving momentum.  J is imposed exactly, so only
      the temperature jump carries noise: the precise choice for short runs.
    """
    if s.bath == "langevin":
        return f"""
            fix hot hot langevin {s.hot_temperature_K} {s.hot_temperature_K} {s.damping_ps} \
                {s.seeds['hot'] + seed_shift} tally yes
            fix cold cold langevin {s.cold_temperature_K} {s.cold_temperature_K} {s.damping_ps} \
                {s.seeds['cold'] + seed_shift} tally yes
            variable e_hot equal -f_hot
            variable e_cold equal -f_cold
        """
    power_eV_ps = float(s.heat_flux_W_m2) * area_A2 / W_M2_PER_EV_PS_A2
    energy_per_step = power_eV_ps * s.timestep_ps
    return f"""
        fix hot hot ehex 1 {power_eV_ps}
        fix cold cold ehex 1 {-power_eV_ps}
        variable e_hot equal {energy_per_step!r}*(step-{segment_start})
        variable e_cold equal {-energy_per_step!r}*(step-{segment_start})
    """


def _production_planes(lmp, settings: NemdSettings, geometry: dict, info: dict) -> dict:
    """Bins of whole atomic planes of the mobile atoms, found from their z now (Å).

    Returns the record written to ``planes.json``: each side's planes (mean z, atoms), the
    inner bin edges, bin centres, atoms and planes per bin, and the interface midway
    between the two sides' facing planes.
    """
    z, types = gather_z(lmp)
    lo, hi = geometry["fixed_cuts_A"]
    mobile = (z > lo) & (z < hi)
    planes = _side_planes(z[mobile], types[mobile], info)
    bins = bin_planes(planes["A"], planes["B"], settings.planes_per_bin)
    return {"step": int(lmp.extract_global("ntimestep")),
            "planes_per_bin": settings.planes_per_bin,
            "z_interface_A": _interface_z(z, types, planes, info),
            "planes": {side: {"z_A": p.z_A.tolist(), "atoms": p.counts.tolist(),
                              "spread_A": p.spread_A.tolist()} for side, p in planes.items()},
            "edges_A": bins.edges_A.tolist(), "centres_A": bins.centres_A.tolist(),
            "atoms_per_bin": bins.atoms.tolist(), "planes_in_bin": bins.planes.tolist(),
            "side": bins.side}


def _chunk_commands(settings: NemdSettings, geometry: dict, bins: dict | None) -> str:
    """``compute bins``: bins of whole planes (edges from ``bins``) or of a fixed width.

    A plane bin's id is 1 + the number of edges below the atom, from an atom-style
    variable; ``ids once`` assigns each atom to its bin at the start of a segment, so an
    atom stays in its plane's bin while it vibrates.  ``v_z_atom`` is averaged per bin
    beside the temperature: the bin's mean atom position.
    """
    if bins is None:
        return (f"compute bins mobile chunk/atom bin/1d z {geometry['z_interface_A']} "
                f"{settings.bin_A} units box nchunk once ids once")
    formula = "".join(f"+(z>{edge:.6f})" for edge in bins["edges_A"])
    return f"""
        variable plane_bin atom 1{formula}
        variable z_atom atom z
        compute bins mobile chunk/atom v_plane_bin nchunk once ids once
    """


def _plane_bins(lmp, s: NemdSettings, geometry: dict, info: dict, outdir: Path,
                comm) -> dict | None:
    """The production's plane bins: found now when production starts in this segment (and
    written to ``planes.json``), else read from it; None when binning by width."""
    if geometry.get("binning") != "planes":
        return None
    if int(lmp.extract_global("ntimestep")) == s.equilibration_steps:
        bins = _production_planes(lmp, s, geometry, info)
        if comm is None or comm.Get_rank() == 0:
            write_json(outdir / PLANES_FILE, bins)
        return bins
    return json.loads((outdir / PLANES_FILE).read_text())


def _pressure_record(outdir: Path, s: NemdSettings, geometry: dict) -> dict | None:
    """Mean pressure tensor (GPa) of each side's interior in the second half of the NVT
    equilibration and in the production (``None`` when not sampled)."""
    volumes = geometry.get("pressure_volumes_A3")
    if volumes is None:
        return None
    n = s.sample_steps
    nvt_half = s.npt_steps + (s.equilibration_steps - s.npt_steps) // (2 * n) * n
    stages = {"equilibration": (nvt_half, s.equilibration_steps),
              "production": (s.equilibration_steps, s.total_steps)}
    record = {}
    for stage, (after, upto) in stages.items():
        try:
            record[stage] = side_pressures(outdir, list(PRESSURE_GROUPS), volumes, after, upto, n)
        except RuntimeError as err:  # e.g. a run folder left by a version without the files
            record[stage] = {"error": str(err)}
    return record


def _switch_at_mean_energy(lmp, s: NemdSettings, start_step: int, outdir: Path) -> dict:
    """Run the Langevin equilibration and return the mean total energy of its second half.

    With eHEX baths nothing holds the mean temperature in production: the cell keeps the
    total energy it had when the thermostat was switched off, a canonical draw whose
    spread gives the production's mean temperature a spread of T/sqrt(3 N_mobile) (9.5 K
    for the default Si/Cu cell, where one replica produced 30 K low).  So the mean total
    energy ⟨E⟩ of the equilibration's second half is accumulated inside LAMMPS (``fix
    ave/time ... ave running``; the end layers are frozen, so E = KE + PE is what NVE
    conserves) and :func:`_scale_to_energy` starts the production at it, as the EMD
    driver does (:func:`engine.emd._equilibrate`).
    """
    first = s.npt_steps if s.npt_steps else 0
    half = first + (s.equilibration_steps - first) // 2
    if start_step < half:
        lmp.command(f"run {half} upto")
    lmp.commands_string("""
        variable total_energy equal etotal
        fix mean_energy all ave/time 1 1 1 v_total_energy ave running
    """)
    lmp.command(f"run {s.equilibration_steps} upto")
    mean_energy = float(lmp.extract_fix("mean_energy", 0, 0))
    lmp.commands_string("unfix mean_energy\nvariable total_energy delete")
    return {"mean_equilibration_energy_eV": mean_energy,
            "averaged_from_step": max(start_step, half), "step": s.equilibration_steps}


def _scale_to_energy(lmp, switch: dict, outdir: Path) -> None:
    """Scale the mobile atoms' velocities so that the total energy is the equilibration's
    mean (``switch``, completed in place; :func:`engine.lammps_setup.scale_to_total_energy`)."""
    scaled = scale_to_total_energy(lmp, switch["mean_equilibration_energy_eV"], outdir,
                                   group="mobile", temperature_compute="t_mobile")
    switch.update({"energy_before_eV": scaled["energy_before_eV"],
                   "energy_after_eV": scaled["energy_after_eV"],
                   "mobile_temperature_before_K": scaled["temperature_before_K"],
                   "mobile_temperature_after_K": scaled["temperature_after_K"]})


def run_nemd(structure: Path, info: dict, settings: NemdSettings, outdir: Path) -> dict:
    """Run (or resume) one NEMD replica; return the merged raw data written to ``raw.npz``."""
    comm = mpi_world()
    rank = comm.Get_rank() if comm is not None else 0
    state = prepare_run(outdir, run_fingerprint(settings.raw, structure), comm,
                        SampleFiles(("energy",), ("profile",), settings.equilibration_steps))
    restart, start_step, segment = state.restart, state.start_step, state.segment
    lmp = new_lammps(comm=comm, log_file=outdir / f"log.{segment}.lammps")
    wall_start = time.perf_counter()
    lammps_seconds = 0.0
    s = settings
    source = {"data_file": structure} if restart is None else {"restart_file": restart}
    load_structure(lmp, **source, potential=s.potential, specorder=s.specorder,
                   boundary="p p s" if s.npt_steps else "p p f")
    lmp.commands_string(f"""
        timestep {s.timestep_ps}
        thermo {s.restart_steps}
        restart {s.restart_steps} {outdir / RESTART_NAMES[0]} {outdir / RESTART_NAMES[1]}
    """)
    seed_shift = state.seed_shift  # a resumed segment must not replay the same noise
    # The groups exist in a restart file written once the regions were cut (after the
    # barostat stage, if any); before that, the stage is (re)run.
    if restart is not None and lmp.has_id("group", "mobile"):
        geometry = json.loads((outdir / "geometry.json").read_text())
        balance_along_z(lmp, s.potential)  # equal work per rank (no-op on 1 rank)
    else:
        t0 = time.perf_counter()
        geometry = _prepare_stack(lmp, structure, info, s, state, outdir, comm)
        lammps_seconds += time.perf_counter() - t0
    area = float(geometry.get("area_A2", info["area_A2"]))

    start_mobile_nve(lmp, s, new_velocities=restart is None and not s.npt_steps)
    n_every, n_freq = s.sample_every, s.sample_steps
    if "pressure_volumes_A3" in geometry:
        lmp.commands_string(stress_sampling_commands(
            PRESSURE_GROUPS, n_freq, outdir / f"stress.{segment}.dat"))

    switch = None
    if start_step < s.equilibration_steps:
        lmp.commands_string(_equilibration_commands(s, seed_shift, add=True, info=info))
        t0 = time.perf_counter()
        if s.bath == "ehex":
            switch = _switch_at_mean_energy(lmp, s, start_step, outdir)
        else:
            lmp.command(f"run {s.equilibration_steps} upto")
        lammps_seconds += time.perf_counter() - t0
        lmp.commands_string(_equilibration_commands(s, seed_shift, add=False))
        if switch is not None:
            _scale_to_energy(lmp, switch, outdir)
            if rank == 0:
                write_json(outdir / "switch.json", switch)

    segment_start = max(start_step, s.equilibration_steps)
    bins = _plane_bins(lmp, s, geometry, info, outdir, comm)
    z_column = " v_z_atom" if bins is not None else ""
    lmp.commands_string(_bath_commands(s, seed_shift, area, segment_start))
    lmp.commands_string(_chunk_commands(s, geometry, bins))
    lmp.commands_string(f"""
        fix profile mobile ave/chunk {n_every} {n_freq // n_every} {n_freq} bins temp{z_column} \
            file {outdir / f'profile.{segment}.dat'}
        fix bath_energy all ave/time {n_freq} 1 {n_freq} v_e_hot v_e_cold \
            file {outdir / f'energy.{segment}.dat'} format " %.15g"
        thermo_style custom step time c_t_mobile pe etotal v_e_hot v_e_cold
        thermo_modify temp t_mobile flush yes
    """)
    if "pressure_volumes_A3" in geometry:  # is each side still a solid?
        lmp.commands_string(displacement_commands(PRESSURE_GROUPS, n_freq,
                                                  outdir / f"msd.{segment}.dat"))
    t0 = time.perf_counter()
    if start_step < s.total_steps:  # a shortened run resumed past its new end runs nothing
        run_production(lmp, s.total_steps, outdir, comm, align=n_freq)
    lammps_seconds += time.perf_counter() - t0
    n_atoms = int(lmp.get_natoms())
    interior_atoms = interior_atom_counts(lmp, PRESSURE_GROUPS) if "pressure_volumes_A3" in geometry else None
    lmp.close()
    raw = None
    if rank == 0:
        raw = merge_segments(outdir, settings)
        if interior_atoms is not None:
            raw["atomic_volume_A3"] = atomic_volumes(geometry["pressure_volumes_A3"],
                                                     interior_atoms)
        saved = {k: np.asarray(geometry[k]) for k in NPZ_GEOMETRY_KEYS}
        if bins is not None:  # the interface between the planes the bins were cut from
            saved["z_interface_A"] = np.asarray(bins["z_interface_A"])
        save_npz(outdir / DONE_FILE, area_A2=area, n_atoms=n_atoms, **raw, **saved)
        wall = time.perf_counter() - wall_start
        write_json(outdir / "run.json", provenance_record(
            potential=potential_provenance(get_potential(settings.potential)),
            settings=settings.raw, geometry=geometry, n_atoms=n_atoms,
            steps={"npt": s.npt_steps, "equilibration": s.equilibration_steps,
                   "production": s.production_steps, "sample_every": n_freq},
            box=_box_record(geometry), side_pressure_GPa=_pressure_record(outdir, s, geometry),
            planes=bins, structure_warnings=list(info.get("warnings") or []),
            segments=[json.loads(p.read_text()) for p in sorted(outdir.glob("segment.*.json"))],
            switch=(json.loads((outdir / "switch.json").read_text())
                    if (outdir / "switch.json").exists() else None),
            timing={"wall_s": wall, "lammps_s_this_segment": lammps_seconds,
                    "overhead_fraction_this_segment": (wall - lammps_seconds) / wall,
                    "mpi_ranks": comm.Get_size() if comm is not None else 1}))
    return raw


def _box_record(geometry: dict) -> dict:
    """Lateral box (Å) before and after the barostat stage (the same without one)."""
    keys = ("box_before_npt_A", "box_end_of_npt_A", "box_after_npt_A", "npt_mean_box_A",
            "z_length_end_of_npt_A", "z_length_mean_A",
            "npt_mean_pressure_GPa", "npt_averaged_steps", "npt_windows")
    record = {k: geometry[k] for k in keys if k in geometry}
    if "box_after_npt_A" in record:
        record["lateral_before_npt_A"] = record["box_before_npt_A"][:2]
        record["lateral_after_npt_A"] = record["box_after_npt_A"][:2]
    return record


def read_chunk_file(path: Path) -> dict:
    """Parse a ``fix ave/chunk`` file of temperatures per bin.

    Columns ``Chunk Coord1 Ncount temp`` (bins of a fixed width) or ``Chunk Ncount temp
    v_z_atom`` (bins of planes).  Returns ``step`` (n,), ``count`` (n, n_bins),
    ``temperature_K`` (n, n_bins) and ``z_A``: the bin centres (n_bins,) for fixed bins,
    the mean z of each bin's atoms per sample (n, n_bins) for plane bins.  A block cut
    short by a kill is dropped.
    """
    text = Path(path).read_text().splitlines()
    header = [ln[1:].split() for ln in text if ln.startswith("#")]
    columns = header[-1] if header else ["Chunk", "Coord1", "Ncount", "temp"]
    col = {name: i for i, name in enumerate(columns)}
    lines = [ln for ln in text if ln and not ln.startswith("#")]
    steps, tables = [], []
    i = 0
    while i < len(lines):
        head = lines[i].split()
        step, nchunk = int(head[0]), int(head[1])
        block = lines[i + 1:i + 1 + nchunk]
        if len(block) < nchunk:
            break
        try:
            table = np.array([[float(x) for x in row.split()] for row in block])
        except ValueError:
            break
        if table.shape != (nchunk, len(columns)):
            break
        steps.append(step)
        tables.append(table)
        i += 1 + nchunk
    if not steps:
        return {"step": np.zeros(0, int), "z_A": np.zeros(0), "count": np.zeros((0, 0)),
                "temperature_K": np.zeros((0, 0))}
    data = np.array(tables)
    z = data[0, :, col["Coord1"]] if "Coord1" in col else data[:, :, col["v_z_atom"]]
    return {"step": np.array(steps), "z_A": z, "count": data[:, :, col["Ncount"]],
            "temperature_K": data[:, :, col["temp"]]}


def merge_segments(outdir: Path, settings: NemdSettings) -> dict:
    """Stitch the per-segment profile and bath-energy files into one production series.

    A segment ``k`` started from a restart at step ``s_k``; samples of segment ``k-1``
    after ``s_k`` were lost with the kill and are dropped.  The Langevin tally restarts
    from zero in each segment, so segment ``k``'s cumulative energies are offset by the
    previous segment's value at ``s_k``.  Plane bins' positions ``z_A`` are the mean atom
    positions over all samples.
    """
    steps_all, temps_all, counts_all, e_all, z_all = [], [], [], [], []
    z = None
    offset = np.zeros(2)
    for seg, start, end in production_segments(outdir, settings.equilibration_steps):
        prof_path, energy_path = outdir / f"profile.{seg}.dat", outdir / f"energy.{seg}.dat"
        if not prof_path.exists() or not energy_path.exists():
            continue
        profile = read_chunk_file(prof_path)
        steps = profile["step"]
        energy = read_time_file(energy_path)
        if len(steps) == 0 or len(energy) == 0:
            continue
        e_steps = energy[:, 0].astype(int)
        keep = (steps > start) & (steps <= min(end, settings.total_steps))
        common = np.intersect1d(steps[keep], e_steps)
        sel_p = np.isin(steps, common)
        sel_e = np.isin(e_steps, common)
        if profile["z_A"].ndim == 1:
            z = profile["z_A"] if z is None else z
        else:
            z_all.append(profile["z_A"][sel_p])
        steps_all.append(steps[sel_p])
        temps_all.append(profile["temperature_K"][sel_p])
        counts_all.append(profile["count"][sel_p])
        e_all.append(energy[sel_e, 1:3] + offset)
        if np.isfinite(end):
            at_end = e_steps == end
            if not at_end.any():
                raise RuntimeError(f"segment {seg} has no bath-energy sample at the restart step "
                                   f"{end}: cannot stitch the energy series")
            offset = energy[at_end, 1:3][0] + offset
    if not steps_all:
        raise RuntimeError(f"no production samples found in {outdir}")
    steps = np.concatenate(steps_all)
    counts = np.concatenate(counts_all)
    temperature = np.concatenate(temps_all)
    temperature = np.where(counts > 0, temperature, np.nan)
    energy = np.concatenate(e_all)
    if z is None:
        z_samples = np.concatenate(z_all)
        z = np.sum(z_samples * counts, axis=0) / np.sum(counts, axis=0)
    expected = np.arange(settings.equilibration_steps + settings.sample_steps,
                         settings.total_steps + 1, settings.sample_steps)
    if not np.array_equal(steps, expected):
        raise RuntimeError(f"stitched production samples in {outdir} are not contiguous: "
                           f"{len(steps)} samples, expected {len(expected)}")
    merged = {
        "step": steps,
        "time_ps": (steps - settings.equilibration_steps) * settings.timestep_ps,
        "z_A": z,
        "temperature_K": temperature,
        "atoms_per_bin": counts.mean(axis=0),
        "energy_hot_eV": energy[:, 0],
        "energy_cold_eV": energy[:, 1],
    }
    msd = largest_displacement(outdir, production_segments(outdir, settings.equilibration_steps))
    if msd is not None:
        merged["max_msd_A2"] = msd
    return merged


def main(argv: list[str] | None = None) -> int:
    return driver_main(argv, __doc__.split("\n")[0], NemdSettings, run_nemd)


if __name__ == "__main__":
    sys.exit(run_entry_point(main))
