"""Spectral heat current across an interface in NEMD: driver (issue 15).

For a relaxed interface and NEMD settings (:class:`engine.nemd.NemdSettings`), the run

1. computes the harmonic force constants Φ_ij that couple a slab L of side A below the
   interface plane to a slab R of side B above it, at the relaxed (0 K) structure, by
   central finite differences in LAMMPS (each L atom displaced by ±h along x, y, z; the
   forces on the R atoms read back; Φ_ij^{αβ} = −∂F_jβ/∂u_iα, eV/Å²), keeping the pairs
   whose block norm exceeds ``fc_tolerance_eV_A2``;
2. runs the NEMD stack with the building blocks of :mod:`engine.nemd` (barostat stage,
   regions, NVT equilibration, baths, profile and bath-energy files) for ``production_ps``
   towards the steady state;
3. goes on for ``n_blocks`` blocks of ``block_samples`` velocity samples, one every
   ``sample_every_fs``: LAMMPS writes the velocities of the slab atoms (``dump custom``,
   id vx vy vz sorted by id) of one block to a file, Python reads it, feeds
   :class:`analysis.spectral_current.SpectralCurrentAccumulator` and deletes it before the
   next block starts.  No per-step Python: one ``run`` per block.

Results (``spectral.json``, ``spectrum.csv``, ``force_constants.npz``, all written
atomically): q(f) with its 95 % band; the integrated current P = ∫q df against the bath
power over the same stage (the sum rule; its ratio is ≈ 1 only as far as the 0 K
harmonic force constants describe the interface at T); ΔT from linear fits of the same
stage's profile (or ``jump_K``); G(f) = q/(A ΔT); the share of ∫q above
``inelastic_cutoff_THz``; the quantum-corrected G_q(T).

Conventions: L = side A (low z), R = side B.  q > 0 and P > 0 for heat from A to B; the
bath power is compared as the power from A to B (positive when the hot bath is on A).
ΔT passed to G is T_A − T_B at the interface.  Units inside: Å, ps, eV, K, amu; f in THz.

Bounds.  Disk: one block file at a time, ≲ (block_samples + 1) × (n_slab × 64 + 300)
bytes (recorded, with the largest file seen and the most block files present at once).
Memory: the block's text and its (block_samples, n_slab, 3) array with its FFT, ≈ the
file size + 4 × 8 × 3 × block_samples × n_slab bytes, and the accumulator's
≈ (max_batches + 3) × (block_samples/2 + 1) floats, whatever the number of blocks.

The spectral settings are keys beside the NEMD ones (:data:`SPECTRAL_KEYS`), all
required: their defaults live in the config schema (the ``spectral`` block of
``workflow/schemas/config.schema.yaml``; :func:`study.config.spectral_settings` builds
complete settings of a study's run).  Settings are checked before
any MD: sampling too coarse for ``max_frequency_THz`` (Nyquist), a slab without atoms, a
slab reaching into a bath, too few bath-energy samples in the sampled stage all raise
``ValueError`` naming the field.  No checkpoints: a killed run starts afresh.

Run as ``python -m engine.spectral --structure relaxed.data --info relaxed.json
--settings '{json}' --outdir DIR`` (under ``mpirun -n N`` for N ranks).
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import optimize, stats

from analysis.blocking import t_interval, welch_satterthwaite_dof
from analysis.flux import heat_flux
from analysis.jump import fit_windows, temperature_jump
from analysis.spectral_current import SpectralCurrentAccumulator
from analysis.units import W_M2_PER_EV_PS_A2
from engine.atomic_io import save_npz, write_csv, write_json
from engine.lammps_setup import load_structure
from engine.nemd import (
    NemdSettings,
    _bath_commands,
    _chunk_commands,
    _equilibration_commands,
    _plane_bins,
    _prepare_stack,
    read_chunk_file,
    read_time_file,
    start_mobile_nve,
)
from engine.provenance import provenance_record
from engine.run_state import RunState, driver_main
from engine.runtime import mpi_world, new_lammps, run_entry_point
from potentials import get_potential
from potentials import provenance as potential_provenance
from structures.sides import on_side

__all__ = ["SPECTRAL_KEYS", "SpectralSettings", "interface_force_constants",
           "read_velocity_block", "run_spectral"]

#: Spectral settings beside the NEMD ones (all required; defaults in the config schema):
#: sample_every_fs [fs], max_frequency_THz [THz], block_samples, n_blocks, slab_A [Å] or
#: None (the measured reach of Φ), fd_step_A [Å], fc_tolerance_eV_A2 [eV/Å²], window,
#: max_batches, inelastic_cutoff_THz [THz] or None (skipped), quantum_temperatures_K [K],
#: jump_K [K] or None (fitted), and the profile fit's bath_exclusion_A and
#: interface_exclusion_A [Å] (the study's analysis block).
SPECTRAL_KEYS = ("sample_every_fs", "max_frequency_THz", "block_samples", "n_blocks", "slab_A",
                 "fd_step_A", "fc_tolerance_eV_A2", "window", "max_batches",
                 "inelastic_cutoff_THz", "quantum_temperatures_K", "jump_K",
                 "bath_exclusion_A", "interface_exclusion_A")
#: Fewest bath-energy windows in the sampled stage (:func:`analysis.flux.heat_flux`).
MIN_ENERGY_SAMPLES = 32
#: Batches of the profile over which the temperature jump's error is estimated.
JUMP_BATCHES = 8
#: Block-norm fraction above which a pair at a slab's outer edge means a slab too thin.
EDGE_WARNING = 1e-2
#: Outer layer of a slab (Å) checked for pairs that a thicker slab would add.
EDGE_LAYER_A = 1.0
#: Bytes per dumped atom line (id and three %.9g velocities) and per snapshot header.
DUMP_LINE_BYTES, DUMP_HEADER_BYTES = 64, 300
BLOCK_GLOB = "velocities.*.dump"


class SpectralSettings(NemdSettings):
    """NEMD settings plus the spectral keys of :data:`SPECTRAL_KEYS`, checked and
    converted to steps (``spectral_every`` steps between samples, ``block_steps``,
    ``spectral_steps``; the sampled stage starts at ``spectral_start``)."""

    DRIVER = "spectral NEMD"
    KEYS = (*NemdSettings.KEYS, *SPECTRAL_KEYS)

    def __init__(self, settings: dict):
        super().__init__(settings)  # refuses settings that lack a key of KEYS, naming it
        sp = {k: settings[k] for k in SPECTRAL_KEYS}
        self.spectral = sp
        for key in ("sample_every_fs", "max_frequency_THz"):
            if sp[key] is None or not float(sp[key]) > 0:
                raise ValueError(f"{key} = {sp[key]!r}: give a positive value")
        self._check_sampling(float(sp["sample_every_fs"]), float(sp["max_frequency_THz"]))
        self.block_samples, self.n_blocks = int(sp["block_samples"]), int(sp["n_blocks"])
        if self.block_samples < 16:
            raise ValueError(f"block_samples = {self.block_samples}: need at least 16")
        if self.n_blocks < 4:
            raise ValueError(f"n_blocks = {self.n_blocks}: need at least 4")
        try:  # the accumulator checks the window and max_batches
            SpectralCurrentAccumulator([[0, 1]], -np.eye(3)[None], self.dt_sample_ps,
                                       self.block_samples, window=sp["window"],
                                       max_batches=int(sp["max_batches"]))
        except ValueError as err:
            raise ValueError(f"window = {sp['window']!r} / max_batches = "
                             f"{sp['max_batches']}: {err}") from err
        self.slab_A = None if sp["slab_A"] is None else float(sp["slab_A"])
        if self.slab_A is not None and not self.slab_A > 0:
            raise ValueError(f"slab_A = {self.slab_A} Å: the slabs must be thicker than 0")
        self.fd_step_A = float(sp["fd_step_A"])
        if not 0 < self.fd_step_A <= 0.05:
            raise ValueError(f"fd_step_A = {self.fd_step_A} Å: use 0 < h <= 0.05 Å")
        self.fc_tolerance = float(sp["fc_tolerance_eV_A2"])
        if not self.fc_tolerance >= 0:
            raise ValueError(f"fc_tolerance_eV_A2 = {self.fc_tolerance}: must be >= 0")
        cutoff = sp["inelastic_cutoff_THz"]
        if cutoff is not None and not 0 < float(cutoff) < self.nyquist_THz:
            raise ValueError(f"inelastic_cutoff_THz = {cutoff}: must lie in (0, "
                             f"{self.nyquist_THz:g}) THz (the Nyquist frequency)")
        temps = np.asarray(sp["quantum_temperatures_K"], dtype=float).ravel()
        if not np.all(temps > 0):
            raise ValueError(f"quantum_temperatures_K = {sp['quantum_temperatures_K']}: "
                             "temperatures must be positive")
        self.quantum_temperatures_K = temps.tolist()
        if sp["jump_K"] is not None and not (math.isfinite(float(sp["jump_K"]))
                                             and float(sp["jump_K"]) != 0):
            raise ValueError(f"jump_K = {sp['jump_K']}: give a finite, non-zero jump or null")
        self.block_steps = self.block_samples * self.spectral_every
        self.spectral_steps = self.n_blocks * self.block_steps
        windows = self.spectral_steps // self.sample_steps
        if windows < MIN_ENERGY_SAMPLES:
            raise ValueError(
                f"sample_every_ps = {settings['sample_every_ps']}: the sampled stage "
                f"({self.spectral_steps * self.timestep_ps:g} ps = n_blocks × block_samples × "
                f"sample_every_fs) holds {windows} bath-energy windows, fewer than "
                f"{MIN_ENERGY_SAMPLES}: shorten sample_every_ps or raise n_blocks")

    def _check_sampling(self, every_fs: float, max_frequency_THz: float) -> None:
        """Sampling interval: a whole number of steps, Nyquist above the phonons."""
        steps = every_fs / (self.timestep_ps * 1e3)
        if abs(steps - round(steps)) > 1e-6 * steps or round(steps) < 1:
            raise ValueError(f"sample_every_fs = {every_fs} is not a whole number of time "
                             f"steps of {self.timestep_ps * 1e3:g} fs")
        self.spectral_every = round(steps)
        self.dt_sample_ps = self.spectral_every * self.timestep_ps
        self.nyquist_THz = 1.0 / (2.0 * self.dt_sample_ps)
        if not self.nyquist_THz > max_frequency_THz:
            finest = 1e3 / (2.0 * max_frequency_THz)
            raise ValueError(
                f"sample_every_fs = {every_fs} is too coarse: its Nyquist frequency "
                f"{self.nyquist_THz:.3g} THz does not exceed max_frequency_THz = "
                f"{max_frequency_THz:g} THz (sample more often than every {finest:.3g} fs)")
        self.max_frequency_THz = max_frequency_THz

    @property
    def spectral_start(self) -> int:
        """Step at which the velocity sampling starts (after equilibration and production)."""
        return self.total_steps

    @property
    def spectral_end(self) -> int:
        """Last step of the sampled stage."""
        return self.total_steps + self.spectral_steps


# --- force constants --------------------------------------------------------------------

def _id_ranges(ids: np.ndarray) -> str:
    """Atom IDs as LAMMPS ranges ``a:b`` (for ``group ... id``)."""
    ids = np.sort(np.asarray(ids, dtype=int))
    breaks = np.flatnonzero(np.diff(ids) != 1) + 1
    return " ".join(f"{r[0]}:{r[-1]}" if len(r) > 1 else f"{r[0]}"
                    for r in np.split(ids, breaks))


def _forces(lmp) -> np.ndarray:
    """Forces (eV/Å) on all atoms, ordered by ID, after a ``run 0`` (collective)."""
    lmp.command("run 0 post no")
    return np.asarray(lmp.gather_atoms("f", 1, 3)).reshape(-1, 3)


def _force_derivatives(lmp, atom_id: int, x0: np.ndarray, h: float) -> np.ndarray:
    """−∂F_j/∂u_i (eV/Å²) of every atom j for atom ``atom_id`` by central differences.

    Returns shape (n_atoms, 3 [α of u_i], 3 [β of F_j]); the atom is put back at ``x0``.
    """
    out = np.empty((lmp.get_natoms(), 3, 3))
    for alpha, axis in enumerate("xyz"):
        lmp.command(f"set atom {atom_id} {axis} {float(x0[alpha] + h)!r}")
        plus = _forces(lmp)
        lmp.command(f"set atom {atom_id} {axis} {float(x0[alpha] - h)!r}")
        minus = _forces(lmp)
        lmp.command(f"set atom {atom_id} {axis} {float(x0[alpha])!r}")
        out[:, alpha, :] = -(plus - minus) / (2.0 * h)
    return out


def _interaction_range(lmp, x: np.ndarray, types: np.ndarray, info: dict, z_interface: float,
                       h: float, tolerance: float) -> float:
    """Largest |Δz| (Å) over which an atom next to the plane has force constants above
    ``tolerance``: the atom of each side nearest the plane is probed."""
    reach = 0.0
    for side, below in (("A", True), ("B", False)):
        candidates = np.flatnonzero(on_side(types, info, side)
                                    & ((x[:, 2] < z_interface) == below))
        if candidates.size == 0:
            continue
        probe = candidates[np.argmin(np.abs(x[candidates, 2] - z_interface))]
        phi = _force_derivatives(lmp, probe + 1, x[probe], h)
        norms = np.linalg.norm(phi, axis=(1, 2))
        norms[probe] = 0.0
        coupled = norms > tolerance
        if coupled.any():
            reach = max(reach, float(np.abs(x[coupled, 2] - x[probe, 2]).max()))
    return reach


def interface_force_constants(structure: Path, info: dict, settings: SpectralSettings,
                              comm=None) -> dict:
    """Slabs and cross force constants Φ_ij (i ∈ L, j ∈ R) of the relaxed structure.

    L holds the atoms within ``slab_A`` below the interface plane (``info``'s
    ``z_interface_A``), R those within ``slab_A`` above it; without ``slab_A``, the
    thickness is the measured reach of Φ (:func:`_interaction_range`).  Raises
    ``ValueError`` naming ``slab_A`` if a slab is empty or reaches into the fixed layers
    and baths (measured from the outermost atoms), or ``fc_tolerance_eV_A2`` when no pair
    is kept.  Collective.

    Returns
    -------
    dict
        ``left_ids``, ``right_ids`` (atom IDs); ``slab_ids`` (sorted union: the rows of a
        velocity block); ``pairs`` (n_pairs, 2) rows into ``slab_ids``; ``pair_ids``
        (n_pairs, 2) atom IDs; ``phi_eV_A2`` (n_pairs, 3, 3); ``slab_A``;
        ``interaction_range_A``; ``z_interface_A``; ``edge_fraction`` (largest block norm
        of a pair with an atom in a slab's outer ``EDGE_LAYER_A`` over the largest one);
        ``n_force_evaluations``.
    """
    s = settings
    lmp = new_lammps(comm=comm)
    try:
        load_structure(lmp, data_file=structure, potential=s.potential, specorder=s.specorder,
                       boundary="p p f")
        lmp.command("run 0 post no")
        x = np.asarray(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3)
        types = np.asarray(lmp.gather_atoms("type", 0, 1))
        z_i = float(info.get("z_interface_A",
                             0.5 * (x[on_side(types, info, "A"), 2].max()
                                    + x[on_side(types, info, "B"), 2].min())))
        reach = _interaction_range(lmp, x, types, info, z_i, s.fd_step_A, s.fc_tolerance)
        slab = s.slab_A if s.slab_A is not None else reach + 1e-3
        depth = np.abs(x[:, 2] - z_i)
        left = np.flatnonzero((x[:, 2] < z_i) & (depth <= slab))
        right = np.flatnonzero((x[:, 2] >= z_i) & (depth <= slab))
        _check_slabs(x[:, 2], z_i, slab, left, right, s)
        blocks = np.stack([_force_derivatives(lmp, i + 1, x[i], s.fd_step_A)[right]
                           for i in left])  # (n_L, n_R, 3, 3)
    finally:
        lmp.close()
    norms = np.linalg.norm(blocks, axis=(2, 3))
    keep_l, keep_r = np.nonzero(norms > s.fc_tolerance)
    if keep_l.size == 0:
        raise ValueError(f"fc_tolerance_eV_A2 = {s.fc_tolerance}: no L-R pair of the slabs "
                         f"(slab_A = {slab:.3g} Å) has force constants above it")
    slab_ids = np.union1d(left, right) + 1
    row = {int(a): k for k, a in enumerate(slab_ids)}
    pair_ids = np.column_stack([left[keep_l] + 1, right[keep_r] + 1])
    edge = ((depth[left[keep_l]] > slab - EDGE_LAYER_A)
            | (depth[right[keep_r]] > slab - EDGE_LAYER_A))
    kept = norms[keep_l, keep_r]
    return {"left_ids": left + 1, "right_ids": right + 1, "slab_ids": slab_ids,
            "pairs": np.array([[row[int(a)], row[int(b)]] for a, b in pair_ids]),
            "pair_ids": pair_ids, "phi_eV_A2": blocks[keep_l, keep_r],
            "slab_A": float(slab), "interaction_range_A": reach, "z_interface_A": z_i,
            "edge_fraction": float(kept[edge].max() / kept.max()) if edge.any() else 0.0,
            "n_force_evaluations": 6 * (len(left) + 2)}


def _check_slabs(z: np.ndarray, z_interface: float, slab: float, left: np.ndarray,
                 right: np.ndarray, s: SpectralSettings) -> None:
    """Both slabs hold atoms and stay clear of the fixed layers and baths (Å)."""
    for name, members in (("L (side A)", left), ("R (side B)", right)):
        if members.size == 0:
            raise ValueError(f"slab_A = {slab:.3g} Å: slab {name} holds no atoms within "
                             f"{slab:.3g} Å of the interface at z = {z_interface:.2f} Å; "
                             "make slab_A thicker")
    ends = s.fixed_A + s.bath_A
    if z_interface - slab < z.min() + ends or z_interface + slab > z.max() - ends:
        raise ValueError(f"slab_A = {slab:.3g} Å reaches into the baths or fixed layers "
                         f"({ends:g} Å at each end of the {np.ptp(z):.1f} Å stack): make "
                         "the sides longer or slab_A thinner")


# --- velocity blocks --------------------------------------------------------------------

def read_velocity_block(path: Path, atom_ids: np.ndarray, after_step: int, every: int,
                        n_samples: int) -> np.ndarray:
    """Velocities (n_samples, n_atoms, 3) in Å/ps from a ``dump custom id vx vy vz`` file.

    Snapshots at ``after_step`` (LAMMPS writes the block's first step too) are skipped;
    the rest must be ``after_step + every, ..., after_step + n_samples × every``, each
    with exactly the atoms ``atom_ids`` sorted by ID.  Raises ``RuntimeError`` otherwise
    (lost atoms, a cut file).
    """
    lines = Path(path).read_text().split("\n")
    n = len(atom_ids)
    per = 9 + n
    n_snap = len(lines) // per
    steps = np.array([int(lines[k * per + 1]) for k in range(n_snap)])
    counts = np.array([int(lines[k * per + 3]) for k in range(n_snap)])
    if np.any(counts != n):
        raise RuntimeError(f"{path}: snapshots hold {sorted(set(counts.tolist()))} atoms, "
                           f"expected the {n} slab atoms (atoms lost?)")
    keep = np.flatnonzero(steps > after_step)
    expected = after_step + every * np.arange(1, n_samples + 1)
    if not np.array_equal(steps[keep], expected):
        raise RuntimeError(f"{path}: {keep.size} snapshots at steps {steps[keep][:3]}..., "
                           f"expected {n_samples} every {every} steps after {after_step}")
    rows = [ln for k in keep for ln in lines[k * per + 9:(k + 1) * per]]
    table = np.array(" ".join(rows).split(), dtype=float).reshape(n_samples, n, 4)
    if not np.array_equal(table[0, :, 0].astype(int), np.asarray(atom_ids)) or not np.all(
            table[:, :, 0] == table[:1, :, 0]):
        raise RuntimeError(f"{path}: atom IDs differ from the slab atoms")
    return table[:, :, 1:]


# --- the run ------------------------------------------------------------------------------

def _stack_to_steady_state(lmp, structure: Path, info: dict, s: SpectralSettings,
                           outdir: Path, comm) -> tuple[dict, dict | None]:
    """Barostat stage, regions, NVT equilibration, baths and sample files, then the
    production (``production_ps``) of :mod:`engine.nemd`; return (geometry, bins)."""
    state = RunState(None, 0, 0)
    if comm is None or comm.Get_rank() == 0:  # one segment: the barostat stage's samples
        for stale in outdir.glob("segment.*.json"):  # are stitched as a NEMD run's are
            stale.unlink()
        write_json(outdir / "segment.0.json", {"segment": 0, "start_step": 0,
                                               "resumed_from": None, "seed_shift": 0})
    if comm is not None:
        comm.Barrier()
    geometry = _prepare_stack(lmp, structure, info, s, state, outdir, comm)
    area = float(geometry["area_A2"])
    start_mobile_nve(lmp, s, new_velocities=not s.npt_steps)
    lmp.commands_string(_equilibration_commands(s, 0, add=True, info=info))
    lmp.command(f"run {s.equilibration_steps} upto")
    lmp.commands_string(_equilibration_commands(s, 0, add=False))
    bins = _plane_bins(lmp, s, geometry, info, outdir, comm)
    z_column = " v_z_atom" if bins is not None else ""
    n_every, n_freq = s.sample_every, s.sample_steps
    lmp.commands_string(_bath_commands(s, 0, area, s.equilibration_steps))
    lmp.commands_string(_chunk_commands(s, geometry, bins))
    lmp.commands_string(f"""
        fix profile mobile ave/chunk {n_every} {n_freq // n_every} {n_freq} bins temp{z_column} \
            file {outdir / 'profile.spectral.dat'}
        fix bath_energy all ave/time {n_freq} 1 {n_freq} v_e_hot v_e_cold \
            file {outdir / 'energy.spectral.dat'} format " %.15g"
        thermo_style custom step time c_t_mobile pe etotal v_e_hot v_e_cold
        thermo_modify temp t_mobile flush yes
    """)
    lmp.command(f"run {s.total_steps} upto")
    return geometry, bins


def _check_slab_groups(lmp, fc: dict) -> None:
    """The slab atoms are all mobile and none is thermostatted (collective)."""
    lmp.command(f"group spectral_slab id {_id_ranges(fc['slab_ids'])}")
    for name in ("hot", "cold", "fixed"):
        lmp.command(f"group spectral_check intersect spectral_slab {name}")
        lmp.command("variable spectral_n equal count(spectral_check)")
        count = int(lmp.extract_variable("spectral_n"))
        lmp.command("group spectral_check delete")
        if count:
            raise ValueError(f"slab_A = {fc['slab_A']:.3g} Å: {count} slab atoms lie in the "
                             f"{name} region; make slab_A thinner or the sides longer")


def _carry_tally(lmp, s: SpectralSettings) -> None:
    """Langevin tallies restart at every ``run``: continue ``v_e_hot``/``v_e_cold`` from
    their current values (collective)."""
    if s.bath != "langevin":
        return  # eHEX energies are functions of the step
    for bath in ("hot", "cold"):
        now = float(lmp.extract_variable(f"e_{bath}"))
        lmp.command(f"variable e_{bath} equal {now!r}-f_{bath}")


def _record_blocks(lmp, s: SpectralSettings, fc: dict, outdir: Path, rank: int) -> dict:
    """Run the sampled stage block by block; feed the accumulator (rank 0)."""
    acc = None
    if rank == 0:
        acc = SpectralCurrentAccumulator(fc["pairs"], fc["phi_eV_A2"], s.dt_sample_ps,
                                         s.block_samples, window=s.spectral["window"],
                                         max_batches=int(s.spectral["max_batches"]))
    largest, most_files, read_s = 0, 0, 0.0
    for block in range(s.n_blocks):
        path = outdir / BLOCK_GLOB.replace("*", f"{block:05d}")
        start = int(lmp.extract_global("ntimestep"))
        _carry_tally(lmp, s)
        lmp.commands_string(f"""
            dump spectral spectral_slab custom {s.spectral_every} {path} id vx vy vz
            dump_modify spectral sort id format float %.9g
        """)
        lmp.command(f"run {s.block_steps} post no")
        lmp.command("undump spectral")
        if rank == 0:
            t0 = time.perf_counter()
            most_files = max(most_files, len(list(outdir.glob(BLOCK_GLOB))))
            largest = max(largest, path.stat().st_size)
            acc.add(read_velocity_block(path, fc["slab_ids"], start, s.spectral_every,
                                        s.block_samples))
            path.unlink()
            read_s += time.perf_counter() - t0
    n_slab = len(fc["slab_ids"])
    n_freq = s.block_samples // 2 + 1
    return {"accumulator": acc, "disk": {
        "bound_bytes": (s.block_samples + 1) * (n_slab * DUMP_LINE_BYTES + DUMP_HEADER_BYTES),
        "largest_block_file_bytes": largest, "most_block_files_at_once": most_files,
        "block_files_left": len(list(outdir.glob(BLOCK_GLOB))) if rank == 0 else None},
        "memory": {"block_array_bytes": 8 * 3 * s.block_samples * n_slab,
                   "bound_bytes": largest + 4 * 8 * 3 * s.block_samples * n_slab
                   + 8 * (int(s.spectral["max_batches"]) + 3) * n_freq,
                   "accumulator_bytes": 8 * (int(s.spectral["max_batches"]) + 3) * n_freq},
        "python_read_s": read_s}


def run_spectral(structure: Path, info: dict, settings: SpectralSettings, outdir: Path) -> dict:
    """Force constants, NEMD to the steady state, blocks of slab velocities, results.

    Writes ``force_constants.npz``, ``spectrum.csv`` and ``spectral.json`` to ``outdir``
    (rank 0) and returns the ``spectral.json`` record (None on other ranks).
    """
    comm = mpi_world()
    rank = comm.Get_rank() if comm is not None else 0
    s = settings
    outdir = Path(outdir)
    wall0 = time.perf_counter()
    if rank == 0:
        outdir.mkdir(parents=True, exist_ok=True)
        for stale in outdir.glob(BLOCK_GLOB):
            stale.unlink()
    fc = interface_force_constants(structure, info, s, comm)  # raises before any MD
    if rank == 0:
        save_npz(outdir / "force_constants.npz", pair_ids=fc["pair_ids"],
                 phi_eV_A2=fc["phi_eV_A2"], left_ids=fc["left_ids"], right_ids=fc["right_ids"])
    fc_s = time.perf_counter() - wall0
    lmp = new_lammps(comm=comm, log_file=outdir / "log.spectral.lammps")
    try:
        load_structure(lmp, data_file=structure, potential=s.potential, specorder=s.specorder,
                       boundary="p p s" if s.npt_steps else "p p f")
        lmp.commands_string(f"timestep {s.timestep_ps}\nthermo {s.sample_steps}")
        geometry, bins = _stack_to_steady_state(lmp, structure, info, s, outdir, comm)
        _check_slab_groups(lmp, fc)
        recorded = _record_blocks(lmp, s, fc, outdir, rank)
    finally:
        lmp.close()
    if rank != 0:
        return None
    record = _results(recorded["accumulator"], s, fc, geometry, bins, outdir)
    wall = time.perf_counter() - wall0
    record.update(disk=recorded["disk"], memory=recorded["memory"],
                  timing={"wall_s": wall, "force_constants_s": fc_s,
                          "python_block_read_s": recorded["python_read_s"]})
    write_json(outdir / "spectral.json", provenance_record(
        potential=potential_provenance(get_potential(s.potential)), settings=s.raw,
        n_atoms=info.get("n_atoms"), **record))
    return record


# --- results ------------------------------------------------------------------------------

def _stage_rows(table: np.ndarray, s: SpectralSettings) -> np.ndarray:
    """Rows of a sample file in the sampled stage, (spectral_start, spectral_end]."""
    steps = table[:, 0]
    return (steps > s.spectral_start) & (steps <= s.spectral_end)


def _bath_power(outdir: Path, s: SpectralSettings, area: float) -> dict:
    """Bath power over the sampled stage (:func:`analysis.flux.heat_flux`), with the power
    from A to B (eV/ps) and its dof."""
    table = read_time_file(outdir / "energy.spectral.dat")
    start = table[table[:, 0] == s.spectral_start]
    rows = table[_stage_rows(table, s)]
    if len(start) != 1 or len(rows) < MIN_ENERGY_SAMPLES:
        raise RuntimeError("energy.spectral.dat lacks the samples of the sampled stage")
    time_ps = (rows[:, 0] - s.spectral_start) * s.timestep_ps
    flux = heat_flux(time_ps, rows[:, 1] - start[0, 1], rows[:, 2] - start[0, 2], area, 0.0)
    to_power = area / W_M2_PER_EV_PS_A2  # (eV/ps) per (W/m²)
    sign = 1.0 if s.hot_side == "A" else -1.0
    se = flux["flux_se_W_m2"] * to_power
    dof = _interval_dof(flux["flux_W_m2"], flux["flux_se_W_m2"], flux["flux_ci95_high_W_m2"])
    return {**flux, "P_A_to_B_eV_ps": sign * flux["flux_W_m2"] * to_power,
            "P_A_to_B_se_eV_ps": se, "P_dof": dof}


def _interval_dof(mean: float, se: float, high: float) -> float:
    """Degrees of freedom of a 95 % t interval ``mean ± t se`` with upper end ``high``."""
    if not se > 0:
        return math.inf
    ratio = (high - mean) / se
    if ratio <= stats.norm.ppf(0.975) * (1 + 1e-9):
        return math.inf
    return float(optimize.brentq(lambda d: stats.t.ppf(0.975, d) - ratio, 0.5, 1e7))


def _temperature_jump(outdir: Path, s: SpectralSettings, geometry: dict,
                      bins: dict | None) -> dict:
    """ΔT = T_hot − T_cold at the interface from line fits of the sampled stage's mean
    profile (bins weighted by √atoms); its error from :data:`JUMP_BATCHES` batches."""
    prof = read_chunk_file(outdir / "profile.spectral.dat")
    keep = (prof["step"] > s.spectral_start) & (prof["step"] <= s.spectral_end)
    temps, counts = prof["temperature_K"][keep], prof["count"][keep]
    z = prof["z_A"] if prof["z_A"].ndim == 1 else (
        np.sum(prof["z_A"][keep] * counts, axis=0) / np.sum(counts, axis=0))
    atoms = counts.mean(axis=0)
    z_i = float(bins["z_interface_A"] if bins is not None else geometry["z_interface_A"])
    windows = fit_windows(z_i, geometry["hot_region_A"], geometry["cold_region_A"],
                          bath_exclusion_A=float(s.spectral["bath_exclusion_A"]),
                          interface_exclusion_A=float(s.spectral["interface_exclusion_A"]))
    rel = 1.0 / np.sqrt(np.where(atoms > 0, atoms, np.nan))

    def jump(t_profile):
        return temperature_jump(z, t_profile, rel, z_i, windows, hot_side=s.hot_side,
                                absolute_sigma=False)

    whole = jump(temps.mean(axis=0))
    batches = [jump(part.mean(axis=0))["delta_T_K"]
               for part in np.array_split(temps, min(JUMP_BATCHES, len(temps)))]
    se = float(np.std(batches, ddof=1) / np.sqrt(len(batches)))
    low, high = t_interval(whole["delta_T_K"], se, len(batches) - 1)
    return {"delta_T_K": whole["delta_T_K"], "delta_T_se_K": se,
            "delta_T_ci95_low_K": float(low), "delta_T_ci95_high_K": float(high),
            "delta_T_dof": len(batches) - 1, "fit_windows_A": windows,
            "T_interface_A_K": whole["T_interface_A_K"],
            "T_interface_B_K": whole["T_interface_B_K"], "source": "profile",
            "profile": {"z_A": z, "T_K": temps.mean(axis=0), "atoms": atoms}}


def _ratio(a: float, se_a: float, dof_a: float, b: float, se_b: float, dof_b: float) -> dict:
    """a/b with its linearised standard error and Welch-Satterthwaite t interval."""
    r = a / b
    va, vb = (r * se_a / a) ** 2, (r * se_b / b) ** 2
    se = math.sqrt(va + vb)
    dof = welch_satterthwaite_dof([va, vb], [dof_a, dof_b])
    low, high = t_interval(r, se, dof)
    return {"ratio": r, "se": se, "low": float(low), "high": float(high), "dof": dof}


def _results(acc: SpectralCurrentAccumulator, s: SpectralSettings, fc: dict, geometry: dict,
             bins: dict | None, outdir: Path) -> dict:
    """Spectrum, sum rule, ΔT, G(f), inelastic share and G_q(T); writes the CSV."""
    area = float(geometry["area_A2"])
    spectrum = acc.spectrum()
    current = acc.integrated_current()
    bath = _bath_power(outdir, s, area)
    sum_rule = _ratio(current["P_eV_ps"], current["se_eV_ps"], current["dof"],
                      bath["P_A_to_B_eV_ps"], bath["P_A_to_B_se_eV_ps"], bath["P_dof"])
    if s.spectral["jump_K"] is not None:
        jump = {"delta_T_K": float(s.spectral["jump_K"]), "source": "settings (jump_K)"}
    else:
        jump = _temperature_jump(outdir, s, geometry, bins)
    delta_ab = jump["delta_T_K"] * (1.0 if s.hot_side == "A" else -1.0)  # T_A − T_B
    g = acc.spectral_conductance(delta_ab, area)
    quantum = acc.quantum_conductance(s.quantum_temperatures_K or [s.temperature_K],
                                      delta_ab, area)
    inelastic = (acc.inelastic_share(float(s.spectral["inelastic_cutoff_THz"]))
                 if s.spectral["inelastic_cutoff_THz"] is not None else None)
    rows = [{"frequency_THz": f, "q_eV_ps_THz": q, "q_se_eV_ps_THz": se,
             "q_ci95_low_eV_ps_THz": lo, "q_ci95_high_eV_ps_THz": hi, "G_W_m2K_THz": gg,
             "G_ci95_low_W_m2K_THz": glo, "G_ci95_high_W_m2K_THz": ghi}
            for f, q, se, lo, hi, gg, glo, ghi in zip(
                spectrum["frequency_THz"], spectrum["q_eV_ps_THz"], spectrum["se_eV_ps_THz"],
                spectrum["low_eV_ps_THz"], spectrum["high_eV_ps_THz"], g["G_W_m2K_THz"],
                g["low_W_m2K_THz"], g["high_W_m2K_THz"], strict=True)]
    write_csv(rows, list(rows[0]), outdir / "spectrum.csv")
    above = spectrum["frequency_THz"] > s.max_frequency_THz
    return {
        "conventions": "L = side A (low z), R = side B; q, P > 0 for heat from A to B; "
                       "delta_T_A_minus_B_K = T_A - T_B at the interface",
        "sampling": {"dt_sample_ps": s.dt_sample_ps, "nyquist_THz": s.nyquist_THz,
                     "max_frequency_THz": s.max_frequency_THz,
                     "delta_f_THz": acc.delta_f_THz, "block_samples": s.block_samples,
                     "n_blocks": acc.n_blocks, "n_batches": acc.n_batches,
                     "stage_steps": [s.spectral_start, s.spectral_end],
                     "stage_ps": s.spectral_steps * s.timestep_ps},
        "slabs": {"slab_A": fc["slab_A"], "interaction_range_A": fc["interaction_range_A"],
                  "z_interface_A": fc["z_interface_A"], "n_left": len(fc["left_ids"]),
                  "n_right": len(fc["right_ids"])},
        "force_constants": {"n_pairs": len(fc["pairs"]), "fd_step_A": s.fd_step_A,
                            "tolerance_eV_A2": s.fc_tolerance,
                            "max_block_norm_eV_A2": float(np.linalg.norm(
                                fc["phi_eV_A2"], axis=(1, 2)).max()),
                            "edge_fraction": fc["edge_fraction"],
                            "n_force_evaluations": fc["n_force_evaluations"]},
        "integrated_current": current,
        "bath": {k: v for k, v in bath.items() if k != "warnings"},
        "sum_rule": sum_rule,
        "temperature_jump": {k: v for k, v in jump.items() if k != "profile"},
        "delta_T_A_minus_B_K": delta_ab,
        "area_A2": area,
        "G_classical_MW_m2K": quantum["G_classical_MW_m2K"],
        "G_classical_se_MW_m2K": quantum["G_classical_se_MW_m2K"],
        "G_classical_ci95_MW_m2K": [quantum["G_classical_low_MW_m2K"],
                                    quantum["G_classical_high_MW_m2K"]],
        "quantum": {k: quantum[k] for k in ("temperature_K", "G_MW_m2K", "se_MW_m2K",
                                           "low_MW_m2K", "high_MW_m2K", "dof")},
        "inelastic": inelastic,
        "share_above_max_frequency": float(spectrum["q_eV_ps_THz"][above].sum()
                                           * acc.delta_f_THz / current["P_eV_ps"]),
        "warnings": _warnings(fc, bath),
    }


def _warnings(fc: dict, bath: dict) -> list[str]:
    notes = list(bath.get("warnings", []))
    if fc["edge_fraction"] > EDGE_WARNING:
        notes.append(f"pairs at a slab's outer {EDGE_LAYER_A:g} Å carry {fc['edge_fraction']:.2g}"
                     " of the largest force constant: a thicker slab_A would add pairs")
    return notes


def main(argv: list[str] | None = None) -> int:
    return driver_main(argv, __doc__.split("\n")[0], SpectralSettings, run_spectral)


if __name__ == "__main__":
    sys.exit(run_entry_point(main))
