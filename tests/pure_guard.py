"""``make test-fast`` guard: a test not marked ``lammps``, ``snakemake`` or ``slurm`` must
not reach LAMMPS, MPI or Snakemake.

Active when ``KAPITZA_PURE_TESTS=1``: importing ``lammps`` or ``mpi4py`` in the test
process, or starting a subprocess that runs Snakemake, mpirun or an engine driver, fails
the test and names the marker it is missing.  This proves the markers complete, so the
fast target really is the pure tests.
"""

from __future__ import annotations

import importlib.abc
import os
import subprocess
import sys

ACTIVE = os.environ.get("KAPITZA_PURE_TESTS") == "1"
_FORBIDDEN_MODULES = ("lammps", "mpi4py")
_FORBIDDEN_COMMANDS = ("snakemake", "mpirun", "mpiexec", "srun", "-m engine.", "engine/",
                       "workflow/scripts", "lmp")
HINT = "mark the test @pytest.mark.lammps (or snakemake / slurm): it is not a pure test"


class _ForbidEngineImports(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in _FORBIDDEN_MODULES:
            raise ImportError(f"pure test imported {fullname}: {HINT}")


_original_popen_init = subprocess.Popen.__init__


def _guarded_popen_init(self, args, *rest, **kwargs):
    words = [args] if isinstance(args, str | bytes | os.PathLike) else list(args)
    text = " ".join(os.fsdecode(w) if isinstance(w, bytes | os.PathLike) else str(w)
                    for w in words)
    if any(token in text for token in _FORBIDDEN_COMMANDS):
        raise RuntimeError(f"pure test started '{text[:120]}': {HINT}")
    _original_popen_init(self, args, *rest, **kwargs)


def install() -> None:
    """Install the guards in this process (idempotent)."""
    if not any(isinstance(f, _ForbidEngineImports) for f in sys.meta_path):
        sys.meta_path.insert(0, _ForbidEngineImports())
    subprocess.Popen.__init__ = _guarded_popen_init
