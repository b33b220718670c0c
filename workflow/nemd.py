"""NEMD driver: a bonded interface between a hot and a cold Langevin bath.

Layout along z (transport axis), low z to high z::

    | fixed | bath | side A (NVE) ... interface ... side B (NVE) | bath | fixed |

The hot bath sits on side ``hot_side`` (A by default).  Both baths are ``fix langevin``
with ``tally yes``: LAMMPS accumulates the energy each bath exchanges, and the heat
current is the slope of that energy (Schelling, Phillpot & Keblinski, PRB 65, 144306
(2002) use the same set-up with velocity rescaling).  Temperatures are averaged per bin by
``compute chunk/atom bin/1d`` + ``fix ave/chunk``; bath energies by ``fix ave/time``.  No
per-step Python and no trajectory dumps: Python only issues commands and, at the end,
merges the files LAMMPS wrote.

Checkpointing (:mod:`workflow.run_state`): LAMMPS writes two toggling restart files.  When
the driver is started again in the same folder it resumes from the newest readable restart
file, unless the folder's state belongs to a run with other settings or another structure
(then it is removed and the run starts afresh).  Every (re)start is a *segment* with its
own output files; :func:`merge_segments` stitches them into one
time series, dropping samples that a killed segment wrote past its last restart and
carrying the cumulative bath energies across segments.

Run as ``python -m workflow.nemd --structure relaxed.data --info relaxed.json --settings
'{json}' --outdir DIR`` (under ``mpirun -n N`` or ``srun -n N`` for N ranks).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from analysis.units import W_M2_PER_EV_PS_A2
from potentials import get_potential
from potentials import provenance as potential_provenance
from workflow.atomic_io import save_npz, write_json
from workflow.lammps_runtime import mpi_world, new_lammps, run_entry_point
from workflow.lammps_setup import balance_along_z, load_structure
from workflow.md_settings import MdSettings
from workflow.provenance import provenance_record
from workflow.run_state import (
    RESTART_NAMES,
    driver_main,
    prepare_run,
    production_segments,
    read_time_file,
    run_fingerprint,
)

__all__ = ["NemdSettings", "merge_segments", "read_chunk_file", "read_time_file", "run_nemd"]

DONE_FILE = "raw.npz"


class NemdSettings(MdSettings):
    """Validated, step-converted NEMD settings (times in ps, lengths in Å, T in K)."""

    def __init__(self, settings: dict):
        super().__init__(settings)
        get = settings.get
        self.delta_T_K = float(settings["delta_T_K"])
        self.bath = get("bath", "langevin")
        self.heat_flux_W_m2 = get("heat_flux_W_m2")
        if self.bath not in ("langevin", "ehex"):
            raise ValueError(f"bath = {self.bath!r}: use 'langevin' or 'ehex'")
        if self.bath == "ehex" and not self.heat_flux_W_m2:
            raise ValueError("bath = 'ehex' imposes the heat flux: set heat_flux_W_m2 > 0")
        self.initial_jump_K = float(get("initial_jump_K") or 0.0)
        self.fixed_A = float(get("fixed_thickness_A", 5.0))
        self.bath_A = float(get("bath_thickness_A", 10.0))
        self.bin_A = float(get("bin_width_A", 2.0))
        self.hot_side = get("hot_side", "A")
        self.sample_steps = self._steps(float(settings["sample_every_ps"]))
        self.sample_every = int(get("sample_every_steps", 10))
        if self.sample_steps % self.sample_every:
            self.sample_every = 1
        self._schedule(restart_every_ps=float(get("restart_every_ps", 10.0)))
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


def _define_regions(lmp, settings: NemdSettings, info: dict) -> dict:
    """Groups fixed/hot/cold/mobile from the atoms' z-extent; returns the region bounds (Å)."""
    lmp.command("compute zmin all reduce min z")
    lmp.command("compute zmax all reduce max z")
    lmp.command("run 0 post no")
    z_lo = float(lmp.extract_compute("zmin", 0, 0)) - 0.01
    z_hi = float(lmp.extract_compute("zmax", 0, 0)) + 0.01
    lmp.command("uncompute zmin")
    lmp.command("uncompute zmax")
    fixed, bath = settings.fixed_A, settings.bath_A
    low_bath = (z_lo + fixed, z_lo + fixed + bath)
    high_bath = (z_hi - fixed - bath, z_hi - fixed)
    z_interface = float(info["z_interface_A"])
    if not (low_bath[1] < z_interface < high_bath[0]):
        raise ValueError(
            f"fixed_thickness_A + bath_thickness_A = {fixed + bath} Å leaves no free region "
            f"between the baths and the interface at z = {z_interface:.2f} Å: make the sides longer "
            "or the baths thinner"
        )
    hot, cold = (low_bath, high_bath) if settings.hot_side == "A" else (high_bath, low_bath)
    lmp.commands_string(f"""
        region fixed_lo block INF INF INF INF INF {z_lo + fixed} units box
        region fixed_hi block INF INF INF INF {z_hi - fixed} INF units box
        region hot_r block INF INF INF INF {hot[0]} {hot[1]} units box
        region cold_r block INF INF INF INF {cold[0]} {cold[1]} units box
        group fixed region fixed_lo
        group fixed region fixed_hi
        group hot region hot_r
        group cold region cold_r
        group mobile subtract all fixed
    """)
    return {"z_lo_A": z_lo, "z_hi_A": z_hi, "hot_region_A": list(hot), "cold_region_A": list(cold),
            "z_interface_A": z_interface}


