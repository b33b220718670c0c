"""LAMMPS commands shared by the drivers: read a structure and define its interactions,
equilibrate the box at zero pressure, and sample the pressure tensor of regions."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.pressure import COMPONENTS, GPA_PER_BAR, pressure_summary, pressure_tensor_GPa
from engine.run_state import RESTART_NAMES, read_time_file, stitched_rows
from potentials import get_potential, pair_commands

__all__ = [
    "BOX_COLUMNS",
    "END_LAYER_COMS",
    "balance_along_z",
    "barostat_commands",
    "box_lengths",
    "data_file_box",
    "end_layer_commands",
    "finish_barostat",
    "gather_z",
    "load_structure",
    "sample_every_steps",
    "scale_to_total_energy",
    "side_pressures",
    "stress_sampling_commands",
]

#: Columns of the barostat stage's box file after the step, each averaged over a window:
#: box lengths lx, ly (Å), the length along z (Å; the box's lz when z is periodic, else the
#: distance between the centres of mass of the two end layers) and the diagonal pressure
#: tensor of the whole cell (bar).
BOX_COLUMNS = ("lx", "ly", "lz", "pxx", "pyy", "pzz")
#: IDs of the ``compute com`` of the two end layers of a stack with non-periodic z.
END_LAYER_COMS = ("npt_com_lo", "npt_com_hi")
#: Box dimensions by name, in ``change_box`` order.
_DIMS = ("x", "y", "z")


def load_structure(lmp, *, data_file: str | Path | None = None, restart_file: str | Path | None = None,
                   potential: str, specorder: list[str], boundary: str = "p p f") -> None:
    """Start a metal-units LAMMPS system from a data or restart file and set its potential.

    Parameters
    ----------
    lmp
        A ``lammps.lammps`` instance (fresh).
    data_file, restart_file
        Exactly one: a LAMMPS data file (atom_style atomic, types ordered as ``specorder``)
        or a binary restart file written by a previous run.
    potential
        Registry name (see ``potentials/registry.yaml``).
    specorder
        Element of each LAMMPS atom type, type 1 first.
    boundary
        LAMMPS boundary string; NEMD stacks are periodic laterally and fixed along z.
    """
    if (data_file is None) == (restart_file is None):
        raise ValueError("give exactly one of data_file or restart_file")
    lmp.commands_string("units metal\natom_style atomic\natom_modify map array\n")
    if data_file is not None:
        lmp.command(f"boundary {boundary}")
        lmp.command(f"read_data {data_file}")
    else:
        lmp.command(f"read_restart {restart_file}")
    for command in pair_commands(get_potential(potential), list(specorder)):
        lmp.command(command)
    lmp.command("neighbor 1.0 bin")
    lmp.command("neigh_modify every 1 delay 0 check yes")


def balance_along_z(lmp, potential: str) -> bool:
    """Balance the MPI sub-domains along z by neighbour count (no-op on one rank).

    An interface stack is split into slabs along its long axis, and its two sides differ in
    density and potential cost (Cu has about 1.7 times the neighbours of Si within the
    same cutoff), so equal slabs leave one rank waiting for the other.  The cuts are moved
    until the ranks carry equal weight, a rank's weight growing with its neighbour count
    (``balance ... weight neigh <factor>``, the factor from the potential's registry entry:
    many-body potentials cost more than linearly in the neighbours).  The weights depend
    on positions only, never on measured times, so a rerun with the same seeds and rank
    count is still reproduced exactly.  Call it after the potential is set (it runs
    ``run 0`` to build the neighbour list).

    Returns True when the sub-domains were balanced.
    """
    if int(lmp.extract_setting("world_size")) < 2:
        return False
    factor = get_potential(potential).balance_neigh_factor
    lmp.command("run 0 post no")
    lmp.command(f"balance 1.0 shift z 20 1.01 weight neigh {factor:g}")
    return True


def sample_every_steps(window_steps: int, preferred: int = 10) -> int:
    """Steps between the samples of a ``fix ave/time`` window: ``preferred`` if it divides
    the window, else 1."""
    return preferred if window_steps % preferred == 0 else 1


def box_lengths(lmp) -> np.ndarray:
    """Current box lengths (lx, ly, lz) in Å."""
    lo, hi = lmp.extract_box()[:2]
    return np.asarray(hi, dtype=float) - np.asarray(lo, dtype=float)


def data_file_box(path: str | Path) -> np.ndarray:
    """Box lengths (lx, ly, lz) in Å from the header of a LAMMPS data file."""
    lengths = {}
    with open(path) as handle:
        for line in handle:
            words = line.split()
            if len(words) >= 4 and words[2][1:] == "lo" and words[3][1:] == "hi":
                lengths[words[2][0]] = float(words[1]) - float(words[0])
            if len(lengths) == 3 or line.strip() in ("Masses", "Atoms"):
                break
    return np.array([lengths[d] for d in _DIMS])


def gather_z(lmp, *, unwrap: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """z (Å) and type of every atom, ordered by atom ID, on every rank (collective).

    With ``unwrap``, z is unwrapped with the image flags (a z-periodic cell).
    """
    x = np.asarray(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3)
    types = np.asarray(lmp.gather_atoms("type", 0, 1))
    z = x[:, 2].copy()
    if unwrap:
        image = np.asarray(lmp.gather_atoms("image", 0, 1)).astype(np.int64)
        shift, mask, offset = (int(lmp.extract_setting(k)) for k in ("IMG2BITS", "IMGMASK",
                                                                     "IMGMAX"))
        z += (((image >> shift) & mask) - offset) * box_lengths(lmp)[2]
    return z, types


def end_layer_commands(lmp, thickness_A: float) -> str:
    """Groups and centres of mass of the two end layers (``thickness_A`` thick) of a stack
    with non-periodic z, whose distance measures its length (:data:`END_LAYER_COMS`).

    The groups are cut from the atoms' z when first defined and then travel in the restart
    files; the computes are defined again in every segment.
    """
    lines = []
    if not lmp.has_id("group", "npt_end_lo"):
        z, _ = gather_z(lmp)
        lines += [f"region npt_end_lo_r block INF INF INF INF INF {z.min() + thickness_A} units box",
                  f"region npt_end_hi_r block INF INF INF INF {z.max() - thickness_A} INF units box",
                  "group npt_end_lo region npt_end_lo_r",
                  "group npt_end_hi region npt_end_hi_r"]
    lines += [f"compute {END_LAYER_COMS[0]} npt_end_lo com",
              f"compute {END_LAYER_COMS[1]} npt_end_hi com"]
    return "\n".join(lines)


def barostat_commands(settings, seed: int, *, periodic_z: bool, box_file: Path) -> str:
    """Langevin thermostat at T on all atoms and a Nose-Hoover barostat at zero stress.

    x and y are coupled (``couple xy``: the lateral cell keeps its shape, one stress
    Pxx = Pyy = 0 for both sides of the interface); z is barostatted independently when it
    is periodic (EMD), and left free when it is not (NEMD: free surfaces at both ends
    relax Pzz; its length is then measured between the end layers, see
    :func:`end_layer_commands`, which must come first).  ``ptemp`` fixes the barostat
    mass's temperature to T, so a resumed segment does not take it from the instantaneous
    temperature.  The lengths and the cell's pressure tensor are averaged over each
    sampling window and written to ``box_file`` (columns :data:`BOX_COLUMNS`).  Fix IDs:
    ``npt_thermostat``, ``npt_barostat``, ``npt_box`` (the barostat's state is carried by
    restart files).
    """
    s, pd = settings, settings.barostat_damping_ps
    n = s.sample_steps
    every = sample_every_steps(n)
    z = f" z 0.0 0.0 {pd}" if periodic_z else ""
    names = " ".join(f"v_box_{c}" for c in BOX_COLUMNS)
    lo, hi = END_LAYER_COMS
    length = {"lz": "lz" if periodic_z else f"c_{hi}[3]-c_{lo}[3]"}
    variables = "\n".join(f"variable box_{c} equal {length.get(c, c)}" for c in BOX_COLUMNS)
    return f"""{variables}
        fix npt_thermostat all langevin {s.temperature_K} {s.temperature_K} {s.damping_ps} \
            {seed} zero yes
        fix npt_barostat all nph x 0.0 0.0 {pd} y 0.0 0.0 {pd}{z} couple xy \
            ptemp {s.temperature_K}
        fix npt_box all ave/time {every} {n // every} {n} {names} file {box_file} \
            format ' %.15g'
    """


def _z_length(lmp, periodic_z: bool) -> float:
    """Current length along z (Å), as :data:`BOX_COLUMNS` ``lz`` measures it."""
    if periodic_z:
        return float(box_lengths(lmp)[2])
    lo, hi = (lmp.extract_compute(c, 0, 1)[2] for c in END_LAYER_COMS)  # global vector
    return float(hi - lo)


def finish_barostat(lmp, settings, outdir: Path, comm, *, periodic_z: bool) -> dict:
    """End the barostat stage: set the cell to its mean size over the stage's second half.

    The windows of ``npt.<segment>.dat`` in (``npt_average_from_step``, ``npt_steps``] are
    stitched across segments and averaged (rank 0 reads, all ranks get the result).  The
    box is scaled about its centre to the mean lateral lengths, atoms remapped
    (``change_box ... remap``), and z likewise when it is periodic.  When it is not, the
    atoms are displaced along z by a linear ramp (a uniform strain about the stack's middle)
    so that the end layers are their mean distance apart: a snapshot of the stack's
    thermal breathing (±0.15 Å over 90 Å of Si/Cu at 300 K) would otherwise be frozen in,
    a strain worth ~0.25 GPa.  Collective.

    Returns the record: box (Å) at the end of the stage and after, the z length (Å) at
    the end and its mean (the length after), the stage's mean lateral box (Å) and mean
    cell pressures (GPa), and the averaged steps.
    """
    s = settings
    lmp.commands_string("unfix npt_box\nunfix npt_barostat\nunfix npt_thermostat")
    table = None
    if comm is None or comm.Get_rank() == 0:
        table = stitched_rows(outdir, "npt", s.npt_average_from_step, s.npt_steps,
                              s.sample_steps)[:, 1:]
    if comm is not None:
        table = comm.bcast(table, root=0)
    mean = table.mean(axis=0)
    end, length_end = box_lengths(lmp), _z_length(lmp, periodic_z)
    dims = _DIMS if periodic_z else _DIMS[:2]
    current = [end[0], end[1], length_end]
    scales = " ".join(f"{d} scale {float(mean[i] / current[i])!r}" for i, d in enumerate(dims))
    lmp.command(f"change_box all {scales} remap")
    if not periodic_z:
        z, _ = gather_z(lmp)
        lo, hi = float(z.min()) - 1.0, float(z.max()) + 1.0
        strain = float(mean[2] / length_end) - 1.0
        half = 0.5 * (hi - lo)
        lmp.command(f"displace_atoms all ramp z {-strain * half!r} {strain * half!r} "
                    f"z {lo!r} {hi!r} units box")
    return {"box_end_of_npt_A": end.tolist(), "box_after_npt_A": box_lengths(lmp).tolist(),
            "z_length_end_of_npt_A": length_end, "z_length_mean_A": float(mean[2]),
            "npt_mean_box_A": mean[:2].tolist(),
            "npt_mean_pressure_GPa": {c: float(mean[3 + i] * GPA_PER_BAR)
                                      for i, c in enumerate(COMPONENTS)},
            "npt_averaged_steps": [s.npt_average_from_step, s.npt_steps],
            "npt_windows": len(table)}


def stress_sampling_commands(groups: dict[str, str], window_steps: int, out_file: Path) -> str:
    """Window means of the summed per-atom stress (bar·Å³) of each group to ``out_file``.

    ``groups`` maps a side name to a LAMMPS group; columns after the step: xx, yy, zz of
    each side in that order.  Fix ID ``side_stress``.
    """
    every = sample_every_steps(window_steps)
    lines = ["compute stress_atom all stress/atom NULL"]
    columns = []
    for side, group in groups.items():
        lines.append(f"compute stress_{side} {group} reduce sum c_stress_atom[1] "
                     "c_stress_atom[2] c_stress_atom[3]")
        columns += [f"c_stress_{side}[{i}]" for i in (1, 2, 3)]
    lines.append(f"fix side_stress all ave/time {every} {window_steps // every} {window_steps} "
                 f"{' '.join(columns)} file {out_file} format ' %.15g'")
    return "\n".join(lines)


def side_pressures(outdir: Path, sides: list[str], volumes_A3: dict[str, float],
                   after_step: int, upto_step: int, every: int) -> dict:
    """Mean pressure tensor (GPa) of each side over (after_step, upto_step], from the
    stitched ``stress.<segment>.dat`` files (see :func:`stress_sampling_commands`)."""
    table = stitched_rows(outdir, "stress", after_step, upto_step, every)
    out = {}
    for i, side in enumerate(sides):
        sums = table[:, 1 + 3 * i:4 + 3 * i]
        out[side] = pressure_summary(pressure_tensor_GPa(sums, volumes_A3[side]))
    out["steps"] = [after_step, upto_step]
    return out


def displacement_commands(groups: dict[str, str], every: int, path) -> str:
    """LAMMPS commands recording, every ``every`` steps, the mean-square displacement (Å²)
    of each side's interior atoms (``groups``: side -> group) from their positions when
    the commands are given (the start of a segment), centre of mass removed: whether each
    side is still a solid (:mod:`analysis.physical_checks`)."""
    computes = "\n".join(f"compute msd_{side.lower()} {group} msd com yes"
                          for side, group in groups.items())
    columns = " ".join(f"c_msd_{side.lower()}[4]" for side in groups)
    return (f"{computes}\nfix displacement all ave/time {every} 1 {every} {columns} "
            f'file {path} format " %.15g"')


def interior_atom_counts(lmp, groups: dict[str, str]) -> dict[str, int]:
    """Atoms in each side's interior group (collective)."""
    counts = {}
    for side, group in groups.items():
        lmp.command(f"variable n_{group} equal count({group})")
        counts[side] = int(lmp.extract_variable(f"n_{group}"))
    return counts


def atomic_volumes(volumes_A3: dict[str, float], counts: dict[str, int]) -> np.ndarray:
    """Volume per atom (Å³) of each side's interior, [A, B]."""
    return np.array([volumes_A3[side] / max(counts[side], 1) for side in ("A", "B")])


def largest_displacement(outdir: Path, segments) -> np.ndarray | None:
    """Largest mean-square displacement (Å²) of each side's interior atoms over the
    ``msd.<segment>.dat`` files of ``segments`` (each measured from its segment's start);
    None when a segment has no file (a run folder from an older version)."""
    largest = None
    for seg, _, _ in segments:
        path = Path(outdir) / f"msd.{seg}.dat"
        if not path.exists():
            return None
        table = read_time_file(path)
        if len(table):
            seg_max = np.nanmax(table[:, 1:3], axis=0)
            largest = seg_max if largest is None else np.fmax(largest, seg_max)
    return largest


def scale_to_total_energy(lmp, energy_eV: float, outdir: Path, *, group: str = "all",
                          temperature_compute: str | None = None) -> dict:
    """Scale the velocities of ``group`` so that the total energy (thermo ``pe + ke``) is
    ``energy_eV``, and write the scaled state to both restart files (a resume must never
    continue from the unscaled one).  Used to start an energy-conserving stage at the mean
    energy of the thermostatted stage before it, not at an instantaneous canonical draw.

    The thermo temperature must be the one of ``group`` (``temperature_compute``: its
    compute ID, passed to ``velocity ... temp``).  Returns ``energy_before_eV``,
    ``energy_after_eV``, ``temperature_before_K``, ``temperature_after_K``.
    """
    potential, kinetic = float(lmp.get_thermo("pe")), float(lmp.get_thermo("ke"))
    temperature = float(lmp.get_thermo("temp"))
    kinetic_target = energy_eV - potential
    if not kinetic_target > 0:
        raise RuntimeError(f"cannot start at the mean energy {energy_eV:.6g} eV of the "
                           f"thermostatted stage: the potential energy is {potential:.6g} eV; "
                           "equilibrate longer")
    scaled = temperature * kinetic_target / kinetic
    temp = f" temp {temperature_compute}" if temperature_compute else ""
    lmp.command(f"velocity {group} scale {scaled!r}{temp}")
    for name in RESTART_NAMES:
        lmp.command(f"write_restart {Path(outdir) / name}")
    return {"energy_before_eV": potential + kinetic, "energy_after_eV": potential + kinetic_target,
            "temperature_before_K": temperature, "temperature_after_K": scaled}
