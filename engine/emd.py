"""EMD (Green-Kubo) driver: side energies and temperatures of a periodic A/B cell.

The relaxed NEMD stack (A below B, z non-periodic) is closed along z with
``change_box ... boundary p p p`` so that a second A|B interface forms across the
boundary with the same gap as the first (:func:`structures.periodic.periodic_z_bounds`);
the new interface is relaxed by a short minimisation at fixed box.  Side A = atom type 1,
side B = type 2.  With ``npt_ps`` > 0 the cell is first equilibrated at T and zero
pressure (Langevin thermostat, Nose-Hoover barostat with x and y coupled and z
independent), and its box is then fixed at the mean of that stage's second half
(``change_box ... remap``): closed at its 0 K box the cell holds P_zz ≈ +0.45 GPa even at
0 K.  After a Langevin (NVT) equilibration at T, an NVE production run
records, every ``sample_every_fs``, the *instantaneous* (``fix ave/time N 1 N``) values of

* the kinetic and potential energy of each side, sums of ``compute ke/atom`` and
  ``compute pe/atom`` by ``compute reduce`` -> E_A, E_B (eV);
* the temperature of each side, ``compute temp`` per group -> T_A, T_B (K).

LAMMPS writes them to a file; no per-step Python.  The pressure tensor of each side's
interior (whole atomic planes at least ``pressure_exclusion_A`` from both interfaces) is
sampled from ``compute stress/atom`` in the second half of NVT and in the production and
recorded, with the box before and after the barostat stage, in ``run.json``.

Why side energies.  The interfacial power is q = −dE_A/dt (eV/ps; from A to B).  This
definition needs only a partition of the energy into atoms, which LAMMPS provides for
every potential (``pe/atom`` is defined for pair, EAM, Tersoff, SW, MEAM...), and, in NVE,
it is exact: dE_A/dt is the energy that leaves the atoms of A.  The alternatives are not
valid for many-body potentials: ``compute heat/flux/tally`` only tallies pair styles, and
a flux built from ``compute stress/atom`` (or ``centroid/stress/atom``, EAM only) misses
the many-body terms.  The per-atom partition of a many-body energy is not unique, but
two partitions differ only by a bounded, interface-localised energy whose time
derivative adds a zero-integral term to ⟨qq⟩; the side temperatures do not depend on it
at all.  For a pair potential the finite difference of E_A equals the pairwise power
Σ_{i∈A, j∈B} F_ij·(v_i + v_j)/2 (tests/engine/test_emd_lammps.py checks it on LJ).
The analysis (:mod:`analysis.green_kubo`) uses the two interfaces' total area 2A.

Checkpointing (:mod:`engine.run_state`, shared with :mod:`engine.nemd`): two toggling
restart files; a second start in the same folder resumes from the newest readable one as a
new *segment* with its own sample file (the state of a run with other settings or another
structure is removed first); :func:`merge_segments` drops samples a killed segment wrote
past its last restart.  The seeds of a resumed segment are shifted (no replayed noise); production is
NVE, so resuming it is deterministic up to round-off.

Run as ``python -m engine.emd --structure relaxed.data --info relaxed.json --settings
'{json}' --outdir DIR`` (under ``mpirun -n N`` for N ranks).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from engine.atomic_io import save_npz, write_json
from engine.lammps_setup import (
    atomic_volumes,
    balance_along_z,
    barostat_commands,
    box_lengths,
    displacement_commands,
    finish_barostat,
    gather_z,
    interior_atom_counts,
    largest_displacement,
    load_structure,
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
from structures.periodic import periodic_z_bounds
from structures.planes import interior_slab, plane_spacings, side_planes
from structures.sides import on_side, side_group_command, side_types

__all__ = ["SAMPLE_COLUMNS", "EmdSettings", "close_periodically", "define_sides",
           "merge_segments", "run_emd"]

DONE_FILE = "raw.npz"
#: LAMMPS groups whose interior pressure is sampled, by side.
PRESSURE_GROUPS = {"A": "press_a", "B": "press_b"}
#: Columns of the per-segment sample file after the step (eV, eV, eV, eV, K, K).
SAMPLE_COLUMNS = ("ke_a_eV", "pe_a_eV", "ke_b_eV", "pe_b_eV", "temperature_a_K",
                  "temperature_b_K")


class EmdSettings(MdSettings):
    """Validated, step-converted EMD settings (times in ps/fs as named, T in K, Å)."""

    DRIVER = "EMD"
    KEYS = (*MdSettings.KEYS, "minimize", "pressure_exclusion_A", "sample_every_fs")

    def __init__(self, settings: dict):
        super().__init__(settings)
        self.minimize = bool(settings["minimize"])
        self.pressure_exclusion_A = float(settings["pressure_exclusion_A"])
        self.sample_steps = self._steps(float(settings["sample_every_fs"]) * 1e-3)
        self._schedule(restart_every_ps=float(settings["restart_every_ps"]))

    @property
    def sample_ps(self) -> float:
        return self.sample_steps * self.timestep_ps


def close_periodically(lmp, separation_A: float) -> dict:
    """Make z periodic with a gap ``separation_A`` (Å) across the boundary; return geometry."""
    lmp.command("compute zmin all reduce min z")
    lmp.command("compute zmax all reduce max z")
    lmp.command("run 0 post no")
    z_min = float(lmp.extract_compute("zmin", 0, 0))
    z_max = float(lmp.extract_compute("zmax", 0, 0))
    lmp.command("uncompute zmin")
    lmp.command("uncompute zmax")
    z_lo, z_hi = periodic_z_bounds(z_min, z_max, float(separation_A))
    lmp.command(f"change_box all boundary p p p z final {z_lo!r} {z_hi!r} units box")
    return {"z_lo_A": z_lo, "z_hi_A": z_hi, "periodic_separation_A": float(separation_A)}


def define_sides(lmp, info: dict | None = None) -> None:
    """Groups side_a, side_b (their types: :func:`structures.sides.side_types` of the
    structure record ``info``) and the computes the samples are made of.

    ``c_e_a[1]``/``c_e_a[2]``: kinetic/potential energy of A (eV), likewise ``c_e_b``;
    ``c_t_a``/``c_t_b``: side temperatures (K).
    """
    lmp.commands_string(f"""
        {side_group_command("side_a", info or {}, "A")}
        {side_group_command("side_b", info or {}, "B")}
        compute ke_atom all ke/atom
        compute pe_atom all pe/atom
        compute e_a side_a reduce sum c_ke_atom c_pe_atom
        compute e_b side_b reduce sum c_ke_atom c_pe_atom
        compute t_a side_a temp
        compute t_b side_b temp
    """)


def _separation(info: dict) -> float:
    """The gap across the periodic boundary (Å): the relaxed interface's, from the structure."""
    if "periodic_gap_A" in info:  # a grain boundary: the gap of the relaxed periodic bicrystal
        return float(info["periodic_gap_A"])
    return float(info.get("separation_relaxed_A", info["separation_A"]))