def _equilibration_commands(s: NemdSettings, seed_shift: int, *, add: bool) -> str:
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
        group side_a_all type 1
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


def run_nemd(structure: Path, info: dict, settings: NemdSettings, outdir: Path) -> dict:
    """Run (or resume) one NEMD replica; return the merged raw data written to ``raw.npz``."""
    comm = mpi_world()
    rank = comm.Get_rank() if comm is not None else 0
    state = prepare_run(outdir, run_fingerprint(settings.raw, structure), comm)
    restart, start_step, segment = state.restart, state.start_step, state.segment
    lmp = new_lammps(comm=comm, log_file=outdir / f"log.{segment}.lammps")
    wall_start = time.perf_counter()
    lammps_seconds = 0.0
    if restart is None:
        load_structure(lmp, data_file=structure, potential=settings.potential,
                       specorder=settings.specorder)
    else:
        load_structure(lmp, restart_file=restart, potential=settings.potential,
                       specorder=settings.specorder)
    geometry = _define_regions(lmp, settings, info) if restart is None else None
    balance_along_z(lmp, settings.potential)  # equal work per rank (no-op on 1 rank)
    if restart is not None:
        geometry = json.loads((outdir / "geometry.json").read_text())
    elif rank == 0:
        write_json(outdir / "geometry.json", geometry)

    seed_shift = state.seed_shift  # a resumed segment must not replay the same noise
    s = settings
    lmp.commands_string(f"""
        timestep {s.timestep_ps}
        fix freeze fixed setforce 0.0 0.0 0.0
        fix integrate mobile nve
        compute t_mobile mobile temp
        thermo_style custom step time c_t_mobile pe etotal
        thermo_modify temp t_mobile flush yes
        thermo {s.restart_steps}
        restart {s.restart_steps} {outdir / RESTART_NAMES[0]} {outdir / RESTART_NAMES[1]}
    """)
    if restart is None:
        lmp.command(f"velocity mobile create {s.temperature_K} {s.seeds['velocity']} "
                    "mom yes rot no dist gaussian temp t_mobile")
        lmp.command("velocity fixed set 0.0 0.0 0.0")

    if start_step < s.equilibration_steps:
        lmp.commands_string(_equilibration_commands(s, seed_shift, add=True))
        t0 = time.perf_counter()
        lmp.command(f"run {s.equilibration_steps} upto")
        lammps_seconds += time.perf_counter() - t0
        lmp.commands_string(_equilibration_commands(s, seed_shift, add=False))

    n_every, n_freq = s.sample_every, s.sample_steps
    segment_start = max(start_step, s.equilibration_steps)
    lmp.commands_string(_bath_commands(s, seed_shift, float(info["area_A2"]), segment_start))
    lmp.commands_string(f"""
        compute bins mobile chunk/atom bin/1d z {geometry['z_interface_A']} {s.bin_A} \
            units box nchunk once ids once
        fix profile mobile ave/chunk {n_every} {n_freq // n_every} {n_freq} bins temp \
            file {outdir / f'profile.{segment}.dat'}
        fix bath_energy all ave/time {n_freq} 1 {n_freq} v_e_hot v_e_cold \
            file {outdir / f'energy.{segment}.dat'} format " %.15g"
        thermo_style custom step time c_t_mobile pe etotal v_e_hot v_e_cold
        thermo_modify temp t_mobile flush yes
    """)
    t0 = time.perf_counter()
    if start_step < s.total_steps:  # a shortened run resumed past its new end runs nothing
        lmp.command(f"run {s.total_steps} upto")
    lammps_seconds += time.perf_counter() - t0
    n_atoms = int(lmp.get_natoms())
    lmp.close()
    raw = None
    if rank == 0:
        raw = merge_segments(outdir, settings)
        area = float(info["area_A2"])
        save_npz(outdir / DONE_FILE, area_A2=area, n_atoms=n_atoms, **raw,
                 **{k: np.asarray(v) for k, v in geometry.items()})
        wall = time.perf_counter() - wall_start
        write_json(outdir / "run.json", provenance_record(
            potential=potential_provenance(get_potential(settings.potential)),
            settings=settings.raw, geometry=geometry, n_atoms=n_atoms,
            steps={"equilibration": s.equilibration_steps, "production": s.production_steps,
                   "sample_every": n_freq},
            segments=[json.loads(p.read_text()) for p in sorted(outdir.glob("segment.*.json"))],
            timing={"wall_s": wall, "lammps_s_this_segment": lammps_seconds,
                    "overhead_fraction_this_segment": (wall - lammps_seconds) / wall,
                    "mpi_ranks": comm.Get_size() if comm is not None else 1}))
    return raw


