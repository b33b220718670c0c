"""Checkpoint state of one MD run folder: resume a killed run, never a different one.

The MD drivers (:mod:`engine.nemd`, :mod:`engine.emd`) write two toggling LAMMPS
restart files.  Started again in the same folder, a driver resumes from the newest readable
one as a new *segment* (own sample files, ``segment.<k>.json``), and the segments are
stitched afterwards.  A folder can also hold the state of an *earlier, different* run:
Snakemake re-runs a job when its settings or input structure change, but it only deletes
the declared outputs, not the checkpoints.  Resuming those would splice the new study onto
the old one.  So each folder records the fingerprint of what it is running (settings and
the structure file's SHA-256) in ``run_inputs.json``; when it differs from the current one,
the old state is removed and the run starts afresh.  Only the production length and the
checkpoint interval may change between starts (``RESUMABLE_KEYS``): lengthening a run
continues it from its checkpoints.

One writer per folder: a driver holds an exclusive lock on ``run.lock`` in its folder for
as long as it runs (:class:`RunFolderLock`, ``fcntl.flock``: the kernel releases it when
the process exits, also on SIGKILL, so a lock is never stale).  A second driver started on
the same folder, e.g. a rerun while an orphaned rank of a killed job still writes, refuses
with the holder's PID and host.

Parallel use: every function taking ``comm`` is collective (all ranks call it); rank 0
touches the files and broadcasts.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import fcntl
import hashlib
import json
import os
import shutil
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.atomic_io import write_json
from engine.interrupt import RunInterrupted, StopSignals, run_until
from engine.runtime import mpi_world, new_lammps

__all__ = [
    "RESTART_NAMES",
    "RunFolderBusy",
    "RunFolderLock",
    "RunState",
    "SampleFiles",
    "driver_main",
    "prepare_run",
    "production_segments",
    "read_time_file",
    "run_fingerprint",
    "run_production",
    "stitched_rows",
    "write_checkpoint",
]

RESTART_NAMES = ("restart.a", "restart.b")
LOCK_FILE = "run.lock"
FINGERPRINT_FILE = "run_inputs.json"
#: Files a run leaves in its folder (removed when the folder is reused for another run).
STATE_PATTERNS = ("restart.*", "segment.*.json", "*.dat", "log.*.lammps", "geometry.json",
                  "planes.json", "switch.json", "raw.npz", "run.json")


class RunFolderBusy(RuntimeError):
    """Another live process holds the run folder's lock."""


class RunFolderLock:
    """Exclusive, advisory lock on ``<outdir>/run.lock`` held while a driver writes there.

    ``fcntl.flock`` on an open descriptor: released when the descriptor is closed or the
    process ends in any way (SIGKILL and the OOM killer included), so a dead holder never
    leaves a stale lock.  The file records the holder (PID, host, start time) for the
    message a second writer gets.  Local and NFSv4 file systems honour it; on a file system
    without locks (some parallel file systems mounted without ``flock``) acquiring fails
    with the OS error rather than silently allowing two writers.
    """

    def __init__(self, outdir: Path):
        self.path = Path(outdir) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> RunFolderLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise RunFolderBusy(
                f"run folder {self.path.parent} is being written by another process "
                f"({holder}).  If that is an orphan of a killed job (e.g. after "
                "`kill -9` of snakemake), stop it first (kill <pid> on that host), then "
                "rerun; it resumes from the last checkpoint.") from None
        except BaseException:
            os.close(fd)
            raise
        holder = (f"pid {os.getpid()} on {socket.gethostname()}, since "
                  f"{_dt.datetime.now(_dt.UTC).isoformat(timespec='seconds')}")
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode() + b"\n", 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


def lock_run_folder(outdir: Path, comm) -> RunFolderLock | None:
    """Rank 0 takes the folder's :class:`RunFolderLock`; every rank raises
    :class:`RunFolderBusy` when it is held elsewhere (collective)."""
    rank = comm.Get_rank() if comm is not None else 0
    lock, error = None, None
    if rank == 0:
        try:
            lock = RunFolderLock(outdir).acquire()
        except RunFolderBusy as busy:
            error = str(busy)
    if comm is not None:
        error = comm.bcast(error, root=0)
    if error is not None:
        raise RunFolderBusy(error)
    return lock


@dataclass(frozen=True)
class RunState:
    """Where a run (re)starts: the restart file (None = fresh), its step, the segment index."""

    restart: Path | None
    start_step: int
    segment: int

    @property
    def seed_shift(self) -> int:
        """Added to thermostat seeds so that a resumed segment does not replay the noise."""
        return 7919 * self.segment