def _start(lmp, structure: Path, info: dict, s: EmdSettings, restart: Path | None) -> dict:
    """Load the structure (closing it periodically) or a restart; return the geometry."""
    if restart is not None:
        load_structure(lmp, restart_file=restart, potential=s.potential, specorder=s.specorder)
        define_sides(lmp, info)
        balance_along_z(lmp, s.potential)
        return {}
    load_structure(lmp, data_file=structure, potential=s.potential, specorder=s.specorder)
    geometry = close_periodically(lmp, _separation(info))
    if s.minimize:
        lmp.command("minimize 0.0 1.0e-4 2000 20000")
        lmp.command("reset_timestep 0")
    define_sides(lmp, info)
    balance_along_z(lmp, s.potential)
    return geometry


def define_pressure_groups(lmp, s: EmdSettings, info: dict) -> dict:
    """Groups press_a/press_b: each side's atoms at least ``pressure_exclusion_A`` (Å) from
    both of its interfaces; return their slabs (Å), volumes (Å³) and the cell's area (Å²).

    The slabs hold whole atomic planes (midpoints between planes as bounds) when the
    structure has (001) planes, else they are cut from the side's atom extent.  z is
    unwrapped, so a side's planes are contiguous; the interior slabs lie inside the box.
    """
    z, types = gather_z(lmp, unwrap=True)
    box = box_lengths(lmp)
    lz, excl = box[2], s.pressure_exclusion_A
    spacings = plane_spacings(info)
    try:
        planes = (side_planes(z, types, spacings, side_types(info)) if spacings is not None
                  else None)
    except ValueError:  # disordered planes (e.g. at the closed interface): atom extents
        planes = None
    if planes is not None:
        a, b = planes["A"].z_A, planes["B"].z_A
    else:
        a, b = np.sort(z[on_side(types, info, "A")]), np.sort(z[on_side(types, info, "B")])
    below_a = 0.5 * (b[-1] - lz + a[0])  # the interface across the periodic boundary
    between = 0.5 * (a[-1] + b[0])
    above_b = 0.5 * (b[-1] + a[0] + lz)
    if planes is not None:
        slab_a = interior_slab(a, below_a + excl, between - excl)[:2]
        slab_b = interior_slab(b, between + excl, above_b - excl)[:2]
    else:
        slab_a, slab_b = (below_a + excl, between - excl), (between + excl, above_b - excl)
    lmp.commands_string(f"""
        region press_a_r block INF INF INF INF {slab_a[0]} {slab_a[1]} units box
        region press_b_r block INF INF INF INF {slab_b[0]} {slab_b[1]} units box
        group press_a_slab region press_a_r
        group press_b_slab region press_b_r
        group press_a intersect press_a_slab side_a
        group press_b intersect press_b_slab side_b
        group press_a_slab delete
        group press_b_slab delete
    """)
    area = float(box[0] * box[1])
    return {"area_A2": area, "pressure_slabs_A": {"A": list(slab_a), "B": list(slab_b)},
            "pressure_volumes_A3": {"A": area * (slab_a[1] - slab_a[0]),
                                    "B": area * (slab_b[1] - slab_b[0])},
            "interfaces_z_A": [float(below_a), float(between)],
            "pressure_slabs_from": "planes" if planes is not None else "atom extents"}