def read_chunk_file(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse a ``fix ave/chunk`` file with columns ``Chunk Coord1 Ncount temp``.

    Returns ``steps`` (n,), ``z_A`` (n_bins,), ``count`` (n, n_bins), ``temperature_K``
    (n, n_bins).  A block cut short by a kill is dropped.
    """
    steps, counts, temps, coords = [], [], [], None
    lines = [ln for ln in Path(path).read_text().splitlines() if ln and not ln.startswith("#")]
    i = 0
    while i < len(lines):
        head = lines[i].split()
        step, nchunk = int(head[0]), int(head[1])
        block = lines[i + 1:i + 1 + nchunk]
        if len(block) < nchunk:
            break
        table = np.array([[float(x) for x in row.split()] for row in block])
        if table.shape != (nchunk, 4):
            break
        coords = table[:, 1] if coords is None else coords
        steps.append(step)
        counts.append(table[:, 2])
        temps.append(table[:, 3])
        i += 1 + nchunk
    if not steps:
        return (np.zeros(0, int), np.zeros(0), np.zeros((0, 0)), np.zeros((0, 0)))
    return np.array(steps), coords, np.array(counts), np.array(temps)


def merge_segments(outdir: Path, settings: NemdSettings) -> dict:
    """Stitch the per-segment profile and bath-energy files into one production series.

    A segment ``k`` started from a restart at step ``s_k``; samples of segment ``k-1``
    after ``s_k`` were lost with the kill and are dropped.  The Langevin tally restarts
    from zero in each segment, so segment ``k``'s cumulative energies are offset by the
    previous segment's value at ``s_k``.
    """
    steps_all, temps_all, counts_all, e_all = [], [], [], []
    z = None
    offset = np.zeros(2)
    for seg, start, end in production_segments(outdir, settings.equilibration_steps):
        prof_path, energy_path = outdir / f"profile.{seg}.dat", outdir / f"energy.{seg}.dat"
        if not prof_path.exists() or not energy_path.exists():
            continue
        steps, coords, counts, temps = read_chunk_file(prof_path)
        energy = read_time_file(energy_path)
        if len(steps) == 0 or len(energy) == 0:
            continue
        z = coords if z is None else z
        e_steps = energy[:, 0].astype(int)
        keep = (steps > start) & (steps <= min(end, settings.total_steps))
        common = np.intersect1d(steps[keep], e_steps)
        sel_p = np.isin(steps, common)
        sel_e = np.isin(e_steps, common)
        steps_all.append(steps[sel_p])
        temps_all.append(temps[sel_p])
        counts_all.append(counts[sel_p])
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
    expected = np.arange(settings.equilibration_steps + settings.sample_steps,
                         settings.total_steps + 1, settings.sample_steps)
    if not np.array_equal(steps, expected):
        raise RuntimeError(f"stitched production samples in {outdir} are not contiguous: "
                           f"{len(steps)} samples, expected {len(expected)}")
    return {
        "step": steps,
        "time_ps": (steps - settings.equilibration_steps) * settings.timestep_ps,
        "z_A": z,
        "temperature_K": temperature,
        "atoms_per_bin": counts.mean(axis=0),
        "energy_hot_eV": energy[:, 0],
        "energy_cold_eV": energy[:, 1],
    }


def main(argv: list[str] | None = None) -> int:
    return driver_main(argv, __doc__.split("\n")[0], NemdSettings, run_nemd)


if __name__ == "__main__":
    sys.exit(run_entry_point(main))