#: Settings that do not change the trajectory up to any given step: a run whose production
#: was lengthened (or shortened), or whose checkpoint interval changed (or was added to
#: the settings by a newer version), resumes from its checkpoints instead of starting again.
RESUMABLE_KEYS = ("production_ps", "restart_every_ps")


def run_fingerprint(settings: dict, structure: Path) -> dict:
    """What identifies a run's trajectory: its settings (but the production length) and the
    SHA-256 of its input structure file."""
    digest = hashlib.sha256(Path(structure).read_bytes()).hexdigest()
    kept = {k: v for k, v in settings.items() if k not in RESUMABLE_KEYS}
    return json.loads(json.dumps({"settings": kept, "structure_sha256": digest},
                                 sort_keys=True))


def _clear_stale_state(outdir: Path, fingerprint: dict) -> list[str]:
    path = outdir / FINGERPRINT_FILE
    stored = json.loads(path.read_text()) if path.exists() else None
    if stored == fingerprint:
        return []
    removed = []
    has_state = any(any(outdir.glob(p)) for p in STATE_PATTERNS)
    if has_state:
        for pattern in STATE_PATTERNS:
            for stale in outdir.glob(pattern):
                stale.unlink()
                removed.append(stale.name)
    write_json(path, fingerprint)
    return sorted(removed)


def _restart_steps(outdir: Path, comm) -> list[tuple[Path, int]]:
    """Readable restart files and their time steps, newest first (collective)."""
    found = []
    for name in RESTART_NAMES:
        path = outdir / name
        if not path.is_file():
            continue
        probe = new_lammps(comm=comm)
        try:
            probe.command(f"read_restart {path}")
            step = int(probe.extract_global("ntimestep"))
        except Exception:  # noqa: BLE001 - a restart file cut short by a kill cannot be read
            step = -1
        finally:
            probe.close()
        if step > 0:
            found.append((path, step))
    return sorted(found, key=lambda item: -item[1])


@dataclass(frozen=True)
class SampleFiles:
    """The time series a driver writes per segment (``<prefix>.<segment>.dat``), so that a
    checkpoint is only resumed when the samples before it are complete."""

    time_prefixes: tuple[str, ...]  # fix ave/time files: one row per sample, step first
    chunk_prefixes: tuple[str, ...]  # fix ave/chunk files: a "step nchunks count" header
    first_step: int  # samples exist only after this step (the production's start)


def _sample_steps(path: Path, chunk: bool) -> set[int]:
    steps = set()
    for line in path.read_text(errors="replace").splitlines():
        fields = line.split()
        if not fields or line.startswith("#"):
            continue
        if chunk and len(fields) != 3:
            continue
        try:
            steps.add(int(float(fields[0])))
        except ValueError:
            break
    return steps


def _segment_starts(outdir: Path) -> dict[int, int]:
    starts = {}
    for path in outdir.glob("segment.*.json"):
        try:
            meta = json.loads(path.read_text())
            starts[int(meta["segment"])] = int(meta["start_step"])
        except (ValueError, KeyError, OSError):
            starts[int(path.name.split(".")[1])] = -1  # a record cut short: unusable
    return starts


def _gap_before(outdir: Path, files: SampleFiles, resume_step: int) -> str | None:
    """Why the samples written so far do not reach ``resume_step`` (None when they do)."""
    starts = {k: s for k, s in _segment_starts(outdir).items() if s < resume_step}
    order = sorted(starts)
    for i, seg in enumerate(order):
        end = starts[order[i + 1]] if i + 1 < len(order) else resume_step
        if starts[seg] < 0:
            return f"segment {seg} has an unreadable record"
        if end <= files.first_step:
            continue
        for prefix, chunk in ([(p, False) for p in files.time_prefixes]
                              + [(p, True) for p in files.chunk_prefixes]):
            path = outdir / f"{prefix}.{seg}.dat"
            if not path.is_file() or end not in _sample_steps(path, chunk):
                return f"{path.name} has no sample at step {end} (written only in part?)"
    return None


def _drop_segments_from(outdir: Path, first_step: int) -> list[str]:
    """Remove the segments that started at or after ``first_step`` (superseded)."""
    removed = []
    for seg, start in _segment_starts(outdir).items():
        if start >= first_step or start < 0:
            for path in [outdir / f"segment.{seg}.json", *outdir.glob(f"*.{seg}.dat"),
                         *outdir.glob(f"log.{seg}.lammps")]:
                if path.exists():
                    path.unlink()
                    removed.append(path.name)
    return removed