def _barostat_stage(lmp, s: EmdSettings, state, outdir: Path, comm) -> dict:
    """Equilibrate the periodic cell at T and zero pressure, then fix its box at the mean of
    the stage's second half; return the box record (see :func:`finish_barostat`)."""
    lmp.commands_string("""
        thermo_style custom step time temp pe etotal lx ly lz pxx pyy pzz
        thermo_modify flush yes
    """)
    lmp.commands_string(barostat_commands(
        s, s.seeds["equilibration"] + state.seed_shift + 2, periodic_z=True,
        box_file=outdir / f"npt.{state.segment}.dat"))
    lmp.command(f"run {s.npt_steps} upto")
    record = finish_barostat(lmp, s, outdir, comm, periodic_z=True)
    lo, hi = lmp.extract_box()[:2]
    return {**record, "z_lo_A": float(lo[2]), "z_hi_A": float(hi[2])}


def _equilibrate(lmp, s: EmdSettings, seed_shift: int, start_step: int, outdir: Path) -> dict:
    """Langevin NVT, then start NVE at the canonical mean energy; return the switch record.

    The NVT stage follows the barostat stage, if any.  The mean total energy ⟨E⟩ of the
    second half of the NVT stage is accumulated inside
    LAMMPS (``fix ave/time ... ave running``); at the end the velocities are scaled so that
    E = ⟨E⟩.  Without it the NVE run keeps whatever instantaneous energy the thermostat
    left, which scatters by √(k_B T² C) (±1.8 % of the thermal energy for 576 atoms) and
    shifts the mean temperature of the whole production run by several percent.  The
    scaled state is written to both restart files, so a resume never restarts NVE from
    the unscaled one.
    """
    half = s.npt_steps + (s.equilibration_steps - s.npt_steps) // 2
    lmp.command(f"fix equilibrate all langevin {s.temperature_K} {s.temperature_K} "
                f"{s.damping_ps} {s.seeds['equilibration'] + seed_shift} zero yes")
    if start_step < half:
        lmp.command(f"run {half} upto")
    lmp.command("variable total_energy equal etotal")
    lmp.command("fix mean_energy all ave/time 1 1 1 v_total_energy ave running")
    lmp.command(f"run {s.equilibration_steps} upto")
    lmp.command("unfix equilibrate")
    mean_energy = float(lmp.extract_fix("mean_energy", 0, 0))
    lmp.command("unfix mean_energy")
    scaled = scale_to_total_energy(lmp, mean_energy, outdir)
    return {"mean_nvt_energy_eV": mean_energy, **scaled,
            "averaged_from_step": max(start_step, half),
            "step": s.equilibration_steps}


def run_emd(structure: Path, info: dict, settings: EmdSettings, outdir: Path) -> dict | None:
    """Run (or resume) one EMD replica; return the merged samples written to ``raw.npz``."""
    comm = mpi_world()
    rank = comm.Get_rank() if comm is not None else 0
    state = prepare_run(outdir, run_fingerprint(settings.raw, structure), comm,
                        SampleFiles(("samples",), (), settings.equilibration_steps))
    restart, start_step, segment = state.restart, state.start_step, state.segment
    lmp = new_lammps(comm=comm, log_file=outdir / f"log.{segment}.lammps")
    wall_start = time.perf_counter()
    s = settings
    t0 = time.perf_counter()
    geometry = _start(lmp, structure, info, s, restart)  # LAMMPS work: read, minimise
    start_seconds = time.perf_counter() - t0
    area = float(info["area_A2"])
    if restart is None:
        geometry.update(area_A2=area, n_interfaces=2, area_total_A2=2.0 * area)
        if s.npt_steps:
            geometry["box_before_npt_A"] = box_lengths(lmp).tolist()
        if rank == 0:
            write_json(outdir / "geometry.json", geometry)
    else:
        geometry = json.loads((outdir / "geometry.json").read_text())
    seed_shift = state.seed_shift
    lmp.commands_string(f"""
        timestep {s.timestep_ps}
        thermo {s.restart_steps}
        restart {s.restart_steps} {outdir / RESTART_NAMES[0]} {outdir / RESTART_NAMES[1]}
    """)
    if restart is None:
        lmp.command(f"velocity all create {s.temperature_K} {s.seeds['velocity']} "
                    "mom yes rot no dist gaussian")
    lammps_seconds = start_seconds  # time inside LAMMPS (the rest is the workflow's overhead)
    # The pressure groups exist in a restart file written after the barostat stage (if any).
    if restart is None or not lmp.has_id("group", "press_a"):
        if s.npt_steps and start_step > s.npt_steps:
            raise RuntimeError(f"{restart} is past the barostat stage but holds no pressure "
                               "groups: remove the run folder")
        t0 = time.perf_counter()
        if s.npt_steps:
            geometry.update(_barostat_stage(lmp, s, state, outdir, comm))
        geometry.update(define_pressure_groups(lmp, s, info))
        geometry["area_total_A2"] = 2.0 * geometry["area_A2"]
        lammps_seconds += time.perf_counter() - t0
        if rank == 0:
            write_json(outdir / "geometry.json", geometry)
        if s.npt_steps:
            for name in RESTART_NAMES:
                lmp.command(f"write_restart {outdir / name}")
    area = float(geometry["area_A2"])
    lmp.commands_string("""
        fix integrate all nve
        thermo_style custom step time temp c_t_a c_t_b pe etotal
        thermo_modify flush yes
    """)
    lmp.commands_string(stress_sampling_commands(PRESSURE_GROUPS, s.sample_steps,
                                                 outdir / f"stress.{segment}.dat"))
    if start_step < s.equilibration_steps:
        t0 = time.perf_counter()
        switch = _equilibrate(lmp, s, seed_shift, start_step, outdir)
        lammps_seconds += time.perf_counter() - t0
        if rank == 0:
            write_json(outdir / "switch.json", switch)
    n = s.sample_steps
    lmp.command(f"fix samples all ave/time {n} 1 {n} c_e_a[1] c_e_a[2] c_e_b[1] c_e_b[2] "
                f"c_t_a c_t_b file {outdir / f'samples.{segment}.dat'} format ' %.15g'")
    has_interiors = "pressure_volumes_A3" in geometry
    if has_interiors:  # is each side still a solid?
        lmp.commands_string(displacement_commands(PRESSURE_GROUPS, n,
                                                  outdir / f"msd.{segment}.dat"))
    if start_step < s.total_steps:  # a shortened run resumed past its new end runs nothing
        t0 = time.perf_counter()
        run_production(lmp, s.total_steps, outdir, comm, align=n)
        lammps_seconds += time.perf_counter() - t0
    n_atoms = int(lmp.get_natoms())
    lmp.command("variable n_a equal count(side_a)")
    lmp.command("variable n_b equal count(side_b)")
    n_a, n_b = int(lmp.extract_variable("n_a")), int(lmp.extract_variable("n_b"))
    interior_atoms = interior_atom_counts(lmp, PRESSURE_GROUPS) if has_interiors else None
    version = int(lmp.version())
    lmp.close()
    if rank != 0:
        return None
    raw = merge_segments(outdir, s)
    msd = largest_displacement(outdir, production_segments(outdir, s.equilibration_steps))
    if msd is not None and interior_atoms is not None:
        raw["max_msd_A2"] = msd
        raw["atomic_volume_A3"] = atomic_volumes(geometry["pressure_volumes_A3"],
                                                 interior_atoms)
    raw.update(area_A2=area, area_total_A2=2.0 * area, n_atoms=n_atoms, n_atoms_a=n_a,
               n_atoms_b=n_b, sample_every_ps=s.sample_ps, timestep_ps=s.timestep_ps,
               temperature_target_K=s.temperature_K)
    save_npz(outdir / DONE_FILE, **raw)
    write_json(outdir / "run.json", provenance_record(
        potential=potential_provenance(get_potential(s.potential)), settings=s.raw,
        lammps={"version_id": version}, geometry=geometry,
        n_atoms=n_atoms, n_atoms_a=n_a, n_atoms_b=n_b,
        steps={"npt": s.npt_steps, "equilibration": s.equilibration_steps,
               "production": s.production_steps, "sample_every": n},
        box=_box_record(geometry), side_pressure_GPa=_pressure_record(outdir, s, geometry),
        segments=[json.loads(p.read_text()) for p in sorted(outdir.glob("segment.*.json"))],
        nve_switch=(json.loads((outdir / "switch.json").read_text())
                    if (outdir / "switch.json").exists() else None),
        timing=_timing(time.perf_counter() - wall_start, lammps_seconds, comm)))
    return raw