def _choose_restart(outdir: Path, files: SampleFiles | None,
                    restarts: list[tuple[Path, int]]) -> tuple[Path | None, int, list[str]]:
    """The newest restart whose samples are complete (rank 0): (path, step, messages)."""
    messages = []
    for path, step in restarts:
        gap = _gap_before(outdir, files, step) if files is not None else None
        if gap is None:
            return path, step, messages
        messages.append(f"checkpoint {path.name} (step {step}) not resumed: {gap}")
    return None, 0, messages


def prepare_run(outdir: Path, fingerprint: dict, comm,
                files: SampleFiles | None = None) -> RunState:
    """Make ``outdir`` hold only this run's state; return where to (re)start (collective).

    The newest readable checkpoint is resumed only when the samples written before it are
    complete (``files``): a segment cut short, e.g. by a full disk that LAMMPS ignored,
    leaves sample files that stop before the checkpoint, and stitching them would fail on
    every rerun.  Then the older checkpoint is tried, and without one the run starts
    afresh; each decision is printed to the log.  Segments that started at or after the
    checkpoint resumed (attempts that wrote nothing usable) are removed.

    Parameters
    ----------
    outdir : Path
        The run folder (created if missing).
    fingerprint : dict
        :func:`run_fingerprint` of this run.
    comm : mpi4py communicator or None
    files : SampleFiles, optional
        The driver's per-segment time series (no consistency check without).
    """
    rank = comm.Get_rank() if comm is not None else 0
    if rank == 0:
        outdir.mkdir(parents=True, exist_ok=True)
        removed = _clear_stale_state(outdir, fingerprint)
        if removed:
            print(f"{outdir}: settings or structure changed since the checkpoint was written; "
                  f"removed the old run's state ({', '.join(removed)}) and starting afresh",
                  file=sys.stderr)
    if comm is not None:
        comm.Barrier()
    restarts = _restart_steps(outdir, comm)
    choice = None
    if rank == 0:
        restart, start_step, messages = _choose_restart(outdir, files, restarts)
        if messages and restart is not None:
            messages.append(f"resuming from the older checkpoint {restart.name} (step "
                            f"{start_step})")
        if restart is None and (restarts or any(outdir.glob("segment.*.json"))):
            for pattern in STATE_PATTERNS:
                for stale in outdir.glob(pattern):
                    stale.unlink()
            messages.append("no consistent checkpoint left: starting afresh")
        elif restart is not None:
            dropped = _drop_segments_from(outdir, start_step)
            if dropped:
                messages.append(f"dropped the superseded segment files {', '.join(dropped)}")
        for message in messages:
            print(f"{outdir}: {message}", file=sys.stderr, flush=True)
        choice = (restart, start_step, max(_segment_starts(outdir), default=-1) + 1)
    if comm is not None:
        choice = comm.bcast(choice, root=0)
    restart, start_step, segment = choice
    state = RunState(restart, start_step, segment)
    if rank == 0:
        write_json(outdir / f"segment.{segment}.json",
                   {"segment": segment, "start_step": start_step,
                    "resumed_from": str(restart) if restart else None,
                    "seed_shift": state.seed_shift})
    return state


def production_segments(outdir: Path, equilibration_steps: int) -> list[tuple[int, int, float]]:
    """(segment, first step kept (exclusive), last step kept) for stitching the samples.

    Segment k started from a restart at step s_k; the samples segment k−1 wrote after s_k
    were lost with the kill (segment k re-computes them), so segment k−1 keeps
    (max(s_{k−1}, equilibration), s_k] and the last segment keeps everything after its start.
    """
    starts = {}
    for path in sorted(outdir.glob("segment.*.json")):
        meta = json.loads(path.read_text())
        starts[meta["segment"]] = max(meta["start_step"], equilibration_steps)
    order = sorted(starts)
    return [(seg, starts[seg], starts[order[i + 1]] if i + 1 < len(order) else np.inf)
            for i, seg in enumerate(order)]


def read_time_file(path: Path) -> np.ndarray:
    """Parse a ``fix ave/time`` file into an array (rows: step, values...); a cut line is dropped."""
    rows = []
    for line in Path(path).read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        try:
            rows.append([float(x) for x in line.split()])
        except ValueError:
            break
    width = max((len(r) for r in rows), default=0)
    return np.array([r for r in rows if len(r) == width])