def _box_record(geometry: dict) -> dict:
    """Box (Å) before and after the barostat stage, with the stage's mean pressures (GPa)."""
    keys = ("box_before_npt_A", "box_end_of_npt_A", "box_after_npt_A", "npt_mean_box_A",
            "z_length_end_of_npt_A", "z_length_mean_A",
            "npt_mean_pressure_GPa", "npt_averaged_steps", "npt_windows")
    return {k: geometry[k] for k in keys if k in geometry}


def _pressure_record(outdir: Path, s: EmdSettings, geometry: dict) -> dict | None:
    """Mean pressure tensor (GPa) of each side's interior in the second half of NVT (the
    window of the NVE switch's mean energy) and in the NVE production."""
    volumes = geometry.get("pressure_volumes_A3")
    if volumes is None:
        return None
    n = s.sample_steps
    nvt_half = s.npt_steps + (s.equilibration_steps - s.npt_steps) // (2 * n) * n
    record = {}
    for stage, (after, upto) in {"nvt": (nvt_half, s.equilibration_steps),
                                 "production": (s.equilibration_steps, s.total_steps)}.items():
        try:
            record[stage] = side_pressures(outdir, list(PRESSURE_GROUPS), volumes, after, upto, n)
        except RuntimeError as err:  # e.g. a run folder left by a version without the files
            record[stage] = {"error": str(err)}
    return record


def _timing(wall_s: float, lammps_s: float, comm) -> dict:
    return {"wall_s_this_segment": wall_s, "lammps_s_this_segment": lammps_s,
            "overhead_fraction_this_segment": (wall_s - lammps_s) / wall_s if wall_s else 0.0,
            "mpi_ranks": comm.Get_size() if comm is not None else 1}


def merge_segments(outdir: Path, settings: EmdSettings) -> dict:
    """Stitch the per-segment sample files into one contiguous production series.

    Samples of segment k−1 after the restart step s_k were lost with the kill and are
    dropped (segment k re-computes them).  Energies are instantaneous, so no offsets.
    """
    rows = []
    for seg, start, end in production_segments(outdir, settings.equilibration_steps):
        path = outdir / f"samples.{seg}.dat"
        if not path.exists():
            continue
        table = read_time_file(path)
        if table.size == 0:
            continue
        steps = table[:, 0]
        rows.append(table[(steps > start) & (steps <= min(end, settings.total_steps))])
    if not rows:
        raise RuntimeError(f"no production samples found in {outdir}")
    table = np.concatenate(rows)
    steps = table[:, 0].astype(int)
    expected = np.arange(settings.equilibration_steps + settings.sample_steps,
                         settings.total_steps + 1, settings.sample_steps)
    if not np.array_equal(steps, expected):
        raise RuntimeError(f"stitched samples in {outdir} are not contiguous: {len(steps)} "
                           f"samples, expected {len(expected)}")
    out = {"step": steps,
           "time_ps": (steps - settings.equilibration_steps) * settings.timestep_ps}
    out.update({name: table[:, i + 1] for i, name in enumerate(SAMPLE_COLUMNS)})
    out["energy_a_eV"] = out["ke_a_eV"] + out["pe_a_eV"]
    out["energy_b_eV"] = out["ke_b_eV"] + out["pe_b_eV"]
    return out


def main(argv: list[str] | None = None) -> int:
    return driver_main(argv, __doc__.split("\n")[0], EmdSettings, run_emd)


if __name__ == "__main__":
    sys.exit(run_entry_point(main))