def stitched_rows(outdir: Path, prefix: str, after_step: int, upto_step: int,
                  every: int) -> np.ndarray:
    """Rows of the per-segment ``fix ave/time`` files ``<prefix>.<segment>.dat`` with
    ``after_step < step <= upto_step``, each from the segment that wrote it last.

    A row a killed segment wrote past the next segment's start is dropped (that segment
    re-computed it), as in :func:`production_segments`.  Raises ``RuntimeError`` unless the
    steps are exactly ``after_step + every, ..., upto_step``.
    """
    rows = []
    for seg, start, end in production_segments(outdir, after_step):
        path = outdir / f"{prefix}.{seg}.dat"
        table = read_time_file(path) if path.exists() else np.zeros((0, 0))
        if table.size:
            steps = table[:, 0]
            rows.append(table[(steps > start) & (steps <= min(end, upto_step))])
    table = np.concatenate(rows) if rows else np.zeros((0, 1))
    expected = np.arange(after_step + every, upto_step + 1, every)
    if not np.array_equal(table[:, 0].astype(int), expected):
        raise RuntimeError(f"{prefix}.*.dat in {outdir}: samples of steps ({after_step}, "
                           f"{upto_step}] are not contiguous ({len(table)} of {len(expected)})")
    return table


def write_checkpoint(lmp, outdir: Path, comm) -> Path:
    """Write a restart file now, over the older of the two toggling ones (collective).

    The newer one is kept, so a kill while writing still leaves a readable checkpoint.
    """
    rank = comm.Get_rank() if comm is not None else 0
    name = None
    if rank == 0:
        def age(n):
            path = outdir / n
            return path.stat().st_mtime if path.exists() else -1.0
        name = min(RESTART_NAMES, key=age)
    if comm is not None:
        name = comm.bcast(name, root=0)
    path = outdir / name
    lmp.command(f"write_restart {path}")
    return path


def run_production(lmp, upto_step: int, outdir: Path, comm, *, align: int) -> None:
    """Run the production up to ``upto_step`` so that SIGINT/SIGTERM stop it within
    seconds (:func:`engine.interrupt.run_until`); on a stop write a checkpoint, close
    ``lmp`` and raise :class:`engine.interrupt.RunInterrupted` (collective)."""
    stopped = run_until(lmp, upto_step, comm, align=align)
    if stopped:
        step = int(lmp.extract_global("ntimestep"))
        checkpoint = write_checkpoint(lmp, outdir, comm)
        lmp.close()
        raise RunInterrupted(stopped, step, str(checkpoint))


#: Free space (bytes) below which a failed run is blamed on a full file system.
LOW_SPACE_BYTES = 16 * 1024 * 1024


def _disk_full(outdir: Path) -> str | None:
    """A message when ``outdir``'s file system is (nearly) full, else None.

    LAMMPS does not stop when a write fails with ENOSPC: its files are cut short and the
    run fails later for a reason that hides the cause, so every failure checks this.
    """
    try:
        free = shutil.disk_usage(outdir if Path(outdir).exists() else Path(outdir).parent).free
    except OSError:
        return None
    if free >= LOW_SPACE_BYTES:
        return None
    return (f"the file system of {outdir} is full ({free / 2**20:.1f} MiB free), so files "
            "were written only in part: free space (or move results_dir) and rerun; the run "
            "resumes from its last checkpoint whose samples are complete, or afresh")


def driver_main(argv: list[str] | None, description: str, settings_class: type,
                run: Callable) -> int:
    """Command line shared by the MD drivers: ``--structure --info --settings --outdir``.

    Calls ``run(structure, info, settings_class(settings), outdir)`` while holding the run
    folder's lock (:func:`lock_run_folder`) and with SIGINT/SIGTERM turned into a prompt
    stop with a checkpoint (:mod:`engine.interrupt`); returns the exit status (0, or
    130/143 after such a stop).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--structure", required=True, type=Path, help="relaxed LAMMPS data file")
    parser.add_argument("--info", required=True, type=Path, help="structure JSON (relaxed.json)")
    parser.add_argument("--settings", required=True, help="run settings as a JSON string")
    parser.add_argument("--outdir", required=True, type=Path)
    args = parser.parse_args(argv)
    settings = settings_class(json.loads(args.settings))
    lock = lock_run_folder(args.outdir, mpi_world())
    try:
        with StopSignals():
            run(args.structure, json.loads(args.info.read_text()), settings, args.outdir)
    except RunInterrupted as stopped:
        if mpi_world() is None or mpi_world().Get_rank() == 0:
            print(f"{args.outdir}: {stopped}", file=sys.stderr, flush=True)
        return stopped.exit_status
    except Exception:
        full = _disk_full(args.outdir)
        if full:
            print(f"error: {full}", file=sys.stderr, flush=True)
        raise
    finally:
        if lock is not None:
            lock.release()
    return 0
